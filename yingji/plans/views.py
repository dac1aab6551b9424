"""Pages of plans, drills and grassroots readiness. Lists, details and edits are declared on the core generic
views; the loops' buttons post to small views that call the services."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.contrib.contenttypes.models import ContentType
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.http import HttpResponseRedirect
from django.shortcuts import get_object_or_404, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_POST

from yingji.core.models import Attachment
from yingji.core.scoping import has_model_perm
from yingji.core.tables import Column
from yingji.core.views.generic import ObjectDetailView, ObjectEditView, ObjectListView
from yingji.core.workflow import timeline
from yingji.incidents.models import Incident
from yingji.plans import filters, forms, services
from yingji.plans.models import (
    Drill,
    DrillImprovement,
    Plan,
    PlanActivation,
    PlanLevel,
    PlanOrganization,
    PlanStatus,
    PlanTask,
    ReadinessAssessment,
    ReadinessItem,
)
from yingji.plans.states import DRILL_WORKFLOW, IMPROVEMENT_WORKFLOW, PLAN_WORKFLOW, READINESS_WORKFLOW


def _crumbs():
    return [(_("首页"), reverse("home")), (_("预案演练"), reverse("plans:plan_list"))]


class PlansMixin:
    url_namespace = "plans"

    def breadcrumbs(self):
        return _crumbs()


def _blocked(workflow, obj, user) -> list[tuple[str, str]]:
    return [(t.label, t.requires(obj)) for t in workflow.transitions
            if t.source == getattr(obj, workflow.status_field) and t.who(user, obj) and t.requires is not None
            and t.requires(obj)]


def _done(request, call, success: str | None = None) -> bool:
    try:
        with transaction.atomic():
            call()
    except ValidationError as exc:
        messages.error(request, "；".join(exc.messages))
        return False
    except PermissionDenied as exc:
        messages.error(request, str(exc) or _("您没有执行此操作的权限。"))
        return False
    messages.success(request, success or _("已办理"))
    return True


# -- plans ------------------------------------------------------------------------------------------------------

class PlanListView(PlansMixin, ObjectListView):
    model = Plan
    filterset_class = filters.PlanFilterSet
    columns = [
        Column("code", link=True),
        Column("name", gettext_lazy("预案名称（版本）"), link=True, accessor=str),
        Column("kind"),
        Column("region.name", gettext_lazy("所属区划")),
        Column("enterprise.name", gettext_lazy("所属企业")),
        Column("parent.name", gettext_lazy("上级预案")),
        Column("status"),
        Column("filing_number", orderable=False),
        Column("filed_on"),
        Column("next_revision_due"),
    ]
    default_ordering = ["region_id", "kind", "code", "-version"]


class PlanDetailView(PlansMixin, ObjectDetailView):
    model = Plan
    template_name = "plans/plan_detail.html"
    with_attachments = True
    fields = [Column(n) for n in ("code", "version", "name", "kind", "parent", "region", "enterprise", "organization",
                                  "event_types", "summary", "issued_on", "revision_years", "status", "submitted_by",
                                  "review_opinion", "filing_number", "filed_on", "next_revision_due",
                                  "revision_reminded_on", "previous")]

    def get_context_data(self, obj):
        context = super().get_context_data(obj)
        user = self.request.user
        levels = list(PlanLevel.objects.restrict(user, "view").filter(plan=obj))
        tasks = list(PlanTask.objects.restrict(user, "view").filter(plan=obj).select_related("organization"))
        by_level = [(level, [t for t in tasks if t.level == level.level]) for level in levels]
        defined = {level.level for level in levels}
        by_level += [(None, [t for t in tasks if t.level == code]) for code in sorted({t.level for t in tasks} - defined)]
        context.update(
            actions=PLAN_WORKFLOW.available(obj, user),
            blocked=_blocked(PLAN_WORKFLOW, obj, user),
            timeline=timeline(obj, user),
            organizations=PlanOrganization.objects.restrict(user, "view").filter(plan=obj).select_related(
                "organization"),
            by_level=by_level,
            editable=obj.status == PlanStatus.DRAFT and Plan.objects.restrict(user, "change").filter(
                pk=obj.pk).exists(),
            versions=Plan.objects.restrict(user, "view").filter(code=obj.code).order_by("-version"),
            children=Plan.objects.restrict(user, "view").filter(parent=obj).order_by("kind", "code"),
            activations=PlanActivation.objects.restrict(user, "view").filter(plan=obj).select_related("incident"),
            drills=Drill.objects.restrict(user, "view").filter(plan=obj).order_by("-planned_on")[:10],
            can_revise=obj.status == PlanStatus.FILED and has_model_perm(user, Plan, "add"),
            can_activate=obj.status == PlanStatus.FILED and user.has_perm("plans.activate_plan"),
            activation_form=forms.ActivationForm(user=user, plan=obj),
        )
        return context


class PlanEditView(PlansMixin, ObjectEditView):
    model = Plan
    form_class = forms.PlanForm
    create_service = staticmethod(services.plan_create)
    update_service = staticmethod(services.plan_update)
    update_object_argument = "plan"


def _plan_back(pk: int) -> HttpResponseRedirect:
    return HttpResponseRedirect(reverse("plans:plan_detail", args=[pk]))


@login_required
@require_POST
def plan_transition(request, pk: int):
    plan = get_object_or_404(Plan.objects.restrict(request.user, "view"), pk=pk)
    form = forms.PlanTransitionForm(request.POST)
    if not form.is_valid():
        messages.error(request, _("提交的数据有误：%(errors)s") % {"errors": form.errors.as_text()})
        return _plan_back(pk)
    data = form.cleaned_data
    extra = {k: data[k] for k in ("filing_number", "filed_on") if data.get(k)}
    _done(request, lambda: services.plan_act(plan=plan, actor=request.user, action=data["action"],
                                             reason=data["reason"], **extra))
    return _plan_back(pk)


@login_required
@require_POST
def plan_revise(request, pk: int):
    plan = get_object_or_404(Plan.objects.restrict(request.user, "view"), pk=pk)
    created = []
    if _done(request, lambda: created.append(services.plan_new_version(plan=plan, actor=request.user)),
             _("已生成新版本，请修订后提交评审")):
        return _plan_back(created[0].pk)
    return _plan_back(pk)


@login_required
def plan_activate(request, pk: int | None = None):
    """Start a plan's response for an incident: from the plan (pk) or from an incident (?incident=<id>)."""
    if not request.user.has_perm("plans.activate_plan"):
        raise PermissionDenied(_("您没有启动预案响应的权限。"))
    plan = get_object_or_404(Plan.objects.restrict(request.user, "view"), pk=pk) if pk else None
    incident = None
    incident_id = request.GET.get("incident") or request.POST.get("incident")
    if incident_id and str(incident_id).isdigit():
        incident = get_object_or_404(Incident.objects.restrict(request.user, "view"), pk=incident_id)
    if plan is not None:
        form_class, kwargs = forms.ActivationForm, {"plan": plan}
    else:
        form_class, kwargs = forms.PlanChoiceActivationForm, {"incident": incident}
    if request.method == "POST":
        form = form_class(request.POST, user=request.user, **kwargs)
        if form.is_valid():
            data = form.cleaned_data
            chosen = plan or data["plan"]
            made = []
            if _done(request, lambda: made.append(services.plan_activate(
                    plan=chosen, incident=data["incident"], level=data["level"], actor=request.user,
                    commander=data["commander"])), _("已启动预案响应并下达任务")):
                return HttpResponseRedirect(reverse("incidents:incident_detail", args=[data["incident"].pk]))
        status = 400
    else:
        form = form_class(user=request.user, initial={"incident": incident}, **kwargs)
        status = 200
    title = _("启动预案响应")
    trail = _crumbs() + ([(str(plan), reverse("plans:plan_detail", args=[plan.pk]))] if plan else [])
    return render(request, "plans/plan_activate.html", {
        "title": title, "breadcrumbs": trail + [(title, None)], "form": form, "plan": plan, "incident": incident,
    }, status=status)


@login_required
def plan_system(request):
    """The "1+9+N" plan system in force: the tree of filed plans and the figures by kind."""
    from yingji.plans.selectors import plan_system_figures, plan_tree

    if not has_model_perm(request.user, Plan, "view"):
        raise PermissionDenied
    title = _("预案体系（1+9+N）")
    return render(request, "plans/plan_system.html", {
        "title": title, "breadcrumbs": _crumbs() + [(title, None)], "tree": plan_tree(request.user),
        "figures": plan_system_figures(request.user),
    })


class _PartMixin(PlansMixin):
    def get_initial(self):
        plan = self.request.GET.get("plan")
        return {"plan": plan} if plan and plan.isdigit() else {}


class PlanLevelListView(PlansMixin, ObjectListView):
    model = PlanLevel
    filterset_class = filters.PlanLevelFilterSet
    columns = [Column("id", gettext_lazy("响应分级"), link=True, accessor=str), Column("plan.name", gettext_lazy("预案")),
               Column("level"), Column("condition", orderable=False), Column("commander")]


class PlanLevelDetailView(PlansMixin, ObjectDetailView):
    model = PlanLevel
    fields = [Column("plan"), Column("level"), Column("condition"), Column("commander")]


class PlanLevelEditView(_PartMixin, ObjectEditView):
    model = PlanLevel
    form_class = forms.PlanLevelForm
    create_service = staticmethod(services.plan_level_create)
    update_service = staticmethod(services.plan_level_update)
    update_object_argument = "plan_level"


class PlanOrganizationListView(PlansMixin, ObjectListView):
    model = PlanOrganization
    filterset_class = filters.PlanOrganizationFilterSet
    columns = [Column("id", gettext_lazy("单位"), link=True, accessor=str), Column("plan.name", gettext_lazy("预案")),
               Column("role"), Column("responsibilities", orderable=False)]

    def get_queryset(self):
        return super().get_queryset().select_related("organization")


class PlanOrganizationDetailView(PlansMixin, ObjectDetailView):
    model = PlanOrganization
    fields = [Column("plan"), Column("organization"), Column("role"), Column("responsibilities")]


class PlanOrganizationEditView(_PartMixin, ObjectEditView):
    model = PlanOrganization
    form_class = forms.PlanOrganizationForm
    create_service = staticmethod(services.plan_organization_create)
    update_service = staticmethod(services.plan_organization_update)
    update_object_argument = "plan_organization"


class PlanTaskListView(PlansMixin, ObjectListView):
    model = PlanTask
    filterset_class = filters.PlanTaskFilterSet
    columns = [Column("id", gettext_lazy("任务"), link=True, accessor=str), Column("plan.name", gettext_lazy("预案")),
               Column("level"), Column("organization.name", gettext_lazy("责任单位")), Column("task", orderable=False)]


class PlanTaskDetailView(PlansMixin, ObjectDetailView):
    model = PlanTask
    fields = [Column("plan"), Column("level"), Column("organization"), Column("task")]


class PlanTaskEditView(_PartMixin, ObjectEditView):
    model = PlanTask
    form_class = forms.PlanTaskForm
    create_service = staticmethod(services.plan_task_create)
    update_service = staticmethod(services.plan_task_update)
    update_object_argument = "plan_task"


class PlanActivationListView(PlansMixin, ObjectListView):
    model = PlanActivation
    filterset_class = filters.PlanActivationFilterSet
    columns = [Column("id", gettext_lazy("启动记录"), link=True, accessor=str), Column("plan.name", gettext_lazy("预案")),
               Column("level"), Column("incident.code", gettext_lazy("事件编号")),
               Column("incident.title", gettext_lazy("事件名称")), Column("is_exercise"),
               Column("activated_by.real_name", gettext_lazy("启动人")), Column("activated_at")]


class PlanActivationDetailView(PlansMixin, ObjectDetailView):
    model = PlanActivation
    template_name = "plans/planactivation_detail.html"
    fields = [Column("plan"), Column("level"), Column("incident"), Column("response"), Column("is_exercise"),
              Column("activated_by"), Column("activated_at")]

    def get_context_data(self, obj):
        from yingji.incidents.models import DispatchTask

        context = super().get_context_data(obj)
        context["tasks"] = DispatchTask.objects.restrict(self.request.user, "view").filter(
            pk__in=obj.dispatch_tasks.values("pk")).select_related("organization")
        return context


# -- drills -----------------------------------------------------------------------------------------------------

class DrillListView(PlansMixin, ObjectListView):
    model = Drill
    filterset_class = filters.DrillFilterSet
    columns = [Column("code", link=True), Column("name", link=True), Column("kind"),
               Column("region.name", gettext_lazy("所属区划")), Column("enterprise.name", gettext_lazy("所属企业")),
               Column("plan.name", gettext_lazy("检验的预案")), Column("planned_on"), Column("held_on"),
               Column("status"), Column("rating"), Column("participant_count")]
    default_ordering = ["-planned_on", "-pk"]


class DrillDetailView(PlansMixin, ObjectDetailView):
    model = Drill
    template_name = "plans/drill_detail.html"
    with_attachments = True
    fields = [Column(n) for n in ("code", "name", "kind", "plan", "region", "enterprise", "organizer", "scenario",
                                  "event_subtype", "place", "longitude", "latitude", "planned_on", "participants",
                                  "participant_count", "status", "held_on", "summary", "rating", "evaluation",
                                  "evaluated_by")]

    def get_context_data(self, obj):
        from yingji.resources.models import RescueTeam

        context = super().get_context_data(obj)
        user = self.request.user
        improvements = list(DrillImprovement.objects.restrict(user, "view").filter(drill=obj))
        context.update(
            actions=DRILL_WORKFLOW.available(obj, user),
            blocked=_blocked(DRILL_WORKFLOW, obj, user),
            timeline=timeline(obj, user),
            teams=RescueTeam.objects.restrict(user, "view").filter(pk__in=obj.teams.values("pk")),
            improvements=[(i, IMPROVEMENT_WORKFLOW.available(i, user)) for i in improvements],
            can_add_improvement=obj.status in ("conducted", "evaluated")
            and has_model_perm(user, DrillImprovement, "add"),
            exercise_incident=Incident.objects.restrict(user, "view").filter(pk=obj.exercise_incident_id).first(),
            levels=PlanLevel.objects.restrict(user, "view").filter(plan_id=obj.plan_id) if obj.plan_id else [],
            ratings=forms.DrillRating.choices,
        )
        return context


class DrillEditView(PlansMixin, ObjectEditView):
    model = Drill
    form_class = forms.DrillForm
    create_service = staticmethod(services.drill_create)
    update_service = staticmethod(services.drill_update)
    update_object_argument = "drill"

    def get_initial(self):
        return {"planned_on": timezone.localdate()}


@login_required
@require_POST
def drill_transition(request, pk: int):
    drill = get_object_or_404(Drill.objects.restrict(request.user, "view"), pk=pk)
    form = forms.DrillTransitionForm(request.POST)
    back = HttpResponseRedirect(reverse("plans:drill_detail", args=[pk]))
    if not form.is_valid():
        messages.error(request, _("提交的数据有误：%(errors)s") % {"errors": form.errors.as_text()})
        return back
    data = form.cleaned_data
    extra = {k: data[k] for k in ("exercise", "level", "summary", "held_on", "rating", "evaluation") if data.get(k)}
    started = []
    ok = _done(request, lambda: started.append(services.drill_act(drill=drill, actor=request.user,
                                                                  action=data["action"], reason=data["reason"],
                                                                  **extra)))
    if ok and data["action"] == "start" and data.get("exercise") and started[0].exercise_incident_id:
        # Exercise mode continues on the incident and dispatch screens.
        return HttpResponseRedirect(reverse("incidents:incident_detail", args=[started[0].exercise_incident_id]))
    return back


class DrillImprovementListView(PlansMixin, ObjectListView):
    model = DrillImprovement
    filterset_class = filters.DrillImprovementFilterSet
    columns = [Column("id", gettext_lazy("改进任务"), link=True, accessor=str), Column("drill.name", gettext_lazy("演练")),
               Column("problem", orderable=False), Column("measure", orderable=False), Column("responsible_unit"),
               Column("deadline"), Column("status")]


class DrillImprovementDetailView(PlansMixin, ObjectDetailView):
    model = DrillImprovement
    template_name = "plans/drillimprovement_detail.html"
    fields = [Column(n) for n in ("drill", "problem", "measure", "responsible_unit", "deadline", "status", "result",
                                  "submitted_by", "closed_at")]

    def get_context_data(self, obj):
        context = super().get_context_data(obj)
        context["actions"] = IMPROVEMENT_WORKFLOW.available(obj, self.request.user)
        context["timeline"] = timeline(obj, self.request.user)
        return context


class DrillImprovementEditView(PlansMixin, ObjectEditView):
    model = DrillImprovement
    form_class = forms.DrillImprovementForm
    create_service = staticmethod(services.improvement_create)

    def get_initial(self):
        drill = self.request.GET.get("drill")
        return {"drill": drill} if drill and drill.isdigit() else {}


@login_required
@require_POST
def improvement_transition(request, pk: int):
    improvement = get_object_or_404(DrillImprovement.objects.restrict(request.user, "view"), pk=pk)
    _done(request, lambda: services.improvement_act(improvement=improvement, actor=request.user,
                                                    action=request.POST.get("action", ""),
                                                    reason=request.POST.get("reason", "")[:2000]))
    target = request.POST.get("next", "")
    if target.startswith("/") and not target.startswith("//"):
        return HttpResponseRedirect(target)
    return HttpResponseRedirect(reverse("plans:drillimprovement_detail", args=[pk]))


@login_required
def team_coverage(request):
    """Every team drilled this year? The teams in scope that have and have not taken part in a drill."""
    from yingji.core import excel
    from yingji.plans.selectors import team_drill_coverage
    from yingji.resources.models import RescueTeam

    if not has_model_perm(request.user, Drill, "view") or not has_model_perm(request.user, RescueTeam, "view"):
        raise PermissionDenied
    year = request.GET.get("year", "")
    coverage = team_drill_coverage(request.user, int(year) if year.isdigit() and 2000 <= int(year) <= 2100 else None)
    if request.GET.get("export") == "xlsx":
        rows = ([e["team"].name, e["team"].get_kind_display(), e["team"].region.name,
                 "是" if e["drills"] else "否", e["drills"], e["last"]]
                for e in coverage["drilled"] + coverage["not_drilled"])
        title = f"{coverage['year']}年救援队伍演练覆盖"
        return excel.workbook_response(excel.export_rows(title, ["队伍名称", "队伍类型", "所属区划", "已参加演练",
                                                                 "演练次数", "最近演练日期"], rows), title)
    title = _("救援队伍演练覆盖")
    return render(request, "plans/team_coverage.html", {
        "title": title, "breadcrumbs": _crumbs() + [(title, None)], "coverage": coverage})


# -- readiness --------------------------------------------------------------------------------------------------

class ReadinessAssessmentListView(PlansMixin, ObjectListView):
    model = ReadinessAssessment
    filterset_class = filters.ReadinessAssessmentFilterSet
    columns = [Column("id", gettext_lazy("评估"), link=True, accessor=str),
               Column("region.parent.name", gettext_lazy("上级区划")), Column("region.name", gettext_lazy("乡镇/村")),
               Column("year"), Column("status"), Column("submitted_at"), Column("reviewed_at")]
    default_ordering = ["-year", "region_id"]


class ReadinessAssessmentDetailView(PlansMixin, ObjectDetailView):
    model = ReadinessAssessment
    template_name = "plans/readinessassessment_detail.html"
    fields = [Column("region"), Column("year"), Column("status"), Column("self_assessed_by"),
              Column("submitted_at"), Column("reviewed_by"), Column("reviewed_at"), Column("review_opinion")]

    def get_context_data(self, obj):
        context = super().get_context_data(obj)
        user = self.request.user
        items = list(ReadinessItem.objects.restrict(user, "view").filter(assessment=obj))
        evidence: dict[str, list] = {}
        for attachment in Attachment.objects.restrict(user, "view").filter(
                owner_type=ContentType.objects.get_for_model(ReadinessItem),
                owner_id__in=[str(i.pk) for i in items]).order_by("uploaded_at"):
            evidence.setdefault(attachment.owner_id, []).append(attachment)
        context.update(
            actions=READINESS_WORKFLOW.available(obj, user),
            blocked=_blocked(READINESS_WORKFLOW, obj, user),
            timeline=timeline(obj, user),
            items=[(i, evidence.get(str(i.pk), [])) for i in items],
            can_self_assess=services.can_self_assess(user, obj),
            can_review=services.can_review_items(user, obj),
            can_upload=obj.status == "draft" and has_model_perm(user, Attachment, "add"),
        )
        return context


class ReadinessAssessmentEditView(PlansMixin, ObjectEditView):
    model = ReadinessAssessment
    form_class = forms.ReadinessAssessmentForm
    create_service = staticmethod(services.assessment_create)

    def get_initial(self):
        return {"year": timezone.localdate().year}


def _assessment_back(pk: int) -> HttpResponseRedirect:
    return HttpResponseRedirect(reverse("plans:readinessassessment_detail", args=[pk]))


@login_required
@require_POST
def assessment_transition(request, pk: int):
    assessment = get_object_or_404(ReadinessAssessment.objects.restrict(request.user, "view"), pk=pk)
    _done(request, lambda: services.assessment_act(assessment=assessment, actor=request.user,
                                                   action=request.POST.get("action", ""),
                                                   reason=request.POST.get("reason", "")[:2000]))
    return _assessment_back(pk)


@login_required
@require_POST
def assessment_items(request, pk: int):
    """Save the self-assessment (self_met_<id>, description_<id>) or the county's findings (review_<id>,
    note_<id>) of every item at once."""
    assessment = get_object_or_404(ReadinessAssessment.objects.restrict(request.user, "view"), pk=pk)
    items = list(ReadinessItem.objects.restrict(request.user, "view").filter(assessment=assessment))
    mode = request.POST.get("mode")

    def save() -> None:
        for item in items:
            if mode == "review":
                value = request.POST.get(f"review_{item.pk}")
                if value in ("yes", "no"):
                    services.readiness_item_review(item=item, actor=request.user, review_met=value == "yes",
                                                   review_note=request.POST.get(f"note_{item.pk}", ""))
            else:
                services.readiness_item_update(item=item, actor=request.user,
                                               self_met=request.POST.get(f"self_met_{item.pk}") == "on",
                                               description=request.POST.get(f"description_{item.pk}", "")[:2000])

    _done(request, save, _("已保存"))
    return _assessment_back(pk)


@login_required
@require_POST
def assessment_refresh(request, pk: int):
    assessment = get_object_or_404(ReadinessAssessment.objects.restrict(request.user, "change"), pk=pk)
    _done(request, lambda: services.assessment_refresh_hints(assessment=assessment, actor=request.user),
          _("已更新核查提示"))
    return _assessment_back(pk)


class ReadinessItemListView(PlansMixin, ObjectListView):
    model = ReadinessItem
    filterset_class = filters.ReadinessItemFilterSet
    columns = [Column("id", gettext_lazy("评估项目"), link=True, accessor=str), Column("key"),
               Column("self_met"), Column("description", orderable=False), Column("review_met"),
               Column("review_note", orderable=False)]

    def get_queryset(self):
        return super().get_queryset().select_related("assessment__region")


class ReadinessItemDetailView(PlansMixin, ObjectDetailView):
    model = ReadinessItem
    with_attachments = True
    fields = [Column("assessment"), Column("key"), Column("requirement", gettext_lazy("标准要求"), accessor=lambda i:
                                                           i.requirement),
              Column("self_met"), Column("description"), Column("hint"), Column("review_met"), Column("review_note")]


class ReadinessItemEditView(PlansMixin, ObjectEditView):
    model = ReadinessItem
    form_class = forms.ReadinessItemForm
    update_service = staticmethod(services.readiness_item_update)
    update_object_argument = "item"


@login_required
def readiness_rollup(request):
    """Share of townships and villages meeting the standard per region, and the list of those that do not."""
    from yingji.core import excel
    from yingji.core.models import Region
    from yingji.plans.selectors import readiness_not_meeting
    from yingji.plans.selectors import readiness_rollup as rollup

    if not has_model_perm(request.user, ReadinessAssessment, "view"):
        raise PermissionDenied
    year_text = request.GET.get("year", "")
    year = int(year_text) if year_text.isdigit() and 2000 <= int(year_text) <= 2100 else timezone.localdate().year
    root = None
    if request.GET.get("region"):
        root = get_object_or_404(Region.objects.restrict(request.user, "view"), pk=request.GET["region"])
    figures = rollup(request.user, year, root)
    missing = readiness_not_meeting(request.user, year, figures["root"], request.GET.get("level", ""))
    if request.GET.get("export") == "xlsx":
        rows = ([m["parent"], m["region"].name, m["region"].code, m["level"], m["status_label"]] for m in missing)
        title = f"{year}年基层应急能力未达标名单"
        return excel.workbook_response(excel.export_rows(title, ["上级区划", "名称", "区划代码", "级别", "状态"], rows),
                                       title)
    title = _("基层应急能力达标情况")
    regions = Region.objects.restrict(request.user, "view").filter(level__in=["city", "county", "township"])
    return render(request, "plans/readiness_rollup.html", {
        "title": title, "breadcrumbs": _crumbs() + [(title, None)], "figures": figures, "missing": missing[:500],
        "missing_total": len(missing), "year": year, "regions": regions, "level": request.GET.get("level", ""),
        "selected_region": figures["root"].code if figures["root"] else "",
    })

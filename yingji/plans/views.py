"""Pages of plans, drills and grassroots readiness. Lists, details, edits and the loops' transition pages are
generated from the specs (`yingji.plans.specs`); the classes here add what a page shows beyond its fields, and the
views below are the app's own routes (a new version, activation, the self-assessment form, roll-ups)."""

from __future__ import annotations

from django.contrib.auth.decorators import login_required
from django.contrib.contenttypes.models import ContentType
from django.core.exceptions import PermissionDenied
from django.http import HttpResponseRedirect
from django.shortcuts import get_object_or_404, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from yingji.core import excel
from yingji.core.access import allowed, page_access
from yingji.core.models import Attachment, Region
from yingji.core.scoping import has_model_perm
from yingji.core.views.generic import available_moves, default_view, perform
from yingji.incidents.models import DispatchTask, Incident
from yingji.plans import forms, services
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
from yingji.plans.selectors import plan_system_figures, plan_tree, readiness_not_meeting, team_drill_coverage
from yingji.plans.selectors import readiness_rollup as rollup
from yingji.plans.specs import (
    DRILL,
    DRILL_IMPROVEMENT,
    PLAN,
    PLAN_ACTIVATION,
    PLAN_LEVEL,
    PLAN_ORGANIZATION,
    PLAN_TASK,
    READINESS_ASSESSMENT,
    READINESS_ITEM,
    breadcrumbs,
)
from yingji.resources.models import RescueTeam

# -- plans ------------------------------------------------------------------------------------------------------

@PLAN.register("list")
class PlanListView(default_view(PLAN, "list")):
    default_ordering = ["region_id", "kind", "code", "-version"]


@PLAN.register("detail")
class PlanDetailView(default_view(PLAN, "detail")):
    """The plan with its command organisation, levels and tasks, versions, lower plans, activations and drills."""

    def get_context_data(self, obj):
        context = super().get_context_data(obj)
        user = self.request.user
        levels = list(PlanLevel.objects.restrict(user, "view").filter(plan=obj))
        tasks = list(PlanTask.objects.restrict(user, "view").filter(plan=obj).select_related("organization"))
        by_level = [(level, [t for t in tasks if t.level == level.level]) for level in levels]
        defined = {level.level for level in levels}
        by_level += [(None, [t for t in tasks if t.level == code]) for code in sorted({t.level for t in tasks} - defined)]
        context.update(
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


def _plan_back(pk: int) -> HttpResponseRedirect:
    return HttpResponseRedirect(reverse("plans:plan_detail", args=[pk]))


@login_required
@require_POST
def plan_revise(request, pk: int):
    plan = get_object_or_404(Plan.objects.restrict(request.user, "view"), pk=pk)
    created = []
    if perform(request, lambda: created.append(services.plan_new_version(plan=plan, actor=request.user)),
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
            if perform(request, lambda: made.append(services.plan_activate(
                    plan=chosen, incident=data["incident"], level=data["level"], actor=request.user,
                    commander=data["commander"])), _("已启动预案响应并下达任务")):
                return HttpResponseRedirect(reverse("incidents:incident_detail", args=[data["incident"].pk]))
        status = 400
    else:
        form = form_class(user=request.user, initial={"incident": incident}, **kwargs)
        status = 200
    title = _("启动预案响应")
    trail = breadcrumbs() + ([(str(plan), reverse("plans:plan_detail", args=[plan.pk]))] if plan else [])
    return render(request, "plans/plan_activate.html", {
        "title": title, "breadcrumbs": trail + [(title, None)], "form": form, "plan": plan, "incident": incident,
    }, status=status)


@page_access(allowed("view", Plan))
def plan_system(request):
    """The "1+9+N" plan system in force: the tree of filed plans and the figures by kind."""
    title = _("预案体系（1+9+N）")
    return render(request, "plans/plan_system.html", {
        "title": title, "breadcrumbs": breadcrumbs() + [(title, None)], "tree": plan_tree(request.user),
        "figures": plan_system_figures(request.user),
    })


class _PlanPart:
    """A part's form opened from its plan's page (`?plan=<id>`) starts with that plan."""

    def get_initial(self):
        plan = self.request.GET.get("plan")
        return {"plan": plan} if plan and plan.isdigit() else {}


@PLAN_LEVEL.register("edit")
class PlanLevelEditView(_PlanPart, default_view(PLAN_LEVEL, "edit")):
    pass


@PLAN_ORGANIZATION.register("list")
class PlanOrganizationListView(default_view(PLAN_ORGANIZATION, "list")):
    def get_queryset(self):
        return super().get_queryset().select_related("organization")


@PLAN_ORGANIZATION.register("edit")
class PlanOrganizationEditView(_PlanPart, default_view(PLAN_ORGANIZATION, "edit")):
    pass


@PLAN_TASK.register("edit")
class PlanTaskEditView(_PlanPart, default_view(PLAN_TASK, "edit")):
    pass


@PLAN_ACTIVATION.register("detail")
class PlanActivationDetailView(default_view(PLAN_ACTIVATION, "detail")):
    def get_context_data(self, obj):
        context = super().get_context_data(obj)
        context["tasks"] = DispatchTask.objects.restrict(self.request.user, "view").filter(
            pk__in=obj.dispatch_tasks.values("pk")).select_related("organization")
        return context


# -- drills -----------------------------------------------------------------------------------------------------

@DRILL.register("list")
class DrillListView(default_view(DRILL, "list")):
    default_ordering = ["-planned_on", "-pk"]


@DRILL.register("detail")
class DrillDetailView(default_view(DRILL, "detail")):
    """The drill with its teams, its drill incident (exercise mode) and its improvement tasks, each with its moves."""

    def get_context_data(self, obj):
        context = super().get_context_data(obj)
        user = self.request.user
        improvements = DrillImprovement.objects.restrict(user, "view").filter(drill=obj)
        context.update(
            teams=RescueTeam.objects.restrict(user, "view").filter(pk__in=obj.teams.values("pk")),
            improvements=[(i, available_moves(DRILL_IMPROVEMENT, i, user)) for i in improvements],
            can_add_improvement=obj.status in ("conducted", "evaluated")
            and has_model_perm(user, DrillImprovement, "add"),
            exercise_incident=Incident.objects.restrict(user, "view").filter(pk=obj.exercise_incident_id).first(),
        )
        return context


@DRILL.register("edit")
class DrillEditView(default_view(DRILL, "edit")):
    def get_initial(self):
        return {"planned_on": timezone.localdate()}


@DRILL.register("transition")
class DrillTransitionView(default_view(DRILL, "transition")):
    """A drill started in exercise mode continues on its drill incident's page, where the response and the
    dispatch are rehearsed."""

    def back(self, obj: Drill) -> HttpResponseRedirect:
        if self.request.POST.get("action") == "start" and self.request.POST.get("exercise"):
            incident = Drill.objects.filter(pk=obj.pk, status="in_progress").values_list(
                "exercise_incident_id", flat=True).first()
            if incident:
                return HttpResponseRedirect(reverse("incidents:incident_detail", args=[incident]))
        return super().back(obj)


@DRILL_IMPROVEMENT.register("edit")
class DrillImprovementEditView(default_view(DRILL_IMPROVEMENT, "edit")):
    def get_initial(self):
        drill = self.request.GET.get("drill")
        return {"drill": drill} if drill and drill.isdigit() else {}


@page_access(allowed("view", Drill, RescueTeam))
def team_coverage(request):
    """Every team drilled this year? The teams in scope that have and have not taken part in a drill."""
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
        "title": title, "breadcrumbs": breadcrumbs() + [(title, None)], "coverage": coverage})


# -- readiness --------------------------------------------------------------------------------------------------

@READINESS_ASSESSMENT.register("list")
class ReadinessAssessmentListView(default_view(READINESS_ASSESSMENT, "list")):
    default_ordering = ["-year", "region_id"]


@READINESS_ASSESSMENT.register("detail")
class ReadinessAssessmentDetailView(default_view(READINESS_ASSESSMENT, "detail")):
    """The assessment's items with their evidence, self-assessed or reviewed on the page."""

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
            items=[(i, evidence.get(str(i.pk), [])) for i in items],
            can_self_assess=services.can_self_assess(user, obj),
            can_review=services.can_review_items(user, obj),
            can_upload=obj.status == "draft" and has_model_perm(user, Attachment, "add"),
        )
        return context


@READINESS_ASSESSMENT.register("edit")
class ReadinessAssessmentEditView(default_view(READINESS_ASSESSMENT, "edit")):
    def get_initial(self):
        return {"year": timezone.localdate().year}


def _assessment_back(pk: int) -> HttpResponseRedirect:
    return HttpResponseRedirect(reverse("plans:readinessassessment_detail", args=[pk]))


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

    perform(request, save, _("已保存"))
    return _assessment_back(pk)


@login_required
@require_POST
def assessment_refresh(request, pk: int):
    assessment = get_object_or_404(ReadinessAssessment.objects.restrict(request.user, "change"), pk=pk)
    perform(request, lambda: services.assessment_refresh_hints(assessment=assessment, actor=request.user),
            _("已更新核查提示"))
    return _assessment_back(pk)


@READINESS_ITEM.register("list")
class ReadinessItemListView(default_view(READINESS_ITEM, "list")):
    def get_queryset(self):
        return super().get_queryset().select_related("assessment__region")


@page_access(allowed("view", ReadinessAssessment))
def readiness_rollup(request):
    """Share of townships and villages meeting the standard per region, and the list of those that do not."""
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
        "title": title, "breadcrumbs": breadcrumbs() + [(title, None)], "figures": figures, "missing": missing[:500],
        "missing_total": len(missing), "year": year, "regions": regions, "level": request.GET.get("level", ""),
        "selected_region": figures["root"].code if figures["root"] else "",
    })

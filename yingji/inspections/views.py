"""Pages of the enforcement app. Lists, details and edits use the generic views (those that are only declarations
are generated from `specs.py`); moves go through the generic transition page; the other actions post to small views
that call one service each."""

from __future__ import annotations

import datetime

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.http import Http404, HttpResponse, HttpResponseRedirect
from django.shortcuts import get_object_or_404, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_POST

from yingji.core.access import allowed, page_access
from yingji.core.models import Region
from yingji.core.scoping import has_model_perm
from yingji.core.selectors import region_root_for
from yingji.core.tables import Column
from yingji.core.views.generic import ObjectDetailView, ObjectEditView, ObjectListView, perform
from yingji.inspections import documents, selectors, services
from yingji.inspections.forms import (
    AnnualPlanForm,
    EvaluationForm,
    ExpertDrawForm,
    FindingForm,
    FrequencyForm,
    InspectionDrawForm,
    InspectionForm,
    RedrawForm,
)
from yingji.inspections.models import (
    AnnualPlan,
    Case,
    Draw,
    DrawKind,
    FrequencyRule,
    Inspection,
    ItemResult,
    WarningInterview,
)
from yingji.inspections.specs import DRAW, EVALUATION, INSPECTION, INTERVIEW, PLAN, TEMPLATE

DOCX = "application/vnd.openxmlformats-officedocument.wordprocessingml.document"


def _docx(content: bytes, name: str) -> HttpResponse:
    from urllib.parse import quote

    response = HttpResponse(content, content_type=DOCX)
    response["Content-Disposition"] = f"attachment; filename*=UTF-8''{quote(name)}.docx"
    return response


# -- evaluation templates -------------------------------------------------------------------------------------------

@TEMPLATE.register("list")
class EvaluationTemplateListView(ObjectListView):
    spec = TEMPLATE
    filterset_class = TEMPLATE.filterset
    columns = list(TEMPLATE.columns)
    title = gettext_lazy("评价模板")


# -- evaluations and interviews ---------------------------------------------------------------------------------------

@EVALUATION.register("detail")
class EvaluationDetailView(ObjectDetailView):
    spec = EVALUATION
    template_name = "inspections/evaluation_detail.html"
    with_attachments = True
    fields = [Column("enterprise.name", gettext_lazy("企业")), Column("year"), Column("template"),
              Column("total_score"), Column("result"), Column("evaluated_on"), Column("evaluator"), Column("note")]

    def get_context_data(self, obj):
        context = super().get_context_data(obj)
        scores = obj.scores or {}
        context["elements"] = [
            {"name": element["name"], "items": [
                {**item, "score": scores.get(str(item["code"]), "")} for item in element["items"]]}
            for element in obj.template.elements]
        context["interview"] = WarningInterview.objects.restrict(self.request.user, "view").filter(
            evaluation=obj).first()
        return context


@EVALUATION.register("edit")
class EvaluationEditView(ObjectEditView):
    spec = EVALUATION
    form_class = EvaluationForm
    template_name = "inspections/evaluation_edit.html"

    def get_initial(self):
        initial = {"year": timezone.localdate().year, "evaluated_on": timezone.localdate()}
        if self.request.GET.get("template"):
            initial["template"] = self.request.GET["template"]
        if self.request.GET.get("enterprise"):
            initial["enterprise"] = self.request.GET["enterprise"]
        return initial

    def service_arguments(self, form):
        return {**super().service_arguments(form), "scores": form.scores()}


@INTERVIEW.register("list")
class WarningInterviewListView(ObjectListView):
    spec = INTERVIEW
    filterset_class = INTERVIEW.filterset
    columns = list(INTERVIEW.columns)
    title = gettext_lazy("警示约谈（评价为“差”）")


@page_access(allowed("view", FrequencyRule))
def frequency(request):
    """The frequency matrix: inspections per year by supervision class × evaluation result."""
    # One matrix, kept by the top bureau: everyone below reads it, only the owner's jurisdiction gets a form.
    can_change = services.can_set_frequency(request.user)
    form = FrequencyForm(request.POST or None, matrix=services.frequency_matrix())
    if request.method == "POST":
        if not can_change:
            raise PermissionDenied(_("您没有执行此操作的权限。"))
        if form.is_valid():
            if perform(request, lambda: services.frequency_set(actor=request.user, matrix=form.matrix()),
                       _("检查频次已保存")):
                return HttpResponseRedirect(reverse("inspections:frequency"))
    title = _("检查频次矩阵")
    return render(request, "inspections/frequency.html", {
        "title": title, "breadcrumbs": [(_("首页"), reverse("home")), (title, None)], "form": form,
        "can_change": can_change, "owner": services.frequency_owner()}, status=400 if form.errors else 200)


# -- plans --------------------------------------------------------------------------------------------------------

@PLAN.register("detail")
class AnnualPlanDetailView(ObjectDetailView):
    spec = PLAN
    template_name = "inspections/plan_detail.html"
    fields = [Column("title"), Column("region.name", gettext_lazy("编制单位区划")), Column("year"), Column("status"),
              Column("submitted_by"), Column("filed_at"), Column("description")]

    def get_context_data(self, obj):
        context = super().get_context_data(obj)
        user = self.request.user
        done = {}
        for quarter, kind in obj.inspections.values_list("inspected_on__quarter", "kind"):
            done[(quarter, kind)] = done.get((quarter, kind), 0) + 1
        context.update(
            quarters=[{"n": q, "key": obj.quarter(q)[0], "random": obj.quarter(q)[1],
                       "key_done": done.get((q, "key"), 0), "random_done": done.get((q, "random"), 0)}
                      for q in range(1, 5)],
            summary=selectors.plan_frequency_summary(obj),
            draws=Draw.objects.restrict(user, "view").filter(plan=obj).defer("inputs"),
            can_draw=has_model_perm(user, Draw, "add") and obj.status in ("approved", "filed"),
        )
        return context


@PLAN.register("edit")
class AnnualPlanEditView(ObjectEditView):
    spec = PLAN
    form_class = AnnualPlanForm

    def get_initial(self):
        user = self.request.user
        year = timezone.localdate().year
        initial = {"year": year}
        if user.scope_region_id:
            initial.update(region=user.scope_region_id, title=_("%(y)s年度安全生产监督检查计划") % {"y": year})
        return initial


# -- draws ----------------------------------------------------------------------------------------------------------

@DRAW.register("list")
class DrawListView(ObjectListView):
    spec = DRAW
    filterset_class = DRAW.filterset
    columns = [Column("code", link=True), Column("kind"), Column("title"), Column("region.name", gettext_lazy("区划")),
               Column("quarter"), Column("drawn_at"), Column("drawn_by"), Column("is_current")]

    def get_queryset(self):
        return super().get_queryset().defer("inputs", "result")


@DRAW.register("detail")
class DrawDetailView(ObjectDetailView):
    spec = DRAW
    template_name = "inspections/draw_detail.html"
    fields = [Column("code"), Column("kind"), Column("title"), Column("region.name", gettext_lazy("抽取单位区划")),
              Column("plan"), Column("quarter"), Column("enterprise"), Column("purpose"), Column("seed"),
              Column("algorithm_version"), Column("inputs_digest"), Column("result_digest"), Column("drawn_by"),
              Column("drawn_at"), Column("is_current"), Column("replaces"), Column("redraw_reason")]

    def get_context_data(self, obj):
        context = super().get_context_data(obj)
        context.update(
            rows=selectors.draw_rows(obj), conditions=selectors.draw_conditions(obj),
            candidate_count=len(obj.inputs.get("targets", [])),
            excluded=obj.inputs.get("excluded", {}), rerun=selectors.draw_rerun(obj)
            if self.request.GET.get("rerun") else None,
            redraw_form=RedrawForm(), can_redraw=obj.is_current and has_model_perm(self.request.user, Draw, "add"),
            can_inspect=has_model_perm(self.request.user, Inspection, "add") and obj.kind == DrawKind.INSPECTION,
            replaced_by=Draw.objects.filter(replaces=obj).only("pk", "code").first(),
        )
        return context


def _drawn(request, draw, done: str) -> Draw | None:
    """The draw the service made (`perform` shows how it went), or None when it was refused."""
    made: list[Draw] = []
    perform(request, lambda: made.append(draw()), done)
    return made[0] if made else None


def _draw_page(request, form, title: str, status: int = 200):
    breadcrumbs = [(_("首页"), reverse("home")), (_("随机抽取记录"), reverse("inspections:draw_list")), (title, None)]
    return render(request, "inspections/draw_form.html", {"title": title, "breadcrumbs": breadcrumbs, "form": form},
                  status=status)


@login_required
def draw_inspection_create(request):
    if not has_model_perm(request.user, Draw, "add"):
        raise PermissionDenied(_("您没有权限访问此页面。"))
    initial = {"team_size": 2}
    if request.GET.get("plan"):
        plan = AnnualPlan.objects.restrict(request.user, "view").filter(pk=request.GET["plan"]).first()
        if plan:
            quarter = (timezone.localdate().month - 1) // 3 + 1
            initial.update(plan=plan.pk, region=plan.region_id, quarter=quarter, count=plan.quarter(quarter)[1] or 1,
                           title=_("%(plan)s 第%(q)s季度双随机抽查") % {"plan": plan.title, "q": quarter})
    form = InspectionDrawForm(request.POST or None, user=request.user, initial=initial)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        draw = _drawn(request, lambda: services.draw_inspection(
            actor=request.user, region=data["region"], title=data["title"], count=data["count"],
            team_size=data["team_size"], plan=data["plan"], quarter=data["quarter"], within=data["within"],
            categories=data["categories"], classes=data["classes"], seed=data["seed"] or None), _("抽取完成"))
        if draw is not None:
            return HttpResponseRedirect(reverse("inspections:draw_detail", args=[draw.pk]))
        return _draw_page(request, form, _("双随机抽取"), status=400)
    return _draw_page(request, form, _("双随机抽取"), status=400 if form.errors else 200)


@page_access(allowed("add", Draw))
def draw_expert_create(request):
    form = ExpertDrawForm(request.POST or None, user=request.user)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        draw = _drawn(request, lambda: services.draw_experts(
            actor=request.user, region=data["region"], title=data["title"], field=data["field"],
            purpose=data["purpose"], count=data["count"], enterprise=data["enterprise"],
            recent_days=data["recent_days"], seed=data["seed"] or None), _("抽取完成"))
        if draw is not None:
            return HttpResponseRedirect(reverse("inspections:draw_detail", args=[draw.pk]))
        return _draw_page(request, form, _("专家抽取"), status=400)
    return _draw_page(request, form, _("专家抽取"), status=400 if form.errors else 200)


@login_required
@require_POST
def draw_redraw(request, pk: int):
    draw = get_object_or_404(Draw.objects.restrict(request.user, "view"), pk=pk)
    form = RedrawForm(request.POST)
    if not form.is_valid():
        messages.error(request, _("重新抽取须填写原因"))
        return HttpResponseRedirect(reverse("inspections:draw_detail", args=[pk]))
    new = _drawn(request, lambda: services.draw_redraw(draw=draw, actor=request.user,
                                                       reason=form.cleaned_data["reason"],
                                                       seed=form.cleaned_data["seed"] or None), _("已重新抽取"))
    return HttpResponseRedirect(reverse("inspections:draw_detail", args=[new.pk if new else pk]))


# -- inspections ---------------------------------------------------------------------------------------------------

@INSPECTION.register("list")
class InspectionListView(ObjectListView):
    spec = INSPECTION
    filterset_class = INSPECTION.filterset
    default_ordering = ["-inspected_on", "-id"]
    columns = [Column("code", link=True), Column("enterprise.name", gettext_lazy("被检查单位")),
               Column("region.name", gettext_lazy("村（社区）")), Column("kind"), Column("inspected_on"),
               Column("conclusion", orderable=False)]


@INSPECTION.register("detail")
class InspectionDetailView(ObjectDetailView):
    spec = INSPECTION
    template_name = "inspections/inspection_detail.html"
    with_attachments = True
    fields = [Column("code"), Column("enterprise.name", gettext_lazy("被检查单位")), Column("kind"),
              Column("inspected_on"), Column("place"), Column("plan"), Column("draw"), Column("checklist"),
              Column("inspectors", accessor=lambda i: "、".join(f"{o.name}（{o.certificate_no}）"
                                                               for o in i.inspectors.all())),
              Column("conclusion"), Column("created_by"), Column("created_at")]

    def get_context_data(self, obj):
        context = super().get_context_data(obj)
        user = self.request.user
        can_change = self.get_queryset_for("change").filter(pk=obj.pk).exists() and not user.scope_enterprise_id
        items = []
        if obj.checklist_id:
            items = [{**item, "result": obj.item_results.get(str(item["code"]), "")} for item in obj.checklist.items]
        context.update(
            findings=obj.findings.select_related("hazard").all(),
            cases=Case.objects.restrict(user, "view").filter(inspection=obj),
            items=items, item_choices=ItemResult.choices, can_change=can_change,
            finding_form=FindingForm(initial={"rectify_by": obj.inspected_on + datetime.timedelta(days=15)}),
        )
        return context


@INSPECTION.register("edit")
class InspectionEditView(ObjectEditView):
    spec = INSPECTION
    form_class = InspectionForm

    def get_initial(self):
        initial = {}
        for name in ("enterprise", "draw", "plan", "kind"):
            if self.request.GET.get(name):
                initial[name] = self.request.GET[name]
        if self.request.GET.get("inspectors"):
            initial["inspectors"] = self.request.GET.getlist("inspectors")
        return initial


def _inspection_for_change(request, pk: int) -> Inspection:
    if request.user.scope_enterprise_id:
        raise Http404
    return get_object_or_404(Inspection.objects.restrict(request.user, "change"), pk=pk)


@login_required
@require_POST
def inspection_items(request, pk: int):
    inspection = _inspection_for_change(request, pk)
    results = {str(item["code"]): request.POST.get(f"item_{item['code']}")
               for item in (inspection.checklist.items if inspection.checklist_id else [])
               if request.POST.get(f"item_{item['code']}")}
    perform(request, lambda: services.inspection_update(inspection=inspection, actor=request.user,
                                                        item_results=results), _("检查项结果已保存"))
    return HttpResponseRedirect(reverse("inspections:inspection_detail", args=[pk]))


@login_required
@require_POST
def inspection_finding(request, pk: int):
    inspection = _inspection_for_change(request, pk)
    form = FindingForm(request.POST)
    if form.is_valid():
        perform(request, lambda: services.finding_add(actor=request.user, inspection=inspection,
                                                      **form.cleaned_data), _("问题已登记并转入隐患台账"))
    else:
        messages.error(request, _("提交的数据有误：%(e)s") % {"e": form.errors.as_text()})
    return HttpResponseRedirect(reverse("inspections:inspection_detail", args=[pk]))


@login_required
def inspection_document(request, pk: int, kind: str):
    inspection = get_object_or_404(Inspection.objects.restrict(request.user, "view"), pk=pk)
    if kind == "record":
        return _docx(documents.inspection_record(inspection), f"现场检查记录-{inspection.code}")
    if kind == "order" and inspection.findings.exists():
        return _docx(documents.rectification_order(inspection), f"责令限期整改指令书-{inspection.code}")
    raise Http404


# -- cases -------------------------------------------------------------------------------------------------------

@login_required
def case_document(request, pk: int):
    case = get_object_or_404(Case.objects.restrict(request.user, "view"), pk=pk)
    if not case.decided_on:
        raise Http404
    return _docx(documents.penalty_decision(case), f"行政处罚决定书-{case.code}")


# -- statistics and the public page -----------------------------------------------------------------------------------

@page_access(allowed("view", Inspection))
def statistics(request):
    user = request.user
    today = timezone.localdate()
    error = ""
    try:
        start = datetime.date.fromisoformat(request.GET["from"]) if request.GET.get("from") else today.replace(
            month=1, day=1)
        end = datetime.date.fromisoformat(request.GET["to"]) if request.GET.get("to") else today
        figures = selectors.enforcement_statistics(user=user, start=start, end=end)
    except ValueError as exc:
        error = str(exc) if "日期" in str(exc) else _("日期格式应为 YYYY-MM-DD")
        start, end = today.replace(month=1, day=1), today
        figures = selectors.enforcement_statistics(user=user, start=start, end=end)
    root = region_root_for(user)
    children = []
    if root is not None and not user.scope_enterprise_id:
        for child in Region.objects.restrict(user, "view").filter(parent=root).order_by("code")[:40]:
            children.append((child, selectors.enforcement_statistics(user=user, start=start, end=end, region=child)))
    title = _("执法统计")
    return render(request, "inspections/statistics.html", {
        "title": title, "breadcrumbs": [(_("首页"), reverse("home")), (title, None)], "figures": figures,
        "sentence": selectors.statistics_sentence(figures), "start": start, "end": end, "children": children,
        "error": error, "root": root}, status=400 if error else 200)


def public(request):
    """一公开: filed plans, draw results and inspection outcomes after their publication delays. No login."""
    from django.core.paginator import Paginator

    draws = list(selectors.public_draws()[:20])
    page = Paginator(selectors.public_inspections(), 30).get_page(request.GET.get("page"))
    title = _("双随机一公开")
    return render(request, "inspections/public.html", {
        "title": title, "breadcrumbs": [(title, None)], "plans": selectors.public_plans()[:20],
        "draws": [(draw, selectors.draw_rows(draw)) for draw in draws], "page": page,
        "delays": selectors.publication_delays()})

import datetime

import orjson
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import HttpResponse, HttpResponseRedirect
from django.shortcuts import get_object_or_404, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_POST

from yingji.core import excel
from yingji.core.access import allowed, page_access
from yingji.core.models import Region
from yingji.core.scoping import has_model_perm
from yingji.core.tables import Column
from yingji.core.views.generic import ObjectDetailView, ObjectEditView, ObjectListView, ScopedView, TransitionView
from yingji.disasters import importing, selectors, services
from yingji.disasters.filters import DutyFilterSet
from yingji.disasters.forms import (
    ConsultationForm,
    EventForm,
    JudgementForm,
    ObservationImportForm,
    ReportForm,
    TaskForm,
)
from yingji.disasters.models import (
    STAT_FIELDS,
    Consultation,
    ConsultationTask,
    DisasterEvent,
    DisasterReport,
    FireDanger,
    RiskJudgement,
)
from yingji.disasters.reports import consultation_docx
from yingji.disasters.specs import (
    CONSULTATION,
    DUTY,
    EVENT,
    JUDGEMENT,
    OBSERVATION,
    REPORT,
    TASK,
    region_path,
)
from yingji.standards.fwi import DANGER_COLORS, DANGER_LABELS
from yingji.warnings.models import Warning

# -- fire danger ---------------------------------------------------------------------------------------------


@OBSERVATION.register("list")
class ObservationListView(ObjectListView):
    spec = OBSERVATION
    filterset_class = OBSERVATION.filterset
    columns = list(OBSERVATION.columns)
    import_url_name = OBSERVATION.url_name("import")


@OBSERVATION.register("import")
class ObservationImportView(ScopedView):
    """Excel or CSV, keyed by station and day (`yingji.disasters.importing`), not the generic one-form-per-row."""

    spec = OBSERVATION
    action = "add"

    def context(self, **extra):
        title = _("导入气象观测（Excel/CSV）")
        return {"title": title, "form": ObservationImportForm(), "columns": importing.COLUMNS, "limits": excel.import_limits(),
                "breadcrumbs": self.breadcrumbs() + [(_("气象观测"), self.url("list")), (title, None)], **extra}

    def get(self, request):
        if request.GET.get("template"):
            return excel.workbook_response(importing.template(), _("气象观测导入模板"))
        return render(request, "disasters/observation_import.html", self.context())

    def post(self, request):
        uploaded = request.FILES.get("file")
        if uploaded is None:
            return render(request, "disasters/observation_import.html",
                          self.context(error=_("请选择要导入的 Excel 或 CSV 文件")), status=400)
        try:
            report = importing.import_observations(uploaded, actor=request.user)
        except excel.ImportFileError as exc:
            return render(request, "disasters/observation_import.html", self.context(error=str(exc)), status=400)
        return render(request, "disasters/observation_import.html", self.context(report=report))


def _root(request) -> Region:
    code = request.GET.get("region")
    regions = Region.objects.restrict(request.user, "view")
    root = regions.filter(pk=code).first() if code else None
    root = root or selectors.scope_root(request.user)
    if root is None:
        raise PermissionDenied(_("您没有可查看的区划。"))
    return root


def _require(user, model, action="view"):
    if not has_model_perm(user, model, action):
        raise PermissionDenied(_("您没有权限访问此页面。"))


def _date_param(request) -> datetime.date:
    try:
        return datetime.date.fromisoformat(request.GET.get("date", ""))
    except ValueError:
        return timezone.localdate()


@page_access(allowed("view", FireDanger))
def fire_map(request):
    """Today's fire danger level of every township (from its nearest station), on a map and in a table."""
    root = _root(request)
    date = _date_param(request)
    rows = selectors.township_levels(request.user, root, date)
    if request.GET.get("export") == "xlsx":
        workbook = excel.export_rows(_("乡镇森林火险等级"), [_("乡镇（街道）"), _("火险等级"), "FWI", _("依据气象站"),
                                                      _("距离（km）")],
                                     ([r["name"], DANGER_LABELS.get(r["level"], _("无数据")),
                                       round(r["fwi"], 1) if r["fwi"] is not None else "", r["station"],
                                       r["distance_km"]] for r in rows))
        return excel.workbook_response(workbook, _("乡镇森林火险等级"))
    counts = {level: sum(1 for r in rows if r["level"] == level) for level in range(1, 6)}
    title = _("森林火险等级（%(region)s）") % {"region": root.name}

    return render(request, "disasters/fire_map.html", {
        "title": title, "breadcrumbs": [(_("首页"), reverse("home")), (title, None)], "root": root, "date": date,
        "rows": rows, "levels": [(level, DANGER_LABELS[level], DANGER_COLORS[level], counts[level])
                                 for level in range(1, 6)],
        "map_data": {"townships": rows, "colors": DANGER_COLORS, "labels": DANGER_LABELS,
                     "stations": selectors.station_points(request.user)},
        "regions_url": reverse("core:region_geojson") + f"?parent={root.code}",
        "can_warn": has_model_perm(request.user, Warning, "add") and root.level in ("city", "county"),
        "warning_level": DANGER_LABELS[services.warning_min_level()],
        "high": [r for r in rows if r["level"] and r["level"] >= services.warning_min_level()],
    })


@login_required
def fire_map_data(request):
    _require(request.user, FireDanger)
    rows = selectors.township_levels(request.user, _root(request), _date_param(request))
    return HttpResponse(orjson.dumps({"townships": rows}), content_type="application/json")


@login_required
@require_POST
def fire_warning(request):
    root = _root(request)
    try:
        warning = services.fire_warning_draft(actor=request.user, region=root, date=_date_param(request))
    except (ValidationError, PermissionDenied) as exc:
        messages.error(request, "；".join(getattr(exc, "messages", [str(exc)])))
        return HttpResponseRedirect(reverse("disasters:fire_map") + f"?region={root.code}")
    messages.success(request, _("已生成森林火险预警草稿，请在预警发布中审核签发"))
    return HttpResponseRedirect(reverse("warnings:warning_detail", args=[warning.pk]))


# -- disaster reports ------------------------------------------------------------------------------------------


@EVENT.register("detail")
class EventDetailView(ObjectDetailView):
    spec = EVENT
    template_name = "disasters/event_detail.html"
    fields = [Column("code"), Column("name"), Column("hazard_type"), Column("region"), Column("occurred_at"),
              Column("description"), Column("initial_hours"), Column("followup_hours"), Column("verification_days"),
              Column("status"), Column("verification_started_at"), Column("created_by")]

    def get_context_data(self, obj):
        context = super().get_context_data(obj)
        user = self.request.user
        if context["edit_url"] and user.scope_region_id and not obj.region_id.startswith(
                Region(code=user.scope_region_id).prefix):
            context["edit_url"] = None
        totals = selectors.event_totals(user, obj)
        context.update({
            "status_rows": selectors.reporting_status(user, obj),
            "totals": [(DisasterReport._meta.get_field(n).verbose_name, totals[n]) for n in STAT_FIELDS],
            "rollup_url": reverse("disasters:event_rollup", args=[obj.pk]),
            "can_report": has_model_perm(user, DisasterReport, "add") and obj.status != "closed",
            "report_url": reverse("disasters:disasterreport_create") + f"?event={obj.pk}",
        })
        return context


@EVENT.register("edit")
class EventEditView(ObjectEditView):
    spec = EVENT
    form_class = EventForm

    def get_initial(self):
        return {"occurred_at": timezone.localtime()}

    def render_form(self, form, obj, status=200):
        if obj is not None:
            form.initial.setdefault("affected_regions", list(obj.affected_regions.values_list("pk", flat=True)))
        return super().render_form(form, obj, status)


@login_required
def event_rollup(request, pk: int):
    """The county and city view: figures summed up the region tree and who has not reported."""
    event = get_object_or_404(DisasterEvent.objects.restrict(request.user, "view"), pk=pk)
    regions = Region.objects.restrict(request.user, "view")
    code = request.GET.get("region")
    root = regions.filter(pk=code).first() if code else None
    if root is None:
        root = event.region if regions.filter(pk=event.region_id).exists() else selectors.scope_root(request.user)
    if root.level in ("township", "village"):
        root = root if root.level == "township" else root.parent
    rows = selectors.event_rollup(request.user, event, root)
    totals = selectors.event_totals(request.user, event, root)
    labels = [DisasterReport._meta.get_field(n).verbose_name for n in STAT_FIELDS]
    if request.GET.get("export") == "xlsx":
        workbook = excel.export_rows(_("灾情汇总"), [_("区划"), _("已报送"), _("未报送"), _("逾期"), *labels],
                                     ([r["region"].name, r["reported"], r["missing"], r["overdue"],
                                       *[r["totals"][n] for n in STAT_FIELDS]] for r in rows))
        return excel.workbook_response(workbook, _("灾情汇总"))
    title = _("%(event)s 灾情汇总（%(region)s）") % {"event": event.name, "region": root.name}
    parent = root.parent if root.parent_id and regions.filter(pk=root.parent_id).exists() else None
    return render(request, "disasters/event_rollup.html", {
        "title": title, "event": event, "root": root, "parent": parent, "labels": labels,
        "rows": [(r, [r["totals"][n] for n in STAT_FIELDS]) for r in rows],
        "totals": [totals[n] for n in STAT_FIELDS],
        "status_rows": [s for s in selectors.reporting_status(request.user, event)
                        if s["region"].code.startswith(root.prefix) and s["duties"]],
        "breadcrumbs": [(_("首页"), reverse("home")), (_("灾害事件"), reverse("disasters:disasterevent_list")),
                        (event.name, reverse("disasters:disasterevent_detail", args=[event.pk])), (title, None)],
    })


@REPORT.register("detail")
class ReportDetailView(ObjectDetailView):
    spec = REPORT
    template_name = "disasters/report_detail.html"
    fields = [Column("event"), Column("region", accessor=region_path), Column("kind"), Column("informant"),
              Column("reported_at"), *[Column(n) for n in STAT_FIELDS], Column("note"), Column("status"),
              Column("created_by")]

    def get_context_data(self, obj):
        context = super().get_context_data(obj)
        if obj.status not in ("draft", "returned"):
            context["edit_url"] = None
        return context


@REPORT.register("edit")
class ReportEditView(ObjectEditView):
    spec = REPORT
    form_class = ReportForm
    template_name = "disasters/report_form.html"

    def get_initial(self):
        initial = {}
        user = self.request.user
        if self.request.GET.get("event"):
            initial["event"] = self.request.GET["event"]
        if user.scope_region_id and user.scope_region.level in ("township", "village"):
            initial["region"] = user.scope_region_id
        return initial

    def service_arguments(self, form):
        data = super().service_arguments(form)
        if not form.instance.pk and self.request.POST.get("submit_now"):
            data["submit"] = True
        return data


@DUTY.register("list")
class DutyListView(ObjectListView):
    spec = DUTY
    filterset_class = DutyFilterSet
    title = gettext_lazy("灾情报送任务（未报清单）")
    columns = [Column("id", gettext_lazy("任务"), link=True, accessor=str, orderable=False),
               Column("event.name", gettext_lazy("灾害事件")), Column("region.parent.name", gettext_lazy("上级区划")),
               Column("region.name", gettext_lazy("应报区划")), Column("kind"), Column("due_at"),
               Column("fulfilled_at"), Column("overdue_since", gettext_lazy("逾期"),
                                               accessor=lambda d: _("逾期") if d.open and d.due_at < timezone.now()
                                               else "")]

    def get_queryset(self):
        return super().get_queryset().select_related("event").filter(cancelled=False)


# -- consultations --------------------------------------------------------------------------------------------


@CONSULTATION.register("detail")
class ConsultationDetailView(ObjectDetailView):
    spec = CONSULTATION
    template_name = "disasters/consultation_detail.html"
    with_attachments = True
    fields = [Column("code"), Column("topic"), Column("kind"), Column("period"), Column("region"), Column("held_at"),
              Column("place"), Column("host"), Column("departments", accessor=lambda c: "、".join(
                  d.name for d in c.departments.all())), Column("participants"), Column("period_start"),
              Column("period_end"), Column("conclusions"), Column("status")]

    def get_context_data(self, obj):
        context = super().get_context_data(obj)
        user = self.request.user
        context.update({
            "judgements": RiskJudgement.objects.restrict(user, "view").filter(consultation=obj)
            .select_related("region"),
            "tasks": ConsultationTask.objects.restrict(user, "view").filter(consultation=obj)
            .select_related("organization"),
            "can_add_judgement": has_model_perm(user, RiskJudgement, "add"),
            "can_add_task": has_model_perm(user, ConsultationTask, "add"),
        })
        return context


@CONSULTATION.register("edit")
class ConsultationEditView(ObjectEditView):
    spec = CONSULTATION
    form_class = ConsultationForm

    def render_form(self, form, obj, status=200):
        if obj is not None:
            form.initial.setdefault("departments", list(obj.departments.values_list("pk", flat=True)))
        return super().render_form(form, obj, status)


@login_required
def consultation_report(request, pk: int):
    """The assessment report (会商评估报告) as a Word document."""
    consultation = get_object_or_404(Consultation.objects.restrict(request.user, "view"), pk=pk)
    content = consultation_docx(consultation, request.user)
    from urllib.parse import quote

    response = HttpResponse(content, content_type="application/vnd.openxmlformats-officedocument"
                                                  ".wordprocessingml.document")
    name = f"{consultation.code}_{consultation.topic}_评估报告.docx"
    response["Content-Disposition"] = f"attachment; filename*=UTF-8''{quote(name)}"
    return response


@JUDGEMENT.register("edit")
class JudgementEditView(ObjectEditView):
    spec = JUDGEMENT
    form_class = JudgementForm

    def get_initial(self):
        return {"consultation": self.request.GET.get("consultation")}


@TASK.register("edit")
class TaskEditView(ObjectEditView):
    spec = TASK
    form_class = TaskForm

    def get_initial(self):
        return {"consultation": self.request.GET.get("consultation")}


# -- moves ----------------------------------------------------------------------------------------------------


class ChangeTransitionView(TransitionView):
    """A move of this app is made on a record of the user's own jurisdiction: one the user only reads (a city's
    event seen from a county) is not found here, as its buttons are not shown."""

    action = "change"


@EVENT.register("transition")
class EventTransitionView(ChangeTransitionView):
    spec = EVENT


@REPORT.register("transition")
class ReportTransitionView(ChangeTransitionView):
    spec = REPORT


@CONSULTATION.register("transition")
class ConsultationTransitionView(ChangeTransitionView):
    spec = CONSULTATION


@TASK.register("transition")
class TaskTransitionView(ChangeTransitionView):
    spec = TASK

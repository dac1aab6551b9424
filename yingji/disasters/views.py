import datetime

import orjson
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import Http404, HttpResponse, HttpResponseRedirect
from django.shortcuts import get_object_or_404, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_POST

from yingji.core import excel
from yingji.core.models import Region
from yingji.core.scoping import has_model_perm
from yingji.core.tables import Column
from yingji.core.views.generic import ObjectDetailView, ObjectEditView, ObjectListView, ScopedView
from yingji.core.workflow import timeline
from yingji.disasters import importing, selectors, services
from yingji.disasters.filters import (
    ConsultationFilterSet,
    DutyFilterSet,
    EventFilterSet,
    FireDangerFilterSet,
    InformantFilterSet,
    JudgementFilterSet,
    ObservationFilterSet,
    ReportFilterSet,
    StationFilterSet,
    TaskFilterSet,
)
from yingji.disasters.forms import (
    ActionForm,
    ConsultationForm,
    EventForm,
    InformantForm,
    JudgementForm,
    ObservationForm,
    ObservationImportForm,
    ReportForm,
    StationForm,
    TaskForm,
)
from yingji.disasters.models import (
    STAT_FIELDS,
    Consultation,
    ConsultationTask,
    DisasterEvent,
    DisasterInformant,
    DisasterReport,
    FireDanger,
    ReportDuty,
    RiskJudgement,
    WeatherObservation,
    WeatherStation,
)
from yingji.disasters.reports import consultation_docx
from yingji.disasters.states import CONSULTATION_WORKFLOW, EVENT_WORKFLOW, REPORT_WORKFLOW, TASK_WORKFLOW
from yingji.standards.fwi import DANGER_COLORS, DANGER_LABELS


class Mixin:
    url_namespace = "disasters"


def _region_path(obj) -> str:
    parent = obj.region.parent
    return f"{parent.name} / {obj.region.name}" if parent else obj.region.name


# -- fire danger ---------------------------------------------------------------------------------------------


class StationListView(Mixin, ObjectListView):
    model = WeatherStation
    filterset_class = StationFilterSet
    columns = [Column("name", link=True), Column("code"), Column("region.parent.name", gettext_lazy("上级区划")),
               Column("region.name", gettext_lazy("所在区划")), Column("longitude"), Column("latitude"),
               Column("automatic"), Column("active")]


class StationDetailView(Mixin, ObjectDetailView):
    model = WeatherStation
    fields = [Column("code"), Column("name"), Column("region", accessor=_region_path), Column("longitude"),
              Column("latitude"), Column("elevation"), Column("automatic"), Column("active")]


class StationEditView(Mixin, ObjectEditView):
    model = WeatherStation
    form_class = StationForm
    create_service = staticmethod(services.station_create)
    update_service = staticmethod(services.station_update)
    update_object_argument = "station"


class ObservationListView(Mixin, ObjectListView):
    model = WeatherObservation
    filterset_class = ObservationFilterSet
    import_url_name = "disasters:weatherobservation_import"
    columns = [Column("id", gettext_lazy("观测"), link=True, accessor=str, orderable=False), Column("date"),
               Column("station.code", gettext_lazy("站号")), Column("temperature"), Column("humidity"),
               Column("wind_speed"), Column("precipitation"), Column("source")]


class ObservationDetailView(Mixin, ObjectDetailView):
    model = WeatherObservation
    fields = [Column("station"), Column("date"), Column("temperature"), Column("humidity"), Column("wind_speed"),
              Column("precipitation"), Column("source"), Column("received_at")]


class ObservationEditView(Mixin, ObjectEditView):
    model = WeatherObservation
    form_class = ObservationForm
    create_service = staticmethod(services.observation_create)
    update_service = staticmethod(services.observation_update)
    update_object_argument = "observation"

    def service_arguments(self, form):
        data = super().service_arguments(form)
        if form.instance.pk:
            data.pop("station", None)
            data.pop("date", None)
        return data


class ObservationImportView(Mixin, ScopedView):
    model = WeatherObservation
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


class FireDangerListView(Mixin, ObjectListView):
    model = FireDanger
    filterset_class = FireDangerFilterSet
    columns = [Column("id", gettext_lazy("记录"), link=True, accessor=str, orderable=False), Column("date"),
               Column("region.name", gettext_lazy("所在区划")),
               Column("ffmc", accessor=lambda d: round(d.ffmc, 1)), Column("dmc", accessor=lambda d: round(d.dmc, 1)),
               Column("dc", accessor=lambda d: round(d.dc, 1)), Column("isi", accessor=lambda d: round(d.isi, 1)),
               Column("bui", accessor=lambda d: round(d.bui, 1)), Column("fwi", accessor=lambda d: round(d.fwi, 1)),
               Column("level"), Column("gap_days")]


class FireDangerDetailView(Mixin, ObjectDetailView):
    model = FireDanger
    fields = [Column("station"), Column("date"), Column("ffmc"), Column("dmc"), Column("dc"), Column("isi"),
              Column("bui"), Column("fwi"), Column("level"), Column("gap_days"), Column("restarted"),
              Column("computed_at")]


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


@login_required
def fire_map(request):
    """Today's fire danger level of every township (from its nearest station), on a map and in a table."""
    _require(request.user, FireDanger)
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
    from yingji.warnings.models import Warning

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


class InformantListView(Mixin, ObjectListView):
    model = DisasterInformant
    filterset_class = InformantFilterSet
    columns = [Column("name", link=True), Column("mobile"), Column("region.parent.name", gettext_lazy("上级区划")),
               Column("region.name", gettext_lazy("负责区划")),
               Column("region.level", gettext_lazy("层级")), Column("organization"), Column("training_status"),
               Column("trained_on"), Column("certified"), Column("certificate_no"), Column("active")]


class InformantDetailView(Mixin, ObjectDetailView):
    model = DisasterInformant
    fields = [Column("name"), Column("mobile"), Column("region", accessor=_region_path), Column("organization"),
              Column("user"), Column("training_status"), Column("trained_on"), Column("certified"),
              Column("certificate_no"), Column("active")]


class InformantEditView(Mixin, ObjectEditView):
    model = DisasterInformant
    form_class = InformantForm
    create_service = staticmethod(services.informant_create)
    update_service = staticmethod(services.informant_update)
    update_object_argument = "informant"


class EventListView(Mixin, ObjectListView):
    model = DisasterEvent
    filterset_class = EventFilterSet
    columns = [Column("code", link=True), Column("name"), Column("hazard_type"), Column("region.name",
                                                                                          gettext_lazy("发生区划")),
               Column("occurred_at"), Column("status")]


class EventDetailView(Mixin, ObjectDetailView):
    model = DisasterEvent
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
            "actions": EVENT_WORKFLOW.available(obj, user),
            "timeline": timeline(obj, user),
            "status_rows": selectors.reporting_status(user, obj),
            "totals": [(DisasterReport._meta.get_field(n).verbose_name, totals[n]) for n in STAT_FIELDS],
            "rollup_url": reverse("disasters:event_rollup", args=[obj.pk]),
            "can_report": has_model_perm(user, DisasterReport, "add") and obj.status != "closed",
            "report_url": reverse("disasters:disasterreport_create") + f"?event={obj.pk}",
        })
        return context


class EventEditView(Mixin, ObjectEditView):
    model = DisasterEvent
    form_class = EventForm
    create_service = staticmethod(services.event_create)
    update_service = staticmethod(services.event_update)
    update_object_argument = "event"

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


class ReportListView(Mixin, ObjectListView):
    model = DisasterReport
    filterset_class = ReportFilterSet
    columns = [Column("id", gettext_lazy("报告"), link=True, accessor=str, orderable=False),
               Column("event.name", gettext_lazy("灾害事件")), Column("region.name", gettext_lazy("报送区划")),
               Column("kind"), Column("reported_at"), Column("affected_population"), Column("deaths"),
               Column("missing"), Column("relocated"), Column("direct_loss_10k_yuan"), Column("status")]

    def get_queryset(self):
        return super().get_queryset().select_related("event", "region")


class ReportDetailView(Mixin, ObjectDetailView):
    model = DisasterReport
    template_name = "disasters/report_detail.html"
    fields = [Column("event"), Column("region", accessor=_region_path), Column("kind"), Column("informant"),
              Column("reported_at"), *[Column(n) for n in STAT_FIELDS], Column("note"), Column("status"),
              Column("created_by")]

    def get_context_data(self, obj):
        context = super().get_context_data(obj)
        context.update({"actions": REPORT_WORKFLOW.available(obj, self.request.user),
                        "timeline": timeline(obj, self.request.user)})
        if obj.status not in ("draft", "returned"):
            context["edit_url"] = None
        return context


class ReportEditView(Mixin, ObjectEditView):
    model = DisasterReport
    form_class = ReportForm
    template_name = "disasters/report_form.html"
    create_service = staticmethod(services.report_create)
    update_service = staticmethod(services.report_update)
    update_object_argument = "report"

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
        if form.instance.pk:
            for name in ("event", "region", "kind"):
                data.pop(name, None)
        elif self.request.POST.get("submit_now"):
            data["submit"] = True
        return data


class DutyListView(Mixin, ObjectListView):
    model = ReportDuty
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


class DutyDetailView(Mixin, ObjectDetailView):
    model = ReportDuty
    fields = [Column("event"), Column("region", accessor=_region_path), Column("kind"), Column("due_at"),
              Column("fulfilled_at"), Column("report"), Column("overdue_since"), Column("cancelled")]


# -- consultations --------------------------------------------------------------------------------------------


class ConsultationListView(Mixin, ObjectListView):
    model = Consultation
    filterset_class = ConsultationFilterSet
    columns = [Column("code", link=True), Column("topic"), Column("kind"), Column("period"),
               Column("region.name", gettext_lazy("组织区划")), Column("held_at"), Column("period_start"),
               Column("period_end"), Column("status")]


class ConsultationDetailView(Mixin, ObjectDetailView):
    model = Consultation
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
            "actions": CONSULTATION_WORKFLOW.available(obj, user),
            "timeline": timeline(obj, user),
            "judgements": RiskJudgement.objects.restrict(user, "view").filter(consultation=obj)
            .select_related("region"),
            "tasks": ConsultationTask.objects.restrict(user, "view").filter(consultation=obj)
            .select_related("organization"),
            "can_add_judgement": has_model_perm(user, RiskJudgement, "add"),
            "can_add_task": has_model_perm(user, ConsultationTask, "add"),
        })
        return context


class ConsultationEditView(Mixin, ObjectEditView):
    model = Consultation
    form_class = ConsultationForm
    create_service = staticmethod(services.consultation_create)
    update_service = staticmethod(services.consultation_update)
    update_object_argument = "consultation"

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


class JudgementListView(Mixin, ObjectListView):
    model = RiskJudgement
    filterset_class = JudgementFilterSet
    columns = [Column("id", gettext_lazy("研判"), link=True, accessor=str, orderable=False),
               Column("consultation.topic", gettext_lazy("会商")), Column("region.name", gettext_lazy("区划")),
               Column("hazard_type"), Column("level"), Column("description", orderable=False),
               Column("consultation.period_start", gettext_lazy("研判期起")),
               Column("consultation.period_end", gettext_lazy("研判期止"))]


class JudgementDetailView(Mixin, ObjectDetailView):
    model = RiskJudgement
    fields = [Column("consultation"), Column("region"), Column("hazard_type"), Column("level"), Column("description")]


class JudgementEditView(Mixin, ObjectEditView):
    model = RiskJudgement
    form_class = JudgementForm
    create_service = staticmethod(services.judgement_create)
    update_service = staticmethod(services.judgement_update)
    update_object_argument = "judgement"

    def get_initial(self):
        return {"consultation": self.request.GET.get("consultation")}


class TaskListView(Mixin, ObjectListView):
    model = ConsultationTask
    filterset_class = TaskFilterSet
    columns = [Column("title", link=True), Column("consultation.topic", gettext_lazy("会商")),
               Column("organization.name", gettext_lazy("承办单位")), Column("due_date"), Column("status"),
               Column("done_at")]


class TaskDetailView(Mixin, ObjectDetailView):
    model = ConsultationTask
    template_name = "disasters/task_detail.html"
    fields = [Column("consultation"), Column("title"), Column("description"), Column("organization"),
              Column("due_date"), Column("status"), Column("result"), Column("done_at")]

    def get_context_data(self, obj):
        context = super().get_context_data(obj)
        context.update({"actions": TASK_WORKFLOW.available(obj, self.request.user),
                        "timeline": timeline(obj, self.request.user)})
        return context


class TaskEditView(Mixin, ObjectEditView):
    model = ConsultationTask
    form_class = TaskForm
    create_service = staticmethod(services.task_create)
    update_service = staticmethod(services.task_update)
    update_object_argument = "task"

    def get_initial(self):
        return {"consultation": self.request.GET.get("consultation")}

    def service_arguments(self, form):
        data = super().service_arguments(form)
        if form.instance.pk:
            data.pop("consultation", None)
        return data


# -- transitions ------------------------------------------------------------------------------------------------

TRANSITIONS = {
    "event": (DisasterEvent, services.event_act, "event", "disasters:disasterevent_detail"),
    "report": (DisasterReport, services.report_act, "report", "disasters:disasterreport_detail"),
    "consultation": (Consultation, services.consultation_act, "consultation", "disasters:consultation_detail"),
    "task": (ConsultationTask, services.task_act, "task", "disasters:consultationtask_detail"),
}


@login_required
@require_POST
def act(request, kind: str, pk: int):
    """One workflow move from a detail page's button; refusals are shown as messages."""
    if kind not in TRANSITIONS:
        raise Http404
    model, service, argument, detail = TRANSITIONS[kind]
    obj = get_object_or_404(model.objects.restrict(request.user, "change"), pk=pk)
    form = ActionForm(request.POST)
    if form.is_valid():
        extra = {"result": form.cleaned_data["result"]} if kind == "task" else {}
        try:
            service(**{argument: obj}, actor=request.user, action=form.cleaned_data["action"],
                    reason=form.cleaned_data["reason"], **extra)
        except ValidationError as exc:
            messages.error(request, "；".join(exc.messages))
        except PermissionDenied as exc:
            messages.error(request, str(exc) or _("您没有执行此操作的权限。"))
        else:
            messages.success(request, _("已办理"))
    else:
        messages.error(request, _("提交的数据有误"))
    return HttpResponseRedirect(reverse(detail, args=[pk]))

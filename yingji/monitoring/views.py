from datetime import date

from django.conf import settings
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.http import Http404, HttpResponseRedirect, JsonResponse
from django.shortcuts import get_object_or_404, render
from django.urls import reverse
from django.utils import timezone
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_POST

from yingji.core import live
from yingji.core.access import allowed, page_access
from yingji.core.scoping import has_model_perm
from yingji.core.selectors import region_root_for
from yingji.core.tables import Column
from yingji.core.views.generic import ObjectDetailView, ObjectEditView, ObjectListView
from yingji.core.views.generic import _add_errors as add_form_errors
from yingji.enterprises.models import Enterprise
from yingji.monitoring import ingest, selectors, services
from yingji.monitoring.forms import GatewayForm, HazardChemicalForm, PatrolFindingForm, PatrolForm, PatrolHazardForm
from yingji.monitoring.models import (
    ALARM_LEVEL_COLORS,
    Alarm,
    AlarmEvent,
    AlarmLevel,
    Gateway,
    HazardGradeChange,
    HazardSourceChemical,
    MajorHazardSource,
    MonitoringPoint,
    OnlineRate,
    Patrol,
    PatrolEntry,
)
from yingji.monitoring.specs import ALARM, GATEWAY, ONLINE_RATE, PATROL, SOURCE


@SOURCE.register("detail")
class MajorHazardSourceDetailView(ObjectDetailView):
    spec = SOURCE
    template_name = "monitoring/majorhazardsource_detail.html"
    with_attachments = True
    fields = [
        Column("code"), Column("name"), Column("enterprise.name", gettext_lazy("所属企业")), Column("unit_kind"),
        Column("exposed_population"), Column("alpha"), Column("s_value"), Column("r_value"),
        Column("is_major", accessor=lambda s: _("是") if s.is_major else _("否")),
        Column("grade", accessor=lambda s: s.get_grade_display() if s.is_major else _("不构成")),
    ]

    def get_context_data(self, obj):
        context = super().get_context_data(obj)
        user = self.request.user
        context["chemicals"] = list(HazardSourceChemical.objects.restrict(user, "view").filter(source=obj))
        context["grade_changes"] = list(HazardGradeChange.objects.restrict(user, "view").filter(source=obj)
                                        .select_related("actor"))
        context["points"] = list(MonitoringPoint.objects.restrict(user, "view").filter(source=obj))
        context["can_change"] = MajorHazardSource.objects.restrict(user, "change").filter(pk=obj.pk).exists()
        context["chemical_form"] = HazardChemicalForm()
        return context


@login_required
@require_POST
def hazard_chemical_set(request, pk: int):
    source = get_object_or_404(MajorHazardSource.objects.restrict(request.user, "change"), pk=pk)
    form = HazardChemicalForm(request.POST)
    if not form.is_valid():
        messages.error(request, "；".join(m for errors in form.errors.values() for m in errors))
    else:
        try:
            services.hazard_chemical_set(source=source, actor=request.user, **form.cleaned_data)
        except ValidationError as exc:
            messages.error(request, "；".join(exc.messages))
        else:
            messages.success(request, _("已保存并重新辨识分级"))
    return HttpResponseRedirect(reverse("monitoring:majorhazardsource_detail", args=[pk]))


@login_required
@require_POST
def hazard_chemical_remove(request, pk: int, row_pk: int):
    source = get_object_or_404(MajorHazardSource.objects.restrict(request.user, "change"), pk=pk)
    row = get_object_or_404(HazardSourceChemical.objects.restrict(request.user, "view"), pk=row_pk, source=source)
    services.hazard_chemical_remove(row=row, actor=request.user)
    messages.success(request, _("已移除并重新辨识分级"))
    return HttpResponseRedirect(reverse("monitoring:majorhazardsource_detail", args=[pk]))


@ALARM.register("detail")
class AlarmDetailView(ObjectDetailView):
    spec = ALARM
    template_name = "monitoring/alarm_detail.html"
    with_attachments = True
    fields = [
        Column("code"), Column("level"), Column("kind"), Column("status"),
        Column("enterprise.name", gettext_lazy("所属企业")), Column("source", gettext_lazy("重大危险源")),
        Column("point", gettext_lazy("监测点"), accessor=lambda a: a.subject_label),
        Column("threshold"), Column("started_at"), Column("start_value"), Column("peak_value"), Column("last_value"),
        Column("occurrences"), Column("recovered_at"), Column("acknowledged_at"), Column("acknowledged_by"),
        Column("measures"), Column("closed_at"),
    ]

    def get_context_data(self, obj):
        context = super().get_context_data(obj)
        user = self.request.user
        context["events"] = list(AlarmEvent.objects.restrict(user, "view").filter(alarm=obj))
        context["trend_url"] = reverse("monitoring:alarm_trend", args=[obj.pk]) if obj.point_id else ""
        # The enterprise's people to call (一企一档); there is no video model yet, so no channels are shown.
        enterprise = Enterprise.objects.restrict(user, "view").filter(pk=obj.enterprise_id).first()
        context["enterprise"] = enterprise
        context["contacts"] = alarm_contacts(enterprise) if enterprise is not None else []
        if enterprise is not None and enterprise.latitude is not None:
            context["place"] = {"lat": enterprise.latitude, "lon": enterprise.longitude, "name": enterprise.name,
                                "url": reverse("enterprises:enterprise_detail", args=[enterprise.pk]),
                                "regions": reverse("core:region_geojson") + f"?parent={enterprise.region_id}"}
        return context


def alarm_contacts(enterprise: Enterprise) -> list[dict[str, str]]:
    """Who to call about an enterprise's alarm, the safety director first; people not on file are left out."""
    people = [(_("安全负责人"), enterprise.safety_director, enterprise.safety_director_phone),
              (_("主要负责人"), enterprise.principal, enterprise.principal_phone),
              (_("法定代表人"), enterprise.legal_representative, enterprise.legal_representative_phone)]
    return [{"role": role, "name": name, "phone": phone} for role, name, phone in people if name]


@ALARM.register("list")
class AlarmListView(ObjectListView):
    """The alarm list; a user who may handle alarms selects several and acknowledges them at once."""

    spec = ALARM
    template_name = "monitoring/alarm_list.html"
    table_template = "monitoring/includes/alarm_table.html"
    filterset_class = ALARM.filterset
    columns = list(ALARM.columns)
    batch_form_id = ""

    def get(self, request, *args, **kwargs):
        self.batch_form_id = "alarm-batch" if has_model_perm(request.user, Alarm, "change") else ""
        return super().get(request, *args, **kwargs)


@page_access(allowed("change", Alarm))
@require_POST
def alarm_acknowledge_many(request):
    """批量确认: every selected alarm through the loop's 确认报警 move, in one transaction; each refusal is reported
    by the alarm's code with the reason."""
    back = request.POST.get("next", "")
    if not url_has_allowed_host_and_scheme(back, allowed_hosts={request.get_host()}):
        back = reverse("monitoring:alarm_list")
    wanted = {int(pk) for pk in request.POST.getlist("selected") if pk.isdigit()}
    if not wanted:
        messages.error(request, _("请先勾选要确认的报警"))
        return HttpResponseRedirect(back)
    alarms = list(Alarm.objects.restrict(request.user, "change").filter(pk__in=wanted).order_by("started_at", "pk"))
    outcome = services.alarm_acknowledge_many(alarms=alarms, actor=request.user, reason=request.POST.get("reason", ""))
    if outcome.done:
        messages.success(request, _("已确认 %(n)d 条报警") % {"n": len(outcome.done)})
    for code, reason in outcome.refused:
        messages.error(request, _("%(code)s 未确认：%(reason)s") % {"code": code, "reason": reason})
    missing = len(wanted) - len(alarms)
    if missing:
        messages.error(request, _("%(n)d 条报警不存在或不在您的辖区，未确认") % {"n": missing})
    return HttpResponseRedirect(back)


# The trend around an alarm: from this long before it began to this long after it recovered (or now).
ALARM_TREND_BEFORE_MS = 60 * 60 * 1000
ALARM_TREND_AFTER_MS = 30 * 60 * 1000
ALARM_TREND_LONGEST_MS = 7 * 86400 * 1000


@page_access(allowed("view", Alarm), missing=Http404)
def alarm_trend(request, pk: int):
    """The alarm's point around the alarm ([ts, value] pairs), its thresholds and the alarm's start and recovery,
    for the alarm page's chart; an alarm outside the user's jurisdiction, or without a point, is a 404."""
    alarm = get_object_or_404(Alarm.objects.restrict(request.user, "view").select_related("point"), pk=pk,
                              point__isnull=False)
    point = alarm.point
    started = int(alarm.started_at.timestamp() * 1000)
    ended = int(alarm.recovered_at.timestamp() * 1000) if alarm.recovered_at else ingest.now_ms()
    start = started - ALARM_TREND_BEFORE_MS
    end = min(ended + ALARM_TREND_AFTER_MS, ingest.now_ms(), start + ALARM_TREND_LONGEST_MS)
    return JsonResponse({"tag": point.tag, "name": point.name, "unit": point.unit,
                         "series": selectors.trend(point, start, end),
                         "thresholds": dict(point.thresholds()), "threshold": alarm.threshold,
                         "started_at": started, "recovered_at": ended if alarm.recovered_at else None,
                         "start": start, "end": end}, json_dumps_params={"ensure_ascii": False})


@GATEWAY.register("detail")
class GatewayDetailView(ObjectDetailView):
    spec = GATEWAY
    template_name = "monitoring/gateway_detail.html"
    fields = [Column("code"), Column("name"), Column("enterprise.name", gettext_lazy("所属企业")),
              Column("report_period_seconds"), Column("last_seen_at"),
              Column("is_active", accessor=lambda g: _("是") if g.is_active else _("否"))]

    def get_context_data(self, obj):
        context = super().get_context_data(obj)
        context["token"] = self.request.session.pop(f"gateway-token-{obj.pk}", None)
        context["can_rotate"] = Gateway.objects.restrict(self.request.user, "change").filter(pk=obj.pk).exists()
        return context


@GATEWAY.register("edit")
class GatewayEditView(ObjectEditView):
    spec = GATEWAY
    form_class = GatewayForm

    def post(self, request, pk=None):
        if pk is not None:
            return super().post(request, pk)
        # Creating issues the token, which is shown once on the next page and never stored in clear.
        form = self.form_class(request.POST, instance=None, user=request.user)
        if form.is_valid():
            try:
                with transaction.atomic():
                    gateway = GATEWAY.create_object(actor=request.user, **self.service_arguments(form))
            except ValidationError as exc:
                add_form_errors(form, exc)
            else:
                request.session[f"gateway-token-{gateway.pk}"] = gateway.token
                return HttpResponseRedirect(self.url("detail", gateway.pk))
        return self.render_form(form, None, status=400)


@login_required
@require_POST
def gateway_rotate(request, pk: int):
    gateway = get_object_or_404(Gateway.objects.restrict(request.user, "change"), pk=pk)
    request.session[f"gateway-token-{pk}"] = services.gateway_rotate_token(gateway=gateway, actor=request.user)
    return HttpResponseRedirect(reverse("monitoring:gateway_detail", args=[pk]))


# -- live boards and the trend chart --------------------------------------------------------------------

def _require(user, model, action: str = "view") -> None:
    if not has_model_perm(user, model, action):
        raise PermissionDenied(_("您没有权限访问此页面。"))


@page_access(allowed("view", Alarm))
def board(request):
    """The monitoring board: a bureau sees its jurisdiction, an enterprise its own hazard sources."""
    enterprise_board = bool(request.user.scope_enterprise_id)
    title = _("企业监测看板") if enterprise_board else _("监测预警看板")
    root = region_root_for(request.user)
    context = {
        "title": title,
        "breadcrumbs": [(_("首页"), reverse("home")), (title, None)],
        "enterprise_board": enterprise_board,
        "levels": [(value, label, ALARM_LEVEL_COLORS[value]) for value, label in AlarmLevel.choices],
        "normal_color": ALARM_LEVEL_COLORS[None],
        "points_url": reverse("monitoring:board_geojson"),
        "regions_url": reverse("core:region_geojson") + (f"?parent={root.code}" if root else ""),
        "detail_url": reverse("enterprises:enterprise_detail", args=[0]).replace("/0/", "/{id}/"),
    }
    return render(request, "monitoring/board.html", context)


@login_required
def board_stream(request):
    """Server-sent events for the board: one event per alarm change inside the user's jurisdiction.

    The page refreshes its alarm partial on each (yingji/static/yingji/live.js); the events name only ids."""
    _require(request.user, Alarm)
    return live.event_stream(request, ["monitoring.alarm"])


@login_required
def board_alarms(request):
    """The open alarms and their counts, fetched by the board whenever its event stream reports a change."""
    _require(request.user, Alarm)
    return render(request, "monitoring/includes/board_alarms.html",
                  {"alarms": selectors.open_alarms(request.user), "counts": selectors.alarm_counts(request.user)})


@login_required
def board_sources(request):
    _require(request.user, MajorHazardSource)
    return render(request, "monitoring/includes/board_sources.html",
                  {"rows": selectors.source_states(request.user)})


@login_required
def board_geojson(request):
    _require(request.user, MajorHazardSource)
    return JsonResponse(selectors.monitored_enterprises_geojson(request.user))


TREND_PERIODS = {"1h": 3600, "6h": 6 * 3600, "24h": 86400, "7d": 7 * 86400, "30d": 30 * 86400}


@login_required
def point_trend(request, pk: int):
    """[ts, value] series of one point over a chosen period, for the ECharts trend chart."""
    point = get_object_or_404(MonitoringPoint.objects.restrict(request.user, "view"), pk=pk)
    seconds = TREND_PERIODS.get(request.GET.get("period", "24h"), 86400)
    end = ingest.now_ms()
    series = selectors.trend(point, end - seconds * 1000, end)
    thresholds = {name: value for name, value in point.thresholds()}
    return JsonResponse({"tag": point.tag, "name": point.name, "unit": point.unit, "series": series,
                         "thresholds": thresholds})


def online_threshold() -> float:
    """Percent below which an enterprise is listed as under-connected (MONITORING_ONLINE_THRESHOLD)."""
    return float(getattr(settings, "MONITORING_ONLINE_THRESHOLD", 90))


@page_access(allowed("view", OnlineRate))
def online_rate(request):
    """在线率: the ranking of the regions under the user's jurisdiction, the enterprises below the threshold,
    the worst gateways and points, for one day, from the roll-up the sweep keeps."""
    today = timezone.localdate()
    try:
        day = date.fromisoformat(request.GET["date"]) if request.GET.get("date") else today
    except ValueError:
        day = today
    try:
        below = min(100.0, max(0.0, float(request.GET.get("below", online_threshold()))))
    except ValueError:
        below = online_threshold()
    title = _("在线率")
    context = {
        "title": title,
        "breadcrumbs": [(_("首页"), reverse("home")), (_("监测看板"), reverse("monitoring:board")), (title, None)],
        "day": day, "below": below, "rates": selectors.online_overview(request.user, day, below),
    }
    return render(request, "monitoring/online_rate.html", context)


@ONLINE_RATE.register("list")
class OnlineRateListView(ObjectListView):
    spec = ONLINE_RATE
    filterset_class = ONLINE_RATE.filterset
    title = gettext_lazy("在线率明细")
    columns = [
        Column("day"),
        Column("subject"),
        Column("enterprise.name", gettext_lazy("所属企业")),
        Column("gateway.code", gettext_lazy("网关编号")),
        Column("point.tag", gettext_lazy("位号")),
        Column("point.name", gettext_lazy("监测点")),
        Column("rate", accessor=lambda r: f"{r.rate:.2%}"),
        Column("online_seconds"),
        Column("expected_seconds"),
        Column("readings"),
        Column("computed_at"),
    ]


# -- online patrol ------------------------------------------------------------------------------------------

@PATROL.register("detail")
class PatrolDetailView(ObjectDetailView):
    spec = PATROL
    template_name = "monitoring/patrol_detail.html"
    fields = [Column("code"), Column("day"), Column("officer", gettext_lazy("巡查人")),
              Column("region.name", gettext_lazy("巡查单位所在区划")), Column("summary"), Column("created_at")]

    def get_context_data(self, obj):
        context = super().get_context_data(obj)
        user = self.request.user
        context["entries"] = list(PatrolEntry.objects.restrict(user, "view").filter(patrol=obj)
                                  .select_related("enterprise", "hazard"))
        context["can_change"] = PatrolEntry.objects.restrict(user, "change").filter(patrol=obj).exists()
        context["can_raise"] = context["can_change"] and user.has_perm("hazards.add_hazard")
        context["finding_form"] = PatrolFindingForm()
        context["hazard_form"] = PatrolHazardForm()
        return context


def _patrol_enterprises(user):
    monitored = MajorHazardSource.objects.restrict(user, "view").values("enterprise_id")
    return Enterprise.objects.restrict(user, "view").filter(pk__in=monitored).order_by("region_id", "name")


@login_required
def patrol_create(request):
    """Record today's online patrol: the monitored enterprises with their state now, to tick and comment."""
    _require(request.user, Patrol, "add")
    enterprises = _patrol_enterprises(request.user)
    form = PatrolForm(request.POST or None, enterprises=enterprises, initial={"day": timezone.localdate()})
    status = 200
    if request.method == "POST":
        if form.is_valid():
            try:
                patrol = services.patrol_create(actor=request.user, **form.cleaned_data)
            except ValidationError as exc:
                add_form_errors(form, exc)
            else:
                messages.success(request, _("已登记线上巡查"))
                return HttpResponseRedirect(reverse("monitoring:patrol_detail", args=[patrol.pk]))
        status = 400
    rows = list(enterprises)
    snapshots = selectors.enterprise_snapshots(request.user, [e.pk for e in rows], timezone.localdate())
    for snap in snapshots.values():
        snap["color"] = ALARM_LEVEL_COLORS.get(snap["worst_level"])
    title = _("登记线上巡查")
    context = {
        "title": title, "form": form,
        "breadcrumbs": [(_("首页"), reverse("home")), (_("线上巡查"), reverse("monitoring:patrol_list")),
                        (title, None)],
        "rows": [(e, snapshots[e.pk], str(e.pk) in form["enterprises"].value() if form.is_bound else False)
                 for e in rows],
    }
    return render(request, "monitoring/patrol_form.html", context, status=status)


@login_required
@require_POST
def patrol_entry_action(request, pk: int, entry_pk: int):
    """Record a finding at one enterprise of a patrol, or raise a hazard from it."""
    entry = get_object_or_404(PatrolEntry.objects.restrict(request.user, "change"), pk=entry_pk, patrol_id=pk)
    action = request.POST.get("action", "")
    form = PatrolHazardForm(request.POST) if action == "hazard" else PatrolFindingForm(request.POST)
    if not form.is_valid():
        messages.error(request, "；".join(m for errors in form.errors.values() for m in errors))
        return HttpResponseRedirect(reverse("monitoring:patrol_detail", args=[pk]))
    try:
        if action == "hazard":
            hazard = services.patrol_hazard_raise(entry=entry, actor=request.user, **form.cleaned_data)
            messages.success(request, _("已登记隐患 %(code)s") % {"code": hazard.code})
        else:
            services.patrol_finding_record(entry=entry, actor=request.user, **form.cleaned_data)
            messages.success(request, _("已记录巡查发现"))
    except ValidationError as exc:
        messages.error(request, "；".join(exc.messages))
    except PermissionDenied as exc:
        messages.error(request, str(exc))
    return HttpResponseRedirect(reverse("monitoring:patrol_detail", args=[pk]))

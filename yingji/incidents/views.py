from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.http import Http404, HttpResponse, HttpResponseRedirect, JsonResponse
from django.shortcuts import get_object_or_404, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from yingji.core import excel
from yingji.core.access import allowed, page_access
from yingji.core.scoping import has_model_perm
from yingji.core.selectors import region_root_for
from yingji.core.views.generic import TransitionView, available_moves, default_view, perform
from yingji.incidents import forms, services
from yingji.incidents.duty import today_duty
from yingji.incidents.map_layers import LAYERS
from yingji.incidents.models import (
    GRADE_COLORS,
    SUBTYPES,
    DispatchTask,
    EmergencyResponse,
    Incident,
    IncidentReport,
    MaterialAllocation,
)
from yingji.incidents.selectors import incident_geojson, incident_statistics, incident_timeline, incidents_for
from yingji.incidents.specs import DISPATCH_TASK, EMERGENCY_RESPONSE, INCIDENT, INCIDENT_REPORT, breadcrumbs
from yingji.incidents.word import DOCX, report_docx
from yingji.resources.selectors import haversine_km


@INCIDENT.register("list")
class IncidentListView(default_view(INCIDENT, "list")):
    default_ordering = ["-occurred_at", "-pk"]


@INCIDENT.register("detail")
class IncidentDetailView(default_view(INCIDENT, "detail")):
    """The incident with its reports, tasks, allocations, responses (each with its moves) and timeline, and the
    forms of the duty room: report up, start a response, dispatch, allocate."""

    def get_context_data(self, obj):
        context = super().get_context_data(obj)
        _mark_exercise(context, obj)
        user = self.request.user
        can_act = Incident.objects.restrict(user, "change").filter(pk=obj.pk).exists()
        responses = list(EmergencyResponse.objects.restrict(user, "view").filter(incident=obj).select_related(
            "ended_by"))
        context.update(
            # Each report with the moves the user may make on it (签收 by the receiving level), from its table.
            reports=[(report, available_moves(INCIDENT_REPORT, report, user)) for report in
                     IncidentReport.objects.restrict(user, "view").filter(incident=obj).select_related(
                         "to_region", "submitted_by", "signed_by")],
            tasks=DispatchTask.objects.restrict(user, "view").filter(incident=obj).select_related("team",
                                                                                                   "organization"),
            allocations=MaterialAllocation.objects.restrict(user, "view").filter(incident=obj).select_related(
                "warehouse", "material"),
            responses=[(response, available_moves(EMERGENCY_RESPONSE, response, user)) for response in responses],
            incident_timeline=incident_timeline(user, obj),
            can_act=can_act and has_model_perm(user, IncidentReport, "add"),
            report_form=forms.ReportSubmitForm(initial={"kind": obj.next_report_kind or "follow_up"}),
            response_form=forms.ResponseStartForm(),
            dispatch_form=forms.DispatchForm(user=user),
            allocation_form=forms.AllocationForm(user=user),
            grade_color=GRADE_COLORS.get(obj.grade),
        )
        return context


@INCIDENT.register("edit")
class IncidentEditView(default_view(INCIDENT, "edit")):
    def get_initial(self):
        return {"occurred_at": timezone.localtime().replace(second=0, microsecond=0)}


@INCIDENT_REPORT.register("list")
class IncidentReportListView(default_view(INCIDENT_REPORT, "list")):
    default_ordering = ["-submitted_at", "-pk"]


@INCIDENT_REPORT.register("detail")
class IncidentReportDetailView(default_view(INCIDENT_REPORT, "detail")):
    """The report as sent (its frozen version) and what changed since the previous one; 签收 from its table."""

    def get_queryset(self):
        return super().get_queryset().select_related("incident")

    def get_context_data(self, obj):
        context = super().get_context_data(obj)
        _mark_exercise(context, obj.incident)
        context["snapshot"] = [(label, obj.snapshot.get(key, "")) for key, label in services.SNAPSHOT_LABELS.items()]
        context["diff"] = services.report_diff(obj)
        return context


@DISPATCH_TASK.register("detail")
class DispatchTaskDetailView(default_view(DISPATCH_TASK, "detail")):
    def get_queryset(self):
        return super().get_queryset().select_related("incident")

    def get_context_data(self, obj):
        context = super().get_context_data(obj)
        _mark_exercise(context, obj.incident)
        return context


@EMERGENCY_RESPONSE.register("transition")
class ResponseTransitionView(TransitionView):
    """调整 / 终止 a response from its incident's page, and back to that page."""

    spec = EMERGENCY_RESPONSE

    def back(self, obj: EmergencyResponse) -> HttpResponseRedirect:
        return HttpResponseRedirect(reverse("incidents:incident_detail", args=[obj.incident_id]))


def _mark_exercise(context: dict, incident: Incident) -> None:
    """A drill's pages say so in the title and with a banner (incidents/includes/exercise_banner.html)."""
    context["exercise"] = incident.is_exercise
    if incident.is_exercise:
        context["title"] = services.EXERCISE_MARK + context["title"]


def _incident_for(request, pk: int, action: str = "change") -> Incident:
    return get_object_or_404(Incident.objects.restrict(request.user, action), pk=pk)


@login_required
@require_POST
def report_submit(request, pk: int):
    incident = _incident_for(request, pk)
    form = forms.ReportSubmitForm(request.POST)
    if form.is_valid():
        perform(request, lambda: services.report_submit(incident=incident, actor=request.user, **form.cleaned_data),
                _("已报送"))
    else:
        messages.error(request, _("请选择报告类型"))
    return HttpResponseRedirect(reverse("incidents:incident_detail", args=[pk]))


@login_required
def report_word(request, pk: int):
    if not has_model_perm(request.user, IncidentReport, "view"):
        raise PermissionDenied
    report = get_object_or_404(IncidentReport.objects.restrict(request.user, "view").select_related(
        "incident", "region", "to_region", "submitted_by"), pk=pk)
    response = HttpResponse(report_docx(report), content_type=DOCX)
    from urllib.parse import quote

    mark = "演练-" if report.incident.is_exercise else ""
    name = quote(f"{mark}{report.incident.code}-{report.get_kind_display()}{report.sequence}.docx")
    response["Content-Disposition"] = f"attachment; filename*=UTF-8''{name}"
    return response


@login_required
@require_POST
def response_start(request, pk: int):
    incident = _incident_for(request, pk)
    form = forms.ResponseStartForm(request.POST)
    if form.is_valid():
        perform(request, lambda: services.response_start(incident=incident, actor=request.user, **form.cleaned_data),
                _("已启动应急响应"))
    else:
        messages.error(request, _("请选择响应级别"))
    return HttpResponseRedirect(reverse("incidents:incident_detail", args=[pk]))


@login_required
@require_POST
def task_dispatch(request, pk: int):
    """Dispatch a team or organisation; answers JSON to the command map, a redirect to the incident page."""
    incident = _incident_for(request, pk)
    form = forms.DispatchForm(request.POST, user=request.user)
    wants_json = request.headers.get("Accept", "").startswith("application/json")
    target = reverse("incidents:incident_detail", args=[pk])
    if not form.is_valid():
        errors = "；".join(f"{form.fields[f].label if f in form.fields else ''}{'、'.join(e)}"
                          for f, e in form.errors.items())
        if wants_json:
            return JsonResponse({"detail": errors}, status=400)
        messages.error(request, errors)
        return HttpResponseRedirect(target)
    distance = None
    team = form.cleaned_data["team"]
    if team is not None:
        distance = round(haversine_km(incident.latitude, incident.longitude, team.latitude, team.longitude), 2)
    try:
        with transaction.atomic():
            task = services.task_dispatch(incident=incident, actor=request.user, distance_km=distance,
                                          **form.cleaned_data)
    except (ValidationError, PermissionDenied) as exc:
        message = "；".join(exc.messages) if isinstance(exc, ValidationError) else str(exc)
        if wants_json:
            return JsonResponse({"detail": message}, status=400)
        messages.error(request, message)
        return HttpResponseRedirect(target)
    if wants_json:
        return JsonResponse({"id": task.pk, "status": task.get_status_display()}, status=201)
    messages.success(request, _("已下达任务"))
    return HttpResponseRedirect(target)


@login_required
@require_POST
def material_allocate(request, pk: int):
    incident = _incident_for(request, pk)
    form = forms.AllocationForm(request.POST, user=request.user)
    if form.is_valid():
        perform(request, lambda: services.material_allocate(incident=incident, actor=request.user,
                                                            **form.cleaned_data), _("已调拨"))
    else:
        messages.error(request, "；".join(f"{form.fields[f].label}：{'、'.join(e)}" for f, e in form.errors.items()))
    return HttpResponseRedirect(reverse("incidents:incident_detail", args=[pk]))


def _date_param(request, name: str):
    from datetime import date

    try:
        return date.fromisoformat(request.GET.get(name, ""))
    except ValueError:
        return None


@page_access(allowed("view", Incident))
def statistics(request):
    """Real incidents in the user's jurisdiction by grade, category, county and month (drills never counted)."""
    start, end = _date_param(request, "from"), _date_param(request, "to")
    stats = incident_statistics(request.user, start=start, end=end)
    title = _("突发事件统计")
    if request.GET.get("export") == "xlsx":
        rows = ([section, row["name"], row["total"]] for section, key in (
            (_("事件等级"), "by_grade"), (_("事件类型"), "by_category"), (_("县（市、区）"), "by_county"),
            (_("月份"), "by_month")) for row in stats[key])
        return excel.workbook_response(excel.export_rows(title, [_("分类"), _("项目"), _("事件数")], rows), title)
    return render(request, "incidents/incident_statistics.html", {
        "title": title, "breadcrumbs": breadcrumbs() + [(title, None)], "stats": stats,
        "period": {"from": start.isoformat() if start else "", "to": end.isoformat() if end else ""},
        "query": request.GET.urlencode(),
    })


@login_required
def subtypes(request):
    return JsonResponse({k: v for k, v in SUBTYPES.items()})


def _exercise_mode(request) -> bool:
    """The command map shows real incidents; `?exercise=1` switches it to the drills (marked as such)."""
    return request.GET.get("exercise") == "1"


@page_access(allowed("view", Incident))
def command_map(request):
    root = region_root_for(request.user)
    exercise = _exercise_mode(request)
    suffix = "?exercise=1" if exercise else ""
    context = {
        "title": (services.EXERCISE_MARK if exercise else "") + _("应急指挥一张图"),
        "exercise": exercise,
        "breadcrumbs": [(_("首页"), reverse("home")), (_("应急指挥一张图"), None)],
        "regions_url": reverse("core:region_geojson") + (f"?parent={root.code}" if root else ""),
        "incidents_url": reverse("incidents:incident_geojson") + suffix,
        "resources_url": reverse("resources:resource_geojson"),
        "enterprises_url": reverse("enterprises:enterprise_geojson"),
        "feed_url": reverse("incidents:feed") + suffix,
        "layers": [(key, layer.label, reverse("incidents:map_layer", args=[key])) for key, layer in LAYERS.items()],
        "can_dispatch": has_model_perm(request.user, DispatchTask, "add"),
        "grades": list(GRADE_COLORS.items()),
        "today_duty": today_duty(request.user),
    }
    return render(request, "incidents/command_map.html", context)


@login_required
def map_layer(request, name: str):
    """One layer of another app for the command map, as GeoJSON of what the user may see there."""
    if not has_model_perm(request.user, Incident, "view"):
        raise PermissionDenied
    if name not in LAYERS:
        raise Http404
    return JsonResponse(LAYERS[name].read(request.user))


@login_required
def incident_points(request):
    if not has_model_perm(request.user, Incident, "view"):
        raise PermissionDenied
    queryset = incidents_for(request.user, exercise=_exercise_mode(request)).filter(closed=False)
    return JsonResponse(incident_geojson(queryset.order_by("-occurred_at")[:2000]))


@login_required
def feed(request):
    """What the command map polls: open incidents and the latest task receipts, so it updates without reloading."""
    if not has_model_perm(request.user, Incident, "view"):
        raise PermissionDenied
    exercise = _exercise_mode(request)
    tasks = DispatchTask.objects.restrict(request.user, "view").select_related("team", "organization", "incident")
    tasks = tasks.exercises() if exercise else tasks.real()
    return JsonResponse({
        "incidents": incident_geojson(incidents_for(request.user, exercise=exercise).filter(closed=False)
                                      .order_by("-occurred_at")[:2000])["features"],
        "tasks": [{"id": t.pk, "incident": t.incident.code, "assignee": str(t.team or t.organization),
                   "status": t.status, "status_label": t.get_status_display()} for t in tasks.order_by("-pk")[:50]],
    })

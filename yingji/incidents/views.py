from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.http import HttpResponse, HttpResponseRedirect, JsonResponse
from django.shortcuts import get_object_or_404, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_POST

from yingji.core.scoping import has_model_perm
from yingji.core.selectors import region_root_for
from yingji.core.tables import Column
from yingji.core.views.generic import ObjectDetailView, ObjectEditView, ObjectListView
from yingji.core.workflow import timeline
from yingji.incidents import filters, forms, services
from yingji.incidents.duty import today_duty
from yingji.incidents.models import (
    GRADE_COLORS,
    SUBTYPES,
    DispatchTask,
    EmergencyResponse,
    Incident,
    IncidentReport,
    MaterialAllocation,
)
from yingji.incidents.selectors import incident_geojson, incident_timeline
from yingji.incidents.states import REPORT_WORKFLOW, TASK_WORKFLOW
from yingji.incidents.word import DOCX, report_docx


def _crumbs():
    return [(_("首页"), reverse("home")), (_("信息报送"), reverse("incidents:incident_list"))]


class IncidentMixin:
    url_namespace = "incidents"

    def breadcrumbs(self):
        return _crumbs()


class IncidentListView(IncidentMixin, ObjectListView):
    model = Incident
    filterset_class = filters.IncidentFilterSet
    columns = [Column("code", link=True), Column("title", link=True), Column("category"), Column("subtype"),
               Column("occurred_at"), Column("region.name", gettext_lazy("发生地")), Column("grade"),
               Column("deaths"), Column("missing"), Column("serious_injuries"), Column("direct_loss_yuan"),
               Column("next_report_due"), Column("overdue_since")]
    default_ordering = ["-occurred_at", "-pk"]


class IncidentDetailView(IncidentMixin, ObjectDetailView):
    model = Incident
    template_name = "incidents/incident_detail.html"
    fields = [Column(n) for n in ("code", "title", "category", "subtype", "occurred_at", "place", "longitude",
                                  "latitude", "enterprise", "deaths", "missing", "serious_injuries", "light_injuries",
                                  "direct_loss_yuan", "grade", "description", "source", "reported_by", "created_at",
                                  "next_report_due", "overdue_since")]

    def get_context_data(self, obj):
        context = super().get_context_data(obj)
        user = self.request.user
        can_act = Incident.objects.restrict(user, "change").filter(pk=obj.pk).exists()
        context.update(
            reports=IncidentReport.objects.restrict(user, "view").filter(incident=obj).select_related(
                "to_region", "submitted_by", "signed_by"),
            tasks=DispatchTask.objects.restrict(user, "view").filter(incident=obj).select_related("team",
                                                                                                   "organization"),
            allocations=MaterialAllocation.objects.restrict(user, "view").filter(incident=obj).select_related(
                "warehouse", "material"),
            responses=EmergencyResponse.objects.restrict(user, "view").filter(incident=obj),
            incident_timeline=incident_timeline(user, obj),
            can_act=can_act and has_model_perm(user, IncidentReport, "add"),
            report_form=forms.ReportSubmitForm(initial={"kind": obj.next_report_kind or "follow_up"}),
            response_form=forms.ResponseStartForm(),
            dispatch_form=forms.DispatchForm(user=user),
            allocation_form=forms.AllocationForm(user=user),
            grade_color=GRADE_COLORS.get(obj.grade),
        )
        return context


class IncidentEditView(IncidentMixin, ObjectEditView):
    model = Incident
    form_class = forms.IncidentForm
    create_service = staticmethod(services.incident_create)
    update_service = staticmethod(services.incident_update)
    update_object_argument = "incident"

    def get_initial(self):
        return {"occurred_at": timezone.localtime().replace(second=0, microsecond=0)}


class IncidentReportListView(IncidentMixin, ObjectListView):
    model = IncidentReport
    filterset_class = filters.IncidentReportFilterSet
    columns = [Column("id", gettext_lazy("报告"), link=True, accessor=str),
               Column("incident.title", gettext_lazy("事件名称")), Column("kind"), Column("sequence"), Column("to_region.name", gettext_lazy("报送至")),
               Column("submitted_at"), Column("due_at"), Column("late"), Column("status"), Column("signed_at")]
    default_ordering = ["-submitted_at", "-pk"]


class IncidentReportDetailView(IncidentMixin, ObjectDetailView):
    model = IncidentReport
    template_name = "incidents/incidentreport_detail.html"
    fields = [Column("incident"), Column("kind"), Column("sequence"), Column("to_region"), Column("submitted_by"),
              Column("submitted_at"), Column("due_at"), Column("late"), Column("status"), Column("signed_by"),
              Column("signed_at")]

    def get_context_data(self, obj):
        context = super().get_context_data(obj)
        context["snapshot"] = [(label, obj.snapshot.get(key, "")) for key, label in services.SNAPSHOT_LABELS.items()]
        context["diff"] = services.report_diff(obj)
        context["actions"] = REPORT_WORKFLOW.available(obj, self.request.user)
        return context


class DispatchTaskListView(IncidentMixin, ObjectListView):
    model = DispatchTask
    filterset_class = filters.DispatchTaskFilterSet
    columns = [Column("id", gettext_lazy("任务"), link=True, accessor=str),
               Column("incident.code", gettext_lazy("事件编号")), Column("team.name", gettext_lazy("救援队伍")),
               Column("organization.name", gettext_lazy("责任单位")), Column("instruction", orderable=False),
               Column("status"), Column("distance_km"), Column("issued_at"), Column("completed_at")]


class DispatchTaskDetailView(IncidentMixin, ObjectDetailView):
    model = DispatchTask
    template_name = "incidents/dispatchtask_detail.html"
    with_attachments = True
    fields = [Column(n) for n in ("incident", "team", "organization", "instruction", "status", "distance_km",
                                  "feedback", "issued_by", "issued_at", "completed_at")]

    def get_context_data(self, obj):
        context = super().get_context_data(obj)
        context["actions"] = TASK_WORKFLOW.available(obj, self.request.user)
        context["timeline"] = timeline(obj, self.request.user)
        return context


def _incident_for(request, pk: int, action: str = "change") -> Incident:
    return get_object_or_404(Incident.objects.restrict(request.user, action), pk=pk)


def _done(request, call, success: str, target: str):
    try:
        with transaction.atomic():
            call()
    except (ValidationError, PermissionDenied) as exc:
        messages.error(request, "；".join(exc.messages) if isinstance(exc, ValidationError) else str(exc))
        return HttpResponseRedirect(target), False
    messages.success(request, success)
    return HttpResponseRedirect(target), True


@login_required
@require_POST
def report_submit(request, pk: int):
    incident = _incident_for(request, pk)
    form = forms.ReportSubmitForm(request.POST)
    target = reverse("incidents:incident_detail", args=[pk])
    if not form.is_valid():
        messages.error(request, _("请选择报告类型"))
        return HttpResponseRedirect(target)
    return _done(request, lambda: services.report_submit(incident=incident, actor=request.user, **form.cleaned_data),
                 _("已报送"), target)[0]


@login_required
@require_POST
def report_sign(request, pk: int):
    report = get_object_or_404(IncidentReport.objects.restrict(request.user, "change"), pk=pk)
    return _done(request, lambda: services.report_sign(report=report, actor=request.user), _("已签收"),
                 reverse("incidents:incidentreport_detail", args=[pk]))[0]


@login_required
def report_word(request, pk: int):
    if not has_model_perm(request.user, IncidentReport, "view"):
        raise PermissionDenied
    report = get_object_or_404(IncidentReport.objects.restrict(request.user, "view").select_related(
        "incident", "region", "to_region", "submitted_by"), pk=pk)
    response = HttpResponse(report_docx(report), content_type=DOCX)
    from urllib.parse import quote

    name = quote(f"{report.incident.code}-{report.get_kind_display()}{report.sequence}.docx")
    response["Content-Disposition"] = f"attachment; filename*=UTF-8''{name}"
    return response


@login_required
@require_POST
def response_start(request, pk: int):
    incident = _incident_for(request, pk)
    form = forms.ResponseStartForm(request.POST)
    target = reverse("incidents:incident_detail", args=[pk])
    if not form.is_valid():
        messages.error(request, _("请选择响应级别"))
        return HttpResponseRedirect(target)
    return _done(request, lambda: services.response_start(incident=incident, actor=request.user, **form.cleaned_data),
                 _("已启动应急响应"), target)[0]


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
        from yingji.resources.selectors import haversine_km

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
def task_advance(request, pk: int):
    task = get_object_or_404(DispatchTask.objects.restrict(request.user, "change"), pk=pk)
    return _done(request, lambda: services.task_advance(task=task, actor=request.user,
                                                        action=request.POST.get("action", ""),
                                                        feedback=request.POST.get("feedback", "")),
                 _("已办理"), reverse("incidents:dispatchtask_detail", args=[pk]))[0]


@login_required
@require_POST
def material_allocate(request, pk: int):
    incident = _incident_for(request, pk)
    form = forms.AllocationForm(request.POST, user=request.user)
    target = reverse("incidents:incident_detail", args=[pk])
    if not form.is_valid():
        messages.error(request, "；".join(f"{form.fields[f].label}：{'、'.join(e)}" for f, e in form.errors.items()))
        return HttpResponseRedirect(target)
    return _done(request, lambda: services.material_allocate(incident=incident, actor=request.user,
                                                             **form.cleaned_data), _("已调拨"), target)[0]


@login_required
def subtypes(request):
    return JsonResponse({k: v for k, v in SUBTYPES.items()})


@login_required
def command_map(request):
    if not has_model_perm(request.user, Incident, "view"):
        raise PermissionDenied
    root = region_root_for(request.user)
    context = {
        "title": _("应急指挥一张图"),
        "breadcrumbs": [(_("首页"), reverse("home")), (_("应急指挥一张图"), None)],
        "regions_url": reverse("core:region_geojson") + (f"?parent={root.code}" if root else ""),
        "incidents_url": reverse("incidents:incident_geojson"),
        "resources_url": reverse("resources:resource_geojson"),
        "enterprises_url": reverse("enterprises:enterprise_geojson"),
        "feed_url": reverse("incidents:feed"),
        "can_dispatch": has_model_perm(request.user, DispatchTask, "add"),
        "grades": list(GRADE_COLORS.items()),
        "today_duty": today_duty(request.user),
    }
    return render(request, "incidents/command_map.html", context)


@login_required
def incident_points(request):
    if not has_model_perm(request.user, Incident, "view"):
        raise PermissionDenied
    queryset = Incident.objects.restrict(request.user, "view").filter(closed=False)
    return JsonResponse(incident_geojson(queryset.order_by("-occurred_at")[:2000]))


@login_required
def feed(request):
    """What the command map polls: open incidents and the latest task receipts, so it updates without reloading."""
    if not has_model_perm(request.user, Incident, "view"):
        raise PermissionDenied
    tasks = DispatchTask.objects.restrict(request.user, "view").select_related("team", "organization", "incident")
    return JsonResponse({
        "incidents": incident_geojson(Incident.objects.restrict(request.user, "view").filter(closed=False)
                                      .order_by("-occurred_at")[:2000])["features"],
        "tasks": [{"id": t.pk, "incident": t.incident.code, "assignee": str(t.team or t.organization),
                   "status": t.status, "status_label": t.get_status_display()} for t in tasks.order_by("-pk")[:50]],
    })

"""How the incidents app's models are wired to pages, API and URLs (see `yingji.core.specs`).

Pages that are nothing but these declarations are generated; `views.py` and `views_duty.py` register their own
classes for the pages that show more (an incident's reports, tasks and responses; a report's frozen version).
The report's 签收, a task's receipt loop and a response's 调整/终止 are the flows: one transition route and one
API action each, from their tables in `states.py`.
"""

from django.urls import reverse
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from yingji.core.specs import Flow, ModelSpec
from yingji.core.tables import Column
from yingji.incidents import duty, filters, filters_duty, forms, services
from yingji.incidents.models import (
    DispatchTask,
    DutyLog,
    DutyShift,
    EmergencyResponse,
    Incident,
    IncidentReport,
    RollCall,
)
from yingji.incidents.states import REPORT_WORKFLOW, RESPONSE_WORKFLOW, TASK_WORKFLOW

NS = "incidents"


def breadcrumbs() -> list[tuple[str, str | None]]:
    return [(_("首页"), reverse("home")), (_("信息报送"), reverse("incidents:incident_list"))]


def duty_breadcrumbs() -> list[tuple[str, str | None]]:
    return [(_("首页"), reverse("home")), (_("值班值守"), reverse("incidents:dutyshift_list"))]


INCIDENT = ModelSpec(
    Incident, namespace=NS,
    create=services.incident_create, update=services.incident_update, object_argument="incident",
    columns=[Column("code", link=True), Column("title", link=True), Column("category"), Column("subtype"),
             Column("occurred_at"), Column("region.name", gettext_lazy("发生地")), Column("grade"),
             Column("deaths"), Column("missing"), Column("serious_injuries"), Column("direct_loss_yuan"),
             Column("next_report_due"), Column("overdue_since"), Column("is_exercise")],
    fields=[Column(n) for n in ("code", "title", "category", "subtype", "occurred_at", "place", "longitude",
                                "latitude", "enterprise", "deaths", "missing", "serious_injuries", "light_injuries",
                                "direct_loss_yuan", "grade", "description", "source", "reported_by", "created_at",
                                "next_report_due", "overdue_since")],
    form=forms.IncidentForm, filterset=filters.IncidentFilterSet, breadcrumbs=breadcrumbs,
    detail_template="incidents/incident_detail.html",
)

INCIDENT_REPORT = ModelSpec(
    IncidentReport, namespace=NS, prefix="reports", object_argument="report",
    flows=[Flow(REPORT_WORKFLOW, act=services.report_act, closed=("signed",))],
    columns=[Column("id", gettext_lazy("报告"), link=True, accessor=str),
             Column("incident.title", gettext_lazy("事件名称")), Column("kind"), Column("sequence"),
             Column("to_region.name", gettext_lazy("报送至")), Column("submitted_at"), Column("due_at"),
             Column("late"), Column("status"), Column("signed_at")],
    fields=[Column("incident"), Column("kind"), Column("sequence"), Column("to_region"), Column("submitted_by"),
            Column("submitted_at"), Column("due_at"), Column("late"), Column("status"), Column("signed_by"),
            Column("signed_at")],
    filterset=filters.IncidentReportFilterSet, breadcrumbs=breadcrumbs,
    detail_template="incidents/incidentreport_detail.html",
)

DISPATCH_TASK = ModelSpec(
    DispatchTask, namespace=NS, prefix="tasks", object_argument="task",
    flows=[Flow(TASK_WORKFLOW, act=services.task_act, closed=("completed",))],
    columns=[Column("id", gettext_lazy("任务"), link=True, accessor=str),
             Column("incident.code", gettext_lazy("事件编号")), Column("team.name", gettext_lazy("救援队伍")),
             Column("organization.name", gettext_lazy("责任单位")), Column("instruction", orderable=False),
             Column("status"), Column("distance_km"), Column("issued_at"), Column("completed_at")],
    fields=[Column(n) for n in ("incident", "team", "organization", "instruction", "status", "distance_km",
                                "feedback", "issued_by", "issued_at", "completed_at")],
    filterset=filters.DispatchTaskFilterSet, breadcrumbs=breadcrumbs,
    detail_template="incidents/dispatchtask_detail.html", with_attachments=True,
)

# A response has no page of its own: it is shown, adjusted and ended on its incident's page.
EMERGENCY_RESPONSE = ModelSpec(
    EmergencyResponse, namespace=NS, prefix="responses", object_argument="response",
    flows=[Flow(RESPONSE_WORKFLOW, act=services.response_act, closed=("ended",))], breadcrumbs=breadcrumbs,
)

DUTY_SHIFT = ModelSpec(
    DutyShift, namespace=NS, prefix="duty",
    create=duty.duty_shift_create, update=duty.duty_shift_update,
    columns=[Column("id", gettext_lazy("值班安排"), link=True, accessor=str),
             Column("organization.name", gettext_lazy("值班单位")), Column("date"), Column("position"),
             Column("person_name"), Column("phone", orderable=False)],
    fields=[Column(n) for n in ("organization", "date", "position", "person_name", "phone")],
    form=forms.DutyShiftForm, filterset=filters_duty.DutyShiftFilterSet, breadcrumbs=duty_breadcrumbs,
)

DUTY_LOG = ModelSpec(
    DutyLog, namespace=NS, prefix="duty-logs",
    create=duty.duty_log_create, update=duty.duty_log_update,
    columns=[Column("id", gettext_lazy("值班日志"), link=True, accessor=str), Column("date"),
             Column("officer.real_name", gettext_lazy("值班人")), Column("content", orderable=False),
             Column("open_items", orderable=False), Column("handed_over_to.real_name", gettext_lazy("接班人")),
             Column("handed_over_at")],
    fields=[Column(n) for n in ("organization", "date", "officer", "content", "open_items", "handed_over_to",
                                "handed_over_at")],
    form=forms.DutyLogForm, filterset=filters_duty.DutyLogFilterSet, breadcrumbs=duty_breadcrumbs,
    detail_template="incidents/dutylog_detail.html",
)

# A roll-call is sent by its own page (`rollcall_send`): the caller and callee are chosen, nothing else is edited.
ROLL_CALL = ModelSpec(
    RollCall, namespace=NS, prefix="rollcalls",
    columns=[Column("id", gettext_lazy("点名"), link=True, accessor=str), Column("called_at"),
             Column("caller.name", gettext_lazy("点名单位")), Column("callee.name", gettext_lazy("被点名单位")),
             Column("called_by.real_name", gettext_lazy("点名人")), Column("answered_at"),
             Column("answered_by.real_name", gettext_lazy("应答人")), Column("response_seconds")],
    fields=[Column(n) for n in ("caller", "callee", "called_by", "called_at", "answered_by", "answered_at",
                                "response_seconds")],
    filterset=filters_duty.RollCallFilterSet, breadcrumbs=duty_breadcrumbs,
    detail_template="incidents/rollcall_detail.html",
)

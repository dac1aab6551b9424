"""The closed loops of the disasters app, as tables of allowed moves.

Who may act:
- 灾情报告 (DisasterReport): the reporter's side (`disasters.change_disasterreport`, e.g. a 灾害信息员 of the
  village) submits a draft and resubmits a returned report; a reviewer (`disasters.review_disasterreport`, the
  township or county duty room) who did not write the report accepts it or returns it with a reason.
- 灾害事件 (DisasterEvent): the duty room (`disasters.change_disasterevent`) moves it to 核报 when the disaster
  has stabilised and closes it when the 核报 are in.
- 会商 (Consultation): `disasters.change_consultation` records it as held and issues its assessment report.
- 会商任务 (ConsultationTask): a user of the assignee organisation starts it and reports it done; the
  consultation's side (`disasters.change_consultation`, not of the assignee) confirms it or sends it back.
"""

from __future__ import annotations

from django.db.models import Q
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from yingji.core.workflow import ActionField, Transition, Workflow, rows_rule, user_rule
from yingji.disasters.models import ConsultationStatus, EventStatus, ReportStatus, TaskStatus


@user_rule
def can_report(user, report) -> bool:
    return not user.scope_enterprise_id and user.has_perm("disasters.change_disasterreport")


def _reviewable(user) -> Q | None:
    if user.scope_enterprise_id or not user.has_perm("disasters.review_disasterreport"):
        return None
    return ~Q(created_by=user)


@rows_rule(_reviewable)
def can_review(user, report) -> bool:
    return (not user.scope_enterprise_id and user.has_perm("disasters.review_disasterreport")
            and report.created_by_id != user.pk)


def event_open(report) -> str | None:
    if report.event.status == EventStatus.CLOSED:
        return _("灾害事件已结束，不能再报送")
    return None


R = ReportStatus
REPORT_WORKFLOW = Workflow(
    choices=ReportStatus,
    transitions=[
        Transition(R.DRAFT, "submit", R.SUBMITTED, gettext_lazy("报送"), who=can_report, requires=event_open),
        Transition(R.SUBMITTED, "accept", R.ACCEPTED, gettext_lazy("审核通过"), who=can_review),
        Transition(R.SUBMITTED, "return", R.RETURNED, gettext_lazy("退回"), who=can_review, reason_required=True),
        Transition(R.RETURNED, "resubmit", R.SUBMITTED, gettext_lazy("重新报送"), who=can_report,
                   requires=event_open),
    ],
)


@user_rule
def can_manage_event(user, event) -> bool:
    return not user.scope_enterprise_id and user.has_perm("disasters.change_disasterevent")


E = EventStatus
EVENT_WORKFLOW = Workflow(
    choices=EventStatus,
    transitions=[
        # An event runs while its reports come in: a stage the duty room ends when it judges, not a to-do.
        Transition(E.REPORTING, "verify", E.VERIFYING, gettext_lazy("转入核报"), who=can_manage_event, todo=False),
        Transition(E.VERIFYING, "close", E.CLOSED, gettext_lazy("结束"), who=can_manage_event, todo=False),
        Transition(E.VERIFYING, "reopen", E.REPORTING, gettext_lazy("恢复续报"), who=can_manage_event, todo=False,
                   reason_required=True),
    ],
)


@user_rule
def can_manage_consultation(user, consultation) -> bool:
    return not user.scope_enterprise_id and user.has_perm("disasters.change_consultation")


def has_conclusions(consultation) -> str | None:
    if not consultation.conclusions.strip():
        return _("请先填写会商结论")
    return None


C = ConsultationStatus
CONSULTATION_WORKFLOW = Workflow(
    choices=ConsultationStatus,
    transitions=[
        Transition(C.PLANNED, "hold", C.HELD, gettext_lazy("记录召开"), who=can_manage_consultation,
                   requires=has_conclusions),
        Transition(C.HELD, "issue", C.ISSUED, gettext_lazy("印发评估报告"), who=can_manage_consultation),
    ],
)


def _assigned(user) -> Q | None:
    if user.organization_id is None or not user.has_perm("disasters.change_consultationtask"):
        return None
    return Q(organization_id=user.organization_id)


@rows_rule(_assigned)
def of_assignee(user, task) -> bool:
    return (user.organization_id is not None and user.organization_id == task.organization_id
            and user.has_perm("disasters.change_consultationtask"))


def _confirmable(user) -> Q | None:
    if not can_manage_consultation(user, None):
        return None
    return ~Q(organization_id=user.organization_id) if user.organization_id is not None else Q()


@rows_rule(_confirmable)
def can_confirm(user, task) -> bool:
    return can_manage_consultation(user, task) and user.organization_id != task.organization_id


T = TaskStatus
TASK_WORKFLOW = Workflow(
    choices=TaskStatus,
    transitions=[
        Transition(T.ASSIGNED, "start", T.IN_PROGRESS, gettext_lazy("签收办理"), who=of_assignee),
        # The result comes with the button press (the service also refuses a task submitted without one).
        Transition(T.IN_PROGRESS, "submit", T.SUBMITTED, gettext_lazy("报告办结"), who=of_assignee,
                   fields=(ActionField("result", required=True),)),
        Transition(T.SUBMITTED, "confirm", T.DONE, gettext_lazy("确认办结"), who=can_confirm),
        Transition(T.SUBMITTED, "return", T.IN_PROGRESS, gettext_lazy("退回重办"), who=can_confirm,
                   reason_required=True),
    ],
)

"""Workflows of the incident app: a report is signed for by the level above; a task runs its receipt loop."""

from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from yingji.core.workflow import ActionField, Transition, Workflow, rows_rule, user_rule
from yingji.incidents.models import ReportStatus, ResponseStatus, TaskStatus


def _to_sign(user) -> Q | None:
    if not user.scope_region_id or not user.has_perm("incidents.change_incidentreport"):
        return None
    return Q(to_region_id=user.scope_region_id) & ~Q(submitted_by=user)


@rows_rule(_to_sign)
def upper_level_duty(user, report) -> bool:
    """Only the level the report was sent to signs for it: a user whose jurisdiction is exactly that region, and
    never the sender herself (签收 is the receiver's acknowledgement)."""
    return (user.scope_region_id == report.to_region_id and user.has_perm("incidents.change_incidentreport")
            and report.submitted_by_id != user.pk)


@user_rule
def task_handler(user, task) -> bool:
    return not user.scope_enterprise_id and user.has_perm("incidents.change_dispatchtask")


@user_rule
def response_commander(user, response) -> bool:
    """The bureau running the response (not an enterprise) with the right to change responses adjusts or ends it."""
    return not user.scope_enterprise_id and user.has_perm("incidents.change_emergencyresponse")


REPORT_WORKFLOW = Workflow(
    choices=ReportStatus,
    transitions=[Transition(ReportStatus.SUBMITTED, "sign", ReportStatus.SIGNED, _("签收"), who=upper_level_duty)],
)

T = TaskStatus
TASK_WORKFLOW = Workflow(
    choices=TaskStatus,
    transitions=[
        Transition(T.ISSUED, "accept", T.ACCEPTED, _("签收任务"), who=task_handler),
        Transition(T.ACCEPTED, "start", T.IN_PROGRESS, _("开始执行"), who=task_handler),
        Transition(T.IN_PROGRESS, "complete", T.COMPLETED, _("完成任务"), who=task_handler, reason_required=True),
    ],
)

# A response is started by `response_start` (at most one active per incident); while active its level may be adjusted
# (升级/降级, with the reason); ending it (响应终止) needs the reason and summary, and records who and when.
RESPONSE_WORKFLOW = Workflow(
    choices=ResponseStatus,
    transitions=[
        Transition(ResponseStatus.ACTIVE, "adjust", ResponseStatus.ACTIVE, _("调整响应级别"), who=response_commander,
                   reason_required=True, fields=(ActionField("level", required=True),), todo=False),
        Transition(ResponseStatus.ACTIVE, "end", ResponseStatus.ENDED, _("终止响应"), who=response_commander,
                   reason_required=True, todo=False),
    ],
)

"""The alarm loop: 未确认 → 已确认 → 处置中 (disposal feedback) → 已消警.

Recovery of the value is not a move of this table: a recovered alarm still needs its disposal
recorded before it can be closed, and an alarm still out of limits cannot be closed at all.
"""

from django.db import models
from django.utils.translation import gettext_lazy as _

from yingji.core.workflow import ActionField, Transition, Workflow, user_rule
from yingji.monitoring.models import AlarmStatus


@user_rule
def alarm_handler(user, alarm) -> bool:
    """The enterprise's own people and the bureau's monitoring officers handle alarms."""
    return user.has_perm("monitoring.change_alarm")


def recovered(alarm) -> str | None:
    if alarm.recovered_at is None:
        return str(_("报警尚未恢复正常（数值仍超限或仍离线），不能消警。"))
    if not alarm.measures.strip():
        return str(_("请先填写处置措施。"))
    return None


S = AlarmStatus

# 处置反馈 states the measures taken (they are what the timeline records) and may bring a photo of the scene.
DISPOSAL = (ActionField("measures", required=True), ActionField("photos", models.FileField(_("处置照片"))))

WORKFLOW = Workflow(
    choices=AlarmStatus,
    transitions=[
        Transition(S.UNACKNOWLEDGED, "acknowledge", S.ACKNOWLEDGED, _("确认报警"), who=alarm_handler),
        Transition(S.ACKNOWLEDGED, "dispose", S.DISPOSING, _("处置反馈"), who=alarm_handler, fields=DISPOSAL),
        Transition(S.DISPOSING, "dispose", S.DISPOSING, _("处置反馈"), who=alarm_handler, fields=DISPOSAL),
        Transition(S.DISPOSING, "close", S.CLOSED, _("消警"), who=alarm_handler, requires=recovered),
    ],
)

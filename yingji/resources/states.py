"""Status of a rescue team: 待命 → 出动 → 休整 → 待命, changed only through this table."""

from django.utils.translation import gettext_lazy as _

from yingji.core.workflow import Transition, Workflow
from yingji.resources.models import TeamStatus


def team_commander(user, team) -> bool:
    return not user.scope_enterprise_id and user.has_perm("resources.change_rescueteam")


S = TeamStatus
WORKFLOW = Workflow(
    todo=False,  # a standing status, changed when someone decides to: nobody waits on it
    choices=TeamStatus,
    transitions=[
        Transition(S.STANDBY, "deploy", S.DEPLOYED, _("出动"), who=team_commander),
        Transition(S.DEPLOYED, "withdraw", S.RESTING, _("收队休整"), who=team_commander),
        Transition(S.RESTING, "ready", S.STANDBY, _("恢复待命"), who=team_commander),
        Transition(S.STANDBY, "rest", S.RESTING, _("转入休整"), who=team_commander, reason_required=True),
    ],
)

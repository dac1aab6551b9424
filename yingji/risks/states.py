"""Whether a risk point is in use: retired when the equipment, activity or place no longer exists."""

from django.utils.translation import gettext_lazy as _

from yingji.core.workflow import Transition, Workflow
from yingji.risks.models import RiskPointStatus


def keeper(user, risk_point) -> bool:
    """Whoever may change the risk point (the enterprise itself, or an administrator in scope)."""
    return user.has_perm("risks.change_riskpoint")


S = RiskPointStatus
WORKFLOW = Workflow(
    todo=False,  # a standing status, changed when someone decides to: nobody waits on it
    choices=RiskPointStatus,
    transitions=[
        Transition(S.ACTIVE, "retire", S.RETIRED, _("停用"), who=keeper, reason_required=True),
        Transition(S.RETIRED, "reactivate", S.ACTIVE, _("重新启用"), who=keeper, reason_required=True),
    ],
)

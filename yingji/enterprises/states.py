"""Production status of an enterprise: changed by the bureau, never by the enterprise itself."""

from django.utils.translation import gettext_lazy as _

from yingji.core.workflow import Transition, Workflow
from yingji.enterprises.models import Status


def bureau_officer(user, enterprise) -> bool:
    return not user.scope_enterprise_id and user.has_perm("enterprises.change_enterprise")


WORKFLOW = Workflow(
    todo=False,  # a standing status, changed when someone decides to: nobody waits on it
    choices=Status,
    transitions=[
        Transition(Status.OPERATING, "suspend", Status.SUSPENDED, _("责令停产"), who=bureau_officer, reason_required=True),
        Transition(Status.SUSPENDED, "resume", Status.OPERATING, _("恢复生产"), who=bureau_officer, reason_required=True),
        Transition(Status.OPERATING, "close", Status.CLOSED, _("关闭取缔"), who=bureau_officer, reason_required=True),
        Transition(Status.SUSPENDED, "close", Status.CLOSED, _("关闭取缔"), who=bureau_officer, reason_required=True),
    ],
)

"""An exam attempt: 答题中 → 已交卷 (the candidate hands in) or → 超时自动交卷 (the server, at the time limit).

Candidates are not platform users: they act through the exam session (ID number + admission ticket), and the
service passes `actor=None` with the ticket in the change row's data. No platform user may hand in or time out
someone else's paper, so `who` refuses every user.
"""

from __future__ import annotations

from django.utils.translation import gettext_lazy as _

from yingji.core.workflow import Transition, Workflow, system_rule
from yingji.training.models import AttemptStatus

S = AttemptStatus


@system_rule
def nobody(user, attempt) -> bool:
    return False


WORKFLOW = Workflow(
    choices=AttemptStatus,
    transitions=[
        Transition(S.IN_PROGRESS, "submit", S.SUBMITTED, _("交卷"), who=nobody),
        Transition(S.IN_PROGRESS, "time_out", S.TIMED_OUT, _("超时自动交卷"), who=nobody),
    ],
)

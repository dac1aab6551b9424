"""How a tip-off is handled, as one table of allowed moves.

Who may act: a bureau user (no enterprise scope) holding `tipoffs.change_tipoff`, inside whose jurisdiction the
tip-off lies (checked by `transition`). A reward is approved, or sent back, by someone other than its proposer.
"""

from __future__ import annotations

from django.utils.translation import gettext_lazy as _

from yingji.core.workflow import Transition, Workflow
from yingji.tipoffs.models import TipOffStatus


def handler(user, tipoff) -> bool:
    return not user.scope_enterprise_id and user.has_perm("tipoffs.change_tipoff")


def not_the_proposer(user, tipoff) -> bool:
    return handler(user, tipoff) and tipoff.reward_proposed_by_id != user.pk


S = TipOffStatus
WORKFLOW = Workflow(
    choices=TipOffStatus,
    transitions=[
        Transition(S.RECEIVED, "accept", S.ACCEPTED, _("受理"), who=handler),
        Transition(S.RECEIVED, "reject", S.INVALID, _("不予受理"), who=handler, reason_required=True),
        Transition(S.ACCEPTED, "investigate", S.INVESTIGATING, _("开始核查"), who=handler),
        Transition(S.INVESTIGATING, "substantiate", S.SUBSTANTIATED, _("核查属实"), who=handler),
        Transition(S.INVESTIGATING, "dismiss", S.UNSUBSTANTIATED, _("核查不属实"), who=handler, reason_required=True),
        Transition(S.SUBSTANTIATED, "propose_reward", S.REWARD_PROPOSED, _("提出奖励"), who=handler),
        Transition(S.REWARD_PROPOSED, "approve_reward", S.REWARD_APPROVED, _("批准奖励"), who=not_the_proposer),
        Transition(S.REWARD_PROPOSED, "return_reward", S.SUBSTANTIATED, _("退回奖励建议"), who=not_the_proposer,
                   reason_required=True),
        Transition(S.REWARD_APPROVED, "pay", S.REWARD_PAID, _("发放奖励"), who=handler),
    ],
)

ACTIONS = {t.action: t.label for t in WORKFLOW.transitions}

# What the reporter sees on the public tracking page for each move: a fixed phrase, never the officer's reason.
PUBLIC_MILESTONES = {
    "accept": _("举报已受理"),
    "reject": _("举报不予受理"),
    "investigate": _("正在核查"),
    "substantiate": _("经核查，举报属实，已立案整改"),
    "dismiss": _("经核查，举报事项不属实"),
    "propose_reward": _("奖励审核中"),
    "approve_reward": _("奖励已批准，请等待联系发放"),
    "return_reward": _("奖励审核中"),
    "pay": _("奖励已发放"),
}

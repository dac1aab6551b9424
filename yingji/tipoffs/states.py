"""How a tip-off is handled, as one table of allowed moves.

Who may act: a bureau user (no enterprise scope) holding `tipoffs.change_tipoff`, inside whose jurisdiction the
tip-off lies (checked by `transition`). A reward is approved, or sent back, by someone other than its proposer.
"""

from __future__ import annotations

from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from yingji.core.workflow import ActionField, Transition, Workflow, rows_rule, user_rule
from yingji.enterprises.models import Enterprise
from yingji.hazards.models import HazardCategory, HazardLevel
from yingji.tipoffs.models import TipOffStatus


@user_rule
def handler(user, tipoff) -> bool:
    return not user.scope_enterprise_id and user.has_perm("tipoffs.change_tipoff")


@rows_rule(lambda user: ~Q(reward_proposed_by=user) if handler(user, None) else None)
def not_the_proposer(user, tipoff) -> bool:
    return handler(user, tipoff) and tipoff.reward_proposed_by_id != user.pk


# What 核查属实 takes for the hazard it creates (none of them a field of the tip-off itself).
HAZARD_FIELDS = (
    ActionField("hazard_category", models.CharField(
        _("隐患类别"), max_length=20, blank=True, choices=[("", _("按举报类别")), *HazardCategory.choices])),
    ActionField("hazard_level", models.CharField(_("隐患级别"), max_length=10, choices=HazardLevel.choices,
                                                 default=HazardLevel.GENERAL)),
    ActionField("place", models.CharField(_("隐患部位/地点"), max_length=200, blank=True)),
    ActionField("enterprise", models.ForeignKey(Enterprise, verbose_name=_("涉及企业"), null=True, blank=True,
                                                on_delete=models.PROTECT)),
    ActionField("deadline", models.DateField(_("整改期限"), null=True, blank=True)),
)
PROPOSED_AMOUNT = ActionField("amount", models.DecimalField(_("建议奖励金额（元）"), max_digits=10, decimal_places=2),
                              required=True)
PAYMENT_FIELDS = (
    ActionField("amount", models.DecimalField(_("实发金额（元）"), max_digits=10, decimal_places=2, null=True,
                                              blank=True, help_text=_("不填则按批准的金额"))),
    ActionField("paid_on", models.DateField(_("发放日期"), null=True, blank=True, help_text=_("不填则为今天"))),
)

S = TipOffStatus
WORKFLOW = Workflow(
    choices=TipOffStatus,
    transitions=[
        Transition(S.RECEIVED, "accept", S.ACCEPTED, _("受理"), who=handler),
        Transition(S.RECEIVED, "reject", S.INVALID, _("不予受理"), who=handler, reason_required=True),
        Transition(S.ACCEPTED, "investigate", S.INVESTIGATING, _("开始核查"), who=handler),
        Transition(S.INVESTIGATING, "substantiate", S.SUBSTANTIATED, _("核查属实"), who=handler, fields=HAZARD_FIELDS),
        Transition(S.INVESTIGATING, "dismiss", S.UNSUBSTANTIATED, _("核查不属实"), who=handler, reason_required=True),
        Transition(S.SUBSTANTIATED, "propose_reward", S.REWARD_PROPOSED, _("提出奖励"), who=handler,
                   fields=(PROPOSED_AMOUNT,)),
        Transition(S.REWARD_PROPOSED, "approve_reward", S.REWARD_APPROVED, _("批准奖励"), who=not_the_proposer),
        Transition(S.REWARD_PROPOSED, "return_reward", S.SUBSTANTIATED, _("退回奖励建议"), who=not_the_proposer,
                   reason_required=True),
        Transition(S.REWARD_APPROVED, "pay", S.REWARD_PAID, _("发放奖励"), who=handler, fields=PAYMENT_FIELDS),
    ],
)

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

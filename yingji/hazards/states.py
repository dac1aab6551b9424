"""The hazard closed loop (发现 → 整改 → 验收 → 销号) and 挂牌督办, as tables of allowed moves.

Who may act:
- 下达整改 (assign): a bureau officer with `hazards.assign_hazard`, or the enterprise's own user for a hazard
  of their enterprise (an enterprise starts rectifying what it found itself). A 重大隐患 needs its complete
  治理方案 first.
- 提交验收 (submit): the enterprise's user for an enterprise hazard; a bureau officer with
  `hazards.change_hazard` for a hazard in a public place. For an enterprise without an account, the officer
  submits for it (submit_for_enterprise, 代企业操作: a note and optionally a file as evidence; `yingji.core.on_behalf`).
  The rectification is then the enterprise's, not the officer's, so he may still accept it.
- 验收销号 / 验收不通过 (accept / reject): a bureau officer with `hazards.accept_hazard` who did not submit the
  rectification; a hazard under 挂牌督办 only by a user of its supervising unit. Rejection needs a reason.
- 挂牌督办 / 摘牌 (list / delist): a bureau officer with `hazards.supervise_hazard`; only 重大隐患 are listed,
  and a listed hazard is delisted when it is closed.
"""

from __future__ import annotations

from django.db.models import Q
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from yingji.core.on_behalf import officer_for_enterprise_without_account, on_behalf_of_enterprise
from yingji.core.workflow import ActionField, Transition, Workflow, rows_rule, user_rule
from yingji.hazards.models import HazardLevel, HazardStatus, SupervisionStatus

S = HazardStatus


def _is_bureau(user) -> bool:
    return not user.scope_enterprise_id


def _own_enterprise(user, hazard) -> bool:
    return bool(user.scope_enterprise_id) and user.scope_enterprise_id == hazard.enterprise_id


def _assignable(user) -> Q | None:
    if _is_bureau(user):
        return Q() if user.has_perm("hazards.assign_hazard") else None
    return Q(enterprise_id=user.scope_enterprise_id) if user.has_perm("hazards.change_hazard") else None


@rows_rule(_assignable)
def can_assign(user, hazard) -> bool:
    if _is_bureau(user):
        return user.has_perm("hazards.assign_hazard")
    return _own_enterprise(user, hazard) and user.has_perm("hazards.change_hazard")


def _submittable(user) -> Q | None:
    if not user.has_perm("hazards.change_hazard"):
        return None
    if user.scope_enterprise_id:
        return Q(enterprise_id=user.scope_enterprise_id)
    return Q(enterprise__isnull=True)


@rows_rule(_submittable)
def can_submit(user, hazard) -> bool:
    if not user.has_perm("hazards.change_hazard"):
        return False
    if hazard.enterprise_id:
        return _own_enterprise(user, hazard)
    return _is_bureau(user)


def _acceptable(user) -> Q | None:
    if not _is_bureau(user) or not user.has_perm("hazards.accept_hazard"):
        return None
    supervised = Q(supervision_status=SupervisionStatus.LISTED)
    own_unit = Q(supervising_unit_id=user.organization_id) if user.organization_id is not None else Q(pk__in=[])
    return ~Q(rectified_by=user) & (~supervised | (supervised & own_unit))


@rows_rule(_acceptable)
def can_accept(user, hazard) -> bool:
    if not _is_bureau(user) or not user.has_perm("hazards.accept_hazard"):
        return False
    if hazard.rectified_by_id == user.pk:
        return False
    if hazard.supervision_status == SupervisionStatus.LISTED:
        return user.organization_id is not None and user.organization_id == hazard.supervising_unit_id
    return True


@user_rule
def can_supervise(user, hazard) -> bool:
    return _is_bureau(user) and user.has_perm("hazards.supervise_hazard")


def plan_ready(hazard) -> str | None:
    """A 重大隐患 may not start rectification without its complete 治理方案 (令第16号 第十五条)."""
    if hazard.level != HazardLevel.MAJOR or hazard.plan_complete:
        return None
    return _("重大隐患须先制定完整的治理方案，缺少：%(parts)s") % {"parts": "、".join(hazard.missing_plan_parts())}


def listable(hazard) -> str | None:
    if hazard.level != HazardLevel.MAJOR:
        return _("只有重大隐患可以挂牌督办")
    if hazard.status == HazardStatus.CLOSED:
        return _("已销号的隐患不能挂牌督办")
    return None


def delistable(hazard) -> str | None:
    if hazard.status != HazardStatus.CLOSED:
        return _("隐患销号后方可摘牌")
    return None


SUBMIT = Transition(S.RECTIFYING, "submit", S.AWAITING_ACCEPTANCE, gettext_lazy("提交验收"), who=can_submit,
                    fields=("measures",))

WORKFLOW = Workflow(
    choices=HazardStatus,
    transitions=[
        Transition(S.REPORTED, "assign", S.RECTIFYING, gettext_lazy("下达整改"), who=can_assign, requires=plan_ready,
                   fields=("deadline",)),
        SUBMIT,
        # An enterprise without an account cannot submit: its supervising officer does it for it, with evidence.
        on_behalf_of_enterprise(SUBMIT, action="submit_for_enterprise",
                                who=officer_for_enterprise_without_account("hazards.change_hazard")),
        Transition(S.AWAITING_ACCEPTANCE, "accept", S.CLOSED, gettext_lazy("验收销号"), who=can_accept),
        Transition(S.AWAITING_ACCEPTANCE, "reject", S.RECTIFYING, gettext_lazy("验收不通过"), who=can_accept,
                   reason_required=True),
    ],
)

SUPERVISION_WORKFLOW = Workflow(
    choices=SupervisionStatus,
    status_field="supervision_status",
    transitions=[
        Transition(SupervisionStatus.NONE, "list", SupervisionStatus.LISTED, gettext_lazy("挂牌督办"),
                   who=can_supervise, requires=listable, todo=False,
                   fields=(ActionField("supervision_level", required=True), ActionField("supervising_unit", required=True),
                           "supervision_listed_on")),
        Transition(SupervisionStatus.LISTED, "delist", SupervisionStatus.DELISTED, gettext_lazy("摘牌"),
                   who=can_supervise, requires=delistable, todo=False),
    ],
)

ACTIONS = {t.action: t.label for t in WORKFLOW.transitions}

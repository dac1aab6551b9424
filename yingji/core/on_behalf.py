"""代企业操作: a move an enterprise must make, made for it by its supervising officer when it has no account.

Most small enterprises have no account on the platform, so a loop that waits for the enterprise (提交验收 of a
hazard...) would wait for nobody. The table declares, beside the enterprise's own move, its twin:

    SUBMIT = Transition(S.RECTIFYING, "submit", S.AWAITING_ACCEPTANCE, _("提交验收"), who=can_submit, ...)
    WORKFLOW = Workflow(choices=..., transitions=[..., SUBMIT,
                        on_behalf_of_enterprise(SUBMIT, action="submit_for_enterprise",
                                                who=officer_for_enterprise_without_account("hazards.change_hazard"))])

The twin has the same source and target, its label says "（代企业操作）", its note (the evidence: what was seen,
who was met) is required and it takes an optional file (`evidence`, a photo or a scanned document). Only a bureau
user with the permission may make it, only for a record of an enterprise that has no active account, and inside
his jurisdiction (`transition()` checks that). The service stores the file on the record and passes
`ON_BEHALF_DATA` to `transition()`, so the timeline row says the move was made for the enterprise.
"""

from __future__ import annotations

from dataclasses import replace

from django.db import models
from django.db.models import Q
from django.utils.text import format_lazy
from django.utils.translation import gettext_lazy as _

from yingji.core.models import User
from yingji.core.services import attachment_store
from yingji.core.workflow import ActionField, Rule, Transition

EVIDENCE = ActionField("evidence", models.FileField(_("佐证材料（照片或文件）"), blank=True))
ON_BEHALF_DATA = {"on_behalf": "enterprise"}
ON_BEHALF_LABEL = _("代企业操作")


def enterprises_with_account() -> models.QuerySet:
    """The ids of enterprises that have at least one active account (as a subquery)."""
    return User.objects.filter(is_active=True, scope_enterprise__isnull=False).values("scope_enterprise_id")


def has_account(enterprise_id: int | None) -> bool:
    return enterprise_id is not None and User.objects.filter(is_active=True, scope_enterprise_id=enterprise_id).exists()


def officer_for_enterprise_without_account(permission: str) -> Rule:
    """The rule of a 代企业操作 move: a bureau user with `permission`, for a record of an enterprise (its
    `enterprise` field) that has no active account. Carries its set-based twin for the to-do lists."""

    def rule(user, obj) -> bool:
        if user.scope_enterprise_id or not user.has_perm(permission):
            return False
        enterprise_id = getattr(obj, "enterprise_id", None)
        return enterprise_id is not None and not has_account(enterprise_id)

    def rows(user) -> Q | None:
        if user.scope_enterprise_id or not user.has_perm(permission):
            return None
        return Q(enterprise__isnull=False) & ~Q(enterprise_id__in=enterprises_with_account())

    rule.rows = rows
    rule.__doc__ = f"代企业操作: a bureau user with {permission}, for an enterprise without an account."
    return rule


def on_behalf_of_enterprise(move: Transition, *, action: str, who: Rule) -> Transition:
    """The twin of an enterprise's `move`, made for it (see the module's doc): same source and target, its own
    action name, a required note and an optional evidence file."""
    return replace(move, action=action, label=format_lazy("{}（{}）", move.label, ON_BEHALF_LABEL), who=who,
                   reason_required=True, fields=(*move.fields, EVIDENCE))


def on_behalf_data(*, actor, owner: models.Model, evidence=None) -> dict:
    """The timeline data of a 代企业操作 move: for which enterprise, and the key of its evidence file (stored on the
    record as an attachment, described "代企业操作佐证") when one was given."""
    data = {**ON_BEHALF_DATA, "enterprise": getattr(owner, "enterprise_id", None)}
    if evidence:
        stored = attachment_store(actor=actor, uploaded_file=evidence, owner=owner,
                                  description=str(_("代企业操作佐证")))
        data["evidence"] = str(stored.key)
    return data

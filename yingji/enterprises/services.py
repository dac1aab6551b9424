"""Every write to enterprises goes through here."""

from __future__ import annotations

from typing import Any

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils.translation import gettext as _

from yingji.core.models import User
from yingji.core.services import scoped_create, scoped_update
from yingji.enterprises.models import Enterprise


def _normalise(fields: dict[str, Any]) -> dict[str, Any]:
    if "credit_code" in fields and isinstance(fields["credit_code"], str):
        fields["credit_code"] = fields["credit_code"].strip().upper()
    return fields


@transaction.atomic
def enterprise_create(*, actor: User | None, **fields: Any) -> Enterprise:
    """Register an enterprise; it must lie inside the actor's jurisdiction."""
    return scoped_create(Enterprise, actor=actor, reason=_("企业建档"), **_normalise(fields))


@transaction.atomic
def enterprise_change_status(*, enterprise: Enterprise, actor: User | None, action: str, reason: str) -> Enterprise:
    """责令停产 / 恢复生产 / 关闭取缔, by a bureau officer, with the reason on record; the enterprise's
    managers are notified in-app."""
    from django.urls import reverse

    from yingji.core.notifications import notify
    from yingji.core.workflow import transition
    from yingji.enterprises.states import WORKFLOW

    def tell_managers(changed: Enterprise) -> None:
        notify(recipients=changed.users.all(), kind=_("企业状态"),
               title=_("%(name)s 生产状态变更为“%(status)s”") % {"name": changed.name,
                                                                "status": changed.get_status_display()},
               body=reason, url=reverse("enterprises:enterprise_detail", args=[changed.pk]), subject=changed)

    return transition(enterprise, workflow=WORKFLOW, action=action, actor=actor, reason=reason,
                      on_commit=tell_managers)


@transaction.atomic
def enterprise_update(*, enterprise: Enterprise, actor: User | None, **fields: Any) -> Enterprise:
    """Change an enterprise's record; nobody can move it out of their own reach.

    The production status changes only through `enterprise_change_status`.
    """
    if "status" in fields and fields["status"] != enterprise.status:
        raise ValidationError({"status": _("生产状态须通过“责令停产/恢复生产/关闭取缔”办理")})
    fields.pop("status", None)
    return scoped_update(enterprise, actor=actor, reason=_("修改企业信息"), **_normalise(fields))

"""Every write to enterprises goes through here."""

from __future__ import annotations

from typing import Any

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
def enterprise_update(*, enterprise: Enterprise, actor: User | None, **fields: Any) -> Enterprise:
    """Change an enterprise's record; nobody can move it out of their own reach."""
    return scoped_update(enterprise, actor=actor, reason=_("修改企业信息"), **_normalise(fields))

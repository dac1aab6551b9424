"""Gateways (采集网关): registration and the tokens they authenticate with."""

from __future__ import annotations

import hashlib
import secrets
from typing import Any

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils.translation import gettext as _

from yingji.core.models import User
from yingji.core.services import scoped_create, scoped_update
from yingji.monitoring.models import Gateway


def _token_hash(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


def gateway_for_token(token: str) -> Gateway | None:
    """The active gateway a token belongs to (the lookup of the gateways' own authentication)."""
    if not token:
        return None
    return Gateway._base_manager.filter(token_hash=_token_hash(token), is_active=True).first()


@transaction.atomic
def gateway_create(*, actor: User | None, **fields: Any) -> Gateway:
    """Register a gateway of an enterprise; its token is generated here and shown once as `gateway.token`."""
    enterprise = fields.get("enterprise")
    if enterprise is not None:
        fields["region_id"] = enterprise.region_id
    token = secrets.token_urlsafe(32)
    fields["token_hash"] = _token_hash(token)
    gateway = scoped_create(Gateway, actor=actor, reason=_("登记采集网关"), **fields)
    gateway.token = token
    return gateway


@transaction.atomic
def gateway_update(*, gateway: Gateway, actor: User | None, **fields: Any) -> Gateway:
    enterprise = fields.pop("enterprise", None)
    if enterprise is not None and enterprise.pk != gateway.enterprise_id:
        raise ValidationError({"enterprise": _("采集网关的所属企业不能变更")})
    return scoped_update(gateway, actor=actor, reason=_("修改采集网关"), **fields)


@transaction.atomic
def gateway_rotate_token(*, gateway: Gateway, actor: User | None) -> str:
    """Issue a new token for a gateway; the old one stops working at once."""
    token = secrets.token_urlsafe(32)
    scoped_update(gateway, actor=actor, reason=_("重置网关令牌"), token_hash=_token_hash(token))
    return token

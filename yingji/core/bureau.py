"""The bureau that runs the platform: its identity (name, emblem, platform name), its root region, and the first
configuration of an empty platform through a one-time setup link.

`bureau_identity()` is what pages and documents read; the services below are the only writers of `Bureau`.
"""

from __future__ import annotations

import hashlib
import secrets
from dataclasses import dataclass
from datetime import timedelta

from django.conf import settings
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _

from yingji.core import roles
from yingji.core.models import Bureau, Region, RoleTemplate, SetupLink, User
from yingji.core.services import region_create, save_with_history, sniff_content_type, user_create
from yingji.standards import division

EMBLEM_TYPES = {"image/png", "image/jpeg", "image/gif", "image/webp"}
EMBLEM_MAX_BYTES = 512 * 1024
SETUP_LINK_HOURS = 24


@dataclass(frozen=True)
class BureauIdentity:
    """Who runs this platform, as the login page, the page header and generated documents show it."""

    name: str
    platform_name: str
    root_region_code: str
    root_region_name: str
    emblem_url: str
    emblem: bytes | None
    emblem_type: str
    configured: bool


def current_bureau() -> Bureau | None:
    return Bureau.objects.select_related("root_region").order_by("pk").first()


def bureau_identity() -> BureauIdentity:
    """The bureau's identity; before any bureau is configured, the platform's own name and nothing else."""
    bureau = current_bureau()
    platform = settings.PLATFORM_NAME
    if bureau is None:
        return BureauIdentity("", platform, "", "", "", None, "", False)
    emblem = bytes(bureau.emblem) if bureau.emblem else None
    url = reverse("core:bureau_emblem") + f"?v={bureau.emblem_sha256[:12]}" if emblem else ""
    return BureauIdentity(bureau.name, bureau.platform_name or platform, bureau.root_region_id,
                          bureau.root_region.name, url, emblem, bureau.emblem_type, True)


def is_bureau_admin(user) -> bool:
    """A superuser, or a system administrator of the bureau's whole jurisdiction: who configures the platform."""
    if not user.is_authenticated or not user.is_active:
        return False
    if user.is_superuser:
        return True
    bureau = current_bureau()
    return roles.ADMIN in user.role_names and (bureau is None or user.scope_region_id == bureau.root_region_id)


@transaction.atomic
def role_template_update(*, template: RoleTemplate, actor: User, groups: list) -> RoleTemplate:
    """Set the default roles of an organisation kind (the bureau's administrators only)."""
    if not is_bureau_admin(actor):
        raise PermissionDenied(_("只有本局系统管理员可以修改角色模板。"))
    template.roles.set(groups)
    return template


def bureau_root() -> Region | None:
    bureau = current_bureau()
    return bureau.root_region if bureau else None


def _checked_emblem(emblem_file) -> tuple[bytes, str]:
    if emblem_file.size > EMBLEM_MAX_BYTES:
        raise ValidationError({"emblem": _("徽标图片不能超过 %(kb)d KB") % {"kb": EMBLEM_MAX_BYTES // 1024}})
    emblem_file.seek(0)
    data = emblem_file.read()
    content_type = sniff_content_type(data[:8192])
    if content_type not in EMBLEM_TYPES:
        raise ValidationError({"emblem": _("徽标须为 PNG、JPEG、GIF 或 WebP 图片")})
    return data, content_type


def _ensure_root_region(code: str, name: str, ancestor_names: list[str]) -> Region:
    """The bureau's root region, with the regions above it that the database lacks (named top-down)."""
    if not division.is_well_formed(code):
        raise ValidationError({"root_code": _("区划代码应为12位数字")})
    existing = Region.objects.filter(code=code).first()
    if existing is not None:
        return existing
    missing = [c for c in reversed(division.ancestor_codes(code)) if not Region.objects.filter(code=c).exists()]
    if len(ancestor_names) < len(missing):
        labels = "、".join(missing)
        raise ValidationError({"ancestor_names": _("请按自上而下的顺序填写上级区划 %(codes)s 的名称，以“/”分隔")
                               % {"codes": labels}})
    names = dict(zip(missing, ancestor_names[-len(missing):] if missing else [], strict=True))
    for ancestor in [*missing, code]:
        parent_code = division.parent_code(ancestor)
        region_create(actor=None, code=ancestor, name=names.get(ancestor, name), level=division.level_of(ancestor),
                      parent=Region.objects.get(code=parent_code) if parent_code else None)
    return Region.objects.get(code=code)


@transaction.atomic
def bureau_configure(*, actor: User | None, name: str, root_code: str, root_name: str,
                     ancestor_names: list[str] | None = None, platform_name: str = "", emblem_file=None) -> Bureau:
    """Name the bureau, create its root region (and the ones above it) if missing, and set its identity.

    Once configured, the root region stays: moving a platform to another jurisdiction is not a form field.
    """
    if actor is not None and not is_bureau_admin(actor):
        raise PermissionDenied(_("只有系统管理员可以配置本局信息。"))
    bureau = Bureau.objects.select_for_update().order_by("pk").first()
    if bureau is not None and bureau.root_region_id != root_code:
        raise ValidationError({"root_code": _("本局辖区已设为 %(code)s，不能更改") % {"code": bureau.root_region_id}})
    if not name.strip():
        raise ValidationError({"name": _("请填写单位名称")})
    root = _ensure_root_region(root_code, root_name.strip(), [n.strip() for n in (ancestor_names or []) if n.strip()])
    if bureau is None:
        bureau = Bureau(root_region=root, configured_at=timezone.now())
    bureau.name = name.strip()
    bureau.platform_name = platform_name.strip()
    if emblem_file is not None:
        bureau.emblem, bureau.emblem_type = _checked_emblem(emblem_file)
        bureau.emblem_sha256 = hashlib.sha256(bureau.emblem).hexdigest()
    bureau.full_clean(exclude=["emblem"])
    return save_with_history(bureau, actor=actor, reason=_("配置本局信息"))


def bureau_mark_demo(*, name: str, root_code: str) -> Bureau:
    """Record that the demo city was loaded (creating the demo bureau's identity when there is none)."""
    bureau = current_bureau()
    if bureau is None:
        bureau = Bureau(name=name, root_region_id=root_code, configured_at=timezone.now())
    if bureau.demo_loaded_at is None:
        bureau.demo_loaded_at = timezone.now()
        save_with_history(bureau, actor=None, reason=_("载入演示数据"))
    return bureau


# The one-time setup link --------------------------------------------------------------------------------------

def _digest(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


def setup_needed() -> bool:
    """An empty platform: nobody can sign in yet and no bureau is configured."""
    return current_bureau() is None and not User.objects.filter(is_active=True).exists()


@transaction.atomic
def setup_link_create() -> str:
    """A new one-time setup token (the previous ones stop working); only its hash is stored."""
    SetupLink.objects.filter(used_at__isnull=True).delete()
    token = secrets.token_urlsafe(24)
    SetupLink.objects.create(token_sha256=_digest(token), created_at=timezone.now())
    return token


def setup_link_valid(token: str) -> bool:
    if not setup_needed():
        return False
    since = timezone.now() - timedelta(hours=SETUP_LINK_HOURS)
    return SetupLink.objects.filter(token_sha256=_digest(token), used_at__isnull=True, created_at__gte=since).exists()


@transaction.atomic
def setup_complete(*, token: str, username: str, real_name: str, password: str, name: str, root_code: str,
                   root_name: str, ancestor_names: list[str] | None = None, platform_name: str = "",
                   emblem_file=None) -> User:
    """Configure an empty platform from the setup link: the bureau, its root region, and its first administrator
    (a superuser scoped to the root region). The link works once."""
    link = SetupLink.objects.select_for_update().filter(token_sha256=_digest(token), used_at__isnull=True).first()
    if link is None or not setup_link_valid(token):
        raise PermissionDenied(_("设置链接无效或已使用，请在服务器上运行 manage.py setup_link 获取新链接。"))
    bureau = bureau_configure(actor=None, name=name, root_code=root_code, root_name=root_name,
                              ancestor_names=ancestor_names, platform_name=platform_name, emblem_file=emblem_file)
    admin = user_create(actor=None, username=username, password=password, real_name=real_name, roles=[roles.ADMIN],
                        scope_region=bureau.root_region, is_superuser=True)
    link.used_at = timezone.now()
    link.save(update_fields=["used_at"])
    return admin

"""The checklist that leads a new bureau from an empty platform to one its people can use.

Each step says whether it is done from what the platform holds or how it is configured, so the page is always
current and nothing needs to be ticked by hand.
"""

from __future__ import annotations

import os
import time
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

from django.conf import settings
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from yingji.core.bureau import current_bureau
from yingji.core.models import Organization, Region, User
from yingji.core.scoping import code_prefix_q
from yingji.standards import division

DEFAULT_BACKENDS = {"axes.backends.AxesStandaloneBackend", "django.contrib.auth.backends.ModelBackend"}
BACKUP_FRESH_HOURS = 48


@dataclass(frozen=True)
class Step:
    key: str
    label: str
    how: str  # where to do it: a page's URL name, or the setting / document that does it
    done: Callable[[Region | None], bool]
    url_name: str = ""


def _prefix(root: Region) -> str:
    return division.significant_prefix(root.code)


def _regions_done(root: Region | None) -> bool:
    return root is not None and Region.objects.filter(parent=root).exists()


def _boundaries_done(root: Region | None) -> bool:
    if root is None or not root.boundary:
        return False
    children = Region.objects.filter(parent=root, retired_at__isnull=True)
    return children.exists() and not children.filter(Q(boundary__isnull=True)).exists()


def _organizations_done(root: Region | None) -> bool:
    return root is not None and Organization.objects.filter(code_prefix_q("region__code", _prefix(root))).exists()


def _users_done(root: Region | None) -> bool:
    return root is not None and User.objects.filter(is_active=True).filter(
        code_prefix_q("scope_region__code", _prefix(root))).count() > 1


def _sign_on_done(root: Region | None) -> bool:
    return bool(set(settings.AUTHENTICATION_BACKENDS) - DEFAULT_BACKENDS)


def _tiles_done(root: Region | None) -> bool:
    return bool(settings.MAP_TILE_URL)


def _sms_done(root: Region | None) -> bool:
    return bool(getattr(settings, "WARNING_SMS_GATEWAY_URL", "") or os.environ.get("WARNING_SMS_GATEWAY_URL"))


def _backups_done(root: Region | None) -> bool:
    """A backup file newer than two days in BACKUP_DIR (docs/deployment.md §9 says how to make them)."""
    folder = settings.BACKUP_DIR
    if not folder or not Path(folder).is_dir():
        return False
    since = time.time() - BACKUP_FRESH_HOURS * 3600
    return any(p.is_file() and p.stat().st_mtime >= since for p in Path(folder).iterdir())


STEPS: list[Step] = [
    Step("bureau", _("本局信息（名称、辖区、徽标）"), "", lambda root: root is not None, "core:bureau_edit"),
    Step("regions", _("行政区划：导入统计用区划代码表"), "manage.py import_regions", _regions_done, "core:region_import"),
    Step("boundaries", _("区划边界：导入 GeoJSON 或 Shapefile"), "manage.py import_boundaries", _boundaries_done,
         "core:boundary_import"),
    Step("organizations", _("组织机构：Excel 导入"), "manage.py import_organizations", _organizations_done,
         "core:organization_import"),
    Step("users", _("用户：Excel 导入（首次登录须设置密码）"), "manage.py import_users", _users_done, "core:user_import"),
    Step("sign_on", _("统一身份认证（LDAP / OIDC / CAS）"), "docs/onboarding.md", _sign_on_done),
    Step("tiles", _("地图底图（MAP_TILE_URL）"), "MAP_TILE_URL", _tiles_done),
    Step("sms", _("短信网关（WARNING_SMS_GATEWAY_URL）"), "WARNING_SMS_GATEWAY_URL", _sms_done),
    Step("backups", _("数据备份（BACKUP_DIR 中有两天内的备份）"), "docs/deployment.md §9", _backups_done),
]


def checklist() -> list[dict]:
    bureau = current_bureau()
    root = bureau.root_region if bureau else None
    return [{"key": s.key, "label": s.label, "how": s.how, "url_name": s.url_name, "done": s.done(root)} for s in STEPS]

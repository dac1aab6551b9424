"""The site menu. Each entry names the permission that makes it visible.

Core holds the first and last groups; every app adds its own in `<app>/navigation.py`.
"""

from dataclasses import dataclass

from django.urls import reverse
from django.utils.translation import gettext_lazy as _

from yingji.core.discovery import app_modules


@dataclass(frozen=True)
class MenuItem:
    label: str
    url_name: str
    permission: str | None = None


@dataclass(frozen=True)
class MenuGroup:
    label: str
    items: tuple[MenuItem, ...]


FIRST: list[MenuGroup] = [MenuGroup(_("综合"), (MenuItem(_("首页"), "home"),))]

LAST: list[MenuGroup] = [
    MenuGroup(
        _("基础数据"),
        (
            MenuItem(_("行政区划"), "core:region_tree", "core.view_region"),
            MenuItem(_("组织机构"), "core:organization_list", "core.view_organization"),
            MenuItem(_("用户"), "core:user_list", "core.view_user"),
            MenuItem(_("接口文档"), "api-docs", "core.view_region"),
        ),
    ),
]


def app_menu_groups() -> list[MenuGroup]:
    """Each app declares its own groups in `<app>/navigation.py` as `MENU_GROUPS`, in INSTALLED_APPS order."""
    return [group for config, module in app_modules("navigation") if config.label != "core"
            for group in module.MENU_GROUPS]


def menu() -> list[MenuGroup]:
    return FIRST + app_menu_groups() + LAST


def menu_for(user, current_path: str = "") -> list[dict]:
    groups = []
    for group in menu():
        items = []
        for item in group.items:
            if item.permission and not user.has_perm(item.permission):
                continue
            url = reverse(item.url_name)
            active = current_path == url if url == "/" else current_path.startswith(url)
            items.append({"label": item.label, "url": url, "active": active})
        if items:
            groups.append({"label": group.label, "items": items})
    return groups

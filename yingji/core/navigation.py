"""The site menu. Each entry names the permission that makes it visible."""

from dataclasses import dataclass

from django.urls import reverse
from django.utils.translation import gettext_lazy as _


@dataclass(frozen=True)
class MenuItem:
    label: str
    url_name: str
    permission: str | None = None


@dataclass(frozen=True)
class MenuGroup:
    label: str
    items: tuple[MenuItem, ...]


MENU: list[MenuGroup] = [
    MenuGroup(_("综合"), (MenuItem(_("首页"), "home"),)),
    MenuGroup(
        _("企业监管"),
        (
            MenuItem(_("企业档案"), "enterprises:enterprise_list", "enterprises.view_enterprise"),
            MenuItem(_("企业分布图"), "enterprises:enterprise_map", "enterprises.view_enterprise"),
            MenuItem(_("批量导入"), "enterprises:enterprise_import", "enterprises.add_enterprise"),
        ),
    ),
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


def menu_for(user, current_path: str = "") -> list[dict]:
    groups = []
    for group in MENU:
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

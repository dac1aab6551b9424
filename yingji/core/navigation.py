"""The site menu: areas a bureau thinks in, each a collapsible group of pages.

Core holds the areas (`AREAS`) and its own entries; every app adds its groups in `<app>/navigation.py`
(`MENU_GROUPS`), each group saying which area it belongs to (an entry may name another). An entry carries no
permission of its own: it is shown exactly to the users its page lets in, read from the view's own check
(`yingji.core.access.view_check`), so the menu never offers a page that answers 403. A public page (no login) is
listed `beside` the staff page it belongs with, for the users who may open that page.
"""

from __future__ import annotations

from dataclasses import dataclass
from functools import cache

from django.core.exceptions import ImproperlyConfigured
from django.urls import resolve, reverse
from django.utils.functional import Promise
from django.utils.translation import gettext_lazy as _

from yingji.core.access import AccessCheck, view_check
from yingji.core.discovery import app_modules


@dataclass(frozen=True)
class Area:
    key: str
    label: str | Promise


# In the order the sidebar shows them. An app's group names one of these keys.
AREAS: tuple[Area, ...] = (
    Area("workbench", _("工作台")),
    Area("duty", _("值班与事件")),
    Area("warnings", _("预警发布")),
    Area("monitoring", _("监测预警")),
    Area("risks", _("风险与隐患")),
    Area("enforcement", _("执法检查")),
    Area("resources", _("应急资源与救援")),
    Area("plans", _("预案与演练")),
    Area("disasters", _("灾情与救助")),
    Area("training", _("培训考试")),
    Area("analytics", _("统计分析")),
    Area("system", _("基础数据")),
)


@dataclass(frozen=True)
class MenuItem:
    """A page in the menu. `area` moves it out of its group's area; `beside` names the staff page (URL name) a
    public page is listed with."""

    label: str | Promise
    url_name: str
    area: str | None = None
    beside: str | None = None


@dataclass(frozen=True)
class MenuGroup:
    """An app's entries of one area, in the order the area lists them."""

    label: str | Promise
    items: tuple[MenuItem, ...]
    area: str = "workbench"


FIRST: list[MenuGroup] = [
    MenuGroup(_("工作台"), (MenuItem(_("首页"), "home"),), area="workbench"),
]

LAST: list[MenuGroup] = [
    MenuGroup(
        _("基础数据"),
        (
            MenuItem(_("行政区划"), "core:region_tree"),
            MenuItem(_("组织机构"), "core:organization_list"),
            MenuItem(_("用户"), "core:user_list"),
            MenuItem(_("接口文档"), "api-docs"),
        ),
        area="system",
    ),
]


def app_menu_groups() -> list[MenuGroup]:
    """Each app declares its own groups in `<app>/navigation.py` as `MENU_GROUPS`, in INSTALLED_APPS order."""
    return [group for config, module in app_modules("navigation") if config.label != "core"
            for group in module.MENU_GROUPS]


def menu() -> list[MenuGroup]:
    return FIRST + app_menu_groups() + LAST


@cache
def _entry(url_name: str) -> tuple[str, AccessCheck]:
    """The URL of a menu entry and the access check of the view it reaches (the URLconf never changes at run time)."""
    url = reverse(url_name)
    check = view_check(resolve(url).func)
    if check is None:
        raise ImproperlyConfigured(
            f"菜单项 {url_name} 的页面没有声明访问检查：用 yingji.core.access.page_access 装饰该视图，"
            f"或让它继承 ScopedView；公开页面请用 MenuItem(beside=...) 挂在对应的工作页面旁。"
        )
    return url, check


def may_open(user, item: MenuItem) -> bool:
    """Whether the page of `item` lets `user` in (for a public page: whether the user may open the page it is
    listed beside)."""
    if item.beside:
        return _entry(item.beside)[1](user)
    return _entry(item.url_name)[1](user)


def item_url(item: MenuItem) -> str:
    return reverse(item.url_name) if item.beside else _entry(item.url_name)[0]


def menu_for(user, current_path: str = "") -> list[dict]:
    """The areas the user has pages in, each `{"key", "label", "open", "items": [{"label", "url", "active"}]}`; the
    area of the current page is open (the workbench when no entry matches). Every URL answers the user 200."""
    keys = [area.key for area in AREAS]
    entries: dict[str, list[dict]] = {key: [] for key in keys}
    for group in menu():
        for item in group.items:
            area = item.area or group.area
            if area not in entries:
                raise ImproperlyConfigured(f"菜单分组 {group.label} 的区域 {area} 不在 AREAS 中")
            if may_open(user, item):
                entries[area].append({"label": item.label, "url": item_url(item), "active": False})
    # The longest entry URL the current path starts with is the one page marked current.
    best = None
    for area_entries in entries.values():
        for entry in area_entries:
            url = entry["url"]
            matches = current_path == url if url == "/" else current_path.startswith(url)
            if matches and (best is None or len(url) > len(best["url"])):
                best = entry
    if best is not None:
        best["active"] = True
    current = next((key for key in keys if best is not None and best in entries[key]), "workbench")
    return [{"key": area.key, "label": area.label, "open": area.key == current, "items": entries[area.key]}
            for area in AREAS if entries[area.key]]


def menu_items(user) -> list[dict]:
    """Every page the menu offers `user`, flat: `{"area", "label", "url"}`."""
    return [{"area": area["label"], "label": entry["label"], "url": entry["url"]}
            for area in menu_for(user) for entry in area["items"]]

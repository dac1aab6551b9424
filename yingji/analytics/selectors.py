"""The figures of the leaders' cockpit (指挥大屏) for one region, read from roll-ups.

Every figure is computed for the *scope* of a region: the cockpit asks on behalf of a principal whose jurisdiction
is exactly that region (`scope_principal`), so the other apps' selectors, which take a user, answer for the region
the leader drilled into and never beyond it. Whether a figure is shown at all follows the real user's
permissions. Each app computes its own part of the screen and offers it in its `contributions.py`
(`COCKPIT_FIGURES`, see `yingji.core.contributions`); this module asks for the parts by key, in the order of the
screen. Large tables are read from roll-ups only: hazards from `HazardStat` (kept by the hazards services),
incidents and alarms from `Tally` (kept by `yingji.analytics.rollups`); the other tables are small and counted
through their indexes.
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from typing import Any

from django.apps import apps
from django.core.exceptions import PermissionDenied
from django.shortcuts import get_object_or_404
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _

from yingji.analytics.rollups import rollup_counts, tally_sums
from yingji.core.contributions import CockpitFigures, CockpitPart, CockpitQuery, Figure, pick, region_url
from yingji.core.models import Region, User
from yingji.core.scoping import has_model_perm
from yingji.core.selectors import child_prefix_length, region_root_for

log = logging.getLogger(__name__)

NO_DATA = "暂无数据"
ROLLUP_LEVELS = ("province", "city", "county", "township")

# The parts of the screen, in the order their figures are listed (超期未办 follows it).
PARTS: dict[str, CockpitFigures] = pick(
    "COCKPIT_FIGURES", "incidents", "alarms", "online_rate", "hazards", "warnings", "rescue_resources",
    "fire_danger", "disaster_reports", "enforcement", "duty", "incident_map")


def scope_principal(region: Region) -> User:
    """An in-memory principal (never saved) whose jurisdiction is exactly `region` and its subtree.

    Callers check first that the real user may see `region`; `restrict()` then limits every query to it.
    """
    return User(username=f"scope:{region.code}", is_active=True, is_superuser=True, scope_region=region)


def may_open_cockpit(user: User) -> bool:
    """Bureau users with the cockpit permission and a jurisdiction to show (the page and the menu alike)."""
    return (user.has_perm("analytics.open_cockpit") and not user.scope_enterprise_id
            and region_root_for(user) is not None)


def cockpit_region(user: User, code: str | None) -> Region:
    """The region the cockpit shows: the user's own, or one inside it they drilled into (404 outside it)."""
    if not user.has_perm("analytics.open_cockpit") or user.scope_enterprise_id:
        raise PermissionDenied(_("您没有查看指挥大屏的权限。"))
    if code:
        region = get_object_or_404(Region.objects.restrict(user, "view"), pk=code)
    else:
        region = region_root_for(user)
    if region is None:
        raise PermissionDenied(_("您的账号没有管辖区域，无法查看指挥大屏。"))
    return region


def _may(user: User, label: str) -> bool:
    return has_model_perm(user, apps.get_model(label), "view")


def tally_figures(principal: User, region: Region, child_length: int | None) -> dict[str, Any]:
    """Every rolled-up count (`ROLLUP_COUNTS`: open and overdue incidents, open and unacknowledged alarms...) of
    the region, and per child region: summed from the tallies, counted directly below a township."""
    keys = list(rollup_counts())
    if region.level in ROLLUP_LEVELS:
        sums = tally_sums(region.prefix, child_length)
        children: dict[str, dict[str, int]] = {}
        for metric, values in sums.items():
            for child, value in values.items():
                if child:
                    children.setdefault(child, {})[metric] = value
        return {**{key: sums.get(key, {}).get("", 0) for key in keys}, "children": children}
    counted = {key: apps.get_model(count.model).objects.restrict(principal, "view").filter(count.condition()).count()
               for key, count in rollup_counts().items()}
    return {**counted, "children": {}}


def _figure(figure: Figure, part: CockpitPart, region: Region) -> dict[str, Any]:
    value = part.values.get(figure.key)
    url = region_url(figure.url_name, region if figure.regional else None, **figure.params) if figure.url_name else ""
    shown = {"label": str(figure.label), "value": NO_DATA if value is None else value,
             "unit": "" if value is None else str(figure.unit), "url": url, "missing": value is None}
    if figure.key in part.details:
        shown["detail"] = part.details[figure.key]
    if figure.overdue:
        shown["overdue"] = True
    return {**shown, **part.extra.get(figure.key, {})}


def _guarded(func: Callable[[], CockpitPart], what: str) -> CockpitPart:
    """An app's part, or an empty one (its figures say 暂无数据) if it fails: one broken loop must not blank the
    leaders' screen."""
    try:
        return func()
    except Exception:
        log.exception("cockpit part %s failed", what)
        return CockpitPart()


# -- the whole screen -----------------------------------------------------------------------------------------------


def cockpit_data(user: User, region: Region) -> dict[str, Any]:
    """Every figure of the cockpit for `region` (already checked to be inside `user`'s jurisdiction)."""
    principal = scope_principal(region)
    child_length = child_prefix_length(region) if region.level in ("province", "city", "county") else None

    def rollup() -> dict[str, Any]:
        counts = tally_figures(principal, region, child_length)
        return {"totals": {k: v for k, v in counts.items() if k != "children"}, "children": counts["children"]}

    query = CockpitQuery(user=user, principal=principal, region=region, child_length=child_length, rollup=rollup)
    figures: dict[str, dict[str, Any]] = {}
    children: dict[str, dict[str, int]] = {}
    panels: dict[str, Any] = {"duty": [], "duty_url": "", "incidents": []}
    for key, entry in PARTS.items():
        if entry.model and not _may(user, entry.model):
            continue
        part = _guarded(lambda entry=entry: entry.read(query), key)
        for figure in entry.figures:
            figures[figure.key] = _figure(figure, part, region)
        for child, values in part.children.items():
            children.setdefault(child, {}).update(values)
        panels.update(part.panels)

    names = dict(Region.objects.filter(parent=region).order_by("code").values_list("code", "name")) \
        if child_length else {}
    child_rows = [{"code": code, "name": name, **{k: children.get(code[:child_length], {}).get(k, 0) for k in (
        "open_incidents", "open_alarms", "major_hazards", "overdue_hazards")},
        "url": reverse("analytics:cockpit") + f"?region={code}"} for code, name in names.items()]
    return {
        "region": {"code": region.code, "name": region.name, "level": region.level},
        "updated_at": timezone.localtime().strftime("%Y-%m-%d %H:%M:%S"),
        "figures": figures,
        "overdue": [key for key, f in figures.items() if f.get("overdue")],
        "duty": panels["duty"],
        "duty_url": panels["duty_url"],
        "children": child_rows,
        "incidents": panels["incidents"],
    }

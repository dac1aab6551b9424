"""Read queries of the risk pages: four-colour map points, counts by region and level, worst level per enterprise."""

from __future__ import annotations

from typing import Any

from django.db.models import QuerySet, Sum
from django.db.models.functions import Substr
from django.http import HttpResponse
from django.urls import reverse
from django.utils.translation import gettext as _

from yingji.core import excel
from yingji.core.models import Region, User
from yingji.core.scoping import code_prefix_q
from yingji.core.selectors import child_prefix_length
from yingji.enterprises.models import Enterprise
from yingji.risks.models import LEVEL_COLORS, LEVEL_ORDER, RiskLevel, RiskLevelCount, RiskPoint, RiskPointStatus

LEVEL_SERIES = [(level.value, str(level.label), LEVEL_COLORS[level]) for level in LEVEL_ORDER]
RANK = {level: index for index, level in enumerate(LEVEL_ORDER)}


def active_points(user: User) -> QuerySet:
    return RiskPoint.objects.restrict(user, "view").filter(status=RiskPointStatus.ACTIVE)


def enterprise_risk_points(user: User, enterprise: Enterprise) -> list[RiskPoint]:
    points = active_points(user).filter(enterprise=enterprise)
    return sorted(points, key=lambda p: (RANK[p.level], p.name))


def level_legend(points: list[RiskPoint]) -> list[dict[str, Any]]:
    counts = {level: 0 for level in LEVEL_ORDER}
    for point in points:
        counts[point.level] += 1
    return [{"level": value, "label": label, "color": color, "total": counts[value]}
            for value, label, color in LEVEL_SERIES]


def risk_point_features(points: list[RiskPoint]) -> dict[str, Any]:
    """Risk points that have coordinates, as GeoJSON for the four-colour map."""
    return {
        "type": "FeatureCollection",
        "features": [
            {
                "type": "Feature",
                "geometry": {"type": "Point", "coordinates": [p.longitude, p.latitude]},
                "properties": {"id": p.pk, "name": p.name, "level": p.level, "level_label": p.get_level_display(),
                               "color": p.level_color, "place": p.place,
                               "url": reverse("risks:riskpoint_detail", args=[p.pk])},
            }
            for p in points
            if p.longitude is not None
        ],
    }


def level_counts_by_child_region(user: User, root: Region) -> list[dict[str, Any]]:
    """Active risk points per child region of `root` and level, from the roll-up: one GROUP BY on the code prefix."""
    length = child_prefix_length(root)
    rows = (
        RiskLevelCount.objects.restrict(user, "view")
        .filter(code_prefix_q("region__code", root.prefix), total__gt=0)
        .annotate(child=Substr("region_id", 1, length))
        .values("child", "level")
        .annotate(total=Sum("total"))
        .order_by()
    )
    counts: dict[str, dict[str, int]] = {}
    for row in rows:
        counts.setdefault(row["child"], {})[row["level"]] = row["total"]
    list_url = reverse("risks:riskpoint_list")
    region_url = reverse("risks:region_risks")
    result = []
    children = Region.objects.filter(parent=root).order_by("code").values_list("code", "name", "level")
    for code, name, level in children:
        by_level = counts.get(code[:length], {})
        result.append({
            "code": code,
            "name": name,
            "levels": [by_level.get(value, 0) for value, _label, _color in LEVEL_SERIES],
            "cells": [(value, by_level.get(value, 0)) for value, _label, _color in LEVEL_SERIES],
            "total": sum(by_level.values()),
            "list_url": f"{list_url}?region={code}&status=active" if level != "village" else None,
            "drill_url": f"{region_url}?region={code}" if level != "village" else None,
        })
    return result


def totals(rows: list[dict[str, Any]]) -> list[int]:
    return [sum(row["levels"][i] for row in rows) for i in range(len(LEVEL_SERIES))] + [sum(r["total"] for r in rows)]


def chart_data(rows: list[dict[str, Any]]) -> dict[str, Any]:
    return {
        "regions": [row["name"] for row in rows],
        "urls": [row["list_url"] for row in rows],
        "series": [{"name": label, "color": color, "data": [row["levels"][i] for row in rows],
                    "level": value}
                   for i, (value, label, color) in enumerate(LEVEL_SERIES)],
    }


PLACE_COLUMNS = ["id", "name", "lon", "lat", "level", "major", "larger"]


def worst_level_enterprises(user: User, root: Region, limit: int = 20000) -> dict[str, Any]:
    """Enterprises with active 重大 or 较大 risk points under `root`, with their worst level, from the roll-up.

    Rows rather than GeoJSON features: a city can hold thousands of such enterprises, and the map needs only
    these few values per enterprise.
    """
    rows = (
        RiskLevelCount.objects.restrict(user, "view")
        .filter(code_prefix_q("region__code", root.prefix), level__in=[RiskLevel.MAJOR, RiskLevel.LARGER],
                total__gt=0, enterprise__longitude__isnull=False)
        .values_list("enterprise_id", "level", "total", "enterprise__name", "enterprise__longitude",
                     "enterprise__latitude")
        .order_by("enterprise_id")[:limit]
    )
    places: dict[int, list[Any]] = {}
    for pk, level, total, name, lon, lat in rows:
        place = places.setdefault(pk, [pk, name, lon, lat, RiskLevel.LARGER.value, 0, 0])
        if level == RiskLevel.MAJOR:
            place[4] = RiskLevel.MAJOR.value
            place[5] = total
        else:
            place[6] = total
    ordered = sorted(places.values(), key=lambda p: (RANK[p[4]], p[1]))
    return {"columns": PLACE_COLUMNS, "colors": {value: color for value, _label, color in LEVEL_SERIES},
            "rows": ordered}


def region_counts_workbook(rows: list[dict[str, Any]], root: Region) -> HttpResponse:
    headings = [_("区划代码"), _("区划名称"), *[label for _v, label, _c in LEVEL_SERIES], _("合计")]
    data = [[row["code"], row["name"], *row["levels"], row["total"]] for row in rows]
    data.append(["", _("合计"), *totals(rows)])
    title = _("风险分级统计_%(region)s") % {"region": root.name}
    return excel.workbook_response(excel.export_rows(title, headings, data), title)

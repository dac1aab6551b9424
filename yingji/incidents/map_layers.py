"""The command map's layers from other apps, each read through that app's own scoped models and selectors.

Every layer takes the user and returns a GeoJSON FeatureCollection of what the user may see: the other app's
`restrict(user, "view")` decides (no permission for that app means an empty layer), so a county user never sees
another county's points in any layer.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from yingji.core.models import Region, User

# A layer draws at most this many features; the map is for a city, not for a national export.
LAYER_LIMIT = 5000


def _point(lon: float, lat: float, **properties: Any) -> dict[str, Any]:
    return {"type": "Feature", "geometry": {"type": "Point", "coordinates": [lon, lat]}, "properties": properties}


def _collection(features: list[dict[str, Any]]) -> dict[str, Any]:
    return {"type": "FeatureCollection", "features": features}


def monitored_enterprises(user: User) -> dict[str, Any]:
    """Enterprises with major hazard sources, coloured by their worst open alarm (the monitoring board's layer)."""
    from yingji.monitoring.selectors import monitored_enterprises_geojson

    data = monitored_enterprises_geojson(user)
    for feature in data["features"]:
        p = feature["properties"]
        p["label"] = f"重大危险源企业·{p.pop('category_label', '')}"
        p["url"] = reverse("enterprises:enterprise_detail", args=[p["id"]])
    return data


def major_hazards(user: User) -> dict[str, Any]:
    """Open 重大隐患, at their enterprise (or, in a public place, at their region's centre)."""
    from yingji.hazards.models import Hazard, HazardLevel, HazardStatus

    rows = (Hazard.objects.restrict(user, "view").filter(level=HazardLevel.MAJOR).exclude(status=HazardStatus.CLOSED)
            .order_by("-found_at").values_list("pk", "code", "place", "status", "supervision_status",
                                               "enterprise__name", "enterprise__longitude", "enterprise__latitude",
                                               "region__longitude", "region__latitude")[:LAYER_LIMIT])
    statuses = dict(HazardStatus.choices)
    features = []
    for pk, code, place, status, supervision, enterprise, e_lon, e_lat, r_lon, r_lat in rows:
        lon, lat = (e_lon, e_lat) if e_lon is not None and e_lat is not None else (r_lon, r_lat)
        if lon is None or lat is None:
            continue
        listed = "·挂牌督办" if supervision == "listed" else ""
        features.append(_point(lon, lat, id=pk, name=f"{code} {enterprise or place}", color="#8b0000",
                               label=f"重大隐患·{statuses.get(status, status)}{listed}",
                               url=reverse("hazards:hazard_detail", args=[pk])))
    return _collection(features)


def risk_points(user: User) -> dict[str, Any]:
    """Active risk points graded 重大 (red) or 较大 (orange)."""
    from yingji.risks.models import RiskLevel
    from yingji.risks.selectors import active_points, risk_point_features

    points = list(active_points(user).filter(level__in=[RiskLevel.MAJOR, RiskLevel.LARGER],
                                             longitude__isnull=False)[:LAYER_LIMIT])
    data = risk_point_features(points)
    for feature in data["features"]:
        feature["properties"]["label"] = feature["properties"]["level_label"]
    return data


def shelters(user: User) -> dict[str, Any]:
    """Shelters with their free places (full ones stay on the map, in red)."""
    from yingji.resources.selectors import resource_geojson

    data = resource_geojson(user, ["shelter"])
    for feature in data["features"]:
        feature["properties"]["url"] = reverse("resources:shelter_detail", args=[feature["properties"]["id"]])
    return data


def active_warnings(user: User) -> dict[str, Any]:
    """Published, unexpired warnings as areas: the drawn polygon, or else the boundaries of the warned regions."""
    from yingji.warnings.models import LEVEL_COLOURS, Warning, WarningStatus

    warnings = list(Warning.objects.restrict(user, "view").filter(status=WarningStatus.PUBLISHED,
                                                                   expires__gt=timezone.now())
                    .order_by("-published_at", "-pk")[:200])
    through = Warning.area_regions.through
    area_ids: dict[int, list[str]] = {}
    for warning_id, region_id in through.objects.filter(warning_id__in=[w.pk for w in warnings]).values_list(
            "warning_id", "region_id"):
        area_ids.setdefault(warning_id, []).append(region_id)
    wanted = {code for codes in area_ids.values() for code in codes}
    # Only boundaries of regions the user may see are drawn; a warning's area outside them is left out.
    boundaries = dict(Region.objects.restrict(user, "view").filter(pk__in=wanted, boundary__isnull=False)
                      .values_list("pk", "boundary"))
    features = []
    for w in warnings:
        properties = {"id": w.pk, "name": w.headline, "color": LEVEL_COLOURS.get(w.level, "#555"),
                      "label": f"预警·{w.get_level_display()}", "url": reverse("warnings:warning_detail", args=[w.pk]),
                      "expires": timezone.localtime(w.expires).strftime("%Y-%m-%d %H:%M")}
        geometries = [w.area_polygon] if w.area_polygon else [boundaries[c] for c in area_ids.get(w.pk, [])
                                                              if c in boundaries]
        for geometry in geometries:
            features.append({"type": "Feature", "geometry": geometry, "properties": properties})
    return _collection(features)


LAYERS: dict[str, tuple[Any, Callable[[User], dict[str, Any]]]] = {
    "monitoring": (_("重大危险源企业（报警）"), monitored_enterprises),
    "major_hazards": (_("重大隐患"), major_hazards),
    "risks": (_("红橙风险点"), risk_points),
    "shelters": (_("避难场所（空余）"), shelters),
    "warnings": (_("生效预警区域"), active_warnings),
}

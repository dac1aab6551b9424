"""Read queries for tip-offs: the public picker's places and boundaries, locating a point, public milestones.

The public pages have no user to scope by. What they read here is deliberately public: the names and outlines of
administrative divisions (published anyway), never a record of anyone's. Reading `Region` without `restrict()`
is therefore confined to this module and limited to those fields.
"""

from __future__ import annotations

from typing import Any

from django.contrib.contenttypes.models import ContentType
from shapely.geometry import Point, shape

from yingji.core.models import Region, StateChange
from yingji.tipoffs.models import TipOff
from yingji.tipoffs.states import PUBLIC_MILESTONES

PUBLIC_LEVELS = ("township", "village")


def public_region_choices() -> list[tuple[str, list[tuple[str, str]]]]:
    """Townships and villages grouped by county, for the select on the public form."""
    regions = Region._base_manager.filter(level__in=("county", *PUBLIC_LEVELS)).order_by("code").values_list(
        "code", "name", "level", "parent_id")
    names = {}
    groups: dict[str, list[tuple[str, str]]] = {}
    for code, name, level, parent in regions:
        names[code] = name
        if level == "county":
            groups.setdefault(code, [])
        elif level == "township":
            groups.setdefault(parent, []).append((code, name))
        else:
            township = names.get(parent, "")
            groups.setdefault(code[:6] + "000000", []).append((code, f"{township} / {name}"))
    return [(names.get(county, county), sorted(options)) for county, options in groups.items() if options]


def public_region(code: str) -> Region | None:
    return Region._base_manager.filter(code=code, level__in=PUBLIC_LEVELS).first()


def public_boundaries() -> dict[str, Any]:
    """Outlines and names of the cities and their counties: all the public picker draws."""
    features = []
    for region in Region._base_manager.filter(level__in=("city", "county"), boundary__isnull=False).order_by("code"):
        features.append({
            "type": "Feature",
            "geometry": region.boundary,
            "properties": {"code": region.code, "name": region.name,
                           "role": "parent" if region.level == "city" else "child"},
        })
    return {"type": "FeatureCollection", "features": features}


def region_at_point(longitude: float, latitude: float) -> Region | None:
    """The village (else township) whose boundary holds the point, by point-in-polygon."""
    point = Point(longitude, latitude)
    for level in PUBLIC_LEVELS[::-1]:
        for code, boundary in (Region._base_manager.filter(level=level, boundary__isnull=False)
                               .order_by("code").values_list("code", "boundary").iterator(chunk_size=500)):
            try:
                polygon = shape(boundary)
            except (ValueError, TypeError, KeyError, AttributeError):
                continue
            if polygon.bounds[0] <= longitude <= polygon.bounds[2] and polygon.bounds[1] <= latitude <= polygon.bounds[3] \
                    and polygon.covers(point):
                return Region._base_manager.get(code=code)
    return None


def public_milestones(tipoff: TipOff) -> list[dict[str, Any]]:
    """What the reporter may see: when it was submitted and each move as a fixed phrase, nothing internal."""
    steps = [{"at": tipoff.submitted_at, "label": "举报已提交"}]
    changes = (StateChange.objects.filter(subject_type=ContentType.objects.get_for_model(TipOff),
                                          subject_id=str(tipoff.pk))
               .order_by("at", "pk").values_list("at", "action"))
    for at, action in changes:
        steps.append({"at": at, "label": str(PUBLIC_MILESTONES.get(action, ""))})
    return [s for s in steps if s["label"]]

"""Whether a point lies where its record says it is: in (or within a few km of) its region's boundary.

The boundary is the region's own GeoJSON or, if it has none, that of the nearest ancestor with one; a region
tree without any boundary is held to China's bounding box. Distances are measured on a local equirectangular
projection (km), which is exact enough at the few-km tolerance the check needs.
"""

from __future__ import annotations

import math
from typing import Any

import shapely
from django.utils.translation import gettext as _
from shapely.geometry import Point, shape
from shapely.geometry.base import BaseGeometry

# How far outside its region's boundary a point may lie: boundaries are simplified and places on a border
# (a plant across the road from the line) are real.
TOLERANCE_KM = 3.0

# China's extent, including the South China Sea islands (the form fields' own ranges).
CHINA_LON = (73.0, 136.0)
CHINA_LAT = (3.0, 54.0)

KM_PER_DEGREE_LAT = 110.574
KM_PER_DEGREE_LON_AT_EQUATOR = 111.320


def _projected(geometry: BaseGeometry, latitude: float) -> BaseGeometry:
    scale_x = KM_PER_DEGREE_LON_AT_EQUATOR * math.cos(math.radians(latitude))
    return shapely.transform(geometry, lambda coords: coords * [scale_x, KM_PER_DEGREE_LAT])


def boundary_shape(boundary: dict[str, Any] | None) -> BaseGeometry | None:
    """A GeoJSON geometry (or Feature) as a shapely shape; None for a missing or unreadable one."""
    if not boundary:
        return None
    geometry = boundary.get("geometry", boundary) if isinstance(boundary, dict) else None
    try:
        result = shape(geometry)
    except (AttributeError, KeyError, TypeError, ValueError, IndexError):
        return None
    return None if result.is_empty else result


def distance_km(boundary: BaseGeometry, longitude: float, latitude: float) -> float:
    """How far the point lies outside the shape, in km (0 inside)."""
    return _projected(boundary, latitude).distance(_projected(Point(longitude, latitude), latitude))


def in_china(longitude: float, latitude: float) -> bool:
    return CHINA_LON[0] <= longitude <= CHINA_LON[1] and CHINA_LAT[0] <= latitude <= CHINA_LAT[1]


def region_with_boundary(region) -> tuple[Any, BaseGeometry] | tuple[None, None]:
    """The region itself or its nearest ancestor that has a boundary, with that boundary as a shape."""
    current = region
    while current is not None:
        found = boundary_shape(current.boundary)
        if found is not None:
            return current, found
        current = current.parent
    return None, None


def point_problem(longitude: float | None, latitude: float | None, region,
                  tolerance_km: float = TOLERANCE_KM) -> str | None:
    """None when the point is usable for a record of `region`, else why not, in Chinese.

    Only one of the two coordinates is a problem; neither is none (coordinates are optional).
    """
    if longitude is None and latitude is None:
        return None
    if longitude is None or latitude is None:
        return _("经度和纬度须同时填写")
    if not in_china(longitude, latitude):
        return _("坐标不在中国境内（经度 73～136，纬度 3～54）")
    if region is None:
        return None
    holder, boundary = region_with_boundary(region)
    if boundary is None:
        return None
    if distance_km(boundary, longitude, latitude) > tolerance_km:
        return _("坐标不在所属区域内（%(region)s）") % {"region": holder.name}
    return None

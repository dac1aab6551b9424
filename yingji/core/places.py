"""The place search of the map picker: regions, and the named points apps contribute (`PLACE_SOURCES`),
each limited to what the user may read."""

from __future__ import annotations

from django.utils.translation import gettext as _

from yingji.core.contributions import Place, contributions
from yingji.core.geo import boundary_shape
from yingji.core.models import Region, User
from yingji.core.scoping import has_model_perm

MIN_TERM = 1
PER_SOURCE = 8
MAX_RESULTS = 20


def region_places(user: User, term: str, limit: int) -> list[Place]:
    """Regions the user may read whose name contains `term`, at their centre (or inside their boundary)."""
    if not has_model_perm(user, Region, "view"):
        return []
    places = []
    rows = (Region.objects.restrict(user, "view").filter(name__icontains=term).order_by("code")
            .only("code", "name", "longitude", "latitude", "boundary", "level")[:limit * 2])
    for region in rows:
        lon, lat = region.longitude, region.latitude
        if lon is None or lat is None:
            shape = boundary_shape(region.boundary)
            if shape is None:
                continue
            point = shape.representative_point()
            lon, lat = point.x, point.y
        places.append(Place(name=region.name, kind=region.get_level_display(), longitude=lon, latitude=lat,
                            region=region.code))
        if len(places) >= limit:
            break
    return places


def place_search(user: User, term: str) -> list[dict]:
    """At most MAX_RESULTS places for the term, regions first, each as the JSON the picker reads."""
    term = term.strip()
    if len(term) < MIN_TERM:
        return []
    found = region_places(user, term, PER_SOURCE)
    for source in contributions("PLACE_SOURCES").values():
        found += source.search(user, term, PER_SOURCE)
    # Exact names first, then shorter (closer) ones.
    found.sort(key=lambda p: (p.name != term, not p.name.startswith(term), len(p.name)))
    return [{"name": p.name, "kind": str(p.kind or _("地点")), "lon": round(p.longitude, 6),
             "lat": round(p.latitude, 6), "region": p.region} for p in found[:MAX_RESULTS]]

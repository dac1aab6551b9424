"""Read queries shared by several pages: figures, region roots, GeoJSON."""

from __future__ import annotations

from typing import Any

from django.db.models import Count, QuerySet
from django.db.models.functions import Substr
from shapely.errors import GEOSException
from shapely.geometry import shape

from yingji.core.contributions import contributions
from yingji.core.models import Region, User
from yingji.core.todos import todo_count, todo_items
from yingji.standards.division import LEVELS, PREFIX_LENGTH


def region_root_for(user: User) -> Region | None:
    """The top of the region tree the user may see."""
    if user.scope_enterprise_id:
        return user.scope_enterprise.region
    if user.scope_region_id:
        return user.scope_region
    return Region.objects.restrict(user, "view").filter(parent__isnull=True).order_by("code").first()


def child_prefix_length(region: Region) -> int:
    """Length of the code prefix that names a child of `region` (4 for a province's cities...)."""
    index = LEVELS.index(region.level)
    return PREFIX_LENGTH[LEVELS[min(index + 1, len(LEVELS) - 1)]]


def counts_by_child_region(queryset: QuerySet, root: Region, region_field: str = "region") -> list[dict[str, Any]]:
    """Count rows per child region of `root`, from the code prefix: one GROUP BY, no join per row."""
    length = child_prefix_length(root)
    column = f"{region_field}_id"
    rows = (
        queryset.annotate(child=Substr(column, 1, length))
        .values("child")
        .annotate(total=Count("pk"))
        .order_by("child")
    )
    counts = {row["child"]: row["total"] for row in rows}
    children = Region.objects.filter(parent=root).order_by("code").values_list("code", "name")
    return [{"code": code, "name": name, "total": counts.get(code[:length], 0)} for code, name in children]


def label_point(boundary: dict[str, Any]) -> list[float] | None:
    """Where a region's name is written on a map: a point inside its outline ([lon, lat]). The centroid of a
    crescent or a horseshoe lies outside it, so shapely's representative point is used when it does."""
    try:
        outline = shape(boundary)
    except (ValueError, TypeError, AttributeError, GEOSException):
        return None
    if outline.is_empty:
        return None
    centre = outline.centroid
    point = centre if outline.contains(centre) else outline.representative_point()
    return [round(point.x, 6), round(point.y, 6)]


def region_children_geojson(regions: QuerySet, parent: Region) -> dict[str, Any]:
    """A region's outline and its children's, each with the point its name is written at (`label_point`) and
    whether its child regions may be opened (`has_children`, for a click that drills down)."""
    children = list(regions.filter(parent=parent).order_by("code"))
    with_children = set(regions.filter(parent__in=children).values_list("parent_id", flat=True).distinct())
    features = []
    for region in [parent, *children]:
        if not region.boundary:
            continue
        features.append(
            {
                "type": "Feature",
                "geometry": region.boundary,
                "properties": {
                    "code": region.code,
                    "name": region.name,
                    "level": region.level,
                    "role": "parent" if region.pk == parent.pk else "child",
                    "population": region.population,
                    "label_point": label_point(region.boundary),
                    "has_children": region.pk in with_children,
                },
            }
        )
    return {"type": "FeatureCollection", "features": features,
            "parent": {"code": parent.code, "name": parent.name}}


def home_figures(user: User) -> dict[str, Any]:
    """The home page as the user's workbench: 我的待办 (`yingji.core.todos`), then the blocks of figures that fit
    the user's role and scope (`HOME_FIGURES` in the apps' contributions.py, each with its `fits(user)`). A
    block's figures are merged into the page's context and also given to its template as `data`. The page is
    named after the user's enterprise, or the region of their jurisdiction."""
    root = region_root_for(user)
    blocks = sorted((block for block in contributions("HOME_FIGURES").values() if block.fits(user)),
                    key=lambda block: block.order)
    todos = todo_items(user)
    figures: dict[str, Any] = {"scope_root": root, "todos": todos, "todo_total": todo_count(todos),
                               "workbench_name": str(user.scope_enterprise) if user.scope_enterprise_id
                               else (root.name if root is not None else "")}
    shown = []
    for block in blocks:
        data = block.read(user, root)
        if data is None:
            continue
        figures.update(data)
        shown.append({"template": block.template, "script": block.script, "key": block.key, "data": data})
    figures["home_blocks"] = shown
    return figures

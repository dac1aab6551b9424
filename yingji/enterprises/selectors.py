from __future__ import annotations

from typing import Any

from django.db.models import Count
from django.urls import reverse

from yingji.core.models import Region, User
from yingji.core.selectors import counts_by_child_region
from yingji.enterprises.models import CATEGORY_COLORS, Category, Enterprise, Status


def enterprise_figures(user: User, root: Region | None) -> dict[str, Any]:
    """Enterprise counts for the home page: totals, by category, by child region of the scope."""
    enterprises = Enterprise.objects.restrict(user, "view")
    by_category_rows = dict(enterprises.values_list("category").annotate(n=Count("pk")).order_by())
    list_url = reverse("enterprises:enterprise_list")
    by_region = counts_by_child_region(enterprises, root) if root else []
    for row in by_region:
        row["url"] = f"{list_url}?region={row['code']}"
    by_category = [
        {"key": value, "name": str(label), "total": by_category_rows.get(value, 0), "color": CATEGORY_COLORS[value],
         "url": f"{list_url}?category={value}"}
        for value, label in Category.choices
        if by_category_rows.get(value)
    ]
    by_status = dict(enterprises.values_list("status").annotate(n=Count("pk")).order_by())
    return {
        "enterprise_total": sum(by_category_rows.values()),
        "enterprise_operating": by_status.get(Status.OPERATING, 0),
        "enterprise_major_hazchem": sum(
            by_category_rows.get(c, 0) for c in (Category.HAZCHEM_PRODUCTION, Category.HAZCHEM_TRADE, Category.HAZCHEM_USE)
        ),
        "enterprise_class_a": enterprises.filter(supervision_class="A").count(),
        "enterprises_by_category": by_category,
        "enterprises_by_region": by_region,
    }


def enterprise_geojson(queryset) -> dict[str, Any]:
    """Enterprises with coordinates as GeoJSON points, coloured by category."""
    rows = queryset.exclude(longitude__isnull=True).values_list(
        "pk", "name", "category", "longitude", "latitude", "status"
    )
    labels = dict(Category.choices)
    return {
        "type": "FeatureCollection",
        "features": [
            {
                "type": "Feature",
                "geometry": {"type": "Point", "coordinates": [lon, lat]},
                "properties": {
                    "id": pk, "name": name, "category": category, "category_label": str(labels.get(category, "")),
                    "color": CATEGORY_COLORS.get(category, "#555"), "status": status,
                },
            }
            for pk, name, category, lon, lat, status in rows
        ],
    }

"""Form widgets of the warning form: the region tree picker and the polygon drawn on the map."""

from __future__ import annotations

from typing import Any

from django import forms


class RegionTreeWidget(forms.CheckboxSelectMultiple):
    """Townships and villages as a tree of check boxes under their county (only the user's own regions).

    Ticking a township covers its villages (the area is the chosen regions' subtrees), so the page greys out
    the villages under a ticked township instead of sending them again.
    """

    template_name = "warnings/widgets/region_tree.html"

    def get_context(self, name: str, value: Any, attrs: dict | None) -> dict:
        context = super().get_context(name, value, attrs)
        chosen = {str(v) for v in (value or [])}
        queryset = getattr(self.choices, "queryset", None)
        rows = list(queryset.order_by("code").values_list("code", "name", "level", "parent_id")) if queryset is not None else []
        nodes = {code: {"code": code, "name": name, "level": level, "checked": code in chosen, "children": []}
                 for code, name, level, _parent in rows}
        roots = []
        for code, _name, _level, parent in rows:
            if parent in nodes:
                nodes[parent]["children"].append(nodes[code])
            else:
                roots.append(nodes[code])
        context["widget"]["tree"] = roots
        return context


class PolygonMapWidget(forms.Textarea):
    """The GeoJSON polygon as text, with a Leaflet map above it to draw it (click vertices, double-click)."""

    template_name = "warnings/widgets/polygon_map.html"

    def __init__(self, attrs: dict | None = None) -> None:
        super().__init__({"rows": 2, "data-polygon-input": "1", **(attrs or {})})

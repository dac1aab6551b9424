"""Widgets the shared form layer (`yingji.core.forms`) puts on fields, read by yingji/static/yingji/forms.js.

- MapPointWidget: the longitude input inside a map picker (click, drag the marker, search a place) that also
  writes the latitude input named by `data-latitude-input`; both stay plain number inputs, so the server side
  reads them as before.
- AnnotatedSelect: a select whose options carry data- attributes: what choosing one fills in (an enterprise's
  region, address and coordinates) and which parent option it belongs to (dependent selects).
- TimetableWidget: rows of (minutes, step) edited as a table, read back as a list of dicts.
"""

from __future__ import annotations

import json
from collections.abc import Callable
from typing import Any

from django import forms
from django.templatetags.static import static
from django.urls import reverse


class MapPointWidget(forms.NumberInput):
    """The longitude of a coordinate pair, shown with a map picker above it."""

    template_name = "core/widgets/map_point.html"

    def __init__(self, attrs: dict | None = None, latitude_input: str = "") -> None:
        super().__init__({"step": "any", **(attrs or {})})
        self.latitude_input = latitude_input

    def get_context(self, name: str, value: Any, attrs: dict | None) -> dict:
        context = super().get_context(name, value, attrs)
        context["picker"] = {
            "latitude_input": self.latitude_input,
            "regions_url": reverse("core:region_geojson"),
            "search_url": reverse("core:place_search"),
            "leaflet_js": static("vendor/leaflet/leaflet.js"),
            "leaflet_css": static("vendor/leaflet/leaflet.css"),
            "map_js": static("yingji/map.js"),
        }
        return context


OptionData = Callable[[Any], dict[str, str]]


class AnnotatedSelect(forms.Select):
    """A select whose every option gets the data- attributes `option_data(value)` gives (value is the
    ModelChoiceIteratorValue of a model choice, so `value.instance` is the record)."""

    def __init__(self, attrs: dict | None = None, choices: Any = (), option_data: OptionData | None = None) -> None:
        super().__init__(attrs, choices)
        self.option_data = option_data

    def create_option(self, name, value, label, selected, index, subindex=None, attrs=None):
        option = super().create_option(name, value, label, selected, index, subindex, attrs)
        if self.option_data is not None and value not in ("", None):
            option["attrs"].update({f"data-{key}": data for key, data in self.option_data(value).items()
                                    if data not in (None, "")})
        return option


class TimetableWidget(forms.Widget):
    """A list of {"after_minutes": n, <choice_key>: value} as table rows (plus empty rows to add more)."""

    template_name = "core/widgets/timetable.html"
    EXTRA_ROWS = 2

    def __init__(self, choices: Any = (), minutes_label: str = "", choice_label: str = "",
                 choice_key: str = "step", attrs: dict | None = None) -> None:
        super().__init__(attrs)
        self.choices = choices
        self.minutes_label = minutes_label
        self.choice_label = choice_label
        self.choice_key = choice_key

    def rows(self, value: Any) -> list[dict[str, Any]]:
        if isinstance(value, str):
            try:
                value = json.loads(value)
            except ValueError:
                value = []
        entries = value if isinstance(value, list) else []
        rows = [{"minutes": e.get("after_minutes", "") if isinstance(e, dict) else "",
                 "choice": e.get(self.choice_key, "") if isinstance(e, dict) else ""} for e in entries]
        return rows + [{"minutes": "", "choice": ""} for _ in range(self.EXTRA_ROWS)]

    def get_context(self, name: str, value: Any, attrs: dict | None) -> dict:
        context = super().get_context(name, value, attrs)
        context["widget"].update({
            "rows": self.rows(value), "choices": [(str(k), str(v)) for k, v in self.choices],
            "minutes_label": self.minutes_label, "choice_label": self.choice_label,
        })
        return context

    def format_value(self, value: Any) -> Any:
        return value

    def value_from_datadict(self, data, files, name: str) -> list[dict[str, Any]] | str | None:
        """Rows with both cells empty are dropped; a half-filled or non-numeric row is kept as text, so the
        field's validation names it."""
        if f"{name}-minutes" not in data and name in data:
            return data.get(name)  # the API-style single JSON value (an import row, a test)
        minutes = data.getlist(f"{name}-minutes") if hasattr(data, "getlist") else data.get(f"{name}-minutes", [])
        choices = data.getlist(f"{name}-choice") if hasattr(data, "getlist") else data.get(f"{name}-choice", [])
        if not minutes and not choices:
            return None
        rows = []
        for raw_minutes, choice in zip(minutes, choices, strict=False):
            raw_minutes, choice = (raw_minutes or "").strip(), (choice or "").strip()
            if not raw_minutes and not choice:
                continue
            try:
                after: Any = int(raw_minutes)
            except ValueError:
                after = raw_minutes
            rows.append({"after_minutes": after, self.choice_key: choice})
        return rows

    def value_omitted_from_data(self, data, files, name: str) -> bool:
        return f"{name}-minutes" not in data and name not in data

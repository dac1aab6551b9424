"""Columns: one declaration drives the list table, the Excel export and the import template."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from django.core.exceptions import FieldDoesNotExist
from django.db import models

from yingji.core import display


@dataclass(frozen=True)
class Column:
    """A column of a list. `name` is a model field or attribute path ("region.name").

    `value()` is what the export writes (numbers stay numbers), `text()` what the page shows (through
    `yingji.core.display`): 是/否, "—" for empty, choices and lists of choices by label, local time, and the
    unit given here or declared by the model (`display_units`) beside a number.
    """

    name: str
    label: str = ""
    link: bool = False
    accessor: Callable[[Any], Any] | None = None
    export: bool = True
    orderable: bool = True
    unit: str = ""

    def _target(self, obj: models.Model) -> tuple[Any, str]:
        target = obj
        parts = self.name.split(".")
        for part in parts[:-1]:
            target = getattr(target, part, None)
            if target is None:
                return None, parts[-1]
        return target, parts[-1]

    def value(self, obj: models.Model) -> Any:
        if self.accessor is not None:
            return self.accessor(obj)
        target, last = self._target(obj)
        if target is None:
            return ""
        shown = getattr(target, f"get_{last}_display", None)
        if shown is not None:
            return shown()
        value = getattr(target, last, "")
        if isinstance(value, models.Manager):
            return display.join(value.all())
        field = _field(target, last)
        if isinstance(value, (list, tuple)) and field is not None:
            return display.text(value, field)
        return "" if value is None else value

    def text(self, obj: models.Model) -> str:
        """The cell as the page shows it."""
        value = self.value(obj)
        unit = self.unit
        if not unit and self.accessor is None:
            target, last = self._target(obj)
            unit = display.unit_for(target, last) if target is not None else ""
        return display.text(value, unit=unit)

    def heading(self, model: type[models.Model]) -> str:
        if self.label:
            return str(self.label)
        field = model._meta.get_field(self.name.split(".")[0])
        return str(field.verbose_name)

    @property
    def order_key(self) -> str | None:
        if not self.orderable or self.accessor is not None:
            return None
        return self.name.replace(".", "__")


def _field(obj: Any, name: str) -> models.Field | None:
    meta = getattr(obj, "_meta", None)
    if meta is None:
        return None
    try:
        return meta.get_field(name)
    except FieldDoesNotExist:
        return None


def related_paths(columns: list[Column]) -> list[str]:
    """select_related paths the columns need, so a list page runs one query, not one per row."""
    return sorted({"__".join(c.name.split(".")[:-1]) for c in columns if "." in c.name})

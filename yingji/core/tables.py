"""Columns: one declaration drives the list table, the Excel export and the import template."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from django.db import models


@dataclass(frozen=True)
class Column:
    """A column of a list. `name` is a model field or attribute path ("region.name")."""

    name: str
    label: str = ""
    link: bool = False
    accessor: Callable[[Any], Any] | None = None
    export: bool = True
    orderable: bool = True

    def value(self, obj: models.Model) -> Any:
        if self.accessor is not None:
            return self.accessor(obj)
        target = obj
        parts = self.name.split(".")
        for part in parts[:-1]:
            target = getattr(target, part, None)
            if target is None:
                return ""
        last = parts[-1]
        display = getattr(target, f"get_{last}_display", None)
        if display is not None:
            return display()
        value = getattr(target, last, "")
        return "" if value is None else value

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


def related_paths(columns: list[Column]) -> list[str]:
    """select_related paths the columns need, so a list page runs one query, not one per row."""
    return sorted({"__".join(c.name.split(".")[:-1]) for c in columns if "." in c.name})

"""Change history of a record, as shown on its detail page."""

from __future__ import annotations

from typing import Any

from django.db import models
from django.utils.translation import gettext as _

from yingji.core import display

HISTORY_TYPES = {"+": _("新建"), "~": _("修改"), "-": _("删除")}
HISTORY_LIMIT = 50


def _display(record, field: models.Field, value: Any) -> str:
    if value in (None, ""):
        return display.EMPTY
    if isinstance(field, models.ForeignKey):
        related = field.related_model._base_manager.filter(pk=value).first()
        return str(related) if related else str(value)
    # A historical row has the record's fields, so a unit read from the record (a point's own unit) reads from it.
    return display.text(value, field, display.unit_for(record, field.name, model=getattr(record, "instance_type", None)))


def history_entries(obj: models.Model, user) -> list[dict[str, Any]]:
    """Who changed what and when, newest first, with each field's old and new value."""
    manager = getattr(obj, "history", None)
    if manager is None:
        return []
    records = list(manager.select_related("history_user").order_by("-history_date", "-history_id")[: HISTORY_LIMIT + 1])
    entries = []
    for index, record in enumerate(records[:HISTORY_LIMIT]):
        previous = records[index + 1] if index + 1 < len(records) else None
        changes = []
        if previous is not None and record.history_type == "~":
            delta = record.diff_against(previous)
            for change in delta.changes:
                field = obj._meta.get_field(change.field)
                changes.append(
                    (str(field.verbose_name), _display(record, field, change.old), _display(record, field, change.new))
                )
        entries.append(
            {
                "when": record.history_date,
                "who": str(record.history_user) if record.history_user else _("系统"),
                "type": HISTORY_TYPES.get(record.history_type, record.history_type),
                "reason": record.history_change_reason or "",
                "changes": changes,
            }
        )
    return entries

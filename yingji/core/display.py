"""How a value reads on a screen, in an export cell and in a notification: one place for every page.

Booleans read 是/否, an empty value "—", a moment in Asia/Shanghai as `YYYY-MM-DD HH:mm`, a choice by its
label, a list as its items' labels joined by 、, a number with its unit beside it. Never a Python repr, never
True/False/None, never UTC. Templates reach it through `{% load display %}` (`|show`, `|local`, `|unit`),
list and detail pages through `Column.text()`, exports through `excel.cell_value()`, messages through `text()`.

A model declares the unit of a field in `display_units`: the unit itself, or a callable taking the record
(a monitoring point's readings are in the point's own unit):

    display_units = {"range_low": unit_of_point, "quantity": "吨"}
"""

from __future__ import annotations

import datetime
from collections.abc import Callable, Iterable, Mapping
from decimal import Decimal
from typing import Any

from django.core.exceptions import FieldDoesNotExist
from django.db import models
from django.forms.renderers import DjangoTemplates
from django.utils import timezone
from django.utils.functional import Promise

EMPTY = "—"
YES = "是"
NO = "否"
LIST_SEPARATOR = "、"
MOMENT_FORMAT = "%Y-%m-%d %H:%M"
DAY_FORMAT = "%Y-%m-%d"

Unit = str | Callable[[Any], str]


def local(moment: datetime.datetime) -> datetime.datetime:
    """The moment on the wall clock of the site (Asia/Shanghai); a naive one is taken as already local."""
    return timezone.localtime(moment) if timezone.is_aware(moment) else moment


def moment_text(moment: datetime.datetime | datetime.date | None, with_seconds: bool = False) -> str:
    if moment is None or moment == "":
        return EMPTY
    if not isinstance(moment, datetime.datetime):
        return moment.strftime(DAY_FORMAT) if isinstance(moment, datetime.date) else text(moment)
    return local(moment).strftime(MOMENT_FORMAT + (":%S" if with_seconds else ""))


def number_text(value: float | Decimal | int) -> str:
    """A number without a trailing `.0` or exponent noise: 12.5, 3, 0.25."""
    if isinstance(value, int):
        return str(value)
    if isinstance(value, float):
        if value != value:  # NaN
            return EMPTY
        return f"{value:.6g}" if abs(value) < 1e15 else str(value)
    text = format(value.normalize(), "f") if isinstance(value, Decimal) else str(value)
    return text


def choice_label(field: models.Field | None, value: Any) -> Any:
    if field is None:
        return value
    choices = getattr(field, "flatchoices", None) or getattr(getattr(field, "base_field", None), "flatchoices", None)
    if not choices:
        return value
    return dict(choices).get(value, value)


def text(value: Any, field: models.Field | None = None, unit: str = "") -> str:
    """`value` as a person reads it. `field` (a model field) turns stored choice keys, lists of them included,
    into their labels; `unit` is written after a number."""
    if value is None or value == "" or (isinstance(value, (list, tuple, set, frozenset, dict)) and not value):
        return EMPTY
    if isinstance(value, bool):
        return YES if value else NO
    if isinstance(value, Promise):
        return str(value)
    if isinstance(value, str):
        return str(choice_label(field, value))
    if isinstance(value, datetime.datetime):
        return moment_text(value)
    if isinstance(value, datetime.date):
        return value.strftime(DAY_FORMAT)
    if isinstance(value, datetime.time):
        return value.strftime("%H:%M")
    if isinstance(value, (int, float, Decimal)):
        labelled = choice_label(field, value)
        if labelled is not value:
            return str(labelled)
        number = number_text(value)
        return f"{number} {unit}" if unit and number != EMPTY else number
    if isinstance(value, Mapping):
        return "；".join(f"{text(k)}：{text(v)}" for k, v in value.items())
    if isinstance(value, (list, tuple, set, frozenset)) or _is_manager(value):
        items = value.all() if _is_manager(value) else value
        return LIST_SEPARATOR.join(text(item, field) for item in items) or EMPTY
    return str(value)


def _is_manager(value: Any) -> bool:
    return isinstance(value, models.Manager)


def join(items: Iterable[Any]) -> str:
    """Labels joined with 、; "—" for none."""
    return text(list(items))


def unit_for(obj: Any, name: str, model: type | None = None) -> str:
    """The unit `obj`'s model (or `model`) declares for its field `name` in `display_units`, or ""."""
    units: Mapping[str, Unit] = getattr(model or type(obj), "display_units", None) or {}
    unit = units.get(name, "")
    return unit(obj) if callable(unit) else str(unit)


def field_text(obj: models.Model, name: str) -> str:
    """One field of a record as a person reads it: choices by label, with its declared unit."""
    try:
        field = obj._meta.get_field(name)
    except FieldDoesNotExist:  # an attribute or property, not a field
        field = None
    if isinstance(field, models.ManyToManyField):
        return text(getattr(obj, name).all())
    return text(getattr(obj, name, None), field, unit_for(obj, name))


def export_value(value: Any) -> Any:
    """What an export cell holds: numbers and local moments stay typed for the spreadsheet, everything else the
    text a screen shows (是/否, labels joined with 、); an empty value stays an empty cell."""
    if value is None or value == "":
        return None
    if isinstance(value, bool):
        return YES if value else NO
    if isinstance(value, (int, float, Decimal)):
        return value
    if isinstance(value, datetime.datetime):
        return local(value).replace(tzinfo=None)
    if isinstance(value, (datetime.date, datetime.time)):
        return value
    return text(value)



PROMPT = "请选择…"
DJANGO_BLANK = "---------"


class FormRenderer(DjangoTemplates):
    """Django's form renderer (settings.FORM_RENDERER), with a select's empty option reading 请选择… instead of
    Django's "---------", for every form and filter alike, whatever built its choices."""

    def render(self, template_name: str, context: dict, request=None) -> str:
        widget = context.get("widget")
        if isinstance(widget, dict):
            for _group, options, _index in widget.get("optgroups", ()):
                for option in options:
                    if option.get("label") == DJANGO_BLANK and option.get("value") in ("", None):
                        option["label"] = PROMPT
        return super().render(template_name, context, request=request)

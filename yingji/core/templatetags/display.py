"""Template side of the display layer (`yingji.core.display`): `{% load display %}`.

    {{ value|show }}              是/否, "—", labels joined with 、, a moment in Asia/Shanghai
    {{ reading|show:point.unit }} a number with its unit
    {{ moment|local }}            YYYY-MM-DD HH:mm on the site's clock ({{ moment|local:"seconds" }} adds seconds)
    {{ record|field:"name" }}     one field of a record: its choice label and the unit its model declares
"""

from typing import Any

from django import template

from yingji.core import display

register = template.Library()


@register.filter
def show(value: Any, unit: str = "") -> str:
    return display.text(value, unit=unit or "")


@register.filter
def local(value: Any, precision: str = "") -> str:
    return display.moment_text(value, with_seconds=precision == "seconds")


@register.filter
def field(obj: Any, name: str) -> str:
    return display.field_text(obj, name)

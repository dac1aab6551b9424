"""Validators shared by forms, filters and API serializers."""

import datetime
from collections.abc import Mapping
from typing import Any

from django.core.exceptions import ObjectDoesNotExist, ValidationError
from django.utils.translation import gettext as _

from yingji.core.geo import point_problem
from yingji.core.models import Region

# Dates a record of this system can carry. Services add days and months to dates and convert Shanghai times to UTC;
# at the ends of what Python's date holds (years 1 and 9999) that overflows, so such a date is refused on input.
EARLIEST_DAY = datetime.date(1900, 1, 1)
LATEST_DAY = datetime.date(2999, 12, 31)


def validate_plausible_day(value: datetime.date | datetime.datetime) -> None:
    day = value.date() if isinstance(value, datetime.datetime) else value
    if not EARLIEST_DAY <= day <= LATEST_DAY:
        raise ValidationError(
            _("日期应在 %(earliest)s 至 %(latest)s 之间") % {"earliest": EARLIEST_DAY, "latest": LATEST_DAY},
            code="out_of_range",
        )


def _related(instance: Any, name: str) -> Any:
    try:
        return getattr(instance, name, None)
    except ObjectDoesNotExist:
        return None


def record_region(values: Mapping[str, Any], instance: Any) -> Any:
    """The region a record with these (new) values lies in: its `region`, else its enterprise's region; the
    region itself for a region's own centre. Values not given are the instance's."""
    if isinstance(instance, Region):
        return instance
    region = values["region"] if "region" in values else _related(instance, "region")
    if isinstance(region, Region):
        return region
    enterprise = values["enterprise"] if "enterprise" in values else _related(instance, "enterprise")
    return _related(enterprise, "region") if enterprise is not None else None


def coordinates_problem(values: Mapping[str, Any], instance: Any) -> str | None:
    """Why the record's coordinates (new values over the instance's) are not in or near its region, or None."""
    def current(name: str) -> Any:
        return values[name] if name in values else getattr(instance, name, None)

    return point_problem(current("longitude"), current("latitude"), record_region(values, instance))

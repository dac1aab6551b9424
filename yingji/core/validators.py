"""Validators shared by forms, filters and API serializers."""

import datetime

from django.core.exceptions import ValidationError
from django.utils.translation import gettext as _

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

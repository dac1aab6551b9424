"""Phone numbers: a mobile cut short is refused; mobiles, landlines and service numbers pass."""

import pytest
from django.core.exceptions import ValidationError

from yingji.core.models import phone_validator


@pytest.mark.parametrize("number", ["13900001111", "0531-88886666", "053188886666", "010-12345678-801", "88886666",
                                    "110", "12350", "95598"])
def test_real_numbers_pass(number):
    phone_validator(number)


@pytest.mark.parametrize("number", ["1390000", "139000011112", "12345678", "00000", "1390000111a", "+8613900001111",
                                    "0531-123"])
def test_a_number_cut_short_or_malformed_is_refused(number):
    with pytest.raises(ValidationError, match="11位手机号码"):
        phone_validator(number)

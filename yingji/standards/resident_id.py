"""公民身份号码 (GB 11643-1999): 18 characters, the last a check character.

Clause 7 (校验码): weights W_i = 2^(i-1) mod 11 for positions 18..2 read from the left as
7 9 10 5 8 4 2 1 6 3 7 9 10 5 8 4 2; S = Σ a_i·W_i; the check character is
"10X98765432"[S mod 11] (X stands for 10).
"""

from __future__ import annotations

import datetime

WEIGHTS = (7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2)
CHECK_CHARACTERS = "10X98765432"


def check_character(first17: str) -> str:
    """The 18th character for the first 17 digits (GB 11643-1999 clause 7)."""
    if len(first17) != 17 or not first17.isdigit():
        raise ValueError("need 17 digits")
    total = sum(int(digit) * weight for digit, weight in zip(first17, WEIGHTS, strict=True))
    return CHECK_CHARACTERS[total % 11]


def problem(value: str) -> str | None:
    """None for a well-formed number, else why it is not (in Chinese, for the user)."""
    if len(value) != 18:
        return "公民身份号码应为18位"
    if not value[:17].isdigit() or not (value[17].isdigit() or value[17] == "X"):
        return "公民身份号码前17位应为数字，最后一位为数字或X"
    try:
        datetime.date(int(value[6:10]), int(value[10:12]), int(value[12:14]))
    except ValueError:
        return "公民身份号码中的出生日期无效"
    if check_character(value[:17]) != value[17]:
        return "公民身份号码校验位不正确"
    return None


def mask_resident_id(value: str) -> str:
    """A 公民身份号码 for display to people who may not read it in full: the 4-digit area prefix and the last
    4 characters, the rest starred ("3301**********1234"); birth date and county stay hidden.

    Anything shorter than 9 characters is starred entirely (there would be too little left to hide).
    """
    value = (value or "").strip()
    if len(value) < 9:
        return "*" * len(value)
    return value[:4] + "*" * (len(value) - 8) + value[-4:]

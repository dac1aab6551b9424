"""统计用区划代码 (国统字〔2009〕91号): 12 digits = 2 省 + 2 地 + 2 县 + 3 乡 + 3 村.

The first six digits are the GB/T 2260 code. A region's descendants are the
codes that start with its significant prefix, which is what scoping relies on.
"""

LEVELS = ("province", "city", "county", "township", "village")
PREFIX_LENGTH = {"province": 2, "city": 4, "county": 6, "township": 9, "village": 12}


def is_well_formed(code: str) -> bool:
    return isinstance(code, str) and len(code) == 12 and code.isdigit() and code[:2] != "00"


def level_of(code: str) -> str:
    """The level of a 12-digit code: the last non-zero segment decides it."""
    if not is_well_formed(code):
        raise ValueError(f"区划代码应为12位数字：{code!r}")
    if code[9:] != "000":
        return "village"
    if code[6:9] != "000":
        return "township"
    if code[4:6] != "00":
        return "county"
    if code[2:4] != "00":
        return "city"
    return "province"


def significant_prefix(code: str) -> str:
    """The prefix shared by the code and all its descendants."""
    return code[: PREFIX_LENGTH[level_of(code)]]


def parent_code(code: str) -> str | None:
    """The code of the enclosing region, or None for a province."""
    level = level_of(code)
    if level == "province":
        return None
    keep = PREFIX_LENGTH[LEVELS[LEVELS.index(level) - 1]]
    return code[:keep].ljust(12, "0")


def ancestor_codes(code: str) -> list[str]:
    """The codes of the regions above `code`, nearest first (the code itself not included)."""
    codes = []
    parent = parent_code(code)
    while parent:
        codes.append(parent)
        parent = parent_code(parent)
    return codes


def township_kind(code: str) -> str:
    """Digits 7-9 of a township code: 001-099 街道, 100-199 镇, 200-399 乡, 400-599 类似乡级单位."""
    number = int(code[6:9])
    if 1 <= number <= 99:
        return "街道"
    if 100 <= number <= 199:
        return "镇"
    if 200 <= number <= 399:
        return "乡"
    return "类似乡级单位"

"""Grades of 生产安全事故 (国务院令第493号 第三条) and shelter capacity (GB 21734-2008 5.4).

- 国务院令第493号《生产安全事故报告和调查处理条例》第三条: four grades by deaths, serious injuries (including 急性工业中毒)
  and direct economic loss; "以上"包括本数, "以下"不包括本数, and any one criterion reaching a grade is enough, so the
  grade is the most severe one reached by any of the three.
- GB 21734-2008《地震应急避难场所 场址及配套设施》5.4: 人均居住面积应大于 1.5 m²; 1.5 m² is the default area per
  person, configurable per shelter kind.
- Exact boundaries: the loss is compared as a Decimal built from its string form, so float noise never moves a
  value across a boundary.

Pure functions and data; no Django imports.
"""

from __future__ import annotations

from decimal import Decimal, InvalidOperation

ESPECIALLY_MAJOR = "特别重大"
MAJOR = "重大"
LARGER = "较大"
GENERAL = "一般"
GRADES = (ESPECIALLY_MAJOR, MAJOR, LARGER, GENERAL)

# (grade, deaths at least, serious injuries at least, direct loss in yuan at least), most severe first (第三条).
THRESHOLDS: tuple[tuple[str, int, int, Decimal], ...] = (
    (ESPECIALLY_MAJOR, 30, 100, Decimal("100000000")),
    (MAJOR, 10, 50, Decimal("50000000")),
    (LARGER, 3, 10, Decimal("10000000")),
)

DEFAULT_AREA_PER_PERSON = Decimal("1.5")


def _decimal(value: float | int | str | Decimal, name: str) -> Decimal:
    try:
        number = value if isinstance(value, Decimal) else Decimal(str(value))
    except (InvalidOperation, ValueError) as exc:
        raise ValueError(f"{name} 不是有效的数值：{value!r}") from exc
    if not number.is_finite() or number < 0:
        raise ValueError(f"{name} 不能为负数或非有限值：{value!r}")
    return number


def grade(deaths: int, serious_injuries: int, direct_loss_yuan: float) -> str:
    """The grade of an accident per 国务院令第493号 第三条: 特别重大, 重大, 较大 or 一般."""
    if deaths < 0 or serious_injuries < 0:
        raise ValueError("死亡、重伤人数不能为负数")
    loss = _decimal(direct_loss_yuan, "直接经济损失")
    for name, min_deaths, min_injuries, min_loss in THRESHOLDS:
        if deaths >= min_deaths or serious_injuries >= min_injuries or loss >= min_loss:
            return name
    return GENERAL


def shelter_capacity(effective_area_m2: float | Decimal, area_per_person_m2: float | Decimal = DEFAULT_AREA_PER_PERSON) -> int:
    """People a shelter can take: effective area divided by the per-person area (GB 21734-2008 5.4), rounded down."""
    area = _decimal(effective_area_m2, "有效面积")
    per_person = _decimal(area_per_person_m2, "人均面积")
    if per_person == 0:
        raise ValueError("人均面积必须大于0")
    return int(area / per_person)


def area_per_person(total_area_m2: float | Decimal, population: int) -> Decimal | None:
    """Effective shelter area per resident, or None when nobody lives there."""
    if population <= 0:
        return None
    return _decimal(total_area_m2, "有效面积") / Decimal(population)


def meets_area_standard(total_area_m2: float | Decimal, population: int,
                        area_per_person_m2: float | Decimal = DEFAULT_AREA_PER_PERSON) -> bool:
    """Whether a place has at least the standard area per resident (the bureaus' "人均≥1.5平方米")."""
    per_resident = area_per_person(total_area_m2, population)
    return per_resident is None or per_resident >= _decimal(area_per_person_m2, "人均面积")

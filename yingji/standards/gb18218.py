"""GB 18218-2018 危险化学品重大危险源辨识: identification (S) and grading (R).

Identification (clause 4.2): per unit, S = q1/Q1 + q2/Q2 + ... + qn/Qn, and the unit is a
major hazard source when S >= 1 (equality counts). q is the actual (design maximum)
quantity and Q the threshold quantity, both in tonnes; Q comes from Table 1 for the
named chemicals, otherwise from Table 2 by hazard category.

Grading (clause 4.3): R = α (β1 q1/Q1 + ... + βn qn/Qn), β from Table 3 for the named toxic
gases and from Table 4 by category otherwise, α from Table 5 by the people living
within 500 m of the site boundary; Table 6 maps R to 一级 (R >= 100) ... 四级 (R < 10).

The tables are data (`data/gb18218.json`). β of a Table 1 chemical that is not in Table 3
follows from the hazard-category symbol stored with its entry (LPG, 天然气, 氢, 乙炔 are W2,
β 1.5; 甲醇, 汽油, 苯 are W5.3, β 1): the category of each named chemical is
yingji's default, since the name alone does not fix it. A unit whose conditions change it
(a flammable liquid handled above its boiling point is W5.1) registers the chemical under
that Table 2 category instead.

All arithmetic is exact (fractions built from the decimal text of each input), so a
value that sits on a boundary (S = 1, R = 100, 50, 10) is classified as the standard
says rather than as binary floating point happens to round it.
"""

from __future__ import annotations

import json
from collections.abc import Iterable
from dataclasses import dataclass
from decimal import Decimal
from fractions import Fraction
from functools import lru_cache
from pathlib import Path

Number = int | float | str | Decimal | Fraction

DATA_FILE = Path(__file__).parent / "data" / "gb18218.json"

# Table 5: (smallest head count of the band, α), most exposed first.
ALPHA_TABLE: tuple[tuple[int, Fraction], ...] = (
    (100, Fraction(2)),
    (50, Fraction(3, 2)),
    (30, Fraction(6, 5)),
    (1, Fraction(1)),
    (0, Fraction(1, 2)),
)

# Table 6: the lower bound of R for grades 1..3; anything below the last is grade 4.
GRADE_BOUNDS: tuple[tuple[int, Fraction], ...] = ((1, Fraction(100)), (2, Fraction(50)), (3, Fraction(10)))
GRADE_LABELS = {1: "一级", 2: "二级", 3: "三级", 4: "四级"}


def exact(value: Number) -> Fraction:
    """A number as an exact fraction; floats are read by their shortest decimal text (0.1 is 1/10)."""
    if isinstance(value, bool):
        raise TypeError("布尔值不是数量")
    if isinstance(value, Fraction):
        return value
    if isinstance(value, float):
        if value != value or value in (float("inf"), float("-inf")):
            raise ValueError("数量必须是有限数值")
        return Fraction(repr(value))
    if isinstance(value, str):
        return Fraction(value.strip())
    return Fraction(value)


def _ratio(q: Number, threshold: Number) -> Fraction:
    q_exact, threshold_exact = exact(q), exact(threshold)
    if q_exact < 0:
        raise ValueError("实际存在量不能为负数")
    if threshold_exact <= 0:
        raise ValueError("临界量必须大于0")
    return q_exact / threshold_exact


def s_exact(items: Iterable[tuple[Number, Number]]) -> Fraction:
    """S = Σ q/Q as an exact fraction."""
    return sum((_ratio(q, threshold) for q, threshold in items), Fraction(0))


def s_value(items: Iterable[tuple[Number, Number]]) -> float:
    """S = Σ q/Q for items (q, Q) in tonnes."""
    return float(s_exact(items))


def is_major(s: Number) -> bool:
    """A unit is a major hazard source when S >= 1."""
    return exact(s) >= 1


def r_exact(items: Iterable[tuple[Number, Number, Number]], alpha: Number) -> Fraction:
    """R = α Σ β q/Q as an exact fraction."""
    alpha_exact = exact(alpha)
    if alpha_exact <= 0:
        raise ValueError("校正系数α必须大于0")
    total = Fraction(0)
    for q, threshold, beta in items:
        beta_exact = exact(beta)
        if beta_exact <= 0:
            raise ValueError("校正系数β必须大于0")
        total += beta_exact * _ratio(q, threshold)
    return alpha_exact * total


def r_value(items: Iterable[tuple[Number, Number, Number]], alpha: Number) -> float:
    """R = α (β1 q1/Q1 + ... + βn qn/Qn) for items (q, Q, β) in tonnes."""
    return float(r_exact(items, alpha))


def alpha_exact(people: int) -> Fraction:
    if isinstance(people, bool) or not isinstance(people, int):
        raise TypeError("暴露人数应为整数")
    if people < 0:
        raise ValueError("暴露人数不能为负数")
    for smallest, alpha in ALPHA_TABLE:
        if people >= smallest:
            return alpha
    raise AssertionError("unreachable: the last band starts at 0")


def alpha_for_exposed(people: int) -> float:
    """α from Table 5: people living within 500 m of the site boundary."""
    return float(alpha_exact(people))


def grade(r: Number) -> int:
    """Table 6: 1 (一级, R >= 100) to 4 (四级, R < 10); only meaningful for a unit with S >= 1."""
    value = exact(r)
    if value < 0:
        raise ValueError("R值不能为负数")
    for level, lower in GRADE_BOUNDS:
        if value >= lower:
            return level
    return 4


# -- the chemical catalog ------------------------------------------------------------------------


@dataclass(frozen=True)
class Chemical:
    """A Table 1 named chemical or a Table 2 category, with its threshold Q and correction β."""

    key: str
    name: str
    threshold: Fraction
    beta: Fraction
    category: str
    aliases: tuple[str, ...] = ()
    cas: tuple[str, ...] = ()
    table: int = 1

    @property
    def label(self) -> str:
        if self.table == 1:
            return f"{self.name}（Q={_plain(self.threshold)}t）"
        return f"{self.key} {self.name}（Q={_plain(self.threshold)}t）"


def _plain(value: Fraction) -> str:
    text = format(Decimal(value.numerator) / Decimal(value.denominator), "f")
    return text.rstrip("0").rstrip(".") if "." in text else text


@lru_cache(maxsize=1)
def catalog() -> dict[str, Chemical]:
    """Every Table 1 chemical (keys T1-01 ... T1-85) and Table 2 category (keys J1 ... W11)."""
    data = json.loads(DATA_FILE.read_text(encoding="utf-8"))
    category_beta = {c["symbol"]: Fraction(c["beta"]) for c in data["table2"]}
    chemicals: dict[str, Chemical] = {}
    for row in data["table1"]:
        beta = Fraction(row["table3_beta"]) if row["table3_beta"] else category_beta[row["category"]]
        chemicals[row["key"]] = Chemical(
            key=row["key"], name=row["name"], threshold=Fraction(row["q"]), beta=beta, category=row["category"],
            aliases=tuple(row["aliases"]), cas=tuple(row["cas"]), table=1,
        )
    for row in data["table2"]:
        chemicals[row["key"]] = Chemical(
            key=row["key"], name=f"{row['class']}（{row['description']}）", threshold=Fraction(row["q"]),
            beta=Fraction(row["beta"]), category=row["symbol"], table=2,
        )
    return chemicals


def table3_beta() -> dict[str, Fraction]:
    data = json.loads(DATA_FILE.read_text(encoding="utf-8"))
    return {name: Fraction(beta) for name, beta in data["table3_beta"].items()}


def find(name_or_cas: str) -> Chemical | None:
    """A Table 1 chemical by its name, an alias or a CAS number."""
    needle = name_or_cas.strip()
    for chemical in catalog().values():
        if chemical.table == 1 and (needle == chemical.name or needle in chemical.aliases or needle in chemical.cas):
            return chemical
    return None


@dataclass(frozen=True)
class Assessment:
    s: Fraction
    r: Fraction
    alpha: Fraction
    major: bool
    grade: int | None


def assess(items: Iterable[tuple[Number, str]], exposed_people: int) -> Assessment:
    """S, R and grade for one unit from (q in tonnes, catalog key) pairs and the exposed population."""
    chemicals = catalog()
    rows = []
    for q, key in items:
        chemical = chemicals.get(key)
        if chemical is None:
            raise KeyError(f"未知的危险化学品或类别：{key}")
        rows.append((exact(q), chemical.threshold, chemical.beta))
    alpha = alpha_exact(exposed_people)
    s = s_exact((q, threshold) for q, threshold, _beta in rows)
    r = r_exact(rows, alpha)
    major = s >= 1
    return Assessment(s=s, r=r, alpha=alpha, major=major, grade=grade(r) if major else None)

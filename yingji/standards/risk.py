"""Risk grading for 双重预防 (风险分级管控): the LEC method and the L × S risk matrix.

- LEC (作业条件危险性评价法, after K. J. Graham and G. F. Kinney): D = L × E × C with the value tables below and the
  five classes as Chinese safety-assessment practice publishes them: ">320 极其危险, 160~320 高度危险,
  70~160 显著危险, 20~70 一般危险, <20 稍有危险". The published classes share their edges, so yingji gives an edge
  to the higher class (when in doubt, grade higher): D > 320 极其危险; 160 <= D <= 320 高度危险;
  70 <= D < 160 显著危险; 20 <= D < 70 一般危险; D < 20 稍有危险 (with the tables' values only 70 and 20 are
  reachable edges).
- The four levels and colours of 安全风险四色分级: 重大 红, 较大 橙, 一般 黄, 低 蓝 (国务院安委办《关于实施遏制重特大
  事故工作指南构建双重预防机制的意见》, 安委办〔2016〕11号). LEC classes map to them as provincial practice does
  (e.g. Shandong's, DB37/T 2882-2016; not checked against that standard's text): 极其 -> 重大, 高度 -> 较大,
  显著 -> 一般, 一般危险 and 稍有危险 -> 低.
- Risk matrix R = L × S, each 1..5. Published binnings of R disagree; only 20-25 = 重大 is common to all. yingji
  ships R 20-25 重大, 15-16 较大, 9-12 一般, 1-8 低 (the five-bin form's 4-8 D级 and 1-3 E级 both count as 低;
  attributed to DB37/T 2882-2016, not checked against its text), configurable through ``MATRIX_BINS``. The other
  binning in circulation is 1-3 低, 4-9 一般, 10-16 较大, 20-25 重大.
- Exact boundaries: every comparison uses Decimal built from the value's string form, so binary float noise
  (0.1 * 3 = 0.30000000000000004) never moves a value across a class edge.

Pure functions and data; no Django imports.
"""

from __future__ import annotations

from decimal import Decimal, InvalidOperation

MAJOR = "重大"
LARGER = "较大"
GENERAL = "一般"
LOW = "低"
LEVELS = (MAJOR, LARGER, GENERAL, LOW)

# The four colours of 安全风险四色分级 (重大 红, 较大 橙, 一般 黄, 低 蓝).
COLOR_NAMES = {MAJOR: "红", LARGER: "橙", GENERAL: "黄", LOW: "蓝"}
COLORS = {MAJOR: "#ff0000", LARGER: "#ff8c00", GENERAL: "#ffd700", LOW: "#1e6fff"}

# The LEC value tables: (value, description), highest first.
LEC_L_TABLE: tuple[tuple[str, str], ...] = (
    ("10", "完全可以预料"),
    ("6", "相当可能"),
    ("3", "可能，但不经常"),
    ("1", "可能性小，完全意外"),
    ("0.5", "很不可能，可以设想"),
    ("0.2", "极不可能"),
    ("0.1", "实际不可能"),
)
LEC_E_TABLE: tuple[tuple[str, str], ...] = (
    ("10", "连续暴露"),
    ("6", "每天工作时间内暴露"),
    ("3", "每周一次或偶然暴露"),
    ("2", "每月一次暴露"),
    ("1", "每年几次暴露"),
    ("0.5", "非常罕见地暴露"),
)
LEC_C_TABLE: tuple[tuple[str, str], ...] = (
    ("100", "大灾难，许多人死亡"),
    ("40", "灾难，数人死亡"),
    ("15", "非常严重，1人死亡"),
    ("7", "严重，重伤"),
    ("3", "重大，致残"),
    ("1", "引人注目，需要救护"),
)

# The five LEC classes; a shared edge belongs to the higher class (see above).
EXTREME = "极其危险"
HIGH = "高度危险"
NOTABLE = "显著危险"
ORDINARY = "一般危险"
SLIGHT = "稍有危险"
LEC_CLASS_ACTIONS = {
    EXTREME: "不能继续作业",
    HIGH: "需立即整改",
    NOTABLE: "需要整改",
    ORDINARY: "需要注意",
    SLIGHT: "可以接受",
}
LEC_CLASS_LEVEL = {EXTREME: MAJOR, HIGH: LARGER, NOTABLE: GENERAL, ORDINARY: LOW, SLIGHT: LOW}

# The matrix factors have no normative wording; these descriptions are the usual wording of
# the 5 × 5 matrix (a product default, not a quotation of DB37/T 2882).
MATRIX_L_TABLE: tuple[tuple[int, str], ...] = (
    (5, "极有可能发生（在正常情况下经常发生）"),
    (4, "很可能发生（近年内发生过）"),
    (3, "可能发生（曾经发生过）"),
    (2, "较不可能发生（偶尔发生）"),
    (1, "基本不可能发生（极少发生）"),
)
MATRIX_S_TABLE: tuple[tuple[int, str], ...] = (
    (5, "特别严重（多人死亡或重大财产损失）"),
    (4, "严重（1人死亡或多人重伤）"),
    (3, "较重（重伤或较大财产损失）"),
    (2, "一般（轻伤或一般财产损失）"),
    (1, "轻微（无伤亡，轻微损失）"),
)

# The shipped binning (see above) as (lowest R of the bin, level), highest first; configurable by replacing the tuple.
MATRIX_BINS: tuple[tuple[int, str], ...] = ((20, MAJOR), (15, LARGER), (9, GENERAL), (1, LOW))


def _exact(value: float | int | str | Decimal, name: str) -> Decimal:
    """The decimal a person wrote: Decimal(str(0.1)) is 0.1, Decimal(0.1) is not."""
    if isinstance(value, bool):
        raise ValueError(f"{name} 应为数值")
    try:
        number = value if isinstance(value, Decimal) else Decimal(str(value).strip())
    except (InvalidOperation, ValueError):
        raise ValueError(f"{name} 应为数值，而不是“{value}”") from None
    if not number.is_finite():
        raise ValueError(f"{name} 应为有限数值")
    return number


def lec_exact(l: float | str | Decimal, e: float | str | Decimal, c: float | str | Decimal) -> Decimal:  # noqa: E741
    """D = L × E × C in exact decimal arithmetic; each factor must be positive."""
    factors = []
    for name, value in (("L（事故发生可能性）", l), ("E（暴露频繁程度）", e), ("C（后果严重程度）", c)):
        number = _exact(value, name)
        if number <= 0:
            raise ValueError(f"{name} 应大于0")
        factors.append(number)
    return factors[0] * factors[1] * factors[2]


def lec(l: float, e: float, c: float) -> float:  # noqa: E741 - L, E, C are the method's own names
    """D = L × E × C (作业条件危险性评价法). Any positive numbers; the tables are the usual inputs."""
    return float(lec_exact(l, e, c))


def lec_class(d: float | str | Decimal) -> str:
    """The five-class name of D, a shared edge to the higher class: 极其/高度/显著/一般/稍有危险."""
    value = _exact(d, "D（危险性分值）")
    if value < 0:
        raise ValueError("D（危险性分值）不能为负数")
    if value > 320:
        return EXTREME
    if value >= 160:
        return HIGH
    if value >= 70:
        return NOTABLE
    if value >= 20:
        return ORDINARY
    return SLIGHT


def lec_level(d: float) -> str:
    """The four-level grade of D: >320 重大; 160..320 较大; 70..<160 一般; <70 低."""
    return LEC_CLASS_LEVEL[lec_class(d)]


def _factor(value: int, name: str) -> int:
    if isinstance(value, bool) or not isinstance(value, int) or not 1 <= value <= 5:
        raise ValueError(f"{name} 应为1至5的整数，而不是“{value}”")
    return value


def matrix_value(l: int, s: int) -> int:  # noqa: E741
    """R = L × S, each an integer 1..5."""
    return _factor(l, "L（可能性）") * _factor(s, "S（严重性）")


def matrix_level(l: int, s: int) -> str:  # noqa: E741
    """The four-level grade of R = L × S by the shipped binning: 20-25 重大, 15-16 较大, 9-12 一般, 1-8 低."""
    r = matrix_value(l, s)
    for lowest, level in MATRIX_BINS:
        if r >= lowest:
            return level
    raise AssertionError("R >= 1 always has a bin")  # pragma: no cover


def color_of(level: str) -> str:
    """The display colour (hex) of a four-level grade."""
    return COLORS[level]

"""LEC and risk-matrix grading against the published LEC tables and classes and the shipped matrix binning
(the sources and yingji's conventions are in yingji/standards/risk.py)."""

import itertools
from decimal import Decimal

import pytest

from yingji.standards import risk
from yingji.standards.risk import LEC_C_TABLE, LEC_E_TABLE, LEC_L_TABLE, lec, lec_class, lec_level, matrix_level


@pytest.mark.parametrize(
    ("d", "level", "name"),
    [
        (10000, "重大", "极其危险"),
        (320.0001, "重大", "极其危险"),
        (320, "较大", "高度危险"),
        (319.99, "较大", "高度危险"),
        (160, "较大", "高度危险"),
        (159.99, "一般", "显著危险"),
        (70, "一般", "显著危险"),
        (69.99, "低", "一般危险"),
        (20, "低", "一般危险"),
        (19.99, "低", "稍有危险"),
        (0.05, "低", "稍有危险"),
        (0, "低", "稍有危险"),
    ],
)
def test_every_lec_boundary_takes_the_higher_class(d, level, name):
    assert lec_level(d) == level
    assert lec_class(d) == name
    assert lec_level(str(d)) == level
    assert lec_level(Decimal(str(d))) == level


def test_lec_multiplies_the_three_factors():
    assert lec(6, 6, 15) == 540.0
    assert lec(3, 6, 7) == 126.0
    assert lec(0.5, 0.5, 1) == 0.25


def test_float_noise_never_moves_a_class():
    # In binary floating point 0.1 * 0.7 * 1000 is 69.99999999999999, which would read as 低.
    assert 0.1 * 0.7 * 1000 < 70
    assert lec(0.1, 0.7, 1000) == 70.0
    assert lec_level(lec(0.1, 0.7, 1000)) == "一般"
    assert lec(0.1, 3, 1) == 0.3


def _class_from_table(d: Decimal) -> str:
    """The five classes as the published LEC table states them, with the shared-edge rule written independently."""
    if d > 320:
        return "极其危险"
    if 160 <= d <= 320:
        return "高度危险"
    if 70 <= d < 160:
        return "显著危险"
    if 20 <= d < 70:
        return "一般危险"
    return "稍有危险"


FOUR_LEVELS = {"极其危险": "重大", "高度危险": "较大", "显著危险": "一般", "一般危险": "低", "稍有危险": "低"}


@pytest.mark.parametrize(
    ("l", "e", "c"),
    list(itertools.product([v for v, _d in LEC_L_TABLE], [v for v, _d in LEC_E_TABLE], [v for v, _d in LEC_C_TABLE])),
)
def test_every_product_of_the_table_values_is_classified_as_the_table_says(l, e, c):  # noqa: E741
    exact = Decimal(l) * Decimal(e) * Decimal(c)
    d = lec(float(l), float(e), float(c))
    assert Decimal(str(d)) == exact
    assert lec_class(d) == _class_from_table(exact)
    assert lec_level(d) == FOUR_LEVELS[_class_from_table(exact)]


def test_the_tables_hold_the_reference_values():
    assert [v for v, _d in LEC_L_TABLE] == ["10", "6", "3", "1", "0.5", "0.2", "0.1"]
    assert [v for v, _d in LEC_E_TABLE] == ["10", "6", "3", "2", "1", "0.5"]
    assert [v for v, _d in LEC_C_TABLE] == ["100", "40", "15", "7", "3", "1"]
    assert dict(LEC_L_TABLE)["0.1"] == "实际不可能"
    assert dict(LEC_C_TABLE)["15"] == "非常严重，1人死亡"


@pytest.mark.parametrize("bad", [0, -1, "abc", float("nan"), float("inf"), True])
def test_lec_refuses_a_factor_that_is_not_a_positive_number(bad):
    with pytest.raises(ValueError, match="L（事故发生可能性）"):
        lec(bad, 1, 1)


def test_lec_level_refuses_a_negative_score():
    with pytest.raises(ValueError, match="不能为负数"):
        lec_level(-1)


MATRIX_EXPECTED = {1: "低", 2: "低", 3: "低", 4: "低", 5: "低", 6: "低", 8: "低", 9: "一般", 10: "一般", 12: "一般",
                   15: "较大", 16: "较大", 20: "重大", 25: "重大"}


def test_every_reachable_r_is_binned_by_scheme_a():
    reachable = {l * s for l in range(1, 6) for s in range(1, 6)}  # noqa: E741
    assert reachable == set(MATRIX_EXPECTED)
    for l, s in itertools.product(range(1, 6), range(1, 6)):  # noqa: E741
        assert matrix_level(l, s) == MATRIX_EXPECTED[l * s], (l, s)


@pytest.mark.parametrize(("l", "s"), [(0, 3), (6, 1), (3, 0), (2, 6), (2.5, 2), ("3", 3), (True, 3), (None, 2)])
def test_matrix_factors_must_be_integers_from_1_to_5(l, s):  # noqa: E741
    with pytest.raises(ValueError, match="应为1至5的整数"):
        matrix_level(l, s)


def test_each_level_has_its_colour():
    assert risk.COLOR_NAMES == {"重大": "红", "较大": "橙", "一般": "黄", "低": "蓝"}
    assert risk.color_of("重大").lower() == "#ff0000"
    assert len(set(risk.COLORS.values())) == 4

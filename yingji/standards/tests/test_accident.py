"""Accident grading against 国务院令第493号 第三条 at every boundary, and shelter capacity (GB 21734-2008 5.4)."""

from decimal import Decimal

import pytest

from yingji.standards.accident import area_per_person, grade, meets_area_standard, shelter_capacity


@pytest.mark.parametrize(
    ("deaths", "expected"),
    [(0, "一般"), (2, "一般"), (3, "较大"), (9, "较大"), (10, "重大"), (29, "重大"), (30, "特别重大"), (31, "特别重大")],
)
def test_deaths_alone_grade_with_the_boundary_in_the_higher_grade(deaths, expected):
    assert grade(deaths, 0, 0) == expected


@pytest.mark.parametrize(
    ("injuries", "expected"),
    [(0, "一般"), (9, "一般"), (10, "较大"), (49, "较大"), (50, "重大"), (99, "重大"), (100, "特别重大"),
     (101, "特别重大")],
)
def test_serious_injuries_alone_grade_with_the_boundary_in_the_higher_grade(injuries, expected):
    assert grade(0, injuries, 0) == expected


@pytest.mark.parametrize(
    ("loss", "expected"),
    [
        (0, "一般"),
        (9_999_999.99, "一般"),
        (10_000_000, "较大"),
        (10_000_000.0, "较大"),
        (49_999_999.99, "较大"),
        (50_000_000, "重大"),
        (99_999_999.99, "重大"),
        (100_000_000, "特别重大"),
        (100_000_000.01, "特别重大"),
        (Decimal("9999999.999"), "一般"),
        ("10000000", "较大"),
    ],
)
def test_direct_loss_alone_grades_with_the_boundary_in_the_higher_grade(loss, expected):
    assert grade(0, 0, loss) == expected


@pytest.mark.parametrize(
    ("deaths", "injuries", "loss", "expected"),
    [
        (2, 9, 9_999_999, "一般"),
        (2, 0, 100_000_000, "特别重大"),
        (30, 0, 0, "特别重大"),
        (3, 50, 0, "重大"),
        (10, 10, 10_000_000, "重大"),
        (0, 10, 50_000_000, "重大"),
        (9, 49, 49_999_999, "较大"),
    ],
)
def test_the_most_severe_criterion_wins(deaths, injuries, loss, expected):
    assert grade(deaths, injuries, loss) == expected


@pytest.mark.parametrize(("deaths", "injuries", "loss"), [(-1, 0, 0), (0, -1, 0), (0, 0, -0.01), (0, 0, float("nan"))])
def test_negative_or_invalid_figures_are_refused(deaths, injuries, loss):
    with pytest.raises(ValueError):
        grade(deaths, injuries, loss)


def test_shelter_capacity_is_area_over_the_per_person_area_rounded_down():
    assert shelter_capacity(3000) == 2000
    assert shelter_capacity(3001.4) == 2000
    assert shelter_capacity(1.49) == 0
    assert shelter_capacity(100, 0.5) == 200
    with pytest.raises(ValueError):
        shelter_capacity(100, 0)


def test_area_standard_is_met_at_exactly_one_and_a_half_square_metres_per_resident():
    assert meets_area_standard(1500, 1000)
    assert not meets_area_standard(1499.99, 1000)
    assert area_per_person(1770, 1000) == Decimal("1.77")
    assert area_per_person(100, 0) is None

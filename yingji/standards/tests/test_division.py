import pytest

from yingji.standards import division


@pytest.mark.parametrize(
    ("code", "level", "prefix", "parent"),
    [
        ("370000000000", "province", "37", None),
        ("370300000000", "city", "3703", "370000000000"),
        ("370302000000", "county", "370302", "370300000000"),
        ("370302001000", "township", "370302001", "370302000000"),
        ("370302001201", "village", "370302001201", "370302001000"),
    ],
)
def test_levels_prefixes_and_parents(code, level, prefix, parent):
    assert division.level_of(code) == level
    assert division.significant_prefix(code) == prefix
    assert division.parent_code(code) == parent


@pytest.mark.parametrize("code", ["37030200100", "3703020010001", "37030200100A", "000000000000"])
def test_malformed_codes_are_refused(code):
    assert not division.is_well_formed(code)
    with pytest.raises(ValueError):
        division.level_of(code)


@pytest.mark.parametrize(("digits", "kind"), [("001", "街道"), ("099", "街道"), ("100", "镇"), ("199", "镇"),
                                              ("200", "乡"), ("399", "乡"), ("400", "类似乡级单位")])
def test_township_kind_from_digits_7_to_9(digits, kind):
    assert division.township_kind(f"370302{digits}000") == kind


def test_ancestor_codes_climb_to_the_province_nearest_first():
    assert division.ancestor_codes("370302001002") == ["370302001000", "370302000000", "370300000000", "370000000000"]
    assert division.ancestor_codes("370000000000") == []

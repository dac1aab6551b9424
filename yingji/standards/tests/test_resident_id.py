"""公民身份号码 check character, against GB 11643-1999's own example and every check value."""

import pytest

from yingji.standards.resident_id import check_character, problem


def test_the_standards_example_number():
    # GB 11643-1999 附录: 11010519491231002X
    assert check_character("11010519491231002") == "X"
    assert problem("11010519491231002X") is None


# Clause 7's table: S mod 11 -> check character.
TABLE = {0: "1", 1: "0", 2: "X", 3: "9", 4: "8", 5: "7", 6: "6", 7: "5", 8: "4", 9: "3", 10: "2"}
WEIGHTS = (7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2)


@pytest.mark.parametrize("remainder", range(11))
def test_each_remainder_gives_the_tables_check_character(remainder):
    for serial in range(1000):
        body = f"11010519491231{serial:03d}"
        if sum(int(d) * w for d, w in zip(body, WEIGHTS, strict=True)) % 11 == remainder:
            break
    assert check_character(body) == TABLE[remainder]


@pytest.mark.parametrize(("value", "reason"), [
    ("11010519491231002", "应为18位"),
    ("1101051949123100AX", "前17位应为数字"),
    ("110105194902300021", "出生日期无效"),
    ("110105194912310021", "校验位不正确"),
])
def test_malformed_numbers_are_refused_with_the_reason(value, reason):
    assert reason in problem(value)

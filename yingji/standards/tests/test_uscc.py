"""GB 32100-2015 统一社会信用代码: check character and validation."""

import pytest
from hypothesis import given
from hypothesis import strategies as st

from yingji.standards import uscc

# Published codes of well-known registered bodies, of several registration departments:
# 9 市场监管 (enterprises), 1 机构编制, 5 民政, 3 司法行政 (a law firm).
PUBLISHED = [
    "91350100M000100Y43",  # the example code widely used with GB 32100
    "91110108551385082Q",
    "91440300708461136T",
    "91310000MA1FL1MMXL",
    "12100000400000624D",
    "53100000500021676K",
    "31110000400834282L",
]

body = st.text(alphabet=uscc.CHARSET, min_size=17, max_size=17).filter(lambda s: s[2:8].isdigit())


def test_weights_are_powers_of_three_mod_31():
    assert uscc.WEIGHTS == (1, 3, 9, 27, 19, 26, 16, 17, 20, 29, 25, 13, 8, 24, 10, 30, 28)


def test_charset_leaves_out_i_o_s_v_z():
    assert len(uscc.CHARSET) == 31
    assert not set("IOSVZ") & set(uscc.CHARSET)


@pytest.mark.parametrize("code", PUBLISHED)
def test_published_codes_are_valid(code):
    assert uscc.is_valid(code)
    assert uscc.check_character(code[:17]) == code[17]


def test_a_remainder_of_zero_gives_check_character_zero():
    # sum ≡ 0 (mod 31) → 31 - 0 = 31 → "0" (clause 4.2): "9" * 0 ... build such a body
    first17 = "00000000000000000"
    assert uscc.check_character(first17) == "0"


@given(body)
def test_a_computed_check_character_validates(first17):
    assert uscc.is_valid(first17 + uscc.check_character(first17))


@given(body, st.integers(min_value=0, max_value=16), st.sampled_from(uscc.CHARSET))
def test_any_single_character_error_is_caught(first17, position, replacement):
    code = first17 + uscc.check_character(first17)
    if code[position] == replacement or (2 <= position < 8 and not replacement.isdigit()):
        return
    wrong = code[:position] + replacement + code[position + 1:]
    assert not uscc.is_valid(wrong)


@pytest.mark.parametrize(
    ("code", "phrase"),
    [
        ("91350100M000100Y4", "应为18位，当前为17位"),
        ("91350100M000100Y433", "应为18位，当前为19位"),
        ("91350100M000100Y44", "第18位应为“3”"),
        ("91350100I000100Y43", "第9位“I”不是允许的字符"),
        ("91350100m000100y43", "第9位“m”不是允许的字符"),
        ("91A50100M000100Y43", "第3-8位应为登记管理机关行政区划码"),
        ("", "当前为0位"),
    ],
)
def test_problems_are_named_in_chinese(code, phrase):
    assert phrase in uscc.problem(code)
    assert not uscc.is_valid(code)


def test_check_character_refuses_a_body_of_the_wrong_length():
    with pytest.raises(ValueError):
        uscc.check_character("9135")

"""GB 32100-2015 法人和其他组织统一社会信用代码编码规则.

An 18-character code: 登记管理部门码 (1) + 机构类别码 (1) + 登记管理机关行政区划码
(6, GB/T 2260) + 主体标识码 (9, GB 11714 组织机构代码) + 校验码 (1).

The check character (clause 4.2 and appendix A) is computed over the first 17
characters, each valued by its index in the 31-character set below, with the
weights W_i = 3^(i-1) mod 31:

    C18 = 31 - (sum(C_i * W_i) mod 31), and 31 becomes 0.

Registration-department and category codes are not restricted to one list here:
GB 32100 admits departments beyond 工商/民政/编制 (e.g. 3 司法行政, 8 工会, N 农业),
and real codes of those bodies must validate.
"""

CHARSET = "0123456789ABCDEFGHJKLMNPQRTUWXY"
WEIGHTS = tuple(pow(3, i, 31) for i in range(17))  # 1, 3, 9, 27, 19, 26, 16, ...
_VALUE = {ch: i for i, ch in enumerate(CHARSET)}


def check_character(first17: str) -> str:
    """The 18th (check) character for the first 17 characters of a code."""
    if len(first17) != 17:
        raise ValueError("统一社会信用代码本体应为17位")
    try:
        total = sum(_VALUE[ch] * w for ch, w in zip(first17, WEIGHTS, strict=False))
    except KeyError as exc:
        raise ValueError(f"含有不允许的字符“{exc.args[0]}”") from None
    return CHARSET[(31 - total % 31) % 31]


def problem(code: str) -> str | None:
    """What is wrong with a code, in Chinese, or None when it is valid."""
    if not isinstance(code, str) or len(code) != 18:
        length = len(code) if isinstance(code, str) else 0
        return f"统一社会信用代码应为18位，当前为{length}位"
    for position, ch in enumerate(code, start=1):
        if ch not in _VALUE:
            return f"第{position}位“{ch}”不是允许的字符（数字或除 I、O、S、V、Z 外的大写字母）"
    if not code[2:8].isdigit():
        return "第3-8位应为登记管理机关行政区划码（6位数字）"
    expected = check_character(code[:17])
    if code[17] != expected:
        return f"校验码错误：第18位应为“{expected}”，而不是“{code[17]}”"
    return None


def is_valid(code: str) -> bool:
    """True when the code is well formed and its check character is right."""
    return problem(code) is None

"""Unified social credit code (统一社会信用代码), GB 32100-2015.

18 characters: registration authority (1), organisation type (1), administrative
division code (6), organisation code body (9), check character (1).  The check
character is computed over the first 17 characters with weights 3^i mod 31
(GB 32100-2015 §4.3) using the 31-character alphabet below (no I, O, S, V, Z).
"""

from __future__ import annotations

ALPHABET = "0123456789ABCDEFGHJKLMNPQRTUWXY"
_VALUE = {ch: i for i, ch in enumerate(ALPHABET)}
_WEIGHTS = [pow(3, i, 31) for i in range(17)]  # 1, 3, 9, 27, 19, 26, 16, ...


def check_character(first17: str) -> str:
    """Return the GB 32100 check character for the first 17 characters.

    Raises ``ValueError`` when a character is outside the code alphabet.
    """
    if len(first17) != 17:
        raise ValueError(f"需要17位本体代码，实际 {len(first17)} 位")
    total = 0
    for pos, ch in enumerate(first17):
        if ch not in _VALUE:
            raise ValueError(f"第{pos + 1}位字符“{ch}”不在统一社会信用代码字符集中")
        total += _VALUE[ch] * _WEIGHTS[pos]
    return ALPHABET[(31 - total % 31) % 31]


def normalise(code: str) -> str:
    """Upper-case, strip spaces and convert full-width characters."""
    code = str(code)
    if code.isascii() and code.isalnum():  # the usual case: already clean
        return code.upper()
    out = []
    for ch in str(code).strip():
        o = ord(ch)
        if 0xFF01 <= o <= 0xFF5E:  # full-width ASCII block
            ch = chr(o - 0xFEE0)
        if not ch.isspace():
            out.append(ch)
    return "".join(out).upper()


def validate(code: str) -> str | None:
    """Return ``None`` when ``code`` is a valid credit code, else the reason (Chinese)."""
    c = normalise(code)
    if len(c) != 18:
        return f"统一社会信用代码应为18位，实际{len(c)}位"
    bad = [ch for ch in c if ch not in _VALUE]
    if bad:
        return f"统一社会信用代码含非法字符“{bad[0]}”"
    if not c[2:8].isdigit():
        return "统一社会信用代码第3-8位应为行政区划代码（数字）"
    expected = check_character(c[:17])
    if c[17] != expected:
        return f"统一社会信用代码校验位错误：应为“{expected}”，实际“{c[17]}”"
    return None


def is_valid(code: str) -> bool:
    return validate(code) is None


def make(first17: str) -> str:
    """Complete a 17-character body with its check character."""
    return first17 + check_character(first17)

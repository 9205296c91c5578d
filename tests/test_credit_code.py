"""GB 32100-2015 unified social credit code (geo.credit_code)."""

from __future__ import annotations

import pytest

from geo.credit_code import ALPHABET, check_character, is_valid, make, normalise, validate

VALID = ["91350100M000100Y43", "91110000600037341L"]


@pytest.mark.parametrize("code", VALID)
def test_valid(code):
    assert validate(code) is None and is_valid(code)
    assert check_character(code[:17]) == code[17]
    assert make(code[:17]) == code


def test_normalisation():
    assert is_valid(" 91350100m000100y43 ")
    assert is_valid("９１３５０１００Ｍ０００１００Ｙ４３")
    assert normalise(" ９１ab ") == "91AB"


@pytest.mark.parametrize("code,reason", [
    ("91350100M000100Y44", "校验位错误：应为“3”"),
    ("91110000600037341K", "校验位错误"),
    ("91350100M000100Y4", "应为18位，实际17位"),
    ("91350100M000100Y433", "应为18位，实际19位"),
    ("", "实际0位"),
    ("9135010OM000100Y43", "非法字符“O”"),
    ("91350100M000100I43", "非法字符“I”"),
    ("91350100M0S0100Y43", "非法字符“S”"),
    ("913501A0M000100Y43", "行政区划代码"),
])
def test_invalid(code, reason):
    r = validate(code)
    assert r is not None and reason in r
    assert not is_valid(code)


def test_every_wrong_check_character_is_rejected():
    body = VALID[0][:17]
    good = check_character(body)
    for ch in ALPHABET:
        assert is_valid(body + ch) == (ch == good)


def test_alphabet_excludes_ambiguous_letters():
    assert len(ALPHABET) == 31
    assert not set("IOSVZ") & set(ALPHABET)


def test_check_character_errors():
    with pytest.raises(ValueError, match="17"):
        check_character("123")
    with pytest.raises(ValueError, match="“I”"):
        check_character("9135010IM000100Y4")

"""JSON input checked once, for the web app's bodies and the CLI's JSON files alike.

:func:`loads_checked` parses JSON text and refuses, naming the problem (:class:`InvalidInput`,
a 400 in the app, one line in the CLI): text that is not UTF-8 (naming the byte offset), nesting
deeper than ``max_depth`` (Python's parser would otherwise recurse until it crashes), ``NaN`` and
``Infinity``, numbers beyond ±``MAX_JSON_NUMBER`` (``10**400`` overflows ``float``; each
quantity bounded, their sums stay finite), lone UTF-16 surrogates (``"\\ud800"`` cannot be
encoded to UTF-8, neither for PostgreSQL nor for the response) and NUL characters (PostgreSQL
text cannot hold them).
"""

from __future__ import annotations

import json
import math
import re

from geo.errors import InvalidInput

MAX_JSON_NUMBER = 1e15  # no field of any request needs more (tonnes, metres, people, coordinates)
_STRINGS = re.compile(r'"(?:[^"\\]|\\.)*"', re.S)
_SURROGATE = re.compile(r"[\ud800-\udfff]")


def _too_deep(text: str, max_depth: int) -> bool:
    """Whether ``[`` / ``{`` outside strings nest deeper than ``max_depth``."""
    depth = 0
    for c in re.sub(r"[^\[\]{}]", "", _STRINGS.sub("", text)):
        depth += 1 if c in "[{" else -1
        if depth > max_depth:
            return True
    return False


def _number(text: str) -> float | int:
    value = float(text) if any(c in text for c in ".eE") else None
    if value is None:
        if len(text.lstrip("-")) > 16:  # more digits than any number within the bound
            raise InvalidInput("body", f"数值 {text[:20]}… 超出范围（绝对值不超过 {MAX_JSON_NUMBER:g}）")
        value = int(text)
    if not math.isfinite(value) or abs(value) > MAX_JSON_NUMBER:
        raise InvalidInput("body", f"数值 {text[:20]} 超出范围（绝对值不超过 {MAX_JSON_NUMBER:g}）")
    return value


def _constant(name: str):
    raise InvalidInput("body", f"JSON 不允许 {name}（须为有限数值）")


def _check_strings(value, path: str = "body") -> None:
    if isinstance(value, str):
        if _SURROGATE.search(value):
            raise InvalidInput(path, f"{path} 含无效的 Unicode 字符（孤立的代理项）")
        if "\x00" in value:
            raise InvalidInput(path, f"{path} 含非法字符（NUL）")
    elif isinstance(value, dict):
        for k, v in value.items():
            _check_strings(k, path)
            _check_strings(v, f"{path}.{k}" if path != "body" else k)
    elif isinstance(value, list):
        for i, v in enumerate(value):
            _check_strings(v, f"{path}[{i}]")


def loads_checked(data: str | bytes, *, max_depth: int):
    """Parse JSON text with the checks of this module; raises :class:`InvalidInput` naming the problem."""
    if isinstance(data, (bytes, bytearray)):
        try:
            text = bytes(data).decode("utf-8-sig")
        except UnicodeDecodeError as exc:
            raise InvalidInput("body", f"请求体不是有效的 UTF-8（第 {exc.start} 字节）") from None
    else:
        text = data
    if _too_deep(text, max_depth):
        raise InvalidInput("body", f"JSON 嵌套超过 {max_depth} 层（max_json_depth）")
    try:
        value = json.loads(text, parse_float=_number, parse_int=_number, parse_constant=_constant)
    except json.JSONDecodeError as exc:
        raise InvalidInput("body", f"JSON 格式错误（第 {exc.lineno} 行第 {exc.colno} 列）：{_reason(exc.msg)}") from None
    _check_strings(value)
    return value


def _reason(msg: str) -> str:
    return {"Expecting value": "缺少值", "Extra data": "多余的内容", "Unterminated string starting at": "字符串未结束",
            "Expecting property name enclosed in double quotes": "属性名须用双引号",
            "Expecting ',' delimiter": "缺少逗号", "Expecting ':' delimiter": "缺少冒号",
            "Invalid control character at": "字符串含控制字符", "Invalid \\escape": "无效的转义"}.get(msg, "无法解析")

"""Spreadsheet and CSV cell values → Python values (text, numbers, dates), shared by the ETL and the
pure record builders.  A bad cell raises :class:`geo.errors.InvalidInput` naming the field (Chinese)."""

from __future__ import annotations

import datetime as dt
import math
import re
from typing import Any

from geo.errors import InvalidInput

_HALFWIDTH = {o: o - 0xFEE0 for o in range(0xFF01, 0xFF5F)} | {0x3000: 0x20}
_DATE_RE = re.compile(r"^(\d{4})\s*[-/.年]\s*(\d{1,2})\s*[-/.月]\s*(\d{1,2})\s*日?(?:[ T].*)?$")


def halfwidth(s: str) -> str:
    """Full-width ASCII (and the ideographic space) → half-width."""
    return s.translate(_HALFWIDTH)


def text(v: Any) -> str:
    """A cell as trimmed text ('' when blank); spreadsheet integers lose their '.0'."""
    if v is None:
        return ""
    if isinstance(v, float):
        if math.isnan(v):
            return ""
        if v.is_integer():
            return str(int(v))
    if isinstance(v, (dt.datetime, dt.date)):
        return v.isoformat()
    return halfwidth(str(v)).strip()


def number(v: Any, label: str) -> float:
    """A finite number from a cell (thousands separators allowed)."""
    if isinstance(v, bool):
        raise InvalidInput(label, f"{label}不是数字")
    if isinstance(v, (int, float)):
        f = float(v)
    else:
        s = text(v).replace(",", "").replace(" ", "")
        try:
            f = float(s)
        except ValueError:
            raise InvalidInput(label, f"{label}不是数字") from None
    if not math.isfinite(f):
        raise InvalidInput(label, f"{label}不是有限数值（NaN/无穷大）")
    return f


def parse_date(v: Any, label: str) -> dt.date | None:
    """A date from a cell: date objects, Excel serial numbers, 2026-11-28 / 2026/11/28 / 2026年11月28日 / 20261128."""
    if v is None:
        return None
    if isinstance(v, dt.datetime):
        return v.date()
    if isinstance(v, dt.date):
        return v
    if isinstance(v, (int, float)) and not isinstance(v, bool):
        if isinstance(v, float) and math.isnan(v):
            return None
        if 20000 <= v <= 80000:  # an Excel serial date that arrived as a number
            return dt.date(1899, 12, 30) + dt.timedelta(days=int(v))
    s = text(v)
    if not s:
        return None
    m = _DATE_RE.match(s) or re.fullmatch(r"(\d{4})(\d{2})(\d{2})", s)
    if not m:
        raise InvalidInput(label, f"{label}日期格式无法识别（应为 YYYY-MM-DD）")
    try:
        return dt.date(int(m.group(1)), int(m.group(2)), int(m.group(3)))
    except ValueError:
        raise InvalidInput(label, f"{label}不是有效日期") from None

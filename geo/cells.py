"""Parsing of the cells of the departments' files: text, numbers, dates, quantities in tonnes.

Pure functions shared by the ETL (:mod:`etl.validate`) and the registries' row builders in
:mod:`geo` (e.g. :mod:`geo.waste.records`).  Every problem raises :class:`CellError` — the
field as the operator knows it (Chinese column name), the value and the reason (Chinese) —
which the ETL turns into one row of the rejects report and the web layer into a 400.
"""

from __future__ import annotations

import datetime as dt
import math
import re
from typing import Any

from geo.errors import InvalidInput

# Mass units the registries use → tonnes per unit (SI: 1 kg = 0.001 t).
TONNES_PER = {"t": 1.0, "吨": 1.0, "kg": 0.001, "千克": 0.001, "公斤": 0.001}
_UNITS = "t、吨、kg、千克、公斤"


class CellError(InvalidInput, ValueError):
    """One problem of one cell: the field (as the operator knows it), the value and the reason."""

    def __init__(self, field: str, value: Any, reason: str):
        super().__init__(field, reason)
        self.value = "" if value is None else value
        self.reason = reason


_HALFWIDTH = {o: o - 0xFEE0 for o in range(0xFF01, 0xFF5F)} | {0x3000: 0x20}


def halfwidth(s: str) -> str:
    """Full-width ASCII (and the ideographic space) → half-width."""
    return s.translate(_HALFWIDTH)


def text(v: Any) -> str:
    """A cell as trimmed text ('' when blank); spreadsheet integers lose their '.0'."""
    if type(v) is str:  # the common case first (ASCII needs no width folding)
        return v.strip() if v.isascii() else halfwidth(v).strip()
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
    """A finite number (thousands separators allowed); ``label`` names the field in errors."""
    if isinstance(v, bool):
        raise CellError(label, v, f"{label}不是数字")
    if isinstance(v, (int, float)):
        f = float(v)
    else:
        s = text(v).replace(",", "").replace(" ", "")
        try:
            f = float(s)
        except ValueError:
            raise CellError(label, v, f"{label}不是数字") from None
    if not math.isfinite(f):
        raise CellError(label, v, f"{label}不是有限数值（NaN/无穷大）")
    return f


_DATE_RE = re.compile(r"^(\d{4})\s*[-/.年]\s*(\d{1,2})\s*[-/.月]\s*(\d{1,2})\s*日?(?:[ T].*)?$")


def parse_date(v: Any, label: str) -> dt.date | None:
    """A date (ISO, 2024/1/5, 2024年1月5日, 20240105, an Excel serial number) or None when blank."""
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
        raise CellError(label, v, f"{label}日期格式无法识别（应为 YYYY-MM-DD）")
    try:
        return dt.date(int(m.group(1)), int(m.group(2)), int(m.group(3)))
    except ValueError:
        raise CellError(label, v, f"{label}不是有效日期") from None


def tonnes(quantity: Any, unit: Any, *, label: str, unit_label: str = "计量单位",
           allow_zero: bool = False) -> float:
    """``quantity`` in ``unit`` (t、吨、kg、千克、公斤) converted to tonnes.

    ``unit`` None means the file has no unit column (the value is taken as tonnes); a blank
    unit cell is an error.  Zero is refused unless ``allow_zero``; negatives always.
    """
    if not text(quantity):
        raise CellError(label, "", f"必填字段“{label}”为空")
    q = number(quantity, label)
    if q < 0 or (q == 0 and not allow_zero):
        raise CellError(label, quantity, "数量不能为负" if allow_zero else "数量必须大于0")
    if unit is None:
        return q
    u = text(unit)
    if not u:
        raise CellError(unit_label, "", f"缺少{unit_label}（{_UNITS}）")
    factor = TONNES_PER.get(u.lower()) or TONNES_PER.get(u)
    if factor is None:
        raise CellError(unit_label, u, f"{unit_label}应为 {_UNITS}")
    return q * factor

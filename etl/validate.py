"""Field-level validation shared by :mod:`etl.records`: every problem raises :class:`RowError`
(字段, 值, 原因 — Chinese) which the run turns into one row of the rejects report.

Coordinates: a row declares its CRS (坐标系: wgs84 / cgcs2000 / gcj02 / bd09 / EPSG code, GK
zones such as EPSG:4547 included); a row without one takes the source's ``crs`` option, else
``[etl] default_crs``, else it is rejected.  Converted points must be finite, inside China and
within ``max_distance_km`` of ``area_bbox``.
"""

from __future__ import annotations

import datetime as dt
import math
import re
from dataclasses import dataclass, field
from typing import Any

import shapely
from shapely.geometry import Point

from etl import mapping
from etl.report import Reject
from geo.crs import CRSError, in_china, parse_crs, to_wgs84


class RowError(ValueError):
    """One problem of one row: the field (as the operator knows it), the value and the reason."""

    def __init__(self, field: str, value: Any, reason: str):
        super().__init__(reason)
        self.field = field
        self.value = "" if value is None else value
        self.reason = reason


@dataclass
class Context:
    default_crs: str | None
    area_bbox: tuple[float, float, float, float]
    max_distance_km: float
    catalogue: Any
    today: dt.date = field(default_factory=dt.date.today)


def reject_of(row, exc: RowError) -> Reject:
    return Reject(row.file, row.line, exc.field, str(exc.value), exc.reason)


_HALFWIDTH = {o: o - 0xFEE0 for o in range(0xFF01, 0xFF5F)} | {0x3000: 0x20}


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


def required(row, cols: dict, fld: str, label: str) -> str:
    v = text(row.values.get(cols.get(fld, "")))
    if not v:
        raise RowError(label, "", f"必填字段“{label}”为空" if fld in cols else f"缺少必填列“{label}”")
    return v


def number(v: Any, label: str) -> float:
    if isinstance(v, bool):
        raise RowError(label, v, f"{label}不是数字")
    if isinstance(v, (int, float)):
        f = float(v)
    else:
        s = text(v).replace(",", "").replace(" ", "")
        try:
            f = float(s)
        except ValueError:
            raise RowError(label, v, f"{label}不是数字") from None
    if not math.isfinite(f):
        raise RowError(label, v, f"{label}不是有限数值（NaN/无穷大）")
    return f


def optional_int(row, cols: dict, fld: str, label: str) -> int | None:
    raw = row.values.get(cols.get(fld, ""))
    if not text(raw):
        return None
    f = number(raw, label)
    if f < 0 or not f.is_integer():
        raise RowError(label, raw, f"{label}应为非负整数")
    return int(f)


_DATE_RE = re.compile(r"^(\d{4})\s*[-/.年]\s*(\d{1,2})\s*[-/.月]\s*(\d{1,2})\s*日?(?:[ T].*)?$")


def parse_date(v: Any, label: str) -> dt.date | None:
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
        raise RowError(label, v, f"{label}日期格式无法识别（应为 YYYY-MM-DD）")
    try:
        return dt.date(int(m.group(1)), int(m.group(2)), int(m.group(3)))
    except ValueError:
        raise RowError(label, v, f"{label}不是有效日期") from None


_STAGE_SPLIT = re.compile(r"[、,，;；/|]+")


def stages(v: Any) -> list[str]:
    s = text(v).replace("（", "(").replace("）", ")")
    out, unknown = [], []
    for part in _STAGE_SPLIT.split(s):
        p = part.strip()
        if not p:
            continue
        key = mapping.STAGES.get(p) or mapping.STAGES.get(p.lower()) or mapping.STAGES.get(p.replace(" ", ""))
        if key is None:
            unknown.append(p)
        elif key not in out:
            out.append(key)
    if unknown:
        raise RowError("环节", v, f"未知环节“{'、'.join(unknown)}”（可用：生产、经营(带储存)、经营(不带储存)、"
                                  "储存、运输、装卸、使用、废弃处置、长输管道）")
    if not out:
        raise RowError("环节", v, "必填字段“环节”为空")
    return out


def distance_to_bbox_km(lon: float, lat: float, bbox) -> float:
    x0, y0, x1, y1 = bbox
    dx = max(x0 - lon, 0.0, lon - x1)
    dy = max(y0 - lat, 0.0, lat - y1)
    kx = 111.320 * math.cos(math.radians(min(max(lat, y0), y1)))
    return math.hypot(dx * kx, dy * 110.574)


def check_area(lon: float, lat: float, ctx: Context, raw: str | None = None) -> None:
    raw = raw if raw is not None else f"{lon},{lat}"
    if not (math.isfinite(lon) and math.isfinite(lat)):
        raise RowError("经度/纬度", raw, "坐标不是有限数值（NaN/无穷大）")
    if not in_china(lon, lat):
        raise RowError("经度/纬度", raw, "坐标不在中国境内（请检查经纬度、是否填反或坐标系）")
    d = distance_to_bbox_km(lon, lat, ctx.area_bbox)
    if d > ctx.max_distance_km:
        raise RowError("经度/纬度", raw,
                       f"坐标距配置区域 {d:.1f} km，超过 {ctx.max_distance_km:g} km 上限")


def point_from(row, cols: dict, ctx: Context, source_crs: str | None):
    """``(lon, lat, src_x, src_y, src_crs)`` in WGS-84, or None when the row has no coordinates."""
    rx, ry = row.values.get(cols.get("lon", "")), row.values.get(cols.get("lat", ""))
    if not text(rx) and not text(ry):
        g = row.geometry
        if isinstance(g, Point) and not g.is_empty:
            lon, lat = g.x, g.y
            scrs = source_crs or row.file_crs or "EPSG:4326"
            if source_crs:
                lon, lat = _convert(lon, lat, source_crs)
            check_area(lon, lat, ctx)
            return lon, lat, g.x, g.y, _crs_label(scrs)
        return None
    if not text(rx) or not text(ry):
        raise RowError("经度" if not text(rx) else "纬度", "", "经纬度不完整：只填了一个坐标")
    x, y = number(rx, "经度"), number(ry, "纬度")
    declared = text(row.values.get(cols.get("crs", ""))) or source_crs or ctx.default_crs
    if not declared:
        raise RowError("坐标系", "", "有坐标但未声明坐标系（该数据源也未配置默认坐标系）")
    try:
        crs = parse_crs(declared)
    except CRSError as exc:
        raise RowError("坐标系", declared, str(exc)) from None
    try:
        lon, lat = to_wgs84(x, y, crs)
    except Exception as exc:  # noqa: BLE001 - pyproj on absurd input
        raise RowError("经度/纬度", f"{x},{y}", f"坐标转换失败：{exc}") from None
    check_area(lon, lat, ctx, raw=f"{rx},{ry}")
    return lon, lat, x, y, crs.label[:24]


def _crs_label(s: str) -> str:
    try:
        return parse_crs(s).label[:24]
    except CRSError:
        return str(s)[:24]


def _convert(x: float, y: float, crs: str) -> tuple[float, float]:
    try:
        return to_wgs84(x, y, parse_crs(crs))
    except CRSError as exc:
        raise RowError("坐标系", crs, str(exc)) from None


def geometry_wgs84(row, source_crs: str | None):
    """The row's vector geometry in WGS-84 (valid, inside China)."""
    g = row.geometry
    if g is None or g.is_empty:
        raise RowError("geometry", "", "缺少几何")
    crs = source_crs
    if not crs and row.file_crs:
        fc = str(row.file_crs).upper()
        if fc not in ("EPSG:4326", "EPSG:4490", "OGC:CRS84"):
            crs = fc
    if crs:
        try:
            c = parse_crs(crs)
        except CRSError as exc:
            raise RowError("坐标系", crs, str(exc)) from None
        if c.name not in ("wgs84", "cgcs2000", "epsg:4326", "epsg:4490"):
            g = shapely.transform(g, lambda a: _transform_array(a, c), interleaved=True)
    if not g.is_valid:
        g = shapely.make_valid(g)
    x0, y0, x1, y1 = g.bounds
    if not (in_china(x0, y0) and in_china(x1, y1)):
        raise RowError("geometry", f"{x0:.5f},{y0:.5f}", "几何不在中国境内（或坐标系有误）")
    return g


def _transform_array(a, crs):
    import numpy as np

    out = np.empty_like(a)
    for i, (x, y) in enumerate(a):
        out[i] = to_wgs84(float(x), float(y), crs)
    return out


def quantity_t(row, cols: dict) -> float:
    raw = row.values.get(cols.get("quantity", ""))
    if not text(raw):
        raise RowError("设计最大量", "", "必填字段“设计最大量”为空")
    q = number(raw, "设计最大量")
    if q <= 0:
        raise RowError("设计最大量", raw, "数量必须大于0")
    factor = 1.0
    if "unit" in cols:
        u = text(row.values.get(cols["unit"]))
        if not u:
            raise RowError("计量单位", "", "缺少计量单位（t、吨、kg、千克、公斤）")
        factor = mapping.TONNES_PER.get(u.lower()) or mapping.TONNES_PER.get(u)
        if factor is None:
            raise RowError("计量单位", u, "计量单位应为 t、吨、kg、千克、公斤")
    return q * factor

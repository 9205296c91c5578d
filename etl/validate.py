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
from hazmap.config import AreaSettings
from etl.report import Reject
from geo.cells import CellError as RowError  # one problem of one cell, shared with geo's row builders
from geo.cells import number, parse_date, text, tonnes  # noqa: F401 - parse_date re-exported for etl.records
from geo.crs import CRSError, in_china, parse_crs, to_wgs84
from geo.vocabulary import STAGE_LABEL, stage_code


@dataclass
class Context:
    default_crs: str | None
    area_bbox: tuple[float, float, float, float]
    max_distance_km: float
    catalogue: Any
    today: dt.date = field(default_factory=dt.date.today)
    max_geometry_vertices: int = 200_000
    address_prefixes: tuple[str, ...] = AreaSettings.address_prefixes  # [area] address_prefixes
    properties: dict = field(default_factory=dict)  # catalogue key → geo.reference.ChemicalProperties
    credit_classes: tuple[str, ...] = ()  # the 双随机 draw's credit classes (inspection_draw.toml); () = not checked


def reject_of(row, exc: RowError) -> Reject:
    return Reject(row.file, row.line, exc.field, str(exc.value), exc.reason)


def required(row, cols: dict, fld: str, label: str) -> str:
    v = text(row.values.get(cols.get(fld, "")))
    if not v:
        raise RowError(label, "", f"必填字段“{label}”为空" if fld in cols else f"缺少必填列“{label}”")
    return v


def optional_int(row, cols: dict, fld: str, label: str) -> int | None:
    raw = row.values.get(cols.get(fld, ""))
    if not text(raw):
        return None
    f = number(raw, label)
    if f < 0 or not f.is_integer():
        raise RowError(label, raw, f"{label}应为非负整数")
    return int(f)


_STAGE_SPLIT = re.compile(r"[、,，;；/|]+")


def stages(v: Any) -> list[str]:
    s = text(v).replace("（", "(").replace("）", ")")
    out, unknown = [], []
    for part in _STAGE_SPLIT.split(s):
        p = part.strip()
        if not p:
            continue
        key = stage_code(p)
        if key is None:
            unknown.append(p)
        elif key not in out:
            out.append(key)
    if unknown:
        raise RowError("环节", v, f"未知环节“{'、'.join(unknown)}”（可用：{'、'.join(STAGE_LABEL.values())}）")
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


def geometry_wgs84(row, source_crs: str | None, ctx: Context):
    """The row's vector geometry in WGS-84 (valid, inside China, within the vertex limit)."""
    g = row.geometry
    if g is None or g.is_empty:
        raise RowError("geometry", "", "缺少几何")
    n = shapely.get_num_coordinates(g)
    if n > ctx.max_geometry_vertices:
        raise RowError("geometry", f"{n} 个顶点", f"几何顶点数超过上限 {ctx.max_geometry_vertices}（max_geometry_vertices）")
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
    unit = text(row.values.get(cols["unit"])) if "unit" in cols else None
    return tonnes(row.values.get(cols.get("quantity", "")), unit, label="设计最大量")


INT4 = (-(2**31), 2**31 - 1)


def column_checks(tables: tuple[str, ...]) -> list[tuple[str, int | None, bool]]:
    """``(column, max text length or None, is integer)`` for the columns of ``tables``."""
    from sqlalchemy import Integer, String

    from hazmap.db.schema import metadata

    out = []
    for name in tables:
        for col in metadata.tables[name].columns:
            length = col.type.length if isinstance(col.type, String) else None
            out.append((col.name, length, isinstance(col.type, Integer)))
    return out


def fits_columns(record: dict, checks, label_of) -> None:
    """Raise :class:`RowError` when a value cannot be stored as it is: text longer than its
    column, an integer outside PostgreSQL's ``integer``, text with NUL or unencodable characters.

    Checked before the database sees the row, so one bad cell rejects its row, never the run.
    ``checks`` come from :func:`column_checks`; ``label_of(field)`` is the field's name as the
    operator knows it (the file's header).
    """
    for name, length, is_int in checks:
        v = record.get(name)
        if v is None:
            continue
        for x in (v if isinstance(v, (list, tuple)) else (v,)):
            if isinstance(x, str):
                if "\x00" in x:
                    raise RowError(label_of(name), x.replace("\x00", "\\0")[:60], "含非法字符（NUL）")
                if not x.isascii():
                    try:
                        x.encode("utf-8")
                    except UnicodeEncodeError:
                        raise RowError(label_of(name), x.encode("utf-8", "replace").decode()[:60],
                                       "含无法编码的字符") from None
                if length and len(x) > length:
                    raise RowError(label_of(name), x[:60] + ("…" if len(x) > 60 else ""),
                                   f"长度 {len(x)} 超过上限 {length} 个字符")
            elif is_int and isinstance(x, int) and not isinstance(x, bool) and not INT4[0] <= x <= INT4[1]:
                raise RowError(label_of(name), x, f"数值超出范围（{INT4[0]} 至 {INT4[1]}）")

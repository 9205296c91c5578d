"""The registry fields the size-aware separation rules and GB 18218 W5 read (issue 11): their
validation, one cell at a time, and the footprints.

Every parser takes the cell as it came, returns the stored value (``None`` when blank — the
rules then take the lower bound and say so) and raises :class:`etl.validate.RowError` naming the
field by its Chinese header for a value of the wrong type or out of range.

Footprints (占地范围): a WKT column (``占地范围WKT``) in the CRS the row declares (``坐标系``),
else the source's ``crs``, else ``[etl] default_crs``; or, when the source is a vector file
(GeoJSON / GPKG / SHP), the row's polygon itself in the file's CRS.  Made valid, Polygon →
MultiPolygon, stored WGS-84 as EWKT (``SRID=4326;MULTIPOLYGON(…)``) so COPY can write it.
"""

from __future__ import annotations

import shapely
import shapely.ops
from shapely.geometry import MultiPolygon, Polygon

from etl.validate import RowError, check_area, number, text
from geo.crs import CRSError, parse_crs

_TRUE = {"是", "1", "true", "yes", "y", "有"}
_FALSE = {"否", "0", "false", "no", "n", "无"}
_GRADE = {"一级": 1, "二级": 2, "三级": 3, "四级": 4, "五级": 5, "一": 1, "二": 2, "三": 3, "四": 4, "五": 5}
# 油气回收: 0 无 / 1 卸油油气回收 / 2 卸油和加油油气回收 (geo.separation.VAPOUR_RECOVERY)
VAPOUR_RECOVERY_INPUT = {"0": 0, "无": 0, "无油气回收": 0, "无油气回收系统": 0,
                         "1": 1, "卸油": 1, "卸油油气回收": 1, "有卸油油气回收": 1, "有卸油油气回收系统": 1,
                         "2": 2, "卸油和加油": 2, "卸油和加油油气回收": 2, "卸油及加油油气回收": 2,
                         "有卸油和加油油气回收": 2, "有卸油和加油油气回收系统": 2}
MAX_TANK_VOLUME_M3 = 10_000_000.0  # beyond any tank farm (a typo such as a unit in litres)
# a registered point farther than this from its own footprint means the two are not in one CRS
# (or one of them is wrong): an input check, not a domain number
MAX_POINT_TO_FOOTPRINT_M = 1000.0


def _cell(row, cols: dict, fld: str):
    return row.values.get(cols.get(fld, "")) if fld in cols else None


def _label(cols: dict, fld: str, default: str) -> str:
    return cols.get(fld) or default


def optional_number(row, cols: dict, fld: str, label: str, *, lo: float | None = None, hi: float | None = None,
                    lo_open: bool = False, unit: str = "") -> float | None:
    """A number in [lo, hi] (``lo_open``: lo excluded), or None when blank."""
    raw = _cell(row, cols, fld)
    if not text(raw):
        return None
    name = _label(cols, fld, label)
    x = number(raw, name)
    if lo is not None and (x < lo or (lo_open and x == lo)):
        raise RowError(name, raw, f"{name}应{'大于' if lo_open else '不小于'} {lo:g}{unit}")
    if hi is not None and x > hi:
        raise RowError(name, raw, f"{name}应不大于 {hi:g}{unit}")
    return x


def optional_bool(row, cols: dict, fld: str, label: str) -> bool | None:
    raw = _cell(row, cols, fld)
    s = text(raw).lower()
    if not s:
        return None
    if s in _TRUE:
        return True
    if s in _FALSE:
        return False
    name = _label(cols, fld, label)
    raise RowError(name, raw, f"{name}应为 是/否")


def optional_grade(row, cols: dict, fld: str, label: str, top: int) -> int | None:
    """一级…/1… up to ``top`` → the integer, or None when blank."""
    raw = _cell(row, cols, fld)
    s = text(raw)
    if not s:
        return None
    g = _GRADE.get(s)
    if g is None and s.isdigit():
        g = int(s)
    if g is None and s.endswith("级") and s[:-1].isdigit():
        g = int(s[:-1])
    name = _label(cols, fld, label)
    if g is None or not 1 <= g <= top:
        allowed = "/".join(list(_GRADE)[:top])
        raise RowError(name, raw, f"{name}应为 {allowed}（或 1–{top}）")
    return g


def tank_volume(row, cols: dict) -> float | None:
    return optional_number(row, cols, "tank_volume_m3", "储罐总容积m3", lo=0.0, lo_open=True,
                           hi=MAX_TANK_VOLUME_M3, unit=" m³")


def vapour_recovery(row, cols: dict) -> int | None:
    raw = _cell(row, cols, "vapour_recovery")
    s = text(raw)
    if not s:
        return None
    v = VAPOUR_RECOVERY_INPUT.get(s)
    if v is None:
        name = _label(cols, "vapour_recovery", "油气回收")
        raise RowError(name, raw, f"{name}应为 无/卸油油气回收/卸油和加油油气回收（或 0/1/2）")
    return v


def enterprise_sizes(row, cols: dict) -> dict:
    """The enterprise's registered sizes (columns of ``enterprise``), each None when blank."""
    depot = optional_grade(row, cols, "oil_depot_grade", "油库等级", 5)
    return {"tank_volume_m3": tank_volume(row, cols),
            "station_grade": optional_grade(row, cols, "station_grade", "站级", 3),
            "vapour_recovery": vapour_recovery(row, cols),
            "lpg_tank_buried": optional_bool(row, cols, "lpg_tank_buried", "储罐埋地"),
            "oil_depot_grade": None if depot is None else str(depot)}


def unit_conditions(row, cols: dict) -> dict:
    """The hazard unit's operating conditions and tank volume (columns of ``hazard_unit``)."""
    return {"operating_temperature_c": optional_number(row, cols, "operating_temperature_c", "操作温度℃",
                                                       lo=-273.15, lo_open=True, hi=2000.0, unit=" ℃"),
            "operating_pressure_mpa": optional_number(row, cols, "operating_pressure_mpa", "操作压力MPa",
                                                      lo=-0.1, hi=400.0, unit=" MPa"),
            "tank_volume_m3": tank_volume(row, cols)}


def concentration(row, cols: dict) -> float | None:
    """浓度 % (mass): ``37`` or ``37%`` — above 0 and at most 100 (a fraction such as 0.37 is read as 0.37 %)."""
    raw = _cell(row, cols, "concentration_pct")
    s = text(raw).rstrip("%").strip()
    if not s:
        return None
    name = _label(cols, "concentration_pct", "浓度%")
    x = number(s, name)
    if not 0 < x <= 100:
        raise RowError(name, raw, f"{name}应大于 0 且不大于 100（质量百分数）")
    return x


def fire_class(row, cols: dict) -> str | None:
    """登记火灾危险性 甲/乙/丙/丁/戊 (``甲类`` accepted), or None when blank."""
    from geo.fire_class import _norm

    raw = _cell(row, cols, "fire_class")
    try:
        return _norm(text(raw) or None)
    except ValueError:
        name = _label(cols, "fire_class", "火灾危险性")
        raise RowError(name, raw, f"{name}应为 甲/乙/丙/丁/戊 之一（GB 50016 3.1）") from None


def high_rise(row, cols: dict) -> bool | None:
    return optional_bool(row, cols, "high_rise", "高层建筑")


def _polygonal(g, name: str, raw) -> MultiPolygon:
    if not g.is_valid:
        g = shapely.make_valid(g)
    if isinstance(g, Polygon):
        g = MultiPolygon([g])
    elif not isinstance(g, MultiPolygon):
        polys = [p for p in getattr(g, "geoms", ()) if isinstance(p, Polygon)]
        polys += [q for p in getattr(g, "geoms", ()) if isinstance(p, MultiPolygon) for q in p.geoms]
        if not polys:
            raise RowError(name, str(raw)[:60], f"{name}应为面（Polygon/MultiPolygon），实际为 {g.geom_type}")
        g = MultiPolygon(polys)
    if g.is_empty or g.area == 0:
        raise RowError(name, str(raw)[:60], f"{name}面积为 0")
    return g


def _to_wgs84(g, crs_text: str | None, name: str):
    if not crs_text:
        return g
    try:
        c = parse_crs(crs_text)
    except CRSError as exc:
        raise RowError("坐标系", crs_text, str(exc)) from None
    if c.name in ("wgs84", "cgcs2000", "epsg:4326", "epsg:4490"):
        return g
    from etl.validate import _transform_array

    try:
        return shapely.transform(g, lambda a: _transform_array(a, c), interleaved=True)
    except Exception as exc:  # noqa: BLE001 - pyproj on absurd input
        raise RowError(name, "", f"坐标转换失败：{exc}") from None


def footprint(row, cols: dict, ctx, source_crs: str | None) -> str | None:
    """The row's footprint as EWKT in WGS-84, or None: the WKT column, else the row's polygon."""
    raw = _cell(row, cols, "footprint")
    s = text(raw)
    name = _label(cols, "footprint", "占地范围WKT")
    if s:
        try:
            g = shapely.from_wkt(s)
        except Exception:  # noqa: BLE001 - shapely raises GEOSException for bad WKT
            raise RowError(name, s[:60], f"{name}不是有效的 WKT") from None
        declared = text(row.values.get(cols.get("crs", ""))) or source_crs or ctx.default_crs
        if not declared:
            raise RowError("坐标系", "", f"有{name}但未声明坐标系（该数据源也未配置默认坐标系）")
    elif row.geometry is not None and getattr(row.geometry, "geom_type", "") in ("Polygon", "MultiPolygon"):
        g, s, name = row.geometry, row.geometry.geom_type, "geometry"
        declared = source_crs
        if not declared and row.file_crs and str(row.file_crs).upper() not in ("EPSG:4326", "EPSG:4490", "OGC:CRS84"):
            declared = str(row.file_crs)
    else:
        return None
    n = shapely.get_num_coordinates(g)
    if n > ctx.max_geometry_vertices:
        raise RowError(name, f"{n} 个顶点", f"几何顶点数超过上限 {ctx.max_geometry_vertices}（max_geometry_vertices）")
    g = _polygonal(_to_wgs84(g, declared, name), name, s)
    c = g.centroid
    try:
        check_area(c.x, c.y, ctx, raw=f"{c.x:.6f},{c.y:.6f}")
    except RowError as exc:
        raise RowError(name, exc.value, exc.reason) from None
    return f"SRID=4326;{g.wkt}"


def check_point_near_footprint(ewkt: str | None, lon: float, lat: float, cols: dict) -> None:
    """Reject a footprint farther than :data:`MAX_POINT_TO_FOOTPRINT_M` from the row's own point."""
    if not ewkt:
        return
    import math

    g = shapely.from_wkt(ewkt.split(";", 1)[1])
    p = shapely.Point(lon, lat)
    if g.contains(p):
        return
    q = shapely.ops.nearest_points(g, p)[0]
    dx = (q.x - lon) * 111_320 * math.cos(math.radians(lat))
    dy = (q.y - lat) * 110_574
    d = math.hypot(dx, dy)
    if d > MAX_POINT_TO_FOOTPRINT_M:
        name = _label(cols, "footprint", "占地范围WKT")
        raise RowError(name, f"{q.x:.6f},{q.y:.6f}",
                       f"{name}距本行坐标约 {d / 1000:.1f} km（超过 {MAX_POINT_TO_FOOTPRINT_M:g} m），"
                       "请检查二者是否使用同一坐标系")


def footprint_point(ewkt: str | None):
    """A point on the footprint's surface (lon, lat) — the location of a row that gives only its polygon."""
    if not ewkt:
        return None
    p = shapely.from_wkt(ewkt.split(";", 1)[1]).point_on_surface()
    return p.x, p.y


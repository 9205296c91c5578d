"""Coordinate reference systems used in China, and conversion to the canonical store.

The canonical store is WGS-84 longitude/latitude (EPSG:4326).  CGCS2000 (EPSG:4490)
differs from WGS-84 by well under a metre and is taken as identical (the PROJ
transformation between them is the null transformation).  CGCS2000 Gauss-Krüger
zones (EPSG:4491-4554) and any other EPSG code go through pyproj.

GCJ-02 (Amap, Tencent) and BD-09 (Baidu) are obfuscations, not PROJ CRSs.  Their
forward formulas are public; the inverse is computed iteratively to better than
0.5 m (in practice ~1e-9 degrees), see :func:`gcj02_to_wgs84`.

Notes
-----
All functions take and return ``(lon, lat)`` in degrees, longitude first.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from functools import lru_cache

_A = 6378245.0  # Krasovsky 1940 semi-major axis used by GCJ-02
_EE = 0.00669342162296594323
_X_PI = math.pi * 3000.0 / 180.0

# Mainland China bounding box used for "outside China" checks (generous; islands included).
CHINA_BBOX = (73.0, 3.0, 136.0, 54.0)

NAMED = {
    "wgs84": "EPSG:4326",
    "cgcs2000": "EPSG:4490",
    "gcj02": "GCJ-02",
    "bd09": "BD-09",
}
_ALIASES = {
    "wgs84": "wgs84", "wgs-84": "wgs84", "wgs_84": "wgs84", "epsg:4326": "wgs84", "4326": "wgs84",
    "gps": "wgs84", "cgcs2000": "cgcs2000", "cgcs-2000": "cgcs2000", "epsg:4490": "cgcs2000",
    "4490": "cgcs2000", "国家2000": "cgcs2000", "2000国家大地坐标系": "cgcs2000",
    "gcj02": "gcj02", "gcj-02": "gcj02", "gcj": "gcj02", "火星坐标": "gcj02", "高德": "gcj02",
    "腾讯": "gcj02", "amap": "gcj02", "bd09": "bd09", "bd-09": "bd09", "bd09ll": "bd09",
    "百度": "bd09", "baidu": "bd09",
}


class CRSError(ValueError):
    """An unknown or unsupported coordinate reference system name."""


@dataclass(frozen=True)
class CRS:
    """A declared input CRS: one of the named ones or an EPSG code."""

    name: str  # wgs84 | cgcs2000 | gcj02 | bd09 | epsg:NNNN

    @property
    def label(self) -> str:
        return NAMED.get(self.name, self.name.upper())


def parse_crs(text: str | int | None) -> CRS:
    """Parse a declared CRS (``wgs84``, ``cgcs2000``, ``gcj02``, ``bd09``, ``EPSG:4547``, ``4547``)."""
    if text is None:
        raise CRSError("未声明坐标系")
    t = str(text).strip().lower().replace(" ", "")
    if t.endswith(".0") and t[:-2].isdigit():  # spreadsheet numbers
        t = t[:-2]
    if t in _ALIASES:
        return CRS(_ALIASES[t])
    code = t.removeprefix("epsg:")
    if code.isdigit():
        try:
            _transformer(int(code))
        except Exception as exc:  # pyproj raises CRSError of its own
            raise CRSError(f"不支持的坐标系 EPSG:{code}") from exc
        return CRS(f"epsg:{int(code)}")
    raise CRSError(f"不支持的坐标系“{text}”（可用：wgs84、cgcs2000、gcj02、bd09 或 EPSG 代码）")


def out_of_china(lon: float, lat: float) -> bool:
    """True when the point is outside the bounding box where GCJ-02 applies."""
    return not (72.004 <= lon <= 137.8347 and 0.8293 <= lat <= 55.8271)


def _transform_lat(x: float, y: float) -> float:
    ret = -100.0 + 2.0 * x + 3.0 * y + 0.2 * y * y + 0.1 * x * y + 0.2 * math.sqrt(abs(x))
    ret += (20.0 * math.sin(6.0 * x * math.pi) + 20.0 * math.sin(2.0 * x * math.pi)) * 2.0 / 3.0
    ret += (20.0 * math.sin(y * math.pi) + 40.0 * math.sin(y / 3.0 * math.pi)) * 2.0 / 3.0
    ret += (160.0 * math.sin(y / 12.0 * math.pi) + 320 * math.sin(y * math.pi / 30.0)) * 2.0 / 3.0
    return ret


def _transform_lon(x: float, y: float) -> float:
    ret = 300.0 + x + 2.0 * y + 0.1 * x * x + 0.1 * x * y + 0.1 * math.sqrt(abs(x))
    ret += (20.0 * math.sin(6.0 * x * math.pi) + 20.0 * math.sin(2.0 * x * math.pi)) * 2.0 / 3.0
    ret += (20.0 * math.sin(x * math.pi) + 40.0 * math.sin(x / 3.0 * math.pi)) * 2.0 / 3.0
    ret += (150.0 * math.sin(x / 12.0 * math.pi) + 300.0 * math.sin(x / 30.0 * math.pi)) * 2.0 / 3.0
    return ret


def wgs84_to_gcj02(lon: float, lat: float) -> tuple[float, float]:
    """WGS-84 → GCJ-02 (the public forward formula). Outside China: unchanged."""
    if out_of_china(lon, lat):
        return lon, lat
    dlat = _transform_lat(lon - 105.0, lat - 35.0)
    dlon = _transform_lon(lon - 105.0, lat - 35.0)
    radlat = lat / 180.0 * math.pi
    magic = math.sin(radlat)
    magic = 1 - _EE * magic * magic
    sqrtmagic = math.sqrt(magic)
    dlat = (dlat * 180.0) / ((_A * (1 - _EE)) / (magic * sqrtmagic) * math.pi)
    dlon = (dlon * 180.0) / (_A / sqrtmagic * math.cos(radlat) * math.pi)
    return lon + dlon, lat + dlat


def gcj02_to_bd09(lon: float, lat: float) -> tuple[float, float]:
    z = math.sqrt(lon * lon + lat * lat) + 0.00002 * math.sin(lat * _X_PI)
    theta = math.atan2(lat, lon) + 0.000003 * math.cos(lon * _X_PI)
    return z * math.cos(theta) + 0.0065, z * math.sin(theta) + 0.006


def bd09_to_gcj02(lon: float, lat: float) -> tuple[float, float]:
    """BD-09 → GCJ-02, refined iteratively against :func:`gcj02_to_bd09`."""
    x, y = lon - 0.0065, lat - 0.006
    z = math.sqrt(x * x + y * y) - 0.00002 * math.sin(y * _X_PI)
    theta = math.atan2(y, x) - 0.000003 * math.cos(x * _X_PI)
    g_lon, g_lat = z * math.cos(theta), z * math.sin(theta)
    return _refine(gcj02_to_bd09, lon, lat, g_lon, g_lat)


def wgs84_to_bd09(lon: float, lat: float) -> tuple[float, float]:
    return gcj02_to_bd09(*wgs84_to_gcj02(lon, lat))


def _refine(forward, lon: float, lat: float, x: float, y: float,
            *, tol_deg: float = 1e-10, max_iter: int = 30) -> tuple[float, float]:
    """Fixed-point iteration: find (x, y) with forward(x, y) == (lon, lat)."""
    for _ in range(max_iter):
        fx, fy = forward(x, y)
        dx, dy = lon - fx, lat - fy
        x, y = x + dx, y + dy
        if abs(dx) < tol_deg and abs(dy) < tol_deg:
            break
    return x, y


def gcj02_to_wgs84(lon: float, lat: float) -> tuple[float, float]:
    """GCJ-02 → WGS-84 by fixed-point iteration on the forward formula.

    The residual after convergence is below 1e-9 degrees (≈0.1 mm), far inside
    the 0.5 m the ETL promises.
    """
    if out_of_china(lon, lat):
        return lon, lat
    return _refine(wgs84_to_gcj02, lon, lat, lon, lat)


def bd09_to_wgs84(lon: float, lat: float) -> tuple[float, float]:
    return gcj02_to_wgs84(*bd09_to_gcj02(lon, lat))


@lru_cache(maxsize=64)
def _transformer(epsg: int):
    from pyproj import Transformer

    return Transformer.from_crs(f"EPSG:{epsg}", "EPSG:4326", always_xy=True)


def to_wgs84(x: float, y: float, crs: CRS | str) -> tuple[float, float]:
    """Convert a coordinate pair in ``crs`` to WGS-84 ``(lon, lat)``.

    For geographic CRSs ``x`` is longitude and ``y`` latitude; for projected EPSG
    codes (e.g. EPSG:4547, CGCS2000 3-degree Gauss-Krüger CM 114°E) ``x`` is the
    easting and ``y`` the northing in metres.
    """
    c = crs if isinstance(crs, CRS) else parse_crs(crs)
    if c.name in ("wgs84", "cgcs2000"):
        return float(x), float(y)
    if c.name == "gcj02":
        return gcj02_to_wgs84(x, y)
    if c.name == "bd09":
        return bd09_to_wgs84(x, y)
    epsg = int(c.name.split(":")[1])
    if epsg in (4326, 4490):
        return float(x), float(y)
    lon, lat = _transformer(epsg).transform(x, y)
    return float(lon), float(lat)


def from_wgs84(lon: float, lat: float, crs: CRS | str) -> tuple[float, float]:
    """WGS-84 → ``crs`` (named CRSs only; used for exports such as ``crs=gcj02``)."""
    c = crs if isinstance(crs, CRS) else parse_crs(crs)
    if c.name in ("wgs84", "cgcs2000"):
        return lon, lat
    if c.name == "gcj02":
        return wgs84_to_gcj02(lon, lat)
    if c.name == "bd09":
        return wgs84_to_bd09(lon, lat)
    raise CRSError(f"不支持输出到坐标系 {c.label}")


def to_projected(lon: float, lat: float, epsg: int) -> tuple[float, float]:
    """WGS-84 ``(lon, lat)`` → ``(x, y)`` in a projected EPSG CRS, e.g. CGCS2000 Gauss-Krüger
    EPSG:4547 (easting, northing in metres; CGCS2000 taken as WGS-84, < 1 m apart) — the map's
    coordinate readout.  The inverse of :func:`to_wgs84` for EPSG codes."""
    x, y = _transformer(int(epsg)).transform(lon, lat, direction="INVERSE")
    return float(x), float(y)


def gauss_kruger_label(epsg: int) -> str:
    """The Chinese name of a CGCS2000 Gauss-Krüger zone, from its EPSG definition:
    4547 → ``CGCS2000 高斯-克吕格 3° 带 中央经线 114°（EPSG:4547）``; anything else → :class:`CRSError`."""
    from pyproj import CRS
    from pyproj.exceptions import CRSError as ProjError

    try:
        c = CRS.from_epsg(int(epsg))
    except (ProjError, ValueError, TypeError):
        raise CRSError(f"EPSG:{epsg} 不是有效的坐标系代码") from None
    if not c.is_projected or "CGCS2000" not in c.name or "Gauss-Kruger" not in c.name:
        raise CRSError(f"EPSG:{epsg}（{c.name}）不是 CGCS2000 高斯-克吕格投影")
    cm = next(p.value for p in c.coordinate_operation.params if p.name == "Longitude of natural origin")
    band = "3° 带" if "3-degree" in c.name else "6° 带"
    return f"CGCS2000 高斯-克吕格 {band} 中央经线 {cm:g}°（EPSG:{int(epsg)}）"


def in_china(lon: float, lat: float) -> bool:
    """True when (lon, lat) is a finite point inside :data:`CHINA_BBOX`."""
    if not (math.isfinite(lon) and math.isfinite(lat)):
        return False
    x0, y0, x1, y1 = CHINA_BBOX
    return x0 <= lon <= x1 and y0 <= lat <= y1

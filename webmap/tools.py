"""Read endpoints behind the map's tools: search, "what lies within X m", coordinate
conversion (WGS-84, CGCS2000 Gauss-Krüger EPSG:4546/4547, DMS) and the per-view summary.

Adapters only: parse the query, call :mod:`geo.postgis.search` or :mod:`geo.crs`, return JSON.
"""

from __future__ import annotations

import math

from flask import Blueprint, jsonify, request

from geo import crs as crs_mod
from geo import params
from geo.errors import InvalidInput
from geo.postgis import search as queries
from webmap.db import settings
from webmap.reading import reading

bp = Blueprint("tools", __name__, url_prefix="/api/v1")

MAX_RADIUS_M = 20_000.0


def _number(name: str, *, minimum: float | None = None, maximum: float | None = None) -> float:
    raw = request.args.get(name)
    try:
        v = float(raw)
    except (TypeError, ValueError):
        raise InvalidInput(name, f"{name} 应为数字") from None
    if not math.isfinite(v) or (minimum is not None and v < minimum) or (maximum is not None and v > maximum):
        raise InvalidInput(name, f"{name} 超出范围（{minimum:g}–{maximum:g}）" if minimum is not None else f"{name} 无效")
    return v


def _point() -> tuple[float, float]:
    """``lon``/``lat`` (or ``x``/``y``) in ``crs`` (default wgs84) → WGS-84."""
    try:
        c = crs_mod.parse_crs(request.args.get("crs") or "wgs84")
    except crs_mod.CRSError as exc:
        raise InvalidInput("crs", str(exc)) from None
    x = _number("x" if "x" in request.args else "lon")
    y = _number("y" if "y" in request.args else "lat")
    lon, lat = crs_mod.to_wgs84(x, y, c)
    if not crs_mod.in_china(lon, lat):
        raise InvalidInput("location", f"坐标（{lon:.6f}, {lat:.6f}）不在中国境内，请检查坐标与坐标系")
    return lon, lat


def dms(value: float, positive: str, negative: str) -> str:
    """112.85 → ``112°51′00.00″E`` (degrees, minutes, seconds to 0.01″ ≈ 0.3 m)."""
    hemi = positive if value >= 0 else negative
    total = round(abs(value) * 3600, 2)
    d, rest = divmod(total, 3600)
    m, s = divmod(rest, 60)
    return f"{int(d)}°{int(m):02d}′{s:05.2f}″{hemi}"


@bp.get("/coordinates")
def coordinates():
    lon, lat = _point()
    gk = {}
    for code in settings().area.gauss_kruger_epsg:  # [area] gauss_kruger_epsg
        x, y = crs_mod.to_projected(lon, lat, code)
        gk[f"EPSG:{code}"] = {"x": round(x, 2), "y": round(y, 2)}
    return jsonify({"wgs84": {"lon": round(lon, 7), "lat": round(lat, 7)},
                    "dms": {"lon": dms(lon, "E", "W"), "lat": dms(lat, "N", "S")}, "gauss_kruger": gk,
                    "gauss_kruger_labels": {f"EPSG:{c}": crs_mod.gauss_kruger_label(c) for c in settings().area.gauss_kruger_epsg},
                    "crs_note": "经纬度为 WGS-84（EPSG:4326，与 CGCS2000 相差小于 1 m）；高斯-克吕格为 CGCS2000（米）"})


@bp.get("/search")
def search():
    q = params.text(request.args.get("q"), "q", max_len=50)
    if not q or not q.strip():
        raise InvalidInput("q", "请输入要搜索的名称、地址、统一社会信用代码或地名")
    with reading() as (conn, _run, _base):  # one snapshot: the run and its data agree
        return jsonify(queries.search(conn, q))


@bp.get("/nearby")
def nearby():
    lon, lat = _point()
    radius = _number("radius_m", minimum=1, maximum=MAX_RADIUS_M)
    with reading() as (conn, _run, _base):  # one snapshot: the run and its data agree
        return jsonify(queries.nearby(conn, lon=lon, lat=lat, radius_m=radius))


@bp.get("/map/summary")
def map_summary():
    a = request.args
    with reading() as (conn, _run, _base):  # one snapshot: the run and its data agree
        return jsonify(queries.map_summary(
            conn, zoom=params.integer(a.get("zoom"), "zoom", default=12, minimum=0, maximum=22),
            max_markers=settings().map.max_markers,
            risk=params.colours(a.get("risk")), town=params.text(a.get("town"), "town"),
            stage=params.text(a.get("stage"), "stage"), department=params.text(a.get("department"), "department"),
            q=params.text(a.get("q"), "q"), aggregate=a.get("aggregate") == "1",
            bbox=params.bbox(a.get("bbox"), max_area_deg2=settings().map.max_summary_bbox_area_deg2)))

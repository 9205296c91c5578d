"""Printed sheets as PDF (WeasyPrint, CJK via the system's fonts):

* ``GET /print/map.pdf`` with the map's filters (``risk``, ``town``, ``stage``, ``department``,
  ``q``, ``bbox``): an A4 landscape map sheet — title, the map drawn as SVG from the data
  (boundaries, roads, enterprises in their colours, conflict lines), legend, metric scale bar,
  north arrow, date, data version and 审图号.
* :func:`siting_pdf`: the siting check's result as a 选址初筛意见 (screening opinion) citing the
  rules, clauses and distances, the data version and who asked.  ``POST /api/v1/siting/report.pdf``
  (:mod:`webmap.siting`) serves it; the API's ``POST /api/v1/siting/check?format=pdf`` can too.

The map sheet is drawn in Web Mercator (display only; the scale bar's metres are computed
from the Mercator scale factor at the sheet's centre latitude, 1/cos φ).
"""

from __future__ import annotations

import datetime as dt
import json
import math
from zoneinfo import ZoneInfo

from flask import Blueprint, Response, g, render_template, request

from geo import params
from geo.postgis import basemap as basemap_queries
from geo.postgis import collections as queries
from geo.postgis.collections import arguments
from geo.separation import FIELD_LABEL
from geo.vocabulary import CATEGORY_LABEL, STAGE_LABEL, UNIT_KIND_LABEL
from webmap import labels
from webmap.db import connect, domain, settings
from webmap.reading import reading

bp = Blueprint("printing", __name__)
BEIJING = ZoneInfo("Asia/Shanghai")
EARTH_RADIUS_M = 6378137.0  # WGS-84 semi-major axis (Web Mercator sphere)
SHEET_W, SHEET_H = 760.0, 470.0  # the map frame, in SVG units (≈ px at 96 dpi)


def _merc(lon: float, lat: float) -> tuple[float, float]:
    lat = max(min(lat, 85.0), -85.0)
    return math.radians(lon), math.log(math.tan(math.pi / 4 + math.radians(lat) / 2))


class Frame:
    """Lon/lat → SVG coordinates for a bbox fitted into the sheet's map frame."""

    def __init__(self, bbox: tuple[float, float, float, float]):
        x0, y0 = _merc(bbox[0], bbox[1])
        x1, y1 = _merc(bbox[2], bbox[3])
        self.k = min(SHEET_W / max(x1 - x0, 1e-9), SHEET_H / max(y1 - y0, 1e-9))
        self.ox = (SHEET_W - (x1 - x0) * self.k) / 2 - x0 * self.k
        self.oy = (SHEET_H - (y1 - y0) * self.k) / 2 + y1 * self.k
        self.lat = (bbox[1] + bbox[3]) / 2

    def xy(self, lon: float, lat: float) -> tuple[float, float]:
        x, y = _merc(lon, lat)
        return round(self.ox + x * self.k, 2), round(self.oy - y * self.k, 2)

    def path(self, geometry: dict) -> str:
        rings = {"Polygon": [geometry["coordinates"]], "MultiPolygon": geometry["coordinates"],
                 "LineString": [[geometry["coordinates"]]], "MultiLineString": [geometry["coordinates"]]}[geometry["type"]]
        close = "Z" if "Polygon" in geometry["type"] else ""
        out = []
        for poly in rings:
            for ring in poly:
                pts = [self.xy(c[0], c[1]) for c in ring]
                out.append("M" + "L".join(f"{x},{y}" for x, y in pts) + close)
        return " ".join(out)

    def scale_bar(self) -> dict:
        """A round length (1/2/5 × 10ⁿ m) that draws ≈ 120 units long at the centre latitude."""
        metres_per_unit = 1.0 / self.k * EARTH_RADIUS_M * math.cos(math.radians(self.lat))
        target = 120 * metres_per_unit
        base = 10 ** math.floor(math.log10(target))
        length = max(m * base for m in (1, 2, 5) if m * base <= target)
        return {"units": round(length / metres_per_unit, 1),
                "label": f"{length / 1000:g} 千米" if length >= 1000 else f"{length:g} 米"}


def _extent(conn, bbox) -> tuple[float, float, float, float]:
    from geo.postgis.areas import extent

    return bbox or extent(conn) or settings().etl.area_bbox


def _beijing(iso: str | None) -> str:
    if not iso:
        return "尚无计算结果"
    return dt.datetime.fromisoformat(iso).astimezone(BEIJING).strftime("%Y-%m-%d %H:%M")


def _version_text(info: dict) -> str:
    v = info.get("versions") or {}
    parts = [f"运行 #{info['run_id']}" if info.get("run_id") else "尚无计算结果",
             f"数据截至 {_beijing(info.get('data_as_of'))}（北京时间）"]
    if v:
        parts.append(f"规则 {v.get('rules', '-')}，参考数据 {v.get('reference', '-')}，评级模型 {v.get('model', '-')}")
    return "；".join(parts)


def _pdf(html: str) -> bytes:
    from weasyprint import HTML

    return HTML(string=html, base_url=request.url_root).write_pdf()


def _filters_text(filters: dict) -> str:
    vocab = domain().vocabulary
    out = []
    if filters.get("risk"):
        out.append("风险：" + "、".join(vocab.colour_label.get(c, c) for c in filters["risk"]))
    for key, label in (("town", "属地"), ("stage", "环节"), ("department", "监管部门"), ("q", "名称含")):
        if filters.get(key):
            value = filters[key]
            if key == "stage":
                from geo.vocabulary import STAGE_LABEL, stage_code

                value = STAGE_LABEL.get(stage_code(value) or "", value)
            out.append(f"{label}：{value}")
    if filters.get("bbox"):
        out.append("范围：当前地图视野")
    return "；".join(out) or "全部企业"


@bp.get("/print/map.pdf")
def map_pdf():
    a = request.args
    lim = settings().limits
    filters = {"risk": params.colours(a.get("risk")), "town": params.text(a.get("town"), "town"),
               "stage": params.text(a.get("stage"), "stage"), "department": params.text(a.get("department"), "department"),
               "q": params.text(a.get("q"), "q"), "bbox": params.bbox(a.get("bbox"), max_area_deg2=lim.max_bbox_area_deg2)}
    vocab = domain().vocabulary
    args = {k: v for k, v in a.items() if k in ("risk", "town", "stage", "department", "q", "bbox")}
    with reading() as (conn, run, params_):
        frame = Frame(_extent(conn, filters["bbox"]))
        fc = _page(conn, "enterprises", args, params_, lim)
        ids = {f["id"] for f in fc["features"]}
        conflicts = _page(conn, "conflicts", {k: v for k, v in args.items() if k in ("risk", "town", "bbox")},
                          params_, lim)
        base = basemap_queries.basemap(conn)
        info = run.as_json()
    areas = [{"d": frame.path(f["geometry"]), "level": f["properties"]["layer"]}
             for f in base["features"] if f["properties"]["layer"] in ("district", "town", "village")]
    roads = [frame.path(f["geometry"]) for f in base["features"] if f["properties"]["layer"] == "road"]
    names = [{"xy": frame.xy(*f["geometry"]["coordinates"]), "name": f["properties"]["name"]}
             for f in base["features"] if f["properties"]["layer"] == "label"]
    order = {c.code: i for i, c in enumerate(vocab.colours)}
    points = sorted(fc["features"], key=lambda f: -order.get(f["properties"]["risk_color"], 9))  # red on top
    marks = [{"xy": frame.xy(*f["geometry"]["coordinates"]), "fill": vocab.colour_hex.get(f["properties"]["risk_color"], "#999"),
              "major": bool(f["properties"]["major_hazard_grade"])} for f in points]
    lines = [frame.path(f["geometry"]) for f in conflicts["features"] if f["properties"]["enterprise_id"] in ids]
    counts = {c.code: sum(1 for f in fc["features"] if f["properties"]["risk_color"] == c.code) for c in vocab.colours}
    m = settings().map
    html = render_template(
        "print_map.html", title="危险化学品安全风险分布图", areas=areas, roads=roads, names=names, marks=marks,
        lines=lines, w=SHEET_W, h=SHEET_H, scale=frame.scale_bar(), colours=vocab.colours, counts=counts,
        matched=fc["numberMatched"], shown=fc["numberReturned"], filters=_filters_text(filters),
        version=_version_text(info), printed=dt.datetime.now(BEIJING).strftime("%Y-%m-%d %H:%M"),
        review_number=m.review_number, attribution=m.tile_attribution or "本系统数据绘制",
        user=getattr(g, "user", None))
    from webmap.auth import record

    record("print", {"layer": "map", "format": "pdf", "filters": {k: v for k, v in filters.items() if v}})
    return Response(_pdf(html), mimetype="application/pdf",
                    headers={"Content-Disposition": "attachment; filename=risk-map.pdf"})


def _page(conn, cid: str, args: dict, base: dict, lim) -> dict:
    """A page of a collection through the registry (the API's filters), as a FeatureCollection dict."""
    c = queries.get(cid)
    sel, _ = arguments.api_selection(c, args, limits=lim)
    page = queries.page(conn, c, sel, base, limit=lim.max_features_per_response)
    return {"features": [json.loads(f) for f in page.features], "numberMatched": page.number_matched,
            "numberReturned": len(page.features)}


def siting_pdf(result: dict, *, user: dict | None, request_body: dict | None = None) -> bytes:
    """The 选址初筛意见 PDF of a siting check ``result`` (the dict ``check_site`` returns) asked by ``user``."""
    with connect() as conn:
        info = queries.run_info(conn)
    vocab = domain().vocabulary
    body = request_body or {}
    html = render_template(
        "print_siting.html", r=result, body=body, categories=CATEGORY_LABEL, unit_kinds=UNIT_KIND_LABEL,
        stages=STAGE_LABEL, size_labels=FIELD_LABEL,
        grades=labels.GRADE_LABEL, colour_label=vocab.colour_label, colour_hex=vocab.colour_hex,
        version=_version_text(info), printed=dt.datetime.now(BEIJING).strftime("%Y-%m-%d %H:%M"),
        user=user, role_label=labels.ROLE_LABEL.get((user or {}).get("role"), ""))
    return _pdf(html)

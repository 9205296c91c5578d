"""``/ogc``: OGC API – Features, Part 1 Core (GeoJSON, OpenAPI 3), over the same collections as
``/api/v1`` — for QGIS and GDAL (``ogrinfo OAPIF:http://host/ogc``).

Why not mount pygeoapi: its PostgreSQL provider serves tables, while hazmap's collections are
current-run joins with computed properties (colour, reasons, data version); serving them through
the same framework-neutral core (:mod:`geo.postgis.collections`) keeps one definition of the data.
"""

from __future__ import annotations

from urllib.parse import urlencode

import sqlalchemy as sa
from flask import Blueprint, jsonify, request, url_for

from geo import params
from geo.errors import NotFound
from geo.postgis import collections as core
from webmap.db import connect, domain, settings

bp = Blueprint("ogc", __name__, url_prefix="/ogc")

COLLECTIONS = {
    # id: (title, core function, extra filters, extent SQL)
    "enterprises": ("涉危企业（四色分级）", core.enterprises, {"risk": None, "town": None, "stage": None,
                                                        "department": None, "q": None}, "select ST_Extent(geom) from enterprise"),
    "hazard-units": ("危险单元与重大危险源", core.hazard_units, {"grade": None, "town": None},
                     "select ST_Extent(e.geom) from hazard_unit u join enterprise e on e.id = u.enterprise_id"),
    "targets": ("防护目标", core.targets, {"category": None}, "select ST_Extent(geom) from protection_target"),
    "conflicts": ("距离冲突", core.conflicts, {"risk": None, "town": None, "category": None},
                  "select ST_Extent(geom) from conflict"),
    "areas": ("镇街风险", core.areas, {"level": "town"}, "select ST_Extent(geom) from admin_area where level = 'town'"),
    "pipelines": ("长输管道与高后果区", core.pipelines, {}, "select ST_Extent(geom) from pipeline"),
}
CONFORMANCE = [
    "http://www.opengis.net/spec/ogcapi-features-1/1.0/conf/core",
    "http://www.opengis.net/spec/ogcapi-features-1/1.0/conf/geojson",
    "http://www.opengis.net/spec/ogcapi-features-1/1.0/conf/oas30",
]
CRS84 = "http://www.opengis.net/def/crs/OGC/1.3/CRS84"


def _url(endpoint: str, **kw) -> str:
    return url_for(endpoint, _external=True, **kw)


@bp.get("")
@bp.get("/")
def landing():
    return jsonify({
        "title": "hazmap — 危险化学品安全风险（OGC API – Features）",
        "description": "与 /api/v1 相同的数据；GeoJSON，WGS-84（CRS84）。",
        "links": [
            {"href": _url("ogc.landing"), "rel": "self", "type": "application/json", "title": "本页"},
            {"href": _url("ogc.api"), "rel": "service-desc", "type": "application/vnd.oai.openapi+json;version=3.0",
             "title": "OpenAPI"},
            {"href": _url("ogc.conformance"), "rel": "conformance", "type": "application/json"},
            {"href": _url("ogc.collections"), "rel": "data", "type": "application/json"},
        ]})


@bp.get("/conformance")
def conformance():
    return jsonify({"conformsTo": CONFORMANCE})


def _collection_doc(cid: str, conn) -> dict:
    title, _, _, extent_sql = COLLECTIONS[cid]
    box = conn.execute(sa.text(f"select ST_XMin(b), ST_YMin(b), ST_XMax(b), ST_YMax(b) from ({extent_sql}) s(b)")).first()
    bbox = [round(v, 6) for v in box] if box and box[0] is not None else [-180, -90, 180, 90]
    return {"id": cid, "title": title, "itemType": "feature", "crs": [CRS84], "storageCrs": CRS84,
            "extent": {"spatial": {"bbox": [bbox], "crs": CRS84}},
            "links": [{"href": _url("ogc.items", cid=cid), "rel": "items", "type": "application/geo+json"},
                      {"href": _url("ogc.collection", cid=cid), "rel": "self", "type": "application/json"}]}


@bp.get("/collections")
def collections():
    with connect() as conn:
        docs = [_collection_doc(cid, conn) for cid in COLLECTIONS]
    return jsonify({"collections": docs, "links": [
        {"href": _url("ogc.collections"), "rel": "self", "type": "application/json"}]})


@bp.get("/collections/<cid>")
def collection(cid: str):
    if cid not in COLLECTIONS:
        raise NotFound(f"集合 {cid} 不存在")
    with connect() as conn:
        return jsonify(_collection_doc(cid, conn))


@bp.get("/collections/<cid>/items")
def items(cid: str):
    if cid not in COLLECTIONS:
        raise NotFound(f"集合 {cid} 不存在")
    _, fn, filters, _ = COLLECTIONS[cid]
    s = settings()
    limit = params.integer(request.args.get("limit"), "limit", default=100, minimum=1,
                           maximum=s.limits.max_features_per_response, limit_name="max_features_per_response")
    offset = params.integer(request.args.get("offset"), "offset", default=0)
    bbox = params.bbox(request.args.get("bbox"), max_area_deg2=s.limits.max_bbox_area_deg2)
    with connect() as conn:
        fc = fn(conn, **filters, bbox=bbox, limit=limit, offset=offset, vocabulary=domain().vocabulary)
    from webmap.api import audit_large_page

    audit_large_page(cid, fc, {"bbox": bbox})
    links = [{"href": request.url, "rel": "self", "type": "application/geo+json"}]
    if offset + len(fc["features"]) < fc["numberMatched"]:
        # the query as sent, never as url_for arguments: cid, endpoint, _external… are just parameters here
        args = [(k, v) for k, v in request.args.items(multi=True) if k not in ("offset", "limit")]
        query = urlencode([*args, ("offset", offset + limit), ("limit", limit)])
        links.append({"href": f"{request.base_url}?{query}", "rel": "next", "type": "application/geo+json"})
    fc["links"] = links
    fc["timeStamp"] = fc.get("data_as_of")
    resp = jsonify(fc)
    resp.mimetype = "application/geo+json"
    return resp


@bp.get("/collections/<cid>/items/<int:fid>")
def item(cid: str, fid: int):
    if cid not in COLLECTIONS:
        raise NotFound(f"集合 {cid} 不存在")
    getter = {"enterprises": core.enterprise, "targets": core.target}.get(cid)
    with connect() as conn:
        if getter:
            f = getter(conn, fid, vocabulary=domain().vocabulary)
        else:  # other collections: scan their single page by id (small collections)
            _, fn, filters, _ = COLLECTIONS[cid]
            fc = fn(conn, **filters, bbox=None, limit=settings().limits.max_features_per_response, offset=0,
                    vocabulary=domain().vocabulary)
            f = next((x for x in fc["features"] if x.get("id") == fid), None)
    if f is None:
        raise NotFound(f"要素 {cid}/{fid} 不存在")
    resp = jsonify(f)
    resp.mimetype = "application/geo+json"
    return resp


@bp.get("/api")
def api():
    from webmap.openapi import ogc_document

    return jsonify(ogc_document())

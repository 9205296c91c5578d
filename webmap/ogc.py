"""``/ogc``: OGC API – Features Part 1 Core and Part 3 (queryables, CQL2-Text filter), over the
registry's homogeneous collections — for QGIS, GDAL (``ogrinfo OAPIF:http://host/ogc``) and OWSLib.

To the letter (OGC 17-069r4, 19-079r2, 21-065r2): one geometry type per collection (declared
in its queryables and schema); ``name=value`` on every queryable and the ``/api/v1`` filters
(``risk``, ``town``…) honoured server-side; an unknown parameter → 400; ``limit`` above the
maximum clamped; ``bbox`` with 4 or 6 numbers, an over-large bbox intersected with the data's
extent; ``self``/``alternate``/``collection``/``next`` links (keyset ``next``: deep pages cost
what the first does); ``numberMatched`` the true count and ``timeStamp`` the response time;
``sortby``; ``datetime`` on the run's date; CQL2-Text through pygeofilter, every literal bound.
The landing page, conformance, API document and data follow one access rule (``auth``).

Why not mount pygeoapi: its PostgreSQL provider serves tables, while hazmap's collections are
current-run joins with computed properties; the registry keeps one definition of the data.
"""

from __future__ import annotations

import datetime as dt
import json
from urllib.parse import urlencode

from flask import Blueprint, Response, request, url_for

from geo.errors import NotFound
from geo.postgis import collections as registry
from geo.postgis.collections import arguments
from webmap.reading import feature_collection, reading
from webmap.db import settings

bp = Blueprint("ogc", __name__, url_prefix="/ogc")

GEOJSON = "application/geo+json"
OPENAPI = "application/vnd.oai.openapi+json;version=3.0"
SCHEMA = "application/schema+json"
CRS84 = arguments.CRS84
CONFORMANCE = [
    "http://www.opengis.net/spec/ogcapi-features-1/1.0/conf/core",
    "http://www.opengis.net/spec/ogcapi-features-1/1.0/conf/geojson",
    "http://www.opengis.net/spec/ogcapi-features-1/1.0/conf/oas30",
    "http://www.opengis.net/spec/ogcapi-features-3/1.0/conf/queryables",
    "http://www.opengis.net/spec/ogcapi-features-3/1.0/conf/queryables-query-parameters",
    "http://www.opengis.net/spec/ogcapi-features-3/1.0/conf/filter",
    "http://www.opengis.net/spec/ogcapi-features-3/1.0/conf/features-filter",
    "http://www.opengis.net/spec/cql2/1.0/conf/cql2-text",
    "http://www.opengis.net/spec/cql2/1.0/conf/basic-cql2",
    "http://www.opengis.net/spec/cql2/1.0/conf/advanced-comparison-operators",
    "http://www.opengis.net/spec/cql2/1.0/conf/basic-spatial-functions",
    "http://www.opengis.net/spec/cql2/1.0/conf/basic-spatial-functions-plus",
    "http://www.opengis.net/spec/cql2/1.0/conf/spatial-functions",
    "http://www.opengis.net/spec/ogcapi-tiles-1/1.0/conf/core",
    "http://www.opengis.net/spec/ogcapi-tiles-1/1.0/conf/tileset",
    "http://www.opengis.net/spec/ogcapi-tiles-1/1.0/conf/tilesets-list",
    "http://www.opengis.net/spec/ogcapi-tiles-1/1.0/conf/geodata-tilesets",
    "http://www.opengis.net/spec/ogcapi-tiles-1/1.0/conf/mvt",
]
GEOMETRY_FORMAT = {"Point": "geometry-point", "LineString": "geometry-linestring", "Polygon": "geometry-polygon",
                   "MultiPoint": "geometry-multipoint", "MultiLineString": "geometry-multilinestring",
                   "MultiPolygon": "geometry-multipolygon"}


@bp.before_request
def _only_known_parameters():
    """Every /ogc resource refuses a parameter it does not know (items check their own, richer set)."""
    if request.endpoint != "ogc.items":
        arguments.ogc_plain(request.args)


def _url(endpoint: str, query: dict | None = None, **kw) -> str:
    """An absolute link; the query string is encoded apart, so no parameter can collide with url_for's."""
    url = url_for(endpoint, _external=True, **kw)
    return url + "?" + urlencode(query) if query else url


def _collection_of(cid: str):
    c = registry.ogc_collections().get(cid)
    if c is None:
        raise NotFound(f"集合 {cid} 不存在")
    return c


def _json(body: dict, mimetype: str = "application/json") -> Response:
    return Response(json.dumps(body, ensure_ascii=False, default=str), mimetype=mimetype)


@bp.get("")
@bp.get("/")
def landing():
    return _json({
        "title": "hazmap — 危险化学品安全风险（OGC API – Features）",
        "description": "与 /api/v1 相同的数据；GeoJSON，WGS-84（CRS84）；过滤：属性=值、CQL2-Text、bbox、datetime、sortby。",
        "links": [
            {"href": _url("ogc.landing"), "rel": "self", "type": "application/json", "title": "本页"},
            {"href": _url("ogc.api"), "rel": "service-desc", "type": OPENAPI, "title": "OpenAPI 3.0"},
            {"href": _url("ogc.conformance"), "rel": "conformance", "type": "application/json", "title": "一致性"},
            {"href": _url("ogc.collections"), "rel": "data", "type": "application/json", "title": "集合"},
            {"href": _url("ogc.tile_matrix_sets"), "rel": "http://www.opengis.net/def/rel/ogc/1.0/tiling-schemes",
             "type": "application/json", "title": "瓦片矩阵集"},
        ]})


@bp.get("/conformance")
def conformance():
    return _json({"conformsTo": CONFORMANCE})


def _collection_doc(c, conn, base) -> dict:
    box = registry.extent(conn, c, base)
    bbox = [round(v, 7) for v in box] if box else [-180, -90, 180, 90]
    return {"id": c.id, "title": c.title, "description": c.description, "itemType": "feature",
            "crs": [CRS84], "storageCrs": CRS84,
            "extent": {"spatial": {"bbox": [bbox], "crs": CRS84}},
            "links": [
                {"href": _url("ogc.collection", cid=c.id), "rel": "self", "type": "application/json"},
                {"href": _url("ogc.items", cid=c.id), "rel": "items", "type": GEOJSON, "title": c.title},
                {"href": _url("ogc.queryables", cid=c.id), "rel": "http://www.opengis.net/def/rel/ogc/1.0/queryables",
                 "type": SCHEMA, "title": "可查询属性"},
                {"href": _url("ogc.schema", cid=c.id), "rel": "http://www.opengis.net/def/rel/ogc/1.0/schema",
                 "type": SCHEMA, "title": "属性模式"},
                {"href": _url("ogc.schema", cid=c.id), "rel": "describedby", "type": SCHEMA,
                 "title": "属性模式（GDAL 据此确定字段类型）"},
                {"href": _url("ogc.tilesets", cid=c.id), "rel": "http://www.opengis.net/def/rel/ogc/1.0/tilesets-vector",
                 "type": "application/json", "title": "矢量瓦片"},
                {"href": _url("api." + c.id.replace("-", "_"), {"format": "gpkg"}), "rel": "enclosure",
                 "type": "application/geopackage+sqlite3", "title": "整个集合（GeoPackage）"},
            ]}


@bp.get("/collections")
def collections():
    with reading() as (conn, _, base):
        docs = [_collection_doc(c, conn, base) for c in registry.ogc_collections().values()]
    return _json({"collections": docs, "links": [
        {"href": _url("ogc.collections"), "rel": "self", "type": "application/json"}]})


@bp.get("/collections/<cid>")
def collection(cid: str):
    c = _collection_of(cid)
    with reading() as (conn, _, base):
        return _json(_collection_doc(c, conn, base))


def _schema(c, props, *, queryables: bool) -> dict:
    """JSON Schema of the features' properties (Part 3 queryables, or every property)."""
    out = {name: p.schema() for name, p in ((p.name, p) for p in props)}
    out["geometry"] = {"title": "几何（WGS-84）", "format": GEOMETRY_FORMAT[c.geometry_type],
                       **({} if queryables else {"x-ogc-role": "primary-geometry"})}
    endpoint = "ogc.queryables" if queryables else "ogc.schema"
    return {"$schema": "https://json-schema.org/draft/2020-12/schema", "$id": _url(endpoint, cid=c.id),
            "type": "object", "title": c.title, "properties": out, "additionalProperties": not queryables}


@bp.get("/collections/<cid>/queryables")
def queryables(cid: str):
    c = _collection_of(cid)
    return _json(_schema(c, c.queryables, queryables=True), SCHEMA)


@bp.get("/collections/<cid>/schema")
def schema(cid: str):
    c = _collection_of(cid)
    return _json(_schema(c, c.properties, queryables=False), SCHEMA)


def _now() -> str:
    return dt.datetime.now(dt.timezone.utc).isoformat(timespec="seconds").replace("+00:00", "Z")


@bp.get("/collections/<cid>/items")
def items(cid: str):
    c = _collection_of(cid)
    args = request.args.to_dict(flat=True)
    with reading() as (conn, run, base):
        sel, paging = arguments.ogc_selection(c, args, limits=settings().limits,
                                              extent=lambda: registry.extent(conn, c, base))
        page = registry.page(conn, c, sel, base, limit=paging.limit, offset=paging.offset, after=paging.after)
    from webmap.api import audit_large_page

    audit_large_page(c.id, page, sel, after=paging.after)
    links = [{"href": request.url, "rel": "self", "type": GEOJSON, "title": "本页"},
             {"href": _url("api." + c.id.replace("-", "_"), {**{k: v for k, v in args.items()
                                                                  if k not in ("limit", "offset", "after", "f", "crs")},
                                                               "format": "geojson"}), "rel": "alternate",
              "type": GEOJSON, "title": "整个选择（下载，同一筛选）"},
             {"href": _url("ogc.collection", cid=c.id), "rel": "collection", "type": "application/json",
              "title": c.title}]
    if page.next_cursor:
        nxt = {k: v for k, v in args.items() if k != "offset"}
        nxt.update(after=page.next_cursor, limit=paging.limit)
        links.append({"href": _url("ogc.items", nxt, cid=c.id), "rel": "next", "type": GEOJSON, "title": "下一页"})
    return Response(feature_collection(page, {
        "numberMatched": page.number_matched, "numberReturned": len(page.features), "timeStamp": _now(),
        **run.as_json(), "links": links}), mimetype=GEOJSON)


@bp.get("/collections/<cid>/items/<fid>")
def item(cid: str, fid: str):
    c = _collection_of(cid)
    with reading() as (conn, run, base):
        f = registry.feature(conn, c, registry.key_value(c, fid), base)
    if f is None:
        raise NotFound(f"要素 {cid}/{fid} 不存在")
    f["links"] = [{"href": _url("ogc.item", cid=c.id, fid=fid), "rel": "self", "type": GEOJSON},
                  {"href": _url("api." + c.id.replace("-", "_") + "_item", key=fid), "rel": "alternate",
                   "type": "application/json", "title": "/api/v1"},
                  {"href": _url("ogc.collection", cid=c.id), "rel": "collection", "type": "application/json"}]
    f["timeStamp"] = _now()
    return _json(f, GEOJSON)


@bp.get("/api")
def api():
    from webmap.openapi import ogc_document

    return _json(ogc_document(_url("ogc.landing")), OPENAPI)


# ---- OGC API – Tiles discovery (the tiles themselves: webmap.tiles, /tiles/{collection}/{z}/{x}/{y}.mvt) ----

@bp.get("/tileMatrixSets")
def tile_matrix_sets():
    from webmap.tiles import TMS_ID

    return _json({"tileMatrixSets": [{"id": TMS_ID, "title": "Web Mercator (EPSG:3857)", "links": [
        {"href": _url("ogc.tile_matrix_set", tms=TMS_ID), "rel": "self", "type": "application/json"}]}]})


@bp.get("/tileMatrixSets/<tms>")
def tile_matrix_set(tms: str):
    from webmap.tiles import TMS_ID, tile_matrix_set_doc

    if tms != TMS_ID:
        raise NotFound(f"瓦片矩阵集 {tms} 不存在（可用：{TMS_ID}）")
    return _json(tile_matrix_set_doc())


@bp.get("/collections/<cid>/tiles")
def tilesets(cid: str):
    from webmap.tiles import tileset_doc

    c = _collection_of(cid)
    return _json({"tilesets": [tileset_doc(c)], "links": [
        {"href": _url("ogc.tilesets", cid=cid), "rel": "self", "type": "application/json"}]})


@bp.get("/collections/<cid>/tiles/<tms>")
def tileset(cid: str, tms: str):
    from webmap.tiles import TMS_ID, tileset_doc

    c = _collection_of(cid)
    if tms != TMS_ID:
        raise NotFound(f"瓦片矩阵集 {tms} 不存在（可用：{TMS_ID}）")
    return _json(tileset_doc(c))

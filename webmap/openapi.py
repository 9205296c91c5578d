"""Both OpenAPI documents, generated from the collections registry.

* ``/api/v1/openapi.json`` — OpenAPI 3.1 of ``/api/v1``: per collection its filters, paging,
  downloads, the typed feature properties, and the item route.
* ``/ogc/api`` — OpenAPI 3.0 (``application/vnd.oai.openapi+json;version=3.0``) of ``/ogc``:
  per collection its items path with every queryable as a parameter (GDAL reads them).

Both declare the credentials the server accepts — Bearer API token, HTTP Basic (username +
API token, or password when configured), the login session cookie — and the 401/403 answers.
"""

from __future__ import annotations

from geo.postgis import collections as registry
from geo.postgis.collections.model import Collection, Property
from hazmap import __version__

_ERROR = {"type": "object", "required": ["error"], "properties": {"error": {
    "type": "object", "required": ["message"],
    "properties": {"field": {"description": "出错的参数或字段（可为空）"}, "message": {"type": "string"}}}}}
SECURITY_SCHEMES = {
    "bearerAuth": {"type": "http", "scheme": "bearer", "description": "API 令牌（hazmap user add 时显示一次）"},
    "basicAuth": {"type": "http", "scheme": "basic",
                  "description": "用户名 + API 令牌（QGIS、GDAL 3.6、OWSLib）；[auth] basic_password = true 时也可用密码"},
    "sessionCookie": {"type": "apiKey", "in": "cookie", "name": "hazmap_session", "description": "网页登录会话"},
}
SECURITY = [{"bearerAuth": []}, {"basicAuth": []}, {"sessionCookie": []}]


def _error(description: str) -> dict:
    return {"description": description, "content": {"application/json": {"schema": _ERROR}}}


ERRORS = {"400": _error("参数错误（error.field 指明参数）"), "401": _error("需要登录或 API 令牌"),
          "403": _error("当前角色无权访问"), "503": _error("数据库暂不可用")}


def _p(name: str, desc: str, schema: dict | None = None, where: str = "query", required: bool = False) -> dict:
    return {"name": name, "in": where, "required": required, "description": desc,
            "schema": schema or {"type": "string"}}


def _nullable(schema: dict, version: str) -> dict:
    if version == "3.0":
        return {**schema, "nullable": True}
    return {**schema, "type": [schema["type"], "null"]}


def _property_schema(p: Property, version: str) -> dict:
    out = {k: v for k, v in p.schema().items() if k != "title"}
    out["description"] = p.title + (f"：{p.description}" if p.description else "")
    if p.type == "array" and "items" not in out:
        out["items"] = {}
    return _nullable(out, version)


def feature_schema(c: Collection, version: str) -> dict:
    return {"type": "object", "required": ["type", "geometry", "properties"], "properties": {
        "type": {"type": "string", "enum": ["Feature"]},
        "id": {"type": "integer" if c.key_type == "integer" else "string"},
        "geometry": _nullable({"type": "object", "description": f"GeoJSON {c.geometry_type}（WGS-84）"}, version),
        "properties": {"type": "object",
                       "properties": {p.name: _property_schema(p, version) for p in c.properties}}}}


def collection_schema(c: Collection, version: str) -> dict:
    return {"type": "object", "required": ["type", "features"], "properties": {
        "type": {"type": "string", "enum": ["FeatureCollection"]},
        "features": {"type": "array", "items": feature_schema(c, version)},
        "numberMatched": {"type": "integer"}, "numberReturned": {"type": "integer"},
        "run_id": _nullable({"type": "integer"}, version), "data_as_of": _nullable({"type": "string"}, version),
        "links": {"type": "array", "items": {"type": "object"}}}}


def _filter_params(c: Collection) -> list[dict]:
    return [_p(f.name, f.description, f.schema()) for f in c.filters]


API_PAGING = [
    _p("bbox", "minlon,minlat,maxlon,maxlat（WGS-84；面积 ≤ max_bbox_area_deg2）"),
    _p("limit", "每页要素数（≤ max_features_per_response）", {"type": "integer", "minimum": 1}),
    _p("offset", "偏移（兼容；深页请用 next 链接的 after）", {"type": "integer", "minimum": 0}),
    _p("after", "上一页 next 链接中的游标（键集分页）"),
    _p("format", "geojson | csv | gpkg：以文件下载同一选择", {"type": "string", "enum": ["geojson", "csv", "gpkg"]}),
    _p("crs", "wgs84（默认）| gcj02（非标准，仅用于高德底图叠加）", {"type": "string", "enum": ["wgs84", "gcj02"]}),
    _p("labels", "en（默认）| zh：下载文件用中文列名", {"type": "string", "enum": ["en", "zh"]}),
    _p("filter", "CQL2-Text 过滤条件（与 /ogc 相同）"),
    _p("sortby", "排序：+属性,-属性"),
    _p("datetime", "RFC 3339 时间或区间，按当前运行的数据时间"),
]
_FILES = {"text/csv": {"schema": {"type": "string"}},
          "application/geopackage+sqlite3": {"schema": {"type": "string", "format": "binary"}}}


def _get(summary: str, params: list[dict], ok: dict, *, extra: dict | None = None, public: bool = False) -> dict:
    responses = {"200": ok, **({k: v for k, v in ERRORS.items() if k not in ("401", "403")} if public else ERRORS),
                 **(extra or {})}
    op = {"summary": summary, "parameters": params, "responses": responses}
    if public:
        op["security"] = []
    return {"get": op}


def _ok_json(description: str = "OK", schema: dict | None = None, media: str = "application/json") -> dict:
    return {"description": description, "content": {media: {"schema": schema or {"type": "object"}}}}


_NOT_FOUND = {"404": _error("不存在")}

SITING_BODY = {"type": "object", "required": ["location", "inventory"], "properties": {
    "location": {"type": "object", "required": ["lon", "lat"], "properties": {
        "lon": {"type": "number"}, "lat": {"type": "number"},
        "crs": {"type": "string", "enum": ["wgs84", "cgcs2000", "gcj02", "bd09"]}}},
    "inventory": {"type": "array", "minItems": 1, "items": {"type": "object", "properties": {
        "chemical": {"type": "string"}, "cas": {"type": "string"}, "quantity_t": {"type": "number"},
        "unit": {"type": "string", "enum": ["storage", "production"]}}}},
    "exposed_people": {"type": ["number", "null"]},
    "facility_type": {"type": "string"}}}


def document() -> dict:
    """OpenAPI 3.1 of ``/api/v1``."""
    paths: dict = {}
    for c in registry.registry().values():
        if not c.api:
            continue
        fc = collection_schema(c, "3.1")
        paths[f"/api/v1/{c.id}"] = _get(
            c.title, _filter_params(c) + API_PAGING,
            {"description": f"RFC 7946 FeatureCollection（WGS-84，{c.geometry_type}），或所请求格式的文件",
             "content": {"application/json": {"schema": fc}, "application/geo+json": {"schema": fc}, **_FILES}})
        key = {"type": "integer"} if c.key_type == "integer" else {"type": "string"}
        paths[f"/api/v1/{c.id}/{{key}}"] = _get(
            f"{c.item_label}：与列表相同的属性及明细", [_p("key", f"{c.item_label}编号", key, "path", True)],
            _ok_json(schema=feature_schema(c, "3.1")), extra=_NOT_FOUND)
    paging = [_p("limit", "条数", {"type": "integer", "minimum": 1}), _p("offset", "偏移", {"type": "integer", "minimum": 0})]
    paths.update({
        "/api/v1/stats": _get("统计：颜色×属地×部门×环节（当前运行）", [_p("town", "镇/街道名称或代码"), _p("department", "监管部门")],
                              _ok_json()),
        "/api/v1/runs": _get("ETL 与重算运行记录", paging, _ok_json()),
        "/api/v1/siting/feasible": _get("某类设施的可选址区域", [
            _p("facility_type", "设施类型（加油站、化工厂…）"),
            _p("major_grade", "重大危险源等级", {"type": "integer", "minimum": 1, "maximum": 4}),
            _p("hazard", "toxic | flammable | explosive", {"type": "string", "enum": ["toxic", "flammable", "explosive"]})],
            _ok_json()),
        "/api/v1/siting/check": {"post": {
            "summary": "选址核查", "requestBody": {"required": True, "content": {"application/json": {"schema": SITING_BODY}}},
            "responses": {"200": _ok_json("核查结果"), **ERRORS, "413": _error("请求体过大"),
                          "429": _error("过于频繁（siting_checks_per_minute）")}}},
        "/api/v1/openapi.json": _get("本文档", [], _ok_json(), public=True),
    })
    from webmap.waste import openapi_paths as _waste_paths  # hazardous waste (issue 16)

    _patch, _more = _waste_paths(_ok_json, _get, _p, ERRORS, _NOT_FOUND)
    paths.setdefault("/api/v1/waste-manifests/{key}", {}).update(_patch)
    paths.update(_more)
    return {
        "openapi": "3.1.0",
        "info": {"title": "hazmap API — 危险化学品全流程监管风险地图", "version": __version__,
                 "description": "GeoJSON 均为 RFC 7946（WGS-84 经纬度）。错误：{\"error\": {\"field\", \"message\"}}。"
                                "认证：Bearer API 令牌、HTTP Basic（用户名 + API 令牌）或网页登录会话。"},
        "servers": [{"url": "/"}],
        "security": SECURITY,
        "components": {"securitySchemes": SECURITY_SCHEMES},
        "paths": paths,
    }


OGC_PAGING = [
    _p("bbox", "minx,miny,maxx,maxy 或 6 个数（CRS84）；过大时与数据范围取交",
       {"type": "array", "items": {"type": "number"}, "minItems": 4, "maxItems": 6}),
    _p("limit", "每页要素数（超过上限时按上限返回）", {"type": "integer", "minimum": 1, "default": 100}),
    _p("offset", "偏移（兼容；深页请跟随 next 链接）", {"type": "integer", "minimum": 0}),
    _p("after", "键集分页游标（来自 next 链接）"),
    _p("datetime", "RFC 3339 时间或区间（a/b、../b、a/..），按当前运行的数据时间"),
    _p("filter", "CQL2-Text 过滤条件（比较、AND/OR/NOT、LIKE、BETWEEN、IN、S_INTERSECTS 等）"),
    _p("filter-lang", "cql2-text", {"type": "string", "enum": ["cql2-text"]}),
    _p("filter-crs", "CRS84", {"type": "string", "enum": ["http://www.opengis.net/def/crs/OGC/1.3/CRS84"]}),
    _p("bbox-crs", "CRS84", {"type": "string", "enum": ["http://www.opengis.net/def/crs/OGC/1.3/CRS84"]}),
    _p("sortby", "排序：+属性,-属性"),
]


def _ogc_query_param(p: Property) -> dict:
    schema = {k: v for k, v in p.schema().items() if k not in ("title", "description")}
    if p.type == "array":
        schema = {k: v for k, v in (p.schema().get("items") or {"type": "string"}).items()}
    return _p(p.name, f"{p.title} = 值", schema)


def ogc_document(server_url: str = "/ogc") -> dict:
    """OpenAPI 3.0 of ``/ogc`` (paths relative to ``server_url``, the landing page)."""
    ok = _ok_json()
    paths: dict = {
        "/": _get("Landing page", [], ok),
        "/conformance": _get("Conformance", [], ok),
        "/api": _get("This document", [], _ok_json(media="application/vnd.oai.openapi+json;version=3.0")),
        "/collections": _get("Collections", [], ok),
        "/tileMatrixSets": _get("Tile matrix sets", [], ok),
        "/tileMatrixSets/{tileMatrixSetId}": _get("Tile matrix set", [
            _p("tileMatrixSetId", "WebMercatorQuad", {"type": "string"}, "path", True)], ok, extra=_NOT_FOUND),
    }
    for c in registry.ogc_collections().values():
        named = {f.name for f in c.filters}
        params = OGC_PAGING + _filter_params(c) + [_ogc_query_param(p) for p in c.queryables if p.name not in named]
        fc = collection_schema(c, "3.0")
        base = f"/collections/{c.id}"
        paths[base] = _get(c.title, [], ok, extra=_NOT_FOUND)
        paths[f"{base}/items"] = _get(f"{c.title}：要素", params, _ok_json("GeoJSON", fc, "application/geo+json"),
                                      extra=_NOT_FOUND)
        key = {"type": "integer"} if c.key_type == "integer" else {"type": "string"}
        paths[f"{base}/items/{{featureId}}"] = _get(
            f"{c.title}：单个要素", [_p("featureId", "要素编号", key, "path", True)],
            _ok_json("GeoJSON", feature_schema(c, "3.0"), "application/geo+json"), extra=_NOT_FOUND)
        paths[f"{base}/queryables"] = _get("可查询属性（JSON Schema）", [], _ok_json(media="application/schema+json"))
        paths[f"{base}/schema"] = _get("属性模式（JSON Schema）", [], _ok_json(media="application/schema+json"))
        paths[f"{base}/tiles"] = _get("矢量瓦片集", [], ok)
        paths[f"{base}/tiles/{{tileMatrixSetId}}"] = _get("矢量瓦片集（WebMercatorQuad）", [
            _p("tileMatrixSetId", "WebMercatorQuad", {"type": "string"}, "path", True)], ok, extra=_NOT_FOUND)
    return {"openapi": "3.0.3",
            "info": {"title": "hazmap OGC API – Features", "version": __version__,
                     "description": "OGC API – Features Part 1 + Part 3（可查询属性、CQL2-Text）；矢量瓦片见 /tiles。"
                                    "访问规则与数据相同：Bearer API 令牌或 HTTP Basic（用户名 + API 令牌）。"},
            "servers": [{"url": server_url}],
            "security": SECURITY,
            "components": {"securitySchemes": SECURITY_SCHEMES},
            "paths": paths}

"""The OpenAPI 3 document of ``/api/v1`` (served at ``/api/v1/openapi.json``)."""

from __future__ import annotations

from hazmap import __version__

_ERROR = {"type": "object", "required": ["error"], "properties": {"error": {
    "type": "object", "required": ["message"],
    "properties": {"field": {"type": ["string", "null"]}, "message": {"type": "string"}}}}}
_FC = {"type": "object", "required": ["type", "features"], "properties": {
    "type": {"const": "FeatureCollection"}, "features": {"type": "array", "items": {"type": "object"}},
    "numberMatched": {"type": "integer"}, "numberReturned": {"type": "integer"},
    "run_id": {"type": ["integer", "null"]}, "data_as_of": {"type": ["string", "null"]},
    "crs_note": {"type": "string"}}}


def _p(name: str, desc: str, schema: dict | None = None, where: str = "query", required: bool = False) -> dict:
    return {"name": name, "in": where, "required": required, "description": desc,
            "schema": schema or {"type": "string"}}


PAGING = [_p("bbox", "minlon,minlat,maxlon,maxlat (WGS-84)"),
          _p("limit", "每页要素数（≤ max_features_per_response）", {"type": "integer", "minimum": 1}),
          _p("offset", "偏移", {"type": "integer", "minimum": 0}),
          _p("format", "geojson | csv | gpkg：以文件下载同一选择", {"type": "string", "enum": ["geojson", "csv", "gpkg"]}),
          _p("crs", "wgs84（默认）| gcj02（非标准，仅用于高德底图叠加）", {"type": "string", "enum": ["wgs84", "gcj02"]})]
RISK = _p("risk", "red,orange,yellow,blue 的逗号列表")
TOWN = _p("town", "镇/街道名称或代码")


def _collection(summary: str, params: list[dict]) -> dict:
    return {"get": {"summary": summary, "parameters": params + PAGING, "responses": {
        "200": {"description": "RFC 7946 FeatureCollection (WGS-84)，或所请求格式的文件",
                "content": {"application/json": {"schema": _FC}, "application/geo+json": {"schema": _FC},
                            "text/csv": {"schema": {"type": "string"}},
                            "application/geopackage+sqlite3": {"schema": {"type": "string", "format": "binary"}}}},
        "400": {"description": "参数错误", "content": {"application/json": {"schema": _ERROR}}},
        "503": {"description": "数据库暂不可用或查询超时", "content": {"application/json": {"schema": _ERROR}}}}}}


def _json(summary: str, params: list[dict], extra: dict | None = None) -> dict:
    responses = {"200": {"description": "OK", "content": {"application/json": {"schema": {"type": "object"}}}},
                 "400": {"description": "参数错误", "content": {"application/json": {"schema": _ERROR}}}}
    responses.update(extra or {})
    return {"get": {"summary": summary, "parameters": params, "responses": responses}}


_NOT_FOUND = {"404": {"description": "不存在", "content": {"application/json": {"schema": _ERROR}}}}

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
    return {
        "openapi": "3.1.0",
        "info": {"title": "hazmap API — 危险化学品全流程监管风险地图", "version": __version__,
                 "description": "GeoJSON 均为 RFC 7946（WGS-84 经纬度）。错误：400 {\"error\": {\"field\", \"message\"}}。"},
        "servers": [{"url": "/"}],
        "paths": {
            "/api/v1/enterprises": _collection("涉危企业（四色分级）", [
                RISK, TOWN, _p("stage", "环节（中文或英文）"), _p("department", "监管部门"), _p("q", "名称关键字")]),
            "/api/v1/enterprises/{id}": _json("企业详情：危险单元、库存、冲突",
                                              [_p("id", "企业 id", {"type": "integer"}, "path", True)], _NOT_FOUND),
            "/api/v1/hazard-units": _collection("危险单元与重大危险源", [
                _p("grade", "重大危险源等级 1–4", {"type": "integer", "minimum": 1, "maximum": 4}), TOWN]),
            "/api/v1/targets": _collection("防护目标", [_p("category", "类别（school、hospital、residential…）")]),
            "/api/v1/targets/{id}": _json("防护目标及覆盖它的危险源",
                                          [_p("id", "目标 id", {"type": "integer"}, "path", True)], _NOT_FOUND),
            "/api/v1/conflicts": _collection("距离冲突（危险源→防护目标）", [RISK, TOWN, _p("category", "防护目标类别")]),
            "/api/v1/areas": _collection("区域风险（镇街/网格）", [
                _p("level", "town | grid", {"type": "string", "enum": ["town", "grid"]})]),
            "/api/v1/pipelines": _collection("长输管道与高后果区", []),
            "/api/v1/boundaries": _json("区界与镇街边界", []),
            "/api/v1/stats": _json("统计：颜色×属地×部门×环节", [TOWN, _p("department", "监管部门")]),
            "/api/v1/runs": _json("ETL 与重算运行记录", [
                _p("limit", "条数", {"type": "integer", "minimum": 1}), _p("offset", "偏移", {"type": "integer", "minimum": 0})]),
            "/api/v1/siting/feasible": _json("某类设施的可选址区域", [
                _p("facility_type", "设施类型（加油站、化工厂…）"),
                _p("major_grade", "重大危险源等级", {"type": "integer", "minimum": 1, "maximum": 4}),
                _p("hazard", "toxic | flammable | explosive", {"type": "string", "enum": ["toxic", "flammable", "explosive"]})]),
            "/api/v1/siting/check": {"post": {
                "summary": "选址核查", "requestBody": {"required": True, "content": {"application/json": {"schema": SITING_BODY}}},
                "responses": {"200": {"description": "核查结果", "content": {"application/json": {"schema": {"type": "object"}}}},
                              "400": {"description": "输入错误", "content": {"application/json": {"schema": _ERROR}}}}}},
        },
    }


def ogc_document() -> dict:
    """OpenAPI 3 description of the OGC API – Features endpoints under ``/ogc``."""
    ok = {"200": {"description": "OK", "content": {"application/json": {"schema": {"type": "object"}}}}}
    fc = {"200": {"description": "GeoJSON", "content": {"application/geo+json": {"schema": _FC}}},
          "400": {"description": "参数错误", "content": {"application/json": {"schema": _ERROR}}},
          "404": {"description": "不存在", "content": {"application/json": {"schema": _ERROR}}}}
    cid = _p("collectionId", "集合", {"type": "string"}, "path", True)
    return {"openapi": "3.0.3",
            "info": {"title": "hazmap OGC API – Features", "version": __version__},
            "paths": {
                "/ogc": {"get": {"summary": "Landing page", "responses": ok}},
                "/ogc/conformance": {"get": {"summary": "Conformance", "responses": ok}},
                "/ogc/collections": {"get": {"summary": "Collections", "responses": ok}},
                "/ogc/collections/{collectionId}": {"get": {"summary": "Collection", "parameters": [cid], "responses": ok}},
                "/ogc/collections/{collectionId}/items": {"get": {"summary": "Features", "parameters": [
                    cid, _p("bbox", "minlon,minlat,maxlon,maxlat", {"type": "string"}),
                    _p("limit", "条数", {"type": "integer", "minimum": 1}),
                    _p("offset", "偏移", {"type": "integer", "minimum": 0})], "responses": fc}},
                "/ogc/collections/{collectionId}/items/{featureId}": {"get": {"summary": "Feature", "parameters": [
                    cid, _p("featureId", "要素 id", {"type": "integer"}, "path", True)], "responses": fc}},
            }}

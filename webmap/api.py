"""``/api/v1``: the JSON API (contract in the design notes), generated from the collections registry.

Every registered collection answers ``GET /api/v1/<id>`` (a page: RFC 7946 FeatureCollection
with the true ``numberMatched`` and a keyset ``next`` link) and ``GET /api/v1/<id>/<key>`` (one
Feature with the list's properties plus its detail lists), and ``format=geojson|csv|gpkg``
(the whole selection as a download, streamed) with ``crs=gcj02`` (non-standard output for
Amap-based tools, labelled) and ``labels=zh`` (Chinese column titles).  Each response reads
one snapshot, so its run id and its data belong to one run.
"""

from __future__ import annotations

import os
import tempfile
from contextlib import ExitStack
from functools import partial
from urllib.parse import urlencode

from flask import Blueprint, Response, g, jsonify, request, stream_with_context

from geo import params
from geo.errors import InvalidInput, LimitExceeded, NotFound
from geo.postgis import collections as registry
from geo.postgis.collections import arguments
from hazmap import export
from webmap.db import connect, domain, settings
from webmap.reading import feature_collection, reading

bp = Blueprint("api", __name__, url_prefix="/api/v1")


def json_text(text: str, status: int = 200, mimetype: str = "application/json") -> Response:
    return Response(text, status=status, mimetype=mimetype)


def _args() -> dict:
    return request.args.to_dict(flat=True)


def _list(cid: str):
    c = registry.get(cid)
    if request.args.get("format") or request.args.get("crs") or request.args.get("labels"):
        return download(c, _args())
    sel, paging = arguments.api_selection(c, _args(), limits=settings().limits)
    with reading() as (conn, run, base):
        page = registry.page(conn, c, sel, base, limit=paging.limit, offset=paging.offset, after=paging.after)
    audit_large_page(c.id, page, sel, after=paging.after)
    links = []
    if page.next_cursor:
        args = {k: v for k, v in _args().items() if k != "offset"}
        links.append({"rel": "next", "type": "application/geo+json", "title": "下一页",
                      "href": request.base_url + "?" + urlencode({**args, "after": page.next_cursor,
                                                                   "limit": paging.limit})})
    return json_text(feature_collection(page, {
        "numberMatched": page.number_matched, "numberReturned": len(page.features), "limit": page.limit,
        "offset": page.offset, **run.as_json(), "crs_note": registry.CRS_NOTE, "links": links}))


def _item(cid: str, key: str):
    c = registry.get(cid)
    with reading() as (conn, _, base):
        f = registry.feature(conn, c, registry.key_value(c, key), base)
    if f is None:
        raise NotFound(f"{c.item_label} {key} 不存在")
    return jsonify({**f, "crs_note": registry.CRS_NOTE})


def download(c, args: dict) -> Response:
    """The whole selection as a file (GeoJSON, CSV, GeoPackage), streamed from one snapshot."""
    fmt = args.get("format") or "geojson"
    out_crs = args.get("crs") or "wgs84"
    labels = args.get("labels") or "en"
    export.check(c.id, fmt, out_crs, labels)
    sel, _ = arguments.api_selection(c, {k: v for k, v in args.items() if k not in ("limit", "offset")},
                                     limits=settings().limits)
    limit = params.integer(args.get("limit"), "limit", default=0, minimum=1) if args.get("limit") else None
    offset = params.integer(args.get("offset"), "offset", default=0, maximum=arguments.MAX_OFFSET)
    from webmap.auth import record

    record("export", {"layer": c.id, "format": fmt, "crs": out_crs, "labels": labels,
                      "filters": {k: v for k, v in sel.filters.items() if v is not None}, "limit": args.get("limit")})
    name = export.file_name(c.id, fmt, out_crs)
    stack = ExitStack()  # the snapshot stays open while the body streams, and is closed at the end
    conn = stack.enter_context(connect())
    try:
        ex = export.prepare(conn, c, sel, vocabulary=domain().vocabulary,
                            max_features=settings().limits.max_export_features,
                            limit=limit, offset=offset, out_crs=out_crs, labels=labels)
        if fmt == "gpkg":
            with stack:
                return _gpkg_response(conn, ex, name)
    except BaseException:
        stack.close()
        raise

    def generate():
        with stack:
            yield from (export.csv_chunks if fmt == "csv" else export.geojson_chunks)(conn, ex)

    content_type = "text/csv; charset=utf-8" if fmt == "csv" else "application/geo+json"
    resp = Response(stream_with_context(generate()), content_type=content_type,
                    headers={"Content-Disposition": f"attachment; filename={name}"})
    resp.call_on_close(stack.close)  # also when the body is never read
    return resp


def _gpkg_response(conn, ex, name: str) -> Response:
    fd, path = tempfile.mkstemp(suffix=".gpkg")
    os.close(fd)
    os.unlink(path)  # GDAL creates the file
    try:
        export.write_gpkg(conn, ex, path)
    except BaseException:
        if os.path.exists(path):
            os.unlink(path)
        raise

    def stream_file():  # the file is opened only when the body is read, and always removed
        try:
            with open(path, "rb") as f:
                while chunk := f.read(1 << 16):
                    yield chunk
        finally:
            if os.path.exists(path):
                os.unlink(path)

    resp = Response(stream_file(), mimetype="application/geopackage+sqlite3",
                    headers={"Content-Disposition": f"attachment; filename={name}"})
    resp.call_on_close(lambda: os.path.exists(path) and os.unlink(path))
    return resp


def _register_collections() -> None:
    for c in registry.registry().values():
        if c.api:
            endpoint = c.id.replace("-", "_")
            bp.add_url_rule(f"/{c.id}", endpoint=endpoint, view_func=partial(_list, c.id))
            bp.add_url_rule(f"/{c.id}/<key>", endpoint=f"{endpoint}_item", view_func=partial(_item, c.id))


_register_collections()


@bp.get("/openapi.json")
def openapi():
    from webmap.openapi import document

    return jsonify(document())


@bp.get("/stats")
def stats():
    a = request.args
    with reading() as (conn, run, _):
        return jsonify(registry.stats(conn, run, vocabulary=domain().vocabulary,
                                      town=params.text(a.get("town"), "town"),
                                      department=params.text(a.get("department"), "department")))


@bp.get("/runs")
def runs():
    lim = settings().limits
    limit = params.integer(request.args.get("limit"), "limit", default=min(50, lim.max_features_per_response),
                           minimum=1, maximum=lim.max_features_per_response, limit_name="max_features_per_response")
    offset = params.integer(request.args.get("offset"), "offset", default=0, maximum=arguments.MAX_OFFSET)
    operator = (getattr(g, "user", None) or {}).get("role") == "operator"
    with reading() as (conn, _, _base):
        return jsonify(registry.runs(conn, limit=limit, offset=offset, operator=operator))


def audit_large_page(layer: str, page, sel, *, after: str | None = None) -> None:
    """A page of at least ``audit_list_features`` features, or one continuing a listing (``offset`` > 0
    or a keyset ``after``), goes to the audit log: paging through a whole collection leaves a trace."""
    if len(page.features) >= settings().limits.audit_list_features or page.offset or after:
        from webmap.auth import record

        record("list_page", {"layer": layer, "filters": {k: v for k, v in sel.filters.items() if v is not None},
                             "limit": page.limit, "offset": page.offset, "after": bool(after),
                             "returned": len(page.features), "matched": page.number_matched})


@bp.post("/siting/check")
def siting_check():
    """The siting check; ``?format=pdf`` answers the 选址初筛意见 PDF of the same check."""
    from webmap.siting import pdf_response, rate_limit_siting, request_payload, run_check

    fmt = request.args.get("format") or "json"
    if fmt not in ("json", "pdf"):
        raise InvalidInput("format", f"format 应为 json 或 pdf，实际“{fmt[:20]}”")
    rate_limit_siting("check")
    payload = request_payload()
    result = run_check(payload, via="api", fmt=fmt)
    if fmt == "pdf":
        return pdf_response(result, payload)
    return jsonify({**result, "crs_note": registry.CRS_NOTE})


@bp.get("/siting/feasible")
def siting_feasible():
    from geo.postgis.siting import feasible_zone

    from webmap.siting import rate_limit_siting

    rate_limit_siting("feasible")
    a = request.args
    grade = a.get("major_grade")
    with connect() as conn:
        return jsonify({**feasible_zone(
            conn, facility_type=params.text(a.get("facility_type"), "facility_type"),
            major_grade=params.integer(grade, "major_grade", default=0, minimum=1, maximum=4) if grade else None,
            hazard=params.text(a.get("hazard"), "hazard"), domain=domain()), "crs_note": registry.CRS_NOTE})

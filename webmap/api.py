"""``/api/v1``: the JSON API (contract in the design notes). Views parse, call, return.

Every collection also answers ``format=geojson|csv|gpkg`` (a file download of the same
selection, streamed) and ``crs=gcj02`` (non-standard output for Amap-based tools, labelled).
"""

from __future__ import annotations

import math
import os
import tempfile
import threading
import time

from flask import Blueprint, Response, g, jsonify, request, stream_with_context

from geo import params
from geo.errors import InvalidInput, LimitExceeded, NotFound
from geo.postgis import collections as queries
from hazmap import export
from webmap.db import connect, domain, settings

bp = Blueprint("api", __name__, url_prefix="/api/v1")


# PostgreSQL's OFFSET is a bigint; anything larger is bad input (400), never a database error (500)
MAX_OFFSET = 2**31 - 1


def _page(default: int = 100) -> dict:
    lim = settings().limits
    return {"limit": params.integer(request.args.get("limit"), "limit",
                                    default=min(default, lim.max_features_per_response), minimum=1,
                                    maximum=lim.max_features_per_response,
                                    limit_name="max_features_per_response"),
            "offset": params.integer(request.args.get("offset"), "offset", default=0, maximum=MAX_OFFSET)}


def _feature(f: dict) -> dict:
    """One Feature as returned by the API: states its CRS like the collections do."""
    return {**f, "crs_note": queries.CRS_NOTE}


def _bbox():
    return params.bbox(request.args.get("bbox"), max_area_deg2=settings().limits.max_bbox_area_deg2)


def _collection(layer: str, filters: dict, *, default_limit: int = 100):
    """A page of GeoJSON, or — with ``format``/``crs`` — the whole selection as a download."""
    fmt = request.args.get("format")
    out_crs = request.args.get("crs", "wgs84")
    if not fmt and out_crs == "wgs84":
        with connect() as conn:
            fc = export.LAYERS[layer](conn, **filters, **_page(default=default_limit), vocabulary=domain().vocabulary)
        audit_large_page(layer, fc, filters)
        return jsonify(fc)
    fmt = fmt or "geojson"
    export.check(layer, fmt, out_crs)
    from webmap.auth import record

    record("export", {"layer": layer, "format": fmt, "crs": out_crs,
                      "filters": {k: v for k, v in filters.items() if v is not None}, "limit": request.args.get("limit")})
    lim = request.args.get("limit")
    limit = params.integer(lim, "limit", default=0, minimum=1) if lim else None
    offset = params.integer(request.args.get("offset"), "offset", default=0, maximum=MAX_OFFSET)
    max_features = settings().limits.max_export_features
    name = f"hazmap-{layer}{'-gcj02' if out_crs == 'gcj02' else ''}"
    if fmt == "gpkg":
        fd, path = tempfile.mkstemp(suffix=".gpkg")
        os.close(fd)
        os.unlink(path)
        try:
            with connect() as conn:
                meta, feats = export.features(conn, layer, filters, vocabulary=domain().vocabulary, max_features=max_features,
                                              limit=limit, offset=offset)
                export.write_gpkg(path, layer, meta, feats, out_crs=out_crs)
        except Exception:
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
                        headers={"Content-Disposition": f"attachment; filename={name}.gpkg"})
        resp.call_on_close(lambda: os.path.exists(path) and os.unlink(path))
        return resp
    # check the size limit before streaming starts, so an error is a clean 400
    with connect() as conn:
        export.features(conn, layer, filters, vocabulary=domain().vocabulary, max_features=max_features, limit=limit, offset=offset)

    def generate():
        with connect() as conn:
            meta, feats = export.features(conn, layer, filters, vocabulary=domain().vocabulary, max_features=max_features,
                                          limit=limit, offset=offset)
            chunks = export.csv_chunks if fmt == "csv" else export.geojson_chunks
            yield from chunks(meta, feats, out_crs=out_crs)

    # content_type, not mimetype: Flask would append a second charset to text/csv
    content_type = "text/csv; charset=utf-8" if fmt == "csv" else "application/geo+json"
    headers = {"Content-Disposition": f"attachment; filename={name}.{'csv' if fmt == 'csv' else 'geojson'}"}
    return Response(stream_with_context(generate()), content_type=content_type, headers=headers)


@bp.get("/openapi.json")
def openapi():
    from webmap.openapi import document

    return jsonify(document())


@bp.get("/enterprises")
def enterprises():
    a = request.args
    return _collection("enterprises", {
        "risk": params.colours(a.get("risk")), "town": params.text(a.get("town"), "town"),
        "stage": params.text(a.get("stage"), "stage"), "department": params.text(a.get("department"), "department"),
        "q": params.text(a.get("q"), "q"), "bbox": _bbox()})


@bp.get("/enterprises/<int:eid>")
def enterprise(eid: int):
    with connect() as conn:
        f = queries.enterprise(conn, eid, vocabulary=domain().vocabulary)
    if f is None:
        raise NotFound(f"企业 {eid} 不存在")
    return jsonify(_feature(f))


@bp.get("/hazard-units")
def hazard_units():
    g = request.args.get("grade")
    return _collection("hazard-units", {
        "grade": params.integer(g, "grade", default=0, minimum=1, maximum=4) if g else None,
        "town": params.text(request.args.get("town"), "town"), "bbox": _bbox()})


@bp.get("/targets")
def targets():
    return _collection("targets", {"category": params.text(request.args.get("category"), "category"),
                                   "bbox": _bbox()})


@bp.get("/targets/<int:tid>")
def target(tid: int):
    with connect() as conn:
        f = queries.target(conn, tid)
    if f is None:
        raise NotFound(f"防护目标 {tid} 不存在")
    return jsonify(_feature(f))


@bp.get("/conflicts")
def conflicts():
    a = request.args
    return _collection("conflicts", {"risk": params.colours(a.get("risk")), "town": params.text(a.get("town"), "town"),
                                     "category": params.text(a.get("category"), "category"), "bbox": _bbox()})


@bp.get("/areas")
def areas():
    level = request.args.get("level", "town")
    if level not in ("town", "grid"):
        raise InvalidInput("level", "level 应为 town 或 grid")
    return _collection("areas", {"level": level, "bbox": _bbox()}, default_limit=1000)


@bp.get("/boundaries")
def boundaries():
    with connect() as conn:
        return jsonify({**queries.boundaries(conn), "crs_note": queries.CRS_NOTE})


@bp.get("/pipelines")
def pipelines():
    return _collection("pipelines", {"bbox": _bbox()})


@bp.get("/stats")
def stats():
    a = request.args
    with connect() as conn:
        return jsonify(queries.stats(conn, vocabulary=domain().vocabulary, town=params.text(a.get("town"), "town"),
                                     department=params.text(a.get("department"), "department")))


@bp.get("/runs")
def runs():
    operator = (getattr(g, "user", None) or {}).get("role") == "operator"
    with connect() as conn:
        return jsonify(queries.runs(conn, **_page(default=50), operator=operator))


def audit_large_page(layer: str, fc: dict, filters: dict) -> None:
    """A page of at least ``audit_list_features`` features, or one continuing a listing
    (``offset`` > 0), goes to the audit log: paging through a whole collection leaves a trace."""
    if fc["numberReturned"] >= settings().limits.audit_list_features or fc.get("offset"):
        from webmap.auth import record

        record("list_page", {"layer": layer, "filters": {k: v for k, v in filters.items() if v is not None},
                             "limit": fc.get("limit"), "offset": fc.get("offset"),
                             "returned": fc["numberReturned"], "matched": fc["numberMatched"]})


_siting_calls: dict[tuple[str, str], list[float]] = {}  # (caller, what) → times of their calls in the last minute
_siting_lock = threading.Lock()


def _rate_limit_siting(what: str) -> None:
    """``siting_checks_per_minute`` per user (or per address) and kind of call, in this process → 429."""
    per_minute = settings().limits.siting_checks_per_minute
    who = ((getattr(g, "user", None) or {}).get("name") or request.remote_addr or "?", what)
    now = time.monotonic()
    with _siting_lock:
        calls = [t for t in _siting_calls.get(who, []) if now - t < 60.0]
        if len(calls) >= per_minute:
            _siting_calls[who] = calls
            retry = max(1, math.ceil(60.0 - (now - calls[0])))  # when the oldest call leaves the minute
            raise LimitExceeded("siting_checks_per_minute",
                                f"选址核查过于频繁：每分钟最多 {per_minute} 次（siting_checks_per_minute），"
                                f"请 {retry} 秒后再试", 429, retry_after_s=retry)
        calls.append(now)
        _siting_calls[who] = calls


@bp.post("/siting/check")
def siting_check():
    from geo.postgis.siting import check_site

    _rate_limit_siting("check")
    payload = request.get_json(silent=True)
    if payload is None:
        raise InvalidInput("body", "请求体应为 JSON（Content-Type: application/json）")
    if not isinstance(payload, dict):
        raise InvalidInput("body", "请求体应为 JSON 对象（含 location 与 inventory）")
    with connect() as conn:
        result = check_site(conn, payload, domain())
    from webmap.auth import record

    record("siting_check", {"via": "api", "location": result["location"], "facility_type": payload.get("facility_type"),
                            "verdict": result["verdict"]["decision"], "risk_color": result["risk_color"]})
    return jsonify({**result, "crs_note": queries.CRS_NOTE})


@bp.get("/siting/feasible")
def siting_feasible():
    from geo.postgis.siting import feasible_zone

    _rate_limit_siting("feasible")
    a = request.args
    g = a.get("major_grade")
    with connect() as conn:
        return jsonify(_feature(feasible_zone(
            conn, facility_type=params.text(a.get("facility_type"), "facility_type"),
            major_grade=params.integer(g, "major_grade", default=0, minimum=1, maximum=4) if g else None,
            hazard=params.text(a.get("hazard"), "hazard"), domain=domain())))

"""``/api/v1``: the JSON API (contract in the design notes). Views parse, call, return."""

from __future__ import annotations

from flask import Blueprint, jsonify, request

from geo.errors import InvalidInput, NotFound
from webmap import params, queries
from webmap.db import connect, settings

bp = Blueprint("api", __name__, url_prefix="/api/v1")


def _page(default: int = 100) -> dict:
    lim = settings().limits
    return {"limit": params.integer(request.args.get("limit"), "limit", default=default, minimum=1,
                                    maximum=lim.max_features_per_response,
                                    limit_name="max_features_per_response"),
            "offset": params.integer(request.args.get("offset"), "offset", default=0)}


def _bbox():
    return params.bbox(request.args.get("bbox"), max_area_deg2=settings().limits.max_bbox_area_deg2)


@bp.get("/enterprises")
def enterprises():
    a = request.args
    with connect() as conn:
        return jsonify(queries.enterprises(
            conn, risk=params.colours(a.get("risk")), town=params.text(a.get("town"), "town"),
            stage=params.text(a.get("stage"), "stage"), department=params.text(a.get("department"), "department"),
            q=params.text(a.get("q"), "q"), bbox=_bbox(), **_page()))


@bp.get("/enterprises/<int:eid>")
def enterprise(eid: int):
    with connect() as conn:
        f = queries.enterprise(conn, eid)
    if f is None:
        raise NotFound(f"企业 {eid} 不存在")
    return jsonify(f)


@bp.get("/hazard-units")
def hazard_units():
    g = request.args.get("grade")
    grade = params.integer(g, "grade", default=0, minimum=1, maximum=4) if g else None
    with connect() as conn:
        return jsonify(queries.hazard_units(conn, grade=grade, town=params.text(request.args.get("town"), "town"),
                                            bbox=_bbox(), **_page()))


@bp.get("/targets")
def targets():
    with connect() as conn:
        return jsonify(queries.targets(conn, category=params.text(request.args.get("category"), "category"),
                                       bbox=_bbox(), **_page()))


@bp.get("/targets/<int:tid>")
def target(tid: int):
    with connect() as conn:
        f = queries.target(conn, tid)
    if f is None:
        raise NotFound(f"防护目标 {tid} 不存在")
    return jsonify(f)


@bp.get("/conflicts")
def conflicts():
    a = request.args
    with connect() as conn:
        return jsonify(queries.conflicts(conn, risk=params.colours(a.get("risk")), town=params.text(a.get("town"), "town"),
                                         category=params.text(a.get("category"), "category"), bbox=_bbox(), **_page()))


@bp.get("/areas")
def areas():
    level = request.args.get("level", "town")
    if level not in ("town", "grid"):
        raise InvalidInput("level", "level 应为 town 或 grid")
    with connect() as conn:
        return jsonify(queries.areas(conn, level=level, bbox=_bbox(), **_page(default=1000)))


@bp.get("/boundaries")
def boundaries():
    with connect() as conn:
        return jsonify(queries.boundaries(conn))


@bp.get("/pipelines")
def pipelines():
    with connect() as conn:
        return jsonify(queries.pipelines(conn, bbox=_bbox(), **_page()))


@bp.get("/stats")
def stats():
    a = request.args
    with connect() as conn:
        return jsonify(queries.stats(conn, town=params.text(a.get("town"), "town"),
                                     department=params.text(a.get("department"), "department")))


@bp.get("/runs")
def runs():
    with connect() as conn:
        return jsonify(queries.runs(conn, **_page(default=50)))


@bp.post("/siting/check")
def siting_check():
    from geo.postgis.siting import check_site

    payload = request.get_json(silent=True)
    if payload is None:
        raise InvalidInput("body", "请求体应为 JSON（Content-Type: application/json）")
    with connect() as conn:
        return jsonify(check_site(conn, payload, settings()))


@bp.get("/siting/feasible")
def siting_feasible():
    from geo.postgis.siting import feasible_zone

    a = request.args
    g = a.get("major_grade")
    with connect() as conn:
        return jsonify(feasible_zone(
            conn, facility_type=params.text(a.get("facility_type"), "facility_type"),
            major_grade=params.integer(g, "major_grade", default=0, minimum=1, maximum=4) if g else None,
            hazard=params.text(a.get("hazard"), "hazard"), settings=settings()))

"""``GET /api/v1/enterprises/<id>/consequence``: the consequence tier of one enterprise for its file
(一企一档) — scenarios with every input and its source, threat zones, IR contours, GB 36894 checks
and the F–N points with the societal-risk lines (drawn by ``static/enterprise_consequence.js``
with the vendored Chart.js).  The data come from :func:`geo.postgis.consequence.enterprise_file`."""

from __future__ import annotations

from flask import Blueprint, jsonify

from geo.errors import NotFound
from geo.postgis.consequence import enterprise_file
from webmap.db import domain
from webmap.reading import reading

bp = Blueprint("consequence", __name__, url_prefix="/api/v1")


@bp.get("/enterprises/<int:enterprise_id>/consequence")
def enterprise_consequence(enterprise_id: int):
    with reading() as (conn, run, _):
        data = enterprise_file(conn, run.run_id, enterprise_id, domain().consequence)
    if data is None:
        raise NotFound(f"企业 {enterprise_id} 不存在")
    return jsonify(data)

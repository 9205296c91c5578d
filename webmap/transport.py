"""The transport wing's read endpoints beyond the collections (thin adapters over
:mod:`geo.postgis.transport_queries`):

* ``GET /api/v1/transport/summary`` — the dashboard card: trips in the last 7 days of data,
  waybills by 五必查 outcome, failed checks per check, alarms by type and by town;
* ``GET /api/v1/enterprises/<id>/transport`` — the enterprise file's section: waybills failing
  五必查 (or 未核查) where the enterprise is the loader or the carrier.
"""

from __future__ import annotations

from flask import Blueprint, jsonify

from geo.errors import NotFound
from geo.postgis import transport_queries as q
from geo.postgis.runs import current_run_id
from webmap.db import connect

bp = Blueprint("transport", __name__, url_prefix="/api/v1")


@bp.get("/transport/summary")
def summary():
    with connect() as conn:
        return jsonify(q.summary(conn, current_run_id(conn)))


@bp.get("/enterprises/<int:enterprise_id>/transport")
def enterprise_transport(enterprise_id: int):
    with connect() as conn:
        out = q.enterprise_waybills(conn, current_run_id(conn), enterprise_id)
    if out is None:
        raise NotFound(f"企业 {enterprise_id} 不存在")
    return jsonify(out)

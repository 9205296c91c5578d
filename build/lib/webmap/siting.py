"""``/siting``: the planners' siting check (same engine as ``POST /api/v1/siting/check``)."""

from __future__ import annotations

from flask import Blueprint

from webmap.mapview import base_map, render

bp = Blueprint("siting", __name__)


@bp.get("/siting")
def siting():
    return render(base_map("选址核查 — 危险化学品安全风险", "siting"))

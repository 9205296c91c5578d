"""The time view's read endpoints: ``GET /api/v1/changes?from=RUN&to=RUN`` (enterprises added,
removed and changed in colour, score, grade or conflicts between any two runs) and
``GET /api/v1/trends`` (counts by colour per run)."""

from __future__ import annotations

from flask import Blueprint, jsonify, request

from geo import params
from geo.errors import InvalidInput
from geo.postgis import changes as queries
from geo.postgis.runs import current_run_id, is_graded, previous_run_id
from webmap.db import connect

bp = Blueprint("history", __name__, url_prefix="/api/v1")

def _run(conn, name: str, default: int | None) -> int:
    value = params.integer(request.args.get(name), name, default=default or 0, minimum=1, maximum=2**31 - 1)
    if not value or not is_graded(conn, value):
        raise InvalidInput(name, f"运行 #{value} 不存在或没有计算结果" if value else "尚无可比较的运行")
    return value


PERIODS = {"last": None, "changed": None, "7d": 7, "30d": 30}


@bp.get("/changes")
def changes():
    """``from``/``to`` (runs), or ``period``: ``last`` (the previous run, default), ``changed`` (the last
    run that changed something, against its previous run: a run that changed nothing does not hide it),
    ``7d`` / ``30d`` (the run current 7 / 30 days before).  The first run (no earlier run, no ``from``)
    answers ``first_run: true`` with a note, not an error."""
    period = params.text(request.args.get("period"), "period") or "last"
    if period not in PERIODS:
        raise InvalidInput("period", "period 应为 last、changed、7d 或 30d")
    with connect() as conn:
        to_run = _run(conn, "to", current_run_id(conn))
        quiet = 0
        if request.args.get("from") is None and period == "changed":
            changed, quiet = queries.last_changed_run(conn, to_run)
            if changed is not None:
                to_run = changed
        if request.args.get("from") is None and PERIODS[period]:
            default = queries.run_before(conn, to_run, PERIODS[period])
        else:
            default = previous_run_id(conn, to_run)
        if request.args.get("from") is None and default is None:  # the first run: nothing to compare with yet
            return jsonify({"first_run": True, "from_run": None, "to_run": to_run, "period": period,
                            "quiet_runs_after": 0, "note": "首次计算，无上次结果可比较"})
        from_run = _run(conn, "from", default)
        return jsonify({**queries.compare(conn, from_run, to_run), "first_run": False, "period": period,
                        "quiet_runs_after": quiet})


@bp.get("/trends")
def trends():
    limit = params.integer(request.args.get("limit"), "limit", default=50, minimum=1, maximum=500)
    with connect() as conn:
        return jsonify({"runs": queries.trends(conn, limit=limit)})

"""One snapshot per response, shared by ``/api/v1``, ``/ogc`` and ``/tiles``."""

from __future__ import annotations

import json
from contextlib import contextmanager

from flask import has_request_context, request

from geo import params
from geo.errors import InvalidInput
from geo.postgis import collections as registry
from geo.postgis.runs import pin_run
from webmap.db import connect, domain


def pin_requested_run(conn) -> tuple[int | None, str | None]:
    """The time view's ``?run=N`` on ``conn``: ``(N, None)`` when run N's results are stored (every reader on
    ``conn`` then reads it), ``(None, None)`` when no run was asked for, else ``(None, why)`` in Chinese."""
    raw = request.args.get("run") if has_request_context() else None
    if raw in (None, ""):
        return None, None
    try:
        run_id = params.integer(raw, "run", default=0, minimum=1, maximum=2**31 - 1)
    except InvalidInput as exc:
        return None, exc.message
    registry.read_snapshot(conn)  # the snapshot first: the check and the data agree
    if not pin_run(conn, run_id):
        return None, f"运行 #{run_id} 不存在或其计算结果未保留，不能查看"
    return run_id, None


@contextmanager
def reading():
    """A connection in one read-only snapshot, its run and the query's base parameters.

    The run is the current one, or — with ``?run=N`` (the time view's run selector) — run N when its
    results are stored: every reader of the response (collections, counts, summaries, search) then
    reads that run; a run whose results are gone is a 400 naming ``run``."""
    with connect() as conn:
        _, why = pin_requested_run(conn)
        if why:
            raise InvalidInput("run", why)
        run = registry.read_snapshot(conn)
        yield conn, run, registry.base_params(run, domain().vocabulary)


def feature_collection(page: registry.Page, members: dict) -> str:
    """A FeatureCollection's text from the page's feature texts (rendered by PostgreSQL) and members."""
    rest = json.dumps(members, ensure_ascii=False, default=str)
    return '{"type": "FeatureCollection", "features": [' + ",".join(page.features) + "], " + rest[1:]

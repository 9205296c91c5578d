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


@contextmanager
def reading():
    """A connection in one read-only snapshot, its run and the query's base parameters.

    The run is the current one, or — with ``?run=N`` (the time view's run selector) — run N when its
    results are stored: every reader of the response (collections, counts, summaries, search) then
    reads that run; a run whose results are gone is a 400 naming ``run``."""
    requested = request.args.get("run") if has_request_context() else None
    with connect() as conn:
        if requested not in (None, ""):
            run_id = params.integer(requested, "run", default=0, minimum=1, maximum=2**31 - 1)
            registry.read_snapshot(conn)  # the snapshot first: the check and the data agree
            if not pin_run(conn, run_id):
                raise InvalidInput("run", f"运行 #{run_id} 不存在或其计算结果未保留，不能查看")
        run = registry.read_snapshot(conn)
        yield conn, run, registry.base_params(run, domain().vocabulary)


def feature_collection(page: registry.Page, members: dict) -> str:
    """A FeatureCollection's text from the page's feature texts (rendered by PostgreSQL) and members."""
    rest = json.dumps(members, ensure_ascii=False, default=str)
    return '{"type": "FeatureCollection", "features": [' + ",".join(page.features) + "], " + rest[1:]

"""One snapshot per response, shared by ``/api/v1``, ``/ogc`` and ``/tiles``."""

from __future__ import annotations

import json
from contextlib import contextmanager

from geo.postgis import collections as registry
from webmap.db import connect, domain


@contextmanager
def reading():
    """A connection in one read-only snapshot, its current run and the query's base parameters."""
    with connect() as conn:
        run = registry.read_snapshot(conn)
        yield conn, run, registry.base_params(run, domain().vocabulary)


def feature_collection(page: registry.Page, members: dict) -> str:
    """A FeatureCollection's text from the page's feature texts (rendered by PostgreSQL) and members."""
    rest = json.dumps(members, ensure_ascii=False, default=str)
    return '{"type": "FeatureCollection", "features": [' + ",".join(page.features) + "], " + rest[1:]

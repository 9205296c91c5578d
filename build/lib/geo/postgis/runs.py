"""Which run the readers see.

The *current* run is the newest succeeded run that produced results; every reader (API,
exports, pages, OGC) reads that one, so a refresh committing concurrently is seen whole or
not at all.  Runs are written by :mod:`hazmap.jobs`.
"""

from __future__ import annotations

import sqlalchemy as sa

# A run with results: it succeeded and graded enterprises (an ETL run without a refresh has none).
_WITH_RESULTS = """
    select max(r.id) from run r
    where r.status = 'succeeded' {before}
      and exists (select 1 from enterprise_risk er where er.run_id = r.id)
"""
_CURRENT = sa.text(_WITH_RESULTS.format(before=""))
_PREVIOUS = sa.text(_WITH_RESULTS.format(before="and r.id < :id"))


def current_run_id(conn: sa.Connection) -> int | None:
    return conn.execute(_CURRENT).scalar()


def previous_run_id(conn: sa.Connection, run_id: int) -> int | None:
    return conn.execute(_PREVIOUS, {"id": run_id}).scalar()

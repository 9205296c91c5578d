"""Which run the readers see.

The *current* run is the newest succeeded run that produced results; every reader (API,
exports, pages, OGC) reads that one, so a refresh committing concurrently is seen whole or
not at all.  Runs are written by :mod:`hazmap.jobs`.
"""

from __future__ import annotations

import sqlalchemy as sa

# The two notions of "a run with results", as predicates on ``run r`` (their one home):
# LIVE — it succeeded and its grades are stored (what readers can read: the current run is one);
# GRADED — it succeeded and graded enterprises, whether its grades are still stored or only its
# roster (``run_roster``, kept for the time view) remains.  An ETL run without a refresh is neither.
LIVE_RESULTS = "r.status = 'succeeded' and exists (select 1 from enterprise_risk er where er.run_id = r.id)"
GRADED = (f"({LIVE_RESULTS} or r.status = 'succeeded' "
          "and exists (select 1 from run_roster x where x.run_id = r.id))")
_WITH_RESULTS = f"select max(r.id) from run r where {LIVE_RESULTS} {{before}}"
_GRADED = sa.text(f"select 1 from run r where r.id = :id and {GRADED}")
_CURRENT = sa.text(_WITH_RESULTS.format(before=""))
_PREVIOUS = sa.text(_WITH_RESULTS.format(before="and r.id < :id"))


RUN_LOCK_KEY = 0x68617A6D  # "hazm": the advisory lock every recorded run holds in its transaction (hazmap.jobs)

# pg_advisory_xact_lock(bigint) shows in pg_locks as classid = high 32 bits, objid = low 32 bits, objsubid 1
_LOCK_HELD = sa.text("""
    select exists (select 1 from pg_locks where locktype = 'advisory' and granted
                   and database = (select oid from pg_database where datname = current_database())
                   and classid::bigint = (cast(:k as bigint) >> 32)
                   and objid::bigint = (cast(:k as bigint) & 4294967295) and objsubid = 1)""")


def run_lock_held(conn: sa.Connection, key: int = RUN_LOCK_KEY) -> bool:
    """Whether a live session holds the runs' lock: a run recorded ``running`` while nobody does has no
    process behind it (killed) and reads as interrupted (已中断)."""
    return bool(conn.execute(_LOCK_HELD, {"k": key}).scalar())


PINNED = "hazmap_run"  # the execution option naming the run a response reads instead of the newest (pin_run)
_LIVE = sa.text(f"select 1 from run r where r.id = :id and {LIVE_RESULTS}")


def current_run_id(conn: sa.Connection) -> int | None:
    """The run readers see: the newest run with live results — or the one this connection was pinned to
    for this response (:func:`pin_run`, the time view's "查看运行 #N")."""
    pinned = conn.get_execution_options().get(PINNED)
    if pinned is not None:
        return pinned
    return conn.execute(_CURRENT).scalar()


def pin_run(conn: sa.Connection, run_id: int) -> bool:
    """Make every reader on ``conn`` (this response's connection, not the pool's) read ``run_id``, when its
    results are still stored; returns False (nothing pinned) otherwise."""
    if conn.execute(_LIVE, {"id": run_id}).first() is None:
        return False
    conn.execution_options(**{PINNED: run_id})
    return True


def previous_run_id(conn: sa.Connection, run_id: int) -> int | None:
    return conn.execute(_PREVIOUS, {"id": run_id}).scalar()


def is_graded(conn: sa.Connection, run_id: int) -> bool:
    """Whether ``run_id`` graded enterprises (the time view can compare it)."""
    return conn.execute(_GRADED, {"id": run_id}).first() is not None

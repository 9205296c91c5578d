"""One run per response: the run id and the data of a response come from one snapshot.

:func:`read_snapshot` puts the connection in a REPEATABLE READ, READ ONLY transaction before
its first statement and resolves the current run inside it, so every later statement of the
response (the page, the count, the detail lists, a streamed export) sees the same committed
state — a refresh that commits meanwhile is seen by the next response, never half by this one.
"""

from __future__ import annotations

from dataclasses import dataclass

import sqlalchemy as sa

from geo.postgis.runs import current_run_id

CRS_NOTE = "WGS-84 (EPSG:4326) 经纬度，RFC 7946"


@dataclass(frozen=True)
class RunInfo:
    run_id: int | None
    finished_at: object  # datetime | None
    versions: dict

    @property
    def data_as_of(self) -> str | None:
        return self.finished_at.isoformat(timespec="seconds") if self.finished_at else None

    def as_json(self) -> dict:
        return {"run_id": self.run_id, "data_as_of": self.data_as_of, "versions": self.versions}


def read_snapshot(conn: sa.Connection) -> RunInfo:
    """Start the response's snapshot on ``conn`` (if no transaction is open yet) and read its run."""
    if not conn.in_transaction():
        conn.execution_options(isolation_level="REPEATABLE READ", postgresql_readonly=True)
    return current_run(conn)


def current_run(conn: sa.Connection) -> RunInfo:
    run = current_run_id(conn)
    row = conn.execute(sa.text("select finished_at, versions from run where id = :r"), {"r": run}).first() \
        if run is not None else None
    return RunInfo(run, row.finished_at if row else None, (row.versions if row else None) or {})


def run_info(conn: sa.Connection) -> dict:
    """``{run_id, data_as_of, versions}`` of the current run (pages show it next to the map)."""
    return read_snapshot(conn).as_json()

"""Run bookkeeping shared by the ETL, ``hazmap refresh`` and the readers.

Readers always use the *current* run — the newest succeeded run that produced results — so
a refresh committing concurrently is seen whole or not at all.
"""

from __future__ import annotations

import json

import sqlalchemy as sa

# One advisory-lock key for every job that writes runs (ETL and refresh never overlap).
RUN_LOCK_KEY = 0x68617A6D  # "hazm"


def current_run_id(conn: sa.Connection) -> int | None:
    return conn.execute(sa.text("""
        select max(r.id) from etl_run r
        where r.status = 'succeeded'
          and exists (select 1 from enterprise_risk er where er.run_id = r.id)
    """)).scalar()


def previous_run_id(conn: sa.Connection, run_id: int) -> int | None:
    return conn.execute(sa.text("""
        select max(r.id) from etl_run r
        where r.status = 'succeeded' and r.id < :id
          and exists (select 1 from enterprise_risk er where er.run_id = r.id)
    """), {"id": run_id}).scalar()


def start_run(engine: sa.Engine, kind: str, **fields) -> int:
    """Record a run as ``running`` in its own short transaction; returns its id."""
    with engine.begin() as conn:
        return conn.execute(sa.text("""
            insert into etl_run (kind, status, files, counts, versions)
            values (:kind, 'running', cast(:files as jsonb), cast(:counts as jsonb),
                    cast(:versions as jsonb))
            returning id
        """), {"kind": kind, "files": json.dumps(fields.get("files", []), ensure_ascii=False),
               "counts": json.dumps(fields.get("counts", {}), ensure_ascii=False),
               "versions": json.dumps(fields.get("versions", {}), ensure_ascii=False)}).scalar_one()


def finish_run(conn: sa.Connection, run_id: int, status: str, *, message: str | None = None,
               **fields) -> None:
    """Finalise a run row (call inside the run's transaction for success, separately for failure)."""
    sets = ["status = :status", "finished_at = now()", "message = :message"]
    params = {"id": run_id, "status": status, "message": message}
    for key in ("files", "counts", "changes", "versions"):
        if key in fields:
            sets.append(f"{key} = cast(:{key} as jsonb)")
            params[key] = json.dumps(fields[key], ensure_ascii=False)
    if "rejects_path" in fields:
        sets.append("rejects_path = :rejects_path")
        params["rejects_path"] = fields["rejects_path"]
    conn.execute(sa.text(f"update etl_run set {', '.join(sets)} where id = :id"), params)

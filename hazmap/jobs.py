"""Recorded runs (``run`` table): one way for the ETL and ``hazmap refresh`` to write results.

``with run_job(engine, "etl", versions=…) as job:`` opens the run's ONE transaction and takes
the advisory lock inside it (``pg_try_advisory_xact_lock``), so the lock lives exactly as long
as the work: a second run is refused at once (:class:`RunLocked`), and a killed process
releases it with its connection — nothing queues behind an orphan.  The server checks that
the client is still there (``client_connection_check_interval``), so a killed run's
statements stop too (every ``[database] job_connection_check_interval_ms``, set on the run's
transaction whatever engine it came from).  Holding the lock, the job marks runs left ``running`` by a dead process
as failed, records its own run as ``running`` in a short transaction of its own (so a failed
run stays recorded), and yields.

On a normal exit the run is finished ``succeeded`` inside the transaction (with
``job.counts``, ``job.changes``, ``job.files``, ``job.rejects_path`` and ``job.message`` — warnings for
operators, e.g. where the rejects report went when its directory could not be written) and committed — results
and bookkeeping together.  On :class:`JobAborted` (a reason for the user, e.g. an unreadable
file) or any other exception the transaction is rolled back — the data stay exactly as they
were — and the run is finished ``aborted`` / ``failed`` in a transaction of its own.  A job
with ``record=False`` (a dry run) writes no run row and is always rolled back.
"""

from __future__ import annotations

import json
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field

import sqlalchemy as sa

from geo.postgis.runs import RUN_LOCK_KEY  # one lock for every job that writes runs (ETL and refresh never overlap)
from hazmap.config import DatabaseSettings

STALE_MESSAGE = "进程中断：运行未完成，数据未作修改"


class JobAborted(RuntimeError):
    """The run was aborted for a reason the user can act on (Chinese message); nothing changed."""


class RunLocked(JobAborted):
    """Another ETL or refresh run holds the lock."""


@dataclass
class Job:
    conn: sa.Connection  # the run's one transaction
    run_id: int | None
    kind: str
    counts: dict = field(default_factory=dict)
    changes: dict = field(default_factory=dict)
    files: list = field(default_factory=list)
    rejects_path: str | None = None
    message: str | None = None  # warnings for operators, stored with the run (``run.message``)

    def record_files(self, engine: sa.Engine, files: list) -> None:
        """Store the files read so far on the run row now (visible even if the run fails later)."""
        self.files = files
        if self.run_id is not None:
            with engine.begin() as c:
                c.execute(sa.text("update run set files = cast(:f as jsonb) where id = :id"),
                          {"f": _json(files), "id": self.run_id})


def _json(value) -> str:
    return json.dumps(value, ensure_ascii=False, default=str)


def start_run(engine: sa.Engine, kind: str, *, versions: dict) -> int:
    """Record a run as ``running`` in its own short transaction; returns its id."""
    with engine.begin() as conn:
        return conn.execute(sa.text("""
            insert into run (kind, status, versions) values (:kind, 'running', cast(:v as jsonb))
            returning id"""), {"kind": kind, "v": _json(versions)}).scalar_one()


def finish_run(conn: sa.Connection, run_id: int, status: str, *, message: str | None = None,
               **fields) -> None:
    """Finalise a run row (inside the run's transaction on success, separately otherwise)."""
    sets = ["status = :status", "finished_at = now()", "message = :message"]
    params = {"id": run_id, "status": status, "message": message}
    for key in ("files", "counts", "changes", "versions"):
        if key in fields:
            sets.append(f"{key} = cast(:{key} as jsonb)")
            params[key] = _json(fields[key])
    if fields.get("rejects_path") is not None:
        sets.append("rejects_path = :rejects_path")
        params["rejects_path"] = str(fields["rejects_path"])
    conn.execute(sa.text(f"update run set {', '.join(sets)} where id = :id"), params)


def _acquire(conn: sa.Connection, db: DatabaseSettings) -> None:
    # how often the server checks that this run's client is still connected (PostgreSQL ≥ 14)
    conn.execute(sa.text("select set_config('client_connection_check_interval', :v, true)"),
                 {"v": f"{int(db.job_connection_check_interval_ms)}ms"})
    if not conn.execute(sa.text("select pg_try_advisory_xact_lock(:k)"), {"k": RUN_LOCK_KEY}).scalar():
        raise RunLocked("另一个 ETL 或重算任务正在运行（咨询锁被占用），本次未做任何修改")


@contextmanager
def run_job(engine: sa.Engine, kind: str, *, versions: dict, record: bool = True,
            db: DatabaseSettings | None = None) -> Iterator[Job]:
    """One recorded run in one transaction (see the module docstring); ``db``: the ``[database]``
    settings (``job_connection_check_interval_ms``; default: the documented defaults)."""
    with engine.connect() as conn:
        trans = conn.begin()
        try:
            _acquire(conn, db or DatabaseSettings())
        except BaseException:
            trans.rollback()
            raise
        run_id = None
        if record:
            with engine.begin() as c:  # we hold the lock: a 'running' run has no live process
                c.execute(sa.text("update run set status = 'failed', finished_at = now(), message = :m "
                                  "where status = 'running'"), {"m": STALE_MESSAGE})
            run_id = start_run(engine, kind, versions=versions)
        job = Job(conn, run_id, kind)
        try:
            yield job
            if run_id is None:
                trans.rollback()
                return
            finish_run(conn, run_id, "succeeded", message=job.message, counts=job.counts, changes=job.changes,
                       files=job.files, rejects_path=job.rejects_path)
            trans.commit()
        except BaseException as exc:
            if trans.is_active:
                trans.rollback()
            if run_id is not None:
                aborted = isinstance(exc, JobAborted)
                message = str(exc) if aborted else f"{type(exc).__name__}: {exc}"
                if job.message:
                    message += "\n" + job.message
                with engine.begin() as c:
                    finish_run(c, run_id, "aborted" if aborted else "failed", message=message,
                               counts=job.counts, files=job.files, rejects_path=job.rejects_path)
            raise

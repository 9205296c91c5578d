"""``hazmap refresh``: one recorded run that recomputes every result in one transaction."""

from __future__ import annotations

import sqlalchemy as sa

from geo.postgis import domain
from geo.postgis.changes import compare_runs, describe
from geo.postgis.refresh import refresh
from geo.postgis.runs import RUN_LOCK_KEY, finish_run, start_run
from hazmap.db.session import get_engine


class RunLocked(RuntimeError):
    """Another ETL or refresh run holds the lock."""


def _stderr_progress():
    """Step messages on a terminal, silence otherwise (cron, tests)."""
    import sys
    import time

    if not sys.stderr.isatty():
        return None
    t0 = time.monotonic()
    return lambda message: print(f"[{time.monotonic() - t0:6.1f}s] {message}…", file=sys.stderr, flush=True)


def run_refresh(settings, *, progress=None) -> dict:
    engine = get_engine(settings.database_url)
    with engine.connect() as lock_conn:
        if not lock_conn.execute(sa.text("select pg_try_advisory_lock(:k)"), {"k": RUN_LOCK_KEY}).scalar():
            raise RunLocked("另一个 ETL 或重算任务正在运行，请稍后再试")
        try:
            run_id = start_run(engine, "refresh", versions=domain.versions())
            try:
                with engine.begin() as conn:
                    summary = refresh(conn, run_id, settings, progress=progress or _stderr_progress())
                    changes = compare_runs(conn, run_id)
                    finish_run(conn, run_id, "succeeded", counts={"refresh": summary},
                               changes=changes, versions=domain.versions())
                    conn.execute(sa.text("analyze conflict; analyze enterprise_risk"))
            except Exception as exc:
                with engine.begin() as conn:
                    finish_run(conn, run_id, "failed", message=f"{type(exc).__name__}: {exc}")
                raise
        finally:
            lock_conn.execute(sa.text("select pg_advisory_unlock(:k)"), {"k": RUN_LOCK_KEY})
            lock_conn.commit()
    colours = summary["colours"]
    text = (f"重算完成（运行编号 {run_id}）：企业 {summary['enterprises']} 家，"
            f"红 {colours.get('red', 0)} / 橙 {colours.get('orange', 0)} / 黄 {colours.get('yellow', 0)} / "
            f"蓝 {colours.get('blue', 0)}；重大危险源 {summary['major_hazards']} 个；"
            f"冲突 {summary['conflicts']} 处。\n" + describe(changes))
    return {"run_id": run_id, "summary": summary, "changes": changes, "text": text}

"""``hazmap refresh``: one recorded run that recomputes every result in one transaction."""

from __future__ import annotations

import sys
import time

from geo.postgis.changes import compare_runs, describe
from geo.postgis.refresh import refresh
from hazmap.db.session import get_engine
from hazmap.domain import load_domain
from hazmap.jobs import run_job


def stderr_progress():
    """Step messages on a terminal, silence otherwise (cron, tests)."""
    if not sys.stderr.isatty():
        return None
    t0 = time.monotonic()
    return lambda message: print(f"[{time.monotonic() - t0:6.1f}s] {message}…", file=sys.stderr, flush=True)


def run_refresh(settings, *, domain=None, progress=None, engine=None) -> dict:
    """Recompute every result from what is stored; raises :class:`hazmap.jobs.RunLocked`.

    ``engine``: a :class:`hazmap.refresh_engine.RefreshEngine` computing the exposure and conflict
    steps (default: PostGIS, in the run's transaction)."""
    domain = domain or load_domain(settings)
    db = get_engine(settings.database_url, db=settings.database)
    with run_job(db, "refresh", versions=domain.versions.as_json()) as job:
        summary = refresh(job.conn, job.run_id, domain, progress=progress or stderr_progress(), engine=engine)
        job.counts = {"refresh": summary}
        job.changes = compare_runs(job.conn, job.run_id)
    colours = summary["colours"]
    text = (f"重算完成（运行编号 {job.run_id}）：企业 {summary['enterprises']} 家，"
            f"红 {colours.get('red', 0)} / 橙 {colours.get('orange', 0)} / 黄 {colours.get('yellow', 0)} / "
            f"蓝 {colours.get('blue', 0)}；重大危险源 {summary['major_hazards']} 个；"
            f"冲突 {summary['conflicts']} 处。\n" + describe(job.changes))
    return {"run_id": job.run_id, "summary": summary, "changes": job.changes, "text": text}

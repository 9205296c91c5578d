"""``hazmap refresh``: one recorded run that recomputes every result in one transaction."""

from __future__ import annotations

import sys
import time

from geo.postgis.changes import compare_runs, describe
from geo.postgis.refresh import colour_text, refresh
from hazmap.db.session import get_job_engine
from hazmap.domain import load_domain
from hazmap.jobs import run_job


def stderr_progress():
    """Step messages on a terminal, silence otherwise (cron, tests)."""
    if not sys.stderr.isatty():
        return None
    t0 = time.monotonic()
    return lambda message: print(f"[{time.monotonic() - t0:6.1f}s] {message}…", file=sys.stderr, flush=True)


def run_refresh(settings, *, domain=None, progress=None, engine=None, incremental: bool = True) -> dict:
    """Recompute every result from what is stored; raises :class:`hazmap.jobs.RunLocked`.

    ``engine``: a :class:`hazmap.refresh_engine.RefreshEngine` computing the exposure and conflict
    steps (default: PostGIS, in the run's transaction).  ``incremental`` (PostGIS only): measure
    again only where the registries changed since the previous run (:mod:`geo.postgis.incremental`);
    ``False`` measures everything (``hazmap refresh --full``)."""
    domain = domain or load_domain(settings)
    db = get_job_engine(settings.database_url, db=settings.database)  # [database] limits, no statement timeout
    with run_job(db, "refresh", versions=domain.versions.as_json(), db=settings.database) as job:
        if engine is not None and engine.name == "postgis":
            engine = None  # the refresh's own PostGIS steps, which can be incremental
        summary = refresh(job.conn, job.run_id, domain, progress=progress or stderr_progress(), engine=engine,
                          incremental=incremental and engine is None)
        job.counts = {"refresh": summary}
        job.changes = compare_runs(job.conn, job.run_id)
    text = (f"重算完成（运行编号 {job.run_id}）：企业 {summary['enterprises']} 家，"
            f"{colour_text(summary)}；重大危险源 {summary['major_hazards']} 个；"
            f"冲突 {summary['conflicts']} 处。\n" + _incremental_text(summary) + describe(job.changes))
    return {"run_id": job.run_id, "summary": summary, "changes": job.changes, "text": text}


def _incremental_text(summary: dict) -> str:
    """One line on what an incremental refresh measured again (nothing for a full one)."""
    inc = summary.get("incremental")
    if not inc:
        return "全量重算。\n"
    p = inc["plan"]
    return (f"增量重算（以运行 {p['base_run_id']} 为基础）：变更企业 {p['changed_enterprises']} 家、删除 "
            f"{p['removed_enterprises']} 家，变更保护目标 {p['changed_targets']} 个、删除 {p['removed_targets']} 个；"
            f"重新统计暴露人数 {inc['exposure_measured']} 家，重新计算距离冲突 {inc['conflict_sources_measured']} 家。\n")

"""Summaries that are not feature collections: statistics, the run history, data freshness.

Each reads inside the caller's snapshot (:func:`geo.postgis.collections.snapshot.read_snapshot`):
the figures of :func:`stats` and its ``last_run`` are those of one run.
"""

from __future__ import annotations

import sqlalchemy as sa

from geo.postgis.collections.snapshot import RunInfo
from geo.postgis.runs import RUN_LOCK_KEY, run_lock_held
from geo.vocabulary import STAGE_LABEL


def _iso(value) -> str | None:
    return value.isoformat(timespec="seconds") if value else None


def _run_row(r) -> dict:
    return {"id": r.id, "kind": r.kind, "started": _iso(r.started_at), "finished": _iso(r.finished_at),
            "status": r.status, "counts": r.counts, "changes": r.changes}


def stats(conn, run: RunInfo, *, vocabulary, town=None, department=None) -> dict:
    """Counts by colour × town × department × stage, the ten most severe enterprises, and the run they come from.

    The top list is ordered by colour first (red, orange, yellow, blue), then by score: a red decided
    directly (直接判定) keeps its high score and must still lead the list, ahead of every orange.
    """
    p: dict = {"run": run.run_id if run.run_id is not None else -1}
    where = "true"
    if town:
        where += " and (e.town_code = :town or a.name = :town)"
        p["town"] = town
    if department:
        where += " and e.department = :dept"
        p["dept"] = department
    base = f"""from enterprise e left join enterprise_risk er on er.enterprise_id = e.id and er.run_id = :run
               left join admin_area a on a.code = e.town_code where {where}"""

    def grouped(key_sql: str) -> dict:
        out: dict = {}
        for r in conn.execute(sa.text(f"select {key_sql} as k, coalesce(er.risk_color, 'none') as c, count(*) as n "
                                      f"{base} group by 1, 2"), p):
            out.setdefault(r.k or "未知", {})[r.c] = r.n
        return out

    by_colour = {r.c: r.n for r in conn.execute(sa.text(
        f"select coalesce(er.risk_color, 'none') as c, count(*) as n {base} group by 1"), p)}
    by_stage: dict = {}
    for r in conn.execute(sa.text(f"""select s as k, coalesce(er.risk_color, 'none') as c, count(*) as n
            from enterprise e cross join unnest(e.stages) s
            left join enterprise_risk er on er.enterprise_id = e.id and er.run_id = :run
            left join admin_area a on a.code = e.town_code where {where} group by 1, 2"""), p):
        by_stage.setdefault(STAGE_LABEL.get(r.k, r.k), {})[r.c] = r.n
    top = [dict(r._mapping) for r in conn.execute(sa.text(f"""
        select e.id, e.name, er.risk_color, er.risk_score, er.major_hazard_grade, a.name as town,
               er.provisional, er.risk_color_worst {base}
        and er.risk_score is not null
        order by case er.risk_color when 'red' then 0 when 'orange' then 1 when 'yellow' then 2 when 'blue' then 3
                 else 4 end, er.risk_score asc, e.id
        limit 10"""), p)]
    last = conn.execute(sa.text("select id, kind, started_at, finished_at, status, counts, changes, files "
                                "from run where id = :run"), p).first()
    return {"by_colour": by_colour, "by_town": grouped("a.name"), "by_department": grouped("e.department"),
            "by_stage": by_stage, "top_risks": top, "colour_hex": vocabulary.colour_hex,
            "colour_label": vocabulary.colour_label,
            "last_run": None if not last else {**_run_row(last), "files": public_files(last.files)},
            "run_id": run.run_id, "data_as_of": run.data_as_of}


_FILE_FIELDS = ("kind", "file", "sha256", "rows")  # never the server path a file was read from
_KIND_LABEL = {"etl": "ETL 导入", "refresh": "重算", "siting": "选址核查"}


def public_files(files) -> list:
    """The files of a run as users see them: kind, file name, SHA-256 and rows — no server paths."""
    out = []
    for f in files if isinstance(files, list) else []:
        if isinstance(f, dict):
            name = f.get("file") or (str(f["path"]).replace("\\", "/").rsplit("/", 1)[-1] if f.get("path") else None)
            out.append({k: v for k, v in {**f, "file": name}.items() if k in _FILE_FIELDS})
    return out


def run_summary(kind: str, status: str) -> str | None:
    """The Chinese line users see for a run that did not succeed (the raw message is for operators)."""
    what = _KIND_LABEL.get(kind, kind)
    return {"failed": f"{what}运行失败（程序或数据库错误），数据未作任何修改；详细原因请运维人员查看",
            "aborted": f"{what}运行已中止，数据未作任何修改；拒绝原因见拒绝行报告，详细原因请运维人员查看",
            "running": f"{what}正在运行"}.get(status)


def runs(conn, *, limit: int = 50, offset: int = 0, operator: bool = False, run_lock_key: int = RUN_LOCK_KEY) -> dict:
    """ETL and refresh runs, newest first, with their true count.

    ``message`` is a Chinese summary of the run's outcome for every reader; a failed run's stored
    message may hold SQL, file paths or row values, so it is shown only to operators (``detail``,
    ``operator=True``).  Files are listed by name, never by server path.

    A run still recorded ``running`` while no backend holds the runs' advisory lock
    (``run_lock_key``, :data:`geo.postgis.runs.RUN_LOCK_KEY`; a live run holds it in its transaction, a
    killed one lost it with its connection) has no process behind it: it reads as ``interrupted``
    (已中断) at once, not only once the next run closes it as failed.  ``pg_locks`` shows the
    present, not this snapshot: a run that committed since the snapshot began may read as
    interrupted for this one response.
    """
    rows = conn.execute(sa.text("""select id, kind, started_at, finished_at, status, counts, changes, versions, message,
                                   files from run order by id desc limit :l offset :o"""),
                        {"l": limit, "o": offset}).all()
    total = conn.execute(sa.text("select count(*) from run")).scalar()
    live = any(r.status == "running" for r in rows) and run_lock_held(conn, run_lock_key)
    out = []
    for r in rows:
        status = "interrupted" if r.status == "running" and not live else r.status
        run = {**_run_row(r), "status": status, "versions": r.versions, "files": public_files(r.files),
               "message": (f"{_KIND_LABEL.get(r.kind, r.kind)}已中断：运行进程已退出，运行未完成，数据未作任何修改"
                           if status == "interrupted" else run_summary(r.kind, r.status))}
        if operator:
            run["detail"] = r.message
        out.append(run)
    return {"runs": out, "numberMatched": total}


def freshness(conn) -> list[dict]:
    """Per source kind, the newest succeeded run that read a file of that kind (``run.files``).

    ``[{kind, file, rows, sha256 (first 12 hex), run_id, finished_at}]``, ordered by kind.
    """
    return [dict(r._mapping) for r in conn.execute(sa.text("""
        select distinct on (f->>'kind') f->>'kind' as kind, f->>'file' as file, f->>'rows' as rows,
               left(f->>'sha256', 12) as sha256, r.id as run_id, r.finished_at
        from run r cross join lateral jsonb_array_elements(
               case when jsonb_typeof(r.files) = 'array' then r.files else '[]'::jsonb end) f
        where r.status = 'succeeded' and f ? 'kind'
        order by f->>'kind', r.id desc"""))]

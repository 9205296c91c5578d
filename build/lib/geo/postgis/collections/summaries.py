"""Summaries that are not feature collections: statistics, the run history, data freshness.

Each reads inside the caller's snapshot (:func:`geo.postgis.collections.snapshot.read_snapshot`):
the figures of :func:`stats` and its ``last_run`` are those of one run.
"""

from __future__ import annotations

import sqlalchemy as sa

from geo.postgis.collections.snapshot import RunInfo
from geo.vocabulary import STAGE_LABEL


def _iso(value) -> str | None:
    return value.isoformat(timespec="seconds") if value else None


def _run_row(r) -> dict:
    return {"id": r.id, "kind": r.kind, "started": _iso(r.started_at), "finished": _iso(r.finished_at),
            "status": r.status, "counts": r.counts, "changes": r.changes}


def stats(conn, run: RunInfo, *, vocabulary, town=None, department=None) -> dict:
    """Counts by colour × town × department × stage, the ten lowest scores, and the run they come from."""
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
        select e.id, e.name, er.risk_color, er.risk_score, er.major_hazard_grade, a.name as town {base}
        and er.risk_score is not null order by er.risk_score asc, e.id limit 10"""), p)]
    last = conn.execute(sa.text("select id, kind, started_at, finished_at, status, counts, changes, files "
                                "from run where id = :run"), p).first()
    return {"by_colour": by_colour, "by_town": grouped("a.name"), "by_department": grouped("e.department"),
            "by_stage": by_stage, "top_risks": top, "colour_hex": vocabulary.colour_hex,
            "colour_label": vocabulary.colour_label,
            "last_run": None if not last else {**_run_row(last), "files": last.files},
            "run_id": run.run_id, "data_as_of": run.data_as_of}


def runs(conn, *, limit: int = 50, offset: int = 0) -> dict:
    """ETL and refresh runs, newest first, with their true count."""
    rows = conn.execute(sa.text("""select id, kind, started_at, finished_at, status, counts, changes, versions, message
                                   from run order by id desc limit :l offset :o"""), {"l": limit, "o": offset}).all()
    total = conn.execute(sa.text("select count(*) from run")).scalar()
    return {"runs": [{**_run_row(r), "versions": r.versions, "message": r.message} for r in rows],
            "numberMatched": total}


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

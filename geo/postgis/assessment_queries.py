"""The assessment wing's reads for the API and the enterprise file (一企一档): an enterprise's
identity, its current grade, its assessment entries (history kept), its grade per run, and the
checks the write endpoints make (an inspection exists, a credit code is registered).

The writes are in :mod:`geo.postgis.ledger`; the refresh's reads in :mod:`geo.postgis.assessment`.
"""

from __future__ import annotations

import sqlalchemy as sa

_ENTERPRISE = sa.text("select id, credit_code, name from enterprise where id = :id")
_BY_CODE = sa.text("select id from enterprise where credit_code = :c")
_INSPECTION = sa.text("select 1 from inspection where id = :i")
_GRADE = sa.text("""
    select risk_color, risk_score, risk_score_min, risk_color_worst, assessment_coverage, provisional,
           direct_red_unevaluated, assessment, reasons
    from enterprise_risk where run_id = :r and enterprise_id = :e""")
_ENTRIES = sa.text("""
    select id, item_code, points, met, source, evidence, assessed_by, assessed_on, inspection_id, recorded_by,
           recorded_at
    from assessment_item where enterprise_id = :e order by assessed_on desc, id desc""")
_HISTORY = sa.text("""
    select r.id as run_id, r.kind, r.finished_at, x.risk_color, x.risk_score, x.major_hazard_grade, x.conflicts,
           er.risk_color_worst, er.risk_score_min, er.assessment_coverage, er.provisional
    from run_roster x join run r on r.id = x.run_id
    left join enterprise_risk er on er.run_id = x.run_id and er.enterprise_id = :e
    where x.credit_code = :c and r.status = 'succeeded' order by r.id""")


def enterprise(conn: sa.Connection, enterprise_id: int):
    """``(id, credit_code, name)`` of the enterprise, or ``None``."""
    return conn.execute(_ENTERPRISE, {"id": enterprise_id}).first()


def enterprise_id(conn: sa.Connection, credit_code: str) -> int | None:
    return conn.execute(_BY_CODE, {"c": credit_code}).scalar()


def inspection_exists(conn: sa.Connection, inspection_id: int) -> bool:
    return conn.execute(_INSPECTION, {"i": inspection_id}).first() is not None


def current_grade(conn: sa.Connection, run_id: int | None, enterprise_id: int) -> dict | None:
    """The enterprise's grade in ``run_id`` (colour, score, worst case, coverage, the item model's lines)."""
    r = conn.execute(_GRADE, {"r": run_id, "e": enterprise_id}).first()
    return None if r is None else dict(r._mapping)


def entries(conn: sa.Connection, enterprise_id: int) -> list[dict]:
    """Every stored assessment entry of the enterprise, newest first (dates as ISO text)."""
    out = []
    for r in conn.execute(_ENTRIES, {"e": enterprise_id}):
        x = dict(r._mapping)
        x["assessed_on"] = x["assessed_on"].isoformat()
        x["recorded_at"] = x["recorded_at"].isoformat(timespec="seconds")
        out.append(x)
    return out


def grade_history(conn: sa.Connection, enterprise_id: int, credit_code: str) -> list[dict]:
    """The enterprise's grade in every succeeded run that graded it (the run roster, by credit code)."""
    out = []
    for r in conn.execute(_HISTORY, {"e": enterprise_id, "c": credit_code}):
        d = dict(r._mapping)
        d["finished_at"] = r.finished_at.isoformat(timespec="seconds") if r.finished_at else None
        out.append(d)
    return out

"""The assessment wing in the refresh: what the stored assessments and the hidden-danger ledger give
the four colours (:func:`colour_inputs`, a ``COLOUR_INPUTS`` provider), and each enterprise's
supervising departments and village/community (:func:`departments_step`, a ``WING_STEPS`` step).

* Assessed items: every stored entry of ``assessment_item`` goes to the model, which takes the
  newest per item (history stays in the table).  An entry the current model no longer accepts
  (an item removed, a cap lowered) is left out.
* The ledger: the enterprises with ledger records get :func:`geo.hidden_danger.guide_contribution`
  as of the refresh day (unrectified 重大隐患, and the 2017-121 items that are guide criteria or
  direct-red conditions); the others keep the registry's count of 重大隐患.
* Departments (三管三必管): :func:`geo.responsibility.departments` from the stages, the chemicals'
  剧毒/易制爆 flags and the facility type, united with the registry's 监管部门 (several may be
  given, separated by 、，,；;/); village/community: the village polygon that covers the point.
"""

from __future__ import annotations

import datetime as dt
import re
from collections import defaultdict
from types import SimpleNamespace

import sqlalchemy as sa

from geo.errors import InvalidInput
from geo.hidden_danger import HiddenDanger, Rectification, guide_contribution
from geo.postgis.copy import copy_rows
from geo.responsibility import departments
from geo.risk_color import AssessedCondition, AssessedItem, validate_assessed

ITEMS_SQL = sa.text("""
    select id, enterprise_id, item_code, points, met, source, evidence, assessed_by, assessed_on
    from assessment_item order by enterprise_id, assessed_on, id""")

DANGERS_SQL = sa.text("""
    select h.*, e.credit_code, ST_X(h.geom) as lon, ST_Y(h.geom) as lat
    from hidden_danger h join enterprise e on e.id = h.enterprise_id order by h.enterprise_id, h.id""")

_ENTERPRISES_SQL = sa.text("""
    select e.id, e.stages, e.facility_type, e.department,
           coalesce(bool_or(c.highly_toxic), false) as highly_toxic,
           coalesce(bool_or(c.explosive_precursor), false) as explosive_precursor
    from enterprise e
    left join hazard_unit u on u.enterprise_id = e.id
    left join inventory i on i.hazard_unit_id = u.id
    left join chemical c on c.id = i.chemical_id
    group by e.id order by e.id""")

_PLACES_SQL = sa.text("""
    insert into enterprise_place (enterprise_id, village_code, village)
    select distinct on (e.id) e.id, a.code, a.name
    from enterprise e join admin_area a on a.level = 'village' and ST_Covers(a.geom, e.geom)
    order by e.id, ST_Area(a.geom), a.code""")

_SEPARATORS = re.compile(r"[、，,；;/]")


def entry_from_row(r) -> AssessedItem | AssessedCondition:
    """A stored ``assessment_item`` row as the model's assessed item or condition."""
    if r.met is not None:
        return AssessedCondition(r.item_code, bool(r.met), r.evidence, r.assessed_by, r.assessed_on, r.source)
    return AssessedItem(r.item_code, float(r.points), r.evidence, r.assessed_by, r.assessed_on, r.source)


def danger_from_row(r) -> HiddenDanger:
    """A stored ``hidden_danger`` row (joined with the credit code) as a ledger record."""
    loc = (float(r.lon), float(r.lat)) if r.lon is not None else None
    return HiddenDanger(
        credit_code=r.credit_code, found_on=r.found_on, found_by=r.found_by, source=r.source,
        description=r.description, grade=r.grade, major_item=r.major_item,
        rectification=Rectification(r.measures, r.responsible, r.funds_yuan, r.deadline, r.plan), state=r.state,
        place=r.place, location_wgs84=loc, rectified_on=r.rectified_on, accepted_on=r.accepted_on,
        reviewer=r.reviewer)


def colour_inputs(conn: sa.Connection, run_id: int, ids, domain, as_of: dt.date, scratch: dict | None = None) -> dict:
    """``{enterprise_id: {"assessed": [...], "facts": {"ledger": ...}}}`` (a ``COLOUR_INPUTS`` provider)."""
    out: dict = defaultdict(lambda: {"assessed": [], "facts": {}})
    model = domain.colour_model
    for r in conn.execute(ITEMS_SQL):
        entry = entry_from_row(r)
        try:
            validate_assessed(entry, model)
        except InvalidInput:  # the model changed since the entry was made: not used
            continue
        out[r.enterprise_id]["assessed"].append(entry)
    if domain.assessment is not None:
        ledger = defaultdict(list)
        for r in conn.execute(DANGERS_SQL):
            ledger[r.enterprise_id].append(danger_from_row(r))
        for eid, dangers in ledger.items():
            out[eid]["facts"]["ledger"] = guide_contribution(
                dangers, table=domain.assessment.major_hidden_dangers, as_of=as_of)
    return dict(out)


def registered_departments(text: str | None) -> tuple[str, ...]:
    """The registry's 监管部门 cell split into department names (``区应急管理局、区公安分局``)."""
    return tuple(dict.fromkeys(p.strip() for p in _SEPARATORS.split(text or "") if p.strip()))


def departments_step(conn: sa.Connection, run_id: int, domain, summary: dict) -> dict:
    """Write ``enterprise_department`` and ``enterprise_place`` anew (a ``WING_STEPS`` step)."""
    conn.execute(sa.text("delete from enterprise_department"))
    conn.execute(sa.text("delete from enterprise_place"))
    rows = []
    if domain.assessment is not None:
        table = domain.assessment.responsibility
        for e in conn.execute(_ENTERPRISES_SQL):
            chem = SimpleNamespace(highly_toxic=e.highly_toxic, explosive_precursor=e.explosive_precursor)
            for a in departments(stages=list(e.stages), chemicals=[chem], facility_type=e.facility_type,
                                 registered=registered_departments(e.department), table=table):
                rows.append((e.id, a.department, a.registered, a.basis, [r.rule_id for r in a.rules]))
    copy_rows(conn, "enterprise_department", ("enterprise_id", "department", "registered", "basis", "rule_ids"), rows)
    villages = conn.execute(_PLACES_SQL).rowcount
    by_dept: dict = defaultdict(int)
    for r in rows:
        by_dept[r[1]] += 1
    return {"departments": len(rows), "villages": villages, "by_department": dict(by_dept)}


_SUMMARY_SQL = sa.text("""
    select count(*) as graded,
           count(*) filter (where not coalesce(er.provisional, true)) as assessed,
           count(*) filter (where coalesce(er.provisional, true)) as provisional,
           count(*) filter (where er.risk_color_worst = 'red' and er.risk_color <> 'red') as could_be_red,
           count(*) filter (where er.risk_color_worst = 'orange' and er.risk_color in ('yellow', 'blue')) as could_be_orange,
           round(avg(er.assessment_coverage)::numeric, 4)::float8 as mean_coverage,
           count(*) filter (where er.risk_color = 'red') as red
    from enterprise_risk er where er.run_id = :run""")

_LEDGER_SQL = sa.text("""
    select count(*) filter (where state <> '已销号') as open,
           count(*) filter (where state <> '已销号' and grade = '重大') as open_major,
           count(*) filter (where state <> '已销号' and deadline is not null and current_date > deadline
                            and not coalesce(rectified_on <= deadline, false)) as overdue,
           count(*) filter (where state = '已销号') as closed
    from hidden_danger""")


def summary(conn: sa.Connection, run_id: int | None) -> dict:
    """The dashboard card: assessed vs provisional, could-be-red/orange, mean coverage (of ``run_id``),
    the ledger's open / 重大 / 逾期 / closed records and the inspections planned and done."""
    grading = dict(conn.execute(_SUMMARY_SQL, {"run": run_id}).one()._mapping) if run_id else {}
    ledger = dict(conn.execute(_LEDGER_SQL).one()._mapping)
    inspections = dict(conn.execute(sa.text("select status, count(*) from inspection group by status")).all())
    return {"run_id": run_id, "grading": grading, "hidden_dangers": ledger,
            "inspections": {"planned": inspections.get("planned", 0), "done": inspections.get("done", 0)}}

"""What changed between runs: the change report of a run against the previous one, and a
comparison of any two runs (``GET /api/v1/changes?from=RUN&to=RUN``), both from the run
roster (``run_roster``), which keeps what a run graded after an enterprise is removed — so a
run that removed enterprises reports them (compared by credit code, the business key).
"""

from __future__ import annotations

import sqlalchemy as sa

from geo.postgis.runs import GRADED, previous_run_id

_RECORD = sa.text("""
    insert into run_roster (run_id, enterprise_id, credit_code, name, town, risk_color, risk_score,
                            major_hazard_grade, conflicts)
    select er.run_id, e.id, e.credit_code, e.name, a.name, er.risk_color, er.risk_score, er.major_hazard_grade,
           (select count(*) from conflict c where c.run_id = er.run_id and c.enterprise_id = e.id)
    from enterprise_risk er join enterprise e on e.id = er.enterprise_id
    left join admin_area a on a.code = e.town_code
    where er.run_id = :run
    on conflict do nothing
""")

_ROSTER = sa.text("""select enterprise_id as id, credit_code, name, town, risk_color, risk_score, major_hazard_grade,
                            conflicts from run_roster where run_id = :run""")

_PAIRS = sa.text("select enterprise_id, target_id from conflict where run_id = :run")
_PROVISIONAL = sa.text("select enterprise_id, provisional, risk_color_worst from enterprise_risk where run_id = :run")

# what "changed" means for one enterprise between two runs
_COMPARED = ("risk_color", "risk_score", "major_hazard_grade", "conflicts")


def record_roster(conn: sa.Connection, run_id: int) -> None:
    """Keep what ``run_id`` graded (idempotent); called when the run's change report is made."""
    conn.execute(_RECORD, {"run": run_id})


def _roster(conn, run_id: int) -> dict[str, dict]:
    if not conn.execute(sa.text("select 1 from run_roster where run_id = :run limit 1"), {"run": run_id}).first():
        record_roster(conn, run_id)  # a run from before the roster existed: its results as they stand
    return {r.credit_code: dict(r._mapping) for r in conn.execute(_ROSTER, {"run": run_id})}


def compare(conn: sa.Connection, from_run: int, to_run: int) -> dict:
    """Enterprises added, removed and changed (colour, score, grade, conflicts) from ``from_run``
    to ``to_run``, matched by credit code; conflicts (enterprise, target) added and removed."""
    old, new = _roster(conn, from_run), _roster(conn, to_run)
    added = [new[k] for k in sorted(new.keys() - old.keys(), key=lambda k: new[k]["id"])]
    removed = [old[k] for k in sorted(old.keys() - new.keys(), key=lambda k: old[k]["id"])]
    changed = []
    for k in sorted(old.keys() & new.keys(), key=lambda k: new[k]["id"]):
        o, n = old[k], new[k]
        fields = [f for f in _COMPARED if o[f] != n[f]]
        if fields:
            changed.append({"id": n["id"], "credit_code": k, "name": n["name"], "town": n["town"], "fields": fields,
                            "old": {f: o[f] for f in _COMPARED}, "new": {f: n[f] for f in _COMPARED}})
    # how known each new grade is (the to-run's stored results; a pruned run's roster alone does not say)
    known = {r.enterprise_id: (r.provisional, r.risk_color_worst) for r in conn.execute(_PROVISIONAL, {"run": to_run})}
    for c in changed:
        c["provisional"], c["risk_color_worst"] = known.get(c["id"], (None, None))
    new_pairs = {tuple(r) for r in conn.execute(_PAIRS, {"run": to_run})}
    old_pairs = {tuple(r) for r in conn.execute(_PAIRS, {"run": from_run})}
    colour = [c for c in changed if "risk_color" in c["fields"] or "major_hazard_grade" in c["fields"]]
    return {
        "from_run": from_run, "to_run": to_run,
        "enterprises_added": added, "enterprises_removed": removed, "enterprises_changed": changed,
        "conflicts_added": [list(p) for p in sorted(new_pairs - old_pairs)],
        "conflicts_removed": [list(p) for p in sorted(old_pairs - new_pairs)],
        "summary": {"enterprises_added": len(added), "enterprises_removed": len(removed),
                    "enterprises_changed": len(changed), "colour_changed": len(colour),
                    "conflicts_added": len(new_pairs - old_pairs), "conflicts_removed": len(old_pairs - new_pairs)},
    }


def compare_runs(conn: sa.Connection, run_id: int) -> dict:
    """The change report of ``run_id`` against the previous succeeded run with results.

    Records the run's roster first.  Returns ``{"previous_run_id", "colour_changes": [...],
    "conflicts_added", "conflicts_removed", "enterprises_added", "enterprises_removed", "summary"}``
    (enterprise ids; conflict pairs) or ``{"previous_run_id": None, "first_run": True}``.
    """
    record_roster(conn, run_id)
    prev = previous_run_id(conn, run_id)
    if prev is None:
        return {"previous_run_id": None, "first_run": True}
    c = compare(conn, prev, run_id)
    colour = [{"id": x["id"], "name": x["name"], "old_color": x["old"]["risk_color"], "new_color": x["new"]["risk_color"],
               "old_grade": x["old"]["major_hazard_grade"], "new_grade": x["new"]["major_hazard_grade"]}
              for x in c["enterprises_changed"] if {"risk_color", "major_hazard_grade"} & set(x["fields"])]
    return {
        "previous_run_id": prev,
        "colour_changes": colour,
        "conflicts_added": c["conflicts_added"],
        "conflicts_removed": c["conflicts_removed"],
        "enterprises_added": [e["id"] for e in c["enterprises_added"]],
        "enterprises_removed": [e["id"] for e in c["enterprises_removed"]],
        "summary": {k: c["summary"][k] for k in ("colour_changed", "conflicts_added", "conflicts_removed",
                                                 "enterprises_added", "enterprises_removed")},
    }


def run_before(conn: sa.Connection, to_run: int, days: int) -> int | None:
    """The run to compare ``to_run`` with for "the last ``days`` days": the newest run with results
    finished at least ``days`` days before ``to_run`` finished, else the oldest run with results before it."""
    return conn.execute(sa.text(f"""
        select coalesce(
          (select r.id from run r where {GRADED} and r.id < :to
             and r.finished_at <= (select finished_at from run where id = :to) - make_interval(days => :d)
           order by r.id desc limit 1),
          (select r.id from run r where {GRADED} and r.id < :to order by r.id limit 1))"""),
        {"to": to_run, "d": days}).scalar()


def last_changed_run(conn: sa.Connection, to_run: int) -> tuple[int | None, int]:
    """The newest run up to ``to_run`` whose change report found something (``run.changes``), and how many
    runs after it found nothing — so a run that changed nothing does not hide the last real change."""
    quiet = 0
    for r in conn.execute(sa.text(f"""select r.id, r.changes from run r where {GRADED} and r.id <= :to
                                      order by r.id desc limit 200"""), {"to": to_run}):
        s = (r.changes or {}).get("summary") or {}
        if any(s.get(k) for k in ("colour_changed", "conflicts_added", "conflicts_removed", "enterprises_added",
                                  "enterprises_removed")):
            return r.id, quiet
        if (r.changes or {}).get("first_run"):
            return None, quiet
        quiet += 1
    return None, quiet


def trends(conn: sa.Connection, *, limit: int = 50) -> list[dict]:
    """Counts by colour per succeeded run with results, oldest first (the newest ``limit``)."""
    rows = conn.execute(sa.text(f"""
        select r.id, r.kind, r.finished_at from run r
        where {GRADED}
        order by r.id desc limit :l"""), {"l": limit}).all()
    out = []
    for r in reversed(rows):
        counts = {"red": 0, "orange": 0, "yellow": 0, "blue": 0, "none": 0}
        for e in _roster(conn, r.id).values():
            counts[e["risk_color"] or "none"] += 1
        out.append({"run_id": r.id, "kind": r.kind,
                    "finished": r.finished_at.isoformat(timespec="seconds") if r.finished_at else None,
                    "by_colour": counts, "total": sum(counts.values())})
    return out


def describe(changes: dict) -> str:
    """One Chinese paragraph for the CLI summary."""
    if changes.get("first_run"):
        return "首次计算，无上次结果可比较。"
    s = changes["summary"]
    return (f"与第 {changes['previous_run_id']} 次运行相比：风险颜色或重大危险源等级变化 "
            f"{s['colour_changed']} 家；冲突新增 {s['conflicts_added']} 处、消除 "
            f"{s['conflicts_removed']} 处；企业新增 {s['enterprises_added']} 家、移除 "
            f"{s['enterprises_removed']} 家。")

"""What changed between a run and the previous succeeded one (the change report)."""

from __future__ import annotations

import sqlalchemy as sa

from geo.postgis.runs import previous_run_id

_COLOUR_CHANGES = sa.text("""
    select e.id, e.name, p.risk_color as old_color, n.risk_color as new_color,
           p.major_hazard_grade as old_grade, n.major_hazard_grade as new_grade
    from enterprise_risk n
    join enterprise_risk p on p.enterprise_id = n.enterprise_id and p.run_id = :prev
    join enterprise e on e.id = n.enterprise_id
    where n.run_id = :run
      and (p.risk_color is distinct from n.risk_color
           or p.major_hazard_grade is distinct from n.major_hazard_grade)
    order by e.id
""")

_PAIRS = sa.text("""
    select enterprise_id, target_id from conflict where run_id = :run
""")

_ENTERPRISES = sa.text("select enterprise_id from enterprise_risk where run_id = :run")


def compare_runs(conn: sa.Connection, run_id: int) -> dict:
    """Changes of ``run_id`` against the previous succeeded run with results.

    Returns ``{"previous_run_id", "colour_changes": [...], "conflicts_added", "conflicts_removed",
    "enterprises_added", "enterprises_removed"}`` (lists of ids or pairs, plus counts).
    """
    prev = previous_run_id(conn, run_id)
    if prev is None:
        return {"previous_run_id": None, "first_run": True}
    colour = [dict(r._mapping) for r in conn.execute(_COLOUR_CHANGES, {"run": run_id, "prev": prev})]
    new_pairs = {tuple(r) for r in conn.execute(_PAIRS, {"run": run_id})}
    old_pairs = {tuple(r) for r in conn.execute(_PAIRS, {"run": prev})}
    new_e = {r[0] for r in conn.execute(_ENTERPRISES, {"run": run_id})}
    old_e = {r[0] for r in conn.execute(_ENTERPRISES, {"run": prev})}
    added = sorted(new_pairs - old_pairs)
    removed = sorted(old_pairs - new_pairs)
    return {
        "previous_run_id": prev,
        "colour_changes": colour,
        "conflicts_added": [list(p) for p in added],
        "conflicts_removed": [list(p) for p in removed],
        "enterprises_added": sorted(new_e - old_e),
        "enterprises_removed": sorted(old_e - new_e),
        "summary": {
            "colour_changed": len(colour), "conflicts_added": len(added),
            "conflicts_removed": len(removed), "enterprises_added": len(new_e - old_e),
            "enterprises_removed": len(old_e - new_e),
        },
    }


def describe(changes: dict) -> str:
    """One Chinese paragraph for the CLI summary."""
    if changes.get("first_run"):
        return "首次计算，无上次结果可比较。"
    s = changes["summary"]
    return (f"与第 {changes['previous_run_id']} 次运行相比：风险颜色或重大危险源等级变化 "
            f"{s['colour_changed']} 家；冲突新增 {s['conflicts_added']} 处、消除 "
            f"{s['conflicts_removed']} 处；企业新增 {s['enterprises_added']} 家、移除 "
            f"{s['enterprises_removed']} 家。")

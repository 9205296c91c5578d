"""Separation conflicts in PostGIS: targets closer to a source than the required distance.

One set-based query per run joins each source's per-category requirements
(``source_requirement``) to the protection targets: one LATERAL probe per source,
``ST_DWithin(t.geog, e.geog, <its largest required distance>)``, drives an index scan on the targets' geography
GiST index (a test asserts the index condition with ``EXPLAIN``).  A target exactly at the
required distance complies (the standards say "不应小于"), so the distance must be strictly
smaller to conflict.  Distances are spheroidal metres (geography).
"""

from __future__ import annotations

import sqlalchemy as sa

from geo.separation import rule_text  # the one wording of a rule (callers import it from here today)

CONFLICT_SQL = """
    with src as (
        select enterprise_id, max(required_m) as max_m from source_requirement
        where run_id = :run_id group by enterprise_id
    )
    select s.enterprise_id, t.id as target_id, t.category, t.distance_m,
           r.required_m, r.rule_id, r.rule_text,
           ST_ShortestLine(e.geom, t.geom) as line
    from src s
    join enterprise e on e.id = s.enterprise_id
    cross join lateral (
        select t.id, t.category, t.geom, ST_Distance(t.geog, e.geog) as distance_m
        from protection_target t
        where ST_DWithin(t.geog, e.geog, s.max_m)
        offset 0  -- one index probe per source (no pull-up into a hash join)
    ) t
    join source_requirement r
      on r.run_id = :run_id and r.enterprise_id = s.enterprise_id and r.category = t.category
    where t.distance_m < r.required_m
"""

INSERT_CONFLICTS = sa.text(f"""
    insert into conflict (run_id, enterprise_id, target_id, category, distance_m, required_m,
                          deficit_m, rule_id, rule_text, geom)
    select :run_id, c.enterprise_id, c.target_id, c.category, c.distance_m, c.required_m,
           c.required_m - c.distance_m, c.rule_id, c.rule_text, c.line
    from ({CONFLICT_SQL}) c
""")

# The same test for one candidate point (siting check).
POINT_CONFLICT_SQL = sa.text("""
    with src as (select ST_SetSRID(ST_MakePoint(:lon, :lat), 4326)::geography as g)
    select t.id as target_id, t.name, t.category, ST_Distance(t.geog, src.g) as distance_m
    from src join protection_target t
      on t.category = :category and ST_DWithin(t.geog, src.g, :required_m)
    where ST_Distance(t.geog, src.g) < :required_m
    order by distance_m
""")


def insert_conflicts(conn: sa.Connection, run_id: int) -> int:
    """Compute and store the run's conflicts from its ``source_requirement`` rows."""
    return conn.execute(INSERT_CONFLICTS, {"run_id": run_id}).rowcount


def explain_conflicts(conn: sa.Connection, run_id: int) -> str:
    """The plan of the conflict query (used by the index test and for diagnosis)."""
    rows = conn.execute(sa.text("explain " + CONFLICT_SQL), {"run_id": run_id})
    return "\n".join(r[0] for r in rows)


def conflicts_at(conn: sa.Connection, lon: float, lat: float, requirements: dict) -> list[dict]:
    """Conflicts of a candidate point, given ``{category: Requirement}``."""
    out = []
    for category, req in requirements.items():
        for r in conn.execute(POINT_CONFLICT_SQL, {"lon": lon, "lat": lat, "category": category,
                                                    "required_m": float(req.required_m)}):
            out.append({"target_id": r.target_id, "name": r.name, "category": r.category,
                        "distance_m": round(float(r.distance_m), 1),
                        "required_m": float(req.required_m),
                        "deficit_m": round(float(req.required_m) - float(r.distance_m), 1),
                        "rule": req.rule.rule_id, "rule_text": rule_text(req.rule)})
    out.sort(key=lambda c: -c["deficit_m"])
    return out

"""Separation conflicts in PostGIS: targets closer to a source than the required distance.

One set-based query (the refresh's; the siting check decides per target in
:func:`geo.postgis.siting.point_conflicts` with the same rule selection) joins each
source's per-category requirements to the protection targets: one LATERAL probe per source,
``t.geom && <its box widened by its largest required distance>`` (:mod:`geo.postgis.nearby`),
drives an index scan on the targets' planar GiST index (a test asserts the index condition
with ``EXPLAIN``); every candidate's exact spheroidal distance then decides.  On the province
benchmark the box probe takes half the time of a geography ``ST_DWithin`` probe and returns
the same pairs.  A target exactly at the
required distance complies (the standards say "不应小于"), so the distance must be strictly
smaller to conflict.  Distances are spheroidal metres (geography).
"""

from __future__ import annotations

import sqlalchemy as sa

from geo.postgis.nearby import metric_box

# The one conflict query.  ``src(source_id, geom, geog)`` are the sources and
# ``req(source_id, category, required_m, rule_id, rule_text)`` what each requires per target
# category; the refresh fills them from ``enterprise`` and ``source_requirement``.
_CONFLICTS = """
    with {sources},
    {requirements},
    reach as (select source_id, max(required_m) as max_m from req group by source_id)
    select s.source_id, t.id as target_id, t.name, t.category, t.distance_m,
           r.required_m, r.rule_id, r.rule_text,
           ST_ShortestLine(s.geom, t.geom) as line
    from reach x
    join src s on s.source_id = x.source_id
    cross join lateral (
        select t.id, t.name, t.category, t.geom, ST_Distance(t.geog, s.geog) as distance_m
        from protection_target t
        where t.geom && BOX
        offset 0  -- one index probe per source (no pull-up into a hash join)
    ) t
    join req r on r.source_id = x.source_id and r.category = t.category
    where t.distance_m < r.required_m
""".replace("BOX", metric_box("s.geom", "x.max_m"))

_RUN_SOURCES = "src as (select id as source_id, geom, geog from enterprise)"
_RUN_REQUIREMENTS = """req as (
        select enterprise_id as source_id, category, required_m, rule_id, rule_text
        from source_requirement where run_id = :run_id)"""
CONFLICT_SQL = _CONFLICTS.format(sources=_RUN_SOURCES, requirements=_RUN_REQUIREMENTS)

INSERT_CONFLICTS = sa.text(f"""
    insert into conflict (run_id, enterprise_id, target_id, category, distance_m, required_m,
                          deficit_m, rule_id, rule_text, geom)
    select :run_id, c.source_id, c.target_id, c.category, c.distance_m, c.required_m,
           c.required_m - c.distance_m, c.rule_id, c.rule_text, c.line
    from ({CONFLICT_SQL}) c
""")


def insert_conflicts(conn: sa.Connection, run_id: int) -> int:
    """Compute and store the run's conflicts from its ``source_requirement`` rows."""
    return conn.execute(INSERT_CONFLICTS, {"run_id": run_id}).rowcount


def explain_conflicts(conn: sa.Connection, run_id: int) -> str:
    """The plan of the conflict query (used by the index test and for diagnosis)."""
    rows = conn.execute(sa.text("explain " + CONFLICT_SQL), {"run_id": run_id})
    return "\n".join(r[0] for r in rows)

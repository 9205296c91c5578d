"""Separation conflicts in PostGIS: targets closer to a source than the required distance.

One set-based query (one home, used by the refresh and the siting check alike) joins each
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
from geo.separation import rule_text  # the one wording of a rule

# The one conflict query.  ``src(source_id, geom, geog)`` are the sources and
# ``req(source_id, category, required_m, rule_id, rule_text)`` what each requires per target
# category; the refresh fills them from ``enterprise`` and ``source_requirement``, the siting
# check from the candidate point and its computed requirements.
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

_POINT_CONFLICTS = sa.text(_CONFLICTS.format(
    sources="""src as (select 0 as source_id, g as geom, geography(g) as geog
                       from (select ST_SetSRID(ST_MakePoint(:lon, :lat), 4326) as g) p)""",
    requirements="""req as (
        select 0 as source_id, category, required_m, rule_id, rule_text
        from unnest(cast(:categories as text[]), cast(:required as float8[]), cast(:rule_ids as text[]),
                    cast(:rule_texts as text[])) as r(category, required_m, rule_id, rule_text))""")
    + " order by r.required_m - t.distance_m desc, t.id")


def insert_conflicts(conn: sa.Connection, run_id: int) -> int:
    """Compute and store the run's conflicts from its ``source_requirement`` rows."""
    return conn.execute(INSERT_CONFLICTS, {"run_id": run_id}).rowcount


def explain_conflicts(conn: sa.Connection, run_id: int) -> str:
    """The plan of the conflict query (used by the index test and for diagnosis)."""
    rows = conn.execute(sa.text("explain " + CONFLICT_SQL), {"run_id": run_id})
    return "\n".join(r[0] for r in rows)


def conflicts_at(conn: sa.Connection, lon: float, lat: float, requirements: dict) -> list[dict]:
    """Conflicts of a candidate WGS-84 point, given ``{category: Requirement}`` (worst first)."""
    if not requirements:
        return []
    cats = sorted(requirements)
    rows = conn.execute(_POINT_CONFLICTS, {
        "lon": lon, "lat": lat, "categories": cats,
        "required": [float(requirements[c].required_m) for c in cats],
        "rule_ids": [requirements[c].rule.rule_id for c in cats],
        "rule_texts": [rule_text(requirements[c].rule) for c in cats]})
    return [{"target_id": r.target_id, "name": r.name, "category": r.category,
             "distance_m": round(float(r.distance_m), 1), "required_m": float(r.required_m),
             "deficit_m": round(float(r.required_m) - float(r.distance_m), 1),
             "rule": r.rule_id, "rule_text": r.rule_text} for r in rows]

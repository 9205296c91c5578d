"""Separation conflicts in PostGIS: targets closer to a source than the required distance.

One set-based query joins each source's per-category requirements to the protection targets
(the refresh's; the siting check runs the same query for its one candidate point through
:func:`conflicts_at`, from :func:`geo.postgis.siting.point_conflicts`): one LATERAL probe per source,
``t.geom && <its box widened by its largest required distance>`` (:mod:`geo.postgis.nearby`),
drives an index scan on the targets' planar GiST index (a test asserts the index condition
with ``EXPLAIN``); every candidate's exact spheroidal distance then decides.  On the province
benchmark the box probe takes half the time of a geography ``ST_DWithin`` probe and returns
the same pairs.  A target exactly at the
required distance complies (the standards say "不应小于"), so the distance must be strictly
smaller to conflict.  Distances are spheroidal metres (geography).

Sources are measured from their footprints when registered (:mod:`geo.postgis.source_geometry`:
hazard-unit footprints, else the site boundary, else the point — the rule text says which when
it is not the installations); the box grows from the footprint's extent, so the candidate search
stays conservative.  A target polygon that contains the source point (or meets its footprint) is
a conflict at 0 m with that reason and no line (not a zero-length one).  Each target takes its
target kind's requirement row when the source has one (:mod:`geo.target_kinds`), else the
category's default row.
"""

from __future__ import annotations

import sqlalchemy as sa

from geo.postgis.nearby import metric_box
from geo.postgis.source_geometry import NOTE_INSIDE_FOOTPRINT, NOTE_INSIDE_POINT, SEPARATION_SOURCES

# The one conflict query.  ``src(source_id, geom, geog, basis_note, is_point)`` are the sources —
# measured from their footprints when registered (geo.postgis.source_geometry) — and
# ``req(source_id, category, target_kind, required_m, rule_id, rule_text)`` what each requires per
# target category — ``target_kind = ''`` the category's default row, others a target kind's own
# (geo.target_kinds); the refresh fills them from ``enterprise`` and ``source_requirement``.  A
# target takes its kind's row when the source has one, else the default; the candidate reach is
# the largest of all rows.
# ``KIND`` is the target-kind SQL of geo.postgis.target_kinds (``''``: every target the default).
_CONFLICTS = """
    with {sources},
    {requirements},
    reach as (select source_id, max(required_m) as max_m from req group by source_id)
    select * from (
        select s.source_id, t.id as target_id, t.name, t.category, t.distance_m,
               case when rk.source_id is not null then rk.required_m else rd.required_m end as required_m,
               case when rk.source_id is not null then rk.rule_id else rd.rule_id end as rule_id,
               case when rk.source_id is not null then t.kind else '' end as target_kind,
               (case when rk.source_id is not null then rk.rule_text else rd.rule_text end) || s.basis_note
                   || case when t.distance_m > 0 then '' when s.is_point then 'INSIDE_POINT'
                           else 'INSIDE_FOOTPRINT' end as rule_text,
               case when t.distance_m > 0 then ST_ShortestLine(s.geom, t.geom) end as line
        from reach x
        join src s on s.source_id = x.source_id
        cross join lateral (
            select t.id, t.name, t.category, t.geom, ST_Distance(t.geog, s.geog) as distance_m, KIND as kind
            from protection_target t
            where t.geom && BOX
            offset 0  -- one index probe per source (no pull-up into a hash join)
        ) t
        left join req rk on rk.source_id = x.source_id and rk.category = t.category and rk.target_kind = t.kind
                        and t.kind <> ''
        left join req rd on rd.source_id = x.source_id and rd.category = t.category and rd.target_kind = ''
    ) c
    where c.distance_m < c.required_m
""".replace("BOX", metric_box("s.geom", "x.max_m")).replace("INSIDE_POINT", NOTE_INSIDE_POINT) \
    .replace("INSIDE_FOOTPRINT", NOTE_INSIDE_FOOTPRINT)

_RUN_SOURCES = f"src as ({SEPARATION_SOURCES})"
_RUN_REQUIREMENTS = """req as (
        select enterprise_id as source_id, category, target_kind, required_m, rule_id, rule_text
        from source_requirement where run_id = :run_id)"""
CONFLICT_SQL = _CONFLICTS.format(sources=_RUN_SOURCES, requirements=_RUN_REQUIREMENTS)
# the same for some sources only (the incremental refresh, geo.postgis.incremental)
SOME_SOURCES_SQL = _CONFLICTS.format(sources=_RUN_SOURCES,
                                     requirements=_RUN_REQUIREMENTS[:-1] + " and enterprise_id = any(:sources))")
NO_KINDS = "''"  # the target-kind SQL that gives every target the default row


# The same query for one candidate point (the siting check): its requirement rows per (category,
# target kind) come as arrays; worst shortfall first.
_POINT_SOURCES = """src as (select 0 as source_id, g as geom, geography(g) as geog, ''::text as basis_note,
                              true as is_point
                       from (select ST_SetSRID(ST_MakePoint(:lon, :lat), 4326) as g) p)"""
_POINT_REQUIREMENTS = """req as (
        select 0 as source_id, category, target_kind, required_m, rule_id, rule_text
        from unnest(cast(:categories as text[]), cast(:kinds as text[]), cast(:required as float8[]),
                    cast(:rule_ids as text[]), cast(:rule_texts as text[]))
             as r(category, target_kind, required_m, rule_id, rule_text))"""
POINT_CONFLICT_SQL = (_CONFLICTS.format(sources=_POINT_SOURCES, requirements=_POINT_REQUIREMENTS)
                      + " order by c.required_m - c.distance_m desc, c.target_id")


def conflicts_at(conn: sa.Connection, lon: float, lat: float, rows, *, target_kind: str) -> list:
    """Conflicts of a candidate WGS-84 point from its requirement ``rows`` — ``(category, target kind,
    required_m, rule_id, rule_text)``, kind ``''`` the category's default — with the refresh's query;
    ``target_kind`` is the target-kind SQL (:func:`geo.postgis.target_kinds.target_kind_sql`)."""
    if not rows:
        return []
    cats, kinds, req, ids, texts = (list(x) for x in zip(*rows))
    return conn.execute(sa.text(_with_kind(POINT_CONFLICT_SQL, target_kind)), {
        "lon": lon, "lat": lat, "categories": cats, "kinds": kinds, "required": [float(r) for r in req],
        "rule_ids": ids, "rule_texts": texts}).all()


def _with_kind(sql: str, target_kind: str) -> str:
    return sql.replace("KIND", target_kind)


def _insert_sql(target_kind: str, sql: str = CONFLICT_SQL) -> sa.TextClause:
    return sa.text(f"""
    insert into conflict (run_id, enterprise_id, target_id, category, distance_m, required_m,
                          deficit_m, rule_id, rule_text, geom)
    select :run_id, c.source_id, c.target_id, c.category, c.distance_m, c.required_m,
           c.required_m - c.distance_m, c.rule_id, c.rule_text, c.line
    from ({_with_kind(sql, target_kind)}) c
""")


def insert_conflicts(conn: sa.Connection, run_id: int, *, target_kind: str = NO_KINDS,
                     sources: list[int] | None = None) -> int:
    """Compute and store the run's conflicts from its ``source_requirement`` rows; ``target_kind``
    is the target-kind SQL (:func:`geo.postgis.target_kinds.target_kind_sql`) the rows were
    written for; ``sources``: only these enterprises' (default all)."""
    if sources is None:
        return conn.execute(_insert_sql(target_kind), {"run_id": run_id}).rowcount
    if not sources:
        return 0
    return conn.execute(_insert_sql(target_kind, SOME_SOURCES_SQL),
                        {"run_id": run_id, "sources": list(sources)}).rowcount


def explain_conflicts(conn: sa.Connection, run_id: int, *, target_kind: str = NO_KINDS) -> str:
    """The plan of the conflict query (used by the index test and for diagnosis)."""
    rows = conn.execute(sa.text("explain " + _with_kind(CONFLICT_SQL, target_kind)), {"run_id": run_id})
    return "\n".join(r[0] for r in rows)

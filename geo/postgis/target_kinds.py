"""The target-kind key (:mod:`geo.target_kinds`) as one SQL expression over ``protection_target``.

:func:`target_kind_sql` generates, from the rules, a ``case`` on the category whose branches
concatenate one ``condition:1|0`` part per condition whose attribute is registered (not null);
``concat_ws`` drops the parts of unregistered attributes, so the text equals
:func:`geo.target_kinds.target_kind_key` of the same target.  Registry columns per attribute:
``population``, ``households``, ``capacity`` (床位数 = ``beds``), ``high_rise`` (boolean).
"""

from __future__ import annotations

from geo.separation import RuleSet, TargetProfile
from geo.target_kinds import SEPARATOR, categories_with_kinds, condition_label, kind_conditions

# attribute of geo.separation.TARGET_FIELDS → column of protection_target
COLUMNS = {"population": "population", "households": "households", "beds": "capacity", "high_rise": "high_rise"}
_SQL_OPS = {"<": "<", "<=": "<=", ">": ">", ">=": ">=", "=": "="}


def _literal(text: str) -> str:
    return "'" + text.replace("'", "''") + "'"


def _value(alias: str, field: str) -> str:
    col = f"{alias}.{COLUMNS[field]}"
    return f"(case when {col} then 1 else 0 end)" if field == "high_rise" else col


def target_kind_sql(ruleset: RuleSet, alias: str = "t") -> str:
    """SQL text: the kind key of the ``protection_target`` row aliased ``alias``."""
    branches = []
    for category in categories_with_kinds(ruleset):
        parts = []
        for field, op, value in kind_conditions(category, ruleset):
            col = f"{alias}.{COLUMNS[field]}"
            label = _literal(condition_label(field, op, value) + ":")
            parts.append(f"case when {col} is not null then {label} || "
                         f"(case when {_value(alias, field)} {_SQL_OPS[op]} {float(value)!r} then '1' else '0' end) end")
        branches.append(f"when {_literal(category)} then concat_ws({_literal(SEPARATOR)}, {', '.join(parts)})")
    if not branches:
        return "''"
    return f"(case {alias}.category {' '.join(branches)} else '' end)"


def kinds_present(conn, ruleset: RuleSet) -> list[tuple[str, str, TargetProfile]]:
    """Every (category, kind key) of the stored targets other than ``""``, each with one of its
    targets as a :class:`~geo.separation.TargetProfile` (any target of a kind gets the same
    requirement).  One grouped scan of ``protection_target``."""
    import sqlalchemy as sa

    rows = conn.execute(sa.text(f"""
        with k as (select t.category, {target_kind_sql(ruleset)} as kind, min(t.id) as id
                   from protection_target t group by 1, 2)
        select k.category, k.kind, t.population, t.households, t.capacity, t.high_rise
        from k join protection_target t on t.id = k.id
        where k.kind <> '' order by k.category, k.kind""")).all()
    return [(r.category, r.kind, TargetProfile(r.category, high_rise=r.high_rise, population=r.population,
                                               households=r.households, beds=r.capacity)) for r in rows]


def kinds_near(conn, ruleset: RuleSet, lon: float, lat: float, reach_m: float) -> list[tuple[str, str, TargetProfile]]:
    """As :func:`kinds_present`, for the targets within ``reach_m`` of a WGS-84 point (the siting check)."""
    import sqlalchemy as sa

    from geo.postgis.nearby import metric_box

    rows = conn.execute(sa.text(f"""
        with p as (select ST_SetSRID(ST_MakePoint(:lon, :lat), 4326) as g),
             k as (select t.category, {target_kind_sql(ruleset)} as kind, min(t.id) as id
                   from protection_target t, p
                   where t.geom && {metric_box("p.g", ":reach")} and ST_DWithin(t.geog, geography(p.g), :reach)
                   group by 1, 2)
        select k.category, k.kind, t.population, t.households, t.capacity, t.high_rise
        from k join protection_target t on t.id = k.id
        where k.kind <> '' order by k.category, k.kind"""), {"lon": lon, "lat": lat, "reach": reach_m}).all()
    return [(r.category, r.kind, TargetProfile(r.category, high_rise=r.high_rise, population=r.population,
                                               households=r.households, beds=r.capacity)) for r in rows]

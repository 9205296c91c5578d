"""Incremental refresh (issue 18 item 3): after a few enterprises or targets changed, measure
only what they touch and keep the rest of the previous run's spatial results.

What a refresh reads is fingerprinted (``refresh_state``): per enterprise the md5 of its row with
its hazard units and their inventories, per protection target the md5 of its row.  The next
refresh compares the stored rows with the fingerprints of the *base* run (the previous run with
results, which must have recorded them) and finds the enterprises and targets added, changed or
removed.  The two expensive spatial steps are then computed only where the change reaches:

* **exposure** (people within 500 m, GB 18218 α) — again for the changed enterprises, the
  enterprises within 500 m of a changed target's current geometry, and those whose previous count
  included a changed or removed target; every other enterprise keeps its previous count
  (``enterprise_exposure``);
* **conflicts** — again for the changed enterprises, the enterprises whose requirement rows
  differ from the base run's (a new grade, a target kind that appeared in the data …), those within
  the conflict query's own reach box of a changed target, and those with a previous conflict with a
  changed target; every other enterprise's conflicts are copied (a removed target's conflicts went
  with it).

Every other step (GB 18218 grading, requirements, colours, areas, pipelines, the wings) is
recomputed in full from its inputs, as in a full refresh — they are set-based or cached per kind.
A full refresh is done instead when there is no base, when the deployment's reference tables,
rules or model versions differ from the base run's, or when more than :data:`MAX_CHANGED_SHARE`
of the enterprises changed (a full refresh is then cheaper).  ``tests/test_incremental.py``
compares incremental with full refreshes on randomised edits, table by table.
"""

from __future__ import annotations

import json
from dataclasses import dataclass

import sqlalchemy as sa

from geo.postgis.conflicts import insert_conflicts
from geo.postgis.copy import copy_rows
from geo.postgis.exposure import exposed_people_by_enterprise, EXPOSURE_RADIUS_M
from geo.postgis.nearby import metric_box
from geo.postgis.runs import previous_run_id
from geo.postgis.source_geometry import SEPARATION_SOURCES

# above this share of changed enterprises the full refresh is cheaper than finding what they touch
MAX_CHANGED_SHARE = 0.2

# the fingerprint of what a refresh reads, one row per enterprise and per target: an enterprise's
# row text followed by each hazard unit's (in id order) with its inventory rows (in id order);
# aggregated per table in one pass each (hash joins), not by a subquery per enterprise
_CURRENT_STATE = """
    select 'enterprise'::text as entity, e.id, md5(e::text || coalesce(uu.s, '')) as hash
    from enterprise e
    left join (select u.enterprise_id, string_agg(u::text || coalesce(inv.s, ''), ';' order by u.id) as s
               from hazard_unit u
               left join (select hazard_unit_id, string_agg(i::text, ',' order by i.id) as s
                          from inventory i group by hazard_unit_id) inv on inv.hazard_unit_id = u.id
               group by u.enterprise_id) uu on uu.enterprise_id = e.id
    union all
    select 'target', t.id, md5(t::text) from protection_target t
"""

_RECORD_STATE = sa.text(f"""
    insert into refresh_state (entity, id, hash, run_id)
    select entity, id, hash, :run from ({_CURRENT_STATE}) s
""")

_BASE_STATE = sa.text("select count(*), count(distinct run_id), min(run_id) from refresh_state")

_DIFF = sa.text(f"""
    with cur as ({_CURRENT_STATE})
    select coalesce(c.entity, s.entity) as entity, coalesce(c.id, s.id) as id, c.id is null as removed
    from cur c full join refresh_state s on s.entity = c.entity and s.id = c.id
    where c.hash is distinct from s.hash
""")

_BASE_EXPOSURE = sa.text("""select enterprise_id, people, targets from enterprise_exposure
                            where run_id = :base and enterprise_id = any(:ids)""")

# enterprises whose 500 m count may change: within 500 m of a changed target now, or counted one before
_EXPOSURE_REACHED = sa.text("""
    select e.id from enterprise e join protection_target t on t.id = any(:targets)
     and ST_DWithin(coalesce(e.footprint::geography, e.geog), t.geog, :r)
    union
    select x.enterprise_id from enterprise_exposure x cross join lateral jsonb_array_elements(x.targets) j
    where x.run_id = :base and (j->>'target_id')::int = any(:gone)
""")

# enterprises whose requirement rows differ from the base run's (either way)
_REQUIREMENTS_CHANGED = sa.text("""
    select distinct enterprise_id from (
        (select enterprise_id, category, target_kind, required_m, rule_id, rule_text
         from source_requirement where run_id = :run
         except all
         select enterprise_id, category, target_kind, required_m, rule_id, rule_text
         from source_requirement where run_id = :base)
        union all
        (select enterprise_id, category, target_kind, required_m, rule_id, rule_text
         from source_requirement where run_id = :base
         except all
         select enterprise_id, category, target_kind, required_m, rule_id, rule_text
         from source_requirement where run_id = :run)) d
""")

# sources whose reach box (the conflict query's own candidate test) holds a changed target, and
# sources with a conflict with a changed target in the base run
_CONFLICT_REACHED = sa.text(f"""
    with reach as (select enterprise_id as source_id, max(required_m) as max_m
                   from source_requirement where run_id = :run group by enterprise_id),
    src as ({SEPARATION_SOURCES})
    select s.source_id from reach x join src s on s.source_id = x.source_id
    join protection_target t on t.id = any(:targets) and t.geom && {metric_box("s.geom", "x.max_m")}
    union
    select enterprise_id from conflict where run_id = :base and target_id = any(:targets)
""")

_COPY_CONFLICTS = sa.text("""
    insert into conflict (run_id, enterprise_id, target_id, category, distance_m, required_m,
                          deficit_m, rule_id, rule_text, geom)
    select :run, c.enterprise_id, c.target_id, c.category, c.distance_m, c.required_m,
           c.deficit_m, c.rule_id, c.rule_text, c.geom
    from conflict c
    where c.run_id = :base and c.hazard_unit_id is null and coalesce(c.basis, '') <> 'individual_risk'
      and not (c.enterprise_id = any(:affected))
""")


@dataclass
class Plan:
    """What changed since the base run."""
    base_run_id: int
    enterprises: set[int]  # added or changed (current ids)
    targets: set[int]  # added or changed (current ids)
    removed_targets: set[int]
    removed_enterprises: int

    def as_json(self) -> dict:
        return {"base_run_id": self.base_run_id, "changed_enterprises": len(self.enterprises),
                "removed_enterprises": self.removed_enterprises, "changed_targets": len(self.targets),
                "removed_targets": len(self.removed_targets)}


def record_state(conn: sa.Connection, run_id: int, exposure: dict) -> None:
    """Keep what ``run_id`` read (its fingerprints replace the previous ones) and the people it
    counted per enterprise; called at the end of every refresh, full or incremental."""
    conn.execute(sa.text("truncate refresh_state"))  # transactional; only refreshes (one at a time) read it
    conn.execute(_RECORD_STATE, {"run": run_id})
    copy_rows(conn, "enterprise_exposure", ("run_id", "enterprise_id", "people", "targets"),
              ((run_id, eid, ex["people"], json.dumps(ex["targets"], ensure_ascii=False))
               for eid, ex in sorted(exposure.items())))


def plan(conn: sa.Connection, run_id: int, versions: dict, *,
         max_changed_share: float = MAX_CHANGED_SHARE) -> Plan | None:
    """What changed since the previous run with results, or None when a full refresh is due (no
    recorded base, other versions, or too much changed)."""
    base = previous_run_id(conn, run_id)
    if base is None:
        return None
    n, runs, state_run = conn.execute(_BASE_STATE).one()
    if n == 0 or runs != 1 or state_run != base:
        return None
    base_versions = conn.execute(sa.text("select versions from run where id = :b"), {"b": base}).scalar()
    if base_versions != json.loads(json.dumps(versions)):
        return None
    ents, targets, gone_targets, gone_ents = set(), set(), set(), 0
    for r in conn.execute(_DIFF):
        if r.entity == "enterprise":
            if r.removed:
                gone_ents += 1
            else:
                ents.add(r.id)
        elif r.removed:
            gone_targets.add(r.id)
        else:
            targets.add(r.id)
    total = conn.execute(sa.text("select count(*) from enterprise")).scalar() or 0
    if len(ents) + gone_ents > max_changed_share * max(total, 1):
        return None
    return Plan(base, ents, targets, gone_targets, gone_ents)


class IncrementalEngine:
    """The refresh's two spatial steps (``exposed_people``, ``insert_conflicts`` — the interface of
    :mod:`hazmap.refresh_engine`) computed where :class:`Plan`'s changes reach, the rest kept."""

    def __init__(self, p: Plan):
        self.plan = p
        self.counts: dict = {"plan": p.as_json()}

    def exposed_people(self, conn: sa.Connection, ids: list[int]) -> dict:
        p = self.plan
        reached = {r[0] for r in conn.execute(_EXPOSURE_REACHED, {
            "targets": sorted(p.targets), "r": EXPOSURE_RADIUS_M, "base": p.base_run_id,
            "gone": sorted(p.targets | p.removed_targets)})}
        again = (p.enterprises | reached) & set(ids)
        kept = [i for i in ids if i not in again]
        out = {r.enterprise_id: {"people": float(r.people), "targets": list(r.targets)}
               for r in conn.execute(_BASE_EXPOSURE, {"base": p.base_run_id, "ids": kept})}
        out.update(exposed_people_by_enterprise(conn, sorted(again)))
        self.counts["exposure_measured"] = len(again)
        return out

    def insert_conflicts(self, conn: sa.Connection, run_id: int, *, target_kind: str) -> int:
        p = self.plan
        params = {"run": run_id, "base": p.base_run_id}
        affected = set(p.enterprises)
        affected |= {r[0] for r in conn.execute(_REQUIREMENTS_CHANGED, params)}
        affected |= {r[0] for r in conn.execute(_CONFLICT_REACHED, dict(params, targets=sorted(p.targets)))}
        kept = conn.execute(_COPY_CONFLICTS, dict(params, affected=sorted(affected))).rowcount
        measured = insert_conflicts(conn, run_id, target_kind=target_kind, sources=sorted(affected))
        self.counts["conflict_sources_measured"] = len(affected)
        return kept + measured

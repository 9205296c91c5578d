"""The refresh: recompute every result from the stored registries, keyed by ``run_id``.

Steps (all inside the caller's transaction, so a run commits whole or not at all):

1. people exposed within 500 m of every enterprise (:mod:`geo.postgis.exposure`);
2. GB 18218 assessment of every hazard unit — production and storage units separately, W5 by
   the unit's registered operating temperature and pressure (absent → 常温常压, said so);
3. each enterprise's separation requirements per protection-target category
   (``source_requirement``) from the rules table, chosen by its registered sizes (储罐总容积 — else
   its units' 储罐容积 summed —, 站级, 油气回收, 储罐埋地, 油库等级; :mod:`geo.registry_sizes`) and
   what its storage units' quantities give where those are missing (:mod:`geo.source_profile`);
   unknown → the smallest band, said 下限;
4. conflicts by one set-based ``ST_DWithin`` join (:mod:`geo.postgis.conflicts`);
5. the four-colour grade of every enterprise with its reasons;
6. area risk per town and per 500 m grid cell;
7. pipeline impact radius and high-consequence-area segments.
"""

from __future__ import annotations

import datetime as dt
import json
from collections import defaultdict
from dataclasses import replace

import sqlalchemy as sa

from geo import area_risk, enterprise as ent_mod
from geo.postgis import areas as areas_mod
from geo.postgis import assessment as assessment_mod
from geo.postgis import consequence as consequence_mod
from geo.postgis import incremental as incremental_mod
from geo.postgis import pipelines as pipelines_mod
from geo.postgis import waste as waste_mod
from geo.postgis.conflicts import insert_conflicts
from geo.postgis.copy import copy_rows, copy_rows_shared
from geo.major_hazard import ProcessConditions
from geo.postgis.exposure import exposed_people_by_enterprise, exposure_basis
from geo.postgis.target_kinds import kinds_present, target_kind_sql
from geo.registry_sizes import registered_sizes
from geo.separation import requirement_text, requirements_by_target_kind, resolve_basis, source_kind
from geo.postgis.transport import step as transport_step

UNITS_SQL = sa.text("""
    select u.id, u.enterprise_id, u.name, u.kind, u.fire_class, u.operating_temperature_c, u.operating_pressure_mpa,
           u.tank_volume_m3, c.key as chemical_key, i.quantity_t
    from hazard_unit u join inventory i on i.hazard_unit_id = u.id
    join chemical c on c.id = i.chemical_id
    order by u.id, c.key
""")

# said on a unit's result when its enterprise has no site boundary (GB 18218: 500 m outside the boundary)
RING_FROM_POINT = "500 m暴露范围以企业点位计（未登记厂区边界），暴露人数可能偏少"

UNIT_RESULT_COLUMNS = ("run_id", "hazard_unit_id", "s", "r", "alpha", "exposed_people", "exposure_basis", "exposure",
                       "is_major", "grade", "details", "notes")

ENTERPRISES_SQL = sa.text("""
    select id, name, stages, facility_type, in_chemical_park, larger_accidents_3y,
           fatal_accidents_3y, major_accidents_3y, fatal_accidents_1y, major_hidden_dangers, standardisation_level,
           tank_volume_m3, station_grade, vapour_recovery, lpg_tank_buried, oil_depot_grade,
           (footprint is not null and not ST_IsEmpty(footprint)) as has_footprint
    from enterprise order by id
""")


# The wings' contributions to the four colours: each provider is called once per refresh as
# ``provider(conn, run_id, enterprise_ids, domain, as_of, scratch) -> {enterprise_id: ColourInput}`` and
# may give, per enterprise, ``facts`` (fields of geo.risk_color.DerivedFacts to set — e.g. dated
# accidents or the hidden-danger ledger's contribution), ``assessed`` (geo.risk_color assessed
# items) and ``extra_reasons`` (reason dicts of a local refinement, e.g. waste findings).  ``scratch``
# is this refresh's own dict, shared with the wing steps (``summary["scratch"]``): a wing that computes
# once for both keeps its result there, under its name — no state outlives the refresh.  A wing adds
# its provider here, one line.
COLOUR_INPUTS: list = [assessment_mod.colour_inputs, waste_mod.colour_inputs, consequence_mod.colour_inputs]

# The wings' own refresh steps, run after the core steps in this order, each as
# ``step_fn(conn, run_id, domain, summary) -> dict`` (its counts, kept under summary[name]);
# ``summary`` holds ``colours``, ``as_of`` and the providers' ``scratch``.
# A wing adds its step here, one line: (name, Chinese label for progress, function).
WING_STEPS: list = [("assessment", "监管部门与村/社区", assessment_mod.departments_step),
                    ("consequence", "后果与个人风险（GB/T 37243、GB 36894）", consequence_mod.wing_step),
                    ("waste", "危险废物库存、超期与联单核查", waste_mod.refresh_step),
                    ("transport", "危险货物运输：五必查、行程、路线报警、集中度", transport_step)]


RISK_COLUMNS = ("run_id", "enterprise_id", "risk_color", "risk_score", "reasons", "major_hazard_grade", "model_version",
                "risk_score_min", "risk_color_worst", "assessment_coverage", "provisional", "direct_red_unevaluated",
                "assessment")
RISK_SHARED = ("reasons", "direct_red_unevaluated", "assessment")  # alike for enterprises alike in every fact


def _risk_texts(risk: dict) -> tuple[str, str, str]:
    """The JSON texts of a grading: reasons, unevaluated direct-red conditions, the per-item assessment."""
    def dumps(v) -> str:
        return json.dumps(v, ensure_ascii=False)

    return (dumps(risk["reasons"]), dumps(risk["direct_red_unevaluated"]),
            dumps({"items": risk["items"], "summary": risk["summary"], "unassessed_points": risk["unassessed_points"],
                   "direct_red": risk["direct_red"], "not_assessed": risk["not_assessed"],
                   "variant": risk["variant"], "as_of": risk["as_of"]}))


def _conditions(r):
    """A unit's registered operating conditions (表2 W5), None when neither is registered."""
    if r.operating_temperature_c is None and r.operating_pressure_mpa is None:
        return None
    return ProcessConditions(temperature_c=r.operating_temperature_c, pressure_mpa=r.operating_pressure_mpa)


def _sizes(e, unit_tank_volumes) -> dict:
    """The enterprise's registered sizes (and its units' tank volumes) for its source profile."""
    return registered_sizes(tank_volume_m3=e.tank_volume_m3, station_grade=e.station_grade,
                            vapour_recovery=e.vapour_recovery, lpg_tank_buried=e.lpg_tank_buried,
                            oil_depot_grade=e.oil_depot_grade, unit_tank_volumes=unit_tank_volumes)


def _colour_inputs(conn, run_id, ids, domain, as_of, scratch: dict) -> dict:
    merged: dict = defaultdict(lambda: {"facts": {}, "assessed": [], "extra_reasons": []})
    for provider in COLOUR_INPUTS:
        for eid, inp in provider(conn, run_id, ids, domain, as_of, scratch).items():
            m = merged[eid]
            m["facts"].update(inp.get("facts") or {})
            m["assessed"].extend(inp.get("assessed") or ())
            m["extra_reasons"].extend(inp.get("extra_reasons") or ())
    return merged


def refresh(conn: sa.Connection, run_id: int, domain, *, progress=None, engine=None,
            incremental: bool = False) -> dict:
    """Recompute all results for ``run_id`` from the stored registries and ``domain``
    (:class:`geo.domain.Domain`); returns a summary dict (counts).

    ``progress(message)`` is called at the start of each step (long runs show where they are);
    ``engine`` (``exposed_people(conn, ids)``, ``insert_conflicts(conn, run_id)``) may compute the
    two set-based spatial steps elsewhere (the Dask engine); default PostGIS.  ``incremental``
    (PostGIS engine only): measure exposure and conflicts only where the registries changed since
    the previous run (:mod:`geo.postgis.incremental`; it falls back to a full refresh when it
    cannot tell); the results are those of a full refresh.
    """
    import time

    steps: dict[str, float] = {}
    clock = {"name": None, "t": time.perf_counter()}

    def step(message: str) -> None:
        """Start a step: time the previous one (``summary["steps"]``) and tell ``progress``."""
        now = time.perf_counter()
        if clock["name"]:
            steps[clock["name"]] = round(now - clock["t"], 3)
        clock.update(name=message, t=now)
        if progress and message:
            progress(message)

    ref = domain.reference
    step("归属镇街")
    areas_mod.attribute_towns(conn)
    plan = incremental_mod.plan(conn, run_id, domain.versions.as_json()) if incremental and engine is None else None
    if plan:
        engine = incremental_mod.IncrementalEngine(plan)
    step("统计500 m内暴露人数")
    enterprises = list(conn.execute(ENTERPRISES_SQL))
    ent_ids = [e.id for e in enterprises]
    exposure = (engine.exposed_people if engine else exposed_people_by_enterprise)(conn, ent_ids)

    # -- 2. hazard units ---------------------------------------------------------------
    step("重大危险源辨识与分级（GB 18218）")
    units: dict[int, dict] = {}
    for r in conn.execute(UNITS_SQL):
        u = units.setdefault(r.id, {"enterprise_id": r.enterprise_id, "kind": r.kind, "name": r.name,
                                    "fire_class": r.fire_class, "lines": [], "tank_volume_m3": r.tank_volume_m3,
                                    "conditions": _conditions(r)})
        u["lines"].append((ref.chemical_by_key(r.chemical_key), float(r.quantity_t)))
    unit_rows, grades_by_ent = [], defaultdict(list)
    pointed = {e.id for e in enterprises if not e.has_footprint}  # α ring drawn from the point
    chems_by_ent, fire_by_ent, sites_by_ent = defaultdict(list), defaultdict(set), defaultdict(list)
    stored_by_ent, tanks_by_ent = defaultdict(list), defaultdict(list)  # what the size-aware rules read
    units_by_ent = defaultdict(list)  # (name, kind, tank volume, lines): the tank farms
    for uid, u in units.items():
        ex = exposure.get(u["enterprise_id"], {"people": 0.0, "targets": []})
        j = ent_mod.unit_result(u["lines"], exposed_people=ex["people"], domain=domain, conditions=u["conditions"],
                                exposure_basis=exposure_basis(exposure, u["enterprise_id"]))
        if u["enterprise_id"] in pointed:
            j["notes"].append(RING_FROM_POINT)
        if u["kind"] == "storage":
            stored_by_ent[u["enterprise_id"]].extend(u["lines"])
        tanks_by_ent[u["enterprise_id"]].append(u["tank_volume_m3"])
        units_by_ent[u["enterprise_id"]].append((u["name"], u["kind"], u["tank_volume_m3"], tuple(u["lines"])))
        unit_rows.append({"run_id": run_id, "hazard_unit_id": uid, "s": j["S"], "r": j["R"],
                          "alpha": j["alpha"], "exposed_people": ex["people"], "exposure_basis": j["exposure_basis"],
                          "exposure": json.dumps(ex["targets"], ensure_ascii=False),
                          "is_major": j["is_major"], "grade": j["grade"],
                          "details": json.dumps(j["chemicals"], ensure_ascii=False),
                          "notes": json.dumps(j["notes"], ensure_ascii=False)})
        if j["grade"] is not None:
            grades_by_ent[u["enterprise_id"]].append(j["grade"])
        chems_by_ent[u["enterprise_id"]].extend(c for c, _ in u["lines"])
        if u["fire_class"]:
            fire_by_ent[u["enterprise_id"]].add(u["fire_class"])
            sites_by_ent[u["enterprise_id"]].append((uid, u["fire_class"]))
    copy_rows(conn, "hazard_unit_result", UNIT_RESULT_COLUMNS, ((r[c] for c in UNIT_RESULT_COLUMNS) for r in unit_rows))

    # -- 3. requirements ---------------------------------------------------------------
    step("确定防护距离要求")
    # one requirement computation per source kind (what the rules can tell apart), not per enterprise;
    # per category a default row (target attributes unknown) and one per target kind present in the
    # data whose requirement differs (geo.target_kinds: e.g. a school of > 500 registered pupils)
    present = kinds_present(conn, domain.rules)
    by_kind: dict = {}
    req_rows = []
    for e in enterprises:
        grades = grades_by_ent.get(e.id, [])
        profile = ent_mod.source_profile(stages=list(e.stages), facility_type=e.facility_type,
                                         major_grade=min(grades) if grades else None,
                                         chemicals=chems_by_ent.get(e.id, []),
                                         fire_classes=fire_by_ent.get(e.id, set()),
                                         sizes=_sizes(e, tanks_by_ent.get(e.id, ())),
                                         lines=stored_by_ent.get(e.id, ()), domain=domain,
                                         units=units_by_ent.get(e.id, ()))
        kind = source_kind(profile, domain.rules)
        if kind not in by_kind:  # (category, target kind, requirement, its text when no derived number is involved)
            by_kind[kind] = [(c, tk, r, None if r.basis else requirement_text(r))
                             for c, tk, r in requirements_by_target_kind(kind, domain.rules, present)]
        for category, target_kind, req, text in by_kind[kind]:
            if text is None:
                req = resolve_basis(req, profile)
                text = requirement_text(req)
            req_rows.append((run_id, e.id, category, target_kind, float(req.required_m), req.rule.rule_id, text))
    copy_rows(conn, "source_requirement", ("run_id", "enterprise_id", "category", "target_kind", "required_m",
                                           "rule_id", "rule_text"), req_rows)
    conn.execute(sa.text("analyze source_requirement"))  # the conflict query plans on this run's rows

    # -- 4. conflicts ------------------------------------------------------------------
    step("计算距离冲突")
    n_conflicts = (engine.insert_conflicts if engine else insert_conflicts)(
        conn, run_id, target_kind=target_kind_sql(domain.rules))
    conflicts_by_ent = dict(conn.execute(sa.text(
        "select enterprise_id, count(*) from conflict where run_id = :r group by enterprise_id"),
        {"r": run_id}).all())

    # -- 5. four colours ---------------------------------------------------------------
    step("四色分级")
    as_of = dt.date.today()
    scratch: dict = {}  # this refresh's hand-over from the wings' colour inputs to their steps
    inputs = _colour_inputs(conn, run_id, ent_ids, domain, as_of, scratch)
    risk_rows, colour_by_ent, graded = [], {}, {}
    for e in enterprises:
        grades = grades_by_ent.get(e.id, [])
        facts = ent_mod.colour_facts(
            stages=list(e.stages), major_grades=grades, chemicals=chems_by_ent.get(e.id, []),
            in_chemical_park=e.in_chemical_park, conflicts=conflicts_by_ent.get(e.id, 0),
            larger_accidents=e.larger_accidents_3y, fatal_accidents=e.fatal_accidents_3y,
            major_accidents=e.major_accidents_3y, fatal_accidents_1y=e.fatal_accidents_1y,
            major_hidden_dangers=e.major_hidden_dangers,
            standardisation_level=e.standardisation_level,
            fire_sites=sites_by_ent.get(e.id, ()))
        extra = inputs.get(e.id)
        if extra and extra["facts"]:
            facts = replace(facts, **extra["facts"])
        if extra and (extra["assessed"] or extra["extra_reasons"]):
            risk = ent_mod.colour(facts, domain=domain, as_of=as_of, assessed=extra["assessed"],
                                  extra_reasons=extra["extra_reasons"])
            texts = _risk_texts(risk)
        else:  # enterprises alike in every fact share one grading (and its JSON text)
            if facts not in graded:
                r = ent_mod.colour(facts, domain=domain, as_of=as_of)
                graded[facts] = (r, _risk_texts(r))
            risk, texts = graded[facts]
        colour_by_ent[e.id] = (risk["risk_color"], min(grades) if grades else None)
        risk_rows.append((run_id, e.id, risk["risk_color"], risk["risk_score"], texts[0],
                          min(grades) if grades else None, risk["model_version"], risk["risk_score_min"],
                          risk["risk_color_worst"], risk["assessment_coverage"], risk["provisional"], *texts[1:]))
    copy_rows_shared(conn, "enterprise_risk", RISK_COLUMNS, risk_rows, RISK_SHARED)

    # -- 6. areas ----------------------------------------------------------------------
    step("区域风险（镇街、网格）")
    i_colour, i_worst, i_prov = (RISK_COLUMNS.index(c) for c in ("risk_color", "risk_color_worst", "provisional"))
    worst_by_ent = {r[1]: (r[i_worst], r[i_prov]) for r in risk_rows}
    n_areas = _refresh_areas(conn, run_id, colour_by_ent, exposure, domain.area, worst_by_ent)

    # -- 7. pipelines ------------------------------------------------------------------
    step("管道高后果区")
    n_hca = pipelines_mod.refresh_hca(conn, run_id, domain.pipeline)

    wing_counts = {}
    for name, label, fn in WING_STEPS:
        step(label)
        wing_counts[name] = fn(conn, run_id, domain, {"colours": colour_by_ent, "as_of": as_of, "scratch": scratch})

    step("记录本次输入（供增量重算）")
    incremental_mod.record_state(conn, run_id, exposure)
    step("")  # closes the last step's timing
    colours = defaultdict(int)
    for c, _ in colour_by_ent.values():
        colours[c] += 1
    provisional = {"count": sum(1 for r in risk_rows if r[i_prov]),
                   "could_be_red": sum(1 for r in risk_rows if r[i_prov] and r[i_worst] == "red" and r[i_colour] != "red")}
    return {
        "enterprises": len(enterprises), "hazard_units": len(unit_rows),
        "major_hazards": sum(1 for r in unit_rows if r["grade"] is not None), "source_kinds": len(by_kind),
        "requirements": len(req_rows), "conflicts": n_conflicts, "areas": n_areas,
        "hca_segments": n_hca, "colours": dict(colours), "provisional": provisional,
        "versions": domain.versions.as_json(), "steps": steps, **wing_counts,
        "incremental": engine.counts if plan else None,
    }


def colour_text(summary: dict) -> str:
    """The four colours of a refresh summary, with how many are provisional (what the CLI and ETL print):
    "红 3 / 橙 5 / 黄 20 / 蓝 125（初步分级 150 家，其中最不利可能为红色 40 家）"."""
    cl, prov = summary["colours"], summary.get("provisional") or {}
    text = (f"红 {cl.get('red', 0)} / 橙 {cl.get('orange', 0)} / 黄 {cl.get('yellow', 0)} / "
            f"蓝 {cl.get('blue', 0)}")
    if prov.get("count"):
        text += (f"（初步分级 {prov['count']} 家：评估未覆盖全部 100 分，其中最不利可能为红色 "
                 f"{prov['could_be_red']} 家）")
    return text


def _refresh_areas(conn, run_id, colour_by_ent, exposure, params, worst_by_ent=None) -> int:
    """Area risk per town and per grid cell: members grouped here, the index per area by
    :func:`geo.area_risk.area_index`, all rows written by two set-based statements.

    An area's colour is only as known as its enterprises': ``counts`` also holds ``provisional``
    (members graded provisionally), ``could_be_red`` and the area's worst case — ``worst_index`` /
    ``worst_color``, the index with every member at its ``risk_color_worst`` (``worst_by_ent``)."""
    worst_by_ent = worst_by_ent or {}

    def graded(groups: dict) -> list[tuple]:
        out = []
        for key, members in sorted(groups.items()):
            people = round(sum(exposure.get(e, {"people": 0.0})["people"] for e in members), 1)
            idx, color, counts = area_risk.area_index([colour_by_ent[e] for e in members], exposed_people=people,
                                                     params=params)
            worst = [worst_by_ent.get(e, (None, False)) for e in members]
            worst = [(w or colour_by_ent[e][0], p) for e, (w, p) in zip(members, worst)]
            w_idx, w_color, _ = area_risk.area_index([(w, colour_by_ent[e][1]) for e, (w, _) in zip(members, worst)],
                                                     exposed_people=people, params=params)
            counts.update(provisional=sum(1 for _, p in worst if p),
                          could_be_red=sum(1 for e, (w, p) in zip(members, worst) if p and w == "red"
                                           and colour_by_ent[e][0] != "red"),
                          worst_index=w_idx, worst_color=w_color)
            out.append((key, idx, color, json.dumps(counts), people))
        return out

    by_town = defaultdict(list)
    for eid, town in areas_mod.enterprise_towns(conn).items():
        by_town[town].append(eid)
    towns = {t.code: [] for t in areas_mod.towns(conn)}
    towns.update({code: by_town[code] for code in towns if code in by_town})
    n = areas_mod.insert_towns(conn, run_id, graded(towns))
    srid, cells = areas_mod.enterprise_cells(conn)
    by_cell = defaultdict(list)
    for eid, cell in cells.items():
        by_cell[cell].append(eid)
    return n + areas_mod.insert_cells(conn, run_id, srid, graded(by_cell))

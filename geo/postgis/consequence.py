"""The consequence tier in the refresh: threat zones, IR contours and GB 36894 checks of every major hazard.

For each hazard unit that is a major hazard source in the run (GB 18218 S ≥ 1 — which includes
every unit at or above the threshold of a toxic or flammable gas), :func:`refresh_consequence`

1. builds the unit's inputs from the registry (inventory; location = the enterprise's point,
   WGS-84; storage conditions not registered → the model's documented defaults, each input
   stored with its source) and their hash (:func:`geo.consequence.records.unit_input_hash`);
2. reuses the stored ``consequence_result`` of that hash (scenarios, threat zones, IR contours)
   or computes and stores a new one (:mod:`geo.consequence.assess`);
3. checks every protection target within the unit's reach against its GB 36894 criterion, at the
   target's point nearest the source (``ir_check``) — copied from the previous run when neither
   the unit nor the targets in reach changed;
4. concludes per enterprise (``enterprise_consequence``): the guide's 外部安全防护距离 is
   not met / met / 未计算 from the checks and the design-code conflicts (local-policy screening
   distances no longer decide it), with its F–N points (``fn_point``);
5. marks each conflict's ``basis`` (the rule's kind) and adds an ``individual_risk`` conflict per
   failed check (required distance = where the IR along the target's bearing falls to its criterion).

It runs from the colour provider :func:`colour_inputs` (the four colours need its findings, and
providers run before the wing steps); :func:`wing_step` reports its counts.

Notes
-----
Distances are spheroidal metres (geography); the unit's reach is the farthest distance with a
fatality probability ≥ ``fatality_cutoff`` (``model.toml``) over its outcomes.
"""

from __future__ import annotations

import json

import sqlalchemy as sa

from geo.consequence import assess, records
from geo.consequence.risk import ProtectionTarget, combine_fn
from geo.consequence.scenarios import HazardUnitInput, InventoryItem
from geo.risk_color import ExternalDistanceFinding

INDIVIDUAL_RISK = "individual_risk"
SCREENING = "screening"

MAJOR_UNITS_SQL = sa.text("""
    select u.id, u.unit_key, u.name, u.enterprise_id, ST_X(e.geom) as lon, ST_Y(e.geom) as lat, hr.details,
           c.key as chemical_key, c.name as chemical_name, coalesce(c.cas[1], '') as cas, i.quantity_t
    from hazard_unit_result hr
    join hazard_unit u on u.id = hr.hazard_unit_id
    join enterprise e on e.id = u.enterprise_id
    join inventory i on i.hazard_unit_id = u.id
    join chemical c on c.id = i.chemical_id
    where hr.run_id = :run and hr.is_major
    order by u.id, c.key
""")

TARGETS_SQL = sa.text("""
    select t.id, t.name, t.gb36894_class, coalesce(t.population, 0) as population,
           ST_X(cp.p) as lon, ST_Y(cp.p) as lat, ST_Distance(t.geog, e.geog) as distance_m
    from enterprise e
    join protection_target t on ST_DWithin(t.geog, e.geog, :reach)
    cross join lateral (select ST_ClosestPoint(t.geom, e.geom) as p) cp
    where e.id = :e
    order by t.id
""")

PREVIOUS_RESULT_SQL = sa.text("""
    select id, reach_m, targets_hash from consequence_result where hazard_unit_id = :u and input_hash = :h
""")

INSERT_RESULT = sa.text("""
    insert into consequence_result (hazard_unit_id, input_hash, model_version, data_version, computed_run_id,
                                    installation, reach_m, cell_m, inputs, not_computed, scenario_count,
                                    targets_hash, fn, geom)
    values (:u, :h, :model, :data, :run, :installation, :reach, :cell, cast(:inputs as jsonb),
            cast(:not_computed as jsonb), :n, :th, cast(:fn as jsonb), ST_SetSRID(ST_MakePoint(:lon, :lat), 4326))
    returning id
""")

INSERT_SCENARIO = sa.text("""
    insert into consequence_scenario (result_id, scenario_key, chemical_key, chemical_name, hole_id, hole_label,
                                      frequency_per_year, frequency_source, release_kind, rate_kg_s, mass_kg,
                                      duration_s, outcomes, inputs)
    values (:result_id, :scenario_key, :chemical_key, :chemical_name, :hole_id, :hole_label, :frequency_per_year,
            :frequency_source, :release_kind, :rate_kg_s, :mass_kg, :duration_s, cast(:outcomes as jsonb),
            cast(:inputs as jsonb))
""")

INSERT_ZONE = sa.text("""
    insert into threat_zone (result_id, chemical_key, chemical_name, endpoint, endpoint_label, distance_m,
                             lower_bound, model, inputs, geom)
    values (:result_id, :chemical_key, :chemical_name, :endpoint, :endpoint_label, :distance_m, :lower_bound,
            :model, cast(:inputs as jsonb), ST_GeomFromText(:wkt, 4326))
""")

INSERT_CONTOUR = sa.text("""
    insert into risk_contour (result_id, level_per_year, label, area_m2, source, status, geom)
    values (:result_id, :level, :label, :area, :source, :status,
            ST_Multi(ST_CollectionExtract(ST_MakeValid(ST_GeomFromText(:wkt, 4326)), 3)))
""")

INSERT_CHECK = sa.text("""
    insert into ir_check (run_id, result_id, hazard_unit_id, enterprise_id, target_id, target_class, class_note,
                          distance_m, individual_risk_per_year, criterion_per_year, required_m, installation, met,
                          text, source, status, geom)
    values (:run, :result_id, :u, :e, :target_id, :target_class, :class_note, :distance_m, :ir, :criterion,
            :required_m, :installation, :met, :text, :source, :status, ST_SetSRID(ST_MakePoint(:lon, :lat), 4326))
""")

COPY_CHECKS = sa.text("""
    insert into ir_check (run_id, result_id, hazard_unit_id, enterprise_id, target_id, target_class, class_note,
                          distance_m, individual_risk_per_year, criterion_per_year, required_m, installation, met,
                          text, source, status, geom)
    select :run, result_id, hazard_unit_id, enterprise_id, target_id, target_class, class_note, distance_m,
           individual_risk_per_year, criterion_per_year, required_m, installation, met, text, source, status, geom
    from ir_check
    where result_id = :result_id
      and run_id = (select max(run_id) from consequence_run where result_id = :result_id and run_id < :run)
""")

INSERT_IR_CONFLICTS = sa.text(f"""
    insert into conflict (run_id, enterprise_id, hazard_unit_id, target_id, category, distance_m, required_m,
                          deficit_m, rule_id, rule_text, geom, basis)
    select k.run_id, k.enterprise_id, k.hazard_unit_id, k.target_id, t.category, k.distance_m,
           greatest(coalesce(k.required_m, k.distance_m), k.distance_m),
           greatest(coalesce(k.required_m, k.distance_m), k.distance_m) - k.distance_m,
           'IR-' || k.target_class, k.text, ST_ShortestLine(e.geom, t.geom), '{INDIVIDUAL_RISK}'
    from ir_check k
    join protection_target t on t.id = k.target_id
    join enterprise e on e.id = k.enterprise_id
    where k.run_id = :run and not k.met
""")

MARK_BASIS = sa.text("""
    update conflict c set basis = k.kind
    from unnest(cast(:rule_ids as text[]), cast(:kinds as text[])) as k(rule_id, kind)
    where c.run_id = :run and c.basis is null and c.rule_id = k.rule_id
""")


def _method(details, reference, scope) -> tuple[str, float]:
    """GB/T 37243 method of a unit from its GB 18218 result (q/Q per chemical) and the catalogue's classes."""
    lines = []
    for d in details or ():
        try:
            chem = reference.chemical_by_key(d["key"])
        except Exception:  # a chemical the catalogue no longer holds: no class known
            lines.append(((), False, float(d.get("q_over_Q") or 0)))
            continue
        lines.append((tuple(chem.hazard_classes), bool(chem.explosive), float(d.get("q_over_Q") or 0)))
    return records.unit_method(lines, scope)


def _unit_inputs(rows, reference, scope) -> dict[int, dict]:
    units: dict[int, dict] = {}
    for r in rows:
        u = units.get(r.id)
        if u is None:
            method, gas_s = _method(r.details, reference, scope)
            u = units[r.id] = {"enterprise_id": r.enterprise_id, "name": r.name or r.unit_key, "lon": float(r.lon),
                               "lat": float(r.lat), "items": [], "method": method, "gas_s": gas_s}
        u["items"].append(InventoryItem(r.chemical_key, r.chemical_name, r.cas, float(r.quantity_t)))
    return units


def _targets(conn, enterprise_id: int, reach: float) -> tuple[list[ProtectionTarget], dict]:
    """Targets within ``reach`` m of the enterprise, as model inputs, and their distance / class notes."""
    if reach <= 0:
        return [], {}
    out, extra = [], {}
    for t in conn.execute(TARGETS_SQL, {"e": enterprise_id, "reach": reach}):
        cls, note = records.criterion_class(t.gb36894_class)
        out.append(ProtectionTarget(str(t.id), t.name, cls, float(t.lon), float(t.lat), "wgs84", float(t.population)))
        extra[str(t.id)] = (float(t.distance_m), note)
    return out, extra


def _fn_json(fn) -> str:
    return json.dumps({"n": [float(x) for x in fn.n], "f": [float(x) for x in fn.f_per_year], "verdict": fn.verdict},
                      ensure_ascii=False)


def _store_result(conn, run_id: int, unit_id: int, unit: HazardUnitInput, models, th: str, fn, tables) -> int:
    us, sc, grid = models.scenarios, models.screening, models.grid
    inputs = {"location": {"lon": unit.lon, "lat": unit.lat, "crs": "EPSG:4326",
                           "source": "企业点位（登记/地理编码，WGS-84）；单元无独立位置"},
              "installation": {"value": unit.installation, "source": "未登记新建/在役，按在役装置（GB 36894 在役基准）"},
              "items": [{"chemical_key": i.chemical_key, "chemical": i.name, "cas": i.cas, "quantity_t": i.quantity_t,
                         "source": "登记数据（设计最大量）"} for i in unit.items],
              "weather": {"source": tables.weather.source, "status": tables.weather.status},
              "model_version": tables.model_version}
    rid = conn.execute(INSERT_RESULT, {
        "u": unit_id, "h": models.input_hash, "model": tables.model_version, "data": records.data_version(tables),
        "run": run_id, "installation": unit.installation, "reach": float(models.reach_m),
        "cell": None if grid is None else float(grid.cell_m), "inputs": json.dumps(inputs, ensure_ascii=False),
        "not_computed": json.dumps(records.not_computed_json(us.not_computed), ensure_ascii=False),
        "n": len(us.scenarios), "th": th, "fn": _fn_json(fn), "lon": unit.lon, "lat": unit.lat}).scalar_one()
    rows = []
    for s in us.scenarios:
        rec = records.scenario_record(s, tables=tables)
        rows.append({**rec, "result_id": rid, "outcomes": json.dumps(rec["outcomes"], ensure_ascii=False),
                     "inputs": json.dumps(rec["inputs"], ensure_ascii=False)})
    if rows:
        conn.execute(INSERT_SCENARIO, rows)
    zones = [{"result_id": rid, "chemical_key": z.chemical_key, "chemical_name": z.chemical_name,
              "endpoint": z.endpoint, "endpoint_label": z.endpoint_label, "distance_m": float(z.distance_m),
              "lower_bound": bool(z.lower_bound), "model": z.model,
              "inputs": json.dumps(records.inputs_json(z.inputs), ensure_ascii=False), "wkt": z.geometry.wkt}
             for z in sc.zones]
    if zones:
        conn.execute(INSERT_ZONE, zones)
    if grid is not None:
        conn.execute(INSERT_CONTOUR, [{"result_id": rid, "level": c.level_per_year, "label": c.label,
                                       "area": float(c.area_m2), "source": c.source, "status": c.status,
                                       "wkt": c.geometry.wkt} for c in grid.contours])
    return rid


def _store_checks(conn, run_id, rid, unit_id, enterprise_id, installation, checks, extra, targets) -> None:
    by_id = {t.target_id: t for t in targets}
    rows = []
    for c in checks.checks:
        distance, note = extra[c.target_id]
        t = by_id[c.target_id]
        rows.append({"run": run_id, "result_id": rid, "u": unit_id, "e": enterprise_id, "target_id": int(c.target_id),
                     "target_class": c.target_class, "class_note": note, "distance_m": distance,
                     "ir": float(c.individual_risk_per_year), "criterion": float(c.criterion_per_year),
                     "required_m": checks.required_m.get(c.target_id), "installation": installation, "met": c.met,
                     "text": c.text + (f"（{note}）" if note else ""), "source": c.source, "status": c.status,
                     "lon": t.lon, "lat": t.lat})
    if rows:
        conn.execute(INSERT_CHECK, rows)


def refresh_consequence(conn: sa.Connection, run_id: int, domain) -> dict:
    """Compute or reuse every major-hazard unit's results for ``run_id``; returns
    ``{"findings": {enterprise_id: ExternalDistanceFinding}, "counts": {...}}``."""
    tables = getattr(domain, "consequence", None)
    if tables is None:
        return {"findings": {}, "counts": {"skipped": "后果模型数据未加载"}}
    units = _unit_inputs(conn.execute(MAJOR_UNITS_SQL, {"run": run_id}), domain.reference, tables.scope)
    computed = reused = 0
    budget = int(tables.p("max_new_units_per_refresh"))
    deferred = []
    for unit_id, u in units.items():
        unit = HazardUnitInput(str(unit_id), u["lon"], u["lat"], "wgs84", tuple(u["items"]))
        h = records.unit_input_hash(unit, tables=tables)
        prev = conn.execute(PREVIOUS_RESULT_SQL, {"u": unit_id, "h": h}).one_or_none()
        models = assess.cached(h)
        if prev is None and models is None:
            if budget <= 0:  # the refresh's budget of new computations is spent: next refresh goes on
                deferred.append(unit_id)
                continue
            budget -= 1
        reach = prev.reach_m if prev is not None else None
        if reach is None:
            models = models or assess.unit_models(unit, tables=tables, input_hash=h)
            reach = models.reach_m
        targets, extra = _targets(conn, u["enterprise_id"], reach)
        th = records.targets_hash(targets)
        if prev is not None and prev.targets_hash == th and models is None:
            rid = prev.id  # neither the unit nor the targets in reach changed: reuse the last run's checks
            conn.execute(COPY_CHECKS, {"run": run_id, "result_id": rid})
        else:
            models = models or assess.unit_models(unit, tables=tables, input_hash=h)
            checks = assess.check_unit(models, targets, tables=tables)
            if prev is None:
                rid = _store_result(conn, run_id, unit_id, unit, models, th, checks.fn, tables)
            else:
                rid = prev.id
                conn.execute(sa.text("update consequence_result set targets_hash = :th, fn = cast(:fn as jsonb) "
                                     "where id = :id"), {"th": th, "fn": _fn_json(checks.fn), "id": rid})
            _store_checks(conn, run_id, rid, unit_id, u["enterprise_id"], unit.installation, checks, extra, targets)
        computed += prev is None
        reused += prev is not None
        conn.execute(sa.text("insert into consequence_run (run_id, hazard_unit_id, result_id, reused, method, gas_s) "
                             "values (:run, :u, :r, :reused, :method, :gas_s)"),
                     {"run": run_id, "u": unit_id, "r": rid, "reused": prev is not None, "method": u["method"],
                      "gas_s": u["gas_s"]})
    kinds = {r.rule_id: r.kind for r in domain.rules.rules}
    if kinds:
        conn.execute(MARK_BASIS, {"run": run_id, "rule_ids": list(kinds), "kinds": list(kinds.values())})
    findings = _conclude(conn, run_id, units, tables, deferred=set(deferred))
    n_ir = conn.execute(INSERT_IR_CONFLICTS, {"run": run_id}).rowcount
    conn.execute(sa.text("delete from consequence_result r where not exists "
                         "(select 1 from consequence_run cr where cr.result_id = r.id)"))
    return {"findings": findings, "counts": {"units": len(units), "computed": computed, "reused": reused,
                                             "deferred": len(deferred), "enterprises": len(findings),
                                             "ir_conflicts": n_ir}}


def _conclude(conn, run_id: int, units: dict, tables, *, deferred=frozenset()) -> dict:
    """Per enterprise with major-hazard units: the external-distance finding and the F–N points."""
    results = {r.hazard_unit_id: r for r in conn.execute(sa.text("""
        select cr.hazard_unit_id, r.scenario_count, r.not_computed, r.fn
        from consequence_run cr join consequence_result r on r.id = cr.result_id where cr.run_id = :run"""),
        {"run": run_id})}
    checks: dict[int, list] = {}
    for k in conn.execute(sa.text("select hazard_unit_id, met, text from ir_check where run_id = :run order by id"),
                          {"run": run_id}):
        checks.setdefault(k.hazard_unit_id, []).append(k)
    design = dict(conn.execute(sa.text(f"""
        select enterprise_id, count(*) from conflict
        where run_id = :run and coalesce(basis, '') not in ('{SCREENING}', '{INDIVIDUAL_RISK}')
        group by enterprise_id"""), {"run": run_id}).all())
    by_ent: dict[int, list] = {}
    for uid, u in units.items():
        by_ent.setdefault(u["enterprise_id"], []).append(uid)
    findings, ent_rows, fn_rows = {}, [], []
    for eid, uids in sorted(by_ent.items()):
        statuses, curves = [], []
        for uid in uids:
            if uid in deferred:
                limit = int(tables.p("max_new_units_per_refresh"))
                statuses.append(records.UnitStatus(units[uid]["name"], False, (
                    f"本次重算新计算单元已达上限 {limit} 个（model.toml max_new_units_per_refresh），下次重算继续",),
                    0, (), units[uid]["method"]))
                continue
            r = results[uid]
            gaps = tuple(f"{n['chemical']}：{n['reason']}" for n in r.not_computed
                         if records.NO_HAZARD_MARK not in n["reason"])
            ks = checks.get(uid, [])
            statuses.append(records.UnitStatus(units[uid]["name"], r.scenario_count > 0, gaps, len(ks),
                                               tuple(k.text for k in ks if not k.met), units[uid]["method"]))
            curves.append((r.fn.get("n", []), r.fn.get("f", [])))
        method = records.enterprise_method(s.method for s in statuses)
        status, text = records.external_distance(statuses, design_conflicts=int(design.get(eid, 0)), method=method)
        fn = combine_fn(curves, tables.societal_lines)
        findings[eid] = ExternalDistanceFinding(status, text)
        ent_rows.append({"run": run_id, "e": eid, "status": status, "method": method, "text": text, "units": len(uids),
                         "computed": sum(1 for s in statuses if s.computed),
                         "not_met": sum(len(s.not_met) for s in statuses), "design": int(design.get(eid, 0)),
                         "verdict": fn.verdict})
        fn_rows += [{"run": run_id, "e": eid, "n": float(n), "f": float(f)} for n, f in zip(fn.n, fn.f_per_year)]
    if ent_rows:
        conn.execute(sa.text("""
            insert into enterprise_consequence (run_id, enterprise_id, status, method, text, units, units_computed,
                                                checks_not_met, design_conflicts, fn_verdict)
            values (:run, :e, :status, :method, :text, :units, :computed, :not_met, :design, :verdict)"""), ent_rows)
    if fn_rows:
        conn.execute(sa.text("insert into fn_point (run_id, enterprise_id, n, f_per_year) values (:run, :e, :n, :f)"),
                     fn_rows)
    return findings


# ---- the refresh's extension points (registered in geo/postgis/refresh.py) ----------------------

def colour_inputs(conn, run_id, enterprise_ids, domain, as_of, scratch: dict) -> dict:
    """COLOUR_INPUTS provider: the 外部安全防护距离 finding of every enterprise with a major hazard
    (the step's counts handed to :func:`wing_step` in the refresh's ``scratch``)."""
    out = refresh_consequence(conn, run_id, domain)
    scratch["consequence"] = out["counts"]
    return {eid: {"facts": {"external_distance": f}} for eid, f in out["findings"].items()}


def wing_step(conn, run_id, domain, summary) -> dict:
    """WING_STEPS entry: the counts of this run's consequence tier."""
    counts = (summary.get("scratch") or {}).get("consequence")
    if counts is None:  # no provider call in this refresh (should not happen): compute without colours
        counts = refresh_consequence(conn, run_id, domain)["counts"]
    return counts


# ---- the siting check ------------------------------------------------------------------------

_TARGETS_IN_SQL = sa.text("""
    select t.id, t.name, t.category, t.gb36894_class, t.population,
           round(ST_Distance(t.geog, geography(ST_SetSRID(ST_MakePoint(:lon, :lat), 4326)))::numeric, 1)::float8
               as distance_m
    from protection_target t
    where ST_Intersects(t.geom, ST_GeomFromText(:wkt, 4326))
    order by distance_m, t.id
""")


def _inside(conn, geometry, lon: float, lat: float) -> dict:
    """The protection targets intersecting ``geometry`` (WGS-84) with their people counted."""
    if geometry.is_empty:
        return {"targets": [], "people": 0, "people_unknown": 0}
    rows = conn.execute(_TARGETS_IN_SQL, {"wkt": geometry.wkt, "lon": lon, "lat": lat}).all()
    return {"targets": [{"id": r.id, "name": r.name, "category": r.category, "gb36894_class": r.gb36894_class,
                         "population": r.population, "distance_m": r.distance_m} for r in rows],
            "people": int(sum(r.population or 0 for r in rows)),
            "people_unknown": sum(1 for r in rows if r.population is None)}


def consequence_findings(conn: sa.Connection, candidate: dict, domain) -> dict:
    """The consequence tier on a siting candidate: the same models as the refresh, on its inventory.

    ``candidate``: ``{"lon", "lat"}`` (WGS-84, as :func:`geo.postgis.siting.parse_location` returns)
    and ``"units"`` — ``{unit_kind: [(Chemical, quantity_t), …]}`` as
    :func:`geo.postgis.siting.parse_inventory` returns; optional ``"installation"`` (default
    ``new``: a candidate is a new installation, GB 36894's stricter column).

    Returns, per unit, its threat zones and IR contours each with the protection targets inside
    (people counted; targets without a population said so), the GB 36894 checks of the targets in
    reach, the F–N curve, what could not be computed and why; and the external-distance finding
    (met / not_met / not_computed) as for a registered enterprise (design-code conflicts are the
    siting check's own list and are not counted here).  Geometries are not returned (the zones are
    circles of ``distance_m``; contours are areas); everything is WGS-84.
    """
    tables = getattr(domain, "consequence", None)
    if tables is None:
        return {"status": "not_computed", "text": "后果模型数据未加载：未计算", "units": []}
    from geo import enterprise as ent_mod

    lon, lat = float(candidate["lon"]), float(candidate["lat"])
    installation = candidate.get("installation", "new")
    out_units, statuses = [], []
    for kind, lines in sorted((candidate.get("units") or {}).items()):
        items = tuple(InventoryItem(c.key, c.name, c.cas[0] if c.cas else "", float(q)) for c, q in lines)
        unit = HazardUnitInput(f"candidate/{kind}", lon, lat, "wgs84", items, installation)
        models = assess.unit_models(unit, tables=tables)
        targets = []
        if models.reach_m > 0:
            for t in conn.execute(_CANDIDATE_TARGETS_SQL, {"lon": lon, "lat": lat, "reach": models.reach_m}):
                cls, _ = records.criterion_class(t.gb36894_class)
                targets.append(ProtectionTarget(str(t.id), t.name, cls, float(t.tlon), float(t.tlat), "wgs84",
                                                float(t.population or 0)))
        checks = assess.check_unit(models, targets, tables=tables)
        zones = [{"chemical": z.chemical_name, "endpoint": z.endpoint, "endpoint_label": z.endpoint_label,
                  "distance_m": round(float(z.distance_m), 1), "lower_bound": z.lower_bound, "model": z.model,
                  **_inside(conn, z.geometry, lon, lat)} for z in models.screening.zones]
        contours = [] if models.grid is None else [
            {"level_per_year": c.level_per_year, "label": c.label, "area_m2": round(float(c.area_m2), 1),
             "status": c.status, **_inside(conn, c.geometry, lon, lat)} for c in models.grid.contours]
        gaps = records.gaps(models.scenarios)
        not_met = tuple(c.text for c in checks.checks if not c.met)
        details = ent_mod.unit_result(lines, exposed_people=0.0, domain=domain)["chemicals"]
        method, gas_s = _method(details, domain.reference, tables.scope)
        statuses.append(records.UnitStatus(kind, bool(models.scenarios.scenarios),
                                           tuple(f"{n.chemical_name}：{n.reason}" for n in gaps), len(checks.checks),
                                           not_met, method))
        out_units.append({
            "unit": kind, "installation": installation, "scenarios": len(models.scenarios.scenarios),
            "method": method, "method_label": records.METHOD_LABEL[method], "gas_s": gas_s,
            "reach_m": round(float(models.reach_m), 1),
            "not_computed": records.not_computed_json(models.scenarios.not_computed),
            "threat_zones": zones, "contours": contours,
            "checks": [{"target_id": int(c.target_id), "name": c.name, "target_class": c.target_class,
                        "individual_risk_per_year": c.individual_risk_per_year,
                        "criterion_per_year": c.criterion_per_year, "met": c.met, "text": c.text,
                        "required_m": checks.required_m.get(c.target_id)} for c in checks.checks],
            "fn": {"n": [float(x) for x in checks.fn.n], "f_per_year": [float(x) for x in checks.fn.f_per_year],
                   "verdict": checks.fn.verdict}})
    status, text = records.external_distance(statuses, design_conflicts=0) if statuses else (
        "not_computed", "无库存：未计算")
    method = records.enterprise_method(s.method for s in statuses)
    return {"status": status, "text": text, "method": method, "method_label": records.METHOD_LABEL[method],
            "model_version": tables.model_version, "crs": "EPSG:4326", "units": out_units}


_CANDIDATE_TARGETS_SQL = sa.text("""
    select t.id, t.name, t.gb36894_class, t.population, ST_X(cp.p) as tlon, ST_Y(cp.p) as tlat
    from protection_target t
    cross join lateral (select ST_ClosestPoint(t.geom, ST_SetSRID(ST_MakePoint(:lon, :lat), 4326)) as p) cp
    where ST_DWithin(t.geog, geography(ST_SetSRID(ST_MakePoint(:lon, :lat), 4326)), :reach)
    order by t.id
""")


# ---- the enterprise file (一企一档) -------------------------------------------------------------

_UNITS_READ = sa.text("""
    select u.id, u.unit_key, coalesce(u.name, u.unit_key) as name, u.kind, cr.reused, cr.method, cr.gas_s,
           r.id as result_id,
           r.input_hash, r.model_version, r.data_version, r.computed_run_id, r.computed_at, r.installation,
           r.reach_m, r.cell_m, r.inputs, r.not_computed, r.scenario_count
    from consequence_run cr join consequence_result r on r.id = cr.result_id
    join hazard_unit u on u.id = cr.hazard_unit_id
    where cr.run_id = :run and u.enterprise_id = :e order by u.id
""")


def _rows(conn, sql: str, params: dict) -> list[dict]:
    return [dict(r._mapping) for r in conn.execute(sa.text(sql), params)]


def enterprise_file(conn: sa.Connection, run_id: int | None, enterprise_id: int, tables) -> dict | None:
    """What the enterprise file shows of the consequence tier in ``run_id``: the finding, per unit
    its scenarios (every input with its source), threat zones (targets and people inside), IR
    contours, GB 36894 checks, and the enterprise's F–N points with the societal-risk lines (for a
    log–log chart).  ``None`` when the enterprise does not exist."""
    name = conn.execute(sa.text("select name from enterprise where id = :e"), {"e": enterprise_id}).scalar()
    if name is None:
        return None
    p = {"run": run_id if run_id is not None else -1, "e": enterprise_id}
    ent = conn.execute(sa.text("select * from enterprise_consequence where run_id = :run and enterprise_id = :e"),
                       p).one_or_none()
    lines = [] if tables is None else [
        {"line": ln.line, "label": ln.label, "source": ln.source, "status": ln.status,
         "points": [{"n": 1.0, "f_per_year": ln.f_at_n1_per_year}, {"n": ln.n_max, "f_per_year": ln.f_at(ln.n_max)}]}
        for ln in tables.societal_lines]
    out = {"enterprise_id": enterprise_id, "name": name, "run_id": run_id, "crs": "EPSG:4326",
           "external_distance": None, "fn": {"points": [], "verdict": None, "lines": lines}, "units": []}
    if ent is None:
        out["text"] = "无重大危险源（GB 18218）：不适用后果与个人风险计算"
        return out
    out["external_distance"] = {"status": ent.status, "method": ent.method,
                                "method_label": records.METHOD_LABEL[ent.method],
                                "method_source": tables.scope.source if tables is not None else None,
                                "text": ent.text, "checks_not_met": ent.checks_not_met,
                                "design_conflicts": ent.design_conflicts}
    out["text"] = ent.text
    out["fn"]["verdict"] = ent.fn_verdict
    out["fn"]["points"] = _rows(conn, "select n, f_per_year from fn_point where run_id = :run and enterprise_id = :e "
                                      "order by n", p)
    for u in conn.execute(_UNITS_READ, p):
        q = {"res": u.result_id, "run": p["run"], "u": u.id}
        out["units"].append(_model_labels({
            "id": u.id, "unit_key": u.unit_key, "name": u.name, "kind": u.kind, "reused": u.reused,
            "method": u.method, "method_label": records.METHOD_LABEL[u.method], "gas_s": u.gas_s,
            "input_hash": u.input_hash[:12], "model_version": u.model_version, "data_version": u.data_version,
            "computed_run_id": u.computed_run_id, "computed_at": u.computed_at.isoformat(),
            "installation": u.installation, "reach_m": round(u.reach_m, 1), "cell_m": u.cell_m,
            "inputs": u.inputs, "not_computed": u.not_computed, "scenario_count": u.scenario_count,
            "scenarios": _rows(conn, """
                select scenario_key, chemical_name, hole_id, hole_label, frequency_per_year, frequency_source,
                       release_kind, rate_kg_s, mass_kg, duration_s, outcomes, inputs
                from consequence_scenario where result_id = :res order by id""", q),
            "threat_zones": _rows(conn, """
                select z.id, z.chemical_name, z.endpoint, z.endpoint_label, round(z.distance_m::numeric, 1)::float8
                       as distance_m, z.lower_bound, z.model, z.inputs,
                       (select count(*) from protection_target t where ST_Intersects(t.geom, z.geom)) as targets_inside,
                       (select coalesce(sum(t.population), 0) from protection_target t
                        where ST_Intersects(t.geom, z.geom))::integer as people_inside
                from threat_zone z where z.result_id = :res order by z.distance_m desc""", q),
            "contours": _rows(conn, """
                select c.id, c.level_per_year, c.label, round(c.area_m2::numeric, 1)::float8 as area_m2, c.source,
                       c.status,
                       (select count(*) from protection_target t where ST_Intersects(t.geom, c.geom)) as targets_inside
                from risk_contour c where c.result_id = :res order by c.level_per_year desc""", q),
            "checks": _rows(conn, """
                select k.target_id, t.name, t.category, k.target_class, k.class_note,
                       round(k.distance_m::numeric, 1)::float8 as distance_m, k.individual_risk_per_year,
                       k.criterion_per_year, k.required_m, k.met, k.text, k.source, k.status
                from ir_check k join protection_target t on t.id = k.target_id
                where k.run_id = :run and k.hazard_unit_id = :u
                order by k.met, k.individual_risk_per_year desc""", q)}))
    return out


def _model_labels(unit: dict) -> dict:
    """Each threat zone's and outcome's model by its Chinese name (``model_label``) next to the stored description."""
    for z in unit["threat_zones"]:
        z["model_label"] = records.model_label(z["model"])
    for sc in unit["scenarios"]:
        for o in sc["outcomes"] or ():
            o["model_label"] = records.model_label(o.get("model"))
    return unit

"""The consequence tier through the refresh on a tiny district: results stored and reused, GB 36894
checks, the guide's 外部安全防护距离 from them, individual-risk conflicts with their basis, F–N points."""

from __future__ import annotations

import math

import numpy as np
import pytest
import sqlalchemy as sa
from pyproj import Geod

from geo.consequence import assess
from geo.consequence.scenarios import Outcome, RadialEffect, Scenario, UnitScenarios
from geo.consequence.screening import ScreeningResult, screen_unit
from geo.consequence.scenarios import HazardUnitInput, InventoryItem, unit_scenarios
from hazmap.config import load_settings
from hazmap.db.session import get_engine
from hazmap.refresh import run_refresh
from tests.helpers import domain

LON, LAT = 112.85, 35.50
GEOD = Geod(ellps="WGS84")


def _east(metres: float) -> float:
    return GEOD.fwd(LON, LAT, 90, metres)[0]


def _seed(conn, *, chemical_key: str, quantity_t: float, targets) -> dict:
    ids = {"plant": conn.execute(sa.text("""
        insert into enterprise (credit_code, name, stages, facility_type, in_chemical_park, geocode_precision, geom)
        values ('91140502TESTCONSQ1', '测试化工厂', '{storage}', '化工厂', true, 'source',
                ST_SetSRID(ST_MakePoint(:lon, :lat), 4326)) returning id"""), {"lon": LON, "lat": LAT}).scalar_one()}
    ids["unit"] = conn.execute(sa.text("""
        insert into hazard_unit (unit_key, enterprise_id, name, kind) values ('CU1', :e, '测试储罐区', 'storage')
        returning id"""), {"e": ids["plant"]}).scalar_one()
    chem = conn.execute(sa.text("select id from chemical where key = :k"), {"k": chemical_key}).scalar_one()
    conn.execute(sa.text("insert into inventory (hazard_unit_id, chemical_id, quantity_t) values (:u, :c, :q)"),
                 {"u": ids["unit"], "c": chem, "q": quantity_t})
    for key, name, category, cls, pop, metres in targets:
        ids[key] = conn.execute(sa.text("""
            insert into protection_target (target_key, name, category, gb36894_class, population, geom)
            values (:k, :n, :c, :cls, :p, ST_SetSRID(ST_MakePoint(:lon, :lat), 4326)) returning id"""),
            {"k": key, "n": name, "c": category, "cls": cls, "p": pop, "lon": _east(metres), "lat": LAT}).scalar_one()
    return ids


def _step_models(unit, *, tables, input_hash=None):
    """A stand-in for the models: one isotropic outcome, fatality 1 within 200 m, 2e-5 per year.

    IR(r) = 2e-5/a for r ≤ 200 m and 0 beyond (closed form), so every target inside 200 m exceeds
    the existing-plant criterion of a high-sensitivity target (3e-6) and of 一般三类 (3e-5) it does not.
    """
    r = np.array([0.0, 200.0, 200.0 + 1e-6, 2000.0])
    eff = RadialEffect(r, np.array([1.0, 1.0, 0.0, 0.0]))
    o = Outcome("vce", "测试阶跃", 1.0, 2e-5, eff, "step", ())
    s = Scenario(f"{unit.unit_id}/X/rupture", unit.unit_id, "X", "测试物质", tables.holes[-1], 2e-5, "test",
                 "instantaneous", None, 1.0, 0.0, (o,), ())
    us = UnitScenarios(unit, (s,), (), tables.model_version)
    from geo.consequence.risk import risk_grid
    return assess.UnitModels(input_hash or "h", us, ScreeningResult(unit.unit_id, (), (), tables.model_version),
                             risk_grid(us, tables=tables), 200.0)


@pytest.fixture
def step_world(fresh_db_url, monkeypatch):
    monkeypatch.setenv("DATABASE_URL", fresh_db_url)
    monkeypatch.delenv("HAZMAP_CONFIG", raising=False)
    monkeypatch.setattr(assess, "unit_models", _step_models)
    monkeypatch.setattr(assess, "cached", lambda h: None)
    with get_engine(fresh_db_url).begin() as conn:
        # 氢 10 t (Q = 5 t → S = 2, a flammable gas: GB/T 37243's QRA scope); a school 100 m east (300 pupils)
        # inside the step, a 一般三类 house 150 m east (inside, but its criterion 3e-5 is above 2e-5), a hospital
        # 400 m east (outside)
        ids = _seed(conn, chemical_key="T1-51", quantity_t=10.0, targets=[
            ("school", "测试小学", "school", "高敏感", 300, 100.0),
            ("house", "散户", "residential", "一般三类", 5, 150.0),
            ("hospital", "测试医院", "hospital", "高敏感", 50, 400.0)])
    return fresh_db_url, ids


def test_checks_finding_conflicts_and_fn_through_the_refresh(step_world):
    url, ids = step_world
    out = run_refresh(load_settings())
    run = out["run_id"]
    assert out["summary"]["consequence"]["units"] == 1 and out["summary"]["consequence"]["computed"] == 1
    with get_engine(url).connect() as conn:
        checks = {r.target_id: r for r in conn.execute(sa.text("select * from ir_check where run_id = :r"), {"r": run})}
        ent = conn.execute(sa.text("select * from enterprise_consequence where run_id = :r"), {"r": run}).one()
        conflicts = conn.execute(sa.text("select * from conflict where run_id = :r and basis = 'individual_risk'"),
                                 {"r": run}).all()
        risk = conn.execute(sa.text("select reasons from enterprise_risk where run_id = :r"), {"r": run}).scalar_one()
        fn = conn.execute(sa.text("select n, f_per_year from fn_point where run_id = :r order by n"), {"r": run}).all()
        contours = {r.level_per_year: r for r in conn.execute(sa.text("select * from risk_contour"))}
    # the hospital at 400 m is beyond the unit's reach (200 m): not checked
    assert set(checks) == {ids["school"], ids["house"]}
    school, house = checks[ids["school"]], checks[ids["house"]]
    assert school.individual_risk_per_year == pytest.approx(2e-5) and school.criterion_per_year == 3e-6
    assert not school.met and school.target_class == "high_sensitivity"
    assert house.met and house.criterion_per_year == 3e-5
    assert school.distance_m == pytest.approx(100.0, abs=0.5)
    # the IR along the school's bearing stays ≥ 3e-6 up to the step at 200 m (ray sampled at 0.31 m)
    assert school.required_m == pytest.approx(200.0, abs=0.5)
    assert ent.status == "not_met" and ent.method == "qra" and ent.checks_not_met == 1 and ent.design_conflicts == 0
    [c] = conflicts
    assert c.target_id == ids["school"] and c.rule_id == "IR-high_sensitivity"
    assert c.deficit_m == pytest.approx(100.0, abs=1.0) and "不满足" in c.rule_text
    # the guide's item: −10 from the consequence tier, its text naming GB 36894
    dist = next(r for r in risk if r["code"] == "DISTANCE_NOT_MET")
    assert dist["points"] == -10 and dist["source"] == "consequence" and "GB 36894" in dist["text"]
    # F–N: one event (2e-5/a) killing the 300 pupils and the 5 residents inside 200 m → F(N) = 2e-5 for N ≤ 305
    assert [(p.n, p.f_per_year) for p in fn] == [(305.0, pytest.approx(2e-5))]
    assert ent.fn_verdict == "不可接受"  # 2e-5 > 1e-3/305
    # contours: 3e-5 never reached, the three lower levels the 200 m disc (π·200² m², grid 10 m)
    assert contours[3e-5].area_m2 == 0
    for lv in (1e-5, 3e-6, 3e-7):
        assert contours[lv].area_m2 == pytest.approx(math.pi * 200 ** 2, rel=0.1)


def test_second_refresh_reuses_results_and_checks(step_world):
    url, ids = step_world
    first = run_refresh(load_settings())
    second = run_refresh(load_settings())
    assert second["summary"]["consequence"]["reused"] == 1 and second["summary"]["consequence"]["computed"] == 0
    with get_engine(url).begin() as conn:
        n_results = conn.execute(sa.text("select count(*) from consequence_result")).scalar_one()
        same = conn.execute(sa.text("""
            select count(*) from ir_check a join ir_check b on a.target_id = b.target_id
            where a.run_id = :a and b.run_id = :b and a.individual_risk_per_year = b.individual_risk_per_year
              and a.met = b.met"""), {"a": first["run_id"], "b": second["run_id"]}).scalar_one()
        # the school grows: the targets in reach changed → checks and F–N recomputed, result row reused
        conn.execute(sa.text("update protection_target set population = 400 where id = :t"), {"t": ids["school"]})
    assert n_results == 1 and same == 2
    third = run_refresh(load_settings())
    with get_engine(url).connect() as conn:
        fn = conn.execute(sa.text("select n from fn_point where run_id = :r"), {"r": third["run_id"]}).scalars().all()
        n_results = conn.execute(sa.text("select count(*) from consequence_result")).scalar_one()
    assert fn == [405.0] and n_results == 1 and third["summary"]["consequence"]["reused"] == 1


def test_real_models_store_zones_contours_and_inputs(fresh_db_url, monkeypatch):
    """苯 200 t with the real models: the stored zones are the screening tier's, inputs carry sources."""
    monkeypatch.setenv("DATABASE_URL", fresh_db_url)
    monkeypatch.delenv("HAZMAP_CONFIG", raising=False)
    with get_engine(fresh_db_url).begin() as conn:
        _seed(conn, chemical_key="T1-57", quantity_t=200.0, targets=[("far", "远处村庄", "residential", "一般一类", 200, 5000.0)])
    out = run_refresh(load_settings())
    t = domain().consequence
    unit = HazardUnitInput("x", LON, LAT, "wgs84", (InventoryItem("T1-57", "苯", "71-43-2", 200.0),))
    expected = {z.endpoint: z.distance_m for z in screen_unit(unit, tables=t).zones}
    n_scen = len(unit_scenarios(unit, tables=t).scenarios)
    with get_engine(fresh_db_url).connect() as conn:
        zones = dict(conn.execute(sa.text("select endpoint, distance_m from threat_zone")).all())
        scen = conn.execute(sa.text("select count(*) from consequence_scenario")).scalar_one()
        inputs = conn.execute(sa.text("select inputs from consequence_scenario limit 1")).scalar_one()
        ent = conn.execute(sa.text("select status, method, text from enterprise_consequence where run_id = :r"),
                           {"r": out["run_id"]}).one()
        levels = conn.execute(sa.text("select level_per_year from risk_contour order by level_per_year desc")).scalars().all()
    assert zones == pytest.approx(expected) and scen == n_scen > 0
    assert any(i["source"].startswith("thermo ") for i in inputs)
    assert levels == [3e-5, 1e-5, 3e-6, 3e-7]
    # benzene is a flammable liquid: outside GB/T 37243's QRA scope, the design codes decide (no deficit)
    assert ent.status == "met" and ent.method == "design_codes" and "未见不足" in ent.text


def test_unit_that_cannot_be_computed_is_not_computed(fresh_db_url, monkeypatch):
    monkeypatch.setenv("DATABASE_URL", fresh_db_url)
    monkeypatch.delenv("HAZMAP_CONFIG", raising=False)
    with get_engine(fresh_db_url).begin() as conn:
        # 煤气 (GB 18218 表1, no CAS number): a major hazard at 2×Q, but the property library cannot know it
        q = conn.execute(sa.text("select critical_quantity_t from chemical where key = 'T1-13'")).scalar_one()
        _seed(conn, chemical_key="T1-13", quantity_t=2 * q, targets=[])
    out = run_refresh(load_settings())
    with get_engine(fresh_db_url).connect() as conn:
        ent = conn.execute(sa.text("select status, text from enterprise_consequence where run_id = :r"),
                           {"r": out["run_id"]}).one()
        risk = conn.execute(sa.text("select reasons from enterprise_risk where run_id = :r"),
                            {"r": out["run_id"]}).scalar_one()
    assert ent.status == "not_computed" and "未计算" in ent.text and "CAS" in ent.text
    dist = next(r for r in risk if r["code"] == "DISTANCE_NOT_MET")
    assert dist["points"] == 0 and dist["status"] == "unassessed" and "未计算" in dist["text"]


def test_method_follows_gb_t_37243():
    """Explosives → consequence method; toxic/flammable gases with Σq/Q ≥ 1 → QRA; the rest → design codes."""
    from geo.consequence import records

    scope = domain().consequence.scope
    assert records.unit_method([(("J3", "W2"), False, 17.5)], scope) == ("qra", 17.5)  # 液氨 175 t
    assert records.unit_method([(("W2",), False, 0.6), (("W5.3",), False, 3.0)], scope) == ("design_codes", 0.6)
    assert records.unit_method([(("W2",), False, 0.6), (("J1",), False, 0.5)], scope) == ("qra", 1.1)
    assert records.unit_method([(("W1.1",), True, 2.0)], scope)[0] == "consequence"
    assert records.enterprise_method(["design_codes", "qra"]) == "qra"
    u = records.UnitStatus("罐区", True, (), 3, ("小学 超过基准",), "design_codes")
    status, text = records.external_distance([u], design_conflicts=0)
    assert status == "met" and "仅供参考" in text  # the IR check informs, the design codes decide
    assert records.external_distance([u], design_conflicts=2)[0] == "not_met"
    boom = records.UnitStatus("炸药库", False, ("炸药：无 CAS",), 0, (), "consequence")
    assert records.external_distance([boom], design_conflicts=0) == (
        "not_computed", "外部安全防护距离：涉及爆炸物，应按事故后果法确定（GB/T 37243-2019 4.2），本系统未计算")


def test_new_units_beyond_the_budget_wait_for_the_next_refresh(step_world, monkeypatch):
    from dataclasses import replace

    from geo.consequence.tables import Param
    url, ids = step_world
    base = domain()
    t = base.consequence
    params = dict(t.params, max_new_units_per_refresh=Param("max_new_units_per_refresh", 0.0, "-", "test", "local_policy"))
    tight = replace(base, consequence=replace(t, params=params))
    monkeypatch.setattr("hazmap.refresh.load_domain", lambda settings: tight)
    out = run_refresh(load_settings())
    assert out["summary"]["consequence"]["deferred"] == 1 and out["summary"]["consequence"]["computed"] == 0
    with get_engine(url).connect() as conn:
        ent = conn.execute(sa.text("select status, text from enterprise_consequence where run_id = :r"),
                           {"r": out["run_id"]}).one()
    assert ent.status == "not_computed" and "下次重算继续" in ent.text


def test_enterprise_fn_sums_its_units_events():
    """F(≥N) of an enterprise = Σ_units F_u(≥N): every event belongs to one unit (hand-computed)."""
    from geo.consequence.risk import combine_fn

    lines = domain().consequence.societal_lines
    fn = combine_fn([([10.0, 50.0], [1e-4, 2e-5]), ([20.0], [5e-5])], lines)
    # N ≥ 10: 1e-4 (A) + 5e-5 (B's only event, 20 deaths); N ≥ 20: 2e-5 + 5e-5; N ≥ 50: 2e-5 (A only)
    assert fn.n.tolist() == [10.0, 20.0, 50.0]
    assert fn.f_per_year.tolist() == pytest.approx([1.5e-4, 7e-5, 2e-5])
    assert fn.verdict == "不可接受"  # 1.5e-4 > 1e-3/10
    assert combine_fn([], lines).verdict == "无 N≥1 的事件"

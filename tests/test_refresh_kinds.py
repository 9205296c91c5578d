"""The refresh with per-target-kind requirements and honest exposure counts (issue 11 items 1–3).

Hand-computed from data/rules/separation_rules.csv and target_classes.csv:

* 加油站 (GB 50156 表4.0.4), station grade and vapour recovery not registered → the smallest row
  over both: 重要公共建筑物 35 m (every grade with 卸油和加油油气回收), 一类保护物 11 m (三级站, both
  recovery systems).  A school of 800 registered pupils is 重要公共建筑物 (附录B B.0.1,
  population>500): 34 m conflicts.  300 pupils → 一类保护物 (B.0.2): 34 m complies.
  Unregistered size → the default row, 11 m (lower bound, said so).
* 化工厂 with a 甲-class unit → 甲类厂房 (GB 50016 表3.4.1): 高层民用建筑 50 m (R047), 民用建筑
  25 m (R002); a high-rise residential block at 40 m conflicts, a low one does not.
* GB 18218: 液氯 4.999998 t / Q 5 t → S = 0.9999996 < 1, not a major hazard (compared unrounded).
"""

from __future__ import annotations

import pytest
import sqlalchemy as sa

from hazmap.config import load_settings
from hazmap.db.session import get_engine
from hazmap.refresh import run_refresh

LON, LAT = 112.85, 35.50
M_LAT = 110_950.0  # ≈ metres per degree of latitude at 35.5° N (distances below keep ≥ 0.5 m slack)


def _pt(dx_m: float = 0.0, dy_m: float = 0.0, lon0: float = LON) -> tuple[float, float]:
    import math

    return lon0 + dx_m / (M_LAT * math.cos(math.radians(LAT))), LAT + dy_m / M_LAT


def _enterprise(conn, code, name, facility_type, stages, lon, lat):
    return conn.execute(sa.text("""
        insert into enterprise (credit_code, name, stages, facility_type, geocode_precision, geom)
        values (:cc, :name, :stages, :ft, 'source', ST_SetSRID(ST_MakePoint(:lon, :lat), 4326)) returning id
    """), {"cc": code, "name": name, "stages": stages, "ft": facility_type, "lon": lon, "lat": lat}).scalar_one()


def _unit(conn, enterprise_id, key, fire_class, chemical_key, quantity_t):
    uid = conn.execute(sa.text("""
        insert into hazard_unit (unit_key, enterprise_id, name, kind, fire_class)
        values (:k, :e, :label, 'storage', :fc) returning id"""), {"k": key, "label": key, "e": enterprise_id, "fc": fire_class}).scalar_one()
    conn.execute(sa.text("""insert into inventory (hazard_unit_id, chemical_id, quantity_t)
                            select :u, id, :q from chemical where key = :c"""), {"u": uid, "c": chemical_key, "q": quantity_t})
    return uid


def _target(conn, key, category, lon, lat, **attrs):
    cols = ", ".join(attrs)
    vals = ", ".join(f":{k}" for k in attrs)
    return conn.execute(sa.text(f"""
        insert into protection_target (target_key, name, category, geom{', ' + cols if cols else ''})
        values (:key, :label, :cat, ST_SetSRID(ST_MakePoint(:lon, :lat), 4326){', ' + vals if vals else ''})
        returning id"""), {"key": key, "label": key, "cat": category, "lon": lon, "lat": lat, **attrs}).scalar_one()


@pytest.fixture
def district(fresh_db_url, monkeypatch):
    monkeypatch.setenv("DATABASE_URL", fresh_db_url)
    monkeypatch.delenv("HAZMAP_CONFIG", raising=False)
    ids = {}
    with get_engine(fresh_db_url).begin() as conn:
        ids["station"] = _enterprise(conn, "91140502KINDSTATN1", "测试加油站", "加油站", ["trade_storage"], *_pt())
        ids["big_school"] = _target(conn, "S800", "school", *_pt(dy_m=34), population=800)
        ids["small_school"] = _target(conn, "S300", "school", *_pt(dy_m=-34), population=300)
        ids["school_unknown"] = _target(conn, "S?", "school", *_pt(dx_m=10))
        # the plant 0.05° east (≈ 4.5 km): out of the station's reach and the station out of its
        plant_lon = LON + 0.05
        ids["plant"] = _enterprise(conn, "91140502KINDPLANT1", "测试化工厂", "化工厂", ["production"],
                                   *_pt(lon0=plant_lon))
        _unit(conn, ids["plant"], "P-U1", "甲", "T1-64", 1.0)  # 甲苯 1 t: 甲类, far below Q = 500 t
        ids["tower"] = _target(conn, "R-HIGH", "residential", *_pt(dy_m=40, lon0=plant_lon), high_rise=True)
        ids["low_house"] = _target(conn, "R-LOW", "residential", *_pt(dy_m=-40, lon0=plant_lon), high_rise=False)
        # 液氯 just under its critical quantity, far from everything (no target within 500 m)
        ids["store"] = _enterprise(conn, "91140502KINDSTORE1", "测试液氯库", "危化品仓库", ["storage"],
                                   LON - 0.05, LAT)
        ids["cl_unit"] = _unit(conn, ids["store"], "C-U1", None, "T1-12", 4.999998)
    return fresh_db_url, ids


def _conflicts(conn, run_id):
    return {(r.enterprise_id, r.target_id): r for r in conn.execute(sa.text(
        "select enterprise_id, target_id, distance_m, required_m, rule_id, rule_text from conflict where run_id = :r"),
        {"r": run_id})}


def test_requirements_follow_the_target_kind(district):
    url, ids = district
    run_id = run_refresh(load_settings())["run_id"]
    with get_engine(url).connect() as conn:
        pairs = _conflicts(conn, run_id)
        reqs = {(r.category, r.target_kind): r for r in conn.execute(sa.text(
            "select category, target_kind, required_m, rule_id, rule_text from source_requirement "
            "where run_id = :r and enterprise_id = :e"), {"r": run_id, "e": ids["station"]})}
    # the station's rows: the school default (size unknown) and the two kinds present in the data
    assert reqs[("school", "")].required_m == 11
    assert reqs[("school", "population<=500:0;population>500:1")].required_m == 35
    assert reqs[("school", "population<=500:1;population>500:0")].required_m == 11
    big = pairs[(ids["station"], ids["big_school"])]
    assert big.required_m == 35 and 33.5 < big.distance_m < 34.5
    assert big.rule_id.endswith("-V2-IPB") and "重要公共建筑物" in big.rule_text
    assert "防护目标使用人数>500" in big.rule_text and "B.0.1" in big.rule_text
    assert "油气回收系统情况" in big.rule_text and "下限" in big.rule_text  # recovery unknown: said so
    assert (ids["station"], ids["small_school"]) not in pairs  # 一类保护物 11 m < 34 m
    unknown = pairs[(ids["station"], ids["school_unknown"])]
    assert unknown.required_m == 11 and "防护目标未登记使用人数" in unknown.rule_text
    # 甲类厂房: the high-rise block gets 表3.4.1 高层民用建筑 50 m, the low one 民用建筑 25 m
    tower = pairs[(ids["plant"], ids["tower"])]
    assert (tower.required_m, tower.rule_id) == (50, "R047") and "为高层民用建筑" in tower.rule_text
    assert (ids["plant"], ids["low_house"]) not in pairs


def test_kinds_on_the_dask_engine_give_the_same_pairs(district):
    pytest.importorskip("dask_geopandas")
    from hazmap.refresh_engine import open_refresh_engine

    url, ids = district
    pg = run_refresh(load_settings())["run_id"]
    from tests.helpers import domain

    # as the CLI opens it: the domain's rules give the kinds, one target export for both steps
    with open_refresh_engine("dask", n_workers=1, rules=domain().rules) as eng:
        dk = run_refresh(load_settings(), engine=eng)["run_id"]
    with get_engine(url).connect() as conn:
        a, b = _conflicts(conn, pg), _conflicts(conn, dk)
    assert a.keys() == b.keys() and len(a) == 3
    for k in a:
        assert (a[k].required_m, a[k].rule_id, a[k].rule_text) == (b[k].required_m, b[k].rule_id, b[k].rule_text)
        assert abs(a[k].distance_m - b[k].distance_m) < 0.01


def test_exposure_is_exact_and_says_where_it_came_from(district):
    url, ids = district
    with get_engine(url).begin() as conn:
        # a polygon of 173 people cut by the plant's 500 m ring: ≈ 57.5 % inside → ≈ 99.56 people
        conn.execute(sa.text("""
            insert into protection_target (target_key, name, category, population, geom)
            values ('R-RING', '环边小区', 'residential', 173,
                    ST_SetSRID(ST_MakeEnvelope(:x0, :y0, :x1, :y1), 4326))"""),
                     dict(zip(("x0", "y0"), _pt(-50, 440, LON + 0.05))) | dict(zip(("x1", "y1"), _pt(50, 540, LON + 0.05))))
    run_id = run_refresh(load_settings())["run_id"]
    with get_engine(url).connect() as conn:
        rows = {r.hazard_unit_id: r for r in conn.execute(sa.text(
            "select * from hazard_unit_result where run_id = :r"), {"r": run_id})}
        share = conn.execute(sa.text("""
            select ST_Area(ST_Intersection(t.geog, ST_Buffer(e.geog, 500))) / ST_Area(t.geog)
            from protection_target t, enterprise e where t.target_key = 'R-RING' and e.id = :e"""),
            {"e": ids["plant"]}).scalar_one()
    cl = rows[ids["cl_unit"]]
    # S = 4.999998 / 5 = 0.9999996: compared unrounded, not a major hazard
    assert cl.s == pytest.approx(0.9999996, abs=1e-12) and cl.is_major is False and cl.grade is None
    assert cl.exposure_basis == "none_registered" and cl.exposed_people == 0 and cl.alpha == 0.5
    assert any("500 m内无登记" in n and "不证明无人" in n for n in cl.notes)
    plant_unit = next(r for r in rows.values() if r.hazard_unit_id != ids["cl_unit"])
    assert plant_unit.exposure_basis == "counted"
    assert 99 < plant_unit.exposed_people < 100
    assert plant_unit.exposed_people == pytest.approx(173 * share, rel=1e-9)  # exact, not rounded to 0.1
    assert plant_unit.alpha == 1.5  # GB 18218 表5: 50–99 people (99.6 is not 100)

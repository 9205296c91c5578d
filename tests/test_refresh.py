"""The refresh on a small hand-built district: grades, exposure, conflicts, colours, areas, HCAs."""

from __future__ import annotations

import json
import math

import pytest
import sqlalchemy as sa
from click.testing import CliRunner

from tests.helpers import domain
from hazmap.refresh import run_refresh
from hazmap.config import load_settings
from hazmap.db.session import get_engine

LON, LAT = 112.85, 35.50  # Chengqu
M_LAT = 110_900.0  # metres per degree of latitude here (approximately; tests allow slack)


def _north(metres: float) -> float:
    return LAT + metres / M_LAT


def _seed(conn) -> dict:
    ids = {}
    ids["plant"] = conn.execute(sa.text("""
        insert into enterprise (credit_code, name, stages, facility_type, in_chemical_park,
                                geocode_precision, geom, town_code)
        values ('91140502TESTPLANT1', '测试氯碱厂', '{production}', '化工厂', false, 'source',
                ST_SetSRID(ST_MakePoint(:lon, :lat), 4326), '140502001') returning id
    """), {"lon": LON, "lat": LAT}).scalar_one()
    ids["station"] = conn.execute(sa.text("""
        insert into enterprise (credit_code, name, stages, facility_type, geocode_precision, geom, town_code)
        values ('91140502TESTSTATN1', '测试加油站', '{trade_storage}', '加油站', 'source',
                ST_SetSRID(ST_MakePoint(:lon, :lat), 4326), '140502001') returning id
    """), {"lon": LON + 0.05, "lat": LAT}).scalar_one()
    unit = conn.execute(sa.text("""
        insert into hazard_unit (unit_key, enterprise_id, name, kind, fire_class)
        values ('U1', :e, '液氯储罐', 'storage', '乙') returning id"""), {"e": ids["plant"]}).scalar_one()
    ids["unit"] = unit
    chem = conn.execute(sa.text("select id from chemical where key = 'T1-12'")).scalar_one()
    conn.execute(sa.text("insert into inventory (hazard_unit_id, chemical_id, quantity_t) values (:u, :c, 30)"),
                 {"u": unit, "c": chem})
    # 60 people 300 m north (a school), plus a residential polygon wholly 2 km away
    ids["school"] = conn.execute(sa.text("""
        insert into protection_target (target_key, name, category, population, geom)
        values ('S1', '测试小学', 'school', 60, ST_SetSRID(ST_MakePoint(:lon, :lat), 4326)) returning id
    """), {"lon": LON, "lat": _north(300)}).scalar_one()
    ids["kg"] = conn.execute(sa.text("""
        insert into protection_target (target_key, name, category, population, geom)
        values ('K1', '加油站旁幼儿园', 'kindergarten', 20, ST_SetSRID(ST_MakePoint(:lon, :lat), 4326)) returning id
    """), {"lon": LON + 0.05, "lat": _north(9)}).scalar_one()
    conn.execute(sa.text("""
        insert into admin_area (code, name, level, geom)
        values ('140502001', '东街街道', 'town',
                ST_Multi(ST_MakeEnvelope(:x0, :y0, :x1, :y1, 4326)))
    """), {"x0": LON - 0.1, "y0": LAT - 0.1, "x1": LON + 0.1, "y1": LAT + 0.1})
    conn.execute(sa.text("""
        insert into pipeline (pipeline_key, name, medium, diameter_mm, maop_mpa, geom)
        values ('P1', '测试输气管道', 'gas', 610, 6.3,
                ST_SetSRID(ST_MakeLine(ST_MakePoint(:x0, :y), ST_MakePoint(:x1, :y)), 4326))
    """), {"x0": LON - 0.02, "x1": LON + 0.02, "y": _north(400)})
    return ids


@pytest.fixture
def seeded(fresh_db_url, monkeypatch):
    monkeypatch.setenv("DATABASE_URL", fresh_db_url)
    monkeypatch.delenv("HAZMAP_CONFIG", raising=False)
    with get_engine(fresh_db_url).begin() as conn:
        ids = _seed(conn)
    return fresh_db_url, ids


def test_refresh_grades_and_explains(seeded):
    url, ids = seeded
    out = run_refresh(load_settings())
    run_id = out["run_id"]
    with get_engine(url).connect() as conn:
        u = conn.execute(sa.text("select * from hazard_unit_result where run_id = :r and hazard_unit_id = :u"),
                         {"r": run_id, "u": ids["unit"]}).one()
        # 液氯 30 t: Q = 5 t (表1), β = 4 (表3); 60 people within 500 m → α = 1.5
        assert u.s == pytest.approx(6.0)
        assert u.exposed_people == pytest.approx(60.0)
        assert u.alpha == 1.5
        assert u.r == pytest.approx(1.5 * 4 * 6.0)  # 36 → 三级
        assert u.grade == 3
        assert [t["target_id"] for t in u.exposure] == [ids["school"]]
        conflicts = conn.execute(sa.text(
            "select enterprise_id, target_id, distance_m, required_m, deficit_m, rule_id from conflict "
            "where run_id = :r order by enterprise_id"), {"r": run_id}).all()
        risk = {r.enterprise_id: r for r in conn.execute(sa.text(
            "select * from enterprise_risk where run_id = :r"), {"r": run_id})}
        areas = conn.execute(sa.text("select level, count(*) from area_risk where run_id = :r group by level"),
                             {"r": run_id}).all()
        hca = conn.execute(sa.text("select grade, impact_radius_m from pipeline_hca where run_id = :r"),
                           {"r": run_id}).all()
    pairs = {(c.enterprise_id, c.target_id): c for c in conflicts}
    # the gas station's kindergarten at ~9 m violates GB 50156 表4.0.4: station grade, vapour recovery
    # and the kindergarten's size are not registered → the smallest distance they could give, 三级站 with
    # both recovery systems → 一类保护物 11 m (a lower bound)
    st = pairs[(ids["station"], ids["kg"])]
    assert st.required_m == 11 and 5 < st.distance_m < 11
    assert st.deficit_m == pytest.approx(11 - st.distance_m)
    # the grade-3 toxic major hazard screens the school at 300 m (local-policy screening distance)
    assert (ids["plant"], ids["school"]) in pairs
    # four colours: reasons add up to the score exactly
    for r in risk.values():
        assert 100 + sum(x["points"] for x in r.reasons) == pytest.approx(r.risk_score)
    plant = risk[ids["plant"]]
    codes = {x["code"] for x in plant.reasons}
    assert {"MAJOR_HAZARD", "OUTSIDE_PARK", "DISTANCE_NOT_MET", "SUBSTANCE"} <= codes
    assert plant.major_hazard_grade == 3
    assert any("未评估" in x["text"] for x in plant.reasons)
    assert dict(areas)["town"] == 1 and dict(areas)["grid"] >= 1
    # r = 0.099·√(610²·6.3) ≈ 151.6 m; no special site within it → the pipeline has no HCA here
    assert all(math.isclose(h.impact_radius_m, 0.099 * math.sqrt(610 ** 2 * 6.3), rel_tol=1e-9) for h in hca)


def test_second_refresh_reports_no_changes_and_cli_works(seeded):
    url, _ = seeded
    from hazmap.cli import cli

    first = CliRunner().invoke(cli, ["refresh"])
    assert first.exit_code == 0, first.output
    assert "首次计算" in first.output
    # the colours say how many are provisional and how many could be red (counted from the stored results)
    with get_engine(url).connect() as conn:
        n_prov, n_red = conn.execute(sa.text("""
            select count(*) filter (where provisional),
                   count(*) filter (where provisional and risk_color_worst = 'red' and risk_color <> 'red')
            from enterprise_risk where run_id = (select max(run_id) from enterprise_risk)""")).one()
    assert n_prov > 0
    assert f"（初步分级 {n_prov} 家：评估未覆盖全部 100 分，其中最不利可能为红色 {n_red} 家）" in first.output
    second = CliRunner().invoke(cli, ["refresh"])
    assert second.exit_code == 0, second.output
    assert "变化 0 家" in second.output and "冲突新增 0 处" in second.output
    # nothing changed since the first: the second kept every enterprise's exposure and conflicts
    assert "全量重算" in first.output and "增量重算" in second.output
    assert "重新统计暴露人数 0 家，重新计算距离冲突 0 家" in second.output
    third = CliRunner().invoke(cli, ["refresh", "--full"])
    assert third.exit_code == 0 and "全量重算" in third.output and "变化 0 家" in third.output


def test_change_report_sees_a_new_conflict(seeded):
    url, ids = seeded
    settings = load_settings()
    run_refresh(settings)
    with get_engine(url).begin() as conn:
        conn.execute(sa.text("""
            insert into protection_target (target_key, name, category, population, geom)
            values ('H1', '新建医院', 'hospital', 10, ST_SetSRID(ST_MakePoint(:lon, :lat), 4326))
        """), {"lon": LON + 0.05, "lat": _north(-6)})
    out = run_refresh(settings)
    assert out["changes"]["summary"]["conflicts_added"] == 1
    with get_engine(url).connect() as conn:
        stored = conn.execute(sa.text("select changes from run where id = :r"), {"r": out["run_id"]}).scalar()
    assert stored["summary"]["conflicts_added"] == 1


def test_rules_override_from_config_changes_the_distance(seeded, tmp_path, monkeypatch):
    url, ids = seeded
    cfg = tmp_path / "h.toml"
    # the GB 50156 row that decides the station → kindergarten requirement (11 m) overridden to 5 m
    rule_id = next(r.rule_id for r in domain().rules.rules
                   if r.source_class == "加油站" and r.target_class == "一类保护物" and r.distance_m == 11)
    cfg.write_text(f'[[rules.overrides]]\nrule_id = "{rule_id}"\ndistance_m = 5\n', encoding="utf-8")
    monkeypatch.setenv("HAZMAP_CONFIG", str(cfg))
    out = run_refresh(load_settings())
    with get_engine(url).connect() as conn:
        n = conn.execute(sa.text("select count(*) from conflict where run_id = :r and enterprise_id = :e"),
                         {"r": out["run_id"], "e": ids["station"]}).scalar()
    assert n == 0  # the kindergarten at ~9 m now complies with the overridden 5 m
    # the run records the rules version of this deployment, not the file's
    with get_engine(url).connect() as conn:
        stored = conn.execute(sa.text("select versions from run where id = :r"), {"r": out["run_id"]}).scalar()
    assert stored["rules"] != domain().versions.rules and stored["rules"].startswith(domain().versions.rules + "+ov1-")


def test_results_json_is_chinese(seeded):
    url, ids = seeded
    out = run_refresh(load_settings())
    with get_engine(url).connect() as conn:
        reasons = conn.execute(sa.text("select reasons from enterprise_risk where run_id = :r and enterprise_id = :e"),
                               {"r": out["run_id"], "e": ids["station"]}).scalar()
    assert "外部安全防护距离" in json.dumps(reasons, ensure_ascii=False)


def test_area_colours_say_how_provisional_they_are(seeded):
    """A town's colour is as known as its enterprises': every enterprise is provisional here (the
    registry alone never covers the guide's 100 points), so the town counts them and gives its worst
    case — the index with each enterprise at its risk_color_worst, never below the known index."""
    url, _ = seeded
    run = run_refresh(load_settings())["run_id"]
    with get_engine(url).connect() as conn:
        towns = conn.execute(sa.text("""
            select ar.area_code, ar.risk_index, ar.counts,
                   (select count(*) from enterprise e join enterprise_risk er on er.enterprise_id = e.id
                    and er.run_id = ar.run_id where e.town_code = ar.area_code and er.provisional) as provisional,
                   (select count(*) from enterprise e join enterprise_risk er on er.enterprise_id = e.id
                    and er.run_id = ar.run_id where e.town_code = ar.area_code and er.provisional
                    and er.risk_color_worst = 'red' and er.risk_color <> 'red') as could_be_red
            from area_risk ar where ar.run_id = :run and ar.level = 'town'"""), {"run": run}).all()
    with_members = [t for t in towns if sum(t.counts[c] for c in ("red", "orange", "yellow", "blue"))]
    assert with_members
    for t in with_members:
        assert t.counts["provisional"] == t.provisional > 0 and t.counts["could_be_red"] == t.could_be_red
        assert t.counts["worst_index"] >= t.risk_index and t.counts["worst_color"] in ("red", "orange", "yellow", "blue")

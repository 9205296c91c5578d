"""Registered sizes and operating conditions reach the refresh (issue 11): the band a requirement
uses comes from what the registry says (or what its stored quantities give), unknown sizes stay the
smallest band said 下限, and W5 follows the unit's registered temperature and pressure.

Every expected number is worked out by hand from the data files in the comments."""

from __future__ import annotations

import csv
import json
from dataclasses import replace
from pathlib import Path

import pytest
import sqlalchemy as sa

from geo import credit_code

pytestmark = pytest.mark.postgis

E_HEAD = ["统一社会信用代码", "企业名称", "环节", "设施类型", "经度", "纬度", "坐标系", "站级", "油气回收", "储罐总容积m3"]
U_HEAD = ["单元编号", "统一社会信用代码", "单元类型", "化学品名称", "设计最大量", "计量单位", "操作温度℃", "操作压力MPa",
          "登记火灾危险性"]


def _code(i: int) -> str:
    base = f"91140502MA2{i:06d}"[:17]
    return base + credit_code.check_character(base)


def _csv(path: Path, head, rows) -> Path:
    with path.open("w", encoding="utf-8", newline="") as f:
        w = csv.writer(f)
        w.writerow(head)
        w.writerows(rows)
    return path


@pytest.fixture
def refreshed(fresh_db_url, tmp_path):
    from etl.run import Source, run_etl
    from hazmap.config import load_settings

    # enterprises 4 km apart, no targets: nobody is counted within 500 m (α = 0.5, GB 18218 表5)
    ents = [
        (0, "晋城市甲液化气有限公司", "储存", "液化石油气充装站", "", "", ""),
        (1, "晋城市乙加油站", "储存", "加油站", "二级", "卸油和加油油气回收", ""),
        (2, "晋城市丙加油站", "储存", "加油站", "", "", ""),
        (3, "晋城市丁化工有限公司", "生产", "化工厂", "", "", ""),
        (4, "晋城市戊液化气有限公司", "储存", "液化石油气充装站", "", "", "600"),
    ]
    ent = _csv(tmp_path / "e.csv", E_HEAD, [
        [_code(i), name, stage, ft, f"{112.80 + 0.05 * i:.4f}", "35.50", "wgs84", grade, vr, vol]
        for i, name, stage, ft, grade, vr, vol in ents])
    hu = _csv(tmp_path / "hu.csv", U_HEAD, [
        ["LPG-1", _code(0), "储存单元", "液化石油气", "1250", "t", "", "", ""],
        ["X-P", _code(3), "生产单元", "二甲苯", "100", "t", "80", "2.5", ""],     # W5.2: 2.5 MPa > 1.6 MPa
        ["X-T", _code(3), "生产单元", "二甲苯", "100", "t", "150", "", ""],      # W5.1: 150 ℃ > 沸点 139 ℃
        ["X-0", _code(3), "储存单元", "二甲苯", "100", "t", "", "", ""],         # not registered: W5.4
        ["X-F", _code(3), "储存单元", "甲苯", "10", "t", "", "", "丙"],          # 甲苯 is 甲类
        ["LPG-4", _code(4), "储存单元", "液化石油气", "1250", "t", "", "", ""],
    ])
    s = replace(load_settings(None, env={}), database_url=fresh_db_url)
    res = run_etl(s, [Source("enterprises", ent), Source("hazard_units", hu)], rejects_path=tmp_path / "r.csv")
    assert res.status == "succeeded", res.message
    from hazmap.db.session import get_engine

    with get_engine(fresh_db_url).connect() as conn:
        reqs = {(r.credit_code, r.category): r for r in conn.execute(sa.text("""
            select e.credit_code, q.category, q.required_m, q.rule_id, q.rule_text from source_requirement q
            join enterprise e on e.id = q.enterprise_id where q.run_id = :run"""), {"run": res.run_id})}
        units = {r.unit_key: r for r in conn.execute(sa.text("""
            select u.unit_key, u.fire_class, u.fire_class_registered, r.s, r.r, r.alpha, r.is_major, r.grade, r.notes
            from hazard_unit u join hazard_unit_result r on r.hazard_unit_id = u.id where r.run_id = :run"""),
            {"run": res.run_id})}
    return res, reqs, units


def test_lpg_band_from_the_volume_derived_from_1250_t(refreshed):
    _, reqs, _ = refreshed
    # V = m / (ρ · φ) = 1250 t / (0.58 t/m³ × 0.95) = 1250 / 0.551 = 2268.6 m³
    # (ρ: chemical_properties.csv 液化石油气 液相密度 0.58; φ: size_basis.csv LPG储罐区 装量系数 0.95)
    volume = 1250 / (0.58 * 0.95)
    assert round(volume, 1) == 2268.6
    # 1000 < 2268.6 ≤ 2500 → GB 50016 表4.4.1 R023: 重要公共建筑 110 m (a 商场 is one), not the 45 m of 30–50 m³
    mall = reqs[(_code(0), "mall")]
    assert (mall.required_m, mall.rule_id) == (110.0, "R023")
    assert "≈ 2268.6 m³" in mall.rule_text and "推算容积为下限" in mall.rule_text
    # 民用建筑 (办公楼) from the same band: R033 65 m
    assert (reqs[(_code(0), "office")].required_m, reqs[(_code(0), "office")].rule_id) == (65.0, "R033")


def test_a_registered_total_volume_wins_over_the_derived_one(refreshed):
    _, reqs, _ = refreshed
    # 储罐总容积 600 m³ registered: 500 < 600 ≤ 1000 → R021 90 m to 重要公共建筑, said as registered (no 推算)
    mall = reqs[(_code(4), "mall")]
    assert (mall.required_m, mall.rule_id) == (90.0, "R021") and "推算" not in mall.rule_text


def test_filling_station_exact_row_when_grade_and_vapour_recovery_are_registered(refreshed):
    _, reqs, _ = refreshed
    # 二级站, 有卸油和加油油气回收系统 → GB 50156 表4.0.4 row FS-G2-V2: 三类保护物 (住宅) 8.5 m
    known = reqs[(_code(1), "residential")]
    assert (known.required_m, known.rule_id) == (8.5, "FS-G2-V2-P3")
    assert "登记数据无加油加气站等级" not in known.rule_text
    # nothing registered and nothing stored: the smallest band (三级站, 有卸油和加油油气回收 7 m), said 下限
    unknown = reqs[(_code(2), "residential")]
    assert (unknown.required_m, unknown.rule_id) == (7.0, "FS-G3-V2-P3")
    assert "登记数据无加油加气站等级、油气回收系统情况，取最小档（下限）" in unknown.rule_text


def test_w5_from_registered_temperature_and_pressure(refreshed):
    _, _, units = refreshed
    # 二甲苯 (catalogue W5.4, 沸点 139 ℃), 100 t each; GB 18218 表2: W5.1 Q 10 t β 1.5, W5.2 Q 50 t β 1,
    # W5.4 Q 5000 t β 1; α = 0.5 (nobody within 500 m, 表5)
    p, t, none = units["X-P"], units["X-T"], units["X-0"]
    assert p.s == pytest.approx(100 / 50) and p.is_major           # S = 2
    assert p.r == pytest.approx(p.alpha * 1.0 * 2.0) and p.grade == 4
    assert any("操作压力2.5 MPa大于1.6 MPa，按W5.2" in n for n in p.notes)
    assert t.s == pytest.approx(100 / 10) and t.is_major           # S = 10
    assert t.r == pytest.approx(t.alpha * 1.5 * 10.0)
    assert any("工作温度150℃高于沸点139℃，按W5.1" in n for n in t.notes)
    assert none.s == pytest.approx(100 / 5000) and not none.is_major  # S = 0.02
    assert any("未登记操作温度、压力等工艺条件，按常温常压取W5.4" in n for n in none.notes)


def test_fire_class_contradiction_is_a_warning_and_the_derived_class_is_used(refreshed):
    res, reqs, units = refreshed
    warn = [r for r in res.rejects if r.severity == "warning"]
    assert [(w.file, w.line, w.field, w.value) for w in warn] == [("hu.csv", 6, "登记火灾危险性", "丙")]
    assert "甲苯为甲类" in warn[0].reason and "按甲类计" in warn[0].reason
    assert (units["X-F"].fire_class_registered, units["X-F"].fire_class) == ("丙", "甲")
    # the enterprise (化工厂 → 甲类厂房 when a unit is 甲, GB 50016 表3.4.1) takes the derived 甲 class:
    # 民用建筑 (办公楼) 25 m (R002), 重要公共建筑 (商场) 50 m (R001); with the registered 丙 alone a
    # 丙类厂房 carries no such row and those categories would have no requirement at all
    assert (reqs[(_code(3), "office")].required_m, reqs[(_code(3), "office")].rule_id) == (25.0, "R002")
    assert (reqs[(_code(3), "mall")].required_m, reqs[(_code(3), "mall")].rule_id) == (50.0, "R001")
    assert res.counts["hazard_units"]["rejected"] == 0 and res.counts["hazard_units"]["warnings"] == 1
    assert json.dumps(res.counts, ensure_ascii=False)  # counts stay JSON (run.counts column)


def test_registered_accident_counts_in_the_guides_windows_decide_direct_red(fresh_db_url, tmp_path):
    """应急〔2018〕19号 direct red from the registry's counts: 三年内重大事故 1 → red; 一年内亡人事故 2 → red;
    三年内死亡事故 2 with 一年内亡人事故 0 → not met (settled); without the one-year count → 未评估;
    一年内 more than 三年内 → the row is rejected, naming the column."""
    from etl.run import Source, run_etl
    from hazmap.config import load_settings
    from hazmap.db.session import get_engine

    head = ["统一社会信用代码", "企业名称", "环节", "设施类型", "经度", "纬度", "坐标系",
            "三年内重大事故", "三年内较大事故", "三年内死亡事故", "一年内亡人事故"]
    rows = [  # i, major 3y, larger 3y, fatal 3y, fatal 1y
        (0, "1", "0", "0", "0"), (1, "0", "0", "2", "2"), (2, "0", "0", "2", "0"), (3, "0", "0", "2", ""),
        (4, "0", "0", "1", "2")]
    ent = _csv(tmp_path / "e.csv", head, [
        [_code(10 + i), f"晋城市事故{i}化工有限公司", "储存", "危化品仓库", f"{112.80 + 0.05 * i:.4f}", "35.50", "wgs84",
         major, larger, fatal3, fatal1] for i, major, larger, fatal3, fatal1 in rows])
    s = replace(load_settings(None, env={}), database_url=fresh_db_url)
    res = run_etl(s, [Source("enterprises", ent)], rejects_path=tmp_path / "r.csv")
    assert res.status == "succeeded", res.message
    bad = [r for r in res.rejects if r.line == 6]
    assert bad and bad[0].field == "一年内亡人事故" and "多于三年内死亡事故" in bad[0].reason
    with get_engine(fresh_db_url).connect() as conn:
        got = {r.credit_code: r for r in conn.execute(sa.text("""
            select e.credit_code, r.risk_color, r.reasons, r.direct_red_unevaluated from enterprise_risk r
            join enterprise e on e.id = r.enterprise_id where r.run_id = :run"""), {"run": res.run_id})}
    assert set(got) == {_code(10 + i) for i in range(4)}

    def direct_red(code):
        g = got[code]
        if any(x["code"] == "DIRECT_RED" for x in g.reasons):
            return "met"
        return "unevaluated" if any(d["code"] == "DR_ACCIDENTS" for d in g.direct_red_unevaluated) else "not_met"

    assert [direct_red(_code(10 + i)) for i in range(4)] == ["met", "met", "not_met", "unevaluated"]
    assert got[_code(10)].risk_color == "red" and got[_code(11)].risk_color == "red"


def test_credit_class_and_recused_departments_load_from_the_registry(fresh_db_url, tmp_path):
    from etl.run import Source, run_etl
    from hazmap.config import load_settings
    from hazmap.db.session import get_engine

    head = ["统一社会信用代码", "企业名称", "环节", "设施类型", "经度", "纬度", "坐标系", "信用等级", "回避部门"]
    rows = [(0, "A", "区应急管理局、区公安分局"), (1, "b", ""), (2, "Z", "")]
    ent = _csv(tmp_path / "e.csv", head, [[_code(30 + i), f"晋城市信用{i}化工有限公司", "储存", "危化品仓库",
                                            f"{112.80 + 0.05 * i:.4f}", "35.50", "wgs84", c, d] for i, c, d in rows])
    s = replace(load_settings(None, env={}), database_url=fresh_db_url)
    res = run_etl(s, [Source("enterprises", ent)], rejects_path=tmp_path / "r.csv")
    assert res.status == "succeeded", res.message
    assert [(r.line, r.field) for r in res.rejects] == [(4, "信用等级")] and "A/B/C/D" in res.rejects[0].reason
    with get_engine(fresh_db_url).connect() as conn:
        got = dict((r[0], (r[1], r[2])) for r in conn.execute(sa.text(
            "select credit_code, credit_class, recused_departments from enterprise")))
    assert got == {_code(30): ("A", ["区应急管理局", "区公安分局"]), _code(31): ("B", None)}

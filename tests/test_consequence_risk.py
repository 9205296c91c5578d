"""Scenarios, screening zones, IR contours, GB 36894 checks and F–N — closed forms and property checks."""

from __future__ import annotations

import math
import shutil
import subprocess
import sys
from pathlib import Path

import numpy as np
import pytest
from pyproj import Geod

from geo.consequence.properties import chemical_properties
from geo.consequence.risk import ProtectionTarget, check_targets, fn_curve, individual_risk_at, risk_grid
from geo.consequence.scenarios import (HazardUnitInput, InventoryItem, Outcome, RadialEffect, Scenario, UnitScenarios,
                                       unit_scenarios)
from geo.consequence.screening import screen_unit
from geo.consequence.tables import ConsequenceDataError, load_consequence_tables

REPO = Path(__file__).resolve().parent.parent
DATA = REPO / "data" / "rules" / "consequence"
GEOD = Geod(ellps="WGS84")


@pytest.fixture(scope="module")
def t():
    return load_consequence_tables(DATA)


def _step_source(t, *, radius_m: float, frequency: float) -> UnitScenarios:
    """One scenario, one isotropic outcome with a step vulnerability: P = 1 for r ≤ R, 0 beyond."""
    r = np.array([0.0, radius_m, radius_m + 1e-6, 10 * radius_m])
    eff = RadialEffect(r, np.array([1.0, 1.0, 0.0, 0.0]))
    o = Outcome("vce", "测试", 1.0, frequency, eff, "step", ())
    s = Scenario("S/1", "S", "X", "测试", t.holes[-1], frequency, "test", "instantaneous", None, 1.0, 0.0, (o,), ())
    return UnitScenarios(HazardUnitInput("S", 112.85, 35.5, "wgs84", ()), (s,), (), t.model_version)


def test_ir_contour_of_step_source_is_the_circle(t):
    # Closed form: IR(r) = f·P(r) = f for r ≤ R and 0 beyond.  With f = 2e-5/a every level ≤ 2e-5 is the disc of
    # radius R (area πR² = π·200² = 125 664 m²), the 3e-5 level is empty.  The grid (10 m cells, linear
    # interpolation of the step between two nodes) puts the edge within one cell of R.
    us = _step_source(t, radius_m=200.0, frequency=2e-5)
    res = risk_grid(us, tables=t)
    assert res.cell_m == 10.0
    assert float(individual_risk_at(us, 0.0, 150.0, tables=t)) == pytest.approx(2e-5)
    assert float(individual_risk_at(us, 250.0, 0.0, tables=t)) == 0.0
    by = {c.level_per_year: c for c in res.contours}
    assert by[3e-5].geometry.is_empty
    for lv in (1e-5, 3e-6, 3e-7):
        assert by[lv].area_m2 == pytest.approx(math.pi * 200 ** 2, rel=0.1)
    # the contour comes back in WGS-84 around the source: its east edge ≈ 200 m from the source
    minx, miny, maxx, maxy = by[3e-7].geometry.bounds
    assert GEOD.inv(112.85, 35.5, maxx, 35.5)[2] == pytest.approx(200, abs=10)


def test_targets_against_gb36894(t):
    us = _step_source(t, radius_m=200.0, frequency=1e-5)
    lon_in = GEOD.fwd(112.85, 35.5, 90, 100)[0]
    lon_out = GEOD.fwd(112.85, 35.5, 90, 400)[0]
    targets = [ProtectionTarget("a", "小学", "high_sensitivity", lon_in, 35.5, "wgs84", 300),
               ProtectionTarget("b", "村庄", "general_3", lon_out, 35.5, "wgs84", 20)]
    checks = {c.target_id: c for c in check_targets(us, targets, tables=t)}
    # IR 1e-5 > 3e-6 (existing high-sensitivity criterion) → not met; 0 ≤ 3e-5 → met
    assert checks["a"].individual_risk_per_year == pytest.approx(1e-5) and not checks["a"].met
    assert checks["a"].criterion_per_year == t.criteria["high_sensitivity"].existing_per_year
    assert "不满足" in checks["a"].text and "待核" in checks["a"].text
    # frequencies read as a Chinese page writes them, not 1.00e-05/a
    assert "个人风险 1.00×10⁻⁵/年，不满足" in checks["a"].text and "基准 3×10⁻⁶/年" in checks["a"].text
    assert checks["b"].met
    # F–N: one event of frequency 1e-5 killing the 300 pupils inside R → F(N) = 1e-5 for N ≤ 300
    fn = fn_curve(us, targets, tables=t)
    assert fn.n.tolist() == [300.0] and fn.f_per_year.tolist() == [pytest.approx(1e-5)]
    # 1e-5 > 1e-3/300 = 3.3e-6 → above the unacceptable line
    assert fn.verdict == "不可接受"


def test_unit_without_hazard_has_no_scenarios_and_zero_risk(t):
    u = HazardUnitInput("U0", 112.85, 35.5, "wgs84", (InventoryItem("CAS-7664-93-9", "硫酸", "7664-93-9", 100.0),))
    us = unit_scenarios(u, tables=t)
    assert us.scenarios == () and len(us.not_computed) == 1
    assert "无后果场景" in us.not_computed[0].reason
    assert float(individual_risk_at(us, 10.0, 10.0, tables=t)) == 0.0
    assert screen_unit(u, tables=t).zones == ()


def test_unknown_chemical_is_not_computed_never_guessed(t):
    u = HazardUnitInput("U1", 112.85, 35.5, "wgs84", (InventoryItem("CAS-68334-30-5", "柴油", "68334-30-5", 100.0),
                                                    InventoryItem("T1-13", "煤气", "", 10.0)))
    us = unit_scenarios(u, tables=t)
    reasons = {n.chemical_key: n.reason for n in us.not_computed}
    assert "不以估计值代替" in reasons["CAS-68334-30-5"]
    assert "无 CAS" in reasons["T1-13"]


def test_properties_carry_their_source():
    p = chemical_properties("74-98-6", temperature_k=293.15)
    assert p.get("mw_g_mol") == pytest.approx(44.096, abs=0.01)
    assert p.get("tb_k") == pytest.approx(231.0, abs=0.2)  # propane normal boiling point −42.1 °C
    assert p.get("lfl") == pytest.approx(0.017, abs=0.002)
    assert p.get("hc_lower_j_kg") == pytest.approx(46.35e6, rel=0.01)  # propane LHV 46.35 MJ/kg
    for v in p.values.values():
        assert v.source.startswith("thermo ") and "chemicals " in v.source


def test_screening_zones_monotone_in_quantity_and_in_wgs84(t):
    def zones(q):
        u = HazardUnitInput("L", 112.85, 35.5, "wgs84", (InventoryItem("T1-52", "液化石油气", "68476-85-7", q),))
        return {z.endpoint: z for z in screen_unit(u, tables=t).zones}

    small, big = zones(20.0), zones(200.0)
    assert set(small) == {"overpressure_1psi", "heat_5kw", "lfl"}
    for k in small:
        assert big[k].distance_m > small[k].distance_m
    # 1 psi at 10 % yield, no ground factor: W = 0.1·20000·Hc/4520; KB Z(1 psi) ≈ 18.1 → d ≈ 18.1·W^(1/3)
    w = 0.1 * 20000 * chemical_properties("74-98-6", temperature_k=293.15).get("hc_lower_j_kg") / 1000 / 4520
    assert small["overpressure_1psi"].distance_m == pytest.approx(18.1 * w ** (1 / 3), rel=0.01)
    z = small["heat_5kw"]
    assert z.crs == "EPSG:4326" and z.geometry.geom_type == "Polygon"
    assert GEOD.inv(112.85, 35.5, z.geometry.bounds[2], 35.5)[2] == pytest.approx(z.distance_m, rel=0.01)
    assert any(i.source.startswith("thermo ") for i in z.inputs) and z.model_version == t.model_version


def test_qra_contours_nested_and_risk_monotone(t):
    def grid(q):
        u = HazardUnitInput("M", 112.85, 35.5, "wgs84", (InventoryItem("T1-57", "苯", "71-43-2", q),))
        return risk_grid(unit_scenarios(u, tables=t), tables=t)

    res = grid(200.0)
    geoms = [c.geometry for c in res.contours]  # levels from high to low risk
    for inner, outer in zip(geoms, geoms[1:]):
        if not inner.is_empty:
            assert outer.buffer(1e-7).contains(inner)
    areas = [c.area_m2 for c in res.contours]
    assert areas == sorted(areas) and areas[-1] > 0
    assert grid(1000.0).contours[-1].area_m2 >= areas[-1]


def test_loader_names_file_and_row(tmp_path, t):
    d = tmp_path / "consequence"
    shutil.copytree(DATA, d)
    p = d / "failure_frequencies.csv"
    lines = p.read_text(encoding="utf-8").splitlines()
    lines[2] = lines[2].replace("1.0e-5", "abc")
    p.write_text("\n".join(lines) + "\n", encoding="utf-8")
    with pytest.raises(ConsequenceDataError, match="failure_frequencies.csv 第3行：frequency_per_year 不是数字"):
        load_consequence_tables(d)
    shutil.copy(DATA / "failure_frequencies.csv", p)
    m = d / "model.toml"
    m.write_text(m.read_text(encoding="utf-8").replace('status = "verified"', 'status = "maybe"', 1), encoding="utf-8")
    with pytest.raises(ConsequenceDataError, match=r"model.toml \[params.tnt_yield_alpha\]：status"):
        load_consequence_tables(d)


def test_every_data_row_cites_a_source(t):
    for rows in (t.thresholds, t.holes, t.frequencies, t.ignition, t.probits, tuple(t.endpoints.values()),
                 tuple(t.criteria.values()), t.societal_lines, t.contour_levels, tuple(t.params.values())):
        for r in rows:
            assert r.source and r.status in ("verified", "uncertain", "local_policy")


def test_benchmark_quick_smoke(tmp_path):
    out = tmp_path / "consequence.json"
    r = subprocess.run([sys.executable, str(REPO / "benchmarks" / "consequence.py"), "--quick", "--out", str(out)],
                       capture_output=True, text=True, timeout=600)
    assert r.returncode == 0, r.stderr
    import json
    doc = json.loads(out.read_text(encoding="utf-8"))
    assert doc["name"] == "consequence" and doc["metrics"]["units"] == 6
    assert len(doc["metrics"]["per_unit"]) == 6 and all(p["total_s"] > 0 for p in doc["metrics"]["per_unit"])


def test_frequencies_and_model_names_read_in_chinese():
    from geo.consequence.records import model_label
    from geo.consequence.risk import per_year

    assert per_year(2.64e-8) == "2.64×10⁻⁸/年" and per_year(3e-6, 0) == "3×10⁻⁶/年"
    assert per_year(1.2e-102) == "1.20×10⁻¹⁰²/年" and per_year(0.0) == "0/年" and per_year(12.5, 1) == "1.2×10¹/年"
    # the model descriptions the models write (screening.py, scenarios.py, dispersion.py) → Chinese names
    assert model_label("slabx 1.0.7（SLAB, Ermak 1990）：连续释放 1.62 kg/s × 600 s") == "重气扩散模型"
    assert model_label("高斯烟羽（Briggs rural σ）F 类 1.5 m/s，0.5 kg/s") == "高斯烟羽扩散模型"
    assert model_label("高斯烟团（Slade σ）F 类 1.5 m/s，100 kg") == "高斯烟团扩散模型"
    assert model_label("TNT 当量（收率 10%，40 CFR 68.25(e)）+ Kingery–Bulmash") == "梯恩梯当量法超压模型"
    assert model_label("蒸气云爆炸：TNT 当量法 + Kingery–Bulmash 超压 + Eisenberg 概率") == "蒸气云爆炸模型（梯恩梯当量法）"
    assert model_label("火球（CCPS 1994）") == "火球热辐射模型"
    assert model_label("池火固体火焰模型（无围堰时按最小液层厚度铺展）") == "池火热辐射模型"
    assert model_label("毒性扩散：slabx 1.0.7（SLAB, Ermak 1990）") == "毒性扩散模型"
    assert model_label("Unknown model 2.0") == model_label(None) == "后果模型（见模型说明）"

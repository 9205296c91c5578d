"""Separation rules by facility type and size (GB 50016 / GB 50156 / GB 50074 / GB 50160 + local
screening), the lower-bound convention, and the rule wording — worked examples by hand."""

import csv
from pathlib import Path

import pytest

from geo.reference_files import load_reference_from
from geo.rules_files import RulesError, load_ruleset_from
from geo.facility_size import station_grade_from_quantity, tank_volume_from_quantity
from geo.fire_class import class_a_quantities
from geo.separation import (TARGET_CATEGORIES, TERMS, SourceProfile, TankFarm, TargetProfile,
                            parse_condition, parse_source_classes, requirement_for, requirement_text,
                            requirements, rule_text, source_classes)
from hazmap.domain import data_dir

DEFAULT_DIR = data_dir("rules")


def load_ruleset():
    return load_ruleset_from(DEFAULT_DIR)


def load_reference():
    return load_reference_from(data_dir("reference"))

REF = Path(__file__).resolve().parent / "fixtures" / "reference_transcription" / "separation_distances.csv"  # verbatim copy of shared/reference


@pytest.fixture(scope="module")
def rs():
    return load_ruleset()


@pytest.fixture(scope="module")
def ref():
    return load_reference()


def _rows(name):
    with (DEFAULT_DIR / name).open(encoding="utf-8", newline="") as f:
        return list(csv.DictReader(f))


def T(category, **kw):
    return TargetProfile(category, **kw)


# -- the data files ---------------------------------------------------------------------------

def test_every_rule_cites_standard_and_clause_or_is_local_policy(rs):
    assert len(rs.rules) >= 150 and rs.version
    for r in rs.rules:
        assert r.term in TERMS[r.kind], r.rule_id
        if r.status == "local_policy":
            assert r.kind == "screening" and r.standard == "本地管控政策(示例)"
            assert r.term == "本地筛查距离" and "GB/T 37243" in r.note and "GB 36894" in r.note
            assert "本地筛查距离" in rule_text(r) and "外部安全防护距离不小于" not in rule_text(r)
        else:
            assert r.standard.startswith("GB") and r.clause, r.rule_id
    # GB 50156 uses its own term 安全间距, GB 50074 安全距离, GB 50016 防火间距
    assert {r.term for r in rs.rules if r.standard.startswith("GB 50156")} == {"安全间距"}
    assert {r.term for r in rs.rules if r.standard.startswith("GB 50074")} == {"安全距离"}
    assert {r.term for r in rs.rules if r.standard.startswith("GB 50016")} == {"防火间距"}


def test_rules_from_the_shared_transcription_keep_its_numbers(rs):
    with REF.open(encoding="utf-8") as f:
        ref = {}
        for r in csv.DictReader(f):
            ref.setdefault((r["standard"], r["clause"]), set()).add((float(r["distance_m"]), r["status"]))
    shared = [r for r in rs.rules if (r.standard, r.clause) in ref]
    assert len(shared) >= 45
    for r in shared:
        assert (r.distance_m, r.status) in ref[(r.standard, r.clause)], r.rule_id


def test_target_classes_cover_the_vocabulary_and_cite_sources(rs):
    assert set(rs.target_classes) == set(TARGET_CATEGORIES)
    for row in _rows("target_classes.csv"):
        assert row["source"].startswith("GB"), row
    assert "高敏感防护目标" in rs.target_classes["school"] and "重要公共建筑" in rs.target_classes["hospital"]
    assert {"居住区", "民用建筑", "高层民用建筑", "三类保护物"} <= set(rs.target_classes["residential"])


def test_facility_map_is_the_data_file_only(rs):
    assert rs.facility_classes["加油站"] == "加油站"
    assert parse_source_classes(rs.facility_classes["加气站"]) == (("LPG加气站", "CNG加气站", "LNG加气站"),)
    assert parse_source_classes("加油站+LPG加气站|CNG加气站") == (("加油站",), ("LPG加气站", "CNG加气站"))
    import geo.separation as sep
    assert not hasattr(sep, "DEFAULT_FACILITY_CLASSES")


# -- LPG: the band from the volume, the volume from the tonnage -------------------------------

def test_lpg_1250_t_requires_the_band_of_its_volume_not_45_m(rs, ref):
    lpg = ref.catalogue.resolve(name="液化石油气")
    volume, basis = tank_volume_from_quantity([(lpg, 1250)], source_class="LPG储罐区", basis=rs.size_basis,
                                              properties=ref.properties)
    # V = m / (ρ·φ) = 1250 t / (0.58 t/m³ × 0.95) = 1250 / 0.551 = 2268.6 m³ → 1000 < V ≤ 2500
    assert volume == pytest.approx(1250 / (0.58 * 0.95)) and volume == pytest.approx(2268.6, abs=0.1)
    assert "推算" in basis and "下限" in basis
    p = SourceProfile("液化石油气充装站", ("storage",), tank_volume_m3=volume, size_basis=(("tank_volume_m3", basis),))
    school = requirement_for(p, rs, T("school", population=800))
    assert school.required_m == 110 and school.rule.rule_id == "R023" and school.rule.clause == "表4.4.1"
    assert "推算" in school.full_note
    town = requirement_for(p, rs, T("residential", population=2000))  # ≥1000 人: 居住区 → 110 m
    assert town.required_m == 110 and town.rule.target_class == "居住区"
    assert requirement_for(p, rs, T("office")).required_m == 65  # 民用建筑, same band


def test_lpg_bands_and_unknown_volume(rs):
    req = requirements(SourceProfile("液化石油气充装站", ("storage",), tank_volume_m3=40), rs)
    # 30 < 40 ≤ 50: 重要公共建筑 45 m, 民用建筑 40 m; a residential area of unknown size → 民用建筑 (lower bound)
    assert req["school"].required_m == 45 and req["office"].required_m == 40
    assert req["residential"].required_m == 40 and "户数" in req["residential"].full_note
    big = requirement_for(SourceProfile("液化石油气充装站", ("storage",), tank_volume_m3=40), rs,
                          T("residential", households=350))
    assert big.required_m == 45 and big.rule.target_class == "居住区" and not big.lower_bound
    unknown = requirements(SourceProfile("液化石油气充装站", ("storage",)), rs)
    assert unknown["school"].required_m == 45 and "储罐总容积" in unknown["school"].full_note
    assert unknown["school"].lower_bound and "下限" in unknown["school"].full_note
    assert requirements(SourceProfile("液化石油气充装站", ("storage",), tank_volume_m3=10), rs) == {}


# -- tank farms use the storage-tank rules ------------------------------------------------------

def test_a_methanol_tank_farm_uses_the_tank_table_not_the_warehouse_rules(rs, ref):
    methanol = ref.catalogue.resolve(name="甲醇")
    volume, basis = tank_volume_from_quantity([(methanol, 300)], source_class="甲乙类液体储罐区",
                                              basis=rs.size_basis, properties=ref.properties)
    assert volume == pytest.approx(300 / 0.79)  # 379.7 m³ → 200 ≤ V < 1000
    p = SourceProfile("储罐区", ("storage",), fire_classes=frozenset({"甲"}), tank_volume_m3=volume,
                      size_basis=(("tank_volume_m3", basis),))
    assert source_classes(p, rs) == {"甲乙类液体储罐区"}
    office = requirement_for(p, rs, T("office", high_rise=False))
    assert office.required_m == 20 and office.rule.clause == "表4.2.1" and "耐火等级" in office.full_note
    assert requirement_for(p, rs, T("office", high_rise=True)).required_m == 60
    # a plant whose tank farm is listed apart: the plant's 甲类厂房 rules and the tank table both apply
    plant = SourceProfile("化工厂", ("production",), fire_classes=frozenset({"甲"}),
                          tank_farms=(TankFarm("甲乙类液体储罐区", 1200.0, "登记储罐总容积"),))
    assert source_classes(plant, rs) == {"甲类厂房", "甲乙类液体储罐区"}
    hr = requirement_for(plant, rs, T("residential", high_rise=True))
    assert hr.required_m == 70 and hr.rule.rule_id == "TK-AB4-HR"  # 1000 ≤ 1200 < 5000 beats 甲类厂房's 50
    diesel_only = SourceProfile("储罐区", ("storage",), fire_classes=frozenset({"丙"}), tank_volume_m3=300)
    assert source_classes(diesel_only, rs) == {"丙类液体储罐区"}
    assert requirement_for(diesel_only, rs, T("office", high_rise=False)).required_m == 15  # 250 ≤ 300 < 1000


# -- 甲类仓库 bands from the registered quantity -------------------------------------------------

def test_class_a_warehouse_bands_from_the_chemicals(rs, ref):
    cat = ref.catalogue
    lines = [(cat.resolve(name="甲苯"), 12), (cat.resolve(name="电石"), 3)]  # 甲类第1项 12 t, 第4项 3 t
    q34, q1256 = class_a_quantities(lines, properties=ref.properties)
    assert (q34, q1256) == (3, 12)
    p = SourceProfile("危化品仓库", ("storage",), fire_classes=frozenset({"甲"}), class_a_34_t=q34, class_a_1256_t=q1256)
    # 第3、4项 3 t ≤ 5 t → 30 m; 第1、2、5、6项 12 t > 10 t → 30 m; the largest: 30 m (民用建筑)
    assert requirement_for(p, rs, T("office", high_rise=False)).required_m == 30
    p8 = SourceProfile("危化品仓库", ("storage",), fire_classes=frozenset({"甲"}), class_a_34_t=8, class_a_1256_t=12)
    assert requirement_for(p8, rs, T("office", high_rise=False)).required_m == 40  # 第3、4项 > 5 t
    assert requirement_for(p8, rs, T("school")).required_m == 50  # 重要公共建筑 in every band
    unknown = requirement_for(SourceProfile("危化品仓库", ("storage",)), rs, T("office", high_rise=False))
    assert unknown.required_m == 25 and unknown.lower_bound and "储量" in unknown.full_note  # the smallest band
    half = requirement_for(SourceProfile("危化品仓库", ("storage",), class_a_1256_t=5), rs, T("office", high_rise=False))
    # 第1、2、5、6项 5 t → 25 m; 第3、4项 not registered could give 30 or 40 m: 25 m is a lower bound
    assert half.required_m == 25 and half.lower_bound and "甲类第3、4项物品储量" in half.full_note and "可能更大" in half.full_note


# -- GB 50156: 表4.0.4 in full, 保护物 classes, vapour recovery -----------------------------------

def test_housing_next_to_a_filling_station_can_conflict(rs):
    p = SourceProfile("加油站", ("trade_storage",), station_grade=2, vapour_recovery=0)
    house = requirement_for(p, rs, T("residential"))
    # 二级站, 无油气回收系统 → 三类保护物 12 m (GB 50156 表4.0.4; housing is at least 三类保护物, B.0.4)
    assert house.required_m == 12 and house.rule.rule_id == "FS-G2-V0-P3" and house.lower_bound
    assert "安全间距不小于 12 m" in requirement_text(house) and "三类保护物" in requirement_text(house)
    # a kindergarten of 20 children is 一类保护物 (B.0.2): 20 m; of 300 it is 重要公共建筑物 (B.0.1): 50 m
    assert requirement_for(p, rs, T("kindergarten", population=20)).required_m == 20
    big = requirement_for(p, rs, T("kindergarten", population=300))
    assert big.required_m == 50 and big.rule.target_class == "重要公共建筑物" and big.rule.status == "verified"
    # a 150-bed hospital is 重要公共建筑物; a 40-bed one 一类保护物
    assert requirement_for(p, rs, T("hospital", beds=150)).required_m == 50
    assert requirement_for(p, rs, T("hospital", beds=40)).required_m == 20


def test_vapour_recovery_unknown_takes_the_smaller_distance_and_says_so(rs):
    p = SourceProfile("加油站", ("trade_storage",), station_grade=2)
    school = requirement_for(p, rs, T("school", population=600))
    # 二级站 重要公共建筑物: 50 / 40 / 35 m by recovery; unknown → 35 m (有卸油和加油油气回收系统), a lower bound
    assert school.required_m == 35 and school.rule.rule_id == "FS-G2-V2-IPB"
    assert school.lower_bound and "油气回收系统情况" in school.full_note and "下限" in school.full_note
    full = SourceProfile("加油站", ("trade_storage",), station_grade=2, vapour_recovery=2)
    # the published example: 二级站 with both recovery systems → 35 / 14 / 11 / 8.5 m
    assert [requirement_for(full, rs, t).required_m for t in
            (T("school", population=600), T("school", population=300), T("residential"))] == [35, 14, 8.5]
    recov = requirement_for(full, rs, T("residential"))
    assert recov.rule.status == "verified"


def test_station_grade_from_petrol_and_diesel_tonnage(rs, ref):
    cat = ref.catalogue
    lines = [(cat.resolve(name="汽油"), 40), (cat.resolve(name="柴油"), 50)]
    grade, basis = station_grade_from_quantity(lines, source_class="加油站", basis=rs.size_basis,
                                               properties=ref.properties)
    # V = 40/0.78 + 0.5 × 50/0.86 = 51.282 + 29.070 = 80.352 m³ ≤ 90 → 三级站
    assert grade == 3 and "80.4 m³" in basis and "三级站" in basis
    lines2 = [(cat.resolve(name="汽油"), 90), (cat.resolve(name="柴油"), 60)]
    # V = 90/0.78 + 0.5 × 60/0.86 = 115.38 + 34.88 = 150.27 m³ > 150 → 一级站
    assert station_grade_from_quantity(lines2, source_class="加油站", basis=rs.size_basis,
                                       properties=ref.properties)[0] == 1


def test_unknown_station_is_the_lower_bound_of_every_grade(rs):
    req = requirements(SourceProfile("加油站", ("trade_storage",)), rs)
    # smallest of 表4.0.4 for 一类保护物: 三级站 with both recovery systems, 11 m
    assert req["school"].required_m == 11 and req["school"].lower_bound
    assert "加油加气站等级" in req["school"].full_note and "使用人数" in req["school"].full_note


# -- 加气站 by their own tables -------------------------------------------------------------------

def test_gas_stations_use_their_own_tables(rs):
    school = T("school", population=600)
    cng = requirement_for(SourceProfile("CNG加气站", ("trade_storage",)), rs, school)
    assert cng.required_m == 50 and cng.rule.rule_id == "CNGS-IPB" and "安全间距" in requirement_text(cng)
    lng = requirement_for(SourceProfile("LNG加气站", ("trade_storage",), station_grade=1), rs, school)
    assert lng.required_m == 80 and lng.rule.source_class == "LNG加气站"
    lpg = requirement_for(SourceProfile("LPG加气站", ("trade_storage",), station_grade=2, lpg_tank_buried=1), rs,
                          T("kindergarten", population=50))
    assert lpg.required_m == 25 and lpg.rule.rule_id == "LPGS-G2-B-P1"
    assert lpg.rule.status == "uncertain" and "数值待核" in requirement_text(lpg)
    # a 加气站 whose gas is not registered: the smallest over the three tables, said so
    any_gas = requirement_for(SourceProfile("加气站", ("trade_storage",), station_grade=1), rs, school)
    # 重要公共建筑物: LPG 100, CNG 50, LNG 80 → 50 m
    assert any_gas.required_m == 50 and "设施类型未细分" in any_gas.full_note and any_gas.lower_bound
    # never the filling-station table
    assert all(r.rule.source_class != "加油站" for r in
               requirements(SourceProfile("CNG加气站", ("trade_storage",)), rs).values())


# -- high-rise targets ----------------------------------------------------------------------------

def test_high_rise_housing_and_unknown_height(rs):
    plant = SourceProfile("化工厂", ("production",), fire_classes=frozenset({"甲"}))
    assert requirement_for(plant, rs, T("residential", high_rise=True)).required_m == 50  # 表3.4.1 高层民用建筑
    low = requirement_for(plant, rs, T("residential", high_rise=False))
    assert low.required_m == 25 and not low.lower_bound
    unknown = requirement_for(plant, rs, T("residential"))
    assert unknown.required_m == 25 and unknown.lower_bound
    assert "未登记是否高层民用建筑" in unknown.full_note and "下限" in unknown.full_note
    wh = requirement_for(SourceProfile("危化品仓库", ("storage",), fire_classes=frozenset({"乙"})), rs,
                         T("office", high_rise=True))
    assert wh.required_m == 50 and wh.rule.rule_id == "R053"  # 3.5.2 乙类仓库 → 高层民用建筑


def test_target_kind_groups_targets_the_rules_cannot_tell_apart(rs):
    from geo.separation import target_kind
    a, b, c = (target_kind(T("school", population=n, households=7), rs) for n in (250, 499, 600))
    assert a == b != c and a.households is None  # no school rule reads 户数
    assert target_kind(T("hospital", beds=150), rs) == target_kind(T("hospital", beds=400), rs)
    station = SourceProfile("加油站", ("trade_storage",), station_grade=1, vapour_recovery=0)
    for t in (T("school", population=250), T("school", population=600), T("residential", high_rise=True),
              T("hospital", beds=149), T("residential", population=1000, households=20)):
        assert requirement_for(station, rs, t) == requirement_for(station, rs, target_kind(t, rs))
    # one-kind check on values: 一级站 无回收: school ≤ 500 人 → 一类保护物 25 m; > 500 → 重要公共建筑物 50 m
    assert [requirement_for(station, rs, k).required_m for k in (a, c)] == [25, 50]


# -- the rest of the engine -------------------------------------------------------------------------

def test_oil_depot_by_grade_uses_gb50074_safety_distance(rs):
    req = requirements(SourceProfile("油库", ("storage",), oil_depot_grade=3), rs)
    assert req["residential"].required_m == 80 and req["residential"].rule.term == "安全距离"
    assert requirements(SourceProfile("油库", ("storage",), oil_depot_grade=1), rs)["school"].required_m == 100
    low = requirements(SourceProfile("油库", ("storage",)), rs)["school"]
    assert low.required_m == 50 and "石油库等级" in low.full_note  # 五级库, lower bound


def test_requirement_picks_the_max_and_names_the_rule(rs):
    p = SourceProfile("化工厂", ("production",), major_hazard_grade=3,
                      hazard_types=frozenset({"toxic", "flammable"}), fire_classes=frozenset({"甲"}))
    assert source_classes(p, rs) == {"甲类厂房", "三级重大危险源(有毒)", "三级重大危险源(易燃易爆)"}
    req = requirements(p, rs)
    assert req["school"].required_m == 500 and req["school"].rule.rule_id == "S-toxic-3-hs"
    assert req["residential"].rule.rule_id == "S-toxic-3-res"
    assert req["mall"].required_m == 50 and req["mall"].rule.rule_id == "R001"  # no screening for malls


def test_tie_prefers_verified_over_local_policy(rs):
    rs2 = rs.with_overrides([{"rule_id": "S-flammable-4-hs", "distance_m": 50}])
    req = requirements(SourceProfile("化工厂", ("production",), major_hazard_grade=4,
                                     hazard_types=frozenset({"flammable"})), rs2)
    assert req["school"].required_m == 50 and req["school"].rule.rule_id == "R001"


def test_fire_class_decides_yi_class_warehouse(rs):
    p = SourceProfile("危化品仓库", ("storage",), fire_classes=frozenset({"乙"}))
    assert source_classes(p, rs) == {"乙类仓库"}
    assert requirements(p, rs)["school"].rule.clause == "3.5.2"
    assert source_classes(SourceProfile("运输企业", ("transport",)), rs) == set()
    # fire class not registered: 甲 or 乙 — 甲类仓库 第3、4项 8 t → 40 m, 乙类仓库 → 25 m: the smaller, said so
    unknown = SourceProfile("危化品仓库", ("storage",), class_a_34_t=8, class_a_1256_t=0)
    assert source_classes(unknown, rs) == {"甲类仓库", "乙类仓库"}
    low = requirement_for(unknown, rs, T("office", high_rise=False))
    assert low.required_m == 25 and low.rule.rule_id == "R013" and "未登记火灾危险性" in low.full_note
    # a 丙类 warehouse is outside the 甲/乙 rows this table carries: no requirement is invented
    assert requirements(SourceProfile("危化品仓库", ("storage",), fire_classes=frozenset({"丙"})), rs) == {}


def test_rule_text_words_every_kind_with_its_term(rs):
    assert rule_text(rs.by_id("R036")) == ("GB 50156-2012(2014年版) 表4.0.4：加油站（一级站，无油气回收系统）"
                                           "→重要公共建筑物 安全间距不小于 50 m")
    assert rule_text(rs.by_id("R001")) == "GB 50016-2014(2018) 3.4.2：甲类厂房→重要公共建筑 防火间距不小于 50 m"
    assert rule_text(rs.by_id("S-toxic-1-hs")).endswith("本地筛查距离不小于 1000 m（本地政策，非国家标准）")


def test_overrides_change_a_distance_and_add_a_rule(rs):
    rs2 = rs.with_overrides([{"rule_id": "R036", "distance_m": 60},
                             {"rule_id": "X-1", "source_class": "加油站", "target_class": "居住区", "distance_m": 30}])
    assert rs2.version.startswith(rs.version) and rs2.version != rs.version
    grade1 = SourceProfile("加油站", ("trade_storage",), station_grade=1, vapour_recovery=0)
    assert requirement_for(grade1, rs2, T("school", population=600)).required_m == 60
    assert requirement_for(grade1, rs, T("school", population=600)).required_m == 50  # original untouched
    added = requirement_for(grade1, rs2, T("residential", population=1500))
    assert added.required_m == 30 and added.rule.status == "local_policy" and added.rule.term == "本地筛查距离"
    assert rs.with_overrides([]) is rs


@pytest.mark.parametrize("bad, words", [
    ({"rule_id": "R036", "distance_m": "fifty"}, ["R036", "distance_m"]),
    ({"rule_id": "R036", "distance_m": -5}, ["R036", "distance_m"]),
    ({"rule_id": "R036", "distance_m": float("nan")}, ["R036", "distance_m"]),
    ({"rule_id": "R036", "distance_m": True}, ["R036", "distance_m"]),
    ({"rule_id": "R036", "distnce_m": 60}, ["R036", "distnce_m"]),
    ({"rule_id": "R036", "status": "approved"}, ["R036", "status"]),
    ({"rule_id": "R036", "kind": "other"}, ["R036", "kind"]),
    ({"rule_id": "R036", "term": "防火间距"}, ["R036", "term"]),
    ({"rule_id": "R016", "applies_when": "volume>3"}, ["R016", "applies_when"]),
    ({"rule_id": "N-1", "distance_m": 10}, ["N-1", "source_class"]),
    ({"distance_m": 10}, ["rule_id"]),
])
def test_overrides_reject_bad_input(rs, bad, words):
    with pytest.raises(ValueError) as e:
        rs.with_overrides([bad])
    assert all(w in str(e.value) for w in words)


def test_parse_condition():
    assert parse_condition("tank_volume_m3>30;tank_volume_m3<=50") == (("tank_volume_m3", ">", 30.0),
                                                                        ("tank_volume_m3", "<=", 50.0))
    assert parse_condition("") == ()
    with pytest.raises(ValueError):
        parse_condition("oil_depot_grade==3")
    with pytest.raises(ValueError, match="high_rise"):
        parse_condition("high_rise=1")  # a target field on the source side


def _copy_rules(tmp_path):
    for name in ("target_classes.csv", "source_classes.csv", "risk_model.toml", "size_basis.csv"):
        (tmp_path / name).write_bytes((DEFAULT_DIR / name).read_bytes())
    return (DEFAULT_DIR / "separation_rules.csv").read_text(encoding="utf-8")


def test_loader_rejects_rows_without_citation(tmp_path):
    text = _copy_rules(tmp_path)
    row = next(line for line in text.splitlines() if line.startswith("R036,"))
    (tmp_path / "separation_rules.csv").write_text(
        text.replace(row, row.replace(",GB 50156-2012(2014年版),表4.0.4,verified,", ",,,verified,")), encoding="utf-8")
    with pytest.raises(RulesError, match="R036"):
        load_ruleset_from(tmp_path)
    (tmp_path / "separation_rules.csv").write_text(text.replace(row, row.replace(",50,", ",5O,", 1)), encoding="utf-8")
    with pytest.raises(RulesError, match="R036.*distance_m"):
        load_ruleset_from(tmp_path)


def test_loader_rejects_a_term_that_is_not_the_standards(tmp_path):
    text = _copy_rules(tmp_path)
    row = next(line for line in text.splitlines() if line.startswith("S-toxic-1-hs,"))
    (tmp_path / "separation_rules.csv").write_text(text.replace(row, row.replace("本地筛查距离", "外部安全防护距离", 1)),
                                                   encoding="utf-8")
    with pytest.raises(RulesError, match="S-toxic-1-hs.*term"):
        load_ruleset_from(tmp_path)


def test_sizes_are_derived_from_the_inventory_when_not_registered(rs, ref):
    from geo.source_profile import with_derived_sizes
    cat = ref.catalogue
    lpg = with_derived_sizes(SourceProfile("液化石油气充装站", ("storage",)), [(cat.resolve(name="液化石油气"), 1250)],
                             ruleset=rs, properties=ref.properties)
    assert lpg.tank_volume_m3 == pytest.approx(2268.6, abs=0.1)  # 1250 / (0.58 × 0.95)
    assert requirement_for(lpg, rs, T("school", population=800)).required_m == 110
    registered = SourceProfile("液化石油气充装站", ("storage",), tank_volume_m3=400)
    assert with_derived_sizes(registered, [(cat.resolve(name="液化石油气"), 1250)], ruleset=rs,
                              properties=ref.properties).tank_volume_m3 == 400  # the registry's number wins
    station = with_derived_sizes(SourceProfile("加油站", ("trade_storage",)),
                                 [(cat.resolve(name="汽油"), 40), (cat.resolve(name="柴油"), 50)],
                                 ruleset=rs, properties=ref.properties)
    assert station.station_grade == 3  # 80.4 m³ ≤ 90 (see test_station_grade_from_petrol_and_diesel_tonnage)
    school = requirement_for(station, rs, T("school", population=300))
    assert school.required_m == 11 and "三级站" in school.full_note  # 三级站, recovery unknown → 11 m, says how
    wh = with_derived_sizes(SourceProfile("危化品仓库", ("storage",), fire_classes=frozenset({"甲"})),
                            [(cat.resolve(name="电石"), 8), (cat.resolve(name="柴油"), 2)],
                            ruleset=rs, properties=ref.properties)
    assert (wh.class_a_34_t, wh.class_a_1256_t) == (8, 0)
    office = requirement_for(wh, rs, T("office", high_rise=False))
    assert office.required_m == 40 and "柴油无火灾危险性分类" in office.full_note  # 第3、4项 8 t > 5 t


def test_source_kind_gives_the_same_requirement_as_the_profile(rs):
    """The set-based refresh computes one requirement per (source kind, target kind); for that to be
    right, reducing a profile to its kind and putting its basis texts back must change nothing."""
    import random

    from geo.separation import TankFarm, resolve_basis, source_kind, target_kind

    rng = random.Random(20261201)
    types = sorted(rs.facility_classes) + [None, "其他"]
    cats = sorted({t.category for t in rs.target_rules})
    maybe = lambda make: None if rng.random() < 0.3 else make()  # noqa: E731
    for _ in range(400):
        fields = {"tank_volume_m3": maybe(lambda: rng.choice([20, 50, 50.5, 200, 1000, 2268.6, 6000])),
                  "oil_depot_grade": maybe(lambda: rng.randint(1, 5)),
                  "station_grade": maybe(lambda: rng.randint(1, 3)),
                  "vapour_recovery": maybe(lambda: rng.randint(0, 2)),
                  "lpg_tank_buried": maybe(lambda: rng.randint(0, 1)),
                  "class_a_34_t": maybe(lambda: rng.choice([0.5, 5, 5.01, 12])),
                  "class_a_1256_t": maybe(lambda: rng.choice([1, 10, 10.5, 30]))}
        grade = rng.choice([None, 1, 2, 3, 4])
        basis = tuple((f, f"{f} 由登记储量推算 #{rng.randint(1, 99)}") for f in fields
                      if fields[f] is not None and rng.random() < 0.4)
        farms = tuple(TankFarm(rng.choice(["LPG储罐区", "甲乙类液体储罐区", "丙类液体储罐区"]),
                               rng.choice([None, 30, 480, 1500]), rng.choice(["", "储罐区容积由储量推算"]))
                      for _ in range(rng.randint(0, 2)))
        p = SourceProfile(facility_type=rng.choice(types), stages=(rng.choice(("production", "storage", "trade_storage", "use")),),
                          major_hazard_grade=grade,
                          hazard_types=frozenset(rng.sample(["toxic", "flammable", "explosive"], rng.randint(0, 2)))
                          if grade else frozenset(),
                          fire_classes=frozenset(rng.sample(["甲", "乙", "丙"], rng.randint(0, 2))),
                          tank_farms=farms, size_basis=basis, **fields)
        t = target_kind(TargetProfile(rng.choice(cats), high_rise=rng.choice([None, True, False]),
                                      population=maybe(lambda: rng.choice([50, 200, 201, 500, 501, 3000])),
                                      households=maybe(lambda: rng.randint(0, 400)),
                                      beds=maybe(lambda: rng.choice([20, 149, 150, 600]))), rs)
        direct = requirement_for(p, rs, t)
        via_kind = requirement_for(source_kind(p, rs), rs, t)
        assert (via_kind and resolve_basis(via_kind, p)) == direct, (p, t)

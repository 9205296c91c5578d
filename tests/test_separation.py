"""Separation rules table and requirements (GB 50016 / GB 50156 / GB 50074 + local screening)."""

import csv
from pathlib import Path

import pytest

from geo.rules_files import RulesError, load_ruleset_from
from hazmap.domain import data_dir

DEFAULT_DIR = data_dir("rules")


def load_ruleset():
    return load_ruleset_from(DEFAULT_DIR)
from geo.separation import (DEFAULT_FACILITY_CLASSES, TARGET_CATEGORIES, SourceProfile, parse_condition,
                            requirements, source_classes)

REF = Path(__file__).resolve().parent / "fixtures" / "reference_transcription" / "separation_distances.csv"  # verbatim copy of shared/reference


@pytest.fixture(scope="module")
def rs():
    return load_ruleset()


def _rows(name):
    with (DEFAULT_DIR / name).open(encoding="utf-8", newline="") as f:
        return list(csv.DictReader(f))


def test_every_rule_cites_standard_and_clause_or_is_local_policy(rs):
    assert len(rs.rules) >= 60 and rs.version
    for r in rs.rules:
        assert r.kind in {"fire_separation", "external_safety", "screening"}
        if r.status == "local_policy":
            assert r.kind == "screening" and r.standard == "本地管控政策(示例)"
            assert "GB/T 37243" in r.note and "GB 36894" in r.note
        else:
            assert r.standard.startswith("GB") and r.clause, r.rule_id
            assert r.kind == "fire_separation"


def test_rules_keep_the_reference_citations_exactly(rs):
    with REF.open(encoding="utf-8") as f:
        ref = {(r["standard"], r["clause"], r["status"], float(r["distance_m"])) for r in csv.DictReader(f)}
    for r in rs.rules:
        if r.status != "local_policy":
            assert (r.standard, r.clause, r.status, r.distance_m) in ref, r.rule_id


def test_screening_distances_are_moderate_and_ordered(rs):
    d = {r.rule_id: r.distance_m for r in rs.rules}
    assert [d[f"S-toxic-{g}-hs"] for g in (1, 2, 3, 4)] == [1000, 800, 500, 300]
    assert [d[f"S-flammable-{g}-res"] for g in (1, 2, 3, 4)] == [500, 300, 200, 150]


def test_target_classes_cover_the_vocabulary_and_cite_sources(rs):
    assert set(rs.target_classes) == set(TARGET_CATEGORIES)
    for row in _rows("target_classes.csv"):
        assert row["source"].startswith("GB")
    assert "高敏感防护目标" in rs.target_classes["school"] and "重要公共建筑" in rs.target_classes["hospital"]
    assert set(rs.target_classes["residential"]) == {"居住区", "民用建筑"}


def test_default_facility_map_equals_the_data_file(rs):
    assert rs.facility_classes == DEFAULT_FACILITY_CLASSES


def test_fuel_station_to_school_is_gb50156_50m(rs):
    req = requirements(SourceProfile("加油站", ("trade_storage",)), rs)
    assert req["school"].required_m == 50
    assert req["school"].rule.standard.startswith("GB 50156") and req["school"].rule.clause == "表4.0.4"
    assert req["hospital"].rule.rule_id == req["school"].rule.rule_id
    assert "residential" not in req  # GB 50156 row seeded only for 重要公共建筑物


def test_lpg_40m3_to_residential_is_45m(rs):
    req = requirements(SourceProfile("液化石油气充装站", ("storage",), lpg_volume_m3=40), rs)
    assert req["residential"].required_m == 45  # 居住区 45 beats 民用建筑 40
    assert req["residential"].rule.target_class == "居住区" and req["residential"].rule.clause == "表4.4.1"
    assert req["office"].required_m == 40 and not req["residential"].note
    big = requirements(SourceProfile("液化石油气充装站", ("storage",), lpg_volume_m3=800), rs)
    assert big["school"].required_m == 90 and big["office"].required_m == 55
    unknown = requirements(SourceProfile("液化石油气充装站", ("storage",)), rs)
    assert unknown["residential"].required_m == 45 and "下限" in unknown["residential"].note
    assert requirements(SourceProfile("液化石油气充装站", ("storage",), lpg_volume_m3=10), rs) == {}


def test_oil_depot_by_grade(rs):
    req = requirements(SourceProfile("油库", ("storage",), oil_depot_grade=3), rs)
    assert req["residential"].required_m == 80 and req["residential"].rule.status == "verified"
    assert requirements(SourceProfile("油库", ("storage",), oil_depot_grade=1), rs)["school"].required_m == 100
    assert requirements(SourceProfile("油库", ("storage",)), rs)["school"].required_m == 50  # lower bound


def test_requirement_picks_the_max_and_names_the_rule(rs):
    p = SourceProfile("化工厂", ("production",), major_hazard_grade=3,
                      hazard_types=frozenset({"toxic", "flammable"}), fire_classes=frozenset({"甲"}))
    assert source_classes(p, rs) == {"甲类厂房", "三级重大危险源(有毒)", "三级重大危险源(易燃易爆)"}
    req = requirements(p, rs)
    assert req["school"].required_m == 500 and req["school"].rule.rule_id == "S-toxic-3-hs"
    assert req["residential"].rule.rule_id == "S-toxic-3-res"
    assert req["mall"].required_m == 50 and req["mall"].rule.rule_id == "R001"  # no screening for malls
    assert req["office"].required_m == 25 and req["office"].rule.clause == "表3.4.1"


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


def test_overrides_change_a_distance_and_add_a_rule(rs):
    rs2 = rs.with_overrides([{"rule_id": "R036", "distance_m": 60},
                             {"rule_id": "X-1", "source_class": "加油站", "target_class": "居住区", "distance_m": 30}])
    assert rs2.version.startswith(rs.version) and rs2.version != rs.version
    req = requirements(SourceProfile("加油站", ("trade_storage",)), rs2)
    assert req["school"].required_m == 60 and req["school"].rule.standard.startswith("GB 50156")
    assert req["residential"].required_m == 30 and req["residential"].rule.status == "local_policy"
    assert requirements(SourceProfile("加油站", ()), rs)["school"].required_m == 50  # original untouched
    assert rs.with_overrides([]) is rs


@pytest.mark.parametrize("bad, words", [
    ({"rule_id": "R036", "distance_m": "fifty"}, ["R036", "distance_m"]),
    ({"rule_id": "R036", "distance_m": -5}, ["R036", "distance_m"]),
    ({"rule_id": "R036", "distance_m": float("nan")}, ["R036", "distance_m"]),
    ({"rule_id": "R036", "distance_m": True}, ["R036", "distance_m"]),
    ({"rule_id": "R036", "distnce_m": 60}, ["R036", "distnce_m"]),
    ({"rule_id": "R036", "status": "approved"}, ["R036", "status"]),
    ({"rule_id": "R036", "kind": "other"}, ["R036", "kind"]),
    ({"rule_id": "R016", "applies_when": "volume>3"}, ["R016", "applies_when"]),
    ({"rule_id": "N-1", "distance_m": 10}, ["N-1", "source_class"]),
    ({"distance_m": 10}, ["rule_id"]),
])
def test_overrides_reject_bad_input(rs, bad, words):
    with pytest.raises(ValueError) as e:
        rs.with_overrides([bad])
    assert all(w in str(e.value) for w in words)


def test_parse_condition():
    assert parse_condition("lpg_volume_m3>30;lpg_volume_m3<=50") == (("lpg_volume_m3", ">", 30.0),
                                                                      ("lpg_volume_m3", "<=", 50.0))
    assert parse_condition("") == ()
    with pytest.raises(ValueError):
        parse_condition("oil_depot_grade==3")


def test_loader_rejects_rows_without_citation(tmp_path):
    for name in ("target_classes.csv", "source_classes.csv", "risk_model.toml"):
        (tmp_path / name).write_bytes((DEFAULT_DIR / name).read_bytes())
    text = (DEFAULT_DIR / "separation_rules.csv").read_text(encoding="utf-8")
    (tmp_path / "separation_rules.csv").write_text(text.replace(",GB 50156 (older edition),表4.0.4,uncertain,",
                                                                ",,,uncertain,"), encoding="utf-8")
    with pytest.raises(RulesError, match="R036"):
        load_ruleset_from(tmp_path)
    (tmp_path / "separation_rules.csv").write_text(text.replace("R036,加油站,一、二、三级站,重要公共建筑,50,",
                                                                "R036,加油站,一、二、三级站,重要公共建筑,5O,"),
                                                   encoding="utf-8")
    with pytest.raises(RulesError, match="R036.*distance_m"):
        load_ruleset_from(tmp_path)

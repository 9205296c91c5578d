"""Four-colour grading per 应急〔2018〕19号: hand-computed scores, bands, direct red, 未评估, variant."""

import csv
from pathlib import Path

import pytest

from tests.helpers import domain
from geo.risk_color import COLOR_HEX, COLOR_LABEL, EnterpriseFacts, colour_for, grade_enterprise

REF = Path(__file__).resolve().parent / "fixtures" / "reference_transcription"  # verbatim copy of shared/reference


@pytest.fixture(scope="module")
def model():
    return domain().colour_model


def _sums(r):
    assert 100 + sum(x["points"] for x in r.reasons) == pytest.approx(r.risk_score, abs=1e-9)


def test_model_file_cites_the_guide_and_carries_colours(model):
    assert model["model_version"] and model["rules_version"]
    assert model["colour_hex"] == COLOR_HEX == {"red": "#E02020", "orange": "#F5A623",
                                                "yellow": "#F8E71C", "blue": "#2F80ED"}
    assert model["colour_label"] == COLOR_LABEL
    for name, item in model["items"].items():
        assert item["category"] and item["max_deduction"] > 0
        assert "应急〔2018〕19号" in item["source"]
        if item["status"] == "local_policy":
            assert "本地细化(非应急〔2018〕19号原文)" in item["source"]
    assert "本地细化(非应急〔2018〕19号原文)" in model["variant"]["label"]


def test_model_matches_the_reference_tables(model):
    with (REF / "yingji_2018_19_colours.csv").open(encoding="utf-8") as f:
        ref = {r["risk_color"]: r for r in csv.DictReader(f)}
    for band in model["bands"]:
        r = ref[band["risk_color"]]
        assert band.get("score_min_inclusive") == (float(r["score_min_inclusive"]) if r["score_min_inclusive"] else None)
        assert band.get("score_max_exclusive") == (float(r["score_max_exclusive"]) if r["score_max_exclusive"] else None)
    with (REF / "yingji_2018_19_scoring.csv").open(encoding="utf-8") as f:
        rows = list(csv.DictReader(f))
    pts = {r["rule"]: float(r["points"]) for r in rows}
    it = model["items"]
    assert it["major_hazard"]["grade_points"] == [pts[f"有{g}级重大危险源"] for g in "一二三四"]
    assert it["substance"]["key_supervised_each"] == pts["其他重点监管危险化学品 每种"]
    assert it["surroundings"]["outside_park"] == pts["企业在化工园区(化工集中区)外"]
    assert it["surroundings"]["distance_not_met"] == pts["外部安全防护距离不符合要求"]
    assert it["performance"]["fatal_accident_each"] == pts["三年内1起事故死亡1-2人"]
    caps = {r["item"]: float(r["max_deduction"]) for r in rows}
    assert it["substance"]["max_deduction"] == caps["物质危险性"] and it["fire"]["max_deduction"] == caps["火灾爆炸危险性"]


@pytest.mark.parametrize("score, colour", [(100, "blue"), (90, "blue"), (89.99, "yellow"), (75, "yellow"),
                                           (74.99, "orange"), (60, "orange"), (59.9, "red"), (0, "red")])
def test_band_edges(model, score, colour):
    assert colour_for(score, model) == colour


def test_hand_computed_example(model):
    # 二级重大危险源 −8; 化工园区外 −3; 外部安全防护距离不符合 −10 but 周边环境 caps at 10 → −7;
    # 2 种其他重点监管危险化学品 −0.2  →  100 − 8 − 3 − 7 − 0.2 = 81.8 → 黄
    f = EnterpriseFacts(stages=("production",), major_hazard_grades=(2, 4), n_key_supervised_chemicals=2,
                        in_chemical_park=False, external_distance_conflicts=1,
                        fire_class_sites={"甲": 0, "乙": 0})
    r = grade_enterprise(f, model)
    assert r.risk_score == pytest.approx(81.8) and r.risk_color == "yellow"
    pts = {x["code"]: x["points"] for x in r.reasons if x["points"]}
    assert pts == {"MAJOR_HAZARD": -8.0, "OUTSIDE_PARK": -3.0, "DISTANCE_NOT_MET": -7.0, "SUBSTANCE": -0.2}
    assert "最多扣10分" in next(x["text"] for x in r.reasons if x["code"] == "DISTANCE_NOT_MET")
    _sums(r)
    assert not r.variant and not r.direct_red and r.model_version == model["model_version"]


def test_inside_park_no_cap_needed(model):
    f = EnterpriseFacts(stages=("storage",), major_hazard_grades=(2,), n_key_supervised_chemicals=2,
                        in_chemical_park=True, external_distance_conflicts=1, fire_class_sites={"甲": 2, "乙": 1})
    r = grade_enterprise(f, model)
    assert r.risk_score == pytest.approx(100 - 8 - 10 - 0.2 - 2.5) and r.risk_color == "yellow"
    _sums(r)


def test_item_caps(model):
    f = EnterpriseFacts(stages=("production",), n_explosive_chemicals=2, n_toxic_inhalation_chemicals=2,
                        fire_class_sites={"甲": 9, "乙": 0}, in_chemical_park=True, external_distance_conflicts=0,
                        accidents_3y={"major_accidents": 0, "larger_accidents": 1, "fatal_accidents": 1,
                                      "social_impact_accidents": 0, "fatalities": 5},
                        major_hidden_dangers=3, safety_standardisation_level=None)
    r = grade_enterprise(f, model)
    pts = {x["code"]: x["points"] for x in r.reasons if x["points"]}
    assert pts == {"SUBSTANCE": -5.0, "FIRE_CLASS": -5.0, "ACCIDENTS": -10.0, "HIDDEN_DANGER": -10.0}
    assert r.risk_score == 70.0 and r.risk_color == "orange" and not r.direct_red
    _sums(r)


def test_bonus_is_bounded_at_100(model):
    f = EnterpriseFacts(stages=("storage",), in_chemical_park=True, external_distance_conflicts=0,
                        fire_class_sites={}, safety_standardisation_level=1, major_hidden_dangers=0,
                        accidents_3y={"major_accidents": 0, "larger_accidents": 0, "fatal_accidents": 0,
                                      "social_impact_accidents": 0})
    r = grade_enterprise(f, model)
    assert r.risk_score == 100.0 and r.risk_color == "blue"
    assert [x["points"] for x in r.reasons if x["code"] in ("STANDARDISATION", "SCORE_BOUND")] == [15.0, -15.0]
    _sums(r)


@pytest.mark.parametrize("acc, flags", [
    ({"major_accidents": 1}, ()),
    ({"larger_accidents": 2}, ()),
    ({"fatal_accidents": 2}, ()),
    (None, ("特种作业人员未持证上岗",)),
])
def test_direct_red(model, acc, flags):
    f = EnterpriseFacts(stages=("production",), in_chemical_park=True, external_distance_conflicts=0,
                        accidents_3y=acc, direct_red_flags=flags, fire_class_sites={})
    r = grade_enterprise(f, model)
    assert r.risk_color == "red" and r.direct_red and r.risk_score >= 80  # red whatever the score
    dr = [x for x in r.reasons if x["code"] == "DIRECT_RED"]
    assert len(dr) == 1 and dr[0]["points"] == 0 and "直接判定为红色" in dr[0]["text"]
    _sums(r)


def test_one_larger_accident_is_deducted_not_direct_red(model):
    r = grade_enterprise(EnterpriseFacts(stages=("storage",), accidents_3y={"larger_accidents": 1}), model)
    assert not r.direct_red and any(x["code"] == "ACCIDENTS" and x["points"] == -10 for x in r.reasons)


def test_not_assessed_items_are_listed_not_scored(model):
    r = grade_enterprise(EnterpriseFacts(stages=("production",)), model)
    texts = [x["text"] for x in r.reasons if x["points"] == 0]
    for item in ("设计与评估", "设备", "自控与安全设施", "人员资质", "安全管理制度", "危险化工工艺种类",
                 "是否在化工园区", "近三年事故记录", "未整改重大事故隐患"):
        assert item in r.not_assessed
        assert f"{item}：未评估（登记数据不含此项）" in texts
    assert r.risk_score == 100.0 and r.risk_color == "blue"
    _sums(r)


def test_partial_accident_record_says_what_is_missing(model):
    r = grade_enterprise(EnterpriseFacts(stages=("storage",), larger_accidents_3y=0, fatal_accidents_3y=0), model)
    assert any("重大事故" in x and "有社会影响的事故" in x for x in r.not_assessed)


def test_variant_for_transport(model):
    f = EnterpriseFacts(stages=("transport",), major_hazard_grades=(3,), n_toxic_inhalation_chemicals=1,
                        in_chemical_park=False, external_distance_conflicts=2, fire_class_sites={"甲": 3},
                        safety_standardisation_level=1, major_hidden_dangers=1)
    r = grade_enterprise(f, model)
    assert r.variant
    pts = {x["code"]: x["points"] for x in r.reasons if x["points"]}
    # park, fire class and standardisation are outside the variant
    assert pts == {"MAJOR_HAZARD": -6.0, "SUBSTANCE": -2.0, "DISTANCE_NOT_MET": -10.0, "HIDDEN_DANGER": -5.0}
    assert r.risk_score == 77.0 and r.risk_color == "yellow"
    assert all("本地细化" in x["text"] for x in r.reasons if x["points"])
    assert any(x["code"] == "VARIANT" and "本地细化(非应急〔2018〕19号原文)" in x["text"] for x in r.reasons)
    assert "设计与评估" not in r.not_assessed and "近三年事故记录" in r.not_assessed
    _sums(r)


def test_legacy_keyword_names_still_work(model):
    f = EnterpriseFacts(stages=("storage",), n_explosive=1, n_toxic_inhalation=0, n_key_supervised=3,
                        fire_sites={"甲": 1, "乙": 0}, distance_conflicts=0, larger_accidents_3y=None,
                        fatal_accidents_3y=None, standardisation_level=3, in_chemical_park=True)
    assert f.n_explosive_chemicals == 1 and f.n_key_supervised_chemicals == 3 and f.accidents_3y is None
    assert f.safety_standardisation_level == 3 and f.fire_class_sites == {"甲": 1, "乙": 0}
    r = grade_enterprise(f, model)
    assert r.risk_score == pytest.approx(100 - 2 - 0.3 - 1 + 2)
    _sums(r)


@pytest.mark.parametrize("kw", [{"major_hazard_grades": (5,)}, {"safety_standardisation_level": 4},
                                {"accidents_3y": {"deaths": 1}}, {"fire_class_sites": {"丙": 1}}])
def test_bad_facts_raise(kw):
    with pytest.raises(ValueError):
        EnterpriseFacts(stages=("storage",), **kw)

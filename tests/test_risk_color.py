"""Four-colour grading per 应急〔2018〕19号: the model file against the guide, hand-computed scores,
bands, caps, direct red, 未评估, the variant."""

import csv
import datetime as dt
from pathlib import Path

import pytest

from geo.accidents import AccidentCounts
from geo.colour_model import load_colour_model
from geo.hidden_danger import LedgerContribution, LedgerFinding
from geo.risk_color import (AssessedCondition, DerivedFacts, FireSite, SubstanceCounts, assess_enterprise,
                            item_fire)

ROOT = Path(__file__).resolve().parent.parent
REF = Path(__file__).resolve().parent / "fixtures" / "reference_transcription"  # verbatim copy of shared/reference
AS_OF = dt.date(2026, 11, 28)


@pytest.fixture(scope="module")
def model():
    return load_colour_model(ROOT / "data" / "rules")


def _grade(model, facts, assessed=()):
    return assess_enterprise(facts, assessed, model=model, as_of=AS_OF)


def _sums(r):
    assert 100 + sum(x.points for x in r.reasons) == pytest.approx(r.risk_score, abs=1e-9)


def _pts(r):
    return {x.code: x.points for x in r.reasons if x.points}


def _sites(**classes):
    """FireSite per site: _sites(甲=2, 乙=1) → three sites."""
    return tuple(FireSite(f"{k}{i}", k) for k, n in classes.items() for i in range(n))


KNOWN_NONE = dict(major_hazard_grades=(), substances=SubstanceCounts(), in_chemical_park=True,
                  external_distance_conflicts=0, fire_sites=())


def test_model_file_cites_the_guide_and_carries_colours(model):
    assert model.version
    assert model.hex_by_colour == {"red": "#E02020", "orange": "#F5A623", "yellow": "#F8E71C", "blue": "#2F80ED"}
    assert model.label_by_colour == {"red": "重大风险", "orange": "较大风险", "yellow": "一般风险", "blue": "低风险"}
    assert [c.name for c in model.colours] == ["红色", "橙色", "黄色", "蓝色"]
    for item in model.items:
        assert item.category and item.criteria and item.groups
        if item.in_guide:
            assert "应急〔2018〕19号" in item.source and item.status == "verified"
        else:
            assert item.status == "local_policy" and "本地细化（非应急〔2018〕19号原文）" in item.source
    for cond in model.direct_red:
        assert "应急〔2018〕19号 直接判定为红色的情形" in cond.source
    assert "本地细化（非应急〔2018〕19号原文）" in model.variant.label and model.variant.status == "local_policy"


def test_colour_hex_and_labels_live_only_in_the_model_file():
    hexes = ("#E02020", "#F5A623", "#F8E71C", "#2F80ED")
    for path in list((ROOT / "geo").rglob("*.py")) + list((ROOT / "data" / "rules").glob("*")):
        if path.name == "risk_model.toml" or path.is_dir():
            continue
        text = path.read_text(encoding="utf-8").upper()
        assert not any(h in text for h in hexes), path


def _fw(text: str) -> str:
    """The transcription's ASCII brackets as the pages write them (full-width) — a typographic choice only."""
    return text.replace("(", "（").replace(")", "）")


def test_model_matches_the_reference_tables(model):
    with (REF / "yingji_2018_19_colours.csv").open(encoding="utf-8") as f:
        ref = {r["risk_color"]: r for r in csv.DictReader(f)}
    for colour in model.colours:
        r = ref[colour.code]
        assert colour.band_label == _fw(r["label"])
        assert colour.score_min_inclusive == (float(r["score_min_inclusive"]) if r["score_min_inclusive"] else None)
        assert colour.score_max_exclusive == (float(r["score_max_exclusive"]) if r["score_max_exclusive"] else None)
    with (REF / "yingji_2018_19_scoring.csv").open(encoding="utf-8") as f:
        rows = list(csv.DictReader(f))
    guide_criteria = {c.code for i in model.items if i.in_guide for c in i.criteria}
    seen = set()
    for row in rows:  # every row of the guide is in the model with its item, category, cap and points
        item = next(i for i in model.items if i.label == _fw(row["item"]) and i.category == _fw(row["category"]))
        c = next(c for c in item.criteria if c.label == _fw(row["rule"]))
        assert item.max_deduction == float(row["max_deduction"]) and c.points == float(row["points"])
        seen.add(c.code)
    assert seen == guide_criteria and len(rows) == 42  # nothing invented, nothing left out
    # the guide's 100 points: 30 + 10 + 10 + 5 + 10 + 15 + 10 + 0 + 10
    assert model.guide_points == 100.0
    caps = {i.category: 0.0 for i in model.items if i.in_guide}
    for i in model.items:
        if i.in_guide:
            caps[i.category] += i.max_deduction
    assert caps == {"固有危险性": 30, "周边环境": 10, "设计与评估": 10, "设备": 5, "自控与安全设施": 10,
                    "人员资质": 15, "安全管理制度": 10, "应急管理": 0, "安全管理绩效": 10}


@pytest.mark.parametrize("score, colour", [(100, "blue"), (90, "blue"), (89.99, "yellow"), (75, "yellow"),
                                           (74.99, "orange"), (60, "orange"), (59.9, "red"), (0, "red")])
def test_band_edges(model, score, colour):
    assert model.colour_for(score) == colour


def test_hand_computed_example(model):
    # 二级重大危险源 −8; 化工园区外 −3; 外部安全防护距离不符合 −10 but 周边环境 caps at 10 → −7;
    # 2 种其他重点监管危险化学品 −0.2  →  100 − 8 − 3 − 7 − 0.2 = 81.8 → 黄
    f = DerivedFacts(stages=("production",), major_hazard_grades=(2, 4), substances=SubstanceCounts(key_supervised=2),
                     in_chemical_park=False, external_distance_conflicts=1, fire_sites=())
    r = _grade(model, f)
    assert r.risk_score == pytest.approx(81.8) and r.risk_color == "yellow"
    assert _pts(r) == {"MAJOR_HAZARD": -8.0, "OUTSIDE_PARK": -3.0, "DISTANCE_NOT_MET": -7.0, "SUBSTANCE": -0.2}
    assert "最多扣10分" in next(x.text for x in r.reasons if x.code == "DISTANCE_NOT_MET")
    # deciding reasons first: −8, −7 (capped), −3, −0.2
    assert [x.code for x in r.reasons[:4]] == ["MAJOR_HAZARD", "DISTANCE_NOT_MET", "OUTSIDE_PARK", "SUBSTANCE"]
    _sums(r)
    assert not r.variant and not r.direct_red and r.model_version == model.version


def test_inside_park_no_cap_needed(model):
    # −8 (二级) −10 (distance) −0.2 (2 重点监管) −2.5 (甲 2 处 × 1 + 乙 1 处 × 0.5) = 79.3 → 黄
    f = DerivedFacts(stages=("storage",), major_hazard_grades=(2,), substances=SubstanceCounts(key_supervised=2),
                     in_chemical_park=True, external_distance_conflicts=1, fire_sites=_sites(甲=2, 乙=1))
    r = _grade(model, f)
    assert r.risk_score == pytest.approx(100 - 8 - 10 - 0.2 - 2.5) and r.risk_color == "yellow"
    _sums(r)


def test_fire_counts_each_site_not_each_class(model):
    # 甲 3 处 (−1 each) + 乙 2 处 (−0.5 each) = −4, not −1.5 (one per class); a site listed twice is one site
    sites = _sites(甲=3, 乙=2) + (FireSite("甲0", "甲"), FireSite("丙0", "丙"))
    lines = item_fire(DerivedFacts(stages=("storage",), fire_sites=sites), model.item("FIRE"), as_of=AS_OF)
    assert lines[0].points == -4.0 and "甲类火灾危险性厂房/库房/罐区 3 处、乙类 2 处" in lines[0].text


def test_item_caps(model):
    # 物质 2 爆炸品 + 2 吸入性剧毒 = −8 → cap −5; 甲类 9 处 = −9 → cap −5;
    # 1 较大 (−10) + 1 亡人 (−8) = −18 → cap −10; 3 重大隐患 × −5 = −15 → cap −10  →  100 − 30 = 70 橙
    f = DerivedFacts(stages=("production",), substances=SubstanceCounts(explosive=2, toxic_inhalation=2),
                     fire_sites=_sites(甲=9), in_chemical_park=True, external_distance_conflicts=0,
                     accidents=AccidentCounts(major=0, larger=1, fatal=1, social_impact=0, fatalities=5),
                     major_hidden_dangers=3)
    r = _grade(model, f)
    assert _pts(r) == {"SUBSTANCE": -5.0, "FIRE_CLASS": -5.0, "ACCIDENTS": -10.0, "HIDDEN_DANGER": -10.0}
    assert r.risk_score == 70.0 and r.risk_color == "orange" and not r.direct_red
    # one fatal accident in three years cannot be two in one year: the accident condition is settled
    assert "DR_ACCIDENTS" not in {d.code for d in r.direct_red_unevaluated}
    assert "死亡 5 人" in next(x.text for x in r.reasons if x.code == "ACCIDENTS")
    _sums(r)


def test_bonus_is_bounded_at_100(model):
    f = DerivedFacts(stages=("storage",), safety_standardisation_level=1, major_hidden_dangers=0,
                     accidents=AccidentCounts(major=0, larger=0, fatal=0, social_impact=0), **KNOWN_NONE)
    r = _grade(model, f)
    assert r.risk_score == 100.0 and r.risk_color == "blue"
    assert [x.points for x in r.reasons if x.code in ("STANDARDISATION", "SCORE_BOUND")] == [15.0, -15.0]
    _sums(r)


@pytest.mark.parametrize("accidents, assessed, ledger", [
    (AccidentCounts(major=1), (), None),
    (AccidentCounts(larger=2), (), None),
    (None, (AssessedCondition("DR_SPECIAL_WORKERS", True, "3名电工未持特种作业操作证", "王检查", dt.date(2026, 10, 9)),),
     None),
    (None, (), LedgerContribution(AS_OF, 1, "…", direct_red=(LedgerFinding("DR_NO_DESIGN", 1, "在役装置无设计"),))),
])
def test_direct_red(model, accidents, assessed, ledger):
    f = DerivedFacts(stages=("production",), accidents=accidents, ledger=ledger, **KNOWN_NONE)
    r = _grade(model, f, assessed)
    assert r.risk_color == "red" and r.direct_red and r.risk_score >= 80  # red whatever the score
    dr = [x for x in r.reasons if x.code == "DIRECT_RED"]
    assert len(dr) == 1 and dr[0].points == 0 and "直接判定为红色" in dr[0].text
    assert r.reasons[0].code == "DIRECT_RED" and r.summary[0].startswith("直接判定为红色（重大风险）")
    assert r.risk_color_worst == "red"
    _sums(r)


def test_one_larger_accident_is_deducted_not_direct_red(model):
    r = _grade(model, DerivedFacts(stages=("storage",), accidents=AccidentCounts(larger=1)))
    assert not r.direct_red and any(x.code == "ACCIDENTS" and x.points == -10 for x in r.reasons)


def test_not_assessed_items_are_listed_not_scored(model):
    r = _grade(model, DerivedFacts(stages=("production",)))
    texts = [x.text for x in r.reasons if x.points == 0]
    for item in ("设计与评估", "设备", "自控与安全设施", "人员资质", "安全管理制度", "危险化工工艺种类",
                 "是否在化工园区", "外部安全防护距离", "近三年事故记录", "未整改重大事故隐患",
                 "甲、乙类罐区与明火设施比邻布置", "五年内无事故（加分）"):
        assert item in r.not_assessed
        assert f"{item}：未评估（登记数据不含此项）" in texts
    assert r.risk_score == 100.0 and r.risk_color == "blue"
    assert r.assessment_coverage == 0.0 and r.unassessed_points == 100.0
    _sums(r)


def test_partial_accident_record_says_what_is_missing(model):
    r = _grade(model, DerivedFacts(stages=("storage",), accidents=AccidentCounts(larger=0, fatal=0)))
    assert any("重大及以上事故" in x and "有社会影响的无伤亡事故" in x for x in r.not_assessed)
    assert "三年内已登记的事故项均为 0 起" in [x.text for x in r.reasons]


def test_variant_for_transport(model):
    f = DerivedFacts(stages=("transport",), major_hazard_grades=(3,), substances=SubstanceCounts(toxic_inhalation=1),
                     in_chemical_park=False, external_distance_conflicts=2, fire_sites=_sites(甲=3),
                     safety_standardisation_level=1, major_hidden_dangers=1)
    r = _grade(model, f)
    assert r.variant
    # park, fire class and standardisation are outside the variant: 100 − 6 − 2 − 10 − 5 = 77
    assert _pts(r) == {"MAJOR_HAZARD": -6.0, "SUBSTANCE": -2.0, "DISTANCE_NOT_MET": -10.0, "HIDDEN_DANGER": -5.0}
    assert r.risk_score == 77.0 and r.risk_color == "yellow"
    assert all("本地细化" in x.text for x in r.reasons if x.points)
    assert any(x.code == "VARIANT" and "本地细化（非应急〔2018〕19号原文）" in x.text for x in r.reasons)
    assert "设计与评估" not in r.not_assessed and "近三年事故记录" in r.not_assessed
    # coverage of the variant's own points: 重大危险源 10 + 物质 5 + 周边 10 known of 10+5+10+10 (绩效 unknown)
    assert r.assessment_coverage == pytest.approx(25 / 35, abs=1e-4)
    assert {d.code for d in r.direct_red_unevaluated} == {"DR_ACCIDENTS"}  # the variant's only condition
    _sums(r)


def test_sites_with_the_same_key_are_one_site(model):
    # 爆炸品 1 (−2), 3 重点监管 (−0.3), 甲类 1 处 listed twice (−1), 标准化三级 (+2): 100 − 2 − 0.3 − 1 + 2 = 98.7
    f = DerivedFacts(stages=("storage",), substances=SubstanceCounts(explosive=1, key_supervised=3),
                     fire_sites=(FireSite("T1", "甲"), FireSite("T1", "甲")), external_distance_conflicts=0,
                     safety_standardisation_level=3, in_chemical_park=True)
    r = _grade(model, f)
    assert r.risk_score == pytest.approx(98.7)
    _sums(r)


@pytest.mark.parametrize("kw", [{"major_hazard_grades": (5,)}, {"safety_standardisation_level": 4},
                                {"external_distance_conflicts": -1}, {"hazardous_processes": 1.5}])
def test_bad_facts_raise(kw):
    with pytest.raises(ValueError):
        DerivedFacts(stages=("storage",), **kw)


@pytest.mark.parametrize("kw", [{"fire_class": "丁丁"}])
def test_bad_fire_site_raises(kw):
    with pytest.raises(ValueError):
        FireSite("T1", **kw)


def test_bad_accident_counts_raise():
    with pytest.raises(ValueError):
        AccidentCounts(larger=-1)


def test_extra_reasons_of_a_local_refinement_count_in_both_scores(model):
    """A waste site with long-stored stock (a wing's extra reason, −12, local policy) is not blue."""
    import datetime as dt

    from geo.risk_color import DerivedFacts, assess_enterprise

    facts = DerivedFacts(stages=("waste",), external_distance_conflicts=0)
    base = assess_enterprise(facts, model=model, as_of=dt.date(2026, 12, 1))
    extra = [{"code": "WASTE_LONG_STORED", "text": "贮存超过一年的危险废物（本地政策）", "points": -12.0}]
    r = assess_enterprise(facts, model=model, as_of=dt.date(2026, 12, 1), extra_reasons=extra)
    assert r.risk_score == base.risk_score - 12 and r.risk_score_min == base.risk_score_min - 12
    assert any(x.code == "WASTE_LONG_STORED" and x.points == -12 for x in r.reasons)
    assert 100 + sum(x.points for x in r.reasons) == r.risk_score
    assert r.risk_color == model.colour_for(r.risk_score)

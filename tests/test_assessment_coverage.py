"""Assessed + derived items: coverage, the known and the worst score, newest wins, the ledger's findings."""

import datetime as dt
from pathlib import Path

import pytest

from geo.accidents import AccidentCounts
from geo.colour_model import load_colour_model
from geo.errors import InvalidInput
from geo.hidden_danger import LedgerContribution, LedgerFinding
from geo.risk_color import (AssessedCondition, AssessedItem, DerivedFacts, FireSite, SubstanceCounts,
                            assess_enterprise)

ROOT = Path(__file__).resolve().parent.parent
AS_OF = dt.date(2026, 11, 28)
DAY = dt.date(2026, 10, 15)


@pytest.fixture(scope="module")
def model():
    return load_colour_model(ROOT / "data" / "rules")


def _item(code, points, day=DAY, by="王检查"):
    return AssessedItem(code, points, f"现场检查记录 {code}", by, day)


def _not_met(code):
    return AssessedCondition(code, False, "现场核查不存在此情形", "王检查", DAY)


# registry facts of a 三级 major-hazard producer: −6 (三级), −0.3 (3 重点监管), 甲类 1 处 −1, in the park,
# no conflicts, all four accident counts 0, 标准化二级 +5, no open 重大隐患
REGISTRY = dict(stages=("production",), major_hazard_grades=(3,), substances=SubstanceCounts(key_supervised=3),
                fire_sites=(FireSite("T1", "甲"),), in_chemical_park=True, external_distance_conflicts=0,
                accidents=AccidentCounts(major=0, larger=0, fatal=0, social_impact=0),
                safety_standardisation_level=2, major_hidden_dangers=0)


def test_partial_assessment_coverage_and_both_scores(model):
    r = assess_enterprise(DerivedFacts(**REGISTRY), [_item("PERSONNEL", -5), _item("MANAGEMENT", -2)],
                          model=model, as_of=AS_OF)
    status = {i.code: i.status for i in r.items}
    assert status == {"MAJOR_HAZARD": "derived", "SUBSTANCE": "derived", "PROCESSES": "unassessed",
                      "FIRE": "unassessed",  # 甲类 1 处 known, 明火比邻 not
                      "SURROUNDINGS": "derived", "DESIGN": "unassessed", "EQUIPMENT": "unassessed",
                      "CONTROLS": "unassessed", "PERSONNEL": "assessed", "MANAGEMENT": "assessed",
                      "EMERGENCY": "unassessed", "PERFORMANCE": "derived",  # deductions known, 5-year bonus not
                      "HIDDEN_DANGER": "derived"}
    # known: 100 − 6 − 0.3 − 1 − 5 − 2 + 5 = 90.7 → 蓝
    assert r.risk_score == pytest.approx(90.7) and r.risk_color == "blue"
    # worst: 100 − 6 − 0.3 − 10 (工艺) − 5 (火灾 cap) − 10 (设计) − 5 (设备) − 10 (自控) − 5 − 2 + 5
    #      = 100 − 53.3 + 5 = 51.7 → 红 (and three direct-red conditions are open)
    assert r.risk_score_min == pytest.approx(51.7) and r.risk_color_worst == "red"
    # covered: 10 (重大危险源) + 5 (物质) + 10 (周边) + 15 (人员) + 10 (制度) + 10 (绩效) = 60 of 100
    assert r.assessment_coverage == pytest.approx(0.6) and r.unassessed_points == pytest.approx(40)
    assert r.provisional
    assert 100 + sum(x.points for x in r.reasons) == pytest.approx(r.risk_score)
    assert r.summary[1] == ("初步分级：蓝色（低风险，90.7分），未评估 40 分，直接判定为红色的情形未评估 3 项，"
                            "最不利可能为红色（重大风险）")
    # the accident condition is settled by the registry's zero counts; the other three are not
    assert {d.code for d in r.direct_red_unevaluated} == {"DR_UNTESTED_PROCESS", "DR_NO_DESIGN", "DR_SPECIAL_WORKERS"}
    personnel = next(i for i in r.items if i.code == "PERSONNEL")
    assert (personnel.by, personnel.at, personnel.source) == ("王检查", DAY, "inspection")


def test_first_grade_major_hazard_with_nothing_assessed_could_be_red(model):
    r = assess_enterprise(DerivedFacts(stages=("storage",), major_hazard_grades=(1, 3)), model=model, as_of=AS_OF)
    # known: only 一级重大危险源 −10 → 90 → 蓝; everything else unknown
    assert r.risk_score == 90.0 and r.risk_color == "blue"
    assert r.risk_color_worst == "red" and r.provisional
    assert r.assessment_coverage == pytest.approx(0.10)  # 10 of 100 points known
    assert r.summary[0] == "有一级重大危险源（重大危险源 2 处，按最高等级计）"
    assert r.summary[1].startswith("初步分级：蓝色（低风险，90分），未评估 90 分") and r.summary[1].endswith("最不利可能为红色（重大风险）")


def test_complete_assessment_gives_coverage_one_and_the_guides_colour(model):
    facts = DerivedFacts(**{**REGISTRY, "hazardous_processes": 1})
    assessed = [_item("FIRE", -2), _item("DESIGN", 0), _item("EQUIPMENT", -2), _item("CONTROLS", -3),
                _item("PERSONNEL", -5), _item("MANAGEMENT", -2), _item("EMERGENCY", 0)]
    assessed += [_not_met(c) for c in ("DR_UNTESTED_PROCESS", "DR_NO_DESIGN", "DR_SPECIAL_WORKERS")]
    r = assess_enterprise(facts, assessed, model=model, as_of=AS_OF)
    # 100 − 6 − 0.3 − 2 (1 种工艺) − 2 (火灾, assessed over the derived −1) − 2 − 3 − 5 − 2 + 5 = 82.7 → 黄
    assert r.risk_score == pytest.approx(82.7) and r.risk_color == "yellow"
    assert r.assessment_coverage == 1.0 and not r.provisional and r.unassessed_points == 0
    assert r.risk_score_min == pytest.approx(82.7) and r.risk_color_worst == "yellow"
    assert not r.direct_red and not r.direct_red_unevaluated
    assert r.summary[1] == "评估完整：黄色（一般风险，82.7分）"
    assert next(i for i in r.items if i.code == "FIRE").status == "assessed"


def test_all_points_known_but_a_direct_red_condition_open_says_so(model):
    facts = DerivedFacts(**{**REGISTRY, "hazardous_processes": 0})
    assessed = [_item(c, 0) for c in ("FIRE", "DESIGN", "EQUIPMENT", "CONTROLS", "PERSONNEL", "MANAGEMENT")]
    r = assess_enterprise(facts, assessed, model=model, as_of=AS_OF)
    assert r.assessment_coverage == 1.0 and not r.provisional
    assert r.risk_color_worst == "red" and "最不利可能为红色" in r.summary[1]


def test_newest_assessment_wins(model):
    old, new = _item("PERSONNEL", -5, dt.date(2025, 3, 1)), _item("PERSONNEL", -10, dt.date(2026, 9, 1), "李检查")
    r = assess_enterprise(DerivedFacts(**REGISTRY), [new, old], model=model, as_of=AS_OF)
    p = next(i for i in r.items if i.code == "PERSONNEL")
    assert p.points == -10 and p.by == "李检查"


def test_ledger_findings_count_as_known_deductions(model):
    ledger = LedgerContribution(AS_OF, 3, "…", criteria=(LedgerFinding("CONTROLS_AUTOMATION", 1, "硝化装置未投用联锁"),
                                                         LedgerFinding("EQUIPMENT_OBSOLETE", 2, "淘汰设备两台")))
    r = assess_enterprise(DerivedFacts(**{**REGISTRY, "major_hidden_dangers": None, "ledger": ledger}),
                          model=model, as_of=AS_OF)
    pts = {x.code: x.points for x in r.reasons if x.points}
    # 自控 −10 (once: met exactly); 设备 2 × −2 = −4 (at least); local item: 3 open 重大隐患 × −5 = −15 → cap −10
    assert pts["CONTROLS_AUTOMATION"] == -10 and pts["EQUIPMENT_OBSOLETE"] == -4 and pts["HIDDEN_DANGER"] == -10
    items = {i.code: i for i in r.items}
    assert items["CONTROLS"].status == "unassessed"  # the other six rows of 自控 are still unknown
    assert items["EQUIPMENT"].worst_points == -5
    assert "（至少）" in next(x.text for x in r.reasons if x.code == "EQUIPMENT_OBSOLETE")
    assert next(x for x in r.reasons if x.code == "CONTROLS_AUTOMATION").source == "hidden_danger_ledger"


@pytest.mark.parametrize("entry, field", [
    (AssessedItem("PERSONNEL", -16, "证据", "王", DAY), "扣分/得分"),     # cap 15
    (AssessedItem("EQUIPMENT", 1, "证据", "王", DAY), "扣分/得分"),       # 设备 has no bonus
    (AssessedItem("NOPE", -1, "证据", "王", DAY), "评估项代码"),
    (AssessedItem("DESIGN", -1, " ", "王", DAY), "证据"),
    (AssessedItem("DESIGN", -1, "证据", "王", DAY, source="registry"), "来源"),
])
def test_bad_assessments_are_refused_naming_the_field(model, entry, field):
    with pytest.raises(InvalidInput) as e:
        assess_enterprise(DerivedFacts(**REGISTRY), [entry], model=model, as_of=AS_OF)
    assert e.value.field == field


def test_bonus_range_of_an_assessment(model):
    # 人员资质 may add up to 3 posts × 2 = 6; 安全管理绩效 up to 15 (标准化一级) + 5 (五年无事故) = 20
    assert model.item("PERSONNEL").max_bonus == 6 and model.item("PERFORMANCE").max_bonus == 20
    r = assess_enterprise(DerivedFacts(**REGISTRY), [_item("PERSONNEL", 6)], model=model, as_of=AS_OF)
    assert next(i for i in r.items if i.code == "PERSONNEL").points == 6


def test_the_result_is_json_ready_with_chinese_labels(model):
    import json

    r = assess_enterprise(DerivedFacts(**REGISTRY), [_item("PERSONNEL", -5)], model=model, as_of=AS_OF)
    doc = json.loads(json.dumps(r.as_dict(), ensure_ascii=False))
    assert doc["risk_score"] == r.risk_score and doc["as_of"] == "2026-11-28" and doc["summary"] == list(r.summary)
    items = {i["code"]: i for i in doc["items"]}
    assert (items["PERSONNEL"]["status_label"], items["PERSONNEL"]["source_label"]) == ("已评估", "检查")
    assert items["SURROUNDINGS"]["source"] == "conflicts+registry"  # sources of a derived item, sorted
    assert items["SURROUNDINGS"]["source_label"] == "距离冲突计算+登记数据"
    assert {d["status_label"] for d in doc["direct_red_unevaluated"]} == {"未评估"}
    assert 100 + sum(x["points"] for x in doc["reasons"]) == pytest.approx(doc["risk_score"])

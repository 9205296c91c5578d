"""JSON bodies of the assessment API → records (geo.assessment_input): every bad field named by its path."""

from __future__ import annotations

import datetime as dt

import pytest

from geo.assessment_input import danger_cells, entries_from_json, rectification_update
from geo.errors import InvalidInput
from geo.hidden_danger import Rectification
from geo.risk_color import AssessedCondition, AssessedItem
from tests.helpers import domain

MODEL = domain().colour_model
TODAY = dt.date(2026, 12, 1)


def _field(fn, *a, **kw) -> str:
    with pytest.raises(InvalidInput) as e:
        fn(*a, **kw)
    return e.value.field


def test_entries_keep_points_answers_and_default_the_assessor_and_date():
    got = entries_from_json([{"code": "personnel", "points": -5, "evidence": "证书过期"},
                             {"code": "DR_ACCIDENTS", "met": False, "evidence": "事故台账", "assessed_on": "2026-11-02",
                              "assessed_by": "李检查", "source": "self_assessment"}],
                            model=MODEL, by="王检查", today=TODAY)
    assert got == [AssessedItem("PERSONNEL", -5.0, "证书过期", "王检查", TODAY, "inspection"),
                   AssessedCondition("DR_ACCIDENTS", False, "事故台账", "李检查", dt.date(2026, 11, 2), "self_assessment")]


@pytest.mark.parametrize("items, field", [
    ([], "items"),
    ("x", "items"),
    ([1], "items[0]"),
    ([{"code": "PERSONNEL", "points": -16, "evidence": "e"}], "items[0].points"),  # cap 15
    ([{"code": "PERSONNEL", "points": 7, "evidence": "e"}], "items[0].points"),  # bonus at most 6
    ([{"code": "PERSONNEL", "points": True, "evidence": "e"}], "items[0].points"),
    ([{"code": "NOPE", "points": 0, "evidence": "e"}], "items[0].code"),
    ([{"code": "DESIGN", "points": 0, "evidence": "  "}], "items[0].evidence"),
    ([{"code": "DESIGN", "points": 0, "evidence": "e", "source": "rumour"}], "items[0].source"),
    ([{"code": "DESIGN", "points": 0, "evidence": "e", "assessed_on": "2027-01-01"}], "items[0].assessed_on"),
    ([{"code": "DESIGN", "points": 0, "evidence": "e", "assessed_on": "昨天"}], "items[0].assessed_on"),
    ([{"code": "DR_NO_DESIGN", "met": "否", "evidence": "e"}], "items[0].met"),
    ([{"code": "DESIGN", "points": 0, "evidence": 5}], "items[0].evidence"),
])
def test_bad_entries_name_the_field(items, field):
    assert _field(entries_from_json, items, model=MODEL, by="王检查", today=TODAY) == field


def test_danger_cells_use_the_template_headers_and_refuse_unknown_keys():
    cells = danger_cells({"credit_code": "91140502MA0K8X3Y5L", "grade": "重大", "major_item": 5, "lon": 112.85})
    assert cells["统一社会信用代码"] == "91140502MA0K8X3Y5L" and cells["重大隐患判定项"] == 5 and cells["经度"] == 112.85
    assert cells["整改措施"] is None
    assert _field(danger_cells, {"colour": "red"}) == "colour"
    assert _field(danger_cells, {"place": {"a": 1}}) == "place"


def test_rectification_update_merges_and_checks():
    r = Rectification(measures="加装切断阀", responsible="张安全")
    new = rectification_update(r, {"funds_yuan": 86000, "deadline": "2026/12/31", "plan": " 专项预案 ", "measures": None})
    assert new == Rectification(None, "张安全", 86000.0, dt.date(2026, 12, 31), "专项预案")
    assert new.missing() == ("措施",)
    assert _field(rectification_update, r, {"funds_yuan": -1}) == "funds_yuan"
    assert _field(rectification_update, r, {"deadline": "十二月"}) == "deadline"
    assert _field(rectification_update, r, {"plan": 3}) == "plan"

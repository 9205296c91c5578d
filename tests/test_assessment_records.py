"""The shipped templates (Chinese headers, UTF-8 with BOM, one example row) and the row → record builders."""

import csv
import datetime as dt
from pathlib import Path

import pytest

from geo.assessment_records import (ASSESSMENT_HEADERS, HIDDEN_DANGER_HEADERS, assessment_from_row,
                                    hidden_danger_from_row)
from geo.colour_model import load_colour_model
from geo.crs import wgs84_to_gcj02
from geo.errors import InvalidInput
from geo.hidden_danger import load_major_hidden_danger_items
from geo.risk_color import AssessedCondition, AssessedItem

ROOT = Path(__file__).resolve().parent.parent
TEMPLATES = ROOT / "data" / "templates"
TODAY = dt.date(2026, 11, 28)


@pytest.fixture(scope="module")
def model():
    return load_colour_model(ROOT / "data" / "rules")


@pytest.fixture(scope="module")
def table():
    return load_major_hidden_danger_items(ROOT / "data" / "reference")


def _template(name):
    raw = (TEMPLATES / name).read_bytes()
    assert raw.startswith(b"\xef\xbb\xbf")  # UTF-8 with BOM: Excel shows the Chinese headers
    with (TEMPLATES / name).open(encoding="utf-8-sig", newline="") as f:
        reader = csv.DictReader(f)
        return tuple(reader.fieldnames), list(reader)


def test_the_assessment_template_example_loads(model):
    headers, rows = _template("assessments.csv")
    assert headers == ASSESSMENT_HEADERS and len(rows) == 1
    r = assessment_from_row(rows[0], model=model, today=TODAY)
    assert r.credit_code == "91140502MA0K8X3Y5L"
    assert r.assessed == AssessedItem("PERSONNEL", -5.0, rows[0]["证据"], "王检查", dt.date(2026, 10, 15), "inspection")


def test_the_hidden_danger_template_example_loads(table):
    headers, rows = _template("hidden_dangers.csv")
    assert headers == HIDDEN_DANGER_HEADERS and len(rows) == 1
    hd = hidden_danger_from_row(rows[0], table=table, today=TODAY)
    assert (hd.grade, hd.major_item, hd.state, hd.rectification.funds_yuan) == ("重大", 5, "整改中", 86000.0)
    assert hd.rectification.missing() == () and hd.place == "二号罐区"
    assert hd.location_wgs84 == (112.8605, 35.5012)  # CGCS2000 is taken as WGS-84 (< 1 m apart)


def _assessment(**change):
    row = {"统一社会信用代码": "91140502MA0K8X3Y5L", "评估项代码": "CONTROLS", "评估项": "自控与安全设施",
           "扣分/得分": "-3", "状态": "", "来源": "企业自评", "证据": "SIS 投用记录", "评估人": "企业安全部",
           "评估日期": "2026年10月9日"}
    return {**row, **change}


def test_a_direct_red_condition_row(model):
    r = assessment_from_row(_assessment(评估项代码="dr_special_workers", 评估项="", **{"扣分/得分": "否"}),
                            model=model, today=TODAY)
    assert r.assessed == AssessedCondition("DR_SPECIAL_WORKERS", False, "SIS 投用记录", "企业安全部",
                                           dt.date(2026, 10, 9), "self_assessment")


@pytest.mark.parametrize("change, field, words", [
    ({"统一社会信用代码": "91140502MA0K8X3Y5U"}, "统一社会信用代码", "校验位"),
    ({"评估项代码": "CONTROL"}, "评估项代码", "未知评估项代码"),
    ({"评估项": "人员资质"}, "评估项", "不符"),
    ({"扣分/得分": "-11"}, "扣分/得分", "本项最多扣10分"),
    ({"扣分/得分": "三分"}, "扣分/得分", "不是数字"),
    ({"扣分/得分": ""}, "扣分/得分", "为空"),
    ({"状态": "未评估"}, "状态", "已评估"),
    ({"来源": "听说"}, "来源", "检查/企业自评/导入"),
    ({"证据": ""}, "证据", "为空"),
    ({"评估人": " "}, "评估人", "为空"),
    ({"评估日期": "2026-13-01"}, "评估日期", "不是有效日期"),
    ({"评估日期": "2026-12-01"}, "评估日期", "晚于今天"),
    ({"评估项代码": "DR_NO_DESIGN", "评估项": "", "扣分/得分": "-5"}, "扣分/得分", "是/否"),
])
def test_bad_assessment_rows_name_the_field(model, change, field, words):
    with pytest.raises(InvalidInput) as e:
        assessment_from_row(_assessment(**change), model=model, today=TODAY)
    assert e.value.field == field and words in e.value.message


def _hidden(**change):
    _, rows = _template("hidden_dangers.csv")
    return {**rows[0], **change}


@pytest.mark.parametrize("change, field, words", [
    ({"来源": "巡查"}, "来源", "自查/部门检查/双随机/举报/在线监测"),
    ({"隐患等级": "较大"}, "隐患等级", "一般/重大"),
    ({"重大隐患判定项": "21"}, "重大隐患判定项", "第1–20项"),
    ({"重大隐患判定项": ""}, "重大隐患判定项", "第几项"),
    ({"应急预案": ""}, "五落实", "缺少：预案"),          # 整改中 without its plan
    ({"状态": "逾期"}, "状态", "逾期由整改时限推算"),
    ({"状态": "已销号"}, "验收", "验收日期和验收人"),
    ({"坐标系": ""}, "坐标系", "须注明坐标系"),
    ({"纬度": ""}, "经度/纬度", "同时填写"),
    ({"经度": "12.86"}, "经度/纬度", "不在中国境内"),
    ({"整改资金(元)": "-1"}, "整改资金(元)", "不能为负"),
    ({"发现日期": "2027-01-01"}, "发现日期", "晚于今天"),
    ({"验收日期": "2026-08-01"}, "验收日期", "不能早于发现日期"),
])
def test_bad_hidden_danger_rows_name_the_field(table, change, field, words):
    with pytest.raises(InvalidInput) as e:
        hidden_danger_from_row(_hidden(**change), table=table, today=TODAY)
    assert e.value.field == field and words in e.value.message


def test_hidden_danger_item_written_as_text_and_gcj02_coordinates(table):
    hd = hidden_danger_from_row(_hidden(重大隐患判定项="第 5 项", 坐标系="gcj02"), table=table, today=TODAY)
    assert hd.major_item == 5
    lon, lat = hd.location_wgs84
    # stored in WGS-84: shifting it forward to GCJ-02 gives the typed coordinates back (the offset here is ≈ 550 m)
    assert wgs84_to_gcj02(lon, lat) == pytest.approx((112.8605, 35.5012), abs=1e-6)
    assert abs(lon - 112.8605) > 0.004

"""Templates and row → record builders of the four waste registries: types, units, dates and codes
validated, errors naming the field in Chinese."""

import csv
import datetime as dt
from pathlib import Path

import pytest

from geo.cells import CellError
from geo.credit_code import make
from geo.waste import records as R
from geo.waste.codes import load_waste_codes
from geo.waste.rules import load_waste_rules

ROOT = Path(__file__).resolve().parents[1]
CODES = load_waste_codes(ROOT / "data" / "reference")
MRULES = load_waste_rules(ROOT / "data" / "rules").manifest
GEN = make("91140502MA0K1B2C3")


def template(kind):
    raw = (ROOT / "data" / "templates" / f"{kind}.csv").read_bytes()
    assert raw.startswith(b"\xef\xbb\xbf")  # UTF-8 with BOM (opens in Excel)
    rows = list(csv.reader(raw.decode("utf-8-sig").splitlines()))
    assert len(rows) == 2  # headers + one example row
    return dict(zip(rows[0], rows[1]))


@pytest.mark.parametrize("kind", R.KINDS)
def test_templates_carry_the_chinese_headers_and_a_valid_example(kind):
    row = template(kind)
    assert list(row) == [names[0] for names in R.COLUMNS[kind].values()]
    assert all("\u4e00" <= h[0] <= "\u9fff" for h in row)  # every header starts in Chinese
    cols = R.template_columns(kind)
    if kind == "waste_producers":
        (p,) = R.assemble_producers([R.producer_line(row, cols, codes=CODES)]).values()
        assert p.plans_t == {(2025, "900-249-08"): 12.0} and p.storage_capacity_t == 20.0
        assert p.storage_point == pytest.approx((112.8812, 35.5267))  # cgcs2000 taken as WGS-84
    elif kind == "waste_records":
        r = R.record(row, cols, codes=CODES)
        assert (r.kind, r.quantity_t, r.date) == ("generated", pytest.approx(0.85), dt.date(2025, 3, 15))  # 850 kg
    elif kind == "waste_manifests":
        (m,) = R.assemble_manifests([R.manifest_line(row, cols, codes=CODES, rules=MRULES)])
        assert (m.manifest_no, m.state, m.receiver_decision) == ("20251405000123", "已接收", "接受")
        assert m.major_discrepancy is False
        assert m.rows[0].received_t == 2.34 and m.route_cities == ("晋城市",)
    else:
        fac = R.facility(row, cols, codes=CODES)
        assert fac.scope == {"HW08", "900-041-49"} and fac.valid_until == dt.date(2028, 5, 31)


def rec_row(**kw):
    base = {"统一社会信用代码": GEN, "日期": "2025/3/15", "记录类型": "自行处置", "废物代码": "900-249-08", "数量": "1,200",
            "计量单位": "公斤"}
    return {k: v for k, v in (base | kw).items() if v is not None}


COLS = {k: R.template_columns(k) for k in R.KINDS}


def test_record_units_and_dates():
    r = R.record(rec_row(), COLS["waste_records"], codes=CODES)
    # 1,200 公斤 = 1200 × 0.001 t = 1.2 t
    assert (r.kind, r.date, r.quantity_t) == ("self_disposed", dt.date(2025, 3, 15), pytest.approx(1.2))


@pytest.mark.parametrize("change, field, reason", [
    ({"统一社会信用代码": "91140502MA0K1B2C3Y"}, "统一社会信用代码", "校验位错误"),
    ({"日期": "2025-13-01"}, "日期", "不是有效日期"),
    ({"日期": "上月"}, "日期", "日期格式无法识别"),
    ({"日期": ""}, "日期", "必填字段“日期”为空"),
    ({"记录类型": "转移"}, "记录类型", "未知记录类型“转移”"),
    ({"废物代码": "900-123-08"}, "废物代码", "副本不完整"),
    ({"废物代码": "900-249-44"}, "废物代码", "HW44 不存在"),
    ({"废物代码": "9002490"}, "废物代码", "格式错误"),
    ({"数量": "-1"}, "数量", "数量必须大于0"),
    ({"数量": "一吨"}, "数量", "数量不是数字"),
    ({"计量单位": "桶"}, "计量单位", "计量单位应为 t、吨、kg、千克、公斤"),
    ({"计量单位": ""}, "计量单位", "缺少计量单位"),
])
def test_record_errors_name_the_field(change, field, reason):
    with pytest.raises(CellError) as e:
        R.record(rec_row(**change), COLS["waste_records"], codes=CODES)
    assert e.value.field == field and reason in e.value.reason


def test_a_missing_column_is_named():
    cols = {k: v for k, v in COLS["waste_records"].items() if k != "waste_code"}
    with pytest.raises(CellError, match="缺少必填列“废物代码”"):
        R.record(rec_row(), cols, codes=CODES)


def man_row(**kw):
    base = template("waste_manifests")
    return {k: v for k, v in (base | kw).items() if v is not None}


def man_line(line=None, **kw):
    return R.manifest_line(man_row(**kw), COLS["waste_manifests"], codes=CODES, rules=MRULES, line=line)


@pytest.mark.parametrize("change, field, reason", [
    ({"联单编号": "2025140500012"}, "联单编号", "联单编号应为14位数字"),
    ({"联单编号": "20251401000123"}, "联单编号", "第5–8位“1401”应为移出地省、市行政区划代码“1405”"),
    ({"废物类别": "HW49"}, "废物代码", "属于 HW08"),
    ({"联单状态": "已完结"}, "联单状态", "未知联单状态"),
    ({"接受意见": "拒绝接受"}, "接受意见", "与联单状态“已接收”不符"),
    ({"接受意见": "同意"}, "接受意见", "接受/部分接受/拒绝接受"),
    ({"接受日期": "2025-04-01"}, "接受日期", "接受日期早于转移日期"),
    ({"接受数量": ""}, "接受数量", "联单状态为“已接收”时须填写接受数量"),
    ({"是否存在重大差异": "也许"}, "是否存在重大差异", "应为 是/否"),
    ({"移出地行政区划代码": "1405"}, "移出地行政区划代码", "应为6位"),
    ({"废物名称": ""}, "废物名称", "必填字段“废物名称”为空"),
])
def test_manifest_errors_name_the_field(change, field, reason):
    with pytest.raises(CellError) as e:
        man_line(**change)
    assert e.value.field == field and reason in e.value.reason


def test_rejected_then_returned_manifest_received_nothing():
    ln = man_line(**{"联单状态": "退回", "接受意见": "拒绝接受", "接受数量": ""})
    assert ln.manifest.rows[0].received_t == 0.0 and ln.manifest.receiver_decision == "拒绝接受"


def test_manifest_lines_assemble_into_one_manifest_with_its_rows():
    a = man_line(line=2)
    b = man_line(line=3, **{"废物名称": "废包装桶", "废物类别": "HW49", "废物代码": "900-041-49", "转移数量": "300",
                            "计量单位": "kg", "接受数量": "300"})
    (m,) = R.assemble_manifests([a, b])
    assert [r.waste_code for r in m.rows] == ["900-249-08", "900-041-49"]
    assert m.quantity_t == pytest.approx(2.65)  # 2.35 t + 300 kg
    c = man_line(line=4, **{"接受单位名称": "丙环保"})
    with pytest.raises(CellError) as e:
        R.assemble_manifests([a, c])
    assert e.value.field == "接受单位名称" and "第4行" in e.value.reason and "20251405000123" in e.value.reason


def prod_row(**kw):
    base = template("waste_producers")
    return {k: v for k, v in (base | kw).items() if v is not None}


def test_producer_plan_lines_assemble():
    a = R.producer_line(prod_row(), COLS["waste_producers"], codes=CODES, line=2)
    b = R.producer_line(prod_row(**{"废物代码": "900-041-49", "计划产生量": "500", "计量单位": "kg"}),
                        COLS["waste_producers"], codes=CODES, line=3)
    (p,) = R.assemble_producers([a, b]).values()
    assert p.plans_t == {(2025, "900-249-08"): 12.0, (2025, "900-041-49"): 0.5}
    with pytest.raises(CellError, match="第3行.*计划重复"):
        R.assemble_producers([a, R.producer_line(prod_row(), COLS["waste_producers"], codes=CODES, line=3)])
    other = R.producer_line(prod_row(**{"贮存能力（吨）": "25", "废物代码": "900-041-49"}), COLS["waste_producers"],
                            codes=CODES, line=4)
    with pytest.raises(CellError) as e:
        R.assemble_producers([a, other])
    assert e.value.field == "贮存能力（吨）" and "第4行" in e.value.reason


@pytest.mark.parametrize("change, field, reason", [
    ({"计划年度": "25"}, "计划年度", "四位年份"),
    ({"贮存场所纬度": ""}, "贮存场所纬度", "只填了一个坐标"),
    ({"坐标系": ""}, "坐标系", "未声明坐标系"),
    ({"坐标系": "火星"}, "坐标系", "不支持的坐标系“火星”"),
    ({"贮存场所经度": "35.5267", "贮存场所纬度": "112.8812"}, "贮存场所经度/纬度", "不在中国境内"),
    ({"贮存能力（吨）": "-3"}, "贮存能力（吨）", "不能为负"),
])
def test_producer_errors_name_the_field(change, field, reason):
    with pytest.raises(CellError) as e:
        R.producer_line(prod_row(**change), COLS["waste_producers"], codes=CODES)
    assert e.value.field == field and reason in e.value.reason


def test_producer_point_in_gcj02_is_converted_to_wgs84():
    p = R.producer_line(prod_row(**{"坐标系": "gcj02"}), COLS["waste_producers"], codes=CODES)
    lon, lat = p.storage_point
    # GCJ-02 is offset a few hundred metres from WGS-84 around Jincheng; the inverse moves the point back
    assert 0.001 < abs(lon - 112.8812) + abs(lat - 35.5267) < 0.02


def fac_row(**kw):
    base = template("waste_facilities")
    return {k: v for k, v in (base | kw).items() if v is not None}


@pytest.mark.parametrize("change, field, reason", [
    ({"经营范围": "HW44"}, "经营范围", "HW44 不是名录中的废物类别"),
    ({"经营范围": "HW08、900-12"}, "经营范围", "格式错误"),
    ({"有效期至": ""}, "有效期至", "必填字段“有效期至”为空"),
    ({"有效期起": "2029-01-01"}, "有效期起", "有效期起晚于有效期至"),
    ({"统一社会信用代码": "123"}, "统一社会信用代码", "应为18位"),
])
def test_facility_errors_name_the_field(change, field, reason):
    with pytest.raises(CellError) as e:
        R.facility(fac_row(**change), COLS["waste_facilities"], codes=CODES)
    assert e.value.field == field and reason in e.value.reason

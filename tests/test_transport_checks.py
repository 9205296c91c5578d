"""五必查 at loading, the transport rules loaders and the UN-number table."""

from __future__ import annotations

import csv
import datetime as dt
import shutil
from dataclasses import replace
from pathlib import Path

import pytest

from geo.rules_files import RulesError
from geo.transport.checks import (
    CrewMember, CrewRef, Goods, Loading, Medium, UnEntry, UnNumbers, Vehicle, Waybill, check_waybill,
)
from geo.transport.rules import (
    load_check_rules, load_route_rules, load_un_numbers,
)

from hazmap.domain import data_dir

DAY = dt.date(2024, 5, 10)
RULES_DIR, REFERENCE_DIR = data_dir("rules"), data_dir("reference")
RULES = load_check_rules(RULES_DIR)
UN = load_un_numbers(REFERENCE_DIR)

TANKER = Vehicle(plate="晋E12345", driving_licence_expiry=dt.date(2025, 3, 31), road_transport_cert_no="140502001234",
                 road_transport_cert_expiry=dt.date(2026, 1, 31), tank_no="GT-0001",
                 tank_inspection_expiry=dt.date(2024, 11, 30),
                 permitted_media=(Medium("甲醇", "T1-65"), Medium("乙醇", "T1-67")))
CREW = {"D-001": CrewMember("王师傅", "driver", "D-001", dt.date(2027, 6, 30)),
        "E-001": CrewMember("李押运", "escort", "E-001", dt.date(2025, 2, 28))}
METHANOL = Goods("甲醇", "T1-65", "UN1230", "3", 30.0, "t")
WAYBILL = Waybill(waybill_no="YD-001", loading_date=DAY, vehicle_plate="晋E12345", goods=(METHANOL,),
                  driver=CrewRef("王师傅", "D-001"), escort=CrewRef("李押运", "E-001"))
LOADED = Loading((Goods("甲醇", "T1-65", "UN1230", "3", 29.4, "t"),))  # 0.6/30 = 2 % under


def run(waybill=WAYBILL, vehicles=None, crew=CREW, loading=LOADED, un=UN):
    res = check_waybill(waybill, vehicles={"晋E12345": TANKER} if vehicles is None else vehicles, crew=crew,
                        loading=loading, rules=RULES, un_numbers=un)
    return {r.rule.key: r for r in res.results}, res


def test_a_clean_waybill_passes_all_five_with_reasons():
    got, res = run()
    assert [r.outcome for r in res.results] == ["pass"] * 5
    assert got["vehicle_documents"].reasons == ("车辆 晋E12345 行驶证有效期至 2025-03-31",
                                               "车辆 晋E12345 道路运输证（140502001234）有效期至 2026-01-31")
    assert "“甲醇”装载量与运单一致（装货记录 29400 kg、运单 30000 kg）" in got["goods_match_waybill"].reasons
    assert [r.rule.id for r in res.results] == ["TC1", "TC2", "TC3", "TC4", "TC5"]
    assert res.failed == () and res.not_checked == ()


def test_1_vehicle_documents():
    expired = replace(TANKER, road_transport_cert_expiry=dt.date(2024, 5, 9))
    got, _ = run(vehicles={"晋E12345": expired})
    r = got["vehicle_documents"]
    assert r.outcome == "fail" and r.label == "不通过"
    assert r.reasons == ("车辆 晋E12345 道路运输证（140502001234）有效期至 2024-05-09，早于装货日期 2024-05-10",)
    # valid *on* the loading date: an expiry on that very day passes
    got, _ = run(vehicles={"晋E12345": replace(TANKER, road_transport_cert_expiry=DAY)})
    assert got["vehicle_documents"].outcome == "pass"
    got, _ = run(vehicles={"晋E12345": replace(TANKER, driving_licence_expiry=None)})
    assert got["vehicle_documents"].outcome == "not_checked"
    assert got["vehicle_documents"].reasons[0] == "车辆 晋E12345 未登记行驶证有效期"
    # a trailer counts too; an unregistered one makes the check 未核查
    got, _ = run(waybill=replace(WAYBILL, trailer_plate="晋E6789挂"))
    assert got["vehicle_documents"].outcome == "not_checked"
    assert "车辆登记中无挂车 晋E6789挂" in got["vehicle_documents"].reasons


def test_2_crew_qualifications():
    crew = {**CREW, "E-001": replace(CREW["E-001"], cert_expiry=dt.date(2024, 4, 30))}
    got, _ = run(crew=crew)
    assert got["crew_qualifications"].reasons == (
        "押运人员 李押运 资格证（E-001）有效期至 2024-04-30，早于装货日期 2024-05-10",)
    got, _ = run(waybill=replace(WAYBILL, escort=None))
    assert got["crew_qualifications"].outcome == "fail"
    assert got["crew_qualifications"].reasons == ("运单未载明押运人员（须配备押运人员，办法第四十四条）",)
    got, _ = run(waybill=replace(WAYBILL, driver=CrewRef("李押运", "E-001"), escort=CrewRef("王师傅", "D-001")))
    assert got["crew_qualifications"].outcome == "fail"
    assert got["crew_qualifications"].reasons[0] == "驾驶人 李押运 的资格证（E-001）为押运人员资格，不是驾驶人资格"
    got, _ = run(waybill=replace(WAYBILL, escort=CrewRef("赵某", "E-999")))
    assert got["crew_qualifications"].outcome == "not_checked"
    assert got["crew_qualifications"].reasons[0] == "押运人员 赵某：人员登记中无资格证号 E-999（赵某）"


def test_3_tank_inspection():
    got, _ = run(vehicles={"晋E12345": replace(TANKER, tank_inspection_expiry=dt.date(2024, 3, 31))})
    assert got["tank_inspection"].reasons == ("车辆 晋E12345 罐体（GT-0001）检验有效期至 2024-03-31，早于装货日期 2024-05-10",)
    van = replace(TANKER, tank_no=None, tank_inspection_expiry=None, permitted_media=None)
    got, _ = run(vehicles={"晋E12345": van})
    assert got["tank_inspection"].outcome == "pass" and "非罐式车辆" in got["tank_inspection"].reasons[0]
    assert got["tank_media"].outcome == "pass"
    got, _ = run(vehicles={})
    assert {got[k].outcome for k in ("vehicle_documents", "tank_inspection", "tank_media")} == {"not_checked"}


def test_4_goods_match_quantity_tolerance_and_units():
    # 31.8 t loaded for 30 t: |31.8 − 30| / 30 = 6.0 % > 5 % (local_policy tolerance) → fail
    got, _ = run(loading=Loading((replace(LOADED.goods[0], quantity=31.8),)))
    assert got["goods_match_waybill"].reasons == (
        "“甲醇”装载量与运单不符（装货记录 31800 kg、运单 30000 kg，相差 6.0%，允许 5%）",)
    # 31.5 t: exactly 5.0 % → within
    got, _ = run(loading=Loading((replace(LOADED.goods[0], quantity=31.5),)))
    assert got["goods_match_waybill"].outcome == "pass"
    # kilograms against tonnes compare; litres against tonnes do not
    got, _ = run(loading=Loading((replace(LOADED.goods[0], quantity=30000, unit="千克"),)))
    assert got["goods_match_waybill"].outcome == "pass"
    got, _ = run(loading=Loading((replace(LOADED.goods[0], quantity=38000, unit="L"),)))
    assert got["goods_match_waybill"].outcome == "not_checked"
    assert got["goods_match_waybill"].reasons == ("“甲醇”装货记录无可比数量，数量未核查",)
    got, _ = run(loading=None)
    assert got["goods_match_waybill"].reasons == ("无装货记录或标签事件，实际装载货物未核查",)
    two = Loading(LOADED.goods + (Goods("乙醇", "T1-67", "UN1170", "3", 2.0, "t"),))
    got, _ = run(loading=two)
    assert got["goods_match_waybill"].reasons == ("装货记录中的“乙醇”不在运单货物中",)
    got, _ = run(loading=Loading((Goods("乙醇", "T1-67", "UN1170", "3", 30.0, "t"),)))
    assert got["goods_match_waybill"].reasons[0] == "运单货物“甲醇”在装货记录中没有装载记录"
    # tag events carry no quantity: the identity is checked, the quantity is 未核查
    got, _ = run(loading=Loading((Goods("甲醇", "T1-65"),), source="tag_events"))
    assert got["goods_match_waybill"].outcome == "not_checked"
    assert got["goods_match_waybill"].reasons == ("“甲醇”标签事件无可比数量，数量未核查",)


def test_4_un_number_and_class_against_the_reference_table():
    wrong = replace(WAYBILL, goods=(replace(METHANOL, un_number="UN1203"),))
    got, _ = run(waybill=wrong, loading=Loading((replace(LOADED.goods[0], un_number=None),)))
    assert got["goods_match_waybill"].reasons == ("运单货物“甲醇”的 UN1203 与该化学品的联合国编号（UN1230）不符",)
    got, _ = run(waybill=replace(WAYBILL, goods=(replace(METHANOL, hazard_class="6.1"),)))
    assert got["goods_match_waybill"].reasons == ("运单货物“甲醇”的类别 6.1 与 UN1230 的类别 3 不符",)
    got, _ = run(waybill=replace(WAYBILL, goods=(replace(METHANOL, un_number=None),)))
    assert got["goods_match_waybill"].reasons[0] == "运单货物“甲醇”未载明联合国编号"
    # class 2 is undivided in the table: a waybill's 2.3 for chlorine (UN1017) agrees
    chlorine = Goods("氯", "T1-12", "1017", "2.3", 10.0, "t")
    got, _ = run(waybill=replace(WAYBILL, goods=(chlorine,)), loading=Loading((chlorine,)),
                 vehicles={"晋E12345": replace(TANKER, permitted_media=(Medium("液氯", "T1-12"),))})
    assert got["goods_match_waybill"].outcome == "pass" and got["tank_media"].outcome == "pass"
    # LPG's rows are "partial" (UN1965 not listed): a number outside them is 未核查, not 不通过
    lpg = Goods("液化石油气", "T1-52", "UN1965", "2.1", 10.0, "t")
    got, _ = run(waybill=replace(WAYBILL, goods=(lpg,)), loading=Loading((lpg,)))
    assert got["goods_match_waybill"].outcome == "not_checked"
    assert "未收录全部形态" in got["goods_match_waybill"].reasons[0]
    assert UN.for_chemical("T1-99") == ()
    got, _ = run(un=UnNumbers((UnEntry("T1-64", "1294", "3"),)))  # a table without methanol
    assert got["goods_match_waybill"].reasons[0] == "联合国编号参考表无“甲醇”，UN1230 是否对应未核查"


def test_5_tank_media():
    got, _ = run(vehicles={"晋E12345": replace(TANKER, permitted_media=(Medium("乙醇", "T1-67"),))})
    assert got["tank_media"].reasons == ("“甲醇”不在车辆 晋E12345 罐体（GT-0001）的适装介质列表（乙醇）内",)
    got, _ = run(vehicles={"晋E12345": replace(TANKER, permitted_media=None)})
    assert got["tank_media"].outcome == "not_checked"
    # media registered by name only match the goods by name
    got, _ = run(vehicles={"晋E12345": replace(TANKER, permitted_media=(Medium("甲醇"),))})
    assert got["tank_media"].outcome == "pass"


def test_every_check_cites_its_basis_and_the_unverified_article_is_marked():
    assert [r.status for r in RULES.rules] == ["uncertain"] * 5  # the loader-duty article number is unverified
    assert all("危险货物道路运输安全管理办法" in r.basis and r.plan_item for r in RULES.rules)
    assert "第四十四条" in RULES.rule("crew_qualifications").also and "第二十三条" in RULES.rule("tank_media").also
    assert RULES.quantity_status == "local_policy"


# ---- loaders ------------------------------------------------------------------------------

def test_un_table_rows_belong_to_the_catalogue_and_cite_a_source():
    with (REFERENCE_DIR / "chemicals.csv").open(encoding="utf-8") as f:
        keys = {r["key"] for r in csv.DictReader(f)}
    table = load_un_numbers(REFERENCE_DIR, chemical_keys=keys)
    assert {e.un_number for e in table.for_chemical("T1-01")} == {"1005"}  # ammonia, anhydrous
    assert {e.un_number for e in table.for_chemical("CAS-7722-84-1")} == {"2984", "2014", "2015"}  # by concentration
    unsourced = sorted(keys - {e.chemical_key for e in table.entries})
    assert unsourced == ["T1-08", "T1-71", "T1-72", "T1-74"]  # 甲醛>90%, 过乙酸, 过氧化甲基乙基酮, 烷基铝: not sourced


def _copy(tmp_path: Path, name: str, src: Path) -> Path:
    shutil.copy(src / name, tmp_path / name)
    return tmp_path / name


def test_loaders_name_the_file_and_row(tmp_path):
    p = _copy(tmp_path, "un_numbers.csv", REFERENCE_DIR)
    lines = p.read_text(encoding="utf-8").splitlines()
    lines[3] = lines[3].replace(",1067,", ",10X7,", 1)
    p.write_text("\n".join(lines) + "\n", encoding="utf-8")
    with pytest.raises(RulesError, match=r"un_numbers.csv 第4行（T1-03）：un_number 应为 4 位数字"):
        load_un_numbers(tmp_path)
    with pytest.raises(RulesError, match="chemical_key 不在化学品目录中"):
        load_un_numbers(REFERENCE_DIR, chemical_keys={"T1-01"})
    p = _copy(tmp_path, "transport_route.toml", RULES_DIR)
    p.write_text(p.read_text(encoding="utf-8").replace('"speed.min_duration_s" = "local_policy"\n', ""), encoding="utf-8")
    with pytest.raises(RulesError, match=r"\[number_status\] 未注明 speed.min_duration_s"):
        load_route_rules(tmp_path)
    p.write_text(p.read_text(encoding="utf-8").replace("other_road_kmh = 60.0", 'other_road_kmh = "60"'), encoding="utf-8")
    with pytest.raises(RulesError, match=r"transport_route.toml \[speed\] 的 other_road_kmh 应为非负数"):
        load_route_rules(tmp_path)
    p = _copy(tmp_path, "transport_checks.toml", RULES_DIR)
    p.write_text(p.read_text(encoding="utf-8").replace('key = "tank_media"', 'key = "tank_colour"'), encoding="utf-8")
    with pytest.raises(RulesError, match=r"第5个 \[\[checks\]\]（TC5）：key 应为"):
        load_check_rules(tmp_path)
    with pytest.raises(RulesError, match="规则文件不存在"):
        load_check_rules(tmp_path / "nowhere")


def test_route_rules_carry_the_legal_numbers():
    r = load_route_rules(RULES_DIR)
    # 办法第四十六条 80 / 60 km/h; 实施条例第六十二条（七）4 h / 20 min
    assert (r.speed.expressway_kmh, r.speed.other_road_kmh) == (80.0, 60.0)
    assert (r.driving.max_continuous_s, r.driving.min_rest_s) == (4 * 3600, 20 * 60)
    assert r.number_status["speed.expressway_kmh"] == "verified" and r.number_status["dwell.max_stop_s"] == "local_policy"

"""Manifest life cycle (every edge, allowed and refused) and a manifest's checks."""

import dataclasses
import datetime as dt
import itertools
import shutil
from pathlib import Path

import pytest

from geo.waste.files import WasteDataError
from geo.waste.manifest import (TransitionRefused, check_number, discrepancy_findings, licence_findings,
                                manifest_findings, open_findings, transition, waybill_findings)
from geo.waste.model import STATES, Facility, Manifest, ManifestRow, StateEvent
from geo.waste.rules import load_waste_rules

RULES_DIR = Path(__file__).resolve().parents[1] / "data" / "rules"
T0 = dt.datetime(2025, 5, 1, 8, 0)

# the allowed edges, as the issue draws them (草稿 → … → 已接收 / 部分接收 / 拒收 → 退回, and 作废)
ALLOWED = {("草稿", "已提交"), ("已提交", "已启运"), ("已启运", "运输中"), ("已启运", "已送达"), ("运输中", "已送达"),
           ("已送达", "已接收"), ("已送达", "部分接收"), ("已送达", "拒收"), ("拒收", "退回"), ("部分接收", "退回"),
           ("草稿", "作废"), ("已提交", "作废")}


@pytest.fixture(scope="module")
def rules():
    return load_waste_rules(RULES_DIR).manifest


def manifest(state="草稿", **kw) -> Manifest:
    rows = (ManifestRow("废矿物油", "HW08", "900-249-08", 2.0), ManifestRow("废包装桶", "HW49", "900-041-49", 0.3))
    base = dict(manifest_no="20251405000123", transfer_date=dt.date(2025, 5, 1), generator_credit_code="G1",
                generator_name="甲化工", receiver_name="乙环保", receiver_licence_no="L1", rows=rows, state=state)
    return Manifest(**(base | kw))


def test_the_rules_file_draws_exactly_the_issues_edges(rules):
    assert set(rules.transitions) == ALLOWED
    # the edges the 办法 does not describe are marked local policy
    local = {k for k, t in rules.transitions.items() if t.status == "local_policy"}
    assert local == {("已启运", "已送达"), ("拒收", "退回"), ("部分接收", "退回"), ("草稿", "作废"), ("已提交", "作废")}
    for t in rules.transitions.values():
        assert ("《危险废物转移管理办法》第" in t.basis) == (t.status == "cited")


@pytest.mark.parametrize("frm, to", sorted(ALLOWED))
def test_allowed_edge(rules, frm, to):
    m = manifest(frm)
    received = [2.0, 0.1] if to == "部分接收" else None
    out = transition(m, to, at=T0, by="张三", rules=rules, received_t=received)
    assert out.state == to and m.state == frm  # a new manifest; the input is untouched
    ev = out.history[-1]
    assert (ev.from_state, ev.to_state, ev.by, ev.at) == (frm, to, "张三", T0)
    assert ev.rule_id == rules.transitions[(frm, to)].rule_id


REFUSED = sorted(set(itertools.product(STATES, STATES)) - ALLOWED)


@pytest.mark.parametrize("frm, to", REFUSED)
def test_refused_edge_names_the_rule(rules, frm, to):
    with pytest.raises(TransitionRefused) as e:
        transition(manifest(frm), to, at=T0, by="张三", rules=rules)
    msg = str(e.value)
    assert e.value.field == "联单状态"
    assert f"不能由“{frm}”变为“{to}”" in msg and "20251405000123" in msg
    nexts = [t for (f, _), t in rules.transitions.items() if f == frm]
    for t in nexts:  # the states allowed next, each with its rule id
        assert f"“{t.to_state}”（{t.rule_id}）" in msg
    if not nexts:
        assert "无（已闭环）" in msg


def test_void_after_departure_says_why(rules):
    with pytest.raises(TransitionRefused) as e:
        transition(manifest("已启运"), "作废", at=T0, by="张三", rules=rules)
    assert "作废仅限启运前" in str(e.value) and "WM-T11" in str(e.value) and "本地政策" in str(e.value)


def test_full_receipt_defaults_to_the_quantities_sent_and_records_the_decision(rules):
    out = transition(manifest("已送达"), "已接收", at=T0, by="李四", rules=rules)
    assert [r.received_t for r in out.rows] == [2.0, 0.3]
    assert out.receipt_date == T0.date() and out.receiver_decision == "接受"


def test_partial_receipt_needs_quantities_less_than_sent(rules):
    m = manifest("已送达")
    out = transition(m, "部分接收", at=T0, by="李四", rules=rules, received_t=[1.5, 0.3])
    assert out.received_t == pytest.approx(1.8) and out.receiver_decision == "部分接受"  # 1.5 + 0.3
    for bad, why in (([2.0, 0.3], "至少一行接受量少于转移量"), ([0.0, 0.0], "合计大于 0"), ([1.0], "与联单明细 2 行不一致"),
                     ([-1.0, 0.3], "不能为负")):
        with pytest.raises(TransitionRefused, match=why):
            transition(m, "部分接收", at=T0, by="李四", rules=rules, received_t=bad)
    with pytest.raises(TransitionRefused, match="部分接收须填写每一行的接受量（WM-T07）"):
        transition(m, "部分接收", at=T0, by="李四", rules=rules)


def test_rejection_receives_nothing(rules):
    out = transition(manifest("已送达"), "拒收", at=T0, by="李四", rules=rules)
    assert [r.received_t for r in out.rows] == [0.0, 0.0] and out.receiver_decision == "拒绝接受"


def test_time_operator_and_unknown_state_are_checked(rules):
    m = transition(manifest("草稿"), "已提交", at=T0, by="张三", rules=rules)
    with pytest.raises(TransitionRefused, match="早于上一次变更"):
        transition(m, "已启运", at=T0 - dt.timedelta(minutes=1), by="王五", rules=rules)
    with pytest.raises(TransitionRefused, match="须记录操作人"):
        transition(m, "已启运", at=T0, by=" ", rules=rules)
    with pytest.raises(TransitionRefused, match="未知联单状态“已完成”"):
        transition(m, "已完成", at=T0, by="王五", rules=rules)


def test_a_whole_journey_keeps_its_history(rules):
    m = manifest()
    for i, to in enumerate(["已提交", "已启运", "运输中", "已送达", "部分接收", "退回"]):
        m = transition(m, to, at=T0 + dt.timedelta(hours=i), by="张三", rules=rules,
                       received_t=[1.0, 0.3] if to == "部分接收" else None)
    assert [e.rule_id for e in m.history] == ["WM-T01", "WM-T02", "WM-T03", "WM-T05", "WM-T07", "WM-T10"]
    assert m.received_t == pytest.approx(1.3)  # the part accepted before the return stays accepted


def test_manifest_number_structure(rules):
    assert check_number(" 20251405000123 ", rules) == "20251405000123"
    for bad in ("2025140500012", "2025140500012A", ""):
        with pytest.raises(Exception, match="联单编号应为14位数字"):
            check_number(bad, rules)


FAC = Facility("L1", "乙环保", frozenset({"HW08", "900-041-49"}), valid_until=dt.date(2025, 5, 31),
               valid_from=dt.date(2023, 6, 1))


def test_licence_covers_codes_by_class_or_code_and_is_valid_on_the_transfer_date():
    m = manifest("已启运")  # 900-249-08 covered by HW08, 900-041-49 by its code; 2025-05-01 in validity
    assert licence_findings(m, {"L1": FAC}) == []
    rows = m.rows + (ManifestRow("废活性炭", "HW49", "900-039-49", 0.4),)
    f = licence_findings(dataclasses.replace(m, rows=rows), {"L1": FAC})
    assert [(x.code, x.waste_code) for x in f] == [("WASTE_LICENCE_SCOPE", "900-039-49")]
    assert "L1" in f[0].text and "900-039-49" in f[0].text and "第十条" in f[0].rule
    late = licence_findings(dataclasses.replace(m, transfer_date=dt.date(2025, 6, 1)), {"L1": FAC})
    assert [x.code for x in late] == ["WASTE_LICENCE_EXPIRED"]
    assert "2025-06-01" in late[0].text and "2025-05-31" in late[0].text
    unknown = licence_findings(m, {})
    assert [x.code for x in unknown] == ["WASTE_LICENCE_UNKNOWN"] and "未评估" in unknown[0].text


class Goods:
    def __init__(self, name, quantity_t, waste_code=None):
        self.name, self.quantity_t, self.waste_code = name, quantity_t, waste_code


def test_waybill_goods_agree_within_tolerance(rules):
    m = manifest("运输中", waybill_no="YD1")
    # 900-249-08: 2.0 t sent, 2.08 t carried: |0.08| ≤ max(0.01, 5% × 2.0 = 0.10) → agrees
    # 900-041-49: 0.30 t both (matched by name, no code on the goods line)
    assert waybill_findings(m, [Goods("废矿物油", 2.08), Goods("废包装桶", 0.30)], rules=rules) == []
    # matched by code even when the goods line names it differently
    assert waybill_findings(m, [Goods("HW08 废油", 2.0, "900-249-08"), Goods("废包装桶", 0.3)], rules=rules) == []


def test_waybill_disagreements_are_findings(rules):
    m = manifest("运输中", waybill_no="YD1")
    # 2.0 vs 2.15: |0.15| > 0.10 → finding; 0.3 vs 0.3 fine; 废活性炭 not on the manifest → finding
    f = waybill_findings(m, [Goods("废矿物油", 2.15), Goods("废包装桶", 0.3), Goods("废活性炭", 0.1)], rules=rules)
    assert [(x.code, x.waste_code) for x in f] == [("WASTE_WAYBILL_MISMATCH", None),  # goods not on the manifest
                                                   ("WASTE_WAYBILL_MISMATCH", "900-249-08")]
    qty = next(x for x in f if x.waste_code)
    assert qty.data["tolerance_t"] == pytest.approx(0.1) and qty.data["waybill_t"] == pytest.approx(2.15)
    assert "废活性炭" in next(x for x in f if not x.waste_code).text
    # a manifest row missing from the waybill entirely: 0.3 t sent, 0 carried
    f = waybill_findings(m, [Goods("废矿物油", 2.0)], rules=rules)
    assert [(x.waste_code, x.data["waybill_t"]) for x in f] == [("900-041-49", 0.0)]


def test_major_discrepancy_is_a_finding():
    m = dataclasses.replace(manifest("部分接收"), major_discrepancy=True,
                            rows=(ManifestRow("废矿物油", "HW08", "900-249-08", 2.0, received_t=1.2),))
    f = discrepancy_findings(m)
    assert [x.code for x in f] == ["WASTE_MAJOR_DISCREPANCY"]
    assert "转移 2 吨、接受 1.2 吨" in f[0].text and "第十八条第二款" in f[0].rule
    assert discrepancy_findings(dataclasses.replace(m, major_discrepancy=False)) == []
    assert discrepancy_findings(dataclasses.replace(m, major_discrepancy=None)) == []


def test_open_too_long(rules):
    m = manifest("运输中")  # transferred 2025-05-01; limit 30 days (local policy)
    assert open_findings(m, as_of=dt.date(2025, 5, 31), rules=rules) == []  # 30 days: not more than 30
    f = open_findings(m, as_of=dt.date(2025, 6, 5), rules=rules)  # 35 days
    assert [x.code for x in f] == ["WASTE_MANIFEST_OPEN"] and f[0].data["days_open"] == 35
    assert open_findings(manifest("已接收"), as_of=dt.date(2026, 1, 1), rules=rules) == []


def test_delivered_but_not_confirmed(rules):
    ev = StateEvent("运输中", "已送达", dt.datetime(2025, 5, 20, 10), "承运人", "WM-T05")
    m = manifest("已送达", history=(ev,))
    assert open_findings(m, as_of=dt.date(2025, 5, 27), rules=rules) == []  # 7 days waited: not more than 7
    f = open_findings(m, as_of=dt.date(2025, 5, 28), rules=rules)  # 8 days
    assert [x.code for x in f] == ["WASTE_RECEIPT_LATE"] and "第十八条" in f[0].text


def test_drafts_and_voided_manifests_are_not_checked(rules):
    for state in ("草稿", "作废"):
        assert manifest_findings(manifest(state, major_discrepancy=True), rules=rules, facilities={},
                                 as_of=dt.date(2026, 1, 1)) == []
    f = manifest_findings(manifest("运输中", waybill_no="YD1"), rules=rules, facilities={"L1": FAC},
                          as_of=dt.date(2025, 5, 10), goods=[Goods("废矿物油", 2.0)])
    assert [x.code for x in f] == ["WASTE_WAYBILL_MISMATCH"]  # 900-041-49 missing from the waybill


def _rules_copy(tmp_path):
    d = tmp_path / "rules"
    d.mkdir()
    for name in ("waste_manifest.toml", "waste_stock.toml"):
        shutil.copy(RULES_DIR / name, d / name)
    return d


@pytest.mark.parametrize("file, old, new, expect", [
    ("waste_manifest.toml", 'to = "运输中"', 'to = "在途"', "的状态不在 states 中"),
    ("waste_manifest.toml", 'rule_id = "WM-T02"', 'rule_id = "WM-T01"', "重复"),
    ("waste_manifest.toml", "WASTE_OVER_CAPACITY = {", "WASTE_OVERCAP = {", "缺少 WASTE_OVER_CAPACITY"),
    ("waste_manifest.toml", '"草稿", "已提交", "已启运"', '"草稿", "已启运", "已提交"', "联单状态词表"),
    ("waste_manifest.toml", "each = -12, max = -20", "each = -12, max = -6", "max ≤ each"),
    ("waste_stock.toml", 'value = 365, status = "local_policy"', 'value = 365, status = "national"', "status 应为"),
    ("waste_stock.toml", "plan_low_ratio = { value = 0.5", "plan_low_ratio = { value = 1.5", "plan_low_ratio < 1"),
])
def test_rules_loader_refuses_a_bad_file(tmp_path, file, old, new, expect):
    d = _rules_copy(tmp_path)
    p = d / file
    text = p.read_text(encoding="utf-8")
    assert old in text
    p.write_text(text.replace(old, new, 1), encoding="utf-8")
    with pytest.raises(WasteDataError) as e:
        load_waste_rules(d)
    assert expect in str(e.value) and file in str(e.value)

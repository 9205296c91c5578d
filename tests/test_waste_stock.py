"""Stock, FIFO age, 动态清零 list and the stock/plan findings — worked by hand (arithmetic in comments)."""

import dataclasses
import datetime as dt
from pathlib import Path
from types import MappingProxyType

import pandas as pd
import pytest

from geo.waste.assess import assess
from geo.waste.files import Param
from geo.waste.model import Facility, Manifest, ManifestRow, WasteProducer, WasteRecord
from geo.waste.rules import load_waste_rules
from geo.waste.stock import (clearance_list, movements_frame, plan_findings, records_frame, stock_findings,
                             stock_table)

RULES = load_waste_rules(Path(__file__).resolve().parents[1] / "data" / "rules")
AS_OF = dt.date(2025, 6, 30)
OIL, PACK, LUBE = "900-249-08", "900-041-49", "900-214-08"
D = dt.date


def rec(who, day, code, kind, t):
    return WasteRecord(who, day, code, kind, t)


RECORDS = [
    # A, 900-249-08
    rec("A", D(2024, 3, 1), OIL, "opening", 1.0),
    rec("A", D(2024, 9, 10), OIL, "generated", 2.0),
    rec("A", D(2025, 2, 1), OIL, "generated", 0.85),  # 850 kg
    rec("A", D(2025, 3, 1), OIL, "self_utilised", 0.3),
    rec("A", D(2025, 7, 5), OIL, "generated", 5.0),  # after as_of: not counted
    # A, 900-041-49 (long stored)
    rec("A", D(2024, 1, 10), PACK, "opening", 0.2),
    rec("A", D(2024, 5, 20), PACK, "generated", 0.5),
    rec("A", D(2025, 1, 1), PACK, "self_disposed", 0.1),
    # A, 900-214-08 (not in A's plan)
    rec("A", D(2025, 5, 5), LUBE, "generated", 0.2),
    # B, 900-249-08 (more out than in)
    rec("B", D(2025, 3, 1), OIL, "generated", 1.0),
]


def man(no, who, day, state, rows, **kw):
    return Manifest(no, day, who, who + "厂", "乙环保", "L1", tuple(rows), state, **kw)


MANIFESTS = [
    man("20251405000001", "A", D(2025, 1, 15), "已接收", [ManifestRow("废矿物油", "HW08", OIL, 1.2, received_t=1.15)]),
    man("20251405000002", "A", D(2025, 4, 10), "部分接收", [ManifestRow("废矿物油", "HW08", OIL, 1.0, received_t=0.6)],
        major_discrepancy=True),
    man("20251405000003", "A", D(2025, 5, 10), "退回", [ManifestRow("废矿物油", "HW08", OIL, 0.4, received_t=0.0)]),
    man("20251405000004", "A", D(2025, 6, 1), "作废", [ManifestRow("废矿物油", "HW08", OIL, 1.0)]),
    man("20251405000005", "A", D(2025, 6, 25), "运输中", [ManifestRow("废矿物油", "HW08", OIL, 0.5)]),
    man("20251405000006", "A", D(2025, 7, 2), "已接收", [ManifestRow("废矿物油", "HW08", OIL, 1.0, received_t=1.0)]),
    man("20251405000007", "B", D(2025, 4, 1), "已接收", [ManifestRow("废矿物油", "HW08", OIL, 1.5, received_t=1.5)]),
]

PRODUCERS = {
    "A": WasteProducer("A", "甲化工", storage_capacity_t=1.5,
                       plans_t=MappingProxyType({(2025, OIL): 4.0, (2025, PACK): 0.4, (2024, LUBE): 1.0})),
    "B": WasteProducer("B", "乙机修", storage_capacity_t=None, plans_t=MappingProxyType({(2025, OIL): 1.5})),
}


@pytest.fixture(scope="module")
def table():
    t = stock_table(records_frame(RECORDS), movements_frame(MANIFESTS, rules=RULES.manifest), as_of=AS_OF,
                    rules=RULES.stock)
    return t.set_index(["credit_code", "waste_code"])


def test_mass_balance(table):
    a = table.loc[("A", OIL)]
    # in: opening 1.0 + generated 2.0 + 0.85 = 3.85 (the 5.0 t of 2025-07-05 is after as_of)
    assert a.opening_t == pytest.approx(1.0) and a.generated_t == pytest.approx(2.85)
    # confirmed out: 已接收 1.15 + 部分接收 0.6 + 退回 0 = 1.75 (作废 and the 2025-07-02 manifest don't count)
    assert a.confirmed_t == pytest.approx(1.75)
    assert a.in_transit_t == pytest.approx(0.5)  # 运输中, not yet confirmed
    # stock = 3.85 − 1.75 − 0.3 (self-utilised) = 1.80; on site = 1.80 − 0.5 in transit = 1.30
    assert a.stock_t == pytest.approx(1.8) and a.on_site_t == pytest.approx(1.3)


def test_fifo_age(table):
    a = table.loc[("A", OIL)]
    # everything that left = 1.75 + 0.5 + 0.3 = 2.55 consumes the oldest batches first:
    # 2024-03-01 1.0 → 0 left; 2024-09-10 2.0 (cum 3.0) → 3.0 − 2.55 = 0.45 left; 2025-02-01 0.85 → all left
    assert a.oldest_batch_date == pd.Timestamp(2024, 9, 10)
    # 2024-09-10 → 2025-06-30: 20 (Sep) + 31 + 30 + 31 + 31 + 28 + 31 + 30 + 31 + 30 = 293 days
    assert a.oldest_age_days == 293
    # tonne-days = 0.45 × 293 + 0.85 × 149 (2025-02-01 → 06-30: 27 + 31 + 30 + 31 + 30 = 149) = 131.85 + 126.65
    assert a.tonne_days == pytest.approx(258.5)
    assert a.over_limit_t == 0.0  # nothing older than 365 days


def test_long_stored_batches(table):
    p = table.loc[("A", PACK)]
    # in 0.2 + 0.5, out 0.1 (self-disposed) → stock 0.6; FIFO: 2024-01-10 batch keeps 0.1, 2024-05-20 keeps 0.5
    assert p.stock_t == pytest.approx(0.6)
    # 2024-01-10 → 2025-01-10 = 366 days (2024 is a leap year) + 21 + 28 + 31 + 30 + 31 + 30 = 537
    assert p.oldest_age_days == 537
    # both batches are older than 365 days (2024-05-20 → 2025-06-30 = 365 + 41 = 406) → 0.6 t over the limit
    assert p.over_limit_t == pytest.approx(0.6)
    assert p.tonne_days == pytest.approx(0.1 * 537 + 0.5 * 406)  # 53.7 + 203 = 256.7


def test_more_out_than_in_has_no_age(table):
    b = table.loc[("B", OIL)]
    assert b.stock_t == pytest.approx(-0.5)  # 1.0 generated − 1.5 received
    assert pd.isna(b.oldest_age_days) and b.tonne_days == 0.0


def test_clearance_list_sorts_by_age_times_quantity(table):
    c = clearance_list(table.reset_index(), rules=RULES.stock)
    # 900-249-08 (258.5 t·d, 293 days) ranks before the older 900-041-49 (256.7 t·d, 537 days);
    # 900-214-08: 0.2 t × 56 days (2025-05-05 → 06-30: 26 + 30) = 11.2; B has nothing on site
    assert list(zip(c["rank"], c["credit_code"], c["waste_code"])) == [(1, "A", OIL), (2, "A", PACK), (3, "A", LUBE)]
    assert c.loc[2, "tonne_days"] == pytest.approx(11.2)


def test_stock_findings(table):
    f = stock_findings(table.reset_index(), PRODUCERS, rules=RULES.stock)
    got = sorted((x.code, x.credit_code, x.waste_code) for x in f if x.waste_code) + \
        [(x.code, x.credit_code) for x in f if not x.waste_code]
    assert got == [("WASTE_LONG_STORED", "A", PACK), ("WASTE_NEGATIVE_BALANCE", "B", OIL), ("WASTE_OVER_CAPACITY", "A")]
    long = next(x for x in f if x.code == "WASTE_LONG_STORED")
    assert "537 天" in long.text and "超过 365 天" in long.text and "2024-01-10" in long.text
    # the limit is local policy; the text says generators have no national hard limit
    assert "本地政策" in long.text and "第八十一条" in long.text and "产生单位国家未规定硬性贮存期限" in long.text
    cap = next(x for x in f if x.code == "WASTE_OVER_CAPACITY")
    # on site at A: 1.3 + 0.6 + 0.2 = 2.1 t > 1.5 t capacity (B has no capacity registered: not assessed)
    assert cap.data["on_site_t"] == pytest.approx(2.1) and cap.data["capacity_t"] == 1.5
    neg = next(x for x in f if x.code == "WASTE_NEGATIVE_BALANCE")
    assert "0.500 吨" in neg.text and "乙机修" in neg.text


def test_plan_findings_pro_rata():
    f = plan_findings(records_frame(RECORDS), PRODUCERS, as_of=AS_OF, rules=RULES.stock)
    by = {(x.code, x.credit_code, x.waste_code): x for x in f}
    assert set(by) == {("WASTE_BELOW_PLAN", "A", OIL), ("WASTE_BELOW_PLAN", "A", PACK),
                       ("WASTE_ABOVE_PLAN", "B", OIL), ("WASTE_NOT_IN_PLAN", "A", LUBE)}
    share = 181 / 365  # 2025-06-30 is day 181 of 365
    # A 900-249-08: plan 4.0 → expected 4.0 × 181/365 = 1.9836; generated in 2025 = 0.85 → 42.9% < 50%
    a = by[("WASTE_BELOW_PLAN", "A", OIL)].data
    assert a["elapsed_share"] == pytest.approx(share) and a["expected_t"] == pytest.approx(4.0 * share)
    assert a["ratio"] == pytest.approx(0.85 / (4.0 * share))  # opening stock is not this year's generation
    # A 900-041-49: plan 0.4, nothing generated in 2025 → 0%
    assert by[("WASTE_BELOW_PLAN", "A", PACK)].data["ratio"] == 0.0
    # B: plan 1.5 → expected 0.7438; generated 1.0 → 134.4% > 120%
    assert by[("WASTE_ABOVE_PLAN", "B", OIL)].data["ratio"] == pytest.approx(1.0 / (1.5 * share))
    assert "疑似瞒报" in by[("WASTE_BELOW_PLAN", "A", OIL)].text
    # 900-214-08 has a 2024 plan row only
    assert "未列入该年度管理计划" in by[("WASTE_NOT_IN_PLAN", "A", LUBE)].text


def test_no_plan_comparison_early_in_the_year():
    # 2025-02-15: 46/365 = 12.6% of the year < 25% → no pro-rata comparison; not-in-plan still reported
    early = RECORDS + [rec("A", D(2025, 2, 10), LUBE, "generated", 0.1)]
    f = plan_findings(records_frame(early), PRODUCERS, as_of=D(2025, 2, 15), rules=RULES.stock)
    assert [(x.code, x.waste_code) for x in f] == [("WASTE_NOT_IN_PLAN", LUBE)]


def test_assess_puts_it_together():
    fac = Facility("L1", "乙环保", frozenset({"HW08"}), valid_until=D(2027, 12, 31))
    out = assess(producers=PRODUCERS, records=RECORDS, manifests=MANIFESTS, facilities={"L1": fac}, as_of=AS_OF,
                 rules=RULES)
    codes = sorted(f.code for f in out.findings_by_enterprise()["A"])
    # A: long stored, over capacity, 2 below plan, not in plan, 重大差异 on 000002; 000005 (运输中 since
    # 2025-06-25, 5 days) is not overdue; 000006 is dated after as_of and not checked
    assert codes == sorted(["WASTE_LONG_STORED", "WASTE_OVER_CAPACITY", "WASTE_BELOW_PLAN", "WASTE_BELOW_PLAN",
                            "WASTE_NOT_IN_PLAN", "WASTE_MAJOR_DISCREPANCY"])
    assert list(out.clearance["waste_code"]) == [OIL, PACK, LUBE]
    assert out.rules_version == RULES.version


def test_inputs_are_not_changed():
    frame = records_frame(RECORDS)
    before = frame.copy()
    stock_table(frame, movements_frame(MANIFESTS, rules=RULES.manifest), as_of=AS_OF, rules=RULES.stock)
    pd.testing.assert_frame_equal(frame, before)


def test_empty_registries_give_an_empty_table():
    t = stock_table(records_frame([]), movements_frame([], rules=RULES.manifest), as_of=AS_OF, rules=RULES.stock)
    assert t.empty and {"stock_t", "oldest_age_days", "tonne_days"} <= set(t.columns)
    assert clearance_list(t, rules=RULES.stock).empty


def test_licensed_operators_are_held_to_the_laws_one_year_others_to_local_policy():
    # a deployment shortens the generators' limit to 180 days (local policy); operators stay at the
    # statutory one year of 固废法第八十一条 (365 days)
    short = dataclasses.replace(RULES.stock, max_storage_days=Param(180, "local_policy", "本地政策：180 天"))
    # 2024-12-01 → 2025-06-30: 30 + 31 + 28 + 31 + 30 + 31 + 30 = 211 days
    recs = [rec("G", D(2024, 12, 1), OIL, "generated", 1.0),
            rec("OP", D(2024, 12, 1), OIL, "generated", 1.0),  # same age, but a licensed operator: 211 ≤ 365
            rec("OP", D(2024, 5, 1), PACK, "generated", 1.0)]  # 2024-05-01 → 2025-06-30 = 365 + 60 = 425 > 365
    t = stock_table(records_frame(recs), movements_frame([], rules=RULES.manifest), as_of=AS_OF, rules=short,
                    operators={"OP"})
    assert list(t["storage_limit_days"]) == [180.0, 365.0, 365.0]  # rows: (G, OIL), (OP, PACK), (OP, OIL)
    f = stock_findings(t, {}, rules=short)
    assert [(x.credit_code, x.waste_code, x.data["oldest_age_days"]) for x in f] == [("G", OIL, 211), ("OP", PACK, 425)]
    # the rule read in Chinese (which limit, its standing); the file and key kept in the data
    assert f[0].rule == "危险废物库存规则“产生单位贮存期限”（本地政策）"
    assert f[0].data["rule_ref"] == "waste_stock.toml max_storage_days"
    assert f[1].rule == "危险废物库存规则“持证经营单位贮存期限”（引用条款）" and "持证经营单位" in f[1].text and "第八十一条" in f[1].text

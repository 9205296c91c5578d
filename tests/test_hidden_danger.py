"""The hidden-danger ledger: 五落实 before a 重大 hidden danger leaves 待整改, the order of states, 逾期,
and what the ledger tells the colour model."""

import datetime as dt
from dataclasses import replace
from pathlib import Path

import pytest

from geo.colour_model import load_colour_model
from geo.errors import InvalidInput
from geo.hidden_danger import (HiddenDanger, Rectification, TransitionError, guide_contribution,
                               load_major_hidden_danger_items, overdue, state_label, transition)
from geo.risk_color import DerivedFacts, assess_enterprise

ROOT = Path(__file__).resolve().parent.parent
CODE = "91140502MA0K8X3Y5L"
FOUND = dt.date(2026, 9, 1)
FULL = Rectification(measures="更换防爆电机并加装联锁", responsible="张安全", funds_yuan=86000.0,
                     deadline=dt.date(2026, 10, 31), plan="停用二号反应釜的专项应急预案")


def _major(item=4, **kw):
    return HiddenDanger(CODE, FOUND, "李检查", "部门检查", "硝化釜联锁未投用", "重大", major_item=item, **kw)


def test_a_major_hidden_danger_needs_all_five_before_it_leaves_pending():
    hd = _major(rectification=replace(FULL, funds_yuan=None, plan=" "))
    with pytest.raises(TransitionError) as e:
        transition(hd, "整改中", on=dt.date(2026, 9, 3))
    assert e.value.rule == "five_implementations" and e.value.field == "五落实"
    assert "缺少：资金、预案" in e.value.message
    started = transition(hd, "整改中", on=dt.date(2026, 9, 3), rectification=FULL)
    assert started.state == "整改中" and started.rectification == FULL


def test_a_general_hidden_danger_may_start_without_them():
    hd = HiddenDanger(CODE, FOUND, "企业安全员", "自查", "灭火器过期", "一般")
    assert transition(hd, "整改中", on=FOUND).state == "整改中"


def test_states_move_in_order_and_acceptance_needs_a_reviewer():
    hd = transition(_major(rectification=FULL), "整改中", on=dt.date(2026, 9, 3))
    with pytest.raises(TransitionError) as e:
        transition(hd, "已销号", on=dt.date(2026, 9, 5), reviewer="赵验收")
    assert e.value.rule == "state_order" and "不能从“整改中”变为“已销号”" in e.value.message
    done = transition(hd, "待验收", on=dt.date(2026, 10, 20))
    assert done.rectified_on == dt.date(2026, 10, 20)
    with pytest.raises(TransitionError, match="销号须有验收日期和验收人"):
        transition(done, "已销号", on=dt.date(2026, 10, 25))
    again = transition(done, "整改中", on=dt.date(2026, 10, 25))  # acceptance failed
    assert again.rectified_on is None
    closed = transition(done, "已销号", on=dt.date(2026, 10, 25), reviewer="赵验收")
    assert (closed.state, closed.accepted_on, closed.reviewer) == ("已销号", dt.date(2026, 10, 25), "赵验收")
    with pytest.raises(TransitionError, match="已销号的隐患不能再变更"):
        transition(closed, "整改中", on=dt.date(2026, 11, 1))
    with pytest.raises(TransitionError, match="验收日期不能早于整改完成日期"):
        transition(done, "已销号", on=dt.date(2026, 10, 19), reviewer="赵验收")


def test_overdue_is_derived_from_the_deadline():
    hd = transition(_major(rectification=FULL), "整改中", on=dt.date(2026, 9, 3))
    assert not overdue(hd, as_of=dt.date(2026, 10, 31))  # the deadline day itself is in time
    assert overdue(hd, as_of=dt.date(2026, 11, 1)) and state_label(hd, as_of=dt.date(2026, 11, 1)) == "整改中（逾期）"
    in_time = transition(hd, "待验收", on=dt.date(2026, 10, 30))
    assert not overdue(in_time, as_of=dt.date(2026, 11, 15))
    late = transition(hd, "待验收", on=dt.date(2026, 11, 3))
    assert overdue(late, as_of=dt.date(2026, 11, 15))
    closed = transition(late, "已销号", on=dt.date(2026, 11, 10), reviewer="赵验收")
    assert not overdue(closed, as_of=dt.date(2027, 1, 1))


@pytest.mark.parametrize("kw, field", [
    ({"item": None}, "重大隐患判定项"),
    ({"item": 21}, "重大隐患判定项"),
    ({"state": "整改中"}, "五落实"),  # a record imported past 待整改 without its 五落实
    ({"state": "已销号", "rectification": FULL}, "验收"),
    ({"rectification": replace(FULL, deadline=dt.date(2026, 8, 1))}, "整改时限"),
])
def test_inconsistent_records_are_refused(kw, field):
    with pytest.raises(InvalidInput) as e:
        _major(**kw)
    assert e.value.field == field


def test_unknown_source_and_grade_are_named():
    with pytest.raises(InvalidInput) as e:
        HiddenDanger(CODE, FOUND, "王", "巡查", "描述", "一般")
    assert e.value.field == "来源"
    with pytest.raises(InvalidInput) as e:
        HiddenDanger(CODE, FOUND, "王", "自查", "描述", "较大")
    assert e.value.field == "隐患等级"


def test_the_ledger_feeds_the_guide():
    table = load_major_hidden_danger_items(ROOT / "data" / "reference")
    as_of = dt.date(2026, 11, 28)
    ledger = [
        _major(2, rectification=FULL),                                   # 特种作业人员未持证上岗 → direct red
        _major(4),                                                        # 自动化控制 → 自控 −10
        _major(11), _major(11),                                           # 淘汰落后设备 × 2 → 设备 −4 (at least)
        _major(6),                                                        # no guide item: counted only as open
        replace(transition(transition(transition(_major(12, rectification=FULL), "整改中", on=FOUND),
                                      "待验收", on=FOUND), "已销号", on=FOUND, reviewer="赵"), found_on=FOUND),
        HiddenDanger(CODE, FOUND, "王", "举报", "通道堵塞", "一般"),       # 一般: not a 重大隐患
        replace(_major(18), found_on=dt.date(2026, 12, 1)),              # found after as_of
    ]
    c = guide_contribution(ledger, table=table, as_of=as_of)
    assert c.open_major == 5
    assert {f.code: f.count for f in c.criteria} == {"CONTROLS_AUTOMATION": 1, "EQUIPMENT_OBSOLETE": 2}
    assert [f.code for f in c.direct_red] == ["DR_SPECIAL_WORKERS"]
    assert "121号第2项" in c.direct_red[0].evidence

    model = load_colour_model(ROOT / "data" / "rules")
    r = assess_enterprise(DerivedFacts(stages=("production",), ledger=c), model=model, as_of=as_of)
    assert r.risk_color == "red" and r.direct_red[0].source == "hidden_danger_ledger"
    pts = {x.code: x.points for x in r.reasons if x.points}
    # 自控 −10; 设备 2 × −2 = −4; local item 5 × −5 = −25 → cap −10  →  100 − 24 = 76
    assert pts == {"CONTROLS_AUTOMATION": -10, "EQUIPMENT_OBSOLETE": -4, "HIDDEN_DANGER": -10}
    assert r.risk_score == 76

"""GB 18218-2018 §4: S, R, α, β, grade — plain values, no database."""

from __future__ import annotations

import math

import pytest

from geo.major_hazard import (ProcessConditions, alpha_for, assess_unit, beta_for, critical_quantity, display,
                               grade_for, w5_class)
from tests.helpers import domain
from geo.reference import Chemical


@pytest.fixture(scope="module")
def ref():
    return domain().reference


def chem(ref, name):
    return ref.catalogue.resolve(name=name)


@pytest.mark.parametrize("name,q", [("氯", 5), ("氨", 10), ("汽油", 200), ("碳酰氯", 0.3)])
def test_table1_q(ref, name, q):
    Q, src = critical_quantity(chem(ref, name), ref)
    assert Q == q and "表1" in src


@pytest.mark.parametrize("name,beta,src", [("光气", 20, "表3"), ("氯", 4, "表3"), ("氨", 2, "表3"),
                                           ("二氧化硫", 2, "表3"), ("柴油", 1, "表4 W5.4"),
                                           ("甲苯", 1, "表4 W5.3"), ("TNT", 2, "表4 W1.1")])
def test_beta(ref, name, beta, src):
    b, s = beta_for(chem(ref, name), ref)
    assert b == beta and src in s


def test_several_classes_lowest_q_and_largest_beta(ref):
    c = Chemical(key="X", name="测试品", hazard_classes=("J3", "W2"))  # Q 50/10, β 2/1.5
    assert critical_quantity(c, ref) == (10, "GB 18218-2018 表2 W2")
    assert beta_for(c, ref) == (2, "GB 18218-2018 表4 J3")


@pytest.mark.parametrize("people,alpha", [(0, 0.5), (1, 1.0), (29, 1.0), (30, 1.2), (49, 1.2),
                                          (50, 1.5), (99, 1.5), (100, 2.0), (10_000, 2.0),
                                          # real counts on the intervals the bands tile (no flooring):
                                          (99.6, 1.5), (99.999, 1.5), (29.9, 1.0), (49.5, 1.2),
                                          (0.4, 1.0)])  # > 0 people is not the "0 人" band
def test_alpha_bands(ref, people, alpha):
    assert alpha_for(people, ref.alpha_bands) == alpha


def test_exact_count_is_kept_and_the_basis_recorded(ref):
    a = assess_unit([(chem(ref, "二氧化硫"), 200)], exposed_people=99.6, tables=ref)
    # α(99.6) = 1.5; R = 1.5 × 2 × 200/20 = 30 → 三级; the count is stored as counted, not floored
    assert (a.exposed_people, a.alpha, a.R, a.grade, a.exposure_basis) == (99.6, 1.5, 30, 3, "counted")
    zero = assess_unit([(chem(ref, "二氧化硫"), 200)], exposed_people=0, tables=ref)
    assert zero.alpha == 0.5 and not any("不证明无人" in n for n in zero.notes)  # an explicit 0 is a fact
    none = assess_unit([(chem(ref, "二氧化硫"), 200)], exposed_people=0, tables=ref, exposure_basis="none_registered")
    assert none.alpha == 0.5 and none.exposure_basis == "none_registered"
    assert any("500 m内无登记" in n and "R为下限" in n for n in none.notes)
    with pytest.raises(ValueError, match="exposure_basis"):
        assess_unit([], exposed_people=0, tables=ref, exposure_basis="guessed")
    with pytest.raises(ValueError, match="none_registered"):
        assess_unit([], exposed_people=5, tables=ref, exposure_basis="none_registered")


@pytest.mark.parametrize("bad", [-1, math.nan, math.inf, "10", None, True])
def test_alpha_rejects_bad_people(ref, bad):
    with pytest.raises(ValueError):
        alpha_for(bad, ref.alpha_bands)


@pytest.mark.parametrize("r,grade", [(0, 4), (9.99, 4), (10, 3), (49.99, 3), (50, 2), (99.99, 2),
                                     (100, 1), (1e6, 1)])
def test_grade_edges(ref, r, grade):
    assert grade_for(r, ref.grade_bands) == grade


def test_grade_rejects_negative(ref):
    with pytest.raises(ValueError):
        grade_for(-1, ref.grade_bands)


def test_s_exactly_one_is_major(ref):
    a = assess_unit([(chem(ref, "氯"), 5)], exposed_people=0, tables=ref)
    assert a.S == 1 and a.is_major and a.grade is not None
    b = assess_unit([(chem(ref, "氯"), 4.995)], exposed_people=0, tables=ref)
    assert b.S == pytest.approx(0.999) and not b.is_major and b.grade is None
    assert b.R == pytest.approx(0.5 * 4 * 0.999)  # R computed anyway
    c = assess_unit([(chem(ref, "氯"), 1.5), (chem(ref, "氯"), 3.5)], exposed_people=0, tables=ref)
    assert c.S == 1 and c.is_major  # 1.5/5 + 3.5/5 = 0.3 + 0.7 is exactly 1 (exact arithmetic)
    d = assess_unit([(chem(ref, "氯"), 0.1), (chem(ref, "氯"), 0.2), (chem(ref, "氯"), 4.7)], exposed_people=0,
                    tables=ref)
    assert d.is_major  # 0.1 + 0.2 + 4.7 = 5 t exactly, although 0.1 + 0.2 != 0.3 in floats


def test_s_just_below_one_is_not_rounded_up(ref):
    # 4.999998 t / 5 t = 0.9999996 — not a major hazard (rounding to 6 places would have said 1.0)
    a = assess_unit([(chem(ref, "氯"), 4.999998)], exposed_people=0, tables=ref)
    assert a.S == pytest.approx(0.9999996, abs=1e-12) and not a.is_major and a.grade is None
    assert a.S_display == 0.999 and display(0.9999996) == 0.999 and display(1.0) == 1.0


def test_r_is_compared_with_the_grade_thresholds_unrounded(ref):
    # 氯 β = 4 (表3), α = 2 (≥100 people): R = 2 × 4 × q/5 = 1.6·q. q = 6.2499999 → R = 9.99999984 < 10 → 四级
    a = assess_unit([(chem(ref, "氯"), 6.2499999)], exposed_people=150, tables=ref)
    assert a.is_major and a.R < 10 and a.grade == 4
    assert assess_unit([(chem(ref, "氯"), 6.25)], exposed_people=150, tables=ref).grade == 3  # R = 10 exactly


def test_published_worked_example_so2(ref):
    a = assess_unit([(chem(ref, "二氧化硫"), 200)], exposed_people=60, tables=ref)
    t = a.terms[0]
    assert (t.quantity_t, t.critical_quantity_t, t.beta, t.ratio) == (200, 20, 2, 10)
    assert a.alpha == 1.5 and a.R == 30 and a.grade == 3 and a.grade_label == "三级"


def test_multi_chemical_unit_by_hand(ref):
    a = assess_unit([(chem(ref, "液氯"), 3), (chem(ref, "液氨"), 6)], exposed_people=120, tables=ref)
    assert a.S == pytest.approx(1.2) and a.is_major
    assert a.alpha == 2.0
    assert a.R == pytest.approx(2 * (4 * 0.6 + 2 * 0.6))  # 7.2
    assert a.grade == 4
    assert [(t.key, t.beta, t.beta_source) for t in a.details] == [
        ("T1-12", 4, "GB 18218-2018 表3"), ("T1-01", 2, "GB 18218-2018 表3")]
    assert a.notes == ()


def test_table2_only_chemical(ref):
    a = assess_unit([(chem(ref, "柴油"), 5000)], exposed_people=10, tables=ref)
    t = a.terms[0]
    assert (t.critical_quantity_t, t.q_source, t.beta, t.beta_source) == (
        5000, "GB 18218-2018 表2 W5.4", 1, "GB 18218-2018 表4 W5.4")
    assert a.S == 1 and a.is_major and a.R == 1 and a.grade == 4
    assert any("未登记操作温度、压力" in n and "W5.4" in n for n in a.notes)  # the 常温常压 default, said


def test_w5_2_special_process_conditions(ref):
    xylene = chem(ref, "二甲苯")  # 易燃液体类别3, not in 表1: W5.4 (Q 5000 t) at ordinary conditions
    plain = assess_unit([(xylene, 25)], exposed_people=0, tables=ref)
    assert plain.terms[0].critical_quantity_t == 5000 and plain.S == pytest.approx(0.005)  # 25/5000
    hot = assess_unit([(xylene, 25)], exposed_people=0, tables=ref,
                      conditions=ProcessConditions(temperature_c=80, pressure_mpa=2.0))
    # 2.0 MPa > 1.6 MPa (表2 W5.2): Q = 50 t, β = 1 → S = 25/50 = 0.5, R = 0.5 × 1 × 0.5 = 0.25
    t = hot.terms[0]
    assert (t.critical_quantity_t, t.q_source, t.beta) == (50, "GB 18218-2018 表2 W5.2", 1)
    assert hot.S == 0.5 and hot.R == 0.25 and any("操作压力2 MPa大于1.6 MPa" in n for n in hot.notes)
    process = assess_unit([(xylene, 60)], exposed_people=0, tables=ref,
                          conditions=ProcessConditions(hazardous_process=True))
    assert process.S == pytest.approx(1.2) and process.is_major  # 60/50


def test_w5_1_above_the_boiling_point(ref):
    toluene = chem(ref, "甲苯")  # 表1 Q = 500 t; boiling point 110.6 ℃
    symbols, why = w5_class(toluene, ProcessConditions(temperature_c=130), ref)
    assert symbols == ("W5.1",) and "高于沸点110.6℃" in why
    a = assess_unit([(toluene, 500)], exposed_people=0, tables=ref, conditions=ProcessConditions(temperature_c=130))
    # Q stays 表1's 500 t; β from 表4 W5.1 = 1.5 → R = 0.5 × 1.5 × 1 = 0.75
    assert a.terms[0].critical_quantity_t == 500 and a.terms[0].beta == 1.5 and a.R == 0.75
    cool = assess_unit([(toluene, 500)], exposed_people=0, tables=ref,
                       conditions=ProcessConditions(temperature_c=40, pressure_mpa=0.3))
    assert cool.terms[0].beta == 1 and any("不构成W5.1/W5.2" in n for n in cool.notes)


def test_no_class_chemical_is_excluded_and_said(ref):
    a = assess_unit([(chem(ref, "硫酸"), 100), (chem(ref, "盐酸"), 50), (chem(ref, "柴油"), 100)],
                    exposed_people=0, tables=ref)
    assert [t.key for t in a.terms] == ["CAS-68334-30-5"]
    assert a.excluded == ("CAS-7664-93-9", "CAS-7647-01-0")
    excluded = [n for n in a.notes if "未计入" in n]
    assert len(excluded) == 2 and all("无GB 18218危险类别，未计入" in n for n in excluded)
    assert "硫酸" in excluded[0] and "盐酸" in excluded[1]
    assert a.S == pytest.approx(0.02)
    # 盐酸 shares CAS 7647-01-0 with 氯化氢 (表3 β=3) but gets no β at all
    assert beta_for(chem(ref, "盐酸"), ref)[0] is None
    assert critical_quantity(chem(ref, "氢氧化钠"), ref)[0] is None


def test_uncertain_class_is_noted(ref):
    a = assess_unit([(chem(ref, "双氧水"), 10)], exposed_people=0, tables=ref)
    assert any("待核" in n for n in a.notes)


@pytest.mark.parametrize("q", [0, -1, math.nan, math.inf, None, "5"])
def test_quantity_must_be_positive(ref, q):
    with pytest.raises(ValueError, match="氯"):
        assess_unit([(chem(ref, "液氯"), q)], exposed_people=0, tables=ref)


def test_empty_unit(ref):
    a = assess_unit([], exposed_people=5, tables=ref)
    assert (a.S, a.R, a.is_major, a.grade) == (0, 0, False, None)


def test_carbon_monoxide_by_cas(ref):
    co = ref.catalogue.resolve(cas="630-08-0")
    q, q_src = critical_quantity(co, ref)
    beta, b_src = beta_for(co, ref)
    assert (co.name, q, q_src, beta, b_src) == ("一氧化碳", 20, "GB 18218-2018 表1第13项", 2, "GB 18218-2018 表3")
    a = assess_unit([(co, 30)], exposed_people=40, tables=ref)
    # S = 30/20 = 1.5; α(40) = 1.2; R = 1.2 × 2 × 1.5 = 3.6 → 四级
    assert a.S == 1.5 and a.R == pytest.approx(3.6) and a.grade == 4


def test_grade_one(ref):
    a = assess_unit([(chem(ref, "光气"), 3)], exposed_people=100, tables=ref)
    assert a.S == 10 and a.R == 400 and a.grade == 1


def test_every_catalogue_chemical_has_q_and_beta_or_says_why(ref):
    for c in ref.catalogue:
        q, qs = critical_quantity(c, ref)
        b, bs = beta_for(c, ref)
        if c.table1_row or c.hazard_classes:
            assert q and q > 0 and b and b >= 1, c.key
        else:
            assert q is None and b is None and "无GB 18218危险类别" in qs and "无GB 18218危险类别" in bs

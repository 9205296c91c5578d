"""GB 18218-2018 §4: S, R, α, β, grade — plain values, no database."""

from __future__ import annotations

import math

import pytest

from tests.helpers import domain
from geo.major_hazard import alpha_for, assess_unit, beta_for, critical_quantity, grade_for
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
                                          (29.9, 1.0), (0.4, 0.5)])
def test_alpha_bands(ref, people, alpha):
    assert alpha_for(people, ref.alpha_bands) == alpha


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
    assert c.S == 1 and c.is_major  # 0.3 + 0.7 counts as exactly 1


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


def test_no_class_chemical_is_excluded_and_said(ref):
    a = assess_unit([(chem(ref, "硫酸"), 100), (chem(ref, "盐酸"), 50), (chem(ref, "柴油"), 100)],
                    exposed_people=0, tables=ref)
    assert [t.key for t in a.terms] == ["CAS-68334-30-5"]
    assert a.excluded == ("CAS-7664-93-9", "CAS-7647-01-0")
    assert len(a.notes) == 2 and all("无GB 18218危险类别，未计入" in n for n in a.notes)
    assert "硫酸" in a.notes[0] and "盐酸" in a.notes[1]
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

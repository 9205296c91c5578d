"""双随机一公开 draw: reproducible whatever the input order, quotas per stratum, annual caps, ≥ 2 inspectors, recusal."""

import hashlib
import random
from pathlib import Path

import pytest

from geo.errors import InvalidInput
from geo.inspection_draw import (DrawEnterprise, Inspector, Stratum, draw, load_draw_rules, stratum_of)

ROOT = Path(__file__).resolve().parent.parent
YJ, GA, SC = "区应急管理局", "区公安分局", "区市场监管局"


@pytest.fixture(scope="module")
def rules():
    return load_draw_rules(ROOT / "data" / "rules")


def _population():
    out = [DrawEnterprise(f"R{i}", "red", 3, "B", (YJ,)) for i in range(3)]                 # red/三级/B: 3
    out += [DrawEnterprise(f"B{i}", "blue", 1, "A", (YJ, SC)) for i in range(10)]           # blue/一级/A: 10
    out += [DrawEnterprise(f"Y{i}", "yellow", 2, "C", (YJ, GA)) for i in range(5)]          # yellow/二级/C: 5
    return out


def _inspectors():
    return [Inspector(f"I{i}", f"检查员{i}", dept) for i, dept in enumerate((YJ, YJ, YJ, YJ, GA, SC))]


def test_shanxi_caps_and_the_two_inspector_rule_are_in_the_rules_file(rules):
    assert dict(rules.annual_caps) == {"一级": 2, "二级": 4, "三级": 8, "未定级": 12}
    assert rules.inspectors_per_inspection == 2


def test_same_seed_same_draw_whatever_the_input_order(rules):
    a = draw(_population(), _inspectors(), seed="2026Q4-城区", period="2026年第四季度", rules=rules)
    shuffled, people = _population(), _inspectors()
    random.Random(7).shuffle(shuffled)
    random.Random(8).shuffle(people)
    b = draw(shuffled, people, seed="2026Q4-城区", period="2026年第四季度", rules=rules)
    assert a == b
    c = draw(_population(), _inspectors(), seed="another seed", period="2026年第四季度", rules=rules)
    assert [i.enterprise for i in c.inspections] != [i.enterprise for i in a.inspections]


def test_the_seed_hash_is_published(rules):
    d = draw(_population(), _inspectors(), seed="abc", period="P", rules=rules)
    # FIPS 180-2 appendix B.1: SHA-256("abc")
    assert d.seed_sha256 == "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad"
    assert "abc" not in repr(d.inspections)


def test_default_quotas_and_lowest_ranks(rules):
    d = draw(_population(), _inspectors(), seed="s", period="P", rules=rules)
    quota = {r.stratum: (r.population, r.quota, r.drawn) for r in d.strata}
    # red: ceil(1.0 × 1.0 (B) × 3) = 3; yellow: ceil(0.25 × 1.5 (C) × 5) = ceil(1.875) = 2;
    # blue: ceil(0.1 × 0.5 (A) × 10) = ceil(0.5) = 1
    assert quota == {Stratum("red", "三级", "B"): (3, 3, 3), Stratum("yellow", "二级", "C"): (5, 2, 2),
                     Stratum("blue", "一级", "A"): (10, 1, 1)}
    assert [i.stratum.colour for i in d.inspections] == ["red"] * 3 + ["yellow"] * 2 + ["blue"]
    # each stratum takes its lowest SHA-256(seed ␟ period ␟ key) ranks
    ranks = {e.key: hashlib.sha256(f"s\x1fP\x1f{e.key}".encode()).hexdigest() for e in _population()}
    yellow = sorted((k for k in ranks if k.startswith("Y")), key=ranks.get)[:2]
    assert [i.enterprise for i in d.inspections if i.stratum.colour == "yellow"] == yellow
    assert all(i.rank == ranks[i.enterprise] for i in d.inspections)


def test_explicit_quotas_replace_the_default(rules):
    d = draw(_population(), _inspectors(), seed="s", period="P", rules=rules,
             quotas={Stratum("blue", "一级", "A"): 4, Stratum("red", "三级", "B"): 0})
    got = {r.stratum.colour: r.drawn for r in d.strata}
    assert got == {"red": 0, "yellow": 2, "blue": 4}


def test_annual_caps_are_respected(rules):
    # 一级 allows 2 a year: one with 2 already is not drawn, one with 1 still is
    pop = [DrawEnterprise("A", "red", 1, "B", (YJ,), inspections_this_year=2),
           DrawEnterprise("B", "red", 1, "B", (YJ,), inspections_this_year=1),
           DrawEnterprise("C", "red", None, "B", (YJ,), inspections_this_year=12)]  # 未登记 → capped as 未定级 (12)
    d = draw(pop, _inspectors(), seed="s", period="P", rules=rules)
    assert [i.enterprise for i in d.inspections] == ["B"]
    by = {r.stratum.standardisation: r for r in d.strata}
    assert by["一级"].capped == ("A",) and by["一级"].shortfall == 1 and by["未登记"].capped == ("C",)
    assert any("超过年度检查上限 1 家" in n for n in d.notes) and any("未登记" in n for n in d.notes)


def test_two_inspectors_from_the_supervising_departments_with_recusal(rules):
    people = _inspectors() + [Inspector("I9", "检查员9", GA, recused_enterprises=frozenset({"Y0"}))]
    d = draw(_population(), people, seed="s", period="P", rules=rules)
    dept = {i.key: i.department for i in people}
    for insp in d.inspections:
        assert len(set(insp.inspectors)) == 2
        e = next(e for e in _population() if e.key == insp.enterprise)
        assert all(dept[k] in e.departments for k in insp.inspectors)
        assert not (insp.enterprise == "Y0" and "I9" in insp.inspectors)


def test_an_enterprise_that_cannot_be_staffed_is_passed_over(rules):
    # only one 区公安分局 inspector and the enterprise recuses 区应急管理局 → nobody can be sent twice
    pop = [DrawEnterprise("X", "red", 3, "B", (YJ, GA), recused_departments=(YJ,)),
           DrawEnterprise("Y", "red", 3, "B", (YJ,))]
    d = draw(pop, _inspectors(), seed="s", period="P", rules=rules, quotas={Stratum("red", "三级", "B"): 2})
    assert [i.enterprise for i in d.inspections] == ["Y"]
    assert d.strata[0].unstaffed == ("X",) and d.strata[0].shortfall == 1
    assert "检查人员不足 1 家" in d.notes[0]


@pytest.mark.parametrize("kw, field", [({"seed": " "}, "seed"), ({"period": ""}, "period"),
                                       ({"quotas": {Stratum("purple", "一级", "A"): 1}}, "quotas"),
                                       ({"quotas": {Stratum("red", "一级", "A"): -1}}, "quotas")])
def test_bad_requests_name_the_field(rules, kw, field):
    args = {"seed": "s", "period": "P", **kw}
    with pytest.raises(InvalidInput) as e:
        draw(_population(), _inspectors(), rules=rules, **args)
    assert e.value.field == field


def test_duplicate_enterprises_are_refused(rules):
    pop = _population() + [DrawEnterprise("R0", "red", 3, "B", (YJ,))]
    with pytest.raises(InvalidInput, match="企业编号重复：R0"):
        draw(pop, _inspectors(), seed="s", period="P", rules=rules)


def test_stratum_labels(rules):
    assert stratum_of(DrawEnterprise("k", "orange", 0, None, ()), rules) == Stratum("orange", "未定级", "未评定")

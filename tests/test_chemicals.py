"""Resolution of what registries type to one catalogue entry (geo.chemicals)."""

from __future__ import annotations

import pytest

from tests.helpers import domain
from geo.chemicals import (AmbiguousChemical, Catalogue, ChemicalError, ChemicalNotFound, bare,
                           normalise, valid_cas)
from geo.reference import Chemical


@pytest.fixture(scope="module")
def cat():
    return domain().reference.catalogue


@pytest.mark.parametrize("kw,key", [
    (dict(name="液氯"), "T1-12"), (dict(name="氯气"), "T1-12"), (dict(name="氯"), "T1-12"),
    (dict(cas="7782-50-5"), "T1-12"), (dict(name="液氯", cas="7782-50-5"), "T1-12"),
    (dict(name="液化石油气"), "T1-52"), (dict(name="石油气"), "T1-52"), (dict(name="丙烷"), "T1-52"),
    (dict(cas="74-98-6"), "T1-52"), (dict(cas="68476-85-7"), "T1-52"),
    (dict(name="天然气"), "T1-49"), (dict(name="甲烷"), "T1-49"), (dict(cas="8006-14-2"), "T1-49"),
    (dict(name="汽油"), "T1-66"), (dict(name="乙醇汽油"), "T1-66"),
    (dict(name="光气"), "T1-06"), (dict(name="碳酰氯"), "T1-06"),
    (dict(name="液氨"), "T1-01"), (dict(name="甲醛(含量>90%)"), "T1-08"), (dict(name="环氧氯丙烷"), "T1-21"),
    (dict(name="氯化氢"), "T1-11"), (dict(name="2,4,6-三硝基甲苯"), "T1-35"),
    (dict(name="电石"), "T1-83"), (dict(name="柴油"), "CAS-68334-30-5"),
    (dict(name="甲乙酮"), "CAS-78-93-3"), (dict(name="乙酸丁酯"), "CAS-123-86-4"),
    # what the district's registries hold: coal gases, CO, acids, solvents, diesel variants
    (dict(cas="630-08-0"), "T1-13-CO"), (dict(name="一氧化碳"), "T1-13-CO"), (dict(name="CO"), "T1-13-CO"),
    (dict(name="焦炉煤气"), "T1-13"), (dict(name="水煤气"), "T1-13"), (dict(name="煤层气"), "T1-49"),
    (dict(name="液化天然气"), "T1-49"), (dict(name="正丁烷"), "T1-52"), (dict(cas="106-97-8"), "T1-52"),
    (dict(name="硫酸"), "CAS-7664-93-9"), (dict(name="盐酸"), "CAS-7647-01-0"), (dict(name="冰醋酸"), "CAS-64-19-7"),
    (dict(name="磷酸"), "CAS-7664-38-2"), (dict(name="异丙醇"), "CAS-67-63-0"), (dict(name="正丁醇"), "CAS-71-36-3"),
    (dict(name="氮气"), "CAS-7727-37-9"), (dict(name="液氮"), "CAS-7727-37-9"), (dict(name="二氧化碳"), "CAS-124-38-9"),
    (dict(name="柴油[闭杯闪点>60℃]"), "CAS-68334-30-5-FP60"), (dict(name="柴油", cas="68334-30-5"), "CAS-68334-30-5"),
])
def test_resolves(cat, kw, key):
    assert cat.resolve(**kw).key == key


@pytest.mark.parametrize("name,key", [
    ("  液氯 ", "T1-12"),              # whitespace
    ("ＴＤＩ", "T1-23"),                # full-width Latin
    ("tdi", "T1-23"),                  # case
    ("甲醛（含量＞90％）", "T1-08"),      # full-width brackets and signs
    ("氯化氢（无水）", "T1-11"),
    ("硝酸铵（含可燃物≤0.2％）", "T1-44"),
    ("硝酸铵(含可燃物>0.2%)", "T1-43"),  # a shortened qualifier still picks one
    ("硝化纤维素(含水≥25%)", "T1-41"),
    ("甲烷，天然气", "T1-49"),
])
def test_normalisation_and_qualifiers(cat, name, key):
    assert cat.resolve(name=name).key == key


def test_cas_normalisation(cat):
    assert cat.resolve(cas=" ７７８２－５０－５ ").key == "T1-12"
    assert cat.resolve(cas="CAS 7782-50-5").key == "T1-12"
    assert cat.resolve(cas="7782–50–5").key == "T1-12"  # en dashes


def test_ammonium_nitrate_alone_is_ambiguous(cat):
    with pytest.raises(AmbiguousChemical) as e:
        cat.resolve(name="硝酸铵")
    keys = [c.key for c in e.value.candidates]
    assert keys[:2] == ["T1-43", "T1-44"] and "T1-45" in keys
    assert "硝酸铵" in str(e.value) and "T1-43" in str(e.value)
    assert isinstance(e.value, ChemicalError) and isinstance(e.value, ValueError)


def test_shared_cas_needs_the_name(cat):
    with pytest.raises(AmbiguousChemical) as e:
        cat.resolve(cas="6484-52-2")
    assert [c.key for c in e.value.candidates] == ["T1-43", "T1-44"]
    with pytest.raises(AmbiguousChemical):
        cat.resolve(name="硝酸铵", cas="6484-52-2")
    assert cat.resolve(name="硝酸铵(含可燃物≤0.2%)", cas="6484-52-2").key == "T1-44"
    with pytest.raises(AmbiguousChemical) as e:
        cat.resolve(cas="9004-70-0")
    assert [c.key for c in e.value.candidates] == [f"T1-{n}" for n in range(37, 43)]
    assert cat.resolve(name="硝化纤维素(含乙醇≥25%)", cas="9004-70-0").key == "T1-39"
    with pytest.raises(AmbiguousChemical):
        cat.resolve(name="硝化棉")


def test_hydrochloric_acid_and_hydrogen_chloride_share_a_cas(cat):
    with pytest.raises(AmbiguousChemical) as e:
        cat.resolve(cas="7647-01-0")
    assert {c.key for c in e.value.candidates} == {"T1-11", "CAS-7647-01-0"}
    assert cat.resolve(name="盐酸", cas="7647-01-0").key == "CAS-7647-01-0"
    assert cat.resolve(name="氯化氢", cas="7647-01-0").key == "T1-11"


def test_nitric_acid_strength_matters(cat):
    with pytest.raises(AmbiguousChemical) as e:
        cat.resolve(name="硝酸")
    assert {c.key for c in e.value.candidates} == {"T1-81", "CAS-7697-37-2"}


def test_formaldehyde_by_concentration(cat):
    # a 37 % solution (福尔马林) must never match 表1第8项 甲醛(含量>90%)
    for kw in (dict(name="甲醛溶液(37%)"), dict(name="37%甲醛"), dict(name="甲醛", concentration_pct=37),
               dict(cas="50-00-0", concentration_pct="37%"), dict(name="甲醛(含量37%)"), dict(name="福尔马林")):
        c = cat.resolve(**kw)
        assert c.key == "CAS-50-00-0" and c.table1_row is None, kw
    assert cat.resolve(name="甲醛", concentration_pct=95).key == "T1-08"
    assert cat.resolve(name="甲醛(含量>90%)").key == "T1-08"
    with pytest.raises(AmbiguousChemical) as e:  # no concentration: never guessed
        cat.resolve(name="甲醛")
    assert {c.key for c in e.value.candidates} == {"T1-08", "CAS-50-00-0"} and "浓度" in str(e.value)
    with pytest.raises(AmbiguousChemical):
        cat.resolve(cas="50-00-0")


def test_concentration_outside_every_entry_is_reported(cat):
    with pytest.raises(ChemicalNotFound, match="浓度5%不在目录条目的范围内"):
        cat.resolve(name="双氧水(5%)")  # 过氧化氢溶液 is a hazardous chemical above 8 % only
    assert cat.resolve(name="硝酸(含量65%)").key == "CAS-7697-37-2"
    assert cat.resolve(name="硝酸", concentration_pct=">70").key == "T1-81"
    with pytest.raises(ChemicalNotFound, match="浓度无效"):
        cat.resolve(name="硝酸", concentration_pct="很浓")
    # a percentage of another component is not the chemical's concentration
    assert cat.resolve(name="硝酸铵(含可燃物≤0.2%)").key == "T1-44"


def test_diesel_2022_adjustment(cat):
    plain = cat.resolve(name="柴油")
    assert plain.hazard_classes == ("W5.4",) and plain.class_status == "uncertain"
    assert "2023年1月1日" in plain.source and "闭杯闪点>60℃" in plain.source
    hot = cat.resolve(name="柴油[闭杯闪点>60℃]")
    assert hot.hazard_classes == () and "2022年调整" in hot.source
    with pytest.raises(AmbiguousChemical):
        cat.resolve(cas="68334-30-5")  # two entries share the CAS: the name decides


def test_not_found_messages_name_the_input(cat):
    with pytest.raises(ChemicalNotFound, match="油漆"):
        cat.resolve(name="油漆")
    with pytest.raises(ChemicalNotFound, match="校验位"):
        cat.resolve(cas="7782-50-4")
    with pytest.raises(ChemicalNotFound, match="格式"):
        cat.resolve(cas="778250-5")
    with pytest.raises(ChemicalNotFound, match="不一致"):
        cat.resolve(name="液氯", cas="7664-41-7")
    with pytest.raises(ChemicalNotFound):
        cat.resolve()
    with pytest.raises(ChemicalNotFound, match="T1-99"):
        cat.by_key("T1-99")


def test_valid_cas():
    for good in ("7782-50-5", "75-44-5", "7664-41-7", "9004-70-0", "68476-85-7", "50-00-0"):
        assert valid_cas(good)
    for bad in ("7782-50-4", "7782505", "1-00-0", "abc-de-f", ""):
        assert not valid_cas(bad)


def test_concentration_parsing():
    from geo.chemicals import concentration_in_name, parse_concentration
    c = parse_concentration(">90")
    assert (c.low, c.low_inclusive, c.high) == (90, False, 100) and c.label() == ">90%"
    assert parse_concentration(">=25;<=55").label() == "≥25%且≤55%"
    assert parse_concentration("") is None
    with pytest.raises(ValueError):
        parse_concentration("150")
    assert concentration_in_name("双氧水(27.5%)")[1] == "双氧水"
    assert concentration_in_name("硝化纤维素(含乙醇≥25%)")[0] is None


def test_helpers():
    assert normalise(" ａｂ（c） ") == "AB(C)"
    assert bare("甲醛(含量>90%)") == "甲醛"
    assert bare("过氧化氢溶液［含量>8%］") == "过氧化氢溶液"
    assert bare("汽油【乙醇汽油】") == "汽油"


def test_every_catalogue_cas_is_valid_and_names_resolve(cat):
    for c in cat:
        for cas in c.cas:
            assert valid_cas(cas), (c.key, cas)
        try:
            assert cat.resolve(name=c.name).key == c.key
        except AmbiguousChemical as e:  # only where variants really compete
            assert c in e.candidates


def test_catalogue_rejects_duplicate_keys():
    c = Chemical(key="X", name="甲")
    with pytest.raises(ValueError):
        Catalogue([c, Chemical(key="X", name="乙")])

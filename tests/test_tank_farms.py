"""Tank farms of facilities that are not themselves tank farms (issue 11): a 化工厂's 甲苯 tank area takes
the GB 50016 §4.2 storage-tank rows by its volume, a 石油化工企业's 液化烃罐组 the GB 50160 罐组 row.
Expected numbers worked by hand from data/reference/chemical_properties.csv and data/rules/."""

from __future__ import annotations

import pytest

from geo import enterprise as ent_mod
from geo.separation import TargetProfile, requirement_for, requirements, source_classes
from tests.helpers import domain


@pytest.fixture(scope="module")
def dom():
    return domain()


def _chem(dom, name):
    return dom.reference.catalogue.resolve(name=name)


def _profile(dom, facility, units, stages=("production", "storage")):
    lines = [line for _, kind, _, ls in units if kind == "storage" for line in ls]
    return ent_mod.source_profile(stages=list(stages), facility_type=facility, major_grade=None,
                                  chemicals=[c for _, _, _, ls in units for c, _ in ls], fire_classes=set(),
                                  lines=lines, domain=dom, units=units)


def test_a_chemical_plants_toluene_tanks_are_a_class_ab_liquid_tank_farm(dom):
    tol = _chem(dom, "甲苯")
    p = _profile(dom, "化工厂", [("甲苯储罐区", "storage", None, ((tol, 500.0),)),
                                ("合成车间", "production", None, ((tol, 5.0),))])
    # V = 500 t ÷ 0.87 t/m³ ÷ 1.0 (size_basis 甲乙类液体储罐区) = 574.7 m³ → 200 ≤ V < 1000 (TK-AB3)
    (farm,) = p.tank_farms
    assert farm.source_class == "甲乙类液体储罐区" and farm.volume_m3 == pytest.approx(500 / 0.87, abs=0.01)
    assert "574.7" in farm.volume_basis and "下限" in farm.volume_basis
    assert "甲乙类液体储罐区" in source_classes(p, dom.rules)
    # a registered volume wins: 60 m³ → 50 ≤ V < 200 (TK-AB2); the production unit is never a tank
    p2 = _profile(dom, "化工厂", [("甲苯储罐区", "storage", 60.0, ((tol, 500.0),))])
    assert [(f.source_class, f.volume_m3) for f in p2.tank_farms] == [("甲乙类液体储罐区", 60.0)]
    # next to a 高层民用建筑 the tank rows decide once the farm is big enough (GB 50016 表4.2.1):
    # 60 m³ → TK-AB2-HR 50 m = the 甲类厂房's R047 50 m; 574.7 m³ derived → TK-AB3-HR 60 m; 3000 m³ → TK-AB4-HR 70 m
    tower = TargetProfile("residential", high_rise=True)
    derived = requirement_for(p, dom.rules, tower)
    assert (derived.required_m, derived.rule.rule_id) == (60, "TK-AB3-HR")
    big = _profile(dom, "化工厂", [("甲苯储罐区", "storage", 3000.0, ((tol, 500.0),))])
    assert (requirement_for(big, dom.rules, tower).required_m, requirement_for(big, dom.rules, tower).rule.rule_id) \
        == (70, "TK-AB4-HR")
    no_tank = _profile(dom, "化工厂", [("合成车间", "production", None, ((tol, 5.0),))])
    assert requirement_for(no_tank, dom.rules, tower).rule.rule_id == "R047"  # without tanks: the 厂房 row


def test_only_tanks_of_flammable_liquids_or_lpg_are_tank_farms(dom):
    chlorine, tol = _chem(dom, "液氯"), _chem(dom, "甲苯")
    assert _profile(dom, "化工厂", [("液氯储罐区", "storage", 50.0, ((chlorine, 40.0),))]).tank_farms == ()
    # not a tank: neither a registered volume nor 罐 in the name (a drum store)
    assert _profile(dom, "化工厂", [("甲苯桶装库", "storage", None, ((tol, 20.0),))]).tank_farms == ()
    # a tank farm facility keeps its own class (no second farm)
    assert _profile(dom, "储罐区", [("甲苯储罐", "storage", 60.0, ((tol, 50.0),))]).tank_farms == ()


def test_a_petrochemical_plants_lpg_tanks_take_the_gb50160_tank_group_row(dom):
    lpg = _chem(dom, "液化石油气")
    p = _profile(dom, "石油化工企业", [("液化烃罐组", "storage", 2000.0, ((lpg, 900.0),))])
    assert [f.source_class for f in p.tank_farms] == ["石油化工液化烃罐组"]
    req = requirements(p, dom.rules)
    # GB 50160 表4.1.9: 液化烃罐组 150 m to 居住区 (PC-LHC) over the process unit's 100 m (PC-UNIT)
    assert req["residential"].required_m == 150 and req["residential"].rule.rule_id == "PC-LHC"
    plain = _profile(dom, "石油化工企业", [("裂解装置", "production", None, ((lpg, 10.0),))])
    assert requirements(plain, dom.rules)["residential"].rule.rule_id == "PC-UNIT"

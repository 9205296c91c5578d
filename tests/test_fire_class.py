"""A unit's registered fire class checked against its chemicals (GB 50016 表3.1.1 / 表3.1.3)."""

import pytest

from tests.helpers import domain
from geo.fire_class import check_fire_class


@pytest.fixture(scope="module")
def ref():
    return domain().reference


def chems(ref, *names):
    return [ref.catalogue.resolve(name=n) for n in names]


@pytest.mark.parametrize("name", ["甲苯", "丙酮", "甲醇", "乙醇", "汽油", "液化石油气", "氢气"])
def test_common_solvents_and_fuel_gases_are_class_jia(ref, name):
    # liquids with flash point < 28 ℃ (甲苯 4, 丙酮 −20, 甲醇 11, 乙醇 13 ℃) and gases with LEL < 10 %
    assert check_fire_class(None, chems(ref, name), properties=ref.properties).derived == "甲"


def test_hydrochloric_acid_is_class_wu_and_ammonia_yi(ref):
    assert check_fire_class(None, chems(ref, "盐酸"), properties=ref.properties).derived == "戊"
    assert check_fire_class(None, chems(ref, "液氨"), properties=ref.properties).derived == "乙"  # LEL ≈ 15.7 % ≥ 10 %


def test_registered_class_lower_than_the_chemicals_is_a_contradiction(ref):
    c = check_fire_class("乙类", chems(ref, "甲苯", "盐酸"), properties=ref.properties)
    assert (c.registered, c.derived, c.effective) == ("乙", "甲", "甲")
    assert "登记火灾危险性为乙类" in c.warning and "甲苯为甲类" in c.warning


def test_registered_class_higher_than_every_classified_chemical(ref):
    # all chemicals classified (盐酸 戊): a 甲 registration contradicts them → 戊 is used
    c = check_fire_class("甲", chems(ref, "盐酸"), properties=ref.properties)
    assert c.effective == "戊" and "最高为戊类" in c.warning
    # 柴油 (flash point not registered) is unclassified: it may be why the registry says 乙 → kept, no warning
    d = check_fire_class("乙", chems(ref, "盐酸", "柴油"), properties=ref.properties)
    assert (d.effective, d.warning, d.unclassified) == ("乙", "", ("柴油",))


def test_agreeing_or_missing_registration(ref):
    assert check_fire_class("甲", chems(ref, "甲醇"), properties=ref.properties).warning == ""
    none = check_fire_class(None, chems(ref, "柴油"), properties=ref.properties)
    assert (none.derived, none.effective) == (None, None)
    with pytest.raises(ValueError, match="甲/乙/丙/丁/戊"):
        check_fire_class("A", chems(ref, "甲醇"), properties=ref.properties)

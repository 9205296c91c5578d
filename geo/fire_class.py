"""The fire-hazard class (火灾危险性) of a hazard unit checked against its chemicals.

GB 50016-2014(2018) 表3.1.1 (production) and 表3.1.3 (storage) class liquids by flash point
(甲 < 28 ℃ ≤ 乙 < 60 ℃ ≤ 丙) and gases by lower explosive limit (甲 < 10 % ≤ 乙); §3.1.2 and
§3.1.4: a unit holding several substances takes the class of the most hazardous one.  The
chemicals' classes are catalogue data (``data/reference/chemical_properties.csv``).

The class derived from the chemicals is certain for the chemicals it knows: a registered class
*less* hazardous than that is a contradiction — the derived class is used and a warning says
so.  A registered class *more* hazardous than every chemical's class contradicts the
chemicals only when all of them have a class (an unclassified chemical could be the reason);
then too the derived class is used.  (§3.1.2 allows a lower production class when the
hazardous substance is a small share — a registry does not hold that share, so it is not
assumed.)
"""

from __future__ import annotations

from dataclasses import dataclass

ORDER = "甲乙丙丁戊"  # most hazardous first


@dataclass(frozen=True)
class FireClassCheck:
    registered: str | None
    derived: str | None  # the most hazardous class among the chemicals that have one
    effective: str | None  # the class to use
    warning: str = ""  # Chinese; empty when there is no contradiction
    unclassified: tuple[str, ...] = ()  # chemicals without a fire class (names)


def _norm(fire_class: str | None) -> str | None:
    if fire_class is None or not str(fire_class).strip():
        return None
    c = str(fire_class).strip().rstrip("类")
    if c not in ORDER:
        raise ValueError(f"火灾危险性应为 甲/乙/丙/丁/戊 之一，实际 {fire_class!r}")
    return c


def check_fire_class(registered: str | None, chemicals, *, properties: dict) -> FireClassCheck:
    """Check a unit's registered fire class against its ``chemicals`` (catalogue entries).

    ``properties``: catalogue key → :class:`geo.reference.ChemicalProperties`.  Raises
    ValueError for a registered class outside 甲…戊.
    """
    reg = _norm(registered)
    classes, unclassified = [], []
    for chem in chemicals:
        prop = properties.get(chem.key)
        if prop is None or not prop.fire_class:
            unclassified.append(chem.name)
        else:
            classes.append((ORDER.index(prop.fire_class), chem.name))
    unclassified = tuple(dict.fromkeys(unclassified))
    if not classes:
        return FireClassCheck(reg, None, reg, "", unclassified)
    rank, name = min(classes)
    derived = ORDER[rank]
    if reg is None or reg == derived:
        return FireClassCheck(reg, derived, derived, "", unclassified)
    if ORDER.index(reg) > rank:
        return FireClassCheck(reg, derived, derived,
                              f"登记火灾危险性为{reg}类，但所存{name}为{derived}类"
                              f"（GB 50016 表3.1.1/表3.1.3），按{derived}类计", unclassified)
    if unclassified:  # an unclassified chemical may be why the registry says more
        return FireClassCheck(reg, derived, reg, "", unclassified)
    return FireClassCheck(reg, derived, derived,
                          f"登记火灾危险性为{reg}类，但所存化学品最高为{derived}类（{name}）"
                          f"（GB 50016 表3.1.1/表3.1.3），按{derived}类计", unclassified)


def class_a_quantities(lines, *, properties: dict) -> tuple[float, float]:
    """t of 甲类第3、4项 and of 甲类第1、2、5、6项 among ``lines`` ((Chemical, quantity_t) pairs),
    for the 甲类仓库 bands of GB 50016 表3.5.1.  Chemicals without a class count in neither, so
    the sums are lower bounds when some chemical is unclassified."""
    q34 = q1256 = 0.0
    for chem, q in lines:
        prop = properties.get(chem.key)
        if prop is None or prop.fire_class != "甲" or prop.fire_item is None:
            continue
        if prop.fire_item in (3, 4):
            q34 += float(q)
        else:
            q1256 += float(q)
    return q34, q1256

"""Fill a source profile's sizes from its registered quantities (registered numbers win).

The separation rules choose bands by tank volume, station grade and 甲类 quantities
(:mod:`geo.separation`); registries often hold only the tonnage per chemical.  This derives
what is missing — with :mod:`geo.facility_size` and :mod:`geo.fire_class`, every derived number
a lower bound — and records how in ``size_basis`` so the requirement's note can say it.
"""

from __future__ import annotations

from dataclasses import replace

from geo.facility_size import station_grade_from_quantity, tank_volume_from_quantity
from geo.fire_class import class_a_quantities
from geo.separation import RuleSet, SourceProfile, source_classes

TANK_CLASSES = ("LPG储罐区", "甲乙类液体储罐区", "丙类液体储罐区")
STATION_CLASSES = ("加油站", "LPG加气站")


def with_derived_sizes(profile: SourceProfile, lines, *, ruleset: RuleSet, properties: dict) -> SourceProfile:
    """``profile`` with tank volume, station grade and 甲类 quantities derived from ``lines``
    ((Chemical, quantity_t) pairs stored by the facility) where the registry gave none."""
    lines = list(lines)
    if not lines or ruleset.size_basis is None:
        return profile
    classes = source_classes(profile, ruleset)
    basis = dict(profile.size_basis)
    changes: dict = {}
    tank = next((c for c in TANK_CLASSES if c in classes), None)
    if tank and profile.tank_volume_m3 is None:
        volume, text = tank_volume_from_quantity(lines, source_class=tank, basis=ruleset.size_basis,
                                                 properties=properties)
        if volume is not None:
            changes["tank_volume_m3"] = volume
            basis["tank_volume_m3"] = text
    station = next((c for c in STATION_CLASSES if c in classes), None)
    if station and profile.station_grade is None:
        grade, text = station_grade_from_quantity(lines, source_class=station, basis=ruleset.size_basis,
                                                  properties=properties)
        if grade is not None:
            changes["station_grade"] = grade
            basis["station_grade"] = text
    if "甲类仓库" in classes and profile.class_a_34_t is None and profile.class_a_1256_t is None:
        q34, q1256 = class_a_quantities(lines, properties=properties)
        unclassified = [c.name for c, _ in lines if not getattr(properties.get(c.key), "fire_class", None)]
        changes.update(class_a_34_t=q34, class_a_1256_t=q1256)
        text = f"甲类物品储量由登记化学品合计：第3、4项 {q34:g} t，第1、2、5、6项 {q1256:g} t"
        if unclassified:
            text += f"（{'、'.join(dict.fromkeys(unclassified))}无火灾危险性分类，未计入，储量为下限）"
        basis["class_a_34_t"] = basis["class_a_1256_t"] = text
    if not changes:
        return profile
    return replace(profile, **changes, size_basis=tuple(sorted(basis.items())))

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
from geo.separation import RuleSet, SourceProfile, TankFarm, source_classes

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


# The tank farms a facility's storage tanks make (GB 50016 §4.2 / §4.4; in a 石油化工企业 the GB 50160
# 罐组 rows), chosen by the most hazardous liquid or liquefied gas a tank unit holds.
LPG_KEYS = frozenset({"T1-52"})  # 液化石油气 (GB 18218 表1第52项) — the liquefied hydrocarbon the data know
PETROCHEMICAL_CLASS = "石油化工甲乙类工艺装置"
FARM_CLASS = {  # (petrochemical?, kind) → source class
    (False, "lpg"): "LPG储罐区", (False, "ab"): "甲乙类液体储罐区", (False, "c"): "丙类液体储罐区",
    (True, "lpg"): "石油化工液化烃罐组", (True, "ab"): "石油化工甲乙类液体罐组", (True, "c"): "丙类液体储罐区",
}
_FARM_ORDER = ("lpg", "ab", "c")


def _farm_kind(lines, properties) -> str | None:
    """``lpg`` / ``ab`` (甲乙类液体) / ``c`` (丙类液体) for the most hazardous of ``lines``; None when the
    tank holds no flammable liquid or LPG (a gas holder or a toxic tank: not a §4.2/§4.4 tank farm)."""
    kinds = set()
    for chem, _ in lines:
        prop = properties.get(chem.key)
        if chem.key in LPG_KEYS:
            kinds.add("lpg")
        elif prop is not None and prop.flash_point_c is not None and prop.fire_class in ("甲", "乙"):
            kinds.add("ab")  # a liquid: it has a flash point (GB 50016 表3.1.1 甲/乙 by flash point)
        elif prop is not None and prop.flash_point_c is not None and prop.fire_class == "丙":
            kinds.add("c")
    return next((k for k in _FARM_ORDER if k in kinds), None)


def tank_farms(units, *, facility_classes, ruleset: RuleSet, properties: dict) -> tuple[TankFarm, ...]:
    """The tank farms of a facility that is not itself a tank farm, depot or station (a 化工厂 with a
    甲苯 tank area, a 石油化工企业 with its 液化烃罐组): every storage unit that is a tank — a registered
    储罐容积, or 罐 in its name — grouped by its farm class, the volume the registered one or, failing
    that, derived from the stored quantity (a lower bound, said how).

    ``units``: ``(name, kind, tank_volume_m3, lines)`` per hazard unit."""
    if set(facility_classes) & {*TANK_CLASSES, *STATION_CLASSES, "石油库", "LNG加气站", "CNG加气站"}:
        return ()
    petro = PETROCHEMICAL_CLASS in facility_classes
    farms: dict[str, list] = {}
    for name, kind, volume, lines in units:
        if kind != "storage" or not lines or (volume is None and "罐" not in (name or "")):
            continue
        k = _farm_kind(lines, properties)
        if k is None:
            continue
        farms.setdefault(FARM_CLASS[(petro, k)], []).append((name, volume, lines, FARM_CLASS[(False, k)]))
    out = []
    for source_class, members in farms.items():
        total, parts, unknown = 0.0, [], []
        for name, volume, lines, gb50016_class in members:
            if volume is not None:
                total += float(volume)
                parts.append(f"{name}登记储罐容积 {float(volume):g} m³")
                continue
            derived, text = (tank_volume_from_quantity(lines, source_class=gb50016_class, basis=ruleset.size_basis,
                                                       properties=properties)
                             if ruleset.size_basis is not None else (None, "无推算方法"))
            if derived is None:
                unknown.append(f"{name}（{text}）")
                continue
            total += derived
            parts.append(f"{name}由储量推算 ≈ {derived:.1f} m³（下限）")
        if unknown and not parts:
            out.append(TankFarm(source_class, None, f"{source_class}：" + "；".join(unknown) + "，容积未知，取最小档（下限）"))
            continue
        basis = f"{source_class}总容积 ≈ {total:.1f} m³：" + "；".join(parts)
        if unknown:
            basis += "；另有" + "、".join(unknown) + "未计入（容积为下限）"
        out.append(TankFarm(source_class, round(total, 3), basis))
    return tuple(out)

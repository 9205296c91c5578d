"""Pipeline potential impact radius and high-consequence-area (高后果区) grading, GB 32167-2015.

Grades: 1 = Ⅰ, 2 = Ⅱ, 3 = Ⅲ (Ⅲ most severe); ``None`` = not a high-consequence area.
Every number (coefficient, corridors, thresholds) comes from ``data/rules/pipeline_hca.toml``
(status uncertain there, overridable), passed in as ``params`` by the caller (the domain
bundle); there is no copy in code.

Inputs are plain: the things near one pipeline segment, each a dict with ``category``
(protection-target category — school, hospital, residential, … — or a feature category:
expressway, national_road, provincial_road, railway, flammable_site, water_source, river,
reservoir, nature_reserve, wetland, forest), ``distance_m`` (to the line), optional
``households``, ``population``, ``storeys`` and ``name``.  Household counts for the location
class (地区等级, GB 50251) are meant over ~2 km of line (``segment_length_m``); the caller decides
the segment and which targets it passes.

Gas lines (GB 32167 §5.1.2 as widely quoted):
  四级地区 → Ⅲ; 三级地区 → Ⅱ; d > 762 mm and p > 6.9 MPa with a 特定场所 inside r → Ⅱ;
  d < 273 mm and p < 1.6 MPa with a 特定场所 inside r → Ⅰ; other lines with a 特定场所 within
  200 m → Ⅰ; outside class 3/4, a flammable site (加油站、油库…) within 200 m → Ⅱ.
Oil lines (§5.1.1):
  四级地区 → Ⅲ; 三级地区 (≥100 households) → Ⅱ; a village/settlement of ≥50 households within
  200 m → Ⅱ; expressway/national/provincial road/railway/flammable site within 50 m → Ⅰ;
  nature reserve/wetland/forest within 200 m → Ⅱ; water source/river/reservoir within 200 m → Ⅲ.
Location class (inferred when not given): residential households within the corridor ≥ 100 →
三级; ≥ ``class4_households`` households in buildings of ≥ 4 storeys → 四级 (local reading of
“四层及四层以上楼房普遍集中”).
"""

from __future__ import annotations

import math

GRADE_LABEL = {1: "Ⅰ", 2: "Ⅱ", 3: "Ⅲ"}

def impact_radius_m(*, diameter_mm: float, maop_mpa: float, coefficient: float) -> float:
    """Potential impact radius r = 0.099·√(d²·p): r in metres, d outside diameter in mm, p MAOP in MPa."""
    if not (diameter_mm > 0 and maop_mpa > 0 and math.isfinite(diameter_mm) and math.isfinite(maop_mpa)):
        raise ValueError(f"管径和压力应为正数（d={diameter_mm!r} mm, p={maop_mpa!r} MPa）")
    return coefficient * math.sqrt(diameter_mm ** 2 * maop_mpa)


_radius = impact_radius_m


def _p(params: dict) -> dict:
    return params


def _name(t: dict) -> str:
    return str(t.get("name") or t.get("category"))


def _within(targets: list[dict], dist: float, categories) -> list[dict]:
    cats = set(categories)
    return [t for t in targets if t["distance_m"] <= dist and t["category"] in cats]


def location_class(targets: list[dict], *, params: dict) -> tuple[int, str]:
    """Inferred location class (地区等级 1–4, GB 50251) from residential targets in the corridor."""
    p = _p(params)
    res = _within(targets, p["corridor_m"], ["residential"])
    households = sum(t.get("households") or 0 for t in res)
    tall = sum(t.get("households") or 0 for t in res if (t.get("storeys") or 0) >= p["class4_min_storeys"])
    c = p["corridor_m"]
    if tall >= p["class4_households"]:
        return 4, f"两侧{c:g} m内{p['class4_min_storeys']}层及以上住宅 {tall} 户（≥{p['class4_households']}户，按四级地区）"
    if households >= p["class3_households"]:
        return 3, f"两侧{c:g} m内居民 {households} 户（≥{p['class3_households']}户，三级地区）"
    if households > p["class1_max_households"]:
        return 2, f"两侧{c:g} m内居民 {households} 户（>{p['class1_max_households']}户，二级地区）"
    return 1, f"两侧{c:g} m内居民 {households} 户（≤{p['class1_max_households']}户，一级地区）"


def gas_hca_grade(*, diameter_mm: float, maop_mpa: float, targets: list[dict],
                  impact_radius_m: float | None = None, location_class_: int | None = None,
                  params: dict) -> tuple[int | None, list[str]]:
    """HCA grade of one gas-line segment and the reasons (Chinese)."""
    p = _p(params)
    r = impact_radius_m if impact_radius_m is not None else _radius(
        diameter_mm=diameter_mm, maop_mpa=maop_mpa, coefficient=p["impact_radius_coefficient"])
    grade, reasons = 0, []
    if location_class_ is None:
        lc, why = location_class(targets, params=p)
    else:
        lc, why = location_class_, f"地区等级 {location_class_} 级（给定）"
    if lc == 4:
        grade = 3
        reasons.append(f"{why} → Ⅲ级")
    elif lc == 3:
        grade = 2
        reasons.append(f"{why} → Ⅱ级")
    large = diameter_mm > p["gas_large_diameter_mm"] and maop_mpa > p["gas_large_pressure_mpa"]
    small = diameter_mm < p["gas_small_diameter_mm"] and maop_mpa < p["gas_small_pressure_mpa"]
    if large or small:
        inside = _within(targets, r, p["special_sites"])
        if inside:
            g = 2 if large else 1
            grade = max(grade, g)
            size = (f"管径>{p['gas_large_diameter_mm']:g} mm且压力>{p['gas_large_pressure_mpa']:g} MPa" if large
                    else f"管径<{p['gas_small_diameter_mm']:g} mm且压力<{p['gas_small_pressure_mpa']:g} MPa")
            reasons.append(f"{size}，潜在影响半径 {r:.0f} m 内有特定场所 {_name(inside[0])} 等 {len(inside)} 处"
                           f" → {GRADE_LABEL[g]}级")
    else:
        inside = _within(targets, p["corridor_m"], p["special_sites"])
        if inside:
            grade = max(grade, 1)
            reasons.append(f"两侧{p['corridor_m']:g} m内有特定场所 {_name(inside[0])} 等 {len(inside)} 处 → Ⅰ级")
    if lc < 3:
        flam = _within(targets, p["corridor_m"], ["flammable_site"])
        if flam:
            grade = max(grade, 2)
            reasons.append(f"两侧{p['corridor_m']:g} m内有易燃易爆场所 {_name(flam[0])} → Ⅱ级")
    return (grade or None), reasons


def oil_hca_grade(*, targets: list[dict], location_class_: int | None = None,
                  params: dict) -> tuple[int | None, list[str]]:
    """HCA grade of one oil-line segment and the reasons (Chinese)."""
    p = _p(params)
    c = p["corridor_m"]
    grade, reasons = 0, []
    if location_class_ is None:
        lc, why = location_class(targets, params=p)
    else:
        lc, why = location_class_, f"地区等级 {location_class_} 级（给定）"
    if lc == 4:
        grade = 3
        reasons.append(f"{why} → Ⅲ级")
    elif lc == 3:
        grade = 2
        reasons.append(f"{why} → Ⅱ级")
    villages = [t for t in _within(targets, c, ["residential"])
                if (t.get("households") or 0) >= p["oil_village_households_grade2"]]
    if villages and grade < 2:
        grade = 2
        reasons.append(f"两侧{c:g} m内有聚居 {villages[0].get('households')} 户的居民点 {_name(villages[0])}"
                       f"（≥{p['oil_village_households_grade2']}户）→ Ⅱ级")
    water = _within(targets, c, p["water"])
    if water:
        grade = 3
        reasons.append(f"两侧{c:g} m内有水源/河流/水库 {_name(water[0])} → Ⅲ级")
    reserve = _within(targets, c, p["nature_reserve"])
    if reserve:
        grade = max(grade, 2)
        reasons.append(f"两侧{c:g} m内有自然保护地 {_name(reserve[0])} → Ⅱ级")
    near = _within(targets, p["near_corridor_m"], p["traffic_or_flammable"])
    if near:
        grade = max(grade, 1)
        reasons.append(f"两侧{p['near_corridor_m']:g} m内有交通干线或易燃易爆场所 {_name(near[0])} → Ⅰ级")
    return (grade or None), reasons


def hca_grade(*, medium: str, diameter_mm: float, maop_mpa: float, targets: list[dict],
              impact_radius_m: float | None = None, params: dict,
              location_class: int | None = None) -> tuple[int | None, list[str]]:
    """Grade one pipeline segment (``medium`` "gas" or "oil").  Returns (grade or None, reasons)."""
    if location_class not in (None, 1, 2, 3, 4):
        raise ValueError(f"location_class 应为 1–4，实际 {location_class!r}")
    if medium == "oil":
        return oil_hca_grade(targets=targets, location_class_=location_class, params=params)
    if medium == "gas":
        return gas_hca_grade(diameter_mm=diameter_mm, maop_mpa=maop_mpa, targets=targets,
                             impact_radius_m=impact_radius_m, location_class_=location_class, params=params)
    raise ValueError(f"未知介质 {medium!r}（应为 gas 或 oil）")

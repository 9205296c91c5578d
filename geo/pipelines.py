"""Pipeline potential impact radius and high-consequence-area grading (GB 32167-2015).

Numbers (coefficient, corridor, thresholds) come from ``risk_model.toml`` ``[pipeline]``,
marked uncertain there and overridable.  Grades: 1 = Ⅰ, 2 = Ⅱ, 3 = Ⅲ (Ⅲ most severe).
"""

from __future__ import annotations

import math

HIGH_DENSITY = {"residential"}


def impact_radius_m(*, diameter_mm: float, maop_mpa: float, coefficient: float = 0.099) -> float:
    """r = 0.099·√(d²·p): r in metres, d outside diameter in mm, p MAOP in MPa."""
    return coefficient * math.sqrt(diameter_mm ** 2 * maop_mpa)


def hca_grade(*, medium: str, diameter_mm: float, maop_mpa: float, impact_radius_m: float,
              targets: list[dict], params: dict) -> tuple[int | None, list[str]]:
    """Grade one pipeline piece from the targets near it (each with category, households,
    population, distance_m).  Returns (grade or None, reasons in Chinese)."""
    reasons: list[str] = []
    grade = 0
    special = set(params["special_sites"])
    if medium == "oil":
        corridor = params["corridor_m"]
        near = [t for t in targets if t["distance_m"] <= corridor]
        households = sum(t.get("households") or 0 for t in near if t["category"] == "residential")
        if households >= params["oil_households_grade2"]:
            grade = max(grade, 2)
            reasons.append(f"两侧{corridor:g} m内居民 {households} 户（≥{params['oil_households_grade2']}户）→ Ⅱ级")
        elif households >= params["oil_village_households_grade2"]:
            grade = max(grade, 2)
            reasons.append(f"两侧{corridor:g} m内村镇居民 {households} 户（≥{params['oil_village_households_grade2']}户）→ Ⅱ级")
        sites = [t for t in near if t["category"] in special]
        if sites:
            grade = max(grade, 1)
            reasons.append(f"两侧{corridor:g} m内有人员密集场所 {sites[0]['name']} 等 {len(sites)} 处 → Ⅰ级")
    else:
        inside = [t for t in targets if t["distance_m"] <= impact_radius_m and t["category"] in special]
        if inside:
            name = inside[0]["name"]
            if diameter_mm > params["gas_large_diameter_mm"] and maop_mpa > params["gas_large_pressure_mpa"]:
                grade = max(grade, 2)
                reasons.append(f"管径>{params['gas_large_diameter_mm']:g} mm且压力>{params['gas_large_pressure_mpa']:g} MPa，"
                               f"潜在影响半径 {impact_radius_m:.0f} m 内有特定场所 {name} → Ⅱ级")
            elif diameter_mm < params["gas_small_diameter_mm"] and maop_mpa < params["gas_small_pressure_mpa"]:
                grade = max(grade, 1)
                reasons.append(f"潜在影响半径 {impact_radius_m:.0f} m 内有特定场所 {name}（小管径低压）→ Ⅰ级")
            else:
                grade = max(grade, 1)
                reasons.append(f"潜在影响半径 {impact_radius_m:.0f} m 内有特定场所 {name} → Ⅰ级")
        dense = sum(t.get("households") or 0 for t in targets
                    if t["category"] == "residential" and t["distance_m"] <= impact_radius_m)
        if dense >= params["oil_households_grade2"]:
            grade = max(grade, 2)
            reasons.append(f"潜在影响半径内居民 {dense} 户，按三级地区 → Ⅱ级")
    return (grade or None), reasons

"""Sizes the separation rules need, derived from registered quantities when not registered.

* Tank volume (GB 50016 表4.2.1 / 表4.4.1 bands are by total tank volume V, m³): from the
  stored mass, V = Σ mᵢ / (ρᵢ · φ) with ρᵢ the liquid density of each chemical
  (``data/reference/chemical_properties.csv``, the upper end of its range) and φ the largest
  permitted fill ratio of the tank class (``data/rules/size_basis.csv``).  Both are taken at
  their upper ends, so the derived volume is a **lower bound** of the tanks' real volume and
  the band chosen from it never overstates the requirement.
* Station grade (GB 50156 表3.0.9 加油站, 表3.0.10 LPG加气站): from the derived tank volume
  (柴油 counted at half, 表3.0.9 注; every chemical that is not 甲类 is counted as 柴油, which
  again can only lower V), then the grade bands of ``size_basis.csv``.

Each function returns the number with the sentence (Chinese) that says how it was obtained, for
:attr:`geo.separation.SourceProfile.size_basis`.
"""

from __future__ import annotations

import math
from dataclasses import dataclass


@dataclass(frozen=True)
class SizeParameter:
    """One row of ``data/rules/size_basis.csv``."""

    source_class: str
    parameter: str  # fill_ratio, diesel_weight, grade_<n>_max_m3
    value: float
    unit: str
    source: str
    status: str
    note: str = ""


@dataclass(frozen=True)
class SizeBasis:
    parameters: tuple[SizeParameter, ...]

    def get(self, source_class: str, parameter: str) -> SizeParameter | None:
        for p in self.parameters:
            if p.source_class == source_class and p.parameter == parameter:
                return p
        return None

    def grade_bands(self, source_class: str) -> list[tuple[int, float]]:
        """[(grade, max_m3)] from the most restrictive (三级) up."""
        out = []
        for p in self.parameters:
            if p.source_class == source_class and p.parameter.startswith("grade_") and p.parameter.endswith("_max_m3"):
                out.append((int(p.parameter.split("_")[1]), p.value))
        return sorted(out, key=lambda gm: gm[1])


def _g(x: float) -> str:
    return f"{x:.1f}" if x != int(x) else f"{int(x)}"


def tank_volume_from_quantity(lines, *, source_class: str, basis: SizeBasis,
                              properties: dict, weights: dict | None = None) -> tuple[float | None, str]:
    """Lower bound of the total tank volume (m³) holding ``lines`` ((Chemical, quantity_t) pairs).

    ``weights``: catalogue key → factor (default 1; the station grade counts 柴油 at half).
    Returns ``(None, reason)`` when a density or the fill ratio is missing.
    """
    fill = basis.get(source_class, "fill_ratio")
    if fill is None:
        return None, f"无{source_class}的装量系数，不能由储量推算储罐容积"
    if not lines:
        return None, "无登记储量，不能推算储罐容积"
    total, parts = 0.0, []
    for chem, q in lines:
        prop = properties.get(chem.key)
        rho = prop.liquid_density_t_m3 if prop is not None else None
        if not rho:
            return None, f"{chem.name}无液相密度数据，不能由储量推算储罐容积"
        w = (weights or {}).get(chem.key, 1.0)
        total += w * float(q) / (rho * fill.value)
        parts.append(f"{'%g×' % w if w != 1 else ''}{_g(float(q))} t {chem.name}÷{rho:g} t/m³")
    volume = math.fsum([total])
    text = (f"储罐总容积由登记储量推算：（{' + '.join(parts)}）÷装量系数{fill.value:g} ≈ {volume:.1f} m³"
            f"（取密度与装量系数上限，推算容积为下限）")
    return volume, text


def station_grade_from_quantity(lines, *, source_class: str, basis: SizeBasis,
                                properties: dict) -> tuple[int | None, str]:
    """GB 50156 station grade (1–3) from the registered quantities (lower bound: see module doc)."""
    bands = basis.grade_bands(source_class)
    if not bands:
        return None, f"无{source_class}的等级划分数据"
    half = basis.get(source_class, "diesel_weight")
    weights = {}
    if half is not None:
        for chem, _ in lines:
            prop = properties.get(chem.key)
            if prop is None or prop.fire_class != "甲":
                weights[chem.key] = half.value
    volume, text = tank_volume_from_quantity(lines, source_class=source_class, basis=basis,
                                             properties=properties, weights=weights)
    if volume is None:
        return None, text
    for grade, max_m3 in sorted(bands, key=lambda gm: gm[1]):
        if volume <= max_m3:
            return grade, f"{text}，按≤{max_m3:g} m³定为{'一二三'[grade - 1]}级站"
    top = min(bands)  # (1, largest)
    return top[0], f"{text}，超过一级站上限{max(b[1] for b in bands):g} m³，按一级站"

"""Source terms: liquid through a hole, gas through a hole (choked and unchoked), flash fraction.

Crowl & Louvar, *Chemical Process Safety* (3rd ed.), ch. 4 (Eqs. 4-6, 4-49/4-50, 4-90); CCPS QRA
Guidelines 2nd ed. §2.1.1.  Discharge coefficients and default heads/pressures are in
``data/rules/consequence/model.toml``.

Notes
-----
SI units: pressures Pa (absolute unless the name says gauge), temperatures K, molar mass g/mol,
hole diameter mm (as the hole-size table), release rates kg/s.
"""

from __future__ import annotations

import math

from scipy.constants import R as R_GAS


def hole_area_m2(*, diameter_mm: float) -> float:
    return math.pi * (diameter_mm / 1000.0) ** 2 / 4.0


def liquid_release_kg_s(*, diameter_mm: float, discharge_coefficient: float, density_kg_m3: float,
                        gauge_pressure_pa: float, liquid_head_m: float, gravity_m_s2: float) -> float:
    """Bernoulli outflow ``ṁ = Cd·A·√(2ρ·(ΔP + ρ·g·h))`` (kg/s) — Crowl & Louvar Eq. 4-6 with a head."""
    dp = max(gauge_pressure_pa, 0.0) + density_kg_m3 * gravity_m_s2 * max(liquid_head_m, 0.0)
    return discharge_coefficient * hole_area_m2(diameter_mm=diameter_mm) * math.sqrt(2.0 * density_kg_m3 * dp)


def choked_pressure_ratio(gamma: float) -> float:
    """``P_choked/P = (2/(γ+1))^(γ/(γ−1))`` — flow is choked when downstream/upstream is below this."""
    return (2.0 / (gamma + 1.0)) ** (gamma / (gamma - 1.0))


def gas_release_kg_s(*, diameter_mm: float, discharge_coefficient: float, pressure_pa: float, ambient_pa: float,
                     temperature_k: float, mw_g_mol: float, gamma: float) -> float:
    """Gas through a hole (kg/s), choked or not — Crowl & Louvar Eqs. 4-50 (choked) and 4-49.

    Choked: ``ṁ = Cd·A·P·√(γ·M/(R·T)·(2/(γ+1))^((γ+1)/(γ−1)))``;
    unchoked: ``ṁ = Cd·A·P·√(2M/(RT)·γ/(γ−1)·[(Pa/P)^(2/γ) − (Pa/P)^((γ+1)/γ)])``.
    """
    if pressure_pa <= ambient_pa:
        return 0.0
    m = mw_g_mol / 1000.0
    area = hole_area_m2(diameter_mm=diameter_mm)
    ratio = ambient_pa / pressure_pa
    if ratio <= choked_pressure_ratio(gamma):
        k = gamma * m / (R_GAS * temperature_k) * (2.0 / (gamma + 1.0)) ** ((gamma + 1.0) / (gamma - 1.0))
    else:
        k = 2.0 * m / (R_GAS * temperature_k) * gamma / (gamma - 1.0) * (ratio ** (2.0 / gamma) - ratio ** ((gamma + 1.0) / gamma))
    return discharge_coefficient * area * pressure_pa * math.sqrt(k)


def flash_fraction(*, temperature_k: float, boiling_point_k: float, cp_liquid_j_kgk: float,
                   heat_of_vaporisation_j_kg: float) -> float:
    """Adiabatic flash fraction of a superheated liquid ``f = Cp·(T − Tb)/ΔHv`` in [0, 1] — Crowl & Louvar Eq. 4-90."""
    return min(max(cp_liquid_j_kgk * (temperature_k - boiling_point_k) / heat_of_vaporisation_j_kg, 0.0), 1.0)

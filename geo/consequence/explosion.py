"""Vapour-cloud explosion: TNT equivalence, Chinese-practice injury radii, overpressure at a distance,
and a multi-energy variant.

Every coefficient is an argument; the values live in ``data/rules/consequence/model.toml``
(``tnt_*``, ``fatality_radius_*``, ``*_overpressure_pa``, ``sachs_polynomial_*``) and
``blast_kingery_bulmash.csv`` / ``multi_energy.csv``.

Notes
-----
Distances are metres, masses kg, energies J (heats of combustion kJ/kg as in the textbooks),
overpressures Pa unless the name says kPa.  Scaled distances: Hopkinson ``Z = R / W^(1/3)``
(m/kg^(1/3)) for Kingery–Bulmash; energy-scaled (Sachs) ``Z = R / (E/P0)^(1/3)`` (dimensionless)
for the Chinese injury-radius polynomial and the multi-energy variant.
"""

from __future__ import annotations

import math

import numpy as np
from scipy.optimize import brentq

from geo.consequence.tables import BlastFitRange


def tnt_equivalent_kg(*, fuel_mass_kg: float, heat_of_combustion_kj_per_kg: float, alpha: float,
                      ground_factor: float, tnt_heat_kj_per_kg: float) -> float:
    """TNT equivalent of a vapour cloud.

    ``W_TNT = ground_factor · α · W_f · Q_f / Q_TNT`` — 《安全评价》 TNT-equivalence method
    (ground factor 1.8, α = 0.04, Q_TNT = 4 520 kJ/kg in ``model.toml``).

    Parameters
    ----------
    fuel_mass_kg : float
        Mass of fuel in the cloud ``W_f`` (kg), ≥ 0.
    heat_of_combustion_kj_per_kg : float
        Heat of combustion of the fuel ``Q_f`` (kJ/kg).
    alpha, ground_factor, tnt_heat_kj_per_kg : float
        Yield factor α, ground-reflection factor and heat of explosion of TNT (kJ/kg).
    """
    if fuel_mass_kg < 0:
        raise ValueError("可燃物质量不能为负")
    return ground_factor * alpha * fuel_mass_kg * heat_of_combustion_kj_per_kg / tnt_heat_kj_per_kg


def fatality_radius_m(*, tnt_kg: float, coefficient_m: float, exponent: float) -> float:
    """Fatality (50 %) radius ``R0.5 = 13.6·(W_TNT/1000)^0.37`` (m) — Chinese 安全评价 practice."""
    return coefficient_m * (tnt_kg / 1000.0) ** exponent if tnt_kg > 0 else 0.0


def sachs_overpressure_ratio(z, *, c3: float, c2: float, c1: float, c0: float):
    """ΔPs/P0 = c3·Z⁻³ + c2·Z⁻² + c1·Z⁻¹ + c0 for energy-scaled distance Z (array or float)."""
    z = np.asarray(z, dtype=float)
    return c3 / z ** 3 + c2 / z ** 2 + c1 / z + c0


def energy_scaled_distance_for(*, overpressure_pa: float, ambient_pa: float, c3: float, c2: float, c1: float,
                               c0: float) -> float:
    """Solve ΔPs/P0 = polynomial(Z) for Z (the polynomial decreases monotonically in Z > 0)."""
    target = overpressure_pa / ambient_pa
    if target <= c0:
        raise ValueError("超压低于拟合式下限，无法求解距离")
    f = lambda z: float(sachs_overpressure_ratio(z, c3=c3, c2=c2, c1=c1, c0=c0)) - target  # noqa: E731
    hi = 1.0
    while f(hi) > 0:
        hi *= 2.0
    return brentq(f, 1e-3, hi, xtol=1e-10)


def injury_radius_m(*, tnt_kg: float, tnt_heat_kj_per_kg: float, overpressure_pa: float, ambient_pa: float,
                    c3: float, c2: float, c1: float, c0: float) -> float:
    """Radius where the side-on overpressure falls to ``overpressure_pa`` (重伤 44 kPa, 轻伤 17 kPa).

    ``R = Z·(E/P0)^(1/3)`` with ``E = W_TNT·Q_TNT`` (J) and Z from
    ``ΔPs/P0 = 0.137Z⁻³ + 0.119Z⁻² + 0.269Z⁻¹ − 0.019`` (Chinese 安全评价 textbooks).
    """
    if tnt_kg <= 0:
        return 0.0
    z = energy_scaled_distance_for(overpressure_pa=overpressure_pa, ambient_pa=ambient_pa, c3=c3, c2=c2, c1=c1, c0=c0)
    energy_j = tnt_kg * tnt_heat_kj_per_kg * 1000.0
    return z * (energy_j / ambient_pa) ** (1.0 / 3.0)


def kingery_bulmash_overpressure_kpa(z_m_kg13, fit: tuple[BlastFitRange, ...]):
    """Incident (side-on) overpressure of a hemispherical TNT surface burst (kPa).

    Kingery & Bulmash (1984) as fitted by Swisdak (1994):
    ``ln P = A + B·lnZ + C·(lnZ)² + D·(lnZ)³ + E·(lnZ)⁴`` per range of Z (m/kg^(1/3)).  Outside the
    fitted ranges: below the first range the value at its lower bound (a cap, conservative);
    beyond the last range the last range's power law is extended (acoustic decay).
    """
    z = np.atleast_1d(np.asarray(z_m_kg13, dtype=float))
    zc = np.clip(z, fit[0].z_min, None)
    idx = np.searchsorted(np.array([r.z_max for r in fit[:-1]]), zc, side="left")
    coef = np.array([r.coefficients for r in fit])[idx]
    lz = np.log(zc)
    out = np.exp(sum(coef[:, k] * lz ** k for k in range(coef.shape[1])))
    return out if np.ndim(z_m_kg13) else float(out[0])


def overpressure_pa(*, tnt_kg: float, distance_m, fit: tuple[BlastFitRange, ...]):
    """Side-on overpressure (Pa) at ``distance_m`` (array) from ``tnt_kg`` of TNT (Kingery–Bulmash)."""
    d = np.maximum(np.asarray(distance_m, dtype=float), 1e-6)
    if tnt_kg <= 0:
        return np.zeros_like(d) if np.ndim(distance_m) else 0.0
    return kingery_bulmash_overpressure_kpa(d / tnt_kg ** (1.0 / 3.0), fit) * 1000.0


def distance_to_overpressure_m(*, tnt_kg: float, overpressure_pa: float, fit: tuple[BlastFitRange, ...]) -> float:
    """Distance (m) at which the Kingery–Bulmash overpressure falls to ``overpressure_pa``."""
    if tnt_kg <= 0:
        return 0.0
    target_kpa = overpressure_pa / 1000.0
    f = lambda lz: math.log(kingery_bulmash_overpressure_kpa(math.exp(lz), fit)) - math.log(target_kpa)  # noqa: E731
    lo = math.log(fit[0].z_min)
    if f(lo) <= 0:
        return 0.0
    hi = math.log(fit[-1].z_max)
    while f(hi) > 0:
        hi += 1.0
    return math.exp(brentq(f, lo, hi, xtol=1e-12)) * tnt_kg ** (1.0 / 3.0)


def multi_energy_overpressure_pa(*, energy_j: float, distance_m, strength: int, peak_bar: dict[int, float],
                                 ambient_pa: float, c3: float, c2: float, c1: float, c0: float):
    """Multi-energy variant (TNO Yellow Book CPR 14E ch. 5), as an upper envelope.

    ``ΔP = P0 · min(P̄max(strength), ΔP̄_det(R̄))`` with ``R̄ = R/(E/P0)^(1/3)``, ``E`` the combustion
    energy of the confined/congested part of the cloud (volume × 3.5 MJ/m³), ``P̄max`` the
    maximum dimensionless overpressure of blast strength 1–10 (``multi_energy.csv``) and
    ``ΔP̄_det`` the detonation (strength-10) curve, taken as the energy-scaled polynomial above.

    Notes
    -----
    The Yellow Book's curves for strengths below 10 decay more slowly than the detonation curve
    far away; this envelope caps the near field at the strength's peak and follows the detonation
    curve beyond, so it can under-state the far field of weak blasts.  Marked ``uncertain`` in
    the data; use the TNT-equivalence results as the primary figure.
    """
    d = np.maximum(np.asarray(distance_m, dtype=float), 1e-6)
    if energy_j <= 0:
        return np.zeros_like(d) if np.ndim(distance_m) else 0.0
    if strength not in peak_bar:
        raise ValueError(f"爆炸强度 {strength} 不在 multi_energy.csv 中（应为 1–10）")
    rbar = d / (energy_j / ambient_pa) ** (1.0 / 3.0)
    det = np.maximum(sachs_overpressure_ratio(rbar, c3=c3, c2=c2, c1=c1, c0=c0), 0.0)
    cap = peak_bar[strength] * 1e5 / ambient_pa
    out = np.minimum(cap, det) * ambient_pa
    return out if np.ndim(distance_m) else float(out)

"""Fires: pool fire, jet fire, fireball (BLEVE) — burning rate, geometry and radiation at a distance.

Formulas (CCPS *Guidelines for Chemical Process Quantitative Risk Analysis*, 2nd ed., §2.2.5–2.2.6;
CCPS 1994 *Guidelines for Evaluating the Characteristics of VCEs, Flash Fires and BLEVEs*; TNO
Yellow Book CPR 14E).  Coefficients are arguments; their values and sources are in
``data/rules/consequence/model.toml``.

Notes
-----
Distances in metres measured on the ground from the fire's centre (pool centre, release point,
point below the fireball); heat fluxes in kW/m² unless the name says W; masses kg; heats of
combustion / vaporisation J/kg; temperatures K.
"""

from __future__ import annotations

import math

import numpy as np


# --------------------------------------------------------------------------- atmosphere

def water_partial_pressure_pa(*, air_temperature_k: float, relative_humidity_pct: float, a: float, b_k: float) -> float:
    """``Pw = 101325·RH·exp(a − b/Ta)`` (Pa) — CCPS QRA Guidelines §2.2.5."""
    return 101325.0 * relative_humidity_pct / 100.0 * math.exp(a - b_k / air_temperature_k)


def transmissivity(path_m, *, water_pressure_pa: float, coefficient: float, exponent: float):
    """Atmospheric transmissivity ``τ = 2.02·(Pw·X)^−0.09`` (Pietersen & Huerta), capped at 1."""
    x = np.maximum(np.asarray(path_m, dtype=float), 1e-3)
    return np.minimum(coefficient * (water_pressure_pa * x) ** exponent, 1.0)


# --------------------------------------------------------------------------- pool fire

def burning_rate_kg_m2s(*, heat_of_combustion_j_kg: float, heat_of_vaporisation_j_kg: float, cp_liquid_j_kgk: float,
                        boiling_point_k: float, ambient_k: float, coefficient: float) -> float:
    """Burgess–Strasser–Grumer mass burning rate (kg/(m²·s)).

    ``m'' = 0.001·ΔHc / (ΔHv + Cp·(Tb − Ta))`` for a liquid boiling above ambient; for a liquefied
    gas (Tb < Ta) the sensible-heat term is dropped, ``m'' = 0.001·ΔHc/ΔHv`` (CCPS §2.2.5).
    """
    sensible = cp_liquid_j_kgk * max(boiling_point_k - ambient_k, 0.0)
    return coefficient * heat_of_combustion_j_kg / (heat_of_vaporisation_j_kg + sensible)


def pool_diameter_m(*, area_m2: float) -> float:
    """Equivalent diameter of a pool of area ``area_m2``: ``D = √(4A/π)``."""
    return math.sqrt(4.0 * area_m2 / math.pi)


def flame_height_m(*, diameter_m: float, burning_rate_kg_m2s: float, air_density_kg_m3: float, gravity_m_s2: float,
                   coefficient: float, exponent: float) -> float:
    """Thomas (1963) mean visible flame height ``H = 42·D·(m''/(ρa·√(g·D)))^0.61`` (m)."""
    return coefficient * diameter_m * (burning_rate_kg_m2s / (air_density_kg_m3 * math.sqrt(gravity_m_s2 * diameter_m))) ** exponent


def point_source_flux_kw_m2(*, heat_release_kw: float, radiative_fraction: float, distance_m, source_height_m: float,
                            tau):
    """Point-source radiation ``q = τ·η·Q / (4π·r²)`` with ``r² = x² + h²`` (kW/m²)."""
    x = np.asarray(distance_m, dtype=float)
    r2 = np.maximum(x ** 2 + source_height_m ** 2, 1e-6)
    return tau * radiative_fraction * heat_release_kw / (4.0 * math.pi * r2)


def pool_fire_sep_kw_m2(*, burning_rate_kg_m2s: float, heat_of_combustion_j_kg: float, radiative_fraction: float,
                        diameter_m: float, flame_height_m: float, max_sep_kw_m2: float) -> float:
    """Surface emissive power of the solid flame ``SEP = η·m''·ΔHc / (1 + 4H/D)`` (kW/m²), capped (CCPS §2.2.5)."""
    sep = radiative_fraction * burning_rate_kg_m2s * heat_of_combustion_j_kg / 1000.0 / (1.0 + 4.0 * flame_height_m / diameter_m)
    return min(sep, max_sep_kw_m2)


def cylinder_view_factor_vertical(distance_m, *, radius_m: float, height_m: float):
    """View factor from a vertical cylinder (radius R, height H, base on the ground) to a vertical
    target at ground level facing it, at distance ``X`` from the axis (X > R).

    Mudan (1984), as given in CCPS QRA Guidelines §2.2.5 and NUREG-1805 ch. 5: with
    ``L = H/R``, ``S = X/R``, ``A = (S+1)² + L²``, ``B = (S−1)² + L²``::

        F = 1/(πS)·atan(L/√(S²−1))
            + L/π·[ (A−2S)/(S√(AB))·atan(√(A(S−1)/(B(S+1)))) − 1/S·atan(√((S−1)/(S+1))) ]

    Targets inside the flame base (S ≤ 1) get F = 1.
    """
    x = np.asarray(distance_m, dtype=float)
    s = np.maximum(x / radius_m, 1.0 + 1e-9)
    L = height_m / radius_m
    a = (s + 1.0) ** 2 + L ** 2
    b = (s - 1.0) ** 2 + L ** 2
    f = (np.arctan(L / np.sqrt(s ** 2 - 1.0)) / (math.pi * s)
         + L / math.pi * ((a - 2.0 * s) / (s * np.sqrt(a * b)) * np.arctan(np.sqrt(a * (s - 1.0) / (b * (s + 1.0))))
                          - np.arctan(np.sqrt((s - 1.0) / (s + 1.0))) / s))
    return np.where(x <= radius_m, 1.0, np.clip(f, 0.0, 1.0))


def solid_flame_flux_kw_m2(*, sep_kw_m2: float, view_factor, tau):
    """Solid-flame radiation ``q = SEP·F·τ`` (kW/m²)."""
    return sep_kw_m2 * np.asarray(view_factor) * tau


# --------------------------------------------------------------------------- fireball

def fireball_diameter_m(*, mass_kg: float, coefficient: float) -> float:
    """Maximum fireball diameter ``D = 5.8·M^(1/3)`` (m) — CCPS 1994."""
    return coefficient * mass_kg ** (1.0 / 3.0)


def fireball_duration_s(*, mass_kg: float, small_coefficient: float, large_coefficient: float, break_kg: float) -> float:
    """Fireball duration ``t = 0.45·M^(1/3)`` for M < 30 000 kg, else ``2.6·M^(1/6)`` (s) — CCPS 1994."""
    if mass_kg < break_kg:
        return small_coefficient * mass_kg ** (1.0 / 3.0)
    return large_coefficient * mass_kg ** (1.0 / 6.0)


def fireball_radiative_fraction(*, burst_pressure_mpa: float, coefficient: float, exponent: float) -> float:
    """Radiated fraction ``f = 0.27·P^0.32`` (P burst pressure, MPa) — Roberts (1982), CCPS 1994."""
    return min(coefficient * burst_pressure_mpa ** exponent, 1.0)


def fireball_sep_kw_m2(*, mass_kg: float, heat_of_combustion_j_kg: float, radiative_fraction: float, diameter_m: float,
                       duration_s: float) -> float:
    """Surface emissive power ``SEP = f·M·ΔHc / (π·D²·t)`` (kW/m²) — CCPS 1994."""
    return radiative_fraction * mass_kg * heat_of_combustion_j_kg / 1000.0 / (math.pi * diameter_m ** 2 * duration_s)


def fireball_flux_kw_m2(*, sep_kw_m2: float, diameter_m: float, centre_height_m: float, distance_m, tau):
    """Flux at ground distance x: ``q = SEP·F·τ`` with sphere view factor ``F = D²/(4r²)``, ``r² = x² + H²``."""
    x = np.asarray(distance_m, dtype=float)
    r2 = x ** 2 + centre_height_m ** 2
    return sep_kw_m2 * np.minimum(diameter_m ** 2 / (4.0 * r2), 1.0) * tau

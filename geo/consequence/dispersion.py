"""Atmospheric dispersion: Gaussian plume and puff (neutral gases) and SLAB (dense gases, via ``slabx``).

Gaussian plume with ground reflection (Turner 1970; Crowl & Louvar 3rd ed. Eq. 5-49)::

    C(x,y,z) = Q/(2π·u·σy·σz) · exp(−y²/2σy²) · [exp(−(z−H)²/2σz²) + exp(−(z+H)²/2σz²)]

with Briggs (1973) σ = a·x·(1+b·x)^c (``dispersion_sigma.csv``, rural/urban).  Puff (instantaneous
release, Crowl & Louvar Eq. 5-58) with Slade σ = a·x^b (``puff_sigma.csv``)::

    C(x,y,z,t) = M/((2π)^(3/2)·σx·σy·σz) · exp(−(x−ut)²/2σx²) · exp(−y²/2σy²) · [z terms]

Dense gases use SLAB (Ermak 1990) as re-implemented by the PyPI package ``slabx`` (MIT; verified by
its authors against the Fortran original and field trials).  SLAB gives the centreline
time-averaged concentration and the cloud half-width ``b`` and edge length ``β``; the cross-wind
profile is SLAB's ``C(x,y) = Cc(x)·[erf((y+b)/√2β) − erf((y−b)/√2β)] / [2·erf(b/√2β)]`` (EQ 13).

Notes
-----
Distances m (x downwind, y crosswind, z height), rates kg/s, masses kg; concentrations are
returned in mg/m³.  The Gaussian model is for neutrally buoyant gases; a gas denser than air by
more than ``dense_gas_density_ratio`` (model.toml) goes to SLAB.
"""

from __future__ import annotations

import math
import warnings
from dataclasses import dataclass
from importlib.metadata import version as _pkg_version

import numpy as np
from scipy.constants import R as R_GAS
from scipy.special import erf

from geo.consequence.tables import SigmaCoefficients


def briggs_sigma(x_m, c: SigmaCoefficients):
    """Briggs (1973) plume σ = a·x·(1 + b·x)^c (m) for downwind distance x (m)."""
    x = np.maximum(np.asarray(x_m, dtype=float), 0.0)
    return c.a * x * (1.0 + c.b * x) ** c.c


def slade_sigma(x_m, c: SigmaCoefficients):
    """Slade (1968) puff σ = a·x^b (m)."""
    x = np.maximum(np.asarray(x_m, dtype=float), 0.0)
    return c.a * x ** c.b


def plume_concentration_mg_m3(*, rate_kg_s: float, wind_m_s: float, x_m, y_m, z_m: float, release_height_m: float,
                              sigma_y: SigmaCoefficients, sigma_z: SigmaCoefficients):
    """Steady Gaussian plume concentration (mg/m³) with ground reflection; 0 upwind (x ≤ 0)."""
    x = np.asarray(x_m, dtype=float)
    y = np.asarray(y_m, dtype=float)
    xs = np.maximum(x, 1e-3)
    sy, sz = briggs_sigma(xs, sigma_y), briggs_sigma(xs, sigma_z)
    vert = np.exp(-((z_m - release_height_m) ** 2) / (2 * sz ** 2)) + np.exp(-((z_m + release_height_m) ** 2) / (2 * sz ** 2))
    c = rate_kg_s * 1e6 / (2 * math.pi * wind_m_s * sy * sz) * np.exp(-(y ** 2) / (2 * sy ** 2)) * vert
    return np.where(x > 0, c, 0.0)


def puff_peak_concentration_mg_m3(*, mass_kg: float, x_m, y_m, z_m: float, release_height_m: float,
                                  sigma_y: SigmaCoefficients, sigma_z: SigmaCoefficients):
    """Peak concentration (mg/m³) as the puff centre passes (x − ut = 0), σx = σy."""
    x = np.maximum(np.asarray(x_m, dtype=float), 1e-3)
    y = np.asarray(y_m, dtype=float)
    sy, sz = slade_sigma(x, sigma_y), slade_sigma(x, sigma_z)
    vert = np.exp(-((z_m - release_height_m) ** 2) / (2 * sz ** 2)) + np.exp(-((z_m + release_height_m) ** 2) / (2 * sz ** 2))
    c = mass_kg * 1e6 / ((2 * math.pi) ** 1.5 * sy * sy * sz) * np.exp(-(y ** 2) / (2 * sy ** 2)) * vert
    return np.where(np.asarray(x_m) > 0, c, 0.0)


def puff_dose_factor_min(*, x_m, wind_m_s: float, n: float, sigma_y: SigmaCoefficients):
    """``∫C^n dt / C_peak^n`` (min) for a passing Gaussian puff: ``σx·√(2π/n)/u`` (σx = σy), in minutes."""
    x = np.maximum(np.asarray(x_m, dtype=float), 1e-3)
    return slade_sigma(x, sigma_y) * math.sqrt(2 * math.pi / n) / wind_m_s / 60.0


def farthest_distance_m(x_m: np.ndarray, value: np.ndarray, level: float) -> float:
    """Farthest x at which ``value`` ≥ ``level`` (log-interpolated); 0 if never reached."""
    above = value >= level
    if not above.any():
        return 0.0
    i = int(np.flatnonzero(above)[-1])
    if i == len(value) - 1:
        return float(x_m[i])
    c1, c2 = float(value[i]), float(value[i + 1])
    if c2 <= 0 or c1 == c2:
        return float(x_m[i])
    f = (math.log(c1) - math.log(level)) / (math.log(c1) - math.log(c2))
    return float(x_m[i] + f * (x_m[i + 1] - x_m[i]))


def mg_m3_per_volume_fraction(*, mw_g_mol: float, temperature_k: float, pressure_pa: float) -> float:
    """Concentration (mg/m³) of a pure gas at (T, P): ``P·M/(R·T)`` × 10⁶ — converts volume fractions."""
    return pressure_pa * mw_g_mol / 1000.0 / (R_GAS * temperature_k) * 1e6


# --------------------------------------------------------------------------- dense gas (SLAB via slabx)

@dataclass(frozen=True)
class DenseGasProfile:
    """SLAB result along the cloud path: centreline concentration and cross-wind shape."""

    x_m: np.ndarray
    centreline_mg_m3: np.ndarray
    half_width_m: np.ndarray  # b
    edge_m: np.ndarray  # β (with meander)
    x_max_m: float  # the integration domain: distances beyond are not computed
    source: str

    def concentration_mg_m3(self, x_m, y_m):
        """C(x, y) at ground level from the SLAB similarity profile (0 upwind and beyond the domain)."""
        x = np.asarray(x_m, dtype=float)
        y = np.abs(np.asarray(y_m, dtype=float))
        cc = np.exp(np.interp(x, self.x_m, np.log(np.maximum(self.centreline_mg_m3, 1e-30)), left=-70.0, right=-70.0))
        b = np.maximum(np.interp(x, self.x_m, self.half_width_m), 1e-9)
        beta = np.maximum(np.interp(x, self.x_m, self.edge_m), 1e-9)
        s2 = math.sqrt(2.0)
        shape = (erf((y + b) / (s2 * beta)) - erf((y - b) / (s2 * beta))) / (2.0 * erf(b / (s2 * beta)))
        return np.where((x > 0) & (x <= self.x_max_m), cc * shape, 0.0)


def dense_gas_profile(*, mw_g_mol: float, cp_gas_j_kgk: float, cp_liquid_j_kgk: float, hvap_tb_j_kg: float,
                      tb_k: float, rho_liquid_kg_m3: float, stability: str, wind_m_s: float, air_temperature_k: float,
                      roughness_m: float, averaging_time_s: float, x_max_m: float, rate_kg_s: float, area_m2: float,
                      duration_s: float) -> DenseGasProfile:
    """Run SLAB (``slabx``) for a ground-level evaporating source: ``rate_kg_s`` over ``area_m2`` for ``duration_s``.

    Notes
    -----
    Wind measured at 10 m; relative humidity taken as 0 (SLAB's default dry air — humidity
    mainly matters for ammonia/HF thermodynamics).  slabx warns when a run leaves its validated
    range (``slabx.scope``); the warnings are kept in ``source``.
    """
    from slabx.core.plume import run_dispersion
    from slabx.core.source import EvaporatingPool
    from slabx.post.concentration import concentration_field
    from slabx.submodels.atmosphere import Atmosphere
    from slabx.thermo.base import LegacyThermo, Substance, water_backend

    sub = Substance(name="release", mw=mw_g_mol / 1000.0, cp_vapour=cp_gas_j_kgk, cp_liquid=cp_liquid_j_kgk,
                    dh_vap=hvap_tb_j_kg, T_boil=tb_k, rho_liquid=rho_liquid_kg_m3)
    atm = Atmosphere(u_ref=wind_m_s, z_ref=10.0, T=air_temperature_k, rh=0.0, z0=roughness_m, stability=stability)
    src = EvaporatingPool(substance=sub, rate=rate_kg_s, area=area_m2, duration=duration_s)
    kind = f"连续释放 {rate_kg_s:.3g} kg/s × {duration_s:.0f} s，源面积 {area_m2:.3g} m²"
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        traj, _ = run_dispersion(src, atm, LegacyThermo(sub), water_backend(), x_max=x_max_m, t_max=4.0 * x_max_m / max(wind_m_s, 0.5))
        field = concentration_field(traj, atm, z=0.0, t_avg=averaging_time_s, t_release=duration_s)
    keep = np.isfinite(field.peak) & (field.x > 0)
    to_mg = mg_m3_per_volume_fraction(mw_g_mol=mw_g_mol, temperature_k=air_temperature_k, pressure_pa=101325.0)
    notes = "；".join(sorted({str(w.message).split('\n')[0][:120] for w in caught}))
    source = (f"slabx {_pkg_version('slabx')}（SLAB, Ermak 1990）：{kind}，{stability} 类 {wind_m_s} m/s，z0 = {roughness_m} m，"
              f"平均时间 {averaging_time_s:.0f} s" + (f"；slabx 提示：{notes}" if notes else ""))
    return DenseGasProfile(field.x[keep], field.peak[keep] * to_mg, field.b_shape[keep], field.beta_c[keep],
                           float(min(x_max_m, field.x[keep][-1])) if keep.any() else 0.0, source)

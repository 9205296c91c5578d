"""Consequence formulas against published worked examples and hand calculations (arithmetic in comments)."""

from __future__ import annotations

import math
from pathlib import Path

import numpy as np
import pytest
from scipy import integrate

from geo.consequence import dispersion, explosion, fire, probit, release
from geo.consequence.tables import load_consequence_tables

DATA = Path(__file__).resolve().parent.parent / "data" / "rules" / "consequence"


@pytest.fixture(scope="module")
def t():
    return load_consequence_tables(DATA)


def _sachs(t):
    return dict(c3=t.p("sachs_polynomial_c3"), c2=t.p("sachs_polynomial_c2"), c1=t.p("sachs_polynomial_c1"),
                c0=t.p("sachs_polynomial_c0"))


# ---------------------------------------------------------------- VCE, TNT equivalence

def test_tnt_equivalent_lpg_cylinder_published_example(t):
    # Published 安全评价 case (15 kg LPG cylinder, Qf = 46 264 kJ/kg, α = 0.04, Q_TNT = 4 520 kJ/kg):
    # W_TNT = 1.8·0.04·15·46264/4520 = 11.05 kg ("= 11 kg" in the source).
    w = explosion.tnt_equivalent_kg(fuel_mass_kg=15, heat_of_combustion_kj_per_kg=46264, alpha=t.p("tnt_yield_alpha"),
                                    ground_factor=t.p("tnt_ground_factor"), tnt_heat_kj_per_kg=t.p("tnt_heat_of_explosion_kj_per_kg"))
    assert w == pytest.approx(11.05, abs=0.01)


def test_tnt_equivalent_propylene_sphere_published_example():
    # Published case (propylene sphere, W_f = 1.02e5 kg, Qf = 48 670 kJ/kg, Q_TNT = 4 180 kJ/kg):
    # W_TNT = 1.8·0.04·1.02e5·48670/4180 = 0.855e5 kg ("0.86×10⁵ kg").
    w = explosion.tnt_equivalent_kg(fuel_mass_kg=1.02e5, heat_of_combustion_kj_per_kg=48670, alpha=0.04, ground_factor=1.8,
                                    tnt_heat_kj_per_kg=4180)
    assert w == pytest.approx(0.855e5, rel=2e-3)


def test_fatality_radius_hydrogen_tank_published_example(t):
    # Published case (20 m³ H₂ tank, 2000 Nm³, 12 770 kJ/Nm³): E = 1.8·0.04·2000·12770 kJ = 1 839 MJ,
    # W_TNT = 1 839 000/4 520 = 407 kg, R = 13.6·(407/1000)^0.37 = 9.75 ≈ "10 m".
    w = 1.8 * 0.04 * 2000 * 12770 / t.p("tnt_heat_of_explosion_kj_per_kg")
    assert w == pytest.approx(407, abs=0.5)
    r = explosion.fatality_radius_m(tnt_kg=w, coefficient_m=t.p("fatality_radius_coefficient_m"),
                                    exponent=t.p("fatality_radius_exponent"))
    assert r == pytest.approx(9.75, abs=0.01) and round(r) == 10


def test_injury_scaled_distances_match_textbook(t):
    # Chinese textbooks solve ΔPs/P0 = 0.137Z⁻³+0.119Z⁻²+0.269Z⁻¹−0.019 to Z = 1.96 for 17 kPa (轻伤)
    # and quote Z ≈ 1.1 (1.099) for 44 kPa (重伤); at Z = 1.089: 0.1060+0.1003+0.2470−0.019 = 0.4343 = 44000/101300.
    z_light = explosion.energy_scaled_distance_for(overpressure_pa=17000, ambient_pa=101300, **_sachs(t))
    z_serious = explosion.energy_scaled_distance_for(overpressure_pa=44000, ambient_pa=101300, **_sachs(t))
    assert z_light == pytest.approx(1.96, abs=0.005)
    assert z_serious == pytest.approx(1.089, abs=0.002)
    # R = Z·(E/P0)^(1/3); for 1 000 kg TNT E = 4.52e9 J → (4.52e9/101300)^(1/3) = 35.46 m → R_light = 69.4 m
    r = explosion.injury_radius_m(tnt_kg=1000, tnt_heat_kj_per_kg=4520, overpressure_pa=17000, ambient_pa=101300, **_sachs(t))
    assert r == pytest.approx(1.957 * (4.52e9 / 101300) ** (1 / 3), rel=2e-3)


@pytest.mark.parametrize("z, p_kpa", [(1.0, 1354), (5.0, 43.23), (10.0, 14.89), (20.0, 6.102), (100.0, 0.654)])
def test_kingery_bulmash_table(t, z, p_kpa):
    # UFC 3-340-02 Kingery–Bulmash surface-burst incident overpressure (values of the PyPI kingery-bulmash tests).
    assert explosion.kingery_bulmash_overpressure_kpa(z, t.blast_fit) == pytest.approx(p_kpa, rel=0.01)


def test_one_psi_distance_and_monotone_in_mass(t):
    # 1 psi = 6.895 kPa at Z ≈ 18.1 m/kg^(1/3) on the KB curve (20 → 6.10 kPa, so slightly closer than 20).
    d1 = explosion.distance_to_overpressure_m(tnt_kg=1000, overpressure_pa=6895, fit=t.blast_fit)
    assert 17.5 * 10 < d1 < 18.7 * 10
    assert explosion.kingery_bulmash_overpressure_kpa(d1 / 10, t.blast_fit) == pytest.approx(6.895, rel=1e-6)
    d8 = explosion.distance_to_overpressure_m(tnt_kg=8000, overpressure_pa=6895, fit=t.blast_fit)
    assert d8 == pytest.approx(2 * d1, rel=1e-6)  # Hopkinson scaling: 8× mass → 2× distance
    assert explosion.distance_to_overpressure_m(tnt_kg=0, overpressure_pa=6895, fit=t.blast_fit) == 0.0


def test_multi_energy_envelope(t):
    # E = 1e9 J: (E/P0)^(1/3) = 21.47 m; at R = 10·21.47 m the detonation curve gives
    # 0.137/1000 + 0.119/100 + 0.269/10 − 0.019 = 0.009227 → 935 Pa; strength 3 (0.05 bar) caps near field at 5000 Pa.
    kw = dict(energy_j=1e9, peak_bar=t.multi_energy_peak_bar, ambient_pa=101300, **_sachs(t))
    far = explosion.multi_energy_overpressure_pa(distance_m=10 * (1e9 / 101300) ** (1 / 3), strength=7, **kw)
    assert far == pytest.approx(0.009227 * 101300, rel=1e-3)
    near = explosion.multi_energy_overpressure_pa(distance_m=5.0, strength=3, **kw)
    assert near == pytest.approx(5000.0)


# ---------------------------------------------------------------- fires

def test_fireball_diameter_and_duration(t):
    # M = 1 000 kg: D = 5.8·10 = 58 m; t = 0.45·10 = 4.5 s.  M = 64 000 kg (≥ 30 t): t = 2.6·64000^(1/6) = 2.6·6.3246 = 16.444 s.
    assert fire.fireball_diameter_m(mass_kg=1000, coefficient=t.p("fireball_diameter_coefficient")) == pytest.approx(58.0)
    kw = dict(small_coefficient=t.p("fireball_duration_small_coefficient"), large_coefficient=t.p("fireball_duration_large_coefficient"),
              break_kg=t.p("fireball_duration_break_kg"))
    assert fire.fireball_duration_s(mass_kg=1000, **kw) == pytest.approx(4.5)
    assert fire.fireball_duration_s(mass_kg=64000, **kw) == pytest.approx(16.444, abs=1e-3)
    # SEP = f·M·ΔHc/(πD²t) = 0.27·1000·46e6/(π·58²·4.5) / 1000 = 261.2 kW/m² (P = 1 MPa → f = 0.27)
    sep = fire.fireball_sep_kw_m2(mass_kg=1000, heat_of_combustion_j_kg=46e6, radiative_fraction=0.27, diameter_m=58, duration_s=4.5)
    assert sep == pytest.approx(0.27 * 1000 * 46e6 / (math.pi * 58 ** 2 * 4.5) / 1000)
    # flux at x = 200 m, H = 43.5 m: F = 58²/(4·(200²+43.5²)) = 3364/167569 = 0.020075; τ = 1 → 5.24 kW/m²
    q = fire.fireball_flux_kw_m2(sep_kw_m2=sep, diameter_m=58, centre_height_m=43.5, distance_m=200.0, tau=1.0)
    assert q == pytest.approx(sep * 3364 / (4 * (200 ** 2 + 43.5 ** 2)), rel=1e-9)


def test_pool_fire_point_source_hand_calculation(t):
    # Benzene-like pool: ΔHc = 40.1e6 J/kg, ΔHv = 0.394e6 J/kg, Cp = 1.74e3, Tb = 353.2 K, Ta = 293.15 K:
    # m'' = 0.001·40.1e6/(0.394e6 + 1740·60.05) = 40100/498487 = 0.08044 kg/(m²s)  (NUREG-1805 lists 0.085 for benzene)
    mb = fire.burning_rate_kg_m2s(heat_of_combustion_j_kg=40.1e6, heat_of_vaporisation_j_kg=0.394e6, cp_liquid_j_kgk=1740,
                                  boiling_point_k=353.2, ambient_k=293.15, coefficient=t.p("burning_rate_coefficient_kg_per_m2s"))
    assert mb == pytest.approx(0.08044, abs=2e-5)
    # 100 m² pool: D = √(400/π) = 11.284 m; Thomas H = 42·11.284·(0.08044/(1.2·√(9.81·11.284)))^0.61
    #   √(110.70) = 10.521 → ratio 0.08044/12.625 = 0.006371 → ^0.61 = 0.04577 → H = 21.69 m
    d = fire.pool_diameter_m(area_m2=100.0)
    h = fire.flame_height_m(diameter_m=d, burning_rate_kg_m2s=mb, air_density_kg_m3=1.2, gravity_m_s2=9.81,
                            coefficient=42, exponent=0.61)
    assert d == pytest.approx(11.284, abs=1e-3) and h == pytest.approx(21.69, abs=0.01)
    # point source at 50 m, flame centre at H/2, τ = 0.8, η = 0.35: Q = m·A·ΔHc = 0.08044·100·40.1e6 W = 322 577 kW
    # q = 0.8·0.35·322577/(4π·(50² + 10.85²)) = 90321/(4π·2617.6) = 2.746 kW/m²
    q = fire.point_source_flux_kw_m2(heat_release_kw=mb * 100 * 40.1e6 / 1000, radiative_fraction=0.35, distance_m=50.0,
                                     source_height_m=h / 2, tau=0.8)
    assert q == pytest.approx(0.8 * 0.35 * mb * 100 * 40.1e3 / (4 * math.pi * (50 ** 2 + (h / 2) ** 2)), rel=1e-9)
    assert q == pytest.approx(2.74, abs=0.02)


def test_cylinder_view_factor_against_numerical_integration():
    # Independent check of the Mudan closed form: integrate cosθ1·cosθ2/(πs²) over the cylinder's visible surface
    # for a vertical target facing the axis at distance X.
    R, H, X = 5.0, 15.0, 20.0

    def integrand(z, phi):
        px, py = R * math.cos(phi), R * math.sin(phi)
        dx, dy, dz = X - px, -py, -z
        s2 = dx * dx + dy * dy + dz * dz
        cos1 = (dx * math.cos(phi) + dy * math.sin(phi)) / math.sqrt(s2)  # surface normal (radial)
        cos2 = dx / math.sqrt(s2)  # target normal points to −x (towards the fire)
        return max(cos1, 0) * max(cos2, 0) / (math.pi * s2) * R

    phi_max = math.acos(R / X)
    num, _ = integrate.dblquad(integrand, -phi_max, phi_max, 0.0, H)
    closed = float(fire.cylinder_view_factor_vertical(X, radius_m=R, height_m=H))
    assert closed == pytest.approx(num, rel=1e-3)


def test_transmissivity_hand_calculation(t):
    # Pw at 20 °C, 70 %: 101325·0.7·exp(14.4114 − 5328/293.15) = 70927.5·exp(−3.76358) = 70927.5·0.023196 = 1645 Pa
    pw = fire.water_partial_pressure_pa(air_temperature_k=293.15, relative_humidity_pct=70, a=t.p("water_vapour_a"),
                                        b_k=t.p("water_vapour_b_k"))
    assert pw == pytest.approx(1645, rel=2e-3)
    # τ(100 m) = 2.02·(1645·100)^−0.09 = 2.02·exp(−0.09·12.0107) = 2.02·0.33945 = 0.6857
    assert float(fire.transmissivity(100.0, water_pressure_pa=pw, coefficient=2.02, exponent=-0.09)) == pytest.approx(0.686, abs=2e-3)


# ---------------------------------------------------------------- releases

def test_liquid_release_hand_calculation():
    # 25 mm hole, Cd 0.61, water-like ρ = 1000, 5 m head, no overpressure: A = π·0.025²/4 = 4.909e-4 m²
    # ṁ = 0.61·4.909e-4·√(2·1000·1000·9.81·5) = 2.9945e-4·√(9.81e7) = 2.9945e-4·9904.5 = 2.966 kg/s
    m = release.liquid_release_kg_s(diameter_mm=25, discharge_coefficient=0.61, density_kg_m3=1000, gauge_pressure_pa=0,
                                    liquid_head_m=5, gravity_m_s2=9.81)
    assert m == pytest.approx(2.966, abs=2e-3)


def test_gas_release_choked_hand_calculation():
    # Methane at 1.1 MPa abs, 293.15 K, γ = 1.31, 10 mm hole, Cd = 1: choked (0.1013/1.1 = 0.092 < 0.544).
    # k = γ·M/(RT)·(2/(γ+1))^((γ+1)/(γ−1)) = 1.31·0.016043/(8.31446·293.15)·(0.86580)^7.4516
    #   = 8.6226e-6·0.34196 = 2.9486e-6 → ṁ = 7.854e-5·1.1e6·√k = 86.39·1.7172e-3 = 0.1483 kg/s
    m = release.gas_release_kg_s(diameter_mm=10, discharge_coefficient=1.0, pressure_pa=1.1e6, ambient_pa=101325,
                                 temperature_k=293.15, mw_g_mol=16.043, gamma=1.31)
    assert m == pytest.approx(0.1483, abs=5e-4)
    assert release.choked_pressure_ratio(1.31) == pytest.approx(0.5437, abs=1e-3)
    assert release.gas_release_kg_s(diameter_mm=10, discharge_coefficient=1.0, pressure_pa=101325, ambient_pa=101325,
                                    temperature_k=293.15, mw_g_mol=16.043, gamma=1.31) == 0.0


def test_flash_fraction_propane():
    # Propane at 20 °C: Cp,l ≈ 2 666 J/(kg·K), Tb = 231.0 K, ΔHv = 426 kJ/kg → f = 2666·62.1/426000 = 0.389
    assert release.flash_fraction(temperature_k=293.15, boiling_point_k=231.04, cp_liquid_j_kgk=2666,
                                  heat_of_vaporisation_j_kg=426000) == pytest.approx(0.3887, abs=1e-3)
    assert release.flash_fraction(temperature_k=200, boiling_point_k=231, cp_liquid_j_kgk=2666, heat_of_vaporisation_j_kg=426000) == 0.0


# ---------------------------------------------------------------- dispersion

def test_gaussian_centreline_hand_calculation(t):
    # Ground release 1 kg/s, D stability rural, u = 5 m/s, x = 1 000 m:
    # σy = 0.08·1000·(1 + 0.1)^−0.5 = 80/1.04881 = 76.28 m; σz = 0.06·1000·(1 + 1.5)^−0.5 = 60/1.58114 = 37.95 m
    # C = Q/(π·u·σy·σz) = 1e6 mg/s/(π·5·76.28·37.95) = 1e6/45470 = 21.99 mg/m³
    sy, sz = t.plume_sigma[("rural", "D", "y")], t.plume_sigma[("rural", "D", "z")]
    assert float(dispersion.briggs_sigma(1000, sy)) == pytest.approx(76.28, abs=0.01)
    assert float(dispersion.briggs_sigma(1000, sz)) == pytest.approx(37.95, abs=0.01)
    c = dispersion.plume_concentration_mg_m3(rate_kg_s=1.0, wind_m_s=5.0, x_m=1000.0, y_m=0.0, z_m=0.0, release_height_m=0.0,
                                             sigma_y=sy, sigma_z=sz)
    assert float(c) == pytest.approx(21.99, abs=0.02)
    # off axis y = σy → e^(−1/2); upwind → 0
    c_off = dispersion.plume_concentration_mg_m3(rate_kg_s=1.0, wind_m_s=5.0, x_m=1000.0, y_m=76.28, z_m=0.0,
                                                 release_height_m=0.0, sigma_y=sy, sigma_z=sz)
    assert float(c_off) == pytest.approx(21.99 * math.exp(-0.5), rel=1e-3)
    assert float(dispersion.plume_concentration_mg_m3(rate_kg_s=1.0, wind_m_s=5.0, x_m=-10.0, y_m=0.0, z_m=0.0,
                                                      release_height_m=0.0, sigma_y=sy, sigma_z=sz)) == 0.0


def test_puff_peak_and_dose_factor_hand_calculation(t):
    # 100 kg puff, D, x = 500 m: σy = 0.06·500^0.92 = 0.06·303.7 = 18.22 m, σz = 0.15·500^0.70 = 0.15·77.50 = 11.62 m
    # C = 2·M/((2π)^1.5·σy²·σz) = 2e8 mg/(15.7496·331.97·11.62) = 2e8/60 755 = 3 292 mg/m³
    py, pz = t.puff_sigma[("D", "y")], t.puff_sigma[("D", "z")]
    c = dispersion.puff_peak_concentration_mg_m3(mass_kg=100, x_m=500.0, y_m=0.0, z_m=0.0, release_height_m=0.0, sigma_y=py, sigma_z=pz)
    sy, sz = 0.06 * 500 ** 0.92, 0.15 * 500 ** 0.70
    assert float(c) == pytest.approx(2 * 100e6 / ((2 * math.pi) ** 1.5 * sy ** 2 * sz), rel=1e-9)
    assert float(c) == pytest.approx(3290, rel=3e-3)
    # ∫C^n dt / C^n = σx·√(2π/n)/u: n = 1, u = 5 → 18.22·2.5066/5 = 9.13 s = 0.1522 min
    f = dispersion.puff_dose_factor_min(x_m=500.0, wind_m_s=5.0, n=1.0, sigma_y=py)
    assert float(f) == pytest.approx(sy * math.sqrt(2 * math.pi) / 5 / 60, rel=1e-9)


def test_dense_gas_slab_runs_and_decreases(t):
    # Chlorine-like dense plume through slabx: concentration falls with distance and exceeds the Gaussian
    # neutral plume's near field is not asserted (different physics); we check SLAB ran and is monotone far out.
    prof = dispersion.dense_gas_profile(mw_g_mol=70.9, cp_gas_j_kgk=480, cp_liquid_j_kgk=926, hvap_tb_j_kg=288000, tb_k=239.1,
                                        rho_liquid_kg_m3=1563, stability="F", wind_m_s=1.5, air_temperature_k=293.15,
                                        roughness_m=0.1, averaging_time_s=600, x_max_m=20000, rate_kg_s=1.0, area_m2=10.0,
                                        duration_s=600)
    x = np.array([500.0, 1000.0, 2000.0, 4000.0])
    c = prof.concentration_mg_m3(x, np.zeros_like(x))
    assert np.all(np.diff(c) < 0) and c[0] > 0
    assert "slabx" in prof.source
    # the cross-wind profile is symmetric and lower off axis
    assert prof.concentration_mg_m3(1000.0, 200.0) == pytest.approx(prof.concentration_mg_m3(1000.0, -200.0))
    assert prof.concentration_mg_m3(1000.0, 200.0) < prof.concentration_mg_m3(1000.0, 0.0)


# ---------------------------------------------------------------- probits

def test_probits(t):
    # Pr = 5 ↔ P = 0.5.  Overpressure (Eisenberg): −77.1 + 6.91·ln(ΔP) = 5 → ΔP = exp(82.1/6.91) = 1.4425e5 Pa
    pr = t.probit("overpressure")
    assert float(probit.overpressure_fatality(math.exp(82.1 / 6.91), probit=pr)) == pytest.approx(0.5, abs=1e-9)
    # Thermal: −36.38 + 2.56·ln(q^(4/3)·t) = 5 → q^(4/3)·t = exp(41.38/2.56); t = 20 s → q = (exp(16.164)/20)^(3/4) W/m²
    th = t.probit("thermal")
    q50 = (math.exp(41.38 / 2.56) / 20) ** 0.75 / 1000
    assert float(probit.thermal_fatality(q50, exposure_s=20, probit=th)) == pytest.approx(0.5, abs=1e-6)
    # Chlorine: −6.35 + 0.5·ln(C^2.75·t) = 5; t = 10 min → C = (exp(22.7)/10)^(1/2.75) mg/m³
    cl = t.probit("toxic", "7782-50-5")
    c50 = (math.exp(11.35 / 0.5) / 10) ** (1 / 2.75)
    assert float(probit.toxic_fatality(c50, exposure_min=10, probit=cl)) == pytest.approx(0.5, abs=1e-6)
    assert float(probit.toxic_fatality(0.0, exposure_min=10, probit=cl)) == 0.0

"""Credible scenarios of a hazard unit and their outcomes (GB/T 37243-2019 §6.4–6.6; TNO Purple Book ch. 3–5).

From each inventory item (chemical, quantity, storage conditions) and each hole size of
``hole_sizes.csv`` (small / medium / large leak, catastrophic rupture) this module derives the
release (rate, duration, airborne mass, flash fraction), its generic failure frequency
(``failure_frequencies.csv``) and the event tree of outcomes with their conditional
probabilities:

* flammable, immediate ignition — fireball (instantaneous pressurised release), jet fire
  (continuous gas / pressurised liquid), pool fire (liquid);
* flammable, delayed ignition — vapour-cloud explosion (share ``explosion_fraction_of_delayed``,
  TNT equivalence, Kingery–Bulmash overpressure) and flash fire (fatal inside the LFL footprint);
* toxic — dispersion to the probit dose, with the probability that the cloud was not ignited.

Every input is kept with its origin (:class:`Input`): 登记数据, a default of ``model.toml`` (named,
with its status), or the property library.  An item the library does not know, or whose
properties are incomplete, is returned in ``not_computed`` with the reason.

Notes
-----
Radial outcomes (fires, explosions) give fatality against distance from the source (m).
Directional outcomes (flash fire, toxic) give fatality at (x downwind, y crosswind) per weather
class; the risk module rotates them over the wind rose.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from typing import Callable

import numpy as np

from geo.consequence import dispersion, explosion, fire, probit, release
from geo.consequence.properties import ChemicalProperties, UnknownChemical, chemical_properties
from geo.consequence.tables import ConsequenceTables, HoleSize, WeatherClass

STORAGE_LABELS = {
    "compressed_gas": "压缩气体",
    "liquefied_pressurised": "加压液化气体",
    "refrigerated": "低温液化气体",
    "atmospheric_liquid": "常压液体",
}
EQUIPMENT_FOR_STORAGE = {
    "compressed_gas": "pressure_vessel",
    "liquefied_pressurised": "pressure_vessel",
    "refrigerated": "atmospheric_tank",
    "atmospheric_liquid": "atmospheric_tank",
}


@dataclass(frozen=True)
class Input:
    """One input of a result with its value, unit and origin (Chinese)."""

    name: str
    value: float | str
    unit: str
    source: str


@dataclass(frozen=True)
class InventoryItem:
    """A chemical held in a hazard unit (登记数据).  Optional fields left ``None`` take documented defaults."""

    chemical_key: str
    name: str
    cas: str
    quantity_t: float
    temperature_c: float | None = None
    gauge_pressure_mpa: float | None = None
    storage: str | None = None
    bund_area_m2: float | None = None


@dataclass(frozen=True)
class HazardUnitInput:
    unit_id: str
    lon: float
    lat: float
    crs: str
    items: tuple[InventoryItem, ...]
    installation: str = "existing"  # new | existing (GB 36894 criterion column)


@dataclass(frozen=True, eq=False)
class RadialEffect:
    """Fatality against distance from the source (isotropic)."""

    radius_m: np.ndarray
    fatality: np.ndarray

    def at(self, distance_m):
        return np.interp(np.asarray(distance_m, dtype=float), self.radius_m, self.fatality, right=0.0)

    def reach_m(self, cutoff: float) -> float:
        """Farthest distance with fatality ≥ ``cutoff``."""
        hit = np.flatnonzero(self.fatality >= cutoff)
        return float(self.radius_m[hit[-1]]) if hit.size else 0.0


@dataclass(frozen=True, eq=False)
class DirectionalEffect:
    """Fatality at (x downwind, y crosswind) for each weather class."""

    by_weather: tuple[tuple[WeatherClass, Callable], ...]
    reach_by_weather_m: tuple[float, ...]

    def reach_m(self) -> float:
        """Farthest downwind distance with fatality ≥ ``fatality_cutoff`` over the weather classes."""
        return max(self.reach_by_weather_m, default=0.0)


@dataclass(frozen=True, eq=False)
class Outcome:
    kind: str  # fireball | jet_fire | pool_fire | vce | flash_fire | toxic
    label: str
    conditional_probability: float
    frequency_per_year: float
    effect: RadialEffect | DirectionalEffect
    model: str
    inputs: tuple[Input, ...]


@dataclass(frozen=True, eq=False)
class Scenario:
    scenario_id: str
    unit_id: str
    chemical_key: str
    chemical_name: str
    hole: HoleSize
    frequency_per_year: float
    frequency_source: str
    release_kind: str  # continuous | instantaneous
    rate_kg_s: float | None
    mass_kg: float
    duration_s: float
    outcomes: tuple[Outcome, ...]
    inputs: tuple[Input, ...]


@dataclass(frozen=True)
class NotComputed:
    unit_id: str
    chemical_key: str
    chemical_name: str
    reason: str


@dataclass(frozen=True, eq=False)
class ItemModel:
    """What the models need to know about one inventory item (shared by screening and QRA)."""

    item: InventoryItem
    props: ChemicalProperties
    storage: str
    temperature_k: float
    gauge_pressure_pa: float
    flammable: bool
    toxic_probit: object | None
    endpoint: object | None
    reactivity: str
    inputs: tuple[Input, ...]


@dataclass(frozen=True, eq=False)
class UnitScenarios:
    unit: HazardUnitInput
    scenarios: tuple[Scenario, ...]
    not_computed: tuple[NotComputed, ...]
    model_version: str


# --------------------------------------------------------------------------- item preparation

def _param_input(t: ConsequenceTables, name: str, label: str) -> Input:
    p = t.params[name]
    return Input(label, p.value, p.unit, f"默认值 model.toml {name}（{p.status}）：{p.source}")


def prepare_item(item: InventoryItem, *, tables: ConsequenceTables, unit_id: str) -> ItemModel | NotComputed:
    """Resolve properties, storage class and hazards of one item, or say why it cannot be computed."""
    t = tables
    mapping = t.chemicals.get(item.chemical_key)
    cas = mapping.property_cas if mapping and mapping.property_cas else item.cas
    if not cas:
        return NotComputed(unit_id, item.chemical_key, item.name, "目录中无 CAS 号，物性库无法识别：未计算")
    if item.quantity_t <= 0:
        return NotComputed(unit_id, item.chemical_key, item.name, "数量应大于 0：未计算")
    inputs = [Input("数量", item.quantity_t, "t", "登记数据")]
    if mapping and mapping.property_cas and mapping.property_cas != item.cas:
        inputs.append(Input("物性代表物 CAS", cas, "-", f"consequence/chemicals.csv（{mapping.status}）：{mapping.note}"))
    if item.temperature_c is None:
        inputs.append(_param_input(t, "storage_temperature_c", "储存温度"))
        temp_k = t.p("storage_temperature_c") + 273.15
    else:
        inputs.append(Input("储存温度", item.temperature_c, "degC", "登记数据"))
        temp_k = item.temperature_c + 273.15
    try:
        props = chemical_properties(cas, temperature_k=temp_k)
    except UnknownChemical as e:
        return NotComputed(unit_id, item.chemical_key, item.name, f"{e}：未计算（不以估计值代替）")
    lack = props.require("mw_g_mol", "tb_k")
    if lack:
        return NotComputed(unit_id, item.chemical_key, item.name, "；".join(lack) + "：未计算")
    for k, pv in props.values.items():
        inputs.append(Input(k, pv.value, pv.unit, pv.source))

    storage = item.storage or (mapping.storage if mapping and mapping.storage else "")
    if storage:
        inputs.append(Input("储存方式", STORAGE_LABELS[storage], "-", "登记数据" if item.storage else "consequence/chemicals.csv"))
    else:
        tb, tc = props.get("tb_k"), props.get("tc_k")
        if tb >= temp_k:
            storage = "atmospheric_liquid"
        elif tc is not None and tc < temp_k:
            storage = "compressed_gas"
        else:
            storage = "liquefied_pressurised"
        inputs.append(Input("储存方式", STORAGE_LABELS[storage], "-", "由正常沸点/临界温度与储存温度比较推定（未登记储存方式）"))

    if item.gauge_pressure_mpa is not None:
        gauge = item.gauge_pressure_mpa * 1e6
        inputs.append(Input("储存表压", item.gauge_pressure_mpa, "MPa", "登记数据"))
    elif storage == "liquefied_pressurised":
        psat = props.get("psat_pa")
        if psat is None:
            return NotComputed(unit_id, item.chemical_key, item.name, "加压液化气体缺少饱和蒸气压且未登记压力：未计算")
        gauge = max(psat - t.p("ambient_pressure_pa"), 0.0)
        inputs.append(Input("储存表压", gauge / 1e6, "MPa", "取储存温度下饱和蒸气压（未登记压力）"))
    elif storage == "compressed_gas":
        gauge = t.p("compressed_gas_pressure_mpa") * 1e6
        inputs.append(_param_input(t, "compressed_gas_pressure_mpa", "储存表压"))
    else:
        gauge = 0.0

    flammable = props.get("lfl") is not None and props.get("hc_lower_j_kg") is not None
    toxic_probit = t.probit("toxic", cas) or t.probit("toxic", item.cas)
    endpoint = t.endpoints.get(cas) or t.endpoints.get(item.cas)
    reactivity = (mapping.reactivity if mapping and mapping.reactivity else "high")
    return ItemModel(item, props, storage, temp_k, gauge, flammable, toxic_probit, endpoint, reactivity, tuple(inputs))


# --------------------------------------------------------------------------- releases

@dataclass(frozen=True)
class Release:
    kind: str  # continuous | instantaneous
    rate_kg_s: float | None
    mass_kg: float
    duration_s: float
    airborne_mass_kg: float
    airborne_rate_kg_s: float | None
    liquid_mass_kg: float  # what forms a pool
    inputs: tuple[Input, ...]


def release_for(m: ItemModel, hole: HoleSize, *, tables: ConsequenceTables) -> Release:
    """Release of item ``m`` through ``hole`` (rate via Crowl & Louvar ch. 4; rupture = whole inventory)."""
    t = tables
    inv_kg = m.item.quantity_t * 1000.0
    inputs: list[Input] = []
    flash = 0.0
    if m.storage == "liquefied_pressurised":
        flash = release.flash_fraction(temperature_k=m.temperature_k, boiling_point_k=m.props.get("tb_k"),
                                       cp_liquid_j_kgk=m.props.get("cp_liquid_j_kgk") or 0.0,
                                       heat_of_vaporisation_j_kg=m.props.get("hvap_tb_j_kg") or math.inf)
        inputs.append(Input("闪蒸分数", flash, "-", "f = Cp·(T − Tb)/ΔHv（Crowl & Louvar Eq. 4-90）"))
    if hole.release == "instantaneous":
        if m.storage == "compressed_gas":
            airborne = inv_kg
        elif m.storage == "liquefied_pressurised":
            airborne = inv_kg * min(t.p("aerosol_factor") * flash, 1.0)
            inputs.append(_param_input(t, "aerosol_factor", "气溶胶夹带系数"))
        else:
            airborne = 0.0
        return Release("instantaneous", None, inv_kg, 0.0, airborne, None, inv_kg - airborne, tuple(inputs))

    dmax = t.p("release_duration_s")
    inputs.append(_param_input(t, "release_duration_s", "最长泄漏时间"))
    if m.storage == "compressed_gas":
        gamma = m.props.get("gamma") or 1.3
        rate = release.gas_release_kg_s(diameter_mm=hole.diameter_mm, discharge_coefficient=t.p("discharge_coefficient_gas"),
                                         pressure_pa=m.gauge_pressure_pa + t.p("ambient_pressure_pa"),
                                         ambient_pa=t.p("ambient_pressure_pa"), temperature_k=m.temperature_k,
                                         mw_g_mol=m.props.get("mw_g_mol"), gamma=gamma)
        inputs.append(_param_input(t, "discharge_coefficient_gas", "气体泄漏系数"))
        airborne_frac = 1.0
    else:
        rho = m.props.get("rho_liquid_kg_m3") or 1000.0
        rate = release.liquid_release_kg_s(diameter_mm=hole.diameter_mm, discharge_coefficient=t.p("discharge_coefficient_liquid"),
                                           density_kg_m3=rho, gauge_pressure_pa=m.gauge_pressure_pa,
                                           liquid_head_m=t.p("liquid_head_m"), gravity_m_s2=t.p("gravity_m_per_s2"))
        inputs += [_param_input(t, "discharge_coefficient_liquid", "液体泄漏系数"), _param_input(t, "liquid_head_m", "液位高度")]
        airborne_frac = min(t.p("aerosol_factor") * flash, 1.0) if m.storage == "liquefied_pressurised" else 0.0
    rate = max(rate, 1e-9)
    duration = min(dmax, inv_kg / rate)
    mass = rate * duration
    inputs.append(Input("泄漏速率", rate, "kg/s", f"孔径 {hole.diameter_mm:g} mm（{hole.source}）"))
    return Release("continuous", rate, mass, duration, mass * airborne_frac, rate * airborne_frac,
                   mass * (1 - airborne_frac), tuple(inputs))


# --------------------------------------------------------------------------- effects

def _tau(t: ConsequenceTables, path_m):
    pw = fire.water_partial_pressure_pa(air_temperature_k=t.weather.air_temperature_c + 273.15,
                                        relative_humidity_pct=t.p("relative_humidity_pct"), a=t.p("water_vapour_a"),
                                        b_k=t.p("water_vapour_b_k"))
    return fire.transmissivity(path_m, water_pressure_pa=pw, coefficient=t.p("transmissivity_coefficient"),
                               exponent=t.p("transmissivity_exponent"))


def _radii(max_m: float) -> np.ndarray:
    return np.concatenate([np.linspace(0.0, 50.0, 101), np.geomspace(50.5, max(max_m, 60.0), 400)])


def fireball_effect(*, mass_kg: float, hc_j_kg: float, burst_pressure_mpa: float, t: ConsequenceTables):
    """Fireball: flux profile (kW/m²) and fatality (thermal probit over the fireball duration)."""
    d = fire.fireball_diameter_m(mass_kg=mass_kg, coefficient=t.p("fireball_diameter_coefficient"))
    dur = fire.fireball_duration_s(mass_kg=mass_kg, small_coefficient=t.p("fireball_duration_small_coefficient"),
                                   large_coefficient=t.p("fireball_duration_large_coefficient"),
                                   break_kg=t.p("fireball_duration_break_kg"))
    f = fire.fireball_radiative_fraction(burst_pressure_mpa=max(burst_pressure_mpa, 0.1),
                                         coefficient=t.p("fireball_radiative_fraction_coefficient"),
                                         exponent=t.p("fireball_radiative_fraction_exponent"))
    sep = fire.fireball_sep_kw_m2(mass_kg=mass_kg, heat_of_combustion_j_kg=hc_j_kg, radiative_fraction=f, diameter_m=d,
                                  duration_s=dur)
    h = t.p("fireball_centre_height_ratio") * d
    r = _radii(40.0 * d)
    q = fire.fireball_flux_kw_m2(sep_kw_m2=sep, diameter_m=d, centre_height_m=h, distance_m=r,
                                 tau=_tau(t, np.sqrt(r ** 2 + h ** 2) - d / 2))
    pr = t.probit("thermal")
    return r, q, probit.thermal_fatality(q, exposure_s=dur, probit=pr), (
        Input("火球直径", d, "m", "D = 5.8·M^(1/3)（CCPS 1994）"), Input("火球持续时间", dur, "s", "CCPS 1994"),
        Input("辐射分数", f, "-", "f = 0.27·P^0.32"), Input("表面辐射功率", sep, "kW/m2", "SEP = f·M·ΔHc/(πD²t)"))


def pool_fire_effect(*, area_m2: float, m: ItemModel, t: ConsequenceTables):
    props = m.props
    ta = t.weather.air_temperature_c + 273.15
    mb = fire.burning_rate_kg_m2s(heat_of_combustion_j_kg=props.get("hc_lower_j_kg"),
                                  heat_of_vaporisation_j_kg=props.get("hvap_tb_j_kg"),
                                  cp_liquid_j_kgk=props.get("cp_liquid_j_kgk") or 0.0, boiling_point_k=props.get("tb_k"),
                                  ambient_k=ta, coefficient=t.p("burning_rate_coefficient_kg_per_m2s"))
    d = fire.pool_diameter_m(area_m2=area_m2)
    h = fire.flame_height_m(diameter_m=d, burning_rate_kg_m2s=mb, air_density_kg_m3=t.p("air_density_kg_per_m3"),
                            gravity_m_s2=t.p("gravity_m_per_s2"), coefficient=t.p("thomas_coefficient"),
                            exponent=t.p("thomas_exponent"))
    sep = fire.pool_fire_sep_kw_m2(burning_rate_kg_m2s=mb, heat_of_combustion_j_kg=props.get("hc_lower_j_kg"),
                                   radiative_fraction=t.p("pool_fire_radiative_fraction"), diameter_m=d, flame_height_m=h,
                                   max_sep_kw_m2=t.p("pool_fire_max_sep_kw_per_m2"))
    r = _radii(30.0 * d)
    q = fire.solid_flame_flux_kw_m2(sep_kw_m2=sep, view_factor=fire.cylinder_view_factor_vertical(r, radius_m=d / 2, height_m=h),
                                    tau=_tau(t, np.maximum(r - d / 2, 0.0)))
    fat = probit.thermal_fatality(q, exposure_s=t.p("fire_exposure_s"), probit=t.probit("thermal"))
    fat = np.where(r <= d / 2, 1.0, fat)
    return r, q, fat, (Input("液池直径", d, "m", "D = √(4A/π)"), Input("燃烧速率", mb, "kg/(m2·s)", "Burgess–Strasser"),
                       Input("火焰高度", h, "m", "Thomas (1963)"), Input("表面辐射功率", sep, "kW/m2", "SEP = η·m''·ΔHc/(1+4H/D)"))


def jet_fire_effect(*, rate_kg_s: float, hc_j_kg: float, duration_s: float, t: ConsequenceTables):
    qkw = rate_kg_s * hc_j_kg / 1000.0
    r = _radii(2000.0)
    q = fire.point_source_flux_kw_m2(heat_release_kw=qkw, radiative_fraction=t.p("jet_fire_radiative_fraction"), distance_m=r,
                                     source_height_m=0.0, tau=_tau(t, r))
    fat = probit.thermal_fatality(q, exposure_s=min(duration_s, t.p("fire_exposure_s")), probit=t.probit("thermal"))
    return r, q, fat, (Input("热释放速率", qkw, "kW", "Q = ṁ·ΔHc"),)


def tnt_kg(*, mass_kg: float, hc_j_kg: float, t: ConsequenceTables, alpha: float | None = None, ground: float | None = None):
    return explosion.tnt_equivalent_kg(fuel_mass_kg=mass_kg, heat_of_combustion_kj_per_kg=hc_j_kg / 1000.0,
                                       alpha=t.p("tnt_yield_alpha") if alpha is None else alpha,
                                       ground_factor=t.p("tnt_ground_factor") if ground is None else ground,
                                       tnt_heat_kj_per_kg=t.p("tnt_heat_of_explosion_kj_per_kg"))


def vce_effect(*, mass_kg: float, hc_j_kg: float, t: ConsequenceTables):
    w = tnt_kg(mass_kg=mass_kg, hc_j_kg=hc_j_kg, t=t)
    reach = explosion.distance_to_overpressure_m(tnt_kg=w, overpressure_pa=1000.0, fit=t.blast_fit)
    r = _radii(max(reach, 10.0))
    ps = explosion.overpressure_pa(tnt_kg=w, distance_m=np.maximum(r, 0.1), fit=t.blast_fit)
    fat = probit.overpressure_fatality(ps, probit=t.probit("overpressure"))
    r0 = explosion.fatality_radius_m(tnt_kg=w, coefficient_m=t.p("fatality_radius_coefficient_m"),
                                     exponent=t.p("fatality_radius_exponent"))
    return r, ps, fat, (Input("TNT 当量", w, "kg", "W_TNT = 1.8·α·W_f·Q_f/Q_TNT"), Input("死亡半径 R0.5", r0, "m", "13.6·(W_TNT/1000)^0.37"))


def _is_dense(m: ItemModel, t: ConsequenceTables) -> bool:
    t_release = min(m.temperature_k, m.props.get("tb_k")) if m.storage != "compressed_gas" else m.temperature_k
    ratio = m.props.get("mw_g_mol") / t.p("air_molar_mass_g_mol") * (t.weather.air_temperature_c + 273.15) / t_release
    return ratio > t.p("dense_gas_density_ratio")


def cloud_concentration(m: ItemModel, *, weather: WeatherClass, t: ConsequenceTables, rate_kg_s: float | None = None,
                        duration_s: float = 0.0, mass_kg: float = 0.0, averaging_s: float | None = None):
    """Concentration function c(x, y) (mg/m³, ground level) and the model description for one weather class."""
    # SLAB for continuous dense releases only: slabx's instantaneous (puff) branch widened the cloud
    # by two orders of magnitude in its first step in our trials, so instantaneous releases use the
    # Gaussian puff (a documented limitation, README "Threat zones").
    if rate_kg_s is not None and _is_dense(m, t) and all(m.props.get(k) for k in ("cp_gas_j_kgk", "cp_liquid_j_kgk", "hvap_tb_j_kg", "rho_liquid_kg_m3")):
        p = m.props
        kw = dict(rate_kg_s=rate_kg_s, area_m2=rate_kg_s / t.p("dense_gas_source_flux_kg_m2s"), duration_s=duration_s)
        prof = dispersion.dense_gas_profile(
            mw_g_mol=p.get("mw_g_mol"), cp_gas_j_kgk=p.get("cp_gas_j_kgk"), cp_liquid_j_kgk=p.get("cp_liquid_j_kgk"),
            hvap_tb_j_kg=p.get("hvap_tb_j_kg"), tb_k=p.get("tb_k"), rho_liquid_kg_m3=p.get("rho_liquid_kg_m3"),
            stability=weather.stability, wind_m_s=weather.wind_speed_m_per_s,
            air_temperature_k=t.weather.air_temperature_c + 273.15, roughness_m=t.p("dense_gas_roughness_m"),
            averaging_time_s=averaging_s or t.p("averaging_time_s"), x_max_m=t.p("dispersion_x_max_m"), **kw)
        return prof.concentration_mg_m3, prof.source, "dense"
    sy = t.plume_sigma[(t.weather.terrain, weather.stability, "y")]
    sz = t.plume_sigma[(t.weather.terrain, weather.stability, "z")]
    u = weather.wind_speed_m_per_s
    if rate_kg_s is not None:
        def conc(x, y):
            return dispersion.plume_concentration_mg_m3(rate_kg_s=rate_kg_s, wind_m_s=u, x_m=x, y_m=y, z_m=0.0,
                                                        release_height_m=0.0, sigma_y=sy, sigma_z=sz)
        return conc, f"高斯烟羽（Briggs {t.weather.terrain} σ）{weather.stability} 类 {u} m/s，{rate_kg_s:.3g} kg/s", "plume"
    py, pz = t.puff_sigma[(weather.stability, "y")], t.puff_sigma[(weather.stability, "z")]

    def conc(x, y):
        return dispersion.puff_peak_concentration_mg_m3(mass_kg=mass_kg, x_m=x, y_m=y, z_m=0.0, release_height_m=0.0,
                                                        sigma_y=py, sigma_z=pz)
    return conc, f"高斯烟团（Slade σ）{weather.stability} 类 {u} m/s，{mass_kg:.0f} kg", "puff"


def _reach(fn, cutoff: float, x_max: float) -> float:
    x = np.geomspace(1.0, x_max, 600)
    return dispersion.farthest_distance_m(x, fn(x, np.zeros_like(x)), cutoff)


def lfl_mg_m3(m: ItemModel, t: ConsequenceTables) -> float:
    return m.props.get("lfl") * dispersion.mg_m3_per_volume_fraction(
        mw_g_mol=m.props.get("mw_g_mol"), temperature_k=t.weather.air_temperature_c + 273.15,
        pressure_pa=t.p("ambient_pressure_pa"))


def _directional(m: ItemModel, rel: Release, t: ConsequenceTables, kind: str):
    parts, reaches, models = [], [], []
    cutoff, xmax = t.p("fatality_cutoff"), t.p("dispersion_x_max_m")
    cont = rel.kind == "continuous"
    for w in t.weather.classes:
        if cont:
            conc, model, how = cloud_concentration(m, weather=w, t=t, rate_kg_s=rel.airborne_rate_kg_s, duration_s=rel.duration_s)
        else:
            conc, model, how = cloud_concentration(m, weather=w, t=t, mass_kg=rel.airborne_mass_kg)
        if kind == "flash_fire":
            lfl = lfl_mg_m3(m, t)

            def fat(x, y, conc=conc, lfl=lfl):
                return (conc(x, y) >= lfl).astype(float)
        else:
            pr = m.toxic_probit
            texp = min(rel.duration_s / 60.0, t.p("toxic_exposure_max_min")) if cont else None
            if cont or how == "dense":
                texp = texp if texp is not None else t.p("averaging_time_s") / 60.0

                def fat(x, y, conc=conc, texp=texp):
                    return probit.toxic_fatality(conc(x, y), exposure_min=texp, probit=pr)
            else:
                py = t.puff_sigma[(w.stability, "y")]

                def fat(x, y, conc=conc, w=w, py=py):
                    factor = dispersion.puff_dose_factor_min(x_m=x, wind_m_s=w.wind_speed_m_per_s, n=pr.n, sigma_y=py)
                    return probit.toxic_fatality(conc(x, y), exposure_min=factor, probit=pr)
        parts.append((w, fat))
        reaches.append(_reach(fat, cutoff, xmax))
        models.append(model)
    return DirectionalEffect(tuple(parts), tuple(reaches)), "；".join(models)


# --------------------------------------------------------------------------- event tree

def immediate_ignition(m: ItemModel, rel: Release, t: ConsequenceTables) -> tuple[float, str]:
    reac = "liquid" if m.storage == "atmospheric_liquid" else ("low" if m.reactivity == "low" else "high")
    for row in t.ignition:
        if row.release != rel.kind or row.reactivity != reac:
            continue
        if rel.kind == "continuous" and row.rate_min_kg_s <= (rel.rate_kg_s or 0) < row.rate_max_kg_s:
            return row.immediate_probability, row.source
        if rel.kind == "instantaneous" and row.mass_min_kg <= rel.mass_kg < row.mass_max_kg:
            return row.immediate_probability, row.source
    raise ValueError(f"ignition.csv 中没有 {rel.kind}/{reac} 的立即点火概率")


def outcomes_for(m: ItemModel, rel: Release, freq: float, t: ConsequenceTables) -> list[Outcome]:
    out: list[Outcome] = []
    p_ign = 0.0
    if m.flammable:
        hc = m.props.get("hc_lower_j_kg")
        p_imm, src_imm = immediate_ignition(m, rel, t)
        p_del = (1.0 - p_imm) * t.p("delayed_ignition_probability")
        f_exp = t.p("explosion_fraction_of_delayed")
        ign_in = (Input("立即点火概率", p_imm, "-", src_imm), _param_input(t, "delayed_ignition_probability", "延迟点火概率"))

        def add(kind, label, prob, effect_tuple, model):
            r, _, fat, extra = effect_tuple
            out.append(Outcome(kind, label, prob, freq * prob, RadialEffect(r, fat), model, ign_in + extra))

        gas_like = m.storage in ("compressed_gas", "liquefied_pressurised")
        if gas_like and rel.kind == "instantaneous":
            add("fireball", "火球（BLEVE）", p_imm,
                fireball_effect(mass_kg=rel.mass_kg, hc_j_kg=hc, burst_pressure_mpa=(m.gauge_pressure_pa + t.p("ambient_pressure_pa")) / 1e6, t=t),
                "火球：CCPS 1994（D = 5.8·M^(1/3)）")
        elif gas_like:
            add("jet_fire", "喷射火", p_imm, jet_fire_effect(rate_kg_s=rel.rate_kg_s, hc_j_kg=hc, duration_s=rel.duration_s, t=t),
                "喷射火：点源模型（CCPS §2.2.5）")
        if m.storage in ("atmospheric_liquid", "refrigerated") and m.props.get("hvap_tb_j_kg"):
            if m.item.bund_area_m2:
                area = m.item.bund_area_m2
            elif rel.kind == "continuous":
                mb = fire.burning_rate_kg_m2s(heat_of_combustion_j_kg=hc, heat_of_vaporisation_j_kg=m.props.get("hvap_tb_j_kg"),
                                              cp_liquid_j_kgk=m.props.get("cp_liquid_j_kgk") or 0.0,
                                              boiling_point_k=m.props.get("tb_k"), ambient_k=t.weather.air_temperature_c + 273.15,
                                              coefficient=t.p("burning_rate_coefficient_kg_per_m2s"))
                area = rel.rate_kg_s / mb  # steady pool: burning = inflow
            else:
                area = rel.mass_kg / (m.props.get("rho_liquid_kg_m3") or 1000.0) / t.p("pool_min_thickness_m")
            add("pool_fire", "池火", p_imm + p_del, pool_fire_effect(area_m2=area, m=m, t=t), "池火：固体火焰模型（Thomas 火焰高度，Mudan 视角系数）")
            p_ign = p_imm + p_del
        if rel.airborne_mass_kg > 0:
            add("vce", "蒸气云爆炸", p_del * f_exp, vce_effect(mass_kg=rel.airborne_mass_kg, hc_j_kg=hc, t=t),
                "蒸气云爆炸：TNT 当量法 + Kingery–Bulmash 超压 + Eisenberg 概率")
            eff, model = _directional(m, rel, t, "flash_fire")
            out.append(Outcome("flash_fire", "闪火", p_del * (1 - f_exp), freq * p_del * (1 - f_exp), eff,
                               "闪火：LFL 包络内致死（Purple Book §5.2）；" + model, ign_in))
            p_ign = p_imm + p_del
    if m.toxic_probit is not None and (rel.airborne_mass_kg > 0):
        p_tox = 1.0 - p_ign
        eff, model = _directional(m, rel, t, "toxic")
        pr = m.toxic_probit
        out.append(Outcome("toxic", "有毒气体扩散", p_tox, freq * p_tox, eff, "毒性扩散：" + model,
                           (Input("毒性概率函数", f"a={pr.a} b={pr.b} n={pr.n}", pr.dose_units, f"{pr.source}（{pr.status}）"),)))
    return out


def unit_scenarios(unit: HazardUnitInput, *, tables: ConsequenceTables) -> UnitScenarios:
    """All scenarios of ``unit`` with their outcomes; items that cannot be computed are listed with the reason."""
    t = tables
    scen: list[Scenario] = []
    nc: list[NotComputed] = []
    for item in unit.items:
        m = prepare_item(item, tables=t, unit_id=unit.unit_id)
        if isinstance(m, NotComputed):
            nc.append(m)
            continue
        if not m.flammable and m.toxic_probit is None:
            nc.append(NotComputed(unit.unit_id, item.chemical_key, item.name,
                                  "既非易燃（物性库无 LFL/燃烧热）也无毒性概率函数：本模型无后果场景"))
            continue
        if m.storage == "atmospheric_liquid" and not m.flammable:
            nc.append(NotComputed(unit.unit_id, item.chemical_key, item.name,
                                  "常压有毒液体需液池蒸发模型（未实现）：未计算"))
            continue
        equipment = EQUIPMENT_FOR_STORAGE[m.storage]
        for hole in t.holes:
            f = t.frequency(equipment, hole.hole_id)
            if f is None:
                continue
            rel = release_for(m, hole, tables=t)
            outs = outcomes_for(m, rel, f.frequency_per_year, t)
            if not outs:
                continue
            scen.append(Scenario(f"{unit.unit_id}/{item.chemical_key}/{hole.hole_id}", unit.unit_id, item.chemical_key,
                                 item.name, hole, f.frequency_per_year, f"{f.source}（{f.status}）", rel.kind, rel.rate_kg_s,
                                 rel.mass_kg, rel.duration_s, tuple(outs), m.inputs + rel.inputs))
    return UnitScenarios(unit, tuple(scen), tuple(nc), t.model_version)

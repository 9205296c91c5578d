"""Screening tier: worst-case endpoint distances per hazard unit, drawn as threat zones.

The worst case follows the US EPA RMP offsite consequence analysis (40 CFR 68.22 / 68.25), which
RAPID-N and similar screening tools use: the largest quantity released over 10 min in F stability
at 1.5 m/s, endpoints 1 psi overpressure (VCE at 10 % yield), 5 kW/m² (40 s exposure), the LFL,
and the toxic endpoint — here HJ 169-2018 附录H 毒性终点浓度-2 (``toxic_endpoints.csv``).
Each endpoint's zone is a circle around the unit (the wind may blow any way), drawn in the local
azimuthal-equidistant frame and returned in WGS-84.

This tier screens; it does not replace the QRA of GB/T 37243-2019 §6 for toxic and flammable
gases at or above the GB 18218 threshold.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from geo.consequence import dispersion, explosion
from geo.consequence.geometry import circle_wgs84, local_frame
from geo.consequence.scenarios import (HazardUnitInput, Input, ItemModel, NotComputed, cloud_concentration,
                                       fireball_effect, lfl_mg_m3, pool_fire_effect, prepare_item, tnt_kg)
from geo.consequence.tables import ConsequenceTables, WeatherClass

ENDPOINT_LABELS = {
    "overpressure_1psi": "超压 6.9 千帕（1 磅力/平方英寸）",
    "heat_5kw": "热辐射 5 千瓦/平方米（40 秒）",
    "lfl": "爆炸下限",
    "toxic_endpoint_2": "毒性终点浓度-2",
}


@dataclass(frozen=True, eq=False)
class ThreatZone:
    """One endpoint's zone for one chemical of a unit.  ``geometry`` is WGS-84 lon/lat."""

    unit_id: str
    chemical_key: str
    chemical_name: str
    endpoint: str
    endpoint_label: str
    distance_m: float
    lower_bound: bool  # True when the distance reached the end of the computed domain
    model: str
    geometry: object
    crs: str
    inputs: tuple[Input, ...]
    model_version: str


@dataclass(frozen=True, eq=False)
class ScreeningResult:
    unit_id: str
    zones: tuple[ThreatZone, ...]
    not_computed: tuple[NotComputed, ...]
    model_version: str


def _worst_weather(t: ConsequenceTables) -> WeatherClass:
    return WeatherClass("worst", "F", t.p("screening_wind_speed_m_per_s"), 1.0)


def _flux_distance(r: np.ndarray, q: np.ndarray, level: float) -> float:
    hit = np.flatnonzero(q >= level)
    return float(r[hit[-1]]) if hit.size else 0.0


def item_endpoints(m: ItemModel, *, tables: ConsequenceTables) -> list[tuple[str, float, bool, str, tuple[Input, ...]]]:
    """(endpoint, distance_m, lower_bound, model, inputs) for one prepared item at the worst case."""
    t = tables
    out = []
    mass = m.item.quantity_t * 1000.0
    duration = t.p("screening_release_duration_s")
    rate = mass / duration
    wc = _worst_weather(t)
    xmax = t.p("dispersion_x_max_m")
    gas_like = m.storage in ("compressed_gas", "liquefied_pressurised", "refrigerated")
    weather_in = (Input("气象", f"F 类 {wc.wind_speed_m_per_s} m/s", "-", t.params["screening_wind_speed_m_per_s"].source),
                  Input("释放", f"{mass:.0f} kg / {duration:.0f} s", "-", t.params["screening_release_duration_s"].source))
    if m.flammable:
        hc = m.props.get("hc_lower_j_kg")
        if gas_like:
            w = tnt_kg(mass_kg=mass, hc_j_kg=hc, t=t, alpha=t.p("screening_tnt_yield"), ground=1.0)
            d = explosion.distance_to_overpressure_m(tnt_kg=w, overpressure_pa=t.p("screening_overpressure_pa"), fit=t.blast_fit)
            out.append(("overpressure_1psi", d, False, "TNT 当量（收率 10%，40 CFR 68.25(e)）+ Kingery–Bulmash",
                        (Input("TNT 当量", w, "kg", "0.1·W_f·Q_f/Q_TNT"),)))
            r, q, _, extra = fireball_effect(mass_kg=mass, hc_j_kg=hc, burst_pressure_mpa=(m.gauge_pressure_pa + t.p("ambient_pressure_pa")) / 1e6, t=t)
            out.append(("heat_5kw", _flux_distance(r, q, t.p("screening_heat_flux_kw_per_m2")), False, "火球（CCPS 1994）", extra))
        elif m.props.get("hvap_tb_j_kg"):
            area = m.item.bund_area_m2 or mass / (m.props.get("rho_liquid_kg_m3") or 1000.0) / t.p("pool_min_thickness_m")
            r, q, _, extra = pool_fire_effect(area_m2=area, m=m, t=t)
            out.append(("heat_5kw", _flux_distance(r, q, t.p("screening_heat_flux_kw_per_m2")), False,
                        "池火固体火焰模型（无围堰时按最小液层厚度铺展）", extra))
        if gas_like:
            conc, model, _ = cloud_concentration(m, weather=wc, t=t, rate_kg_s=rate, duration_s=duration)
            x = np.geomspace(1.0, xmax, 800)
            c = conc(x, np.zeros_like(x))
            d = dispersion.farthest_distance_m(x, c, lfl_mg_m3(m, t))
            out.append(("lfl", d, d >= xmax * 0.999, model, weather_in))
    if m.endpoint is not None and gas_like:
        conc, model, _ = cloud_concentration(m, weather=wc, t=t, rate_kg_s=rate, duration_s=duration)
        x = np.geomspace(1.0, xmax, 800)
        d = dispersion.farthest_distance_m(x, conc(x, np.zeros_like(x)), m.endpoint.endpoint_2_mg_m3)
        out.append(("toxic_endpoint_2", d, d >= xmax * 0.999, model, weather_in + (
            Input("毒性终点浓度-2", m.endpoint.endpoint_2_mg_m3, "mg/m3", f"{m.endpoint.source}（{m.endpoint.status}）"),)))
    return out


def screen_unit(unit: HazardUnitInput, *, tables: ConsequenceTables) -> ScreeningResult:
    """Worst-case threat zones of every chemical of ``unit`` (circles, WGS-84)."""
    t = tables
    frame = local_frame(lon=unit.lon, lat=unit.lat, crs=unit.crs)
    zones, nc = [], []
    for item in unit.items:
        m = prepare_item(item, tables=t, unit_id=unit.unit_id)
        if isinstance(m, NotComputed):
            nc.append(m)
            continue
        ends = item_endpoints(m, tables=t)
        if not ends:
            nc.append(NotComputed(unit.unit_id, item.chemical_key, item.name, "无适用的筛查终点（非易燃气体/液体，且无毒性终点浓度）"))
        for endpoint, d, lower, model, inputs in ends:
            if d <= 0:
                continue
            zones.append(ThreatZone(unit.unit_id, item.chemical_key, item.name, endpoint, ENDPOINT_LABELS[endpoint], d, lower,
                                    model, circle_wgs84(frame, radius_m=d), "EPSG:4326", m.inputs + inputs, t.model_version))
    return ScreeningResult(unit.unit_id, tuple(zones), tuple(nc), t.model_version)


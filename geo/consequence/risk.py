"""Risk tier (QRA, GB/T 37243-2019 §6.7): individual-risk grid and contours, GB 36894 checks, F–N curve.

Individual risk at a point (per year)::

    IR(x, y) = Σ_outcomes f_o · [ P_o(r)                                     radial outcomes
                                 | Σ_weather p_w Σ_dir f_d · P_o(x'_d, y'_d; w) directional outcomes ]

with ``f_o`` = scenario frequency × conditional probability, ``p_w`` the weather-class
probability, ``f_d`` the wind-rose frequency of the direction the wind blows *from* and
``(x'_d, y'_d)`` the point in that wind's downwind/crosswind frame.  Everything is evaluated
on numpy arrays (the grid, or the targets' points) — no loop over cells.

Contours at the levels of ``contour_levels.csv`` are traced with ``contourpy`` (filled between
the level and +∞) and returned as shapely (Multi)Polygons in WGS-84.

Notes
-----
Grid coordinates are metres in the source's local azimuthal equidistant frame (x east, y north);
the grid spacing is ``grid_cell_m`` unless the reach needs more than ``grid_max_cells_per_side``
cells, in which case it widens and the result says so (``cell_m``).
"""

from __future__ import annotations

import math
from dataclasses import dataclass

import contourpy
import numpy as np
import shapely

from geo.consequence.geometry import LocalFrame, local_frame
from geo.crs import to_wgs84
from geo.consequence.scenarios import DirectionalEffect, RadialEffect, UnitScenarios
from geo.consequence.tables import ConsequenceTables


@dataclass(frozen=True)
class ProtectionTarget:
    target_id: str
    name: str
    target_class: str  # a row of risk_criteria.csv: high_sensitivity | important | general_1 | general_2 | general_3
    lon: float
    lat: float
    crs: str
    population: float = 0.0


@dataclass(frozen=True, eq=False)
class Contour:
    level_per_year: float
    label: str
    geometry: object  # shapely (Multi)Polygon, WGS-84
    area_m2: float
    source: str
    status: str


@dataclass(frozen=True)
class TargetCheck:
    target_id: str
    name: str
    target_class: str
    individual_risk_per_year: float
    criterion_per_year: float
    installation: str
    met: bool
    text: str  # Chinese verdict
    source: str
    status: str


@dataclass(frozen=True, eq=False)
class FNCurve:
    n: np.ndarray  # fatalities N (ascending, ≥ 1)
    f_per_year: np.ndarray  # F(≥N)
    verdict: str  # 不可接受 / 尽可能降低 / 可接受 / 无 N≥1 的事件
    lines: tuple


@dataclass(frozen=True, eq=False)
class RiskResult:
    unit_id: str
    frame: LocalFrame
    x_m: np.ndarray
    y_m: np.ndarray
    ir: np.ndarray  # (ny, nx) per year
    cell_m: float
    contours: tuple[Contour, ...]
    model_version: str


# --------------------------------------------------------------------------- evaluation

def _outcomes(us: UnitScenarios):
    return [o for s in us.scenarios for o in s.outcomes if o.frequency_per_year > 0]


def individual_risk_at(us: UnitScenarios, x_m, y_m, *, tables: ConsequenceTables) -> np.ndarray:
    """IR (per year) at points (x_m, y_m) in the unit's local frame (metres); same shape as the input."""
    t = tables
    x = np.asarray(x_m, dtype=float)
    y = np.asarray(y_m, dtype=float)
    r = np.hypot(x, y)
    ir = np.zeros_like(r)
    # downwind unit vectors for each wind direction (wind FROM θ blows towards θ + 180°)
    theta = np.radians(np.asarray(t.weather.rose_from_deg) + 180.0)
    ux, uy = np.sin(theta), np.cos(theta)  # azimuth clockwise from north: east = sin, north = cos
    fd = np.asarray(t.weather.rose_frequency)
    xd = x[None, ...] * ux.reshape((-1,) + (1,) * x.ndim) + y[None, ...] * uy.reshape((-1,) + (1,) * x.ndim)
    yd = -x[None, ...] * uy.reshape((-1,) + (1,) * x.ndim) + y[None, ...] * ux.reshape((-1,) + (1,) * x.ndim)
    for o in _outcomes(us):
        if isinstance(o.effect, RadialEffect):
            ir += o.frequency_per_year * o.effect.at(r)
        else:
            acc = np.zeros_like(r)
            for w, fat in o.effect.by_weather:
                acc += w.probability * np.tensordot(fd, fat(xd, yd), axes=(0, 0))
            ir += o.frequency_per_year * acc
    return ir


def reach_m(us: UnitScenarios, *, tables: ConsequenceTables) -> float:
    cutoff = tables.p("fatality_cutoff")
    out = 0.0
    for o in _outcomes(us):
        out = max(out, o.effect.reach_m(cutoff) if isinstance(o.effect, RadialEffect) else o.effect.reach_m())
    return out


def risk_grid(us: UnitScenarios, *, tables: ConsequenceTables) -> RiskResult:
    """IR on a square grid around the unit and its contours (WGS-84)."""
    t = tables
    u = us.unit
    frame = local_frame(lon=u.lon, lat=u.lat, crs=u.crs)
    half = reach_m(us, tables=t) + t.p("grid_margin_m")
    cell = max(t.p("grid_cell_m"), 2.0 * half / t.p("grid_max_cells_per_side"))
    n = int(math.ceil(half / cell))
    axis = np.arange(-n, n + 1) * cell
    xx, yy = np.meshgrid(axis, axis)
    ir = individual_risk_at(us, xx, yy, tables=t)
    return RiskResult(u.unit_id, frame, axis, axis, ir, cell, contours(frame, axis, axis, ir, tables=t), t.model_version)


def contours(frame: LocalFrame, x_m: np.ndarray, y_m: np.ndarray, ir: np.ndarray, *, tables: ConsequenceTables) -> tuple[Contour, ...]:
    """Filled IR ≥ level polygons for each level of ``contour_levels.csv`` (empty geometry when never reached)."""
    gen = contourpy.contour_generator(x_m, y_m, ir, fill_type=contourpy.FillType.OuterOffset)
    out = []
    for lv in tables.contour_levels:
        polys = []
        if np.nanmax(ir) >= lv.level_per_year:
            points, offsets = gen.filled(lv.level_per_year, np.inf)
            for pts, offs in zip(points, offsets):
                rings = [pts[offs[i]:offs[i + 1]] for i in range(len(offs) - 1)]
                polys.append(shapely.Polygon(rings[0], rings[1:]))
        local = shapely.make_valid(shapely.MultiPolygon(polys)) if polys else shapely.MultiPolygon()
        out.append(Contour(lv.level_per_year, lv.label, frame.geometry_to_wgs84(local), float(local.area), lv.source, lv.status))
    return tuple(out)


# --------------------------------------------------------------------------- GB 36894 checks

def check_targets(us: UnitScenarios, targets: list[ProtectionTarget] | tuple[ProtectionTarget, ...], *,
                  tables: ConsequenceTables) -> tuple[TargetCheck, ...]:
    """IR at each target against GB 36894's criterion for its class (new or existing installation)."""
    t = tables
    u = us.unit
    if not targets:
        return ()
    frame = local_frame(lon=u.lon, lat=u.lat, crs=u.crs)

    ll = [to_wgs84(tg.lon, tg.lat, tg.crs) for tg in targets]
    x, y = frame.points_to_local([p[0] for p in ll], [p[1] for p in ll])
    ir = individual_risk_at(us, x, y, tables=t)
    out = []
    for tg, v in zip(targets, np.atleast_1d(ir)):
        crit = t.criteria.get(tg.target_class)
        if crit is None:
            raise ValueError(f"防护目标“{tg.name}”的类别 {tg.target_class!r} 不在 risk_criteria.csv 中")
        limit = crit.new_per_year if u.installation == "new" else crit.existing_per_year
        met = bool(v <= limit)
        kind = "新建装置" if u.installation == "new" else "在役装置"
        text = (f"{tg.name}（{crit.label}）个人风险 {per_year(v, 2)}，{'满足' if met else '不满足'} GB 36894-2018 {kind}基准 "
                f"{per_year(limit, 0)}" + ("（基准值待核）" if crit.status == "uncertain" else ""))
        out.append(TargetCheck(tg.target_id, tg.name, tg.target_class, float(v), limit, u.installation, met, text,
                               crit.source, crit.status))
    return tuple(out)


_SUPERSCRIPT = str.maketrans("-0123456789", "⁻⁰¹²³⁴⁵⁶⁷⁸⁹")


def per_year(v: float, digits: int = 2) -> str:
    """A frequency as a Chinese page writes it: ``per_year(2.64e-8)`` → ``2.64×10⁻⁸/年``, ``per_year(3e-6, 0)`` →
    ``3×10⁻⁶/年``; 0 → ``0/年``."""
    if v == 0:
        return "0/年"
    mantissa, exp = f"{v:.{digits}e}".split("e")
    return f"{mantissa}×10{str(int(exp)).translate(_SUPERSCRIPT)}/年"


# --------------------------------------------------------------------------- societal risk

def fn_curve(us: UnitScenarios, targets: list[ProtectionTarget] | tuple[ProtectionTarget, ...], *,
             tables: ConsequenceTables) -> FNCurve:
    """F–N curve of the unit from the people at the targets (expected deaths per event = Σ pop·P).

    Events: each outcome × weather class × wind direction (directional outcomes) or each outcome
    (radial), with its frequency.  ``F(N)`` = Σ frequencies of events with ≥ N deaths.
    """
    t = tables
    u = us.unit
    frame = local_frame(lon=u.lon, lat=u.lat, crs=u.crs)

    ll = [to_wgs84(tg.lon, tg.lat, tg.crs) for tg in targets]
    x, y = frame.points_to_local([p[0] for p in ll], [p[1] for p in ll]) if ll else (np.zeros(0), np.zeros(0))
    x, y = np.atleast_1d(x), np.atleast_1d(y)
    pop = np.array([tg.population for tg in targets], dtype=float)
    theta = np.radians(np.asarray(t.weather.rose_from_deg) + 180.0)
    ux, uy = np.sin(theta)[:, None], np.cos(theta)[:, None]
    fd = np.asarray(t.weather.rose_frequency)
    freqs, deaths = [], []
    for o in _outcomes(us):
        if isinstance(o.effect, RadialEffect):
            freqs.append(np.array([o.frequency_per_year]))
            deaths.append(np.array([float(pop @ o.effect.at(np.hypot(x, y)))]))
        else:
            xd = x[None, :] * ux + y[None, :] * uy
            yd = -x[None, :] * uy + y[None, :] * ux
            for w, fat in o.effect.by_weather:
                freqs.append(o.frequency_per_year * w.probability * fd)
                deaths.append(fat(xd, yd) @ pop)
    lines = t.societal_lines
    if not freqs:
        return FNCurve(np.zeros(0), np.zeros(0), "无 N≥1 的事件", lines)
    f = np.concatenate(freqs)
    nd = np.concatenate(deaths)
    ns = np.unique(np.floor(nd[nd >= 1.0]))
    if ns.size == 0:
        return FNCurve(np.zeros(0), np.zeros(0), "无 N≥1 的事件", lines)
    F = np.array([f[nd >= n].sum() for n in ns])
    return FNCurve(ns, F, fn_verdict(ns, F, lines), lines)


def fn_verdict(n, f_per_year, lines) -> str:
    """The F–N points ``(n, F)`` against the societal-risk lines: 不可接受 / 尽可能降低（the ALARP region, GB 36894
    图1） / 可接受."""
    n, F = np.asarray(n, dtype=float), np.asarray(f_per_year, dtype=float)
    if n.size == 0:
        return "无 N≥1 的事件"
    by = {ln.line: ln for ln in lines}
    verdict = "可接受"
    if "negligible" in by and np.any(F > by["negligible"].f_at(n)):
        verdict = "尽可能降低区"
    if "unacceptable" in by and np.any(F > by["unacceptable"].f_at(n)):
        verdict = "不可接受"
    return verdict


def combine_fn(curves, lines) -> FNCurve:
    """F–N of several units of one enterprise: every event belongs to one unit, so
    F(≥N) = Σ_units F_u(≥N), each unit's curve a step function of N (``curves``: (n, F) pairs)."""
    ns = np.unique(np.concatenate([np.asarray(n, dtype=float) for n, _ in curves] or [np.zeros(0)]))
    total = np.zeros(ns.size)
    for n_u, f_u in curves:
        n_u, f_u = np.asarray(n_u, dtype=float), np.asarray(f_u, dtype=float)
        if n_u.size:
            # F_u(≥N) at N = the F of the first unit point with n_u ≥ N (0 beyond the last)
            idx = np.searchsorted(n_u, ns, side="left")
            total += np.where(idx < n_u.size, f_u[np.minimum(idx, n_u.size - 1)], 0.0)
    return FNCurve(ns, total, fn_verdict(ns, total, lines), tuple(lines))

"""One hazard unit through every tier: scenarios, screening zones, IR grid and contours, target checks, F–N.

:func:`unit_models` runs the target-independent part (the expensive one: dispersion, the risk grid)
and keeps the last results in a small process memo keyed by :func:`geo.consequence.records.unit_input_hash`
— the hash covers every input, the model version and a digest of the data, so a hit is the same
result the models would give again.  :func:`check_unit` evaluates the targets against it (cheap).

Used by the refresh (:mod:`geo.postgis.consequence`) and the siting check
(:func:`geo.postgis.consequence.consequence_findings`) alike: one set of models.
"""

from __future__ import annotations

import math
import threading
from collections import OrderedDict
from dataclasses import dataclass

import numpy as np

from geo.consequence.geometry import local_frame
from geo.consequence.records import unit_input_hash
from geo.consequence.risk import (FNCurve, ProtectionTarget, RiskResult, TargetCheck, check_targets, fn_curve,
                                  individual_risk_at, reach_m, risk_grid)
from geo.consequence.scenarios import HazardUnitInput, UnitScenarios, unit_scenarios
from geo.consequence.screening import ScreeningResult, screen_unit
from geo.consequence.tables import ConsequenceTables

MEMO_SIZE = 256  # units kept in the process memo (each a few hundred kB at most)
_memo: OrderedDict = OrderedDict()
_lock = threading.Lock()


@dataclass(frozen=True, eq=False)
class UnitModels:
    input_hash: str
    scenarios: UnitScenarios
    screening: ScreeningResult
    grid: RiskResult | None  # None when no scenario was computed
    reach_m: float


@dataclass(frozen=True, eq=False)
class UnitChecks:
    checks: tuple[TargetCheck, ...]
    required_m: dict  # target_id → distance along its bearing where IR falls to its criterion (failed checks)
    fn: FNCurve


def unit_models(unit: HazardUnitInput, *, tables: ConsequenceTables, input_hash: str | None = None) -> UnitModels:
    """Scenarios, screening zones and the IR grid of ``unit`` (memoised by input hash)."""
    h = input_hash or unit_input_hash(unit, tables=tables)
    with _lock:
        hit = _memo.get(h)
        if hit is not None:
            _memo.move_to_end(h)
            return hit
    us = unit_scenarios(unit, tables=tables)
    sc = screen_unit(unit, tables=tables)
    grid = risk_grid(us, tables=tables) if us.scenarios else None
    out = UnitModels(h, us, sc, grid, reach_m(us, tables=tables) if us.scenarios else 0.0)
    with _lock:
        _memo[h] = out
        while len(_memo) > MEMO_SIZE:
            _memo.popitem(last=False)
    return out


def cached(input_hash: str) -> UnitModels | None:
    with _lock:
        return _memo.get(input_hash)


def required_distance_m(us: UnitScenarios, target: ProtectionTarget, criterion_per_year: float, *,
                        tables: ConsequenceTables, reach: float) -> float:
    """Along the bearing from the unit to ``target``: the farthest distance (m) where IR ≥ the criterion."""
    u = us.unit
    frame = local_frame(lon=u.lon, lat=u.lat, crs=u.crs)
    x, y = frame.points_to_local([target.lon], [target.lat])
    bearing = math.atan2(float(x[0]), float(y[0]))
    r = np.linspace(0.0, reach + tables.p("grid_margin_m"), 801)
    ir = individual_risk_at(us, r * math.sin(bearing), r * math.cos(bearing), tables=tables)
    hit = np.flatnonzero(ir >= criterion_per_year)
    return float(r[hit[-1]]) if hit.size else 0.0


def check_unit(models: UnitModels, targets: list[ProtectionTarget], *, tables: ConsequenceTables) -> UnitChecks:
    """GB 36894 checks of ``targets``, the distance each failed one would need, and the unit's F–N."""
    us = models.scenarios
    if not us.scenarios or not targets:
        return UnitChecks((), {}, fn_curve(us, [], tables=tables))
    checks = check_targets(us, targets, tables=tables)
    by_id = {t.target_id: t for t in targets}
    need = {c.target_id: required_distance_m(us, by_id[c.target_id], c.criterion_per_year, tables=tables,
                                             reach=models.reach_m)
            for c in checks if not c.met}
    return UnitChecks(checks, need, fn_curve(us, targets, tables=tables))

"""Probit vulnerability: ``P = Φ(Pr − 5)`` with ``Pr = a + b·ln(dose)`` (Finney 1971; TNO Green Book CPR 16E).

Dose by effect (constants in ``data/rules/consequence/probits.csv``):

* thermal — ``∫q^(4/3)dt`` with q in W/m² and t in s (steady flux: ``q^(4/3)·t``);
* overpressure — the side-on peak overpressure ΔPs in Pa;
* toxic — ``C^n·t`` with C in mg/m³ and t in min.
"""

from __future__ import annotations

import numpy as np
from scipy.special import ndtr

from geo.consequence.tables import Probit


def probability(pr):
    """Fatality probability from a probit value (array)."""
    return ndtr(np.asarray(pr, dtype=float) - 5.0)


def _log(x):
    return np.log(np.maximum(np.asarray(x, dtype=float), 1e-300))


def thermal_fatality(flux_kw_m2, *, exposure_s: float, probit: Probit):
    """Φ(a + b·ln(q^n·t) − 5), q converted to W/m²; zero flux → 0."""
    q = np.asarray(flux_kw_m2, dtype=float) * 1000.0
    p = probability(probit.a + probit.b * (probit.n * _log(q) + np.log(exposure_s)))
    return np.where(q > 0, p, 0.0)


def overpressure_fatality(overpressure_pa, *, probit: Probit):
    p = np.asarray(overpressure_pa, dtype=float)
    return np.where(p > 0, probability(probit.a + probit.b * _log(p)), 0.0)


def toxic_fatality(concentration_mg_m3, *, exposure_min, probit: Probit):
    """Φ(a + b·ln(C^n·t) − 5) for a steady concentration over ``exposure_min`` minutes."""
    c = np.asarray(concentration_mg_m3, dtype=float)
    p = probability(probit.a + probit.b * (probit.n * _log(c) + _log(exposure_min)))
    return np.where(c > 0, p, 0.0)

"""Consequence benchmark: screening zones + QRA (IR grid, contours) for the major-hazard units of the
province-scale set, with the time per unit.

    python benchmarks/consequence.py [--units N] [--quick] [--out PATH]

The province-scale set is the one ``benchmarks/refresh.py`` seeds (50 000 enterprises; one storage
unit per non-station enterprise, i.e. half of them; chlorine, methanol or LPG by unit number, 1–201 t):
its hazard units are drawn here with the same distribution (seeded numpy generator — the refresh
benchmark draws in SQL, so the quantities are alike, not equal) and kept when they are GB 18218
major hazards (chlorine q ≥ 5 t, LPG q ≥ 50 t; methanol never reaches 500 t).  ``--units N`` runs
the first N of them (default: all — about 14 000 units, many hours; the result records how many
ran and extrapolates the total from the per-chemical means).  No database is needed: the models are
pure.  Per unit the script times the scenario build, the screening tier and the risk grid; then it
times the reuse path of the refresh (input hash + memo hit) on the same units.  Results:
``benchmarks/results/consequence.json`` (``--quick``: 6 units, written only to ``--out``).
"""

from __future__ import annotations

import argparse
import datetime as dt
import json
import sys
import time
from pathlib import Path

import numpy as np

REPO = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(REPO))
sys.path.append(str(REPO / "benchmarks"))

from tests.helpers import machine  # noqa: E402

from geo.consequence.risk import risk_grid  # noqa: E402
from geo.consequence.scenarios import HazardUnitInput, InventoryItem, unit_scenarios  # noqa: E402
from geo.consequence.screening import screen_unit  # noqa: E402
from geo.consequence.tables import load_consequence_tables  # noqa: E402

# (catalogue key, name, CAS, GB 18218 threshold t) — the province set's chemicals (benchmarks/refresh.py SEED_SQL:
# unit id % 3 == 0 → T1-12, 1 → T1-65, 2 → T1-52); thresholds from data/reference/gb18218_table1_named.csv
CHEMICALS = {0: ("T1-12", "氯", "7782-50-5", 5.0), 1: ("T1-65", "甲醇", "67-56-1", 500.0),
             2: ("T1-52", "液化石油气", "68476-85-7", 50.0)}
PROVINCE = (50_000, 2.2)  # enterprises, half-width of the area (deg) — SCALES["province"] of benchmarks/refresh.py
CENTRE = (112.85, 35.50)


def province_major_units(seed: int = 42) -> list[HazardUnitInput]:
    """The major-hazard units of the province-scale set, in unit order."""
    rng = np.random.default_rng(seed)
    n_ent, w = PROVINCE
    out = []
    for g in range(1, n_ent + 1):
        lon = CENTRE[0] + float(rng.uniform(-w, w))
        lat = CENTRE[1] + float(rng.uniform(-w, w))
        qty = 1.0 + float(rng.uniform(0.0, 200.0))
        if g % 10 < 5:  # fuel stations: no hazard unit in the set
            continue
        key, name, cas, q = CHEMICALS[g % 3]
        if qty >= q:
            out.append(HazardUnitInput(f"BU{g:05d}", lon, lat, "wgs84", (InventoryItem(key, name, cas, round(qty, 3)),)))
    return out


def units(n: int | None, seed: int = 42) -> tuple[list[HazardUnitInput], int]:
    """The first ``n`` major-hazard units (all when None) and how many the set holds."""
    every = province_major_units(seed)
    return (every if n is None else every[:n]), len(every)


def run(n: int | None) -> dict:
    from geo.consequence import assess
    from geo.consequence.records import unit_input_hash

    tables = load_consequence_tables(REPO / "data" / "rules" / "consequence")
    chosen, total_units = units(n)
    per_unit = []
    for u in chosen:
        t0 = time.perf_counter()
        us = unit_scenarios(u, tables=tables)
        t1 = time.perf_counter()
        sc = screen_unit(u, tables=tables)
        t2 = time.perf_counter()
        rg = risk_grid(us, tables=tables) if us.scenarios else None
        t3 = time.perf_counter()
        per_unit.append({"unit": u.unit_id, "chemical": u.items[0].name, "quantity_t": u.items[0].quantity_t,
                         "scenarios_s": t1 - t0, "screening_s": t2 - t1, "qra_s": t3 - t2, "total_s": t3 - t0,
                         "zones": len(sc.zones), "grid_cells": 0 if rg is None else int(rg.ir.size),
                         "cell_m": None if rg is None else rg.cell_m, "not_computed": len(us.not_computed)})
        h = unit_input_hash(u, tables=tables)
        assess._memo[h] = assess.UnitModels(h, us, sc, rg, 0.0)  # what the refresh keeps for the next run
    t0 = time.perf_counter()
    hits = sum(assess.cached(unit_input_hash(u, tables=tables)) is not None for u in chosen)
    reuse_s = time.perf_counter() - t0
    tot = np.array([p["total_s"] for p in per_unit])
    by_chem: dict[str, list[float]] = {}
    for p in per_unit:
        by_chem.setdefault(p["chemical"], []).append(p["total_s"])
    share = {}
    for u in province_major_units():
        share[u.items[0].name] = share.get(u.items[0].name, 0) + 1
    extrapolated = sum(share[k] * float(np.mean(v)) for k, v in by_chem.items() if k in share)
    return {"set": "province", "units": len(chosen), "major_units_in_set": total_units,
            "major_units_by_chemical": share, "total_s": float(tot.sum()),
            "per_unit_mean_s": float(tot.mean()), "per_unit_p95_s": float(np.percentile(tot, 95)),
            "per_unit_max_s": float(tot.max()),
            "per_chemical_mean_s": {k: float(np.mean(v)) for k, v in by_chem.items()},
            "all_units_extrapolated_s": round(extrapolated, 1) if len(by_chem) == len(share) else None,
            "reuse_s_per_unit": reuse_s / max(len(chosen), 1), "reuse_hits": hits,
            "model_version": tables.model_version, "per_unit": per_unit}


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--units", type=int, default=None, help="the first N major-hazard units (default: all)")
    ap.add_argument("--quick", action="store_true", help="6 units; prints, writes only with --out")
    ap.add_argument("--out", type=Path, default=None)
    a = ap.parse_args(argv)
    n = 6 if a.quick else a.units
    metrics = run(n)
    doc = {"name": "consequence", "date": dt.datetime.now(dt.timezone.utc).isoformat(timespec="seconds"),
           "machine": machine(),
           "metrics": metrics}
    out = a.out or (None if a.quick else REPO / "benchmarks" / "results" / "consequence.json")
    if out is not None:
        out.write_text(json.dumps(doc, ensure_ascii=False, indent=1), encoding="utf-8")
    print(json.dumps({k: v for k, v in metrics.items() if k != "per_unit"}, ensure_ascii=False, indent=1))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())

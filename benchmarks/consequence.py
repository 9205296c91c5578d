"""Consequence benchmark: screening zones + QRA (IR grid, contours) for every major-hazard unit of a
synthetic province-scale set.

    python benchmarks/consequence.py [--units N] [--quick] [--out PATH]

Unit inventories are generated deterministically (seeded numpy generator) from the chemicals the
model covers (chlorine, ammonia, LPG, natural gas, benzene, methanol, gasoline, hydrogen sulphide),
with quantities above their GB 18218 thresholds so that every unit is a major hazard source.  No
database is needed: the models are pure.  For each unit the script times the scenario build, the
screening tier and the risk grid separately.  Results: ``benchmarks/results/consequence.json``
(``--quick``: 6 units, written to ``--out`` if given, else the same file is NOT touched — quick
runs print only).
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

from _scratch import machine  # noqa: E402

from geo.consequence.risk import risk_grid  # noqa: E402
from geo.consequence.scenarios import HazardUnitInput, InventoryItem, unit_scenarios  # noqa: E402
from geo.consequence.screening import screen_unit  # noqa: E402
from geo.consequence.tables import load_consequence_tables  # noqa: E402

# (catalogue key, name, CAS, GB 18218 threshold t) — thresholds from data/reference/gb18218_table1_named.csv
CHEMICALS = [
    ("T1-12", "氯", "7782-50-5", 5.0),
    ("T1-01", "氨", "7664-41-7", 10.0),
    ("T1-52", "液化石油气", "68476-85-7", 50.0),
    ("T1-49", "甲烷,天然气", "74-82-8", 50.0),
    ("T1-57", "苯", "71-43-2", 50.0),
    ("T1-65", "甲醇", "67-56-1", 500.0),
    ("T1-66", "汽油", "86290-81-5", 200.0),
    ("T1-10", "硫化氢", "7783-06-4", 5.0),
]
PROVINCE_UNITS = 600  # major-hazard units of a province-scale set (Shanxi order of magnitude)
CENTRE = (112.85, 35.50)


def units(n: int, seed: int = 42) -> list[HazardUnitInput]:
    rng = np.random.default_rng(seed)
    out = []
    for i in range(n):
        k = int(rng.integers(len(CHEMICALS)))
        key, name, cas, q = CHEMICALS[k]
        qty = float(q * rng.uniform(1.0, 5.0))
        lon = CENTRE[0] + float(rng.uniform(-2.2, 2.2))
        lat = CENTRE[1] + float(rng.uniform(-2.2, 2.2))
        out.append(HazardUnitInput(f"BU{i:05d}", lon, lat, "wgs84", (InventoryItem(key, name, cas, round(qty, 3)),)))
    return out


def run(n: int) -> dict:
    tables = load_consequence_tables(REPO / "data" / "rules" / "consequence")
    per_unit = []
    for u in units(n):
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
    tot = np.array([p["total_s"] for p in per_unit])
    by_chem: dict[str, list[float]] = {}
    for p in per_unit:
        by_chem.setdefault(p["chemical"], []).append(p["total_s"])
    return {"units": n, "total_s": float(tot.sum()), "per_unit_mean_s": float(tot.mean()),
            "per_unit_p95_s": float(np.percentile(tot, 95)), "per_unit_max_s": float(tot.max()),
            "per_chemical_mean_s": {k: float(np.mean(v)) for k, v in by_chem.items()},
            "model_version": tables.model_version, "per_unit": per_unit}


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--units", type=int, default=PROVINCE_UNITS)
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

"""Smoke run of ``benchmarks/reliability.py --quick`` (the full size is run by hand, not in CI)."""

from __future__ import annotations

import importlib.util
import json
from pathlib import Path

BENCH = Path(__file__).resolve().parent.parent / "benchmarks" / "reliability.py"


def test_reliability_benchmark_quick(postgis_available, tmp_path):
    spec = importlib.util.spec_from_file_location("reliability_bench", BENCH)
    bench = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(bench)
    out = tmp_path / "reliability.json"
    result = bench.main(["--quick", "--out", str(out)])
    assert json.loads(out.read_text(encoding="utf-8")) == result
    m = result["metrics"]
    assert result["name"] == "reliability" and m["enterprises"] == 500
    # every old enterprise removed, with everything that referred to it; as many new ones in
    assert m["removed"] == 500 and m["inserted"] == 500
    assert m["rows_before"]["hazard_unit"] == 250 and m["rows_before"]["conflict"] > 0  # every 2nd has a unit
    assert all(n == 0 for n in m["rows_after"].values())
    assert m["replace_s"] > 0 and set(m["child_rows_read_during_replace"]) == set(m["rows_before"])

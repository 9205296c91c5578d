"""Each benchmark still runs (tiny sizes; the committed results come from full runs)."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parent.parent

pytestmark = pytest.mark.postgis


def _run(script: str, *args: str, out: Path) -> dict:
    r = subprocess.run([sys.executable, str(REPO / "benchmarks" / script), *args, "--out", str(out)],
                       capture_output=True, text=True, timeout=600, cwd=REPO)
    assert r.returncode == 0, r.stdout + r.stderr
    return json.loads(out.read_text(encoding="utf-8"))


def test_etl_benchmark_runs_with_its_baselines(postgis_available, tmp_path):
    res = _run("etl.py", "--sizes", "300", out=tmp_path / "etl.json")
    m = res["metrics"]["sizes"]["300"]
    assert m["status"] == "succeeded" and m["rejected"] == 0 and m["inserted"] == 300
    assert m["rows"] == 300 + 60  # one hazard-unit line for every 5th enterprise
    assert m["ogr2ogr_rows_per_s"] > 0 and m["copy_rows_per_s"] > 0

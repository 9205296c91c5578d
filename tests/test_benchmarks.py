"""Each benchmark still runs (tiny sizes; the committed results come from full runs)."""

from __future__ import annotations

import json
import math
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


def test_refresh_benchmark_checks_every_join_and_fits_the_growth(postgis_available, tmp_path):
    readme = tmp_path / "README.md"
    readme.write_text("# x\n<!-- refresh-national:start (written by benchmarks/refresh.py --readme) -->\nold\n"
                      "<!-- refresh-national:end -->\nafter\n", encoding="utf-8")
    res = _run("refresh.py", "--quick", "--readme", str(readme), out=tmp_path / "refresh.json")
    assert list(res["metrics"]) == ["quick-1", "quick-2", "quick-3"]
    for m in res["metrics"].values():
        assert m["pairs"] > 0 and m["refresh_s"] > 0 and len(m["steps"]) >= 7
        assert abs(sum(m["steps"].values()) - m["refresh_s"]) < 0.5 * m["refresh_s"]
        for join in m["joins"].values():  # each join returns exactly the refresh's pairs
            assert join["agrees"] and join["missing"] == join["extra"] == 0
        assert m["fastest_join_method"] in ("postgis_metric", "strtree")
        assert m["ratio"] == pytest.approx(m["refresh_s"] / m["fastest_join_s"], rel=0.01)
        for w in ("1", "2"):
            run = m["dask"]["workers"][w]
            assert run["pairs"] == m["pairs"] and run["conflicts"]["agrees"] and run["exposure"]["agrees"]
        assert m["dask"]["partitions"] >= 2
        inc = m["incremental_one_enterprise"]  # one moved enterprise: measured incrementally, not in full
        assert inc["incremental"] and inc["measured"]["plan"]["changed_enterprises"] == 1
        assert 1 <= inc["measured"]["conflict_sources_measured"] < m["enterprises"]
    fit = res["scaling"]["refresh_s"]
    assert fit["points"] == 3 and {"a_enterprises", "b_targets"} <= fit.keys()
    national = res["national"]["targets"]["100000000"]
    # the extrapolation is the fit evaluated at 2×10⁵ enterprises and 10⁸ targets
    expected = math.exp(fit["log_c"] + fit["a_enterprises"] * math.log(2e5) + fit["b_targets"] * math.log(1e8))
    assert national["one_machine_refresh_s"] == pytest.approx(expected, rel=1e-3)
    by_workers = [national["dask_workers"][n] for n in ("1", "2", "4", "8", "16", "32")]
    assert by_workers == sorted(by_workers, reverse=True)  # Amdahl: more workers are never slower
    text = readme.read_text(encoding="utf-8")  # the README's table is this run's extrapolation
    assert "old" not in text and text.endswith("after\n") and "| 1e+08 |" in text and "16 Dask workers" in text

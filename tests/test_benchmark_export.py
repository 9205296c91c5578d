"""benchmarks/export.py runs end to end at its --quick size: both tools export every feature, and the
result file has the figures the issue asks for (no timing is asserted: speed is the benchmark's job)."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent


def test_export_benchmark_quick(postgis_available, tmp_path):
    out = tmp_path / "export.json"
    res = subprocess.run([sys.executable, str(REPO / "benchmarks" / "export.py"), "--quick", "--out", str(out)],
                         capture_output=True, text=True, timeout=900)
    assert res.returncode == 0, res.stderr[-2000:]
    result = json.loads(out.read_text(encoding="utf-8"))
    assert result["quick"] is True and result["sizes"] == [1000, 5000]
    for n in ("1000", "5000"):
        m = result["metrics"][n]
        for fmt in ("csv", "geojson", "gpkg"):
            assert m[fmt]["hazmap"]["features"] == m[fmt]["ogr2ogr"]["features"] == int(n), (n, fmt)
            assert m[fmt]["ratio"] > 0 and m[fmt]["hazmap"]["peak_rss_mb"] > 0
        pages = m["pages"]
        assert pages["offset"] == int(int(n) * 0.95)
        assert pages["offset_page_features"] == pages["keyset_page_features"] == min(100, int(n) - pages["offset"])
    assert set(result["summary"]) == {"csv", "geojson", "gpkg"}

"""Smoke run of ``benchmarks/transport.py --quick``: the listener in its own process, simulated terminals, no loss."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent


def test_transport_benchmark_quick(postgis_available, tmp_path):
    out = tmp_path / "transport.json"
    env = {k: v for k, v in os.environ.items() if k not in ("HAZMAP_CONFIG", "DATABASE_URL")}
    proc = subprocess.run([sys.executable, "benchmarks/transport.py", "--quick", "--out", str(out)], cwd=REPO, env=env,
                          capture_output=True, text=True, timeout=600)
    assert proc.returncode == 0, proc.stdout + proc.stderr
    result = json.loads(out.read_text(encoding="utf-8"))
    m = result["metrics"]
    # --quick: 20 terminals, 3 fixes in 3 s at 1/s, then 10/s for 2 s = 20 more each: 20 × 23 = 460
    assert (m["terminals"], m["authenticated"], m["sent"]) == (20, 20, 460)
    assert m["stored"] == m["acked"] == 460 and m["no_loss"] is True
    assert m["refused"] == m["unanswered"] == 0
    assert m["burst"]["fixes"] == 400 and m["steady"]["fixes"] == 60
    assert m["route_checks"]["positions"] == 10_000
    assert set(m["route_checks"]["alarms"]) <= {"TR-SPEED", "TR-DEVIATION", "TR-DWELL", "TR-DRIVING", "TR-ZONE"}
    assert result["quick"] is True and "'stored': 460" in m["listener"]

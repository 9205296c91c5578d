"""JT/T 808 benchmark: simulated terminals on loopback into PostGIS, then route checks over 1 M stored positions.

    python benchmarks/transport.py [--terminals 1000] [--seconds 60] [--interval 10] [--burst-rate 5]
                                   [--burst-seconds 10] [--route-points 1000000] [--quick] [--admin-url URL]
                                   [--out PATH]

1. A scratch database (``db init``) and ``hazmap transport listen --port 0`` in its own process
   (the listener and the simulator must not share one core).
2. Steady phase: every terminal registers, authenticates and sends one 0x0200 fix every
   ``interval`` seconds for ``seconds`` seconds (1 000 × 1/10 s = 100 fixes/s offered).
3. Burst: when every terminal has finished, all send ``burst-rate`` fixes a second for
   ``burst-seconds`` (1 000 × 5/s = 5 000 fixes/s offered, at most 32 unacknowledged each) — the
   sustained rate the target asks for, with the ack latency at that rate.
4. ``stored == sent``: the rows in ``vehicle_position`` equal the fixes the listener acknowledged,
   and every fix sent was acknowledged (no loss, no refusal, no timeout).
5. Route checks: ``route-points`` synthetic fixes are COPYed into ``vehicle_position``, read back
   as one track and checked (speed with an expressway, deviation, dwell with parking, driving
   time, 20 restricted zones); load and check times are reported separately.

Metrics: ``steady`` and ``burst`` (fixes sent/acknowledged, stored per second, ack latency p50/p99 —
from writing the frame to reading its 0x8001, measured by the simulator), ``no_loss``,
``route_checks``; targets ≥ 5 000 positions/s stored in the burst with p99 ack < 100 ms on 2 cores.
``--quick`` runs it small (20 terminals, 3 s, a 2 s burst, 10 000 route points) for the test suite's
smoke run.
Results: ``benchmarks/results/transport.json``.
"""

from __future__ import annotations

import argparse
import asyncio
import datetime as dt
import json
import os
import re
import signal
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import numpy as np

REPO = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(REPO))
sys.path.append(str(REPO / "benchmarks"))

from tests.helpers import ADMIN_URL as DEFAULT_ADMIN_URL, drop_database, machine, scratch_url  # noqa: E402

from hazmap.db.init import init_database  # noqa: E402
from hazmap.transport.sink import libpq_url  # noqa: E402

CENTRE = (112.85, 35.50)


def _percentile_ms(values: list[float], q: float) -> float | None:
    return round(float(np.percentile(values, q)) * 1000, 2) if values else None


def start_listener(url: str, log_path: Path) -> tuple[subprocess.Popen, int]:
    env = {**os.environ, "DATABASE_URL": url}
    env.pop("HAZMAP_CONFIG", None)
    proc = subprocess.Popen([sys.executable, "-c", "from hazmap.cli import main; main()", "transport", "listen",
                             "--host", "127.0.0.1", "--port", "0"], env=env, stdout=subprocess.PIPE,
                            stderr=log_path.open("w"), text=True, cwd=REPO)
    line = proc.stdout.readline()
    m = re.search(r"127\.0\.0\.1:(\d+)", line)
    if not m:
        proc.kill()
        raise SystemExit(f"listener did not start: {line!r}; see {log_path}")
    return proc, int(m.group(1))


def stop_listener(proc: subprocess.Popen) -> str:
    proc.send_signal(signal.SIGINT)
    out, _ = proc.communicate(timeout=60)
    return out.strip()


def _tracks(n_terminals: int, n_fixes: int, interval_s: float, start: dt.datetime):
    from hazmap.transport.simulator import fixes_along

    rng = np.random.default_rng(7)
    out = []
    for _ in range(n_terminals):
        lon0, lat0 = CENTRE[0] + rng.uniform(-0.1, 0.1), CENTRE[1] + rng.uniform(-0.1, 0.1)
        steps = rng.normal(0, 0.001 * interval_s / 10, size=(max(n_fixes, 2), 2)).cumsum(axis=0)  # ≈ 50 km/h
        track = list(zip(lon0 + steps[:, 0], lat0 + steps[:, 1]))
        out.append(fixes_along(track, start=start, interval_s=interval_s, count=n_fixes))
    return out


def run_terminals(port: int, n: int, seconds: float, interval_s: float, burst_rate: float,
                  burst_seconds: float) -> dict:
    from hazmap.transport.simulator import simulate, terminals

    specs = terminals(n)
    steady_fixes = max(1, int(seconds // interval_s))
    start = dt.datetime.now(dt.timezone.utc).replace(microsecond=0)
    fixes = _tracks(n, steady_fixes, interval_s, start)
    burst = int(burst_rate * burst_seconds)
    bursts = _tracks(n, burst, 1.0 / burst_rate, start + dt.timedelta(seconds=seconds)) if burst else None
    t0 = time.perf_counter()
    runs = asyncio.run(simulate("127.0.0.1", port, specs, fixes, interval_s=interval_s, window=32, timeout_s=60,
                                bursts=bursts, burst_interval_s=1.0 / burst_rate if burst else 0.0))
    wall = time.perf_counter() - t0
    steady_lat = [x for r in runs for x in r.latencies_s]
    burst_lat = [x for r in runs for x in r.burst_latencies_s]
    b_start = min((r.burst_started for r in runs if r.burst_started), default=None)
    b_end = max((r.burst_done for r in runs if r.burst_done), default=None)
    acked = sum(len(r.acked) for r in runs)
    sent = n * (steady_fixes + burst)
    burst_acked = len(burst_lat)
    burst_s = (b_end - b_start) if b_start and b_end else None
    return {
        "terminals": n, "authenticated": sum(r.authenticated for r in runs), "sent": sent, "acked": acked,
        "refused": sum(r.refused for r in runs), "unanswered": sum(r.unanswered for r in runs),
        "wall_s": round(wall, 2),
        "steady": {"fixes": n * steady_fixes, "offered_per_s": round(n / interval_s, 1),
                   "ack_p50_ms": _percentile_ms(steady_lat, 50), "ack_p99_ms": _percentile_ms(steady_lat, 99)},
        "burst": {"fixes": n * burst, "offered_per_s": round(n * burst_rate, 1),
                  "seconds": round(burst_s, 3) if burst_s else None,
                  "stored_per_s": round(burst_acked / burst_s, 1) if burst_s else None,
                  "ack_p50_ms": _percentile_ms(burst_lat, 50), "ack_p99_ms": _percentile_ms(burst_lat, 99)},
    }


def count_rows(url: str) -> int:
    import psycopg

    with psycopg.connect(libpq_url(url)) as conn:
        return conn.execute("select count(*) from vehicle_position").fetchone()[0]


def _synthetic_drive(n: int, rng) -> tuple[np.ndarray, ...]:
    """``n`` fixes 10 s apart: a vehicle at 30–58 km/h with a speeding episode or a long stop now and then."""
    t = 1_715_300_000 + np.arange(n) * 10.0
    speed = rng.uniform(30, 58, n)
    episode = rng.integers(0, n, size=max(1, n // 1000))
    for j, k in enumerate(episode):  # every ~2.8 h on average: 2 min at 65–95 km/h, or a 40 min stop
        if j % 2:
            speed[k:k + 12] = rng.uniform(65, 95, len(speed[k:k + 12]))
        else:
            speed[k:k + 240] = 0.0
    heading = np.cumsum(rng.normal(0, 0.05, n))
    step = speed / 3.6 * 10 / 111_000  # degrees per 10 s, roughly
    lon = CENTRE[0] + (np.cumsum(step * np.cos(heading)) + 0.2) % 0.4 - 0.2
    lat = CENTRE[1] + (np.cumsum(step * np.sin(heading)) + 0.2) % 0.4 - 0.2
    return t, lon, lat, speed


def route_checks(url: str, n: int) -> dict:
    """COPY ``n`` synthetic fixes of one vehicle, read them back as a Track, run every route check."""
    import io

    import pandas as pd
    import psycopg
    import shapely

    from geo.transport.route import RestrictedZone, TimeWindow, Track, check_route
    from geo.transport.rules import load_route_rules
    from hazmap.domain import data_dir

    rng = np.random.default_rng(11)
    t, lon, lat, speed = _synthetic_drive(n, rng)
    stamps = np.datetime_as_string(t.astype("datetime64[s]"), unit="s", timezone="UTC")
    t0 = time.perf_counter()
    with psycopg.connect(libpq_url(url)) as conn:
        with conn.cursor().copy("COPY vehicle_position (terminal_phone, device_time, receive_time, lon, lat, "
                                "speed_kmh, direction_deg, altitude_m, alarm, status) FROM STDIN") as copy:
            for i in range(0, n, 100_000):
                rows = [f"route-bench\t{s}\t{s}\t{x!r}\t{y!r}\t{v!r}\t0\t700\t0\t3\n"
                        for s, x, y, v in zip(stamps[i:i + 100_000], lon[i:i + 100_000].tolist(),
                                              lat[i:i + 100_000].tolist(), speed[i:i + 100_000].tolist())]
                copy.write("".join(rows))
    copy_s = time.perf_counter() - t0
    t0 = time.perf_counter()
    buf = io.BytesIO()
    with psycopg.connect(libpq_url(url)) as conn:
        with conn.cursor().copy("COPY (select extract(epoch from device_time)::float8, lon, lat, speed_kmh "
                                "from vehicle_position where terminal_phone = 'route-bench' order by device_time) "
                                "TO STDOUT") as copy:
            for block in copy:
                buf.write(block)
    buf.seek(0)
    arr = pd.read_csv(buf, sep="\t", header=None, dtype=float).to_numpy()
    track = Track(arr[:, 0], arr[:, 1], arr[:, 2], arr[:, 3])
    load_s = time.perf_counter() - t0
    rules = load_route_rules(data_dir("rules"))
    planned = shapely.LineString([(CENTRE[0] - 0.2, CENTRE[1] - 0.2), (CENTRE[0] + 0.2, CENTRE[1] + 0.2)])
    expressway = shapely.LineString([(CENTRE[0] - 0.2, CENTRE[1]), (CENTRE[0] + 0.2, CENTRE[1])])
    parking = shapely.MultiPolygon([shapely.box(CENTRE[0] + dx, CENTRE[1] + dy, CENTRE[0] + dx + 0.01, CENTRE[1] + dy + 0.01)
                                    for dx in (-0.15, 0.0, 0.1) for dy in (-0.1, 0.05)])
    corners = rng.uniform(-0.2, 0.2, size=(20, 2)) + CENTRE
    zones = [RestrictedZone(f"Z{k}", f"限行区{k}", shapely.box(*corners[k], *(corners[k] + 0.008)),  # ≈ 700 m boxes
                            classes=frozenset({"2.3", "3"}) if k % 2 else None,
                            windows=(TimeWindow(7 * 3600, 9 * 3600),) if k % 3 == 0 else ())
             for k in range(20)]
    t0 = time.perf_counter()
    alarms = check_route(track, rules, planned=planned, expressways=expressway, parking=parking, zones=zones,
                         classes=frozenset({"3"}))
    check_s = time.perf_counter() - t0
    by_rule: dict[str, int] = {}
    for a in alarms:
        by_rule[a.rule_id] = by_rule.get(a.rule_id, 0) + 1
    return {"positions": n, "copy_s": round(copy_s, 2), "load_s": round(load_s, 2), "check_s": round(check_s, 2),
            "positions_per_s_checked": round(n / check_s), "alarms": by_rule}


def main(argv=None) -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--terminals", type=int, default=1000)
    ap.add_argument("--seconds", type=float, default=60.0)
    ap.add_argument("--interval", type=float, default=10.0)
    ap.add_argument("--burst-rate", type=float, default=5.0, help="fixes per second per terminal in the burst")
    ap.add_argument("--burst-seconds", type=float, default=10.0)
    ap.add_argument("--route-points", type=int, default=1_000_000)
    ap.add_argument("--quick", action="store_true", help="20 terminals, 3 s, 2 s burst at 10/s, 10 000 route points")
    ap.add_argument("--admin-url", default=DEFAULT_ADMIN_URL)
    ap.add_argument("--out", type=Path, default=REPO / "benchmarks" / "results" / "transport.json")
    a = ap.parse_args(argv)
    if a.quick:
        a.terminals, a.seconds, a.interval, a.burst_rate, a.burst_seconds, a.route_points = 20, 3.0, 1.0, 10.0, 2.0, 10_000
    url = scratch_url("hazmap_transportbench", a.admin_url)
    init_database(url)
    try:
        with tempfile.TemporaryDirectory() as tmp:
            log_path = Path(tmp) / "listener.log"
            proc, port = start_listener(url, log_path)
            try:
                print(f"[transport] {a.terminals} terminals × {a.seconds:g} s at 1/{a.interval:g} s, then "
                      f"{a.burst_rate:g}/s × {a.burst_seconds:g} s …", flush=True)
                sim = run_terminals(port, a.terminals, a.seconds, a.interval, a.burst_rate, a.burst_seconds)
                stored = count_rows(url)
            finally:
                listener_summary = stop_listener(proc)
        print(f"[transport] {sim}", flush=True)
        print(f"[transport] route checks over {a.route_points} positions …", flush=True)
        route = route_checks(url, a.route_points)
        print(f"[transport] {route}", flush=True)
    finally:
        drop_database(url, a.admin_url)
    no_loss = stored == sim["acked"] == sim["sent"]
    burst = sim["burst"]
    result = {"name": "transport", "date": dt.datetime.now(dt.timezone.utc).isoformat(timespec="seconds"),
              "machine": machine(),
              "metrics": {**sim, "stored": stored, "no_loss": no_loss, "route_checks": route,
                          "targets": {"burst_stored_per_s": 5000, "ack_p99_ms": 100,
                                      "met": bool(no_loss and (burst["stored_per_s"] or 0) >= 5000
                                                  and (burst["ack_p99_ms"] or 1e9) < 100
                                                  and (sim["steady"]["ack_p99_ms"] or 1e9) < 100)},
                          "listener": listener_summary},
              "quick": a.quick,
              "notes": "listener in its own process; latency = frame written → 0x8001 read (simulator side); "
                       "acks are sent after the COPY commit"}
    a.out.parent.mkdir(parents=True, exist_ok=True)
    a.out.write_text(json.dumps(result, ensure_ascii=False, indent=2) + "\n", encoding="utf-8")
    print(f"→ {a.out}")


if __name__ == "__main__":
    main()

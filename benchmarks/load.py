"""Load test: bbox enterprise queries and siting checks against gunicorn on 127.0.0.1.

    python benchmarks/load.py [--seconds 20] [--workers 4] [--clients 8]

Province-scale data (the demo plus 50 000 enterprises and 200 000 protection targets over a
Shanxi-sized area, refreshed), served by gunicorn (the README's deployment) on loopback.
Client threads send keep-alive requests for a bounded time and count: random ~0.05° bboxes
(the size of a zoomed-in map view) on ``/api/v1/enterprises``, then siting checks.  Results:
``benchmarks/results/load.json`` with ``metrics.bbox_rps``, ``bbox_p50_ms``, ``bbox_p99_ms``, the
city-sized view's ``city_p99_ms`` (``/api/v1/map/summary`` over 0.5° × 0.4°, what the map asks) and
the siting figures.  Targets (issue 18 item 6): town-sized bbox p99 < 100 ms, city-sized p99 < 300 ms.
"""

from __future__ import annotations

import argparse
import datetime as dt
import http.client
import json
import os
import random
import socket
import statistics
import subprocess
import sys
import threading
import time
from pathlib import Path

import sqlalchemy as sa

REPO = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(REPO))
sys.path.append(str(REPO / "benchmarks"))  # after REPO: benchmarks/etl.py must not shadow the etl package

from tests.helpers import ADMIN_URL as DEFAULT_ADMIN_URL, drop_database, machine, scratch_url  # noqa: E402

SEED = [
    """insert into enterprise (credit_code, name, stages, facility_type, department, geocode_precision, geom)
       select 'L' || lpad(g::text, 17, '0'), '基准企业' || g, '{storage}', '危化品仓库', '区应急管理局', 'source',
              ST_SetSRID(ST_MakePoint(110.5 + random() * 4.0, 34.6 + random() * 5.6), 4326)
       from generate_series(1, 50000) g""",
    """insert into protection_target (target_key, name, category, population, geom)
       select 'LT' || g, '基准目标' || g, (array['school','hospital','residential','mall'])[1 + g % 4],
              (20 + random() * 800)::int,
              ST_SetSRID(ST_MakePoint(110.5 + random() * 4.0, 34.6 + random() * 5.6), 4326)
       from generate_series(1, 200000) g""",
]


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def _hammer(port: int, token: str, make_request, seconds: float, max_requests: int, clients: int) -> dict:
    lat, errors, lock = [], [], threading.Lock()
    stop = time.monotonic() + seconds

    def client():
        conn = http.client.HTTPConnection("127.0.0.1", port, timeout=30)
        while time.monotonic() < stop:
            with lock:
                if len(lat) + len(errors) >= max_requests:
                    return
            method, path, body = make_request()
            headers = {"Authorization": f"Bearer {token}", "Content-Type": "application/json"}
            t0 = time.perf_counter()
            try:
                conn.request(method, path, body=body, headers=headers)
                r = conn.getresponse()
                r.read()
                ok = r.status == 200
            except (OSError, http.client.HTTPException):
                conn.close()
                conn = http.client.HTTPConnection("127.0.0.1", port, timeout=30)
                ok = False
            dt_ms = (time.perf_counter() - t0) * 1000
            with lock:
                (lat if ok else errors).append(dt_ms)

    t0 = time.monotonic()
    threads = [threading.Thread(target=client) for _ in range(clients)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    elapsed = time.monotonic() - t0
    lat.sort()
    q = (lambda p: round(lat[min(len(lat) - 1, int(p * len(lat)))], 1)) if lat else (lambda p: None)
    return {"requests": len(lat), "errors": len(errors), "seconds": round(elapsed, 2),
            "rps": round(len(lat) / elapsed, 1), "p50_ms": q(0.50), "p99_ms": q(0.99),
            "mean_ms": round(statistics.fmean(lat), 1) if lat else None}


def main(argv=None) -> None:
    from click.testing import CliRunner

    from hazmap import users
    from hazmap.cli import cli
    from hazmap.config import load_settings
    from hazmap.db.session import get_engine

    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--seconds", type=float, default=20.0)
    ap.add_argument("--max-requests", type=int, default=20000)
    ap.add_argument("--workers", type=int, default=4)
    ap.add_argument("--clients", type=int, default=8)
    ap.add_argument("--admin-url", default=DEFAULT_ADMIN_URL)
    ap.add_argument("--out", type=Path, default=REPO / "benchmarks" / "results" / "load.json")
    a = ap.parse_args(argv)
    url = scratch_url("hazmap_load", a.admin_url)
    os.environ["DATABASE_URL"] = url
    proc = None
    try:
        assert CliRunner().invoke(cli, ["demo", "--no-serve"]).exit_code == 0
        with get_engine(url).begin() as conn:
            conn.execute(sa.text("select setseed(0.5)"))
            for stmt in SEED:
                conn.execute(sa.text(stmt))
        from hazmap.refresh import run_refresh

        run_refresh(load_settings())
        with get_engine(url).begin() as conn:
            conn.execute(sa.text("analyze"))
            token = users.add_user(conn, "load-test", "planner")["token"]
        port = _free_port()
        env = dict(os.environ, DATABASE_URL=url, HAZMAP_SECRET_KEY="load-test")
        env.pop("HAZMAP_CONFIG", None)
        proc = subprocess.Popen([str(REPO / ".venv" / "bin" / "gunicorn"), "-w", str(a.workers), "-b",
                                 f"127.0.0.1:{port}", "--log-level", "warning", "webmap:create_app()"],
                                env=env, cwd=str(REPO))
        for _ in range(100):
            try:
                socket.create_connection(("127.0.0.1", port), timeout=0.2).close()
                break
            except OSError:
                time.sleep(0.2)
        rng = random.Random(7)

        def bbox_request():
            x, y = rng.uniform(110.6, 114.4), rng.uniform(34.7, 40.1)
            return "GET", f"/api/v1/enterprises?bbox={x:.4f},{y:.4f},{x + 0.05:.4f},{y + 0.04:.4f}&limit=500", None

        def city_request():  # what the map asks for a city-sized view (0.5° × 0.4°, zoom 10)
            x, y = rng.uniform(110.6, 113.9), rng.uniform(34.7, 39.7)
            return "GET", f"/api/v1/map/summary?bbox={x:.4f},{y:.4f},{x + 0.5:.4f},{y + 0.4:.4f}&zoom=10", None

        def siting_request():
            x, y = rng.uniform(110.6, 114.4), rng.uniform(34.7, 40.1)
            body = {"location": {"lon": x, "lat": y}, "exposed_people": None, "facility_type": "危化品仓库",
                    "stage": "storage", "allow_outside_area": True,  # the province bench is outside the default area
                    "inventory": [{"chemical": "液氯", "quantity_t": rng.uniform(1, 50), "unit": "storage"}]}
            return "POST", "/api/v1/siting/check", json.dumps(body)

        _hammer(port, token, bbox_request, 2.0, 500, a.clients)  # warm-up
        bbox = _hammer(port, token, bbox_request, a.seconds, a.max_requests, a.clients)
        print("[load] bbox", bbox, flush=True)
        city = _hammer(port, token, city_request, a.seconds, a.max_requests, a.clients)
        print("[load] city", city, flush=True)
        # siting checks are rate-limited (siting_checks_per_minute = 60 per user and process):
        # a bounded burst of 55 stays inside the limit and measures the engine, not the limiter
        siting = _hammer(port, token, siting_request, min(a.seconds, 10.0), 55, min(a.clients, 4))
        print("[load] siting", siting, flush=True)
    finally:
        if proc:
            proc.terminate()
            proc.wait(timeout=20)
        drop_database(url, a.admin_url)
    result = {"name": "load", "date": dt.datetime.now(dt.timezone.utc).isoformat(timespec="seconds"),
              "machine": machine(),
              "setup": {"server": f"gunicorn -w {a.workers}", "clients": a.clients, "enterprises": "~50 150",
                        "targets": "~200 300", "bbox_deg": [0.05, 0.04], "city_bbox_deg": [0.5, 0.4]},
              "metrics": {"bbox_rps": bbox["rps"], "bbox_p50_ms": bbox["p50_ms"], "bbox_p99_ms": bbox["p99_ms"],
                          "bbox": bbox, "city_rps": city["rps"], "city_p50_ms": city["p50_ms"],
                          "city_p99_ms": city["p99_ms"], "city": city, "siting_rps": siting["rps"], "siting_p50_ms": siting["p50_ms"],
                          "siting_p99_ms": siting["p99_ms"], "siting": siting}}
    a.out.parent.mkdir(parents=True, exist_ok=True)
    a.out.write_text(json.dumps(result, ensure_ascii=False, indent=2) + "\n", encoding="utf-8")
    print(f"→ {a.out}")


if __name__ == "__main__":
    main()

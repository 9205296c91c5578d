"""Map benchmark: HTML size and time to first rendered markers in headless Chromium.

    python benchmarks/map.py [--admin-url URL]

District scale = the bundled demo through the real ETL; province scale = the demo plus
50 000 synthetic enterprises spread over a Shanxi-sized area (run through the refresh so
they carry colours).  For each, the app is served on 127.0.0.1 and Chromium (headless, only
127.0.0.1 reachable) loads ``/``; ``first_render_ms`` is the time from navigation start until
the first enterprise markers are on the map.  Results: ``benchmarks/results/map.json``.
"""

from __future__ import annotations

import argparse
import datetime as dt
import json
import os
import sys
import threading
import time
from pathlib import Path

import sqlalchemy as sa

REPO = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(REPO))
sys.path.append(str(REPO / "benchmarks"))  # after REPO: benchmarks/etl.py must not shadow the etl package

from _scratch import DEFAULT_ADMIN_URL, drop, machine, scratch_url  # noqa: E402

PROVINCE_SQL = """
select setseed(0.7);
insert into enterprise (credit_code, name, stages, facility_type, geocode_precision, geom)
select 'M' || lpad(g::text, 17, '0'), '基准企业' || g, '{storage}', '危化品仓库', 'source',
       ST_SetSRID(ST_MakePoint(110.5 + random() * 4.0, 34.6 + random() * 5.6), 4326)
from generate_series(1, :n) g
"""

FIRST_MARKERS_JS = """
return (window.hazmap && hazmap.layers && hazmap.layers.enterprises.getLayers().length > 0)
       ? performance.now() : null;
"""


def _browser():
    from selenium import webdriver
    from selenium.webdriver.chrome.service import Service

    o = webdriver.ChromeOptions()
    o.binary_location = "/usr/bin/chromium"
    for f in ("--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking", "--no-first-run",
              "--window-size=1400,900", "--host-resolver-rules=MAP * ~NOTFOUND , EXCLUDE 127.0.0.1"):
        o.add_argument(f)
    return webdriver.Chrome(service=Service("/usr/bin/chromedriver"), options=o)


def measure(url: str, runs: int = 3) -> dict:
    from werkzeug.serving import make_server

    from webmap import create_app

    app = create_app({"DATABASE_URL": url, "ANONYMOUS_ACCESS": True})  # read-only map, as configured for viewers
    srv = make_server("127.0.0.1", 0, app, threaded=True)
    threading.Thread(target=srv.serve_forever, daemon=True).start()
    base = f"http://127.0.0.1:{srv.server_port}/"
    html_bytes = len(app.test_client().get("/").data)
    drv = _browser()
    times = []
    try:
        for _ in range(runs):
            drv.get("about:blank")
            drv.get(base)
            end = time.time() + 60
            t = None
            while time.time() < end and t is None:
                t = drv.execute_script(FIRST_MARKERS_JS)
                if t is None:
                    time.sleep(0.02)
            if t is None:
                raise RuntimeError("markers never rendered")
            times.append(t)
        markers = drv.execute_script("return hazmap.layers.enterprises.getLayers().length")
    finally:
        drv.quit()
        srv.shutdown()
    return {"html_bytes": html_bytes, "first_render_ms": round(sorted(times)[len(times) // 2], 1),
            "first_render_ms_runs": [round(x, 1) for x in times], "markers_in_view": markers}


def main(argv=None) -> None:
    from click.testing import CliRunner

    from hazmap.cli import cli
    from hazmap.config import load_settings
    from hazmap.db.session import get_engine

    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--admin-url", default=DEFAULT_ADMIN_URL)
    ap.add_argument("--province-enterprises", type=int, default=50_000)
    ap.add_argument("--out", type=Path, default=REPO / "benchmarks" / "results" / "map.json")
    a = ap.parse_args(argv)
    url = scratch_url(a.admin_url, "hazmap_mapbench")
    os.environ["DATABASE_URL"] = url
    metrics = {}
    try:
        res = CliRunner().invoke(cli, ["demo", "--no-serve"])
        assert res.exit_code == 0, res.output
        metrics["district"] = measure(url)
        print("[map] district", metrics["district"], flush=True)
        with get_engine(url).begin() as conn:
            conn.execute(sa.text("select setseed(0.7)"))
            conn.execute(sa.text(PROVINCE_SQL.split(";", 1)[1]), {"n": a.province_enterprises})
        from hazmap.refresh import run_refresh

        run_refresh(load_settings())
        metrics["province"] = measure(url)
        metrics["province"]["enterprises"] = a.province_enterprises
        print("[map] province", metrics["province"], flush=True)
    finally:
        drop(a.admin_url, url)
    result = {"name": "map", "date": dt.datetime.now(dt.timezone.utc).isoformat(timespec="seconds"),
              "machine": machine(),
              "metrics": {"html_bytes": max(m["html_bytes"] for m in metrics.values()),
                          "first_render_ms": max(m["first_render_ms"] for m in metrics.values()),
                          **metrics}}
    a.out.parent.mkdir(parents=True, exist_ok=True)
    a.out.write_text(json.dumps(result, ensure_ascii=False, indent=2) + "\n", encoding="utf-8")
    print(f"→ {a.out}")


if __name__ == "__main__":
    main()

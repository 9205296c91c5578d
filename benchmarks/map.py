"""Map benchmark: time to first markers and bytes transferred in headless Chromium.

    python benchmarks/map.py [--admin-url URL] [--province-enterprises N] [--quick]

District scale = the bundled demo through the real ETL; province scale = the demo plus
``N`` (default 50 000) synthetic enterprises spread over a Shanxi-sized area (through the
refresh, so they carry colours).  For each, the app is served on 127.0.0.1 (gzip on, as
behind a proxy) and Chromium (headless, only 127.0.0.1 reachable) loads ``/`` logged in:

* ``first_markers_ms``: from navigation start until the first enterprise markers or grid
  cells are on the map (median of 3 loads);
* ``page_bytes``: bytes transferred for the page, its scripts, styles and every API response
  up to that point (Resource Timing ``transferSize``, first load, empty cache);
* at province scale also the province-wide view (the whole synthetic area): time until its
  grid cells are drawn and the bytes that view cost (the page must stay < 500 KB at any scale).

``--quick`` is a smoke run (2 000 synthetic enterprises, one load each); results of a quick run
are not written unless ``--out`` is given.  Results: ``benchmarks/results/map.json``.
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

from tests.helpers import ADMIN_URL as DEFAULT_ADMIN_URL, drop_database, machine, scratch_url  # noqa: E402

PROVINCE_BBOX = (110.5, 34.6, 114.5, 40.2)  # Shanxi-sized: 4° × 5.6° = 22.4 deg² (< max_bbox_area_deg2)
PROVINCE_SQL = """
insert into enterprise (credit_code, name, stages, facility_type, geocode_precision, geom)
select 'M' || lpad(g::text, 17, '0'), '基准企业' || g, '{storage}', '危化品仓库', 'source',
       ST_SetSRID(ST_MakePoint(:x0 + random() * (:x1 - :x0), :y0 + random() * (:y1 - :y0)), 4326)
from generate_series(1, :n) g
"""
DRAWN_JS = """
return (window.hazmap && hazmap.layers && document.getElementById('hz-loading').hidden &&
        hazmap.layers.enterprises.getLayers().length + hazmap.layers.cells.getLayers().length > 0)
       ? performance.now() : null;
"""
BYTES_JS = """
var n = 0;
performance.getEntriesByType('navigation').concat(performance.getEntriesByType('resource'))
  .forEach(function (e) { n += e.transferSize || 0; });
return n;
"""


def _browser():
    from selenium import webdriver
    from selenium.webdriver.chrome.service import Service

    o = webdriver.ChromeOptions()
    o.binary_location = "/usr/bin/chromium"
    for f in ("--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking", "--no-first-run",
              "--window-size=1366,768", "--host-resolver-rules=MAP * ~NOTFOUND , EXCLUDE 127.0.0.1"):
        o.add_argument(f)
    return webdriver.Chrome(service=Service("/usr/bin/chromedriver"), options=o)


def _until(drv, js: str, timeout_s: float = 90.0):
    end = time.time() + timeout_s
    while time.time() < end:
        v = drv.execute_script(js)
        if v is not None:
            return v
        time.sleep(0.02)
    raise RuntimeError(f"never true: {js}")


def measure(url: str, *, runs: int, province_view: bool) -> dict:
    import logging

    from werkzeug.serving import make_server

    from hazmap.config import load_settings
    from tests.helpers import make_user
    from webmap import create_app

    logging.getLogger("werkzeug").setLevel(logging.ERROR)
    app = create_app(settings=load_settings(env={}, overrides={"database_url": url, "secure_cookies": False}))
    srv = make_server("127.0.0.1", 0, app, threaded=True)
    threading.Thread(target=srv.serve_forever, daemon=True).start()
    base = f"http://127.0.0.1:{srv.server_port}"
    user = make_user(url, "leader", password="bench-password-1")
    html_bytes = len(app.test_client().get("/", headers={"Authorization": f"Bearer {user['token']}"}).data)
    drv = _browser()
    out: dict = {"html_bytes": html_bytes}
    try:
        drv.get(base + "/login")
        drv.find_element("name", "name").send_keys(user["name"])
        drv.find_element("name", "password").send_keys("bench-password-1")
        drv.find_element("id", "login-submit").click()
        _until(drv, "return location.pathname === '/' ? true : null")
        times, page_bytes = [], None
        for i in range(runs):
            if i:
                drv.get("about:blank")
                drv.get(base + "/")
            times.append(_until(drv, DRAWN_JS))
            if page_bytes is None:
                page_bytes = drv.execute_script(BYTES_JS)
        out.update(first_markers_ms=round(sorted(times)[len(times) // 2], 1),
                   first_markers_ms_runs=[round(t, 1) for t in times], page_bytes=page_bytes,
                   markers=drv.execute_script("return hazmap.layers.enterprises.getLayers().length"),
                   cells=drv.execute_script("return hazmap.layers.cells.getLayers().length"))
        if province_view:
            before = drv.execute_script(BYTES_JS)
            t0 = drv.execute_script("""
                var t0 = performance.now(); hazmap.map.fitBounds([[%f, %f], [%f, %f]]); return t0;""" % (
                PROVINCE_BBOX[1], PROVINCE_BBOX[0], PROVINCE_BBOX[3], PROVINCE_BBOX[2]))
            time.sleep(0.3)
            t1 = _until(drv, DRAWN_JS)
            out["province_view"] = {"drawn_ms": round(t1 - t0, 1), "bytes": drv.execute_script(BYTES_JS) - before,
                                    "cells": drv.execute_script("return hazmap.layers.cells.getLayers().length"),
                                    "markers": drv.execute_script("return hazmap.layers.enterprises.getLayers().length")}
    finally:
        drv.quit()
        srv.shutdown()
    return out


def main(argv=None) -> None:
    from click.testing import CliRunner

    from hazmap.cli import cli
    from hazmap.config import load_settings
    from hazmap.db.session import get_engine
    from hazmap.refresh import run_refresh

    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--admin-url", default=DEFAULT_ADMIN_URL)
    ap.add_argument("--province-enterprises", type=int, default=None)
    ap.add_argument("--quick", action="store_true", help="smoke run: 2 000 synthetic enterprises, one load each")
    ap.add_argument("--out", type=Path, default=None)
    a = ap.parse_args(argv)
    n = a.province_enterprises or (2_000 if a.quick else 50_000)
    runs = 1 if a.quick else 3
    out = a.out or (None if a.quick else REPO / "benchmarks" / "results" / "map.json")
    url = scratch_url("hazmap_mapbench", a.admin_url)
    os.environ["DATABASE_URL"] = url
    metrics = {}
    try:
        res = CliRunner().invoke(cli, ["demo", "--no-serve"])
        assert res.exit_code == 0, res.output
        metrics["district"] = measure(url, runs=runs, province_view=False)
        print("[map] district", metrics["district"], flush=True)
        with get_engine(url).begin() as conn:
            conn.execute(sa.text("select setseed(0.7)"))
            conn.execute(sa.text(PROVINCE_SQL), {"n": n, "x0": PROVINCE_BBOX[0], "y0": PROVINCE_BBOX[1],
                                                 "x1": PROVINCE_BBOX[2], "y1": PROVINCE_BBOX[3]})
        run_refresh(load_settings())
        metrics["province"] = measure(url, runs=runs, province_view=True)
        metrics["province"]["enterprises"] = n
        print("[map] province", metrics["province"], flush=True)
    finally:
        drop_database(url, a.admin_url)
    result = {"name": "map", "date": dt.datetime.now(dt.timezone.utc).isoformat(timespec="seconds"),
              "machine": machine(), "quick": a.quick,
              "metrics": {"page_bytes_max": max(max(m["page_bytes"], m.get("province_view", {}).get("bytes", 0))
                                                for m in metrics.values()),
                          "first_markers_ms_max": max(m["first_markers_ms"] for m in metrics.values()), **metrics}}
    if out:
        out.parent.mkdir(parents=True, exist_ok=True)
        out.write_text(json.dumps(result, ensure_ascii=False, indent=2) + "\n", encoding="utf-8")
        print(f"→ {out}")
    else:
        print(json.dumps(result, ensure_ascii=False, indent=2))


if __name__ == "__main__":
    main()

"""Export benchmark: hazmap's exports next to ogr2ogr on the same PostGIS data, in the same run.

    python benchmarks/export.py [--sizes 20000,200000] [--quick] [--out PATH]

For each size, synthetic enterprises are inserted in SQL into a scratch database and graded by a
refresh; then, per format (CSV, GeoJSON, GeoPackage):

* ``hazmap export enterprises`` runs as its own process, which reports its own peak RSS (VmHWM);
* ``ogr2ogr`` (Debian's GDAL) exports the same rows from the same database — the collection's own
  SELECT (same columns, same current run), so both tools read and write the same data;

and features/s, the ratio hazmap / ogr2ogr (target ≥ 0.5) and hazmap's peak RSS (target: flat
from the smallest to the largest size) are recorded.  The web's deep pages are timed too: the
first page, the page at offset 95 % (``offset=``) and the same page by keyset (``after=``).
Results: ``benchmarks/results/export.json``.  ``--quick`` runs 1 000 and 5 000 features (a smoke run).
"""

from __future__ import annotations

import argparse
import datetime as dt
import json
import os
import shutil
import subprocess
import sys
import time
from pathlib import Path

import sqlalchemy as sa
from sqlalchemy.engine import make_url

REPO = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(REPO))
sys.path.append(str(REPO / "benchmarks"))  # after REPO: benchmarks/etl.py must not shadow the etl package

from tests.helpers import ADMIN_URL as DEFAULT_ADMIN_URL, drop_database, machine, scratch_url  # noqa: E402

SEED = """
insert into enterprise (credit_code, name, stages, facility_type, department, geocode_precision, licence_expiry, geom)
select 'X' || lpad(g::text, 17, '0'), '基准企业' || g, '{storage}', '危化品仓库', '区应急管理局', 'source',
       date '2025-01-01' + (g % 1000), ST_SetSRID(ST_MakePoint(110.5 + random() * 4.0, 34.6 + random() * 5.6), 4326)
from generate_series(1, :n) g
"""
FORMATS = ("csv", "geojson", "gpkg")
OGR_DRIVER = {"csv": "CSV", "geojson": "GeoJSON", "gpkg": "GPKG"}
LAYER = "enterprises"


def _peak_rss_wrapper() -> str:
    # the process reports its own peak RSS (VmHWM) when it exits; getrusage's ru_maxrss would
    # include the forking parent's high-water mark, which survives exec
    return ("import atexit, sys; atexit.register(lambda: print('MAXRSS', [l.split()[1] for l in "
            "open('/proc/self/status') if l.startswith('VmHWM')][0], file=sys.stderr)); "
            "from hazmap.cli import main; sys.argv = ['hazmap'] + sys.argv[1:]; main()")


def run_hazmap(url: str, fmt: str, out: Path) -> dict:
    env = dict(os.environ, DATABASE_URL=url)
    env.pop("HAZMAP_CONFIG", None)
    t0 = time.perf_counter()
    res = subprocess.run([sys.executable, "-c", _peak_rss_wrapper(), "export", LAYER, "--format", fmt, "-o", str(out)],
                         check=True, env=env, capture_output=True, text=True)
    seconds = time.perf_counter() - t0
    peak_kb = int(res.stderr.split("MAXRSS")[-1].split()[0])
    return {"seconds": round(seconds, 3), "peak_rss_mb": round(peak_kb / 1024, 1), "bytes": out.stat().st_size}


def collection_sql(url: str) -> str:
    """The enterprises collection's SELECT over the current run, values inlined (ogr2ogr binds none)."""
    from geo.postgis import collections as registry
    from geo.postgis.collections import queries
    from hazmap.db.session import get_engine
    from tests.helpers import domain

    c = registry.get(LAYER)
    with get_engine(url).connect() as conn:
        run = registry.read_snapshot(conn)
        base = registry.base_params(run, domain().vocabulary)
    sql, params = queries.stream_sql(c, queries.Selection(), base, "s.*")
    for name in sorted(params, key=len, reverse=True):  # inline the values (benchmark data, no user input)
        value = params[name]
        literal = "null" if value is None else str(value) if isinstance(value, (int, float)) else \
            "'" + (value.isoformat() if hasattr(value, "isoformat") else str(value)).replace("'", "''") + "'"
        sql = sql.replace(f":{name}", literal)
    return sql


def run_ogr2ogr(url: str, sql: str, fmt: str, out: Path) -> dict:
    u = make_url(url)
    pg = f"PG:dbname={u.database} host={u.host or '127.0.0.1'} port={u.port or 5432} user={u.username or 'postgres'}"
    if u.password:
        pg += f" password={u.password}"
    args = ["ogr2ogr", "-f", OGR_DRIVER[fmt], str(out), pg, "-sql", sql, "-nln", LAYER.replace("-", "_")]
    if fmt == "csv":
        args += ["-lco", "GEOMETRY=AS_WKT"]
    t0 = time.perf_counter()
    subprocess.run(args, check=True, capture_output=True, text=True)
    return {"seconds": round(time.perf_counter() - t0, 3), "bytes": out.stat().st_size}


def deep_pages(url: str, n: int) -> dict:
    """Seconds for the first page, the page at offset 95 % by ``offset``, and the same page by ``after``."""
    from geo.postgis import collections as registry
    from geo.postgis.collections import queries
    from hazmap.db.session import get_engine
    from tests.helpers import domain

    c = registry.get(LAYER)
    deep = int(n * 0.95)
    out = {"offset": deep}
    with get_engine(url).connect() as conn:
        run = registry.read_snapshot(conn)
        base = registry.base_params(run, domain().vocabulary)
        key = conn.execute(sa.text("select id from enterprise order by id offset :o limit 1"), {"o": deep - 1}).scalar()
        for name, kw in (("first_page_s", {}), ("offset_page_s", {"offset": deep}),
                         ("keyset_page_s", {"after": queries.encode_cursor([key])})):
            t0 = time.perf_counter()
            page = registry.page(conn, c, queries.Selection(), base, limit=100, **kw)
            out[name] = round(time.perf_counter() - t0, 4)
            out[name.replace("_s", "_features")] = len(page.features)
    return out


def count_features(path: Path) -> int:
    import pyogrio

    if path.suffix == ".csv":
        with open(path, encoding="utf-8-sig") as f:
            import csv

            return sum(1 for _ in csv.reader(f)) - 1
    return pyogrio.read_info(path)["features"]


def main(argv=None) -> None:
    from hazmap.config import load_settings
    from hazmap.db.init import init_database
    from hazmap.db.session import get_engine
    from hazmap.refresh import run_refresh

    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--sizes", default="20000,200000")
    ap.add_argument("--quick", action="store_true", help="1 000 and 5 000 features (smoke run)")
    ap.add_argument("--admin-url", default=DEFAULT_ADMIN_URL)
    ap.add_argument("--out", type=Path, default=REPO / "benchmarks" / "results" / "export.json")
    a = ap.parse_args(argv)
    if not shutil.which("ogr2ogr"):
        raise SystemExit("需要 ogr2ogr（Debian 软件包 gdal-bin；scripts/setup.sh 会安装）")
    sizes = [1000, 5000] if a.quick else [int(x) for x in a.sizes.split(",")]
    metrics = {}
    tmp = Path(f"/tmp/hazmap-export-bench-{os.getpid()}")
    tmp.mkdir(exist_ok=True)
    try:
        for n in sizes:
            url = scratch_url("hazmap_expbench", a.admin_url)
            init_database(url)
            try:
                with get_engine(url).begin() as conn:
                    conn.execute(sa.text("select setseed(0.3)"))
                    conn.execute(sa.text(SEED), {"n": n})
                run_refresh(load_settings(env={}, overrides={"database_url": url}))
                sql = collection_sql(url)
                row = {}
                for fmt in FORMATS:
                    ours, theirs = tmp / f"hazmap-{n}.{fmt}", tmp / f"ogr-{n}.{fmt}"
                    for p in (ours, theirs):
                        p.unlink(missing_ok=True)
                    h = run_hazmap(url, fmt, ours)
                    o = run_ogr2ogr(url, sql, fmt, theirs)
                    h["features"], o["features"] = count_features(ours), count_features(theirs)
                    h["features_per_s"] = round(h["features"] / h["seconds"])
                    o["features_per_s"] = round(o["features"] / o["seconds"])
                    row[fmt] = {"hazmap": h, "ogr2ogr": o, "ratio": round(h["features_per_s"] / o["features_per_s"], 2)}
                row["pages"] = deep_pages(url, n)
                metrics[str(n)] = row
                print(f"[export] {n}: " + ", ".join(f"{f} ratio {row[f]['ratio']} ({row[f]['hazmap']['peak_rss_mb']} MB)"
                                                    for f in FORMATS), flush=True)
            finally:
                drop_database(url, a.admin_url)
    finally:
        shutil.rmtree(tmp, ignore_errors=True)
    small, large = str(sizes[0]), str(sizes[-1])
    summary = {f: {"min_ratio": min(metrics[str(n)][f]["ratio"] for n in sizes),
                   "peak_rss_mb": [metrics[str(n)][f]["hazmap"]["peak_rss_mb"] for n in sizes],
                   "rss_growth_mb": round(metrics[large][f]["hazmap"]["peak_rss_mb"]
                                          - metrics[small][f]["hazmap"]["peak_rss_mb"], 1)} for f in FORMATS}
    result = {"name": "export", "date": dt.datetime.now(dt.timezone.utc).isoformat(timespec="seconds"),
              "machine": machine(), "quick": a.quick, "sizes": sizes, "metrics": metrics, "summary": summary,
              "targets": {"ratio": ">= 0.5 (hazmap features/s over ogr2ogr's, same data, same run)",
                          "rss": "peak RSS flat from the smallest to the largest size"},
              "notes": "hazmap export runs as its own process (peak RSS = its VmHWM); ogr2ogr runs the collection's "
                       "own SELECT on the same database; CSV from ogr2ogr carries WKT"}
    a.out.parent.mkdir(parents=True, exist_ok=True)
    a.out.write_text(json.dumps(result, ensure_ascii=False, indent=2) + "\n", encoding="utf-8")
    print(f"→ {a.out}")


if __name__ == "__main__":
    main()

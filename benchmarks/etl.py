"""ETL benchmark: generated registries of 10k and 100k enterprises, end to end including geocoding,
next to ``ogr2ogr`` and a bare ``COPY`` loading the same enterprise CSV into the same server.

    python benchmarks/etl.py [--sizes 10000,100000] [--admin-url URL]

For each size: a fresh database (``db init``), a gazetteer of address points, an enterprise CSV
(coordinates in WGS-84 / CGCS2000 / GCJ-02 / BD-09 cycling, every 10th row address-only and
geocoded offline) and a hazard-unit CSV (one line for every 5th enterprise).  Times one
``run_etl`` (extract → validate → geocode → load with its change counts; the risk refresh is
benchmarked separately in ``benchmarks/refresh.py``), then in the same database
``ogr2ogr`` (CSV → PostGIS point layer from the lon/lat columns, no validation, no CRS handling)
and ``COPY … FROM STDIN (FORMAT csv)`` of the same enterprise file into a text table.
Metric ``rows_per_s`` = enterprise + hazard-unit rows / seconds (slowest size); the baselines
are enterprise rows / seconds.  Results: ``benchmarks/results/etl.json``.
"""

from __future__ import annotations

import argparse
import datetime as dt
import json
import random
import sys
import tempfile
import time
from pathlib import Path


REPO = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(REPO))
sys.path.append(str(REPO / "benchmarks"))  # after REPO: benchmarks/etl.py must not shadow the etl package

from tests.helpers import ADMIN_URL as DEFAULT_ADMIN_URL  # noqa: E402
from tests.helpers import drop_database, machine, scratch_url  # noqa: E402

from geo import credit_code  # noqa: E402
from geo.crs import wgs84_to_bd09, wgs84_to_gcj02  # noqa: E402
from hazmap.config import load_settings  # noqa: E402
from hazmap.db.init import init_database  # noqa: E402

ALPH = "0123456789ABCDEFGHJKLMNPQRTUWXY"
ROADS = [f"测试{i}路" for i in range(200)]


def generate(n: int, d: Path, seed: int = 7) -> tuple[Path, Path, Path]:
    rnd = random.Random(seed)
    gaz = ["地址,经度,纬度,坐标系,类型"]
    ent = ["统一社会信用代码,企业名称,环节,所属街道,地址,经度,纬度,坐标系,有效期至"]
    hu = ["单元编号,统一社会信用代码,单元名称,单元类型,化学品名称,CAS号,设计最大量,计量单位,火灾危险性"]
    crss = ["wgs84", "cgcs2000", "gcj02", "bd09"]
    for i in range(n):
        code = credit_code.make("91140502" + "".join(rnd.choice(ALPH) for _ in range(8)) + ALPH[i % 31])
        lon, lat = 112.72 + rnd.random() * 0.26, 35.40 + rnd.random() * 0.24
        road, no = ROADS[i % len(ROADS)], i // len(ROADS) + 1
        addr = f"山西省晋城市城区{road}{no}号"
        if i % 10 == 0:
            gaz.append(f"{addr},{lon:.7f},{lat:.7f},wgs84,门牌")
            x = y = c = ""
        else:
            c = crss[i % 4]
            x, y = {"gcj02": wgs84_to_gcj02, "bd09": wgs84_to_bd09}.get(c, lambda a, b: (a, b))(lon, lat)
            x, y = f"{x:.7f}", f"{y:.7f}"
        ent.append(f"{code},基准企业{i},生产、储存,,{addr},{x},{y},{c},2030-01-01")
        if i % 5 == 0:
            hu.append(f"U{i:07d},{code},储罐区,储存单元,液氨,7664-41-7,{1 + i % 50},t,乙")
    paths = (d / "gaz.csv", d / "ent.csv", d / "hu.csv")
    for p, lines in zip(paths, (gaz, ent, hu)):
        p.write_text("\n".join(lines) + "\n", encoding="utf-8")
    return paths


def _ogr2ogr(url: str, csv_path: Path) -> float:
    """Seconds for ogr2ogr to load the CSV as a point layer (GDAL's CSV driver, PG driver, COPY mode)."""
    import subprocess

    from sqlalchemy.engine import make_url

    u = make_url(url)
    pg = f"PG:host={u.host} port={u.port or 5432} user={u.username} dbname={u.database}"
    t0 = time.perf_counter()
    subprocess.run(["ogr2ogr", "-f", "PostgreSQL", pg, str(csv_path), "-nln", "bench_ogr", "-overwrite",
                    "-oo", "X_POSSIBLE_NAMES=经度", "-oo", "Y_POSSIBLE_NAMES=纬度", "-oo", "KEEP_GEOM_COLUMNS=NO",
                    "-a_srs", "EPSG:4326", "--config", "PG_USE_COPY", "YES"], check=True, capture_output=True)
    return time.perf_counter() - t0


def _copy(url: str, csv_path: Path) -> float:
    """Seconds for a bare COPY of the CSV into a table of text columns."""
    import psycopg

    header = csv_path.open(encoding="utf-8").readline().strip().split(",")
    with psycopg.connect(url.replace("postgresql+psycopg", "postgresql")) as conn:
        conn.execute(f"create table bench_copy ({', '.join(f'c{i} text' for i in range(len(header)))})")
        t0 = time.perf_counter()
        with conn.cursor() as cur, cur.copy("copy bench_copy from stdin (format csv, header true)") as cp, \
                csv_path.open("rb") as f:
            while chunk := f.read(1 << 20):
                cp.write(chunk)
        conn.commit()
        return time.perf_counter() - t0


def bench(admin_url: str, n: int) -> dict:
    from etl.run import Source, run_etl

    url = scratch_url("hazmap_etlbench", admin_url)
    init_database(url)
    try:
        with tempfile.TemporaryDirectory() as tmp:
            gaz, ent, hu = generate(n, Path(tmp))
            s = load_settings(None, env={}, overrides={"database_url": url})
            srcs = [Source("gazetteer", gaz), Source("enterprises", ent), Source("hazard_units", hu)]
            t0 = time.perf_counter()
            res = run_etl(s, srcs, refresh=False, rejects_path=Path(tmp) / "rejects.csv")
            secs = time.perf_counter() - t0
            ogr_s = _ogr2ogr(url, ent)
            copy_s = _copy(url, ent)
    finally:
        drop_database(url, admin_url)
    rows = res.counts["enterprises"]["read"] + res.counts["hazard_units"]["read"]
    return {"enterprises": n, "rows": rows, "seconds": round(secs, 2), "rows_per_s": round(rows / secs, 1),
            "status": res.status, "rejected": len(res.rejects),
            "inserted": res.counts["enterprises"]["inserted"],
            "ogr2ogr_s": round(ogr_s, 2), "ogr2ogr_rows_per_s": round(n / ogr_s, 1),
            "copy_s": round(copy_s, 3), "copy_rows_per_s": round(n / copy_s, 1)}


def main(argv=None) -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--sizes", default="10000,100000")
    ap.add_argument("--admin-url", default=DEFAULT_ADMIN_URL)
    ap.add_argument("--out", type=Path, default=REPO / "benchmarks" / "results" / "etl.json")
    a = ap.parse_args(argv)
    per = {}
    for n in (int(x) for x in a.sizes.split(",")):
        print(f"[etl] {n} …", flush=True)
        per[str(n)] = bench(a.admin_url, n)
        print(f"[etl] {n}: {per[str(n)]}", flush=True)
    worst = min(v["rows_per_s"] for v in per.values())
    result = {"name": "etl", "date": dt.datetime.now(dt.timezone.utc).isoformat(timespec="seconds"),
              "machine": machine(),
              "metrics": {"rows_per_s": worst, "sizes": per},
              "notes": "rows_per_s = slowest size (validation, CRS conversion, geocoding, load with change "
                       "counts; refresh excluded); target ≥ 10000 rows/s at 100k; ogr2ogr and COPY load the same "
                       "enterprise CSV into the same server in the same run, without validation"}
    a.out.parent.mkdir(parents=True, exist_ok=True)
    a.out.write_text(json.dumps(result, ensure_ascii=False, indent=2) + "\n", encoding="utf-8")
    print(f"→ {a.out}")


if __name__ == "__main__":
    main()

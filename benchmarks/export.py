"""Export benchmark: peak memory and time of ``hazmap export`` at 20 k and 200 k features.

    python benchmarks/export.py [--sizes 20000,200000]

Synthetic enterprises are inserted in SQL into a scratch database (with a refresh, so they
carry colours); each export runs as its own process, which reports its own peak RSS
(``VmHWM``) as it exits.  Constant memory means the peak barely grows with the feature count.
Results: ``benchmarks/results/export.json``.
"""

from __future__ import annotations

import argparse
import datetime as dt
import json
import os
import subprocess
import sys
import time
from pathlib import Path

import sqlalchemy as sa

REPO = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(REPO))
sys.path.append(str(REPO / "benchmarks"))  # after REPO: benchmarks/etl.py must not shadow the etl package

from _scratch import DEFAULT_ADMIN_URL, drop, machine, scratch_url  # noqa: E402

SEED = """
insert into enterprise (credit_code, name, stages, facility_type, department, geocode_precision, geom)
select 'X' || lpad(g::text, 17, '0'), '基准企业' || g, '{storage}', '危化品仓库', '区应急管理局', 'source',
       ST_SetSRID(ST_MakePoint(110.5 + random() * 4.0, 34.6 + random() * 5.6), 4326)
from generate_series(1, :n) g
"""


def run_export(url: str, fmt: str, out: Path) -> dict:
    env = dict(os.environ, DATABASE_URL=url)
    env.pop("HAZMAP_CONFIG", None)
    t0 = time.perf_counter()
    # the export process reports its own peak RSS (VmHWM) when it exits; getrusage's ru_maxrss
    # would include the forking parent's high-water mark, which survives exec
    code = ("import atexit, sys; atexit.register(lambda: print('MAXRSS', [l.split()[1] for l in "
            "open('/proc/self/status') if l.startswith('VmHWM')][0], file=sys.stderr)); "
            "from hazmap.cli import main; sys.argv = ['hazmap'] + sys.argv[1:]; main()")
    res = subprocess.run([sys.executable, "-c", code, "export", "enterprises", "--format", fmt, "-o", str(out)],
                         check=True, env=env, capture_output=True, text=True)
    peak_kb = int(res.stderr.split("MAXRSS")[-1].split()[0])
    return {"seconds": round(time.perf_counter() - t0, 2), "peak_rss_mb": round(peak_kb / 1024, 1),
            "bytes": out.stat().st_size}


def main(argv=None) -> None:
    from hazmap.config import load_settings
    from hazmap.db.init import init_database
    from hazmap.db.session import get_engine

    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--sizes", default="20000,200000")
    ap.add_argument("--admin-url", default=DEFAULT_ADMIN_URL)
    ap.add_argument("--out", type=Path, default=REPO / "benchmarks" / "results" / "export.json")
    a = ap.parse_args(argv)
    metrics = {}
    for n in (int(x) for x in a.sizes.split(",")):
        url = scratch_url(a.admin_url, "hazmap_expbench")
        init_database(url)
        try:
            with get_engine(url).begin() as conn:
                conn.execute(sa.text("select setseed(0.3)"))
                conn.execute(sa.text(SEED), {"n": n})
            from hazmap.refresh import run_refresh

            run_refresh(load_settings(overrides={"database_url": url}))
            tmp = Path(f"/tmp/hazmap-export-bench-{n}")
            metrics[str(n)] = {fmt: run_export(url, fmt, tmp.with_suffix("." + fmt)) for fmt in ("csv", "geojson")}
            print(f"[export] {n}: {metrics[str(n)]}", flush=True)
        finally:
            drop(a.admin_url, url)
    result = {"name": "export", "date": dt.datetime.now(dt.timezone.utc).isoformat(timespec="seconds"),
              "machine": machine(), "metrics": metrics,
              "notes": "peak_rss_mb is the export process's own peak RSS (VmHWM)"}
    a.out.parent.mkdir(parents=True, exist_ok=True)
    a.out.write_text(json.dumps(result, ensure_ascii=False, indent=2) + "\n", encoding="utf-8")
    print(f"→ {a.out}")


if __name__ == "__main__":
    main()

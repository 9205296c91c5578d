"""Refresh benchmark: district, ×10 city and province-scale synthetic data.

    python benchmarks/refresh.py [--scales district,city,province] [--admin-url URL]

Synthetic enterprises (gas stations, warehouses, chemical plants with hazard units) and
protection targets (points and residential polygons) are generated in SQL with a fixed seed
over an area of the matching size around Jincheng.  For each scale the script times one full
refresh (:func:`geo.postgis.refresh.refresh`) and, in the same run, the bare index-using
``ST_DWithin`` count join over the same requirement and target tables; the ratio of the two
is the engine's overhead.  Results: ``benchmarks/results/refresh.json``.
"""

from __future__ import annotations

import argparse
import datetime as dt
import json
import sys
import time
from pathlib import Path

import sqlalchemy as sa

REPO = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(REPO))
sys.path.append(str(REPO / "benchmarks"))  # after REPO: benchmarks/etl.py must not shadow the etl package

from _scratch import DEFAULT_ADMIN_URL, drop, machine, run_script, scratch_url  # noqa: E402

from hazmap.config import load_settings  # noqa: E402
from hazmap.db.init import init_database  # noqa: E402
from hazmap.db.session import get_engine  # noqa: E402

SCALES = {  # enterprises, point targets, residential polygons, half-width of the area (deg)
    "district": (150, 200, 120, 0.08),
    "city": (1_500, 2_000, 1_200, 0.30),
    "province": (50_000, 800_000, 200_000, 2.2),
}
CENTRE = (112.85, 35.50)

SEED_SQL = """
select setseed(0.42);
insert into enterprise (credit_code, name, stages, facility_type, geocode_precision, geom)
select 'B' || lpad(g::text, 17, '0'), '基准企业' || g,
       case when g % 10 < 5 then '{trade_storage}'::text[] when g % 10 < 8 then '{storage}'::text[]
            else '{production}'::text[] end,
       case when g % 10 < 5 then '加油站' when g % 10 < 8 then '危化品仓库' else '化工厂' end,
       'source', ST_SetSRID(ST_MakePoint(:x + (random() - 0.5) * 2 * :w, :y + (random() - 0.5) * 2 * :w), 4326)
from generate_series(1, :n_ent) g;
insert into hazard_unit (unit_key, enterprise_id, name, kind, fire_class)
select 'BU' || e.id, e.id, '储罐区', 'storage', '甲' from enterprise e where e.facility_type <> '加油站';
insert into inventory (hazard_unit_id, chemical_id, quantity_t)
select u.id, (select id from chemical where key = case when u.id % 3 = 0 then 'T1-12' when u.id % 3 = 1 then 'T1-65' else 'T1-52' end),
       1 + random() * 200
from hazard_unit u;
insert into protection_target (target_key, name, category, population, geom)
select 'BT' || g, '基准目标' || g,
       (array['school','kindergarten','hospital','nursing_home','mall','office'])[1 + (g % 6)],
       (20 + random() * 1500)::int,
       ST_SetSRID(ST_MakePoint(:x + (random() - 0.5) * 2 * :w, :y + (random() - 0.5) * 2 * :w), 4326)
from generate_series(1, :n_pt) g;
insert into protection_target (target_key, name, category, households, population, geom)
select 'BR' || g, '基准小区' || g, 'residential', h, h * 3,
       ST_MakeEnvelope(x, y, x + 0.002, y + 0.0015, 4326)
from (select g, (10 + random() * 600)::int as h,
             :x + (random() - 0.5) * 2 * :w as x, :y + (random() - 0.5) * 2 * :w as y
      from generate_series(1, :n_res) g) s;
"""

BARE_SQL = """
select count(*) from source_requirement r
join enterprise e on e.id = r.enterprise_id
cross join lateral (select t.id from protection_target t
                    where t.category = r.category and ST_DWithin(t.geog, e.geog, r.required_m) offset 0) t
where r.run_id = :run
"""


def bench_scale(admin_url: str, scale: str) -> dict:
    from geo.postgis.refresh import refresh
    from geo.postgis.runs import start_run

    n_ent, n_pt, n_res, w = SCALES[scale]
    url = scratch_url(admin_url, "hazmap_bench")
    init_database(url)
    engine = get_engine(url)
    try:
        t0 = time.perf_counter()
        run_script(engine, SEED_SQL, {"x": CENTRE[0], "y": CENTRE[1], "w": w, "n_ent": n_ent, "n_pt": n_pt,
                                      "n_res": n_res})
        with engine.begin() as conn:
            for t in ("enterprise", "hazard_unit", "inventory", "protection_target"):
                conn.execute(sa.text(f"analyze {t}"))
        load_s = time.perf_counter() - t0
        settings = load_settings(overrides={"database_url": url})
        run_id = start_run(engine, "refresh")
        t0 = time.perf_counter()
        with engine.begin() as conn:
            summary = refresh(conn, run_id, settings)
        refresh_s = time.perf_counter() - t0
        with engine.begin() as conn:
            conn.execute(sa.text("analyze source_requirement"))
        t0 = time.perf_counter()
        with engine.connect() as conn:
            pairs = conn.execute(sa.text(BARE_SQL), {"run": run_id}).scalar()
        bare_s = time.perf_counter() - t0
    finally:
        drop(admin_url, url)
    return {"enterprises": n_ent, "targets": n_pt + n_res, "seed_s": round(load_s, 2),
            "refresh_s": round(refresh_s, 3), "bare_dwithin_s": round(bare_s, 3),
            "ratio": round(refresh_s / bare_s, 2) if bare_s else None,
            "conflicts": summary["conflicts"], "bare_pairs": pairs,
            "major_hazards": summary["major_hazards"]}


def main(argv=None) -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--scales", default="district,city,province")
    ap.add_argument("--admin-url", default=DEFAULT_ADMIN_URL)
    ap.add_argument("--out", type=Path, default=REPO / "benchmarks" / "results" / "refresh.json")
    a = ap.parse_args(argv)
    metrics = {}
    for scale in a.scales.split(","):
        print(f"[refresh] {scale} …", flush=True)
        metrics[scale] = bench_scale(a.admin_url, scale)
        print(f"[refresh] {scale}: {metrics[scale]}", flush=True)
    result = {"name": "refresh", "date": dt.datetime.now(dt.timezone.utc).isoformat(timespec="seconds"),
              "machine": machine(), "metrics": metrics,
              "notes": "ratio = full refresh time / bare ST_DWithin count join over the same tables, same run"}
    a.out.parent.mkdir(parents=True, exist_ok=True)
    a.out.write_text(json.dumps(result, ensure_ascii=False, indent=2) + "\n", encoding="utf-8")
    print(f"→ {a.out}")


if __name__ == "__main__":
    main()

"""Refresh benchmark: the full refresh, each of its steps and the fastest correct conflict joins.

    python benchmarks/refresh.py [--scales district,city,province] [--dask-workers 1,2] [--out PATH]
    python benchmarks/refresh.py --quick          # three tiny scales, prints; writes only with --out
    python benchmarks/refresh.py --readme         # also rewrite README.md's national-figures table

Synthetic enterprises (gas stations, warehouses, chemical plants with hazard units) and
protection targets (points and residential polygons) are generated in SQL with a fixed seed
over an area of the matching size around Jincheng (the generator is unchanged, so results
stay comparable with earlier runs).  For each scale, in the same run on the same data:

* ``refresh_s`` — one full :func:`geo.postgis.refresh.refresh` (and its commit); ``steps`` —
  seconds per step, from the refresh's own ``summary["steps"]`` when it reports them, else
  from the times between its ``progress`` messages;
* ``joins`` — the conflict join as a skilled user would write it, each checked to return
  exactly the refresh's (source, target) pairs with distances within 0.01 m:
  ``postgis_metric`` — geometry projected to the CGCS2000 3° Gauss–Krüger zone of the data
  (an indexed column built for the test; ``build_s``), ``ST_DWithin`` on it with a 1 % margin
  (the zone's scale error here is < 0.2 %) and geography ``ST_Distance`` on the candidates;
  ``strtree`` — shapely 2 STRtree in memory in the same zone with a pyproj Geod refine
  (:func:`geo.distributed.conflict_pairs` on one partition; ``load_s``, the fetch from
  PostGIS, is reported apart and not counted in ``s``);
* ``fastest_join_s`` / ``fastest_join_method`` — the faster of the two (join time only),
  ``ratio`` = ``refresh_s / fastest_join_s``, ``pairs`` — the refresh's conflict count;
* ``incremental_one_enterprise`` — after all of the above, one enterprise moved ≈ 50 m and an
  incremental refresh (:mod:`geo.postgis.incremental`): its seconds, steps and what it measured again;
* ``dask`` — the conflict and exposure steps on a ``LocalCluster`` of 1 and 2 workers
  (:mod:`geo.postgis.distributed`: export to GeoParquet, join, COPY back), checked against
  the refresh's pairs and the people it counted, and the speed-up of 2 workers over 1.

``scaling`` fits t = C·E^a·T^b (E enterprises, T targets) through the scales of this run,
per quantity, and ``national`` extrapolates to ≈ 2×10⁵ enterprises and 10⁷ / 10⁸ building
targets on one machine and on N Dask workers (Amdahl's law with the serial share measured
between 1 and 2 workers).  These are extrapolations from three sizes, not measurements.
Results: ``benchmarks/results/refresh.json``.
"""

from __future__ import annotations

import argparse
import datetime as dt
import json
import math
import sys
import time
from pathlib import Path

import numpy as np
import sqlalchemy as sa

REPO = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(REPO))

from tests.helpers import drop_database, machine, scratch_url  # noqa: E402

SCALES = {  # enterprises, point targets, residential polygons, half-width of the area (deg)
    "district": (150, 200, 120, 0.08),
    "city": (1_500, 2_000, 1_200, 0.30),
    "province": (50_000, 800_000, 200_000, 2.2),
}
QUICK_SCALES = {  # different enterprise/target ratios, so the two exponents are separable
    "quick-1": (40, 60, 40, 0.03),
    "quick-2": (80, 100, 60, 0.05),
    "quick-3": (120, 400, 200, 0.10),
}
CENTRE = (112.85, 35.50)
NATIONAL_ENTERPRISES = 200_000
NATIONAL_TARGETS = (10_000_000, 100_000_000)
NATIONAL_WORKERS = (1, 2, 4, 8, 16, 32)
TARGETS_PER_PARTITION = 100_000

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

# -- the skilled user's PostGIS join: an indexed Gauss–Krüger column, geography refine ------
METRIC_BUILD_SQL = """
create table bench_gk_source as select id, ST_Transform(geom, {srid}) as g, geog from enterprise;
create table bench_gk_target as select id, category, {kind} as kind, ST_Transform(geom, {srid}) as g, geog
    from protection_target t;
create index on bench_gk_target using gist (g);
create index on bench_gk_source (id);
analyze bench_gk_source;
analyze bench_gk_target;
analyze source_requirement
"""
METRIC_JOIN_SQL = sa.text("""
    select r.enterprise_id, t.id, ST_Distance(e.geog, t.geog) as distance_m
    from source_requirement r
    join bench_gk_source e on e.id = r.enterprise_id
    cross join lateral (
        select t.id, t.geog from bench_gk_target t
        where t.category = r.category and ST_DWithin(t.g, e.g, r.required_m * 1.01 + 1)
          -- the target's kind row when the source has one, else the default row (geo.target_kinds)
          and (t.kind = r.target_kind
               or (r.target_kind = '' and not exists (
                   select 1 from source_requirement k where k.run_id = r.run_id and k.enterprise_id = r.enterprise_id
                   and k.category = r.category and k.target_kind = t.kind and t.kind <> '')))
        offset 0  -- one index probe per requirement (the planner otherwise hashes a cross join)
    ) t
    where r.run_id = :run and ST_Distance(e.geog, t.geog) < r.required_m
""")
STRTREE_SOURCES_SQL = sa.text("""
    select r.enterprise_id as source_id, r.category, r.target_kind, r.required_m, ST_X(e.geom) as lon,
           ST_Y(e.geom) as lat
    from source_requirement r join enterprise e on e.id = r.enterprise_id where r.run_id = :run
""")
STRTREE_TARGETS_SQL = "select id, category, {kind} as kind, ST_AsBinary(geom) as wkb from protection_target t"
REFERENCE_SQL = sa.text("select enterprise_id, target_id, distance_m from conflict where run_id = :run")
UNIT_PEOPLE_SQL = sa.text("""
    select u.enterprise_id, max(r.exposed_people) as people
    from hazard_unit_result r join hazard_unit u on u.id = r.hazard_unit_id
    where r.run_id = :run group by u.enterprise_id
""")
COPY_REQUIREMENTS_SQL = sa.text("""
    insert into source_requirement (run_id, enterprise_id, category, target_kind, required_m, rule_id, rule_text)
    select :to, enterprise_id, category, target_kind, required_m, rule_id, rule_text from source_requirement
    where run_id = :run
""")


def _seed(engine, n_ent: int, n_pt: int, n_res: int, w: float) -> float:
    t0 = time.perf_counter()
    with engine.begin() as conn:
        params = {"x": CENTRE[0], "y": CENTRE[1], "w": w, "n_ent": n_ent, "n_pt": n_pt, "n_res": n_res}
        for stmt in SEED_SQL.strip().split(";\n"):
            if stmt.strip():
                conn.execute(sa.text(stmt), params)
    with engine.begin() as conn:
        for t in ("enterprise", "hazard_unit", "inventory", "protection_target"):
            conn.execute(sa.text(f"analyze {t}"))
    return time.perf_counter() - t0


def _timed_refresh(engine, domain) -> tuple[int, dict, float, dict]:
    """(run id, summary, seconds, seconds per step) of one full refresh."""
    from geo.postgis.refresh import refresh
    from hazmap.jobs import start_run

    marks: list[tuple[str, float]] = []
    run_id = start_run(engine, "refresh", versions=domain.versions.as_json())
    t0 = time.perf_counter()
    with engine.begin() as conn:
        summary = refresh(conn, run_id, domain, progress=lambda m: marks.append((m, time.perf_counter())))
        t_end = time.perf_counter()
    seconds = time.perf_counter() - t0
    steps = summary.get("steps")
    if steps:
        steps = {k: round(float(v), 3) for k, v in steps.items()}
    else:  # time between the refresh's progress messages; the last step ends when it returns
        ends = [t for _, t in marks[1:]] + [t_end]
        steps = {m: round(end - t, 3) for (m, t), end in zip(marks, ends)}
    return run_id, summary, seconds, steps


def _timed_incremental(engine, domain, base_run: int) -> dict:
    """One enterprise moved by ≈ 50 m after the full refresh ``base_run``: the incremental refresh
    (issue 18 item 3, target ≤ 2 s at province scale) — seconds, steps, what it measured again."""
    from geo.postgis.refresh import refresh
    from hazmap.jobs import start_run

    with engine.begin() as conn:
        conn.execute(sa.text("update run set status = 'succeeded' where id = :r"), {"r": base_run})
        conn.execute(sa.text("update enterprise set geom = ST_Translate(geom, 0.0005, 0) "
                             "where id = (select min(id) from enterprise)"))
    run_id = start_run(engine, "refresh", versions=domain.versions.as_json())
    t0 = time.perf_counter()
    with engine.begin() as conn:
        summary = refresh(conn, run_id, domain, incremental=True)
    seconds = time.perf_counter() - t0
    inc = summary["incremental"]
    return {"s": round(seconds, 3), "steps": summary["steps"], "changed_enterprises": 1,
            "incremental": inc is not None, "measured": inc}


def _compare(reference: dict, rows) -> dict:
    """Same (source, target) pairs as the refresh, and the largest distance difference (m)."""
    got = {(int(s), int(t)): float(d) for s, t, d in rows}
    same = got.keys() == reference.keys()
    worst = max((abs(got[k] - reference[k]) for k in reference if k in got), default=0.0)
    return {"same_pairs": same, "missing": len(reference.keys() - got.keys()),
            "extra": len(got.keys() - reference.keys()), "max_distance_diff_m": round(worst, 6),
            "agrees": bool(same and worst < 0.01)}


def _postgis_metric_join(engine, run_id: int, reference: dict, kind_sql: str) -> dict:
    from geo.distributed import gk_zone_epsg

    srid = gk_zone_epsg(CENTRE[0])
    t0 = time.perf_counter()
    with engine.begin() as conn:
        for stmt in METRIC_BUILD_SQL.format(srid=srid, kind=kind_sql).split(";\n"):
            conn.execute(sa.text(stmt))
    build_s = time.perf_counter() - t0
    with engine.connect() as conn:
        t0 = time.perf_counter()
        rows = conn.execute(METRIC_JOIN_SQL, {"run": run_id}).all()
        join_s = time.perf_counter() - t0
    return {"s": round(join_s, 3), "build_s": round(build_s, 3), "crs": f"EPSG:{srid}",
            **_compare(reference, rows)}


def _strtree_join(engine, run_id: int, reference: dict, kind_sql: str) -> dict:
    import geopandas as gpd
    import pandas as pd

    from geo.distributed import conflict_pairs

    t0 = time.perf_counter()
    with engine.connect() as conn:
        req = pd.DataFrame(conn.execute(STRTREE_SOURCES_SQL, {"run": run_id}).all(),
                           columns=["source_id", "category", "target_kind", "required_m", "lon", "lat"])
        tg = conn.execute(sa.text(STRTREE_TARGETS_SQL.format(kind=kind_sql))).all()
    sources = gpd.GeoDataFrame(req[["source_id", "category", "target_kind", "required_m"]],
                               geometry=gpd.points_from_xy(req["lon"], req["lat"], crs="EPSG:4326"))
    targets = gpd.GeoDataFrame({"target_id": np.array([r.id for r in tg], dtype=np.int64),
                                "category": [r.category for r in tg], "kind": [r.kind for r in tg]},
                               geometry=gpd.GeoSeries.from_wkb([bytes(r.wkb) for r in tg], crs="EPSG:4326"))
    load_s = time.perf_counter() - t0
    t0 = time.perf_counter()
    pairs = conflict_pairs(targets, sources)
    join_s = time.perf_counter() - t0
    rows = zip(pairs["source_id"], pairs["target_id"], pairs["distance_m"])
    return {"s": round(join_s, 3), "load_s": round(load_s, 3), **_compare(reference, rows)}


def _dask_steps(engine, run_id: int, reference: dict, clients: dict, n_targets: int, min_partitions: int,
                kind_sql: str) -> dict:
    """The conflict and exposure steps on each LocalCluster, checked against the refresh."""
    import tempfile

    from geo.distributed import choose_tile_deg
    from geo.postgis.distributed import export_targets, exposed_people_dask, insert_conflicts_dask

    out: dict = {"workers": {}}
    with engine.connect() as conn:
        people_ref = {int(e): float(p) for e, p in conn.execute(UNIT_PEOPLE_SQL, {"run": run_id})}
        ids = [int(i) for i in conn.execute(sa.text("select id from enterprise order by id")).scalars()]
        extent = conn.execute(sa.text("select min(ST_XMin(geom)), min(ST_YMin(geom)), max(ST_XMax(geom)), "
                                      "max(ST_YMax(geom)) from protection_target")).one()
    # at least about `min_partitions` partitions at every scale, so that 2 workers share the work
    tile_deg = choose_tile_deg(n_targets, tuple(extent), targets_per_partition=min(
        TARGETS_PER_PARTITION, max(n_targets // min_partitions, 1)))
    with tempfile.TemporaryDirectory(prefix="hazmap-bench-") as scratch:
        with engine.connect() as conn:
            t0 = time.perf_counter()
            tiles = export_targets(conn, Path(scratch) / "targets", tile_deg=tile_deg, target_kind=kind_sql)
            out["export_s"] = round(time.perf_counter() - t0, 3)
        out["partitions"], out["tile_deg"] = len(tiles.names), round(tile_deg, 4)
        for n_workers, client in clients.items():
            with engine.connect() as conn:
                trans = conn.begin()
                check_run = conn.execute(sa.text("insert into run (kind, status) values ('refresh', 'running') "
                                                 "returning id")).scalar_one()
                conn.execute(COPY_REQUIREMENTS_SQL, {"to": check_run, "run": run_id})
                t0 = time.perf_counter()
                n = insert_conflicts_dask(conn, check_run, client, tiles=tiles, workdir=scratch, target_kind=kind_sql)
                conflicts_s = time.perf_counter() - t0
                rows = conn.execute(REFERENCE_SQL, {"run": check_run}).all()
                t0 = time.perf_counter()
                people = exposed_people_dask(conn, ids, client, tiles=tiles, workdir=scratch)
                exposure_s = time.perf_counter() - t0
                trans.rollback()
            diff = max((abs(people.get(e, {"people": 0.0})["people"] - p) for e, p in people_ref.items()),
                       default=0.0)
            out["workers"][str(n_workers)] = {
                "conflicts_s": round(conflicts_s, 3), "exposure_s": round(exposure_s, 3),
                "total_s": round(out["export_s"] + conflicts_s + exposure_s, 3), "pairs": n,
                "conflicts": _compare(reference, rows),
                "exposure": {"enterprises_compared": len(people_ref), "max_people_diff": round(diff, 3),
                             "agrees": diff <= 0.1 + 1e-9}}
    w = out["workers"]
    if "1" in w and "2" in w:
        out["speedup_2_over_1"] = round(w["1"]["total_s"] / w["2"]["total_s"], 3)
    return out


def bench_scale(sizes: tuple, clients: dict, *, min_partitions: int) -> dict:
    from hazmap.config import load_settings
    from hazmap.db.init import init_database
    from hazmap.db.session import get_engine
    from hazmap.domain import load_domain
    from geo.postgis.target_kinds import target_kind_sql

    n_ent, n_pt, n_res, w = sizes
    url = scratch_url("hazmap_bench")
    init_database(url)
    engine = get_engine(url)
    try:
        seed_s = _seed(engine, n_ent, n_pt, n_res, w)
        domain = load_domain(load_settings(overrides={"database_url": url}))
        # the core steps only: the consequence tier (QRA per major-hazard unit) has its own benchmark,
        # benchmarks/consequence.py, and would otherwise dominate every scale here
        from dataclasses import replace
        domain = replace(domain, consequence=None)
        run_id, summary, refresh_s, steps = _timed_refresh(engine, domain)
        with engine.connect() as conn:
            reference = {(int(s), int(t)): float(d) for s, t, d in conn.execute(REFERENCE_SQL, {"run": run_id})}
        kind_sql = target_kind_sql(domain.rules)  # per-target-kind requirements (geo.target_kinds)
        joins = {"postgis_metric": _postgis_metric_join(engine, run_id, reference, kind_sql),
                 "strtree": _strtree_join(engine, run_id, reference, kind_sql)}
        correct = {k: v for k, v in joins.items() if v["agrees"]}
        fastest = min(correct, key=lambda k: correct[k]["s"]) if correct else None
        result = {"enterprises": n_ent, "targets": n_pt + n_res, "seed_s": round(seed_s, 2),
                  "refresh_s": round(refresh_s, 3), "steps": steps, "joins": joins,
                  "fastest_join_s": correct[fastest]["s"] if fastest else None,
                  "fastest_join_method": fastest,
                  "ratio": round(refresh_s / correct[fastest]["s"], 2) if fastest and correct[fastest]["s"] else None,
                  "pairs": summary["conflicts"], "major_hazards": summary["major_hazards"]}
        if clients:
            result["dask"] = _dask_steps(engine, run_id, reference, clients, n_pt + n_res, min_partitions, kind_sql)
        result["incremental_one_enterprise"] = _timed_incremental(engine, domain, run_id)  # changes the data: last
        return result
    finally:
        drop_database(url)


# -- item 8: how time grows, and what that predicts for a national run -----------------------

def _step(steps: dict, *words: str) -> float:
    return sum(v for k, v in steps.items() if any(w in k.lower() for w in words))


def _quantities(m: dict) -> dict:
    """The times fitted per scale: the refresh, its steps, the fastest join, the Dask steps."""
    q = {"refresh_s": m["refresh_s"], "fastest_join_s": m["fastest_join_s"]}
    q |= {f"steps.{k}": v for k, v in m["steps"].items()}
    q["exposure_and_conflict_steps_s"] = _step(m["steps"], "exposure", "暴露", "conflict", "冲突")
    if "dask" in m and "1" in m["dask"]["workers"]:
        q["dask_1_worker_s"] = m["dask"]["workers"]["1"]["total_s"]
    return q


def power_law(points: list[tuple[float, float, float]]) -> dict | None:
    """Least-squares fit of t = C·E^a·T^b through (E, T, t) points; exponents a, b and C.

    With three scales the fit is exact (no residual, so no error estimate); the one-variable
    exponents (t against E alone and T alone) are reported next to it.
    """
    pts = [(e, t, s) for e, t, s in points if s and s > 0]
    if len(pts) < 2:
        return None
    logs = np.log(np.array(pts, dtype=float))
    out = {"points": len(pts)}
    for name, col in (("exponent_enterprises_alone", 0), ("exponent_targets_alone", 1)):
        if np.ptp(logs[:, col]) > 0:
            out[name] = round(float(np.polyfit(logs[:, col], logs[:, 2], 1)[0]), 3)
    design = np.column_stack([np.ones(len(pts)), logs[:, 0], logs[:, 1]])
    if len(pts) >= 3 and np.linalg.matrix_rank(design) == 3:
        (c, a, b), *_ = np.linalg.lstsq(design, logs[:, 2], rcond=None)
        out |= {"a_enterprises": round(float(a), 3), "b_targets": round(float(b), 3), "log_c": float(c)}
    return out


def _predict(fit: dict | None, e: float, t: float) -> float | None:
    if not fit or "a_enterprises" not in fit:
        return None
    return float(math.exp(fit["log_c"] + fit["a_enterprises"] * math.log(e) + fit["b_targets"] * math.log(t)))


def scaling(metrics: dict) -> tuple[dict, dict]:
    """(fits per quantity, national extrapolation) from the scales measured in this run."""
    names = sorted({k for m in metrics.values() for k in _quantities(m)})
    fits = {}
    for name in names:
        pts = [(m["enterprises"], m["targets"], _quantities(m).get(name)) for m in metrics.values()]
        fit = power_law(pts)
        if fit:
            fits[name] = fit
    largest = max(metrics.values(), key=lambda m: m["targets"])
    workers = largest.get("dask", {}).get("workers", {})
    serial = None
    if "1" in workers and "2" in workers:  # Amdahl: t2 = t1·(f + (1 − f)/2)  →  f = 2·t2/t1 − 1
        serial = min(max(2 * workers["2"]["total_s"] / workers["1"]["total_s"] - 1, 0.0), 1.0)
    national = {"enterprises": NATIONAL_ENTERPRISES, "serial_share_dask": None if serial is None else round(serial, 3),
                "basis": f"fits over {', '.join(metrics)}; extrapolated, not measured", "targets": {}}
    for targets in NATIONAL_TARGETS:
        one = _predict(fits.get("refresh_s"), NATIONAL_ENTERPRISES, targets)
        moved = _predict(fits.get("exposure_and_conflict_steps_s"), NATIONAL_ENTERPRISES, targets)
        dask1 = _predict(fits.get("dask_1_worker_s"), NATIONAL_ENTERPRISES, targets)
        row = {"one_machine_refresh_s": _sig(one), "dask_workers": {}}
        if None not in (one, moved, dask1, serial):
            rest = max(one - moved, 0.0)  # the steps that stay in PostGIS
            for n in NATIONAL_WORKERS:
                row["dask_workers"][str(n)] = _sig(rest + dask1 * (serial + (1 - serial) / n))
        national["targets"][str(targets)] = row
    return fits, national


def _sig(x: float | None) -> float | None:
    """Four significant digits (extrapolations carry no more)."""
    return None if x is None else float(f"{x:.4g}")


def _markdown(national: dict) -> str:
    lines = ["| building targets | one machine (PostGIS) | " + " | ".join(
        f"{n} Dask workers" for n in NATIONAL_WORKERS) + " |",
        "|---|---|" + "---|" * len(NATIONAL_WORKERS)]
    for targets, row in national["targets"].items():
        cells = [_duration(row["dask_workers"].get(str(n))) for n in NATIONAL_WORKERS]
        lines.append(f"| {int(targets):.0e} | {_duration(row['one_machine_refresh_s'])} | " + " | ".join(cells) + " |")
    return "\n".join(lines)


README_START = "<!-- refresh-national:start (written by benchmarks/refresh.py --readme) -->"
README_END = "<!-- refresh-national:end -->"


def write_readme(path: Path, national: dict, date: str) -> None:
    """Replace the national-figures block of ``path`` with this run's extrapolation."""
    text = path.read_text(encoding="utf-8")
    if README_START not in text or README_END not in text:
        raise SystemExit(f"{path} 中缺少标记 {README_START} … {README_END}")
    head, rest = text.split(README_START, 1)
    tail = rest.split(README_END, 1)[1]
    serial = national["serial_share_dask"]
    block = (f"{README_START}\n"
             f"Extrapolated (not measured) from the benchmark run of {date} ({national['basis']}), "
             f"{national['enterprises']:,} enterprises; Dask serial share {serial} (measured between 1 and 2 "
             f"workers at the largest scale); the PostGIS steps other than exposure and conflicts stay on "
             f"the database server:\n\n{_markdown(national)}\n{README_END}")
    path.write_text(head + block + tail, encoding="utf-8")


def _duration(s: float | None) -> str:
    if s is None:
        return "—"
    return f"≈ {s / 3600:.1f} h" if s >= 5400 else f"≈ {s / 60:.0f} min" if s >= 90 else f"≈ {s:.0f} s"


def main(argv=None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--scales", default="district,city,province")
    ap.add_argument("--quick", action="store_true", help="three tiny scales; prints, writes only with --out")
    ap.add_argument("--dask-workers", default="1,2", help="LocalCluster sizes to run the Dask steps on ('' = none)")
    ap.add_argument("--out", type=Path, default=None)
    ap.add_argument("--readme", type=Path, nargs="?", const=REPO / "README.md", default=None,
                    help="rewrite the national-figures table of this README (default README.md)")
    a = ap.parse_args(argv)
    scales = QUICK_SCALES if a.quick else {s: SCALES[s] for s in a.scales.split(",")}
    out = a.out or (None if a.quick else REPO / "benchmarks" / "results" / "refresh.json")
    clients, clusters = {}, []
    if a.dask_workers:
        from distributed import Client, LocalCluster

        for n in (int(x) for x in a.dask_workers.split(",")):
            cluster = LocalCluster(n_workers=n, threads_per_worker=1, dashboard_address="127.0.0.1:0")
            clusters.append(cluster)
            clients[n] = Client(cluster)
    metrics = {}
    try:
        for scale, sizes in scales.items():
            print(f"[refresh] {scale} …", flush=True)
            metrics[scale] = bench_scale(sizes, clients, min_partitions=4 if a.quick else 16)
            print(f"[refresh] {scale}: {json.dumps(metrics[scale], ensure_ascii=False)}", flush=True)
    finally:
        for c in clients.values():
            c.close()
        for c in clusters:
            c.close()
    fits, national = scaling(metrics)
    result = {"name": "refresh", "date": dt.datetime.now(dt.timezone.utc).isoformat(timespec="seconds"),
              "machine": machine(), "metrics": metrics, "scaling": fits, "national": national,
              "notes": ("ratio = refresh_s / fastest_join_s (the faster correct join, join time only; "
                        "strtree load_s and postgis_metric build_s reported apart); every join checked "
                        "pair for pair against the refresh's conflict table (distances within 0.01 m); "
                        "national figures are power-law extrapolations from the scales of this run")}
    print(_markdown(national))
    if out:
        out.parent.mkdir(parents=True, exist_ok=True)
        out.write_text(json.dumps(result, ensure_ascii=False, indent=2) + "\n", encoding="utf-8")
        print(f"→ {out}")
    if a.readme:
        write_readme(a.readme, national, result["date"][:10])
        print(f"→ {a.readme}")
    wrong = [f"{s}.{k}" for s, m in metrics.items() for k, j in m["joins"].items() if not j["agrees"]]
    wrong += [f"{s}.dask.{n}.{part}" for s, m in metrics.items()
              for n, w in m.get("dask", {}).get("workers", {}).items()
              for part in ("conflicts", "exposure") if not w[part]["agrees"]]
    if wrong:
        print("不一致（与重算结果的冲突对或人数不同）：" + ", ".join(wrong), file=sys.stderr)
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())

"""Reliability benchmark: replace a province-scale registry that already has results.

    python benchmarks/reliability.py [--enterprises 50000] [--targets 200000] [--quick] [--admin-url URL]

A scratch database is seeded (in SQL, fixed seed) with the enterprises of one registry file —
every other one with a storage hazard unit and an inventory — and protection targets around
them, and one full refresh stores a previous run's results (major-hazard results, requirements,
conflicts, colours, areas).  Then a new edition of the registry replaces the old one: every
enterprise of the file is absent from it (removed, with the cascade through hazard units,
inventories and every result that refers to them) and as many new ones arrive.  The replace
is :func:`etl.load.upsert` — what ``hazmap etl run`` does — in one transaction, timed.

Besides the time, the scans of the child tables during the replace are counted
(``pg_stat_all_tables``: sequential scans, and rows read by any scan): without an index whose
leading column is the foreign key, a cascade reads the whole child table (or a whole index)
once per deleted parent row — 10 601 full scans in one delete were seen.  Measured at 5 000
enterprises / 20 000 targets on a shared 2-core machine (two runs each): 9–14 s and 11.2 M
``conflict`` rows read without the indexes of migration 0102, 1.4–2 s and 4 543 rows read with
them (0.7 s in a third run); without them the cost grows with the square of the registry size.

``--quick``: 500 enterprises and 2 000 targets, for a smoke run.  Results:
``benchmarks/results/reliability.json``.
"""

from __future__ import annotations

import argparse
import dataclasses
import datetime as dt
import json
import sys
import time
from pathlib import Path

import sqlalchemy as sa

REPO = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(REPO))
sys.path.append(str(REPO / "benchmarks"))  # after REPO: benchmarks/etl.py must not shadow the etl package

from tests.helpers import ADMIN_URL as DEFAULT_ADMIN_URL, drop_database, machine, run_script, scratch_url  # noqa: E402

from hazmap.config import load_settings  # noqa: E402
from hazmap.db.init import init_database  # noqa: E402
from hazmap.db.session import get_engine  # noqa: E402

FILE = "registry.csv"
CENTRE = (112.85, 35.50)
CHILDREN = ("hazard_unit", "inventory", "hazard_unit_result", "source_requirement", "enterprise_risk", "conflict")

SEED_SQL = """
select setseed(0.19);
insert into enterprise (credit_code, name, stages, facility_type, geocode_precision, source_file, row_hash, geom)
select 'R' || lpad(g::text, 17, '0'), '旧登记企业' || g,
       case when g % 2 = 0 then '{storage}'::text[] else '{trade_storage}'::text[] end,
       case when g % 2 = 0 then '危化品仓库' else '加油站' end, 'source', :file, 'seed',
       ST_SetSRID(ST_MakePoint(:x + (random() - 0.5) * 2 * :w, :y + (random() - 0.5) * 2 * :w), 4326)
from generate_series(1, :n_ent) g;
insert into hazard_unit (unit_key, enterprise_id, name, kind, fire_class)
select 'RU' || e.id, e.id, '储罐区', 'storage', '甲' from enterprise e where e.facility_type = '危化品仓库';
insert into inventory (hazard_unit_id, chemical_id, quantity_t)
select u.id, (select id from chemical where key = case when u.id % 2 = 0 then 'T1-12' else 'T1-65' end),
       1 + random() * 200
from hazard_unit u;
insert into protection_target (target_key, name, category, population, geom)
select 'RT' || g, '目标' || g, (array['school','kindergarten','hospital','nursing_home','mall','office'])[1 + (g % 6)],
       (20 + random() * 1500)::int,
       ST_SetSRID(ST_MakePoint(:x + (random() - 0.5) * 2 * :w, :y + (random() - 0.5) * 2 * :w), 4326)
from generate_series(1, :n_tgt) g;
"""


def _half_width_deg(n_ent: int) -> float:
    """The area grows with the registry: ≈ 150 enterprises per 0.08° half-width (the district)."""
    return 0.08 * max(1.0, (n_ent / 150) ** 0.5)


def _new_edition(n_ent: int, w: float) -> list[dict]:
    """The registry's next edition: the same number of enterprises, none of the old keys."""
    import random

    rnd = random.Random(19)
    out = []
    for g in range(1, n_ent + 1):
        lon = CENTRE[0] + (rnd.random() - 0.5) * 2 * w
        lat = CENTRE[1] + (rnd.random() - 0.5) * 2 * w
        out.append({"credit_code": "N" + str(g).rjust(17, "0"), "name": f"新登记企业{g}", "stages": ["storage"],
                    "facility_type": "危化品仓库", "geocode_precision": "source", "source_file": FILE,
                    "wkt": f"POINT({lon:.7f} {lat:.7f})"})
    return out


def _scan_stats(conn) -> dict[str, tuple[int, int]]:
    """Per child table: sequential scans, and rows read by any scan (sequential or index)."""
    return {r.relname: (r.seq_scan, r.seq_tup_read + r.idx_read) for r in conn.execute(sa.text("""
        select t.relname, t.seq_scan, t.seq_tup_read,
               coalesce((select sum(i.idx_tup_read) from pg_stat_all_indexes i where i.relid = t.relid), 0)::bigint as idx_read
        from pg_stat_all_tables t where t.relname = any(:t)"""), {"t": list(CHILDREN)})}


def bench(admin_url: str, n_ent: int, n_tgt: int) -> dict:
    from etl.load import upsert
    from geo.postgis.refresh import refresh
    from hazmap.domain import load_domain
    from hazmap.jobs import finish_run, start_run

    url = scratch_url("hazmap_reliab", admin_url)
    init_database(url)
    engine = get_engine(url)
    w = _half_width_deg(n_ent)
    try:
        t0 = time.perf_counter()
        run_script(engine, SEED_SQL, {"x": CENTRE[0], "y": CENTRE[1], "w": w, "n_ent": n_ent, "n_tgt": n_tgt,
                                      "file": FILE})
        with engine.begin() as conn:
            conn.execute(sa.text("analyze"))
        seed_s = time.perf_counter() - t0
        settings = load_settings(overrides={"database_url": url})
        # the core refresh: the consequence tier (QRA per major-hazard unit) has its own benchmark
        # (benchmarks/consequence.py); what is measured here is the replace and its cascades
        domain = dataclasses.replace(load_domain(settings), consequence=None)
        run_id = start_run(engine, "refresh", versions=domain.versions.as_json())
        t0 = time.perf_counter()
        with engine.begin() as conn:
            summary = refresh(conn, run_id, domain)
            finish_run(conn, run_id, "succeeded")
        refresh_s = time.perf_counter() - t0
        with engine.begin() as conn:
            conn.execute(sa.text("analyze"))
            before = {t: conn.execute(sa.text(f"select count(*) from {t}")).scalar() for t in CHILDREN}
        records = _new_edition(n_ent, w)
        replace_run = start_run(engine, "etl", versions=domain.versions.as_json())
        with engine.connect() as stats:
            scans0 = _scan_stats(stats)
        t0 = time.perf_counter()
        with engine.begin() as conn:
            counts, _ = upsert(conn, "enterprise", "credit_code", records, run_id=replace_run, files=[FILE],
                               keep_keys=set())
        replace_s = time.perf_counter() - t0
        time.sleep(1.0)  # the statistics collector reports a transaction's scans shortly after it ends
        with engine.connect() as stats:
            scans1 = _scan_stats(stats)
        with engine.connect() as conn:
            after = {t: conn.execute(sa.text(f"select count(*) from {t}")).scalar() for t in CHILDREN}
    finally:
        drop_database(url, admin_url)
    return {"enterprises": n_ent, "targets": n_tgt, "seed_s": round(seed_s, 2), "refresh_s": round(refresh_s, 2),
            "replace_s": round(replace_s, 3), "removed": counts["removed"], "inserted": counts["inserted"],
            "rows_before": before, "rows_after": after,
            "child_seq_scans_during_replace": {t: scans1[t][0] - scans0[t][0] for t in CHILDREN},
            "child_rows_read_during_replace": {t: scans1[t][1] - scans0[t][1] for t in CHILDREN},
            "conflicts_before": summary["conflicts"]}


def main(argv=None) -> dict:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--enterprises", type=int, default=50_000)
    ap.add_argument("--targets", type=int, default=200_000)
    ap.add_argument("--quick", action="store_true", help="500 enterprises, 2 000 targets (smoke run)")
    ap.add_argument("--admin-url", default=DEFAULT_ADMIN_URL)
    ap.add_argument("--out", type=Path, default=REPO / "benchmarks" / "results" / "reliability.json")
    a = ap.parse_args(argv)
    n_ent, n_tgt = (500, 2_000) if a.quick else (a.enterprises, a.targets)
    print(f"[reliability] replacing a registry of {n_ent} enterprises ({n_tgt} targets) …", flush=True)
    metrics = bench(a.admin_url, n_ent, n_tgt)
    print(f"[reliability] {metrics}", flush=True)
    result = {"name": "reliability", "date": dt.datetime.now(dt.timezone.utc).isoformat(timespec="seconds"),
              "machine": machine(), "metrics": metrics,
              "notes": ("replace_s: etl.load.upsert replacing every enterprise of one registry file (removed with "
                        "the cascade through hazard units, inventories and the previous run's results) by as many "
                        "new ones, one transaction; child rows read should stay near the rows removed (no scan per deleted row)"
                        + ("; --quick smoke size" if a.quick else ""))}
    a.out.parent.mkdir(parents=True, exist_ok=True)
    a.out.write_text(json.dumps(result, ensure_ascii=False, indent=2) + "\n", encoding="utf-8")
    print(f"→ {a.out}")
    return result


if __name__ == "__main__":
    main()

"""The demo's two 双随机 draws (``data/demo/inspection_draws.csv``: period and seed), made by
``hazmap demo`` after the load and refresh, like an operator would through
``POST /api/v1/inspections/draw``.  Running the demo again replaces them (same seed, same draw)."""

from __future__ import annotations

import csv
from pathlib import Path

import sqlalchemy as sa

import datetime as dt

from geo.postgis.inspections import draw_and_store, record_result
from hazmap import users


def make_demo_draws(conn: sa.Connection, draws_file: Path, rules) -> list[dict]:
    """Draw each (period, seed) of ``draws_file``; returns the draws (audited as the demo's)."""
    out = []
    with open(draws_file, encoding="utf-8-sig", newline="") as f:
        for row in csv.DictReader(f):
            period, seed = row["抽查期间"], row["随机种子"]
            conn.execute(sa.text("delete from inspection_draw where period = :p and seed = :s"), {"p": period, "s": seed})
            d = draw_and_store(conn, {"seed": seed, "period": period}, rules=rules, by="demo")
            users.audit(conn, "inspection_draw", user={"name": "demo", "role": "operator"},
                        detail={"draw_id": d["draw_id"], "period": period, "inspections": len(d["inspections"]),
                                "via": "cli"})
            out.append(d)
    return out


def record_demo_results(conn: sa.Connection, results_file: Path, draws: list[dict]) -> int:
    """Record the results of ``results_file`` (抽查期间, 序号 = the inspection's place in its draw, 检查日期,
    检查结果) on the draws just made; returns how many were recorded."""
    if not results_file.is_file():
        return 0
    by_period = {d["period"]: d for d in draws}
    n = 0
    with open(results_file, encoding="utf-8-sig", newline="") as f:
        for row in csv.DictReader(f):
            d = by_period.get(row["抽查期间"])
            k = int(row["序号"])
            if d is None or not 1 <= k <= len(d["inspections"]):
                continue  # a draw that drew fewer (changed rules): nothing to record, as a clerk would skip it
            iid = d["inspections"][k - 1]["inspection_id"]
            record_result(conn, iid, {"inspected_on": row["检查日期"], "result": row["检查结果"]}, by="demo",
                          today=dt.date.today())
            users.audit(conn, "inspection_result", user={"name": "demo", "role": "operator"},
                        detail={"inspection_id": iid, "via": "cli"})
            n += 1
    return n

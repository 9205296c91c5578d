"""The demo's two 双随机 draws (``data/demo/inspection_draws.csv``: period and seed), made by
``hazmap demo`` after the load and refresh, like an operator would through
``POST /api/v1/inspections/draw``.  Running the demo again replaces them (same seed, same draw)."""

from __future__ import annotations

import csv
from pathlib import Path

import sqlalchemy as sa

from geo.postgis.inspections import draw_and_store
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

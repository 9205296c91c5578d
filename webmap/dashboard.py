"""``/dashboard``: headline counts, counts by colour × town × department × stage with numbers on
every bar (a click opens the map with that filter), the top list, trends across runs, a
comparison of any two runs and the freshness of each source.

Charts and tables are drawn in the browser (``static/dashboard.js``, local Chart.js) from
``/api/v1/stats``, ``/api/v1/runs``, ``/api/v1/trends`` and ``/api/v1/changes``; the
per-source freshness table is rendered here.
"""

from __future__ import annotations

from zoneinfo import ZoneInfo

import sqlalchemy as sa
from flask import Blueprint

from webmap.db import connect
from webmap.labels import KIND_LABEL
from webmap.pages import render_page

bp = Blueprint("dashboard", __name__)
BEIJING = ZoneInfo("Asia/Shanghai")

# The wings' dashboard cards: (template under templates/dashboard/, script under static/) — each
# card is a Jinja partial (a <section class="hz-card">) whose script fetches its own endpoint.
# A wing adds its card here, one line.
CARDS: tuple[tuple[str, str], ...] = ()
CARDS += (("transport.html", "dashboard_transport.js"),)

# Per source kind, the newest succeeded ETL run that read a file of that kind (run.files).
_FRESHNESS_SQL = sa.text("""
    select distinct on (f->>'kind') f->>'kind' as kind, f->>'file' as file, f->>'rows' as rows,
           left(f->>'sha256', 12) as sha256, r.id as run_id, r.finished_at
    from run r cross join lateral jsonb_array_elements(
           case when jsonb_typeof(r.files) = 'array' then r.files else '[]'::jsonb end) f
    where r.status = 'succeeded' and f ? 'kind'
    order by f->>'kind', r.id desc
""")


@bp.get("/dashboard")
def dashboard():
    with connect() as conn:
        freshness = [dict(r._mapping) for r in conn.execute(_FRESHNESS_SQL)]
    for f in freshness:
        f["label"] = KIND_LABEL.get(f["kind"], f["kind"])
        f["finished"] = f["finished_at"].astimezone(BEIJING).strftime("%Y-%m-%d %H:%M") if f["finished_at"] else "-"
        f["file"] = (f["file"] or "").replace("\\", "/").rsplit("/", 1)[-1]  # a file name, never a server path
    return render_page("dashboard.html", page="dashboard", title="统计看板 — 危险化学品安全风险", freshness=freshness,
                       cards=CARDS)

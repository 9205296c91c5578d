"""``/dashboard``: headline counts, counts by colour × town × department × stage with numbers on
every bar (a click opens the map with that filter), the top list, trends across runs, a
comparison of any two runs and the freshness of each source.

Charts and tables are drawn in the browser (``static/dashboard.js``, local Chart.js) from
``/api/v1/stats``, ``/api/v1/runs``, ``/api/v1/trends`` and ``/api/v1/changes``; the
per-source freshness table is rendered here.
"""

from __future__ import annotations

from zoneinfo import ZoneInfo

from flask import Blueprint

from geo.postgis.collections import summaries
from webmap.db import connect
from webmap.labels import KIND_LABEL
from webmap.pages import render_page

bp = Blueprint("dashboard", __name__)
BEIJING = ZoneInfo("Asia/Shanghai")

# The wings' dashboard cards: (template under templates/dashboard/, script under static/) — each
# card is a Jinja partial (a <section class="hz-card">) whose script fetches its own endpoint.
# A wing adds its card here, one line.
CARDS: tuple[tuple[str, str], ...] = (("assessment.html", "card_assessment.js"),  # colours of record (issue 12)
                                      ("waste.html", "dashboard_waste.js"),  # hazardous waste (issue 16)
                                      ("transport.html", "dashboard_transport.js"))  # transport (issue 15)


@bp.get("/dashboard")
def dashboard():
    with connect() as conn:
        freshness = summaries.freshness(conn)
    for f in freshness:
        f["label"] = KIND_LABEL.get(f["kind"], f["kind"])
        f["finished"] = f["finished_at"].astimezone(BEIJING).strftime("%Y-%m-%d %H:%M") if f["finished_at"] else "-"
        f["file"] = (f["file"] or "").replace("\\", "/").rsplit("/", 1)[-1]  # a file name, never a server path
    return render_page("dashboard.html", page="dashboard", title="统计看板 — 危险化学品安全风险", freshness=freshness,
                       cards=CARDS)

"""``/dashboard``: counts by colour × town × department × stage, top risks, changes, freshness.

The charts and tables are drawn in the browser (``static/dashboard.js``, local Chart.js) from
``/api/v1/stats`` and ``/api/v1/runs``; the per-source freshness table is rendered here.
"""

from __future__ import annotations

from zoneinfo import ZoneInfo

import sqlalchemy as sa
from flask import Blueprint, render_template

from webmap.db import connect

bp = Blueprint("dashboard", __name__)
BEIJING = ZoneInfo("Asia/Shanghai")

# Per source kind, the newest succeeded ETL run that read a file of that kind (run.files).
_FRESHNESS_SQL = sa.text("""
    select distinct on (f->>'kind') f->>'kind' as kind, f->>'file' as file, f->>'rows' as rows,
           left(f->>'sha256', 12) as sha256, r.id as run_id, r.finished_at
    from run r cross join lateral jsonb_array_elements(
           case when jsonb_typeof(r.files) = 'array' then r.files else '[]'::jsonb end) f
    where r.status = 'succeeded' and f ? 'kind'
    order by f->>'kind', r.id desc
""")

KIND_LABEL = {"enterprises": "涉危企业", "hazard_units": "危险源单元/储量", "targets": "防护目标",
              "areas": "行政区划", "pipelines": "长输管道", "gazetteer": "地名地址库"}


@bp.get("/dashboard")
def dashboard():
    with connect() as conn:
        freshness = [dict(r._mapping) for r in conn.execute(_FRESHNESS_SQL)]
    for f in freshness:
        f["label"] = KIND_LABEL.get(f["kind"], f["kind"])
        f["finished"] = f["finished_at"].astimezone(BEIJING).strftime("%Y-%m-%d %H:%M") if f["finished_at"] else "-"
    return render_template("dashboard.html", freshness=freshness)

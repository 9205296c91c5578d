"""One way to make pages: Jinja templates (``templates/``) extending ``base.html``, one script
per page (``static/<page>.js``) over shared helpers (``static/common.js``).

No page carries inline script (the Content-Security-Policy forbids it, see
:func:`webmap.security.headers`): what a script needs — the domain vocabulary, the pages'
labels, the map settings, the current run, the user — travels in one JSON data block
(``<script type="application/json" id="hz-page">``, escaped by Jinja's ``tojson``) that
``common.js`` reads.  folium is not used for pages: its generated inline scripts would violate
that policy; it stays available to the analyst notebooks.
"""

from __future__ import annotations

from flask import g, render_template, url_for

from geo.postgis import collections as queries
from webmap import labels
from webmap.auth import EXPORT_ROLES, csrf_token, may_open
from webmap.db import connect, domain, settings

# (endpoint, menu label) in menu order; each role sees the entries it may open
MENU = (("riskmap.risk_map", "风险地图"), ("dashboard.dashboard", "统计看板"), ("siting.siting", "选址核查"),
        ("console.runs", "数据运行"), ("console.users_page", "用户管理"), ("console.audit", "审计日志"))


def menu(user: dict | None) -> list[dict]:
    role = (user or {}).get("role")
    if user is None:  # anonymous viewers (anonymous_access) see the map only
        return [{"label": "风险地图", "url": url_for("riskmap.risk_map")}]
    return [{"label": label, "url": url_for(ep)} for ep, label in MENU if may_open(role, ep)]


def _map_options() -> dict:
    m = settings().map
    if m.basemap_file:
        basemap = {"kind": "mbtiles", "url": url_for("basemap.tile", z=0, x=0, y=0).replace("/0/0/0", "/{z}/{x}/{y}")}
    elif m.tile_url:
        basemap = {"kind": "tiles", "url": m.tile_url}
    else:
        basemap = {"kind": "data", "url": url_for("basemap.vector")}
    return {**basemap, "datum": m.tile_datum if (m.tile_url or m.basemap_file) else "wgs84",
            "attribution": m.tile_attribution or ("本系统数据绘制" if basemap["kind"] == "data" else "本地底图"),
            "reviewNumber": m.review_number, "centre": list(settings().area.centre), "zoom": settings().area.zoom}


def page_options(page: str, title: str, **extra) -> dict:
    """The page's JSON data block."""
    from geo.postgis.runs import current_run_id
    from webmap.reading import pin_requested_run

    with connect() as conn:
        newest = current_run_id(conn)
        view_run, why = pin_requested_run(conn)  # the time view's "查看运行 #N": the page reads run N
        view_error = f"{why}，显示的是当前运行" if why else None
        if view_run == newest:
            view_run = None  # the current run is no past run: no banner
        info = queries.run_info(conn)
    user = getattr(g, "user", None)
    lim = settings().limits
    return {"page": page, "title": title, "api": "/api/v1", "runId": info["run_id"], "dataAsOf": info["data_as_of"],
            "versions": info["versions"], "vocabulary": domain().vocabulary.as_json(), "labels": labels.as_json(),
            "map": _map_options(), "maxFeatures": lim.max_features_per_response, "maxBboxArea": lim.max_bbox_area_deg2,
            "maxSummaryArea": settings().map.max_summary_bbox_area_deg2,
            "user": None if user is None else {"name": user["name"], "role": user["role"],
                                               "roleLabel": labels.ROLE_LABEL.get(user["role"], "")},
            # the roles whose downloads (format=csv|geojson|gpkg) the API answers; the map shows them its export links
            "canExport": user is not None and user["role"] in EXPORT_ROLES,
            # a past run being viewed (every /api/v1 read of the page then carries run=…), or why not
            "viewRun": view_run, "viewRunError": view_error,
            **extra}


def gauss_kruger_zones() -> list[dict]:
    """The coordinate forms' Gauss-Krüger options (``[area] gauss_kruger_epsg``), labelled from EPSG."""
    from geo.crs import gauss_kruger_label

    return [{"value": f"EPSG:{c}", "label": gauss_kruger_label(c)} for c in settings().area.gauss_kruger_epsg]


def render_page(template: str, *, page: str, title: str, options: dict | None = None, **context):
    """Render ``template`` with the menu, the CSRF token and the page's data block."""
    opts = page_options(page, title, **(options or {}))
    return render_template(template, title=title, page=page, opts=opts, menu=menu(getattr(g, "user", None)),
                           user=opts["user"], csrf=csrf_token(), gk_zones=gauss_kruger_zones(), **context)

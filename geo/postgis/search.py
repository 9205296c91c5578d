"""Read queries behind the map's reading aids: search, "what lies within X m", and the
per-view summary (counts per colour, major hazards, conflicts, expired licences) with grid
aggregation for views holding more enterprises than the page should draw one by one.

Framework-neutral (parameterised SQL on the current run → dicts); the Flask adapters are in
:mod:`webmap.tools`.  Coordinates in and out are WGS-84 lon/lat (EPSG:4326); distances are
metres on the spheroid (``geography``).
"""

from __future__ import annotations

import sqlalchemy as sa

from geo.postgis.runs import current_run_id
from geo.vocabulary import stage_code

# kind → label for search results (what the user is looking at)
_KIND_LABEL = {"enterprise": "企业", "target": "防护目标", "place": "地名地址", "area": "行政区"}


def _filters(p: dict, *, risk=None, town=None, stage=None, department=None, q=None, bbox=None) -> str:
    """The enterprise filters of the map (the same meaning as ``/api/v1/enterprises``)."""
    where = "true"
    if risk:
        where += " and er.risk_color = any(:risk)"
        p["risk"] = list(risk)
    if town:
        where += " and (e.town_code = :town or a.name = :town)"
        p["town"] = town
    if stage:
        from geo.errors import InvalidInput

        code = stage_code(stage)
        if code is None:
            raise InvalidInput("stage", f"未知环节“{stage}”")
        where += " and :stage = any(e.stages)"
        p["stage"] = code
    if department:
        where += " and e.department = :dept"
        p["dept"] = department
    if q:
        where += " and strpos(e.name, :q) > 0"
        p["q"] = q
    if bbox:
        where += " and e.geom && ST_MakeEnvelope(:x0, :y0, :x1, :y1, 4326)"
        p.update(x0=bbox[0], y0=bbox[1], x1=bbox[2], y1=bbox[3])
    return where


_SELECTION = """
    with sel as (
        select e.id, e.geom, er.risk_color, er.major_hazard_grade, e.licence_expiry,
               (select count(*) from conflict c where c.run_id = :run and c.enterprise_id = e.id) as n_conflicts
        from enterprise e
        left join enterprise_risk er on er.enterprise_id = e.id and er.run_id = :run
        left join admin_area a on a.code = e.town_code
        where {where})
"""


def cell_size_deg(zoom: int) -> float:
    """Grid cell (degrees of longitude) ≈ 64 screen pixels at web-map ``zoom`` (256-px tiles)."""
    return 360.0 / (2 ** max(0, min(int(zoom), 22))) * 64 / 256


def map_summary(conn, *, zoom: int, max_markers: int, aggregate: bool = False, **filters) -> dict:
    """Counts for the view and filter; with more than ``max_markers`` enterprises (or
    ``aggregate``: a view too large to list enterprises in), grid cells too.

    Returns ``{"total", "by_colour": {red…blue, none}, "major_hazards", "conflicts",
    "expired_licences", "aggregated": bool, "cells": [{lon, lat, count, by_colour, major_hazards}]}``.
    A cell's position is the mean of its enterprises' coordinates (drawn where they are).
    """
    run = current_run_id(conn)
    p: dict = {"run": run or -1}
    where = _filters(p, **filters)
    r = conn.execute(sa.text(_SELECTION.format(where=where) + """
        select count(*) as total,
               count(*) filter (where risk_color = 'red') as red, count(*) filter (where risk_color = 'orange') as orange,
               count(*) filter (where risk_color = 'yellow') as yellow, count(*) filter (where risk_color = 'blue') as blue,
               count(*) filter (where risk_color is null) as none,
               count(*) filter (where major_hazard_grade is not null) as majors,
               coalesce(sum(n_conflicts), 0) as conflicts,
               count(*) filter (where licence_expiry < current_date) as expired
        from sel"""), p).one()
    out = {"total": r.total, "by_colour": {"red": r.red, "orange": r.orange, "yellow": r.yellow, "blue": r.blue,
                                           "none": r.none},
           "major_hazards": r.majors, "conflicts": int(r.conflicts), "expired_licences": r.expired,
           "aggregated": aggregate or r.total > max_markers, "cells": [], "run_id": run, "max_markers": max_markers}
    if out["aggregated"]:
        p["cell"] = cell_size_deg(zoom)
        rows = conn.execute(sa.text(_SELECTION.format(where=where) + """
            select avg(ST_X(geom)) as lon, avg(ST_Y(geom)) as lat, count(*) as n,
                   count(*) filter (where risk_color = 'red') as red, count(*) filter (where risk_color = 'orange') as orange,
                   count(*) filter (where risk_color = 'yellow') as yellow, count(*) filter (where risk_color = 'blue') as blue,
                   count(*) filter (where risk_color is null) as none,
                   count(*) filter (where major_hazard_grade is not null) as majors
            from sel group by floor(ST_X(geom) / :cell), floor(ST_Y(geom) / :cell)
            order by 3 desc"""), p)
        out["cells"] = [{"lon": round(c.lon, 6), "lat": round(c.lat, 6), "count": c.n, "major_hazards": c.majors,
                         "by_colour": {"red": c.red, "orange": c.orange, "yellow": c.yellow, "blue": c.blue,
                                       "none": c.none}} for c in rows]
    return out


def search(conn, text: str, *, limit: int = 10) -> dict:
    """Enterprises by name, address or credit code; protection targets by name; places of the
    gazetteer (POIs, roads, addresses) and administrative areas by name.  Literal substring
    match (``%``/``_`` are not wildcards).  Each result has lon/lat to zoom to (areas: a bbox)."""
    p = {"q": text.strip(), "l": limit}
    results = []
    for r in conn.execute(sa.text("""
            select e.id, e.name, e.address, e.credit_code, ST_X(e.geom) as lon, ST_Y(e.geom) as lat
            from enterprise e
            where strpos(e.name, :q) > 0 or strpos(coalesce(e.address, ''), :q) > 0 or e.credit_code = upper(:q)
            order by (e.credit_code = upper(:q)) desc, strpos(e.name, :q) = 0, length(e.name), e.id limit :l"""), p):
        results.append({"kind": "enterprise", "id": r.id, "name": r.name,
                        "detail": r.address or r.credit_code, "lon": r.lon, "lat": r.lat})
    for r in conn.execute(sa.text("""
            select t.id, t.name, t.category, ST_X(ST_PointOnSurface(t.geom)) as lon, ST_Y(ST_PointOnSurface(t.geom)) as lat
            from protection_target t where strpos(t.name, :q) > 0 order by length(t.name), t.id limit :l"""), p):
        results.append({"kind": "target", "id": r.id, "name": r.name, "category": r.category, "lon": r.lon, "lat": r.lat})
    for r in conn.execute(sa.text("""
            select g.id, g.address, g.precision, ST_X(g.geom) as lon, ST_Y(g.geom) as lat
            from gazetteer_entry g where strpos(g.address, :q) > 0
            order by (g.precision = 'poi') desc, length(g.address), g.id limit :l"""), p):
        results.append({"kind": "place", "id": r.id, "name": r.address, "precision": r.precision,
                        "lon": r.lon, "lat": r.lat})
    for r in conn.execute(sa.text("""
            select a.code, a.name, a.level, ST_XMin(a.geom) as x0, ST_YMin(a.geom) as y0, ST_XMax(a.geom) as x1,
                   ST_YMax(a.geom) as y1, ST_X(ST_PointOnSurface(a.geom)) as lon, ST_Y(ST_PointOnSurface(a.geom)) as lat
            from admin_area a where strpos(a.name, :q) > 0 order by a.level, a.code limit :l"""), p):
        results.append({"kind": "area", "id": r.code, "name": r.name, "level": r.level, "lon": r.lon, "lat": r.lat,
                        "bbox": [r.x0, r.y0, r.x1, r.y1]})
    for res in results:
        res["kind_label"] = _KIND_LABEL[res["kind"]]
        res["lon"], res["lat"] = round(res["lon"], 7), round(res["lat"], 7)
    return {"query": p["q"], "results": results, "crs": "EPSG:4326"}


def nearby(conn, *, lon: float, lat: float, radius_m: float, limit: int = 200) -> dict:
    """Enterprises (with the current run's colour) and protection targets within ``radius_m``
    metres of (lon, lat) WGS-84, nearest first, each with its distance and a point (lon/lat;
    polygons: a point on the surface); ``ST_DWithin`` on geography (index-assisted)."""
    run = current_run_id(conn)
    p = {"lon": lon, "lat": lat, "r": radius_m, "l": limit, "run": run or -1}
    point = "ST_SetSRID(ST_MakePoint(:lon, :lat), 4326)::geography"
    ents = [dict(r._mapping) for r in conn.execute(sa.text(f"""
        select e.id, e.name, er.risk_color, er.major_hazard_grade, er.provisional, er.risk_color_worst,
               round(ST_Distance(e.geog, {point})::numeric, 1)::float as distance_m,
               round(ST_X(e.geom)::numeric, 7)::float as lon, round(ST_Y(e.geom)::numeric, 7)::float as lat
        from enterprise e left join enterprise_risk er on er.enterprise_id = e.id and er.run_id = :run
        where ST_DWithin(e.geog, {point}, :r) order by distance_m, e.id limit :l"""), p)]
    tgts = [dict(r._mapping) for r in conn.execute(sa.text(f"""
        select t.id, t.name, t.category, t.population,
               round(ST_Distance(t.geog, {point})::numeric, 1)::float as distance_m,
               round(ST_X(ST_PointOnSurface(t.geom))::numeric, 7)::float as lon,
               round(ST_Y(ST_PointOnSurface(t.geom))::numeric, 7)::float as lat
        from protection_target t
        where ST_DWithin(t.geog, {point}, :r) order by distance_m, t.id limit :l"""), p)]
    people = sum(t["population"] or 0 for t in tgts)
    return {"location": {"lon": lon, "lat": lat, "crs": "EPSG:4326"}, "radius_m": radius_m, "enterprises": ents,
            "targets": tgts, "people_in_targets": people, "run_id": run}


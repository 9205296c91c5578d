"""The API collections, framework-neutral: parameterised SQL on the current run → GeoJSON-shaped dicts.

Used by the Flask API (``webmap.api``), the exports and the CLI alike."""

from __future__ import annotations

import json

import sqlalchemy as sa

from etl.mapping import STAGE_LABEL, STAGES
from geo.postgis.runs import current_run_id
from geo.postgis.domain import colour_model

CRS_NOTE = "WGS-84 (EPSG:4326) 经纬度，RFC 7946"


def run_info(conn) -> dict:
    run = current_run_id(conn)
    row = conn.execute(sa.text("select id, finished_at, versions from etl_run where id = :r"), {"r": run}).first() if run else None
    return {"run_id": run, "data_as_of": row.finished_at.isoformat(timespec="seconds") if row and row.finished_at else None,
            "versions": row.versions if row else {}}


def _fc(features, total, info, limit, offset) -> dict:
    return {"type": "FeatureCollection", "features": features, "numberMatched": total,
            "numberReturned": len(features), "limit": limit, "offset": offset,
            "run_id": info["run_id"], "data_as_of": info["data_as_of"], "versions": info["versions"],
            "crs_note": CRS_NOTE}


def _where_bbox(col: str, bbox, params: dict) -> str:
    if not bbox:
        return ""
    params.update(x0=bbox[0], y0=bbox[1], x1=bbox[2], y1=bbox[3])
    return f" and {col} && ST_MakeEnvelope(:x0, :y0, :x1, :y1, 4326)"


def _stage(value: str | None) -> str | None:
    if not value:
        return None
    from geo.errors import InvalidInput

    s = STAGES.get(value)
    if s is None:
        raise InvalidInput("stage", f"未知环节“{value}”")
    return s


# one enterprise row as the API shows it (current run's colour, grade, reasons, conflicts)
_ENTERPRISE_SELECT = """
        select e.id, e.name, e.credit_code, e.stages, e.town_code, a.name as town, e.department,
               e.facility_type, e.geocode_precision, e.geocode_score, e.licence_expiry, e.address,
               er.risk_color, er.risk_score, er.reasons, er.major_hazard_grade,
               (select count(*) from conflict c where c.run_id = :run and c.enterprise_id = e.id) as n_conflicts,
               ST_X(e.geom) as lon, ST_Y(e.geom) as lat, count(*) over () as total
        from enterprise e
        left join enterprise_risk er on er.enterprise_id = e.id and er.run_id = :run
        left join admin_area a on a.code = e.town_code"""


def enterprises(conn, *, risk=None, town=None, stage=None, department=None, q=None, bbox=None,
                limit=100, offset=0) -> dict:
    info = run_info(conn)
    p: dict = {"run": info["run_id"] or -1, "limit": limit, "offset": offset}
    where = "true"
    if risk:
        where += " and er.risk_color = any(:risk)"
        p["risk"] = risk
    if town:
        where += " and (e.town_code = :town or a.name = :town)"
        p["town"] = town
    st = _stage(stage)
    if st:
        where += " and :stage = any(e.stages)"
        p["stage"] = st
    if department:
        where += " and e.department = :dept"
        p["dept"] = department
    if q:
        where += " and strpos(e.name, :q) > 0"  # a literal substring: % and _ are not wildcards
        p["q"] = q
    where += _where_bbox("e.geom", bbox, p)
    rows = conn.execute(sa.text(f"""
        {_ENTERPRISE_SELECT}
        where {where}
        order by e.id limit :limit offset :offset
    """), p).all()
    total = rows[0].total if rows else _count(conn, where, p)
    feats = [_enterprise_feature(r, info) for r in rows]
    return _fc(feats, total, info, limit, offset)


def _count(conn, where, p) -> int:
    return conn.execute(sa.text(f"""
        select count(*) from enterprise e
        left join enterprise_risk er on er.enterprise_id = e.id and er.run_id = :run
        left join admin_area a on a.code = e.town_code where {where}"""), p).scalar()


def _enterprise_feature(r, info) -> dict:
    import datetime as dt

    return {"type": "Feature", "id": r.id,
            "geometry": {"type": "Point", "coordinates": [round(r.lon, 7), round(r.lat, 7)]},
            "properties": {
                "id": r.id, "name": r.name, "credit_code": r.credit_code, "stages": list(r.stages),
                "stage_labels": [STAGE_LABEL.get(s, s) for s in r.stages], "town": r.town,
                "town_code": r.town_code, "department": r.department, "facility_type": r.facility_type,
                "address": r.address, "risk_color": r.risk_color,
                "risk_color_hex": colour_model().hex_by_colour.get(r.risk_color),
                "risk_label": colour_model().label_by_colour.get(r.risk_color),
                "risk_score": r.risk_score, "reasons": r.reasons or [],
                "major_hazard_grade": r.major_hazard_grade, "conflicts": r.n_conflicts,
                "geocode_precision": r.geocode_precision, "geocode_score": r.geocode_score,
                "licence_expiry": r.licence_expiry.isoformat() if r.licence_expiry else None,
                "licence_expired": bool(r.licence_expiry and r.licence_expiry < dt.date.today()),
                "data_as_of": info["data_as_of"], "run_id": info["run_id"]}}


def enterprise(conn, eid: int) -> dict | None:
    info = run_info(conn)
    r = conn.execute(sa.text(f"{_ENTERPRISE_SELECT} where e.id = :id"),
        {"run": info["run_id"] or -1, "id": eid}).first()
    if r is None:
        return None
    f = _enterprise_feature(r, info)
    units = []
    for u in conn.execute(sa.text("""
            select u.id, u.unit_key, u.name, u.kind, hr.s, hr.r, hr.alpha, hr.exposed_people, hr.grade,
                   hr.details, hr.notes, hr.exposure
            from hazard_unit u left join hazard_unit_result hr on hr.hazard_unit_id = u.id and hr.run_id = :run
            where u.enterprise_id = :id order by u.id"""), {"run": info["run_id"] or -1, "id": eid}):
        inv = [dict(x._mapping) for x in conn.execute(sa.text("""
            select c.name as chemical, c.key, i.quantity_t from inventory i join chemical c on c.id = i.chemical_id
            where i.hazard_unit_id = :u order by c.key"""), {"u": u.id})]
        units.append({"id": u.id, "unit_key": u.unit_key, "name": u.name, "kind": u.kind, "S": u.s, "R": u.r,
                      "alpha": u.alpha, "exposed_people": u.exposed_people, "grade": u.grade,
                      "details": u.details, "notes": u.notes, "exposure": u.exposure, "inventory": inv})
    f["properties"]["hazard_units"] = units
    f["properties"]["conflicts"] = [dict(c._mapping) for c in conn.execute(sa.text("""
        select c.target_id, t.name, t.category, round(c.distance_m::numeric, 1)::float as distance_m,
               c.required_m, round(c.deficit_m::numeric, 1)::float as deficit_m, c.rule_id as rule, c.rule_text
        from conflict c join protection_target t on t.id = c.target_id
        where c.run_id = :run and c.enterprise_id = :id order by c.deficit_m desc"""),
        {"run": info["run_id"] or -1, "id": eid})]
    f["properties"]["requirements"] = [dict(x._mapping) for x in conn.execute(sa.text("""
        select category, required_m, rule_id, rule_text from source_requirement
        where run_id = :run and enterprise_id = :id order by required_m desc"""),
        {"run": info["run_id"] or -1, "id": eid})]
    return f


def hazard_units(conn, *, grade=None, town=None, bbox=None, limit=100, offset=0) -> dict:
    info = run_info(conn)
    p: dict = {"run": info["run_id"] or -1, "limit": limit, "offset": offset}
    where = "true"
    if grade is not None:
        where += " and hr.grade = :grade"
        p["grade"] = grade
    if town:
        where += " and (e.town_code = :town or a.name = :town)"
        p["town"] = town
    where += _where_bbox("e.geom", bbox, p)
    rows = conn.execute(sa.text(f"""
        select u.id, u.enterprise_id, e.name as enterprise, u.kind, u.name, hr.s, hr.r, hr.alpha,
               hr.exposed_people, hr.grade, ST_X(e.geom) as lon, ST_Y(e.geom) as lat, count(*) over () as total
        from hazard_unit u join enterprise e on e.id = u.enterprise_id
        left join hazard_unit_result hr on hr.hazard_unit_id = u.id and hr.run_id = :run
        left join admin_area a on a.code = e.town_code
        where {where} order by u.id limit :limit offset :offset"""), p).all()
    feats = [{"type": "Feature", "id": r.id,
              "geometry": {"type": "Point", "coordinates": [round(r.lon, 7), round(r.lat, 7)]},
              "properties": {"id": r.id, "enterprise_id": r.enterprise_id, "enterprise": r.enterprise,
                             "kind": r.kind, "name": r.name, "S": r.s, "R": r.r, "alpha": r.alpha,
                             "exposed_people": r.exposed_people, "grade": r.grade}} for r in rows]
    return _fc(feats, rows[0].total if rows else 0, info, limit, offset)


def targets(conn, *, category=None, bbox=None, limit=100, offset=0) -> dict:
    info = run_info(conn)
    p: dict = {"run": info["run_id"] or -1, "limit": limit, "offset": offset}
    where = "true"
    if category:
        where += " and t.category = :cat"
        p["cat"] = category
    where += _where_bbox("t.geom", bbox, p)
    rows = conn.execute(sa.text(f"""
        select t.id, t.name, t.category, t.gb36894_class, t.population, t.households, t.capacity,
               ST_AsGeoJSON(t.geom, 7) as g,
               (select count(*) from conflict c where c.run_id = :run and c.target_id = t.id) as n_sources,
               count(*) over () as total
        from protection_target t where {where} order by t.id limit :limit offset :offset"""), p).all()
    feats = [{"type": "Feature", "id": r.id, "geometry": json.loads(r.g),
              "properties": {"id": r.id, "name": r.name, "category": r.category, "gb36894_class": r.gb36894_class,
                             "population": r.population, "households": r.households, "capacity": r.capacity,
                             "sources_within_required_distance": r.n_sources}} for r in rows]
    return _fc(feats, rows[0].total if rows else 0, info, limit, offset)


def target(conn, tid: int) -> dict | None:
    info = run_info(conn)
    r = conn.execute(sa.text("""select id, name, category, gb36894_class, population, households,
                                ST_AsGeoJSON(geom, 7) as g from protection_target where id = :id"""), {"id": tid}).first()
    if r is None:
        return None
    sources = [dict(x._mapping) for x in conn.execute(sa.text("""
        select c.enterprise_id, e.name, er.risk_color, round(c.distance_m::numeric, 1)::float as distance_m,
               c.required_m, round(c.deficit_m::numeric, 1)::float as deficit_m, c.rule_id as rule, c.rule_text
        from conflict c join enterprise e on e.id = c.enterprise_id
        left join enterprise_risk er on er.enterprise_id = e.id and er.run_id = c.run_id
        where c.run_id = :run and c.target_id = :id order by c.deficit_m desc"""),
        {"run": info["run_id"] or -1, "id": tid})]
    return {"type": "Feature", "id": r.id, "geometry": json.loads(r.g),
            "properties": {"id": r.id, "name": r.name, "category": r.category, "gb36894_class": r.gb36894_class,
                           "population": r.population, "households": r.households, "sources": sources,
                           "run_id": info["run_id"], "data_as_of": info["data_as_of"]}}


def conflicts(conn, *, risk=None, town=None, category=None, bbox=None, limit=100, offset=0) -> dict:
    info = run_info(conn)
    p: dict = {"run": info["run_id"] or -1, "limit": limit, "offset": offset}
    where = "c.run_id = :run"
    if risk:
        where += " and er.risk_color = any(:risk)"
        p["risk"] = risk
    if town:
        where += " and (e.town_code = :town or a.name = :town)"
        p["town"] = town
    if category:
        where += " and c.category = :cat"
        p["cat"] = category
    where += _where_bbox("c.geom", bbox, p)
    rows = conn.execute(sa.text(f"""
        select c.id, c.enterprise_id, e.name as enterprise, c.target_id, t.name as target, c.category,
               c.distance_m, c.required_m, c.deficit_m, c.rule_id, c.rule_text, er.risk_color,
               ST_AsGeoJSON(c.geom, 7) as g, count(*) over () as total
        from conflict c join enterprise e on e.id = c.enterprise_id
        join protection_target t on t.id = c.target_id
        left join enterprise_risk er on er.enterprise_id = c.enterprise_id and er.run_id = c.run_id
        left join admin_area a on a.code = e.town_code
        where {where} order by c.deficit_m desc, c.id limit :limit offset :offset"""), p).all()
    feats = [{"type": "Feature", "id": r.id, "geometry": json.loads(r.g),
              "properties": {"enterprise_id": r.enterprise_id, "enterprise": r.enterprise, "target_id": r.target_id,
                             "target": r.target, "category": r.category, "distance_m": round(r.distance_m, 1),
                             "required_m": r.required_m, "deficit_m": round(r.deficit_m, 1), "rule": r.rule_id,
                             "rule_text": r.rule_text, "risk_color": r.risk_color}} for r in rows]
    return _fc(feats, rows[0].total if rows else 0, info, limit, offset)


def areas(conn, *, level="town", bbox=None, limit=1000, offset=0) -> dict:
    info = run_info(conn)
    p: dict = {"run": info["run_id"] or -1, "level": level, "limit": limit, "offset": offset}
    if info["run_id"] is None and level == "town":  # no results yet: the boundaries alone
        rows = conn.execute(sa.text("""
            select code as id, name, null as risk_color, null as risk_index, '{}'::jsonb as counts, 0 as exposed_people,
                   ST_AsGeoJSON(geom, 6) as g, count(*) over () as total from admin_area where level = 'town'
            order by code limit :limit offset :offset"""), p).all()
    else:
        where = "run_id = :run and level = :level" + _where_bbox("geom", bbox, p)
        rows = conn.execute(sa.text(f"""
            select area_code as id, name, risk_color, risk_index, counts, exposed_people, ST_AsGeoJSON(geom, 6) as g,
                   count(*) over () as total
            from area_risk where {where} order by area_code limit :limit offset :offset"""), p).all()
    feats = [{"type": "Feature", "id": r.id, "geometry": json.loads(r.g),
              "properties": {"id": r.id, "name": r.name, "risk_color": r.risk_color,
                             "risk_color_hex": colour_model().hex_by_colour.get(r.risk_color), "risk_index": r.risk_index,
                             "counts": r.counts, "exposed_people": r.exposed_people}} for r in rows]
    return _fc(feats, rows[0].total if rows else 0, info, limit, offset)


def boundaries(conn) -> dict:
    rows = conn.execute(sa.text("""select code, name, level, synthetic, ST_AsGeoJSON(ST_SimplifyPreserveTopology(geom, 0.0002), 6) as g
                                   from admin_area where level in ('district', 'town') order by level, code""")).all()
    return {"type": "FeatureCollection", "features": [
        {"type": "Feature", "geometry": json.loads(r.g),
         "properties": {"code": r.code, "name": r.name, "level": r.level, "synthetic": r.synthetic}} for r in rows]}


def pipelines(conn, *, bbox=None, limit=100, offset=0) -> dict:
    info = run_info(conn)
    p: dict = {"run": info["run_id"] or -1, "limit": limit, "offset": offset}
    where = "true" + _where_bbox("p.geom", bbox, p)
    rows = conn.execute(sa.text(f"""
        select p.id, p.name, p.medium, p.medium_label, p.diameter_mm, p.maop_mpa, ST_AsGeoJSON(p.geom, 7) as g,
               count(*) over () as total
        from pipeline p where {where} order by p.id limit :limit offset :offset"""), p).all()
    feats = []
    for r in rows:
        segs = [{"grade": s.grade, "grade_label": "ⅠⅡⅢ"[s.grade - 1], "impact_radius_m": round(s.impact_radius_m, 1),
                 "reasons": s.reasons, "geometry": json.loads(s.g)} for s in conn.execute(sa.text("""
            select grade, impact_radius_m, reasons, ST_AsGeoJSON(geom, 7) as g from pipeline_hca
            where run_id = :run and pipeline_id = :id order by id"""), {"run": info["run_id"] or -1, "id": r.id})]
        feats.append({"type": "Feature", "id": r.id, "geometry": json.loads(r.g),
                      "properties": {"id": r.id, "name": r.name, "medium": r.medium, "medium_label": r.medium_label,
                                     "diameter_mm": r.diameter_mm, "maop_mpa": r.maop_mpa, "hca_segments": segs}})
    return _fc(feats, rows[0].total if rows else 0, info, limit, offset)


def stats(conn, *, town=None, department=None) -> dict:
    info = run_info(conn)
    p: dict = {"run": info["run_id"] or -1}
    where = "true"
    if town:
        where += " and (e.town_code = :town or a.name = :town)"
        p["town"] = town
    if department:
        where += " and e.department = :dept"
        p["dept"] = department
    base = f"""from enterprise e left join enterprise_risk er on er.enterprise_id = e.id and er.run_id = :run
               left join admin_area a on a.code = e.town_code where {where}"""

    def grouped(key_sql: str) -> dict:
        out: dict = {}
        for r in conn.execute(sa.text(f"select {key_sql} as k, coalesce(er.risk_color, 'none') as c, count(*) as n {base} group by 1, 2"), p):
            out.setdefault(r.k or "未知", {})[r.c] = r.n
        return out

    by_colour = {r.c: r.n for r in conn.execute(sa.text(f"select coalesce(er.risk_color, 'none') as c, count(*) as n {base} group by 1"), p)}
    stage_rows = conn.execute(sa.text(f"select s as k, coalesce(er.risk_color, 'none') as c, count(*) as n {base.replace('where', ', unnest(e.stages) s where', 1)} group by 1, 2"), p)
    by_stage: dict = {}
    for r in stage_rows:
        by_stage.setdefault(STAGE_LABEL.get(r.k, r.k), {})[r.c] = r.n
    top = [dict(r._mapping) for r in conn.execute(sa.text(f"""
        select e.id, e.name, er.risk_color, er.risk_score, er.major_hazard_grade, a.name as town {base}
        and er.risk_score is not null order by er.risk_score asc, e.id limit 10"""), p)]
    last = conn.execute(sa.text("select id, kind, started_at, finished_at, status, counts, changes, files from etl_run "
                                "where status = 'succeeded' order by id desc limit 1")).first()
    return {"by_colour": by_colour, "by_town": grouped("a.name"), "by_department": grouped("e.department"),
            "by_stage": by_stage, "top_risks": top, "colour_hex": colour_model().hex_by_colour, "colour_label": colour_model().label_by_colour,
            "last_run": None if not last else {
                "id": last.id, "kind": last.kind, "started": last.started_at.isoformat(timespec="seconds"),
                "finished": last.finished_at.isoformat(timespec="seconds") if last.finished_at else None,
                "status": last.status, "counts": last.counts, "changes": last.changes, "files": last.files},
            "run_id": info["run_id"], "data_as_of": info["data_as_of"]}


def runs(conn, *, limit=50, offset=0) -> dict:
    rows = conn.execute(sa.text("""select id, kind, started_at, finished_at, status, counts, changes, versions, message,
                                   count(*) over () as total from etl_run order by id desc limit :l offset :o"""),
                        {"l": limit, "o": offset}).all()
    return {"runs": [{"id": r.id, "kind": r.kind, "started": r.started_at.isoformat(timespec="seconds"),
                      "finished": r.finished_at.isoformat(timespec="seconds") if r.finished_at else None,
                      "status": r.status, "counts": r.counts, "changes": r.changes, "versions": r.versions,
                      "message": r.message} for r in rows],
            "numberMatched": rows[0].total if rows else 0}

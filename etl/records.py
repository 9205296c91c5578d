"""Per-kind conversion of validated rows into records (dicts of table columns + ``wkt``)."""

from __future__ import annotations

import hashlib
import json
import re

import shapely
from shapely.geometry import GeometryCollection, MultiPoint, MultiPolygon, Point, Polygon

from etl import mapping, records_registry as registry
from etl.validate import (RowError, geometry_wgs84, number, optional_int, parse_date, point_from,
                          quantity_t, required, stages, text)
from geo import credit_code
from geo.vocabulary import CATEGORY_INPUT, UNIT_KIND_INPUT


def row_hash(record: dict) -> str:
    data = {k: v for k, v in record.items() if not k.startswith("_") and k not in ("row_hash",)}
    return hashlib.sha1(json.dumps(data, sort_keys=True, default=str, ensure_ascii=False).encode()).hexdigest()


def enterprise(row, cols, ctx, source_crs, geocoder, towns: dict[str, str]) -> dict:
    code = credit_code.normalise(required(row, cols, "credit_code", "统一社会信用代码"))
    why = credit_code.validate(code)
    if why:
        raise RowError("统一社会信用代码", code, why)
    name = required(row, cols, "name", "企业名称")
    st = stages(required(row, cols, "stages", "环节"))
    address = text(row.values.get(cols.get("address", "")))
    pt = point_from(row, cols, ctx, source_crs)
    fp = registry.footprint(row, cols, ctx, source_crs)
    if pt:
        lon, lat, sx, sy, scrs = pt
        precision, score = "source", None
        registry.check_point_near_footprint(fp, lon, lat, cols)
    elif fp:  # a polygon only (vector source or WKT): located at a point on its surface
        (lon, lat), sx, sy, scrs, precision, score = registry.footprint_point(fp), None, None, "EPSG:4326", "source", None
    else:
        if not address:
            raise RowError("经度/纬度", "", "无坐标且无地址，无法定位")
        g = geocoder.geocode(address) if geocoder else None
        if g is None or g.score < getattr(geocoder, "min_score", 0):
            raise RowError("地址", address, "地址无法匹配地名地址库，且未提供坐标")
        lon, lat, sx, sy, scrs, precision, score = g.lon, g.lat, None, None, None, g.precision, g.score
    town_name = text(row.values.get(cols.get("town", "")))
    park = text(row.values.get(cols.get("in_chemical_park", "")))
    level = text(row.values.get(cols.get("standardisation_level", "")))
    level_n = {"一级": 1, "二级": 2, "三级": 3, "1": 1, "2": 2, "3": 3}.get(level)
    if level and level_n is None:
        raise RowError("安全生产标准化等级", level, "标准化等级应为 一级/二级/三级")
    rec = {
        "credit_code": code, "name": name, "stages": st,
        "facility_type": text(row.values.get(cols.get("facility_type", ""))) or None,
        "town_code": towns.get(town_name) if town_name else None,
        "department": text(row.values.get(cols.get("department", ""))) or None,
        "address": address or None,
        "licence_no": text(row.values.get(cols.get("licence_no", ""))) or None,
        "licence_type": text(row.values.get(cols.get("licence_type", ""))) or None,
        "licence_expiry": parse_date(row.values.get(cols.get("licence_expiry", "")), "有效期至"),
        "in_chemical_park": {"是": True, "否": False, "1": True, "0": False, "true": True,
                             "false": False}.get(park.lower()) if park else None,
        "larger_accidents_3y": optional_int(row, cols, "larger_accidents_3y", "三年内较大事故"),
        "fatal_accidents_3y": optional_int(row, cols, "fatal_accidents_3y", "三年内死亡事故"),
        "major_accidents_3y": optional_int(row, cols, "major_accidents_3y", "三年内重大事故"),
        "fatal_accidents_1y": optional_int(row, cols, "fatal_accidents_1y", "一年内亡人事故"),
        "credit_class": _credit_class(row, cols, ctx),
        "recused_departments": [d for d in _LIST_SEP.split(text(row.values.get(cols.get("recused_departments", ""))))
                                if d.strip()] or None,
        "major_hidden_dangers": optional_int(row, cols, "major_hidden_dangers", "重大隐患数"),
        "standardisation_level": level_n,
        "src_x": sx, "src_y": sy, "src_crs": scrs, "geocode_precision": precision,
        "geocode_score": score, "wkt": Point(lon, lat).wkt,
        "source_file": row.file, "source_row": row.line,
        "footprint": fp, **registry.enterprise_sizes(row, cols),
    }
    if park and rec["in_chemical_park"] is None:
        raise RowError("是否在化工园区", park, "应为 是/否")
    if rec["fatal_accidents_1y"] is not None and rec["fatal_accidents_3y"] is not None \
            and rec["fatal_accidents_1y"] > rec["fatal_accidents_3y"]:
        raise RowError("一年内亡人事故", str(rec["fatal_accidents_1y"]),
                       f"多于三年内死亡事故（{rec['fatal_accidents_3y']}）：一年在三年之内")
    rec["_town_name"] = town_name
    return rec


_LIST_SEP = re.compile(r"\s*[、，,；;/]\s*")


def _credit_class(row, cols, ctx) -> str | None:
    """信用等级: one of the draw rules' credit classes (inspection_draw.toml), blank = 未评定."""
    v = text(row.values.get(cols.get("credit_class", ""))).upper() or None
    if v is not None and ctx.credit_classes and v not in ctx.credit_classes:
        raise RowError("信用等级", v, f"信用等级应为 {'/'.join(ctx.credit_classes)} 或空（未评定）")
    return v


def target(row, cols, ctx, source_crs) -> dict:
    """A protection target: a point or an area (the two layers ``target-points`` / ``target-areas``)."""
    key = required(row, cols, "target_key", "目标编号")
    name = required(row, cols, "name", "名称")
    cat_s = required(row, cols, "category", "类别")
    cat = CATEGORY_INPUT.get(cat_s)
    if cat is None:
        raise RowError("类别", cat_s, f"未知防护目标类别“{cat_s}”")
    pop = optional_int(row, cols, "population", "人数")
    hh = optional_int(row, cols, "households", "户数")
    cap = optional_int(row, cols, "capacity", "床位数")
    if row.geometry is not None:
        g = target_geometry(geometry_wgs84(row, source_crs, ctx))
        scrs = source_crs or row.file_crs
        c = g.centroid
        from etl.validate import check_area

        check_area(c.x, c.y, ctx)
    else:
        pt = point_from(row, cols, ctx, source_crs)
        if not pt:
            raise RowError("经度/纬度", "", "缺少坐标")
        g, scrs = Point(pt[0], pt[1]), pt[4]
    return {"target_key": key, "name": name, "category": cat,
            "gb36894_class": mapping.gb36894_class(cat, hh, pop), "households": hh,
            "population": pop, "capacity": cap, "high_rise": registry.high_rise(row, cols),
            "src_crs": scrs, "wkt": g.wkt,
            "town_code": None, "source_file": row.file}


def target_geometry(g):
    """A target's geometry as one of the two kinds the layers hold — a Point or a MultiPolygon — so no
    target falls out of both split layers: a one-part MultiPoint becomes its Point; the polygons of a
    collection (what repairing an invalid polygon can give) are kept, slivers of lower dimension
    dropped; anything else (lines, several points) rejects the row naming its type."""
    if isinstance(g, Point):
        return g
    if isinstance(g, Polygon):
        return MultiPolygon([g])
    if isinstance(g, MultiPolygon):
        return g
    if isinstance(g, MultiPoint) and len(g.geoms) == 1:
        return g.geoms[0]
    if isinstance(g, GeometryCollection):
        polys = [p for part in g.geoms for p in (part.geoms if isinstance(part, MultiPolygon) else [part])
                 if isinstance(p, Polygon) and not p.is_empty]
        if polys:
            return MultiPolygon(polys)
    what = {"MultiPoint": f"多点（{len(getattr(g, 'geoms', []))} 个）", "LineString": "线", "MultiLineString": "多线",
            "GeometryCollection": "几何集合（无面）"}.get(g.geom_type, g.geom_type)
    raise RowError("geometry", g.geom_type, f"防护目标应为点或面，实际为{what}：多个点请分行登记，线状目标请登记为面")


def area(row, cols, ctx, source_crs) -> dict:
    code = required(row, cols, "code", "code")
    level = required(row, cols, "level", "level")
    if level not in ("district", "town", "village"):
        raise RowError("level", level, "level 应为 district/town/village")
    g = geometry_wgs84(row, source_crs, ctx)
    if isinstance(g, Polygon):
        g = MultiPolygon([g])
    if not isinstance(g, MultiPolygon):
        polys = [p for p in getattr(g, "geoms", []) if isinstance(p, Polygon)]
        if not polys:
            raise RowError("geometry", g.geom_type, "行政区应为面")
        g = MultiPolygon(polys)
    syn = row.values.get(cols.get("synthetic", ""))
    return {"code": code, "name": required(row, cols, "name", "name"), "level": level,
            "parent_code": text(row.values.get(cols.get("parent_code", ""))) or None,
            "synthetic": bool(syn) and str(syn).lower() not in ("false", "0", "否"),
            "source": text(row.values.get(cols.get("source", ""))) or row.file, "wkt": g.wkt}


def pipeline(row, cols, ctx, source_crs) -> dict:
    key = required(row, cols, "pipeline_key", "管道编号")
    medium_s = required(row, cols, "medium", "介质")
    medium = mapping.MEDIUM.get(medium_s)
    if medium is None:
        raise RowError("介质", medium_s, f"未知介质“{medium_s}”（天然气、成品油、原油）")
    d = number(required(row, cols, "diameter_mm", "管径mm"), "管径mm")
    p = number(required(row, cols, "maop_mpa", "设计压力MPa"), "设计压力MPa")
    if d <= 0 or p <= 0:
        raise RowError("管径mm/设计压力MPa", f"{d}/{p}", "管径和压力应大于 0")
    g = geometry_wgs84(row, source_crs, ctx)
    if g.geom_type == "MultiLineString":
        g = shapely.line_merge(g)
    if g.geom_type != "LineString":
        raise RowError("geometry", g.geom_type, "管道应为单条线")
    return {"pipeline_key": key, "name": required(row, cols, "name", "名称"), "medium": medium,
            "medium_label": medium_s, "diameter_mm": d, "maop_mpa": p,
            "operator_credit_code": text(row.values.get(cols.get("operator_credit_code", ""))) or None,
            "wkt": g.wkt, "source_file": row.file}


def gazetteer(row, cols, ctx, source_crs) -> dict:
    address = required(row, cols, "address", "地址")
    pt = point_from(row, cols, ctx, source_crs)
    if not pt:
        raise RowError("经度/纬度", "", "地名地址缺少坐标")
    prec_s = text(row.values.get(cols.get("precision", ""))) or "门牌"
    prec = mapping.PRECISION.get(prec_s)
    if prec is None:
        raise RowError("类型", prec_s, "类型应为 门牌/道路/兴趣点")
    from etl.geocode import normalise

    return {"address": address, "normalised": normalise(address, ctx.address_prefixes), "precision": prec,
            "lon": pt[0], "lat": pt[1], "wkt": Point(pt[0], pt[1]).wkt, "source_file": row.file}


def inventory_line(row, cols, ctx, enterprise_ids: dict[str, int], source_crs: str | None = None) -> dict:
    """One line of a hazard unit's inventory (the unit's fields repeat on each of its lines)."""
    from geo.chemicals import AmbiguousChemical, ChemicalNotFound

    key = required(row, cols, "unit_key", "单元编号")
    code = credit_code.normalise(required(row, cols, "credit_code", "统一社会信用代码"))
    if code not in enterprise_ids:
        raise RowError("统一社会信用代码", code, "所属企业不存在或已被拒绝")
    kind_s = required(row, cols, "kind", "单元类型")
    kind = UNIT_KIND_INPUT.get(kind_s)
    if kind is None:
        raise RowError("单元类型", kind_s, "单元类型应为 生产单元/储存单元")
    name = text(row.values.get(cols.get("chemical", "")))
    cas = text(row.values.get(cols.get("cas", "")))
    if not name and not cas:
        raise RowError("化学品名称", "", "缺少化学品名称或CAS号")
    conc = registry.concentration(row, cols)
    try:
        chem = ctx.catalogue.resolve(name=name or None, cas=cas or None, concentration_pct=conc)
    except AmbiguousChemical as exc:
        raise RowError("化学品名称", name or cas, str(exc)) from None
    except ChemicalNotFound as exc:
        raise RowError("化学品名称", name or cas, str(exc)) from None
    q = quantity_t(row, cols)
    fire = registry.fire_class(row, cols)
    return {"unit_key": key, "credit_code": code, "name": text(row.values.get(cols.get("name", ""))) or None,
            "kind": kind, "fire_class": fire, "fire_class_registered": fire, "chemical_key": chem.key,
            "quantity_t": q, "input_name": name or cas, "concentration_pct": conc,
            **registry.unit_conditions(row, cols), "footprint": registry.footprint(row, cols, ctx, source_crs),
            "source_file": row.file, "_fire_label": cols.get("fire_class", "登记火灾危险性")}


def whole_units(lc, lines: list[dict], keep: set[str]) -> list[dict]:
    """A unit with any rejected line is rejected whole (never load a partial inventory)."""
    from etl.report import Reject

    good = []
    for ln in lines:
        if ln["unit_key"] in keep:
            lc.rejects.append(Reject(ln["_file"], ln["_line"], "单元编号", ln["unit_key"],
                                     "同一单元的其他行有错误，整个单元未导入"))
        else:
            good.append(ln)
    return good

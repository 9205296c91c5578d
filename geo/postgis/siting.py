"""Siting check of a candidate facility: the same engine as the refresh, on one point.

``check_site(conn, payload, domain)`` takes the request body of
``POST /api/v1/siting/check`` (see the interfaces contract) and returns its result:
the location converted to WGS-84, per-unit S/R/α/grade with the people counted, the
required distances, the conflicts, the four-colour grade with its reasons, and a verdict for
layout adjustment naming the rule, clause and distance that decide it.  Bad input raises
:class:`geo.errors.InvalidInput` naming the field.
"""

from __future__ import annotations

import datetime as dt
import math
from collections import defaultdict
from dataclasses import dataclass

import sqlalchemy as sa

from geo import crs as crs_mod
from geo import enterprise as ent_mod
from geo.errors import InvalidInput
from geo.fire_class import check_fire_class
from geo.major_hazard import ProcessConditions
from geo.postgis.conflicts import conflicts_at
from geo.postgis.exposure import exposed_people_at
from geo.postgis.target_kinds import kinds_near, target_kind_sql
from geo.separation import (SourceProfile, requirement_text, requirements, requirements_by_target_kind, rule_text,
                            source_classes)
from geo.siting_policy import method_for, park_findings
from geo.vocabulary import CATEGORY_LABEL, STAGE_LABEL, UNIT_KIND_INPUT, stage_code


def _number(value, field: str, *, allow_none: bool = False, positive: bool = False) -> float | None:
    if value is None and allow_none:
        return None
    if isinstance(value, bool) or not isinstance(value, (int, float, str)):
        raise InvalidInput(field, f"{field} 应为数字")
    try:
        x = float(value)
    except (ValueError, OverflowError):  # OverflowError: an int beyond float, e.g. 10**400
        raise InvalidInput(field, f"{field} 应为有限数字，实际“{str(value)[:40]}”") from None
    if not math.isfinite(x):
        raise InvalidInput(field, f"{field} 不是有限数值")
    if positive and x <= 0:
        raise InvalidInput(field, f"{field} 应大于 0，实际 {value}")
    if x < 0:
        raise InvalidInput(field, f"{field} 不能为负数，实际 {value}")
    return x


def parse_location(loc) -> tuple[float, float, str]:
    if not isinstance(loc, dict):
        raise InvalidInput("location", "缺少 location（lon、lat、crs）")
    try:
        c = crs_mod.parse_crs(loc.get("crs", "wgs84"))
    except crs_mod.CRSError as exc:
        raise InvalidInput("location.crs", str(exc)) from None
    x = _number(loc.get("lon"), "location.lon") if c.name in ("wgs84", "cgcs2000", "gcj02", "bd09") \
        else _number_any(loc.get("lon"), "location.lon")
    y = _number(loc.get("lat"), "location.lat") if c.name in ("wgs84", "cgcs2000", "gcj02", "bd09") \
        else _number_any(loc.get("lat"), "location.lat")
    lon, lat = crs_mod.to_wgs84(x, y, c)
    if not crs_mod.in_china(lon, lat):
        raise InvalidInput("location", f"坐标（{lon:.6f}, {lat:.6f}）不在中国境内，请检查经纬度与坐标系")
    return lon, lat, c.name


def _number_any(value, field: str) -> float:
    if value is None or isinstance(value, bool):
        raise InvalidInput(field, f"{field} 应为数字")
    try:
        x = float(value)
    except (TypeError, ValueError):
        raise InvalidInput(field, f"{field} 应为数字，实际“{value}”") from None
    if not math.isfinite(x):
        raise InvalidInput(field, f"{field} 不是有限数值")
    return x


def parse_inventory(items, catalogue) -> dict[str, list]:
    """``{unit_kind: [(Chemical, quantity_t), ...]}``; merges repeated chemicals in a unit."""
    from geo.chemicals import AmbiguousChemical, ChemicalNotFound

    if not isinstance(items, list) or not items:
        raise InvalidInput("inventory", "inventory 应为非空列表")
    units: dict[str, dict] = defaultdict(dict)
    for i, item in enumerate(items):
        f = f"inventory[{i}]"
        if not isinstance(item, dict):
            raise InvalidInput(f, f"{f} 应为对象")
        name, cas = item.get("chemical"), item.get("cas")
        if not name and not cas:
            raise InvalidInput(f"{f}.chemical", f"{f} 缺少 chemical 或 cas")
        pct = item.get("concentration_pct")
        if pct is not None:
            pct = _number(pct, f"{f}.concentration_pct", positive=True)
            if pct > 100:
                raise InvalidInput(f"{f}.concentration_pct", f"{f}.concentration_pct 应在 0–100（%）之间，实际 {pct:g}")
        try:
            chem = catalogue.resolve(name=name or None, cas=cas or None, concentration_pct=pct)
        except AmbiguousChemical as exc:
            raise InvalidInput(f"{f}.chemical", str(exc)) from None
        except ChemicalNotFound as exc:
            raise InvalidInput(f"{f}.chemical", str(exc)) from None
        q = _number(item.get("quantity_t"), f"{f}.quantity_t", positive=True)
        kind = UNIT_KIND_INPUT.get(str(item.get("unit", "storage")).strip())
        if kind is None:
            raise InvalidInput(f"{f}.unit", f"未知的单元类型“{item.get('unit')}”（production 或 storage）")
        total = units[kind].get(chem.key, (chem, 0.0))[1] + q
        if not math.isfinite(total):  # each quantity finite, their sum not (1e308 + 1e308)
            raise InvalidInput(f"{f}.quantity_t", f"{chem.name} 的合计数量超出范围")
        units[kind][chem.key] = (chem, total)
    return {k: list(v.values()) for k, v in units.items()}


def parse_conditions(raw) -> ProcessConditions | None:
    """The candidate's operating conditions, ``{"temperature_c": 80, "pressure_mpa": 2.0}`` (gauge), applied
    to each of its units (GB 18218-2018 表2 W5.1/W5.2); absent → the 常温常压 default, said in the notes."""
    if raw is None:
        return None
    if not isinstance(raw, dict):
        raise InvalidInput("conditions", "conditions 应为对象（temperature_c、pressure_mpa）")
    unknown = sorted(set(raw) - {"temperature_c", "pressure_mpa"})
    if unknown:
        raise InvalidInput(f"conditions.{unknown[0]}", f"未知的工艺条件 {unknown[0]}（可用：temperature_c、pressure_mpa）")
    t = raw.get("temperature_c")
    t = None if t is None else _number_any(t, "conditions.temperature_c")
    if t is not None and not -273.15 <= t <= 2000:
        raise InvalidInput("conditions.temperature_c", f"conditions.temperature_c 超出合理范围（℃），实际 {t:g}")
    p = _number(raw.get("pressure_mpa"), "conditions.pressure_mpa", allow_none=True)
    return ProcessConditions(temperature_c=t, pressure_mpa=p)


# The candidate's declared size (GB 50016 / GB 50156 / GB 50074 bands); each optional, unknown → the
# smallest band (a lower bound, said in the requirement).  field → (kind, minimum, maximum)
SIZE_FIELDS = {
    "tank_volume_m3": ("number", 0.0, None),     # 储罐总容积 (m³)
    "station_grade": ("integer", 1, 3),          # 加油/加气站等级 (GB 50156 3.0)
    "oil_depot_grade": ("integer", 1, 5),        # 石油库等级 (GB 50074 3.0)
    "vapour_recovery": ("integer", 0, 2),        # 0 无 / 1 卸油 / 2 卸油和加油油气回收
    "lpg_tank_buried": ("integer", 0, 1),        # LPG 储罐 1 埋地 / 0 地上
    "class_a_34_t": ("number", 0.0, None),       # 甲类第3、4项物品储量 (t)
    "class_a_1256_t": ("number", 0.0, None),     # 甲类第1、2、5、6项物品储量 (t)
}


@dataclass(frozen=True)
class SitingArea:
    """Where candidates may be checked: the district boundary loaded in ``admin_area`` (else the
    configured ``bbox``) grown by ``margin_m`` metres; ``name`` is said in the refusal."""

    name: str
    bbox: tuple[float, float, float, float]  # WGS-84 (lon_min, lat_min, lon_max, lat_max)
    margin_m: float


_AREA_SQL = sa.text("""
    with p as (select ST_SetSRID(ST_MakePoint(:lon, :lat), 4326) as g),
         d as (select ST_Union(geom) as g from admin_area where level = 'district')
    select d.g is not null as has_boundary,
           coalesce(ST_Intersects(d.g, p.g), ST_Intersects(ST_MakeEnvelope(:x0, :y0, :x1, :y1, 4326), p.g)) as inside,
           coalesce(ST_Distance(d.g::geography, p.g::geography),
                    ST_Distance(ST_MakeEnvelope(:x0, :y0, :x1, :y1, 4326)::geography, p.g::geography)) as distance_m
    from p, d
""")


def locate_in_area(conn: sa.Connection, lon: float, lat: float, area: SitingArea, *, allow_outside: bool) -> dict:
    """``{inside, distance_m, against}`` of the candidate; raises InvalidInput (``location``) when it is
    farther than the margin from the area and ``allow_outside`` is false."""
    x0, y0, x1, y1 = area.bbox
    row = conn.execute(_AREA_SQL, {"lon": lon, "lat": lat, "x0": x0, "y0": y0, "x1": x1, "y1": y1}).one()
    against = f"{area.name}区界" if row.has_boundary else f"{area.name}配置范围（[etl] area_bbox，未导入区界）"
    distance = 0.0 if row.inside else round(float(row.distance_m), 1)
    out = {"inside": bool(row.inside), "distance_m": distance, "against": against,
           "margin_m": area.margin_m, "outside": distance > area.margin_m}
    if out["outside"] and not allow_outside:
        raise InvalidInput("location", f"拟建点（{lon:.6f}, {lat:.6f}）在{against}外 {distance / 1000:.1f} 千米，"
                                       f"超出允许的 {area.margin_m:g} 米；本系统的防护目标与企业数据只覆盖本辖区，"
                                       f"如确需核查，请在请求中设置 allow_outside_area: true")
    return out


def _flag(payload: dict, field: str) -> bool | None:
    value = payload.get(field)
    if value is not None and not isinstance(value, bool):
        raise InvalidInput(field, f"{field} 应为 true 或 false")
    return value


def parse_facility(payload: dict, domain) -> tuple[str, str]:
    """The declared facility type (one of ``source_classes.csv``) and stage; both required."""
    types = list(domain.rules.facility_classes)
    ft = payload.get("facility_type")
    if ft is None or (isinstance(ft, str) and not ft.strip()):
        raise InvalidInput("facility_type", f"缺少 facility_type（设施类别）：选址核查须说明拟建设施类别，"
                                            f"可选：{'、'.join(types)}")
    if not isinstance(ft, str):
        raise InvalidInput("facility_type", "facility_type 应为字符串（设施类别名称）")
    if ft.strip() not in domain.rules.facility_classes:
        raise InvalidInput("facility_type", f"未知的设施类别“{str(ft)[:40]}”，可选：{'、'.join(types)}")
    stage_in = payload.get("stage")
    if stage_in is None or (isinstance(stage_in, str) and not stage_in.strip()):
        raise InvalidInput("stage", f"缺少 stage（环节）：可选 {'、'.join(STAGE_LABEL.values())}")
    stage = stage_code(stage_in) if isinstance(stage_in, str) else None
    if stage is None:
        raise InvalidInput("stage", f"未知的环节“{str(stage_in)[:40]}”，可选 {'、'.join(STAGE_LABEL.values())}")
    return ft.strip(), stage


def parse_size(size) -> dict:
    """The declared sizes (``size`` object of the request); every key known, every value in range."""
    if size is None:
        return {}
    if not isinstance(size, dict):
        raise InvalidInput("size", "size 应为对象，如 {\"tank_volume_m3\": 120}")
    out = {}
    for key, value in size.items():
        field = f"size.{key}"
        if key not in SIZE_FIELDS:
            raise InvalidInput(field, f"未知的规模字段 {key}（可用：{'、'.join(SIZE_FIELDS)}）")
        if value is None:
            continue
        kind, lo, hi = SIZE_FIELDS[key]
        if isinstance(value, bool) and key == "lpg_tank_buried":
            value = int(value)
        x = _number(value, field)
        if kind == "integer" and x != int(x):
            raise InvalidInput(field, f"{field} 应为整数，实际 {value}")
        if x < lo or (hi is not None and x > hi):
            raise InvalidInput(field, f"{field} 应在 {lo}–{hi} 之间，实际 {value}" if hi is not None
                               else f"{field} 不能小于 {lo}，实际 {value}")
        out[key] = int(x) if kind == "integer" else x
    return out


def reach_m(profile: SourceProfile, ruleset) -> float:
    """The largest distance any rule of the candidate's source classes can require (the search radius)."""
    classes = source_classes(profile, ruleset)
    return max((r.distance_m for (sc, _), rules in ruleset.by_pair.items() if sc in classes for r in rules),
               default=0.0)


def point_conflicts(conn: sa.Connection, lon: float, lat: float, profile: SourceProfile, ruleset) -> list[dict]:
    """Registered targets closer to the candidate than the distance required **for that target**
    (its category and its registered attributes — a school of more than 500 pupils is a GB 50156
    重要公共建筑物, one of 500 or fewer a 一类保护物), worst shortfall first: the requirement rows
    per target kind as the refresh writes them (:func:`geo.separation.requirements_by_target_kind`)
    through the refresh's conflict query (:func:`geo.postgis.conflicts.conflicts_at`)."""
    reach = reach_m(profile, ruleset)
    if reach <= 0:
        return []
    rows = requirements_by_target_kind(profile, ruleset, kinds_near(conn, ruleset, lon, lat, reach))
    lower = {(c, k): r.lower_bound for c, k, r in rows}
    found = conflicts_at(conn, lon, lat, [(c, k, r.required_m, r.rule.rule_id, requirement_text(r)) for c, k, r in rows],
                         target_kind=target_kind_sql(ruleset))
    return [{"target_id": r.target_id, "name": r.name, "category": r.category,
             "distance_m": round(float(r.distance_m), 1), "required_m": float(r.required_m),
             "deficit_m": round(float(r.required_m) - float(r.distance_m), 1), "rule": r.rule_id,
             "rule_text": r.rule_text,
             "lower_bound": lower[(r.category, r.target_kind)]}
            for r in found]


def exposure_text(people: float, counted_from) -> str:
    """How the 500 m people count was made, as the page and the PDF say it: given by the applicant,
    counted from K registered targets, or — no target registered — 0 as a lower bound, never "0 人"
    as if someone had checked."""
    if counted_from == "given":
        return f"500 米内暴露人数 {people:,.0f} 人（按申请人填写）"
    if not counted_from:
        return ("500 米内未登记防护目标或人口数据：暴露人数按 0 计（α 取 0.5），R 为下限——"
                "并非核实无人，请核实周边人员情况")
    return f"500 米内暴露人数 {people:,.0f} 人（据 {len(counted_from)} 个已登记防护目标统计）"


def check_site(conn: sa.Connection, payload, domain, *, area: SitingArea) -> dict:
    """The siting check of the candidate in ``payload`` with ``domain`` (:class:`geo.domain.Domain`)."""
    if not isinstance(payload, dict):
        raise InvalidInput("body", "请求体应为 JSON 对象")
    ref = domain.reference
    lon, lat, _ = parse_location(payload.get("location"))
    facility_type, stage = parse_facility(payload, domain)
    sizes = parse_size(payload.get("size"))
    in_park = _flag(payload, "in_chemical_park")
    allow_outside = bool(_flag(payload, "allow_outside_area"))
    units = parse_inventory(payload.get("inventory"), ref.catalogue)
    conditions = parse_conditions(payload.get("conditions"))
    given = _number(payload.get("exposed_people"), "exposed_people", allow_none=True)
    with_consequence = bool(_flag(payload, "consequence"))
    located = locate_in_area(conn, lon, lat, area, allow_outside=allow_outside)
    if given is None:
        exposure = exposed_people_at(conn, lon, lat)
        people, counted_from = exposure["people"], exposure["targets"]
    else:
        people, counted_from = given, "given"

    unit_results = []
    for kind in ("production", "storage"):
        if kind not in units:
            continue
        unit_results.append({"unit": kind, **ent_mod.unit_result(
            units[kind], exposed_people=people, domain=domain, conditions=conditions,
            exposure_basis="given" if given is not None else ("counted" if counted_from else "none_registered"))})
    grades = [u["grade"] for u in unit_results if u["grade"] is not None]
    major = min(grades) if grades else None

    lines = [line for kind_lines in units.values() for line in kind_lines]
    chemicals = [c for c, _ in lines]
    fire = check_fire_class(None, chemicals, properties=ref.properties).effective
    profile = ent_mod.source_profile(stages=[stage], facility_type=facility_type, major_grade=major,
                                     chemicals=chemicals, fire_classes={fire} if fire else set(),
                                     sizes=sizes, lines=lines, domain=domain)
    reqs = requirements(profile, domain.rules)
    conflicts = point_conflicts(conn, lon, lat, profile, domain.rules)
    facts = ent_mod.colour_facts(stages=[stage], major_grades=grades, chemicals=chemicals,
                                 in_chemical_park=in_park, conflicts=len(conflicts))
    risk = ent_mod.colour(facts, domain=domain, as_of=dt.date.today())
    method = method_for(domain.siting, unit_results, {c.key: c for c in chemicals},
                        toxic_gas_cas=ref.table3_beta)
    findings = park_findings(domain.siting, facility_type=facility_type, stage=stage, in_chemical_park=in_park)
    lower = sorted(CATEGORY_LABEL.get(c, c) for c, r in reqs.items() if r.lower_bound)
    consequence = _consequence(conn, lon, lat, units, domain) if with_consequence else {
        "status": "not_requested", "text": CONSEQUENCE_NOT_REQUESTED, "units": []}
    return {
        "location": {"lon": round(lon, 7), "lat": round(lat, 7), "crs": "wgs84"},
        "facility_type": facility_type, "stage": stage, "size": {**sizes, **{
            k: v for k, v in profile.values().items() if k in SIZE_FIELDS and v is not None}},
        "size_basis": dict(profile.size_basis),
        "area": located,
        "exposed_people": people,
        "exposure": counted_from,
        "exposure_text": exposure_text(people, counted_from),
        "units": unit_results,
        "major_hazard_grade": major,
        "required_distances": [
            {"category": cat, "required_m": r.required_m, "rule": r.rule.rule_id, "kind": r.rule.kind,
             "rule_text": requirement_text(r), "lower_bound": r.lower_bound} for cat, r in sorted(reqs.items())],
        "conflicts": conflicts,
        "risk_color": risk["risk_color"],
        "risk_score": risk["risk_score"],
        "reasons": risk["reasons"],
        "method": method,
        "findings": findings,
        "consequence": consequence,
        "verdict": _verdict(conflicts, reqs, located=located, lower=lower, method=method, findings=findings,
                            facility_type=facility_type, consequence=consequence),
    }


# said when the planner did not ask for the consequence tier (it takes 10–30 s for a toxic or LPG unit)
CONSEQUENCE_NOT_REQUESTED = ("未计算后果与个人风险（GB/T 37243、GB 36894）：核查时勾选“计算后果与个人风险”"
                             "（有毒、液化烃等单元约需 10–30 秒）")


def _consequence(conn, lon: float, lat: float, units: dict, domain) -> dict:
    """The consequence tier on the candidate (:func:`geo.postgis.consequence.consequence_findings`)."""
    from geo.postgis.consequence import consequence_findings

    return consequence_findings(conn, {"lon": lon, "lat": lat, "units": units}, domain)


def _verdict(conflicts: list[dict], reqs: dict, *, located: dict, lower: list[str], method: dict,
             findings: list[dict], facility_type: str, consequence: dict) -> dict:
    """初筛发现距离不足 / 初筛未发现距离不足 — a screening of the registered targets, never an approval.
    With the consequence tier (asked for), an individual-risk criterion not met (GB 36894) is a
    shortfall too; without it, where the method is not the design codes, the caveat says it was not computed."""
    caveats = []
    if consequence["status"] == "not_requested":
        if method["code"] != "design_codes":
            caveats.append(consequence["text"])
    elif consequence["status"] != "not_met":
        caveats.append(f"后果与个人风险：{consequence['text']}")
    if located["outside"]:
        caveats.append(f"拟建点在{located['against']}外 {located['distance_m'] / 1000:.1f} 千米（按请求核查辖区外地点），"
                       "辖区外的防护目标与企业未必已登记")
    if lower:
        caveats.append(f"{'、'.join(lower)}的所需距离为下限（缺少决定档位的数据，见各条依据），实际要求可能更大")
    if method["code"] != "design_codes":
        caveats.append(f"{method['label']}：{method['text']}")
    caveats += [f"{f['text']}（{f['basis']}）" for f in findings]
    if not conflicts and consequence["status"] == "not_met":
        return {"decision": "shortfall", "label": "初筛发现距离不足", "text": f"后果与个人风险：{consequence['text']}",
                "caveats": caveats, "rule": "GB 36894-2018", "distance_m": None, "required_m": None}
    if conflicts:
        if consequence["status"] == "not_met":
            caveats.append(f"后果与个人风险：{consequence['text']}")
        worst = conflicts[0]
        text = (f"{worst['name']}（{CATEGORY_LABEL.get(worst['category'], worst['category'])}）距拟建点 "
                f"{worst['distance_m']} m，小于要求的 {worst['required_m']:g} m（差 {worst['deficit_m']} m）；"
                f"依据：{worst['rule_text']}；共 {len(conflicts)} 处距离不足")
        return {"decision": "shortfall", "label": "初筛发现距离不足", "text": text, "caveats": caveats,
                "rule": worst["rule"], "distance_m": worst["distance_m"], "required_m": worst["required_m"]}
    if not reqs:
        text = f"规则表中没有适用于“{facility_type}”的距离规则，未作距离核查"
    else:
        text = (f"在已登记的防护目标中，未发现距离小于所需距离的（{len(reqs)} 类防护目标）；"
                "防护目标登记可能不全，须现场核实")
    return {"decision": "no_shortfall_found", "label": "初筛未发现距离不足", "text": text, "caveats": caveats,
            "rule": None}


FEASIBLE_SQL = sa.text("""
    with req as (
        select * from unnest(cast(:cats as text[]), cast(:dists as float8[])) as r(category, required_m)
    ),
    blocked as (
        select ST_Union(ST_Buffer(t.geog, r.required_m)::geometry) as g
        from protection_target t join req r on r.category = t.category
    ),
    area as (select ST_Union(geom) as g from admin_area where level = 'district')
    select ST_AsGeoJSON(ST_CollectionExtract(ST_MakeValid(
               coalesce(ST_Difference(area.g, blocked.g), area.g)), 3), 6) as feasible,
           ST_AsGeoJSON(blocked.g, 6) as blocked,
           ST_Area(coalesce(ST_Difference(area.g, blocked.g), area.g)::geography) as feasible_m2,
           ST_Area(area.g::geography) as area_m2
    from area, blocked
""")


def feasible_zone(conn: sa.Connection, *, facility_type: str | None, major_grade: int | None,
                  hazard: str | None, domain) -> dict:
    """Where a facility of the given class could go without any conflict (within the district).

    The blocked zone is the union of every protection target grown by the distance the
    facility class requires from that target's category (analysis buffers on geography).
    """
    import json

    if major_grade is not None and major_grade not in (1, 2, 3, 4):
        raise InvalidInput("major_grade", "major_grade 应为 1–4")
    if hazard not in (None, "toxic", "flammable", "explosive"):
        raise InvalidInput("hazard", "hazard 应为 toxic、flammable 或 explosive")
    if major_grade is not None and hazard is None:
        raise InvalidInput("hazard", "指定重大危险源等级时须同时指定危险类型 hazard")
    profile = SourceProfile(
        facility_type=facility_type, stages=("storage",), major_hazard_grade=major_grade,
        hazard_types=frozenset({hazard}) if hazard else frozenset())
    reqs = requirements(profile, domain.rules)
    if not reqs:
        raise InvalidInput("facility_type", f"没有适用于“{facility_type or '未指定'}”的距离规则")
    cats = sorted(reqs)
    row = conn.execute(FEASIBLE_SQL, {"cats": cats, "dists": [float(reqs[c].required_m) for c in cats]}).first()
    if row is None or row.feasible is None:
        raise InvalidInput("area", "尚未导入区界，无法计算可选址区域")
    return {
        "type": "Feature", "geometry": json.loads(row.feasible),
        "properties": {
            "facility_type": facility_type, "major_grade": major_grade, "hazard": hazard,
            "feasible_share": round(row.feasible_m2 / row.area_m2, 4) if row.area_m2 else None,
            "requirements": [{"category": c, "required_m": reqs[c].required_m, "rule": reqs[c].rule.rule_id,
                              "rule_text": rule_text(reqs[c].rule)} for c in cats],
            "crs_note": "WGS-84 (EPSG:4326)"},
    }

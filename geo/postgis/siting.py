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

import sqlalchemy as sa

from geo import crs as crs_mod
from geo import enterprise as ent_mod
from geo.errors import InvalidInput
from geo.postgis.conflicts import conflicts_at, rule_text
from geo.postgis.exposure import exposed_people_at
from geo.separation import SourceProfile, requirements
from geo.vocabulary import CATEGORY_LABEL, UNIT_KIND_INPUT


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
        try:
            chem = catalogue.resolve(name=name or None, cas=cas or None)
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


def check_site(conn: sa.Connection, payload, domain) -> dict:
    """The siting check of the candidate in ``payload`` with ``domain`` (:class:`geo.domain.Domain`)."""
    if not isinstance(payload, dict):
        raise InvalidInput("body", "请求体应为 JSON 对象")
    ref = domain.reference
    lon, lat, _ = parse_location(payload.get("location"))
    units = parse_inventory(payload.get("inventory"), ref.catalogue)
    given = _number(payload.get("exposed_people"), "exposed_people", allow_none=True)
    if given is None:
        exposure = exposed_people_at(conn, lon, lat)
        people, counted_from = exposure["people"], exposure["targets"]
    else:
        people, counted_from = given, "given"

    unit_results = []
    for kind in ("production", "storage"):
        if kind not in units:
            continue
        unit_results.append({"unit": kind, **ent_mod.unit_result(units[kind], exposed_people=people,
                                                                  domain=domain)})
    grades = [u["grade"] for u in unit_results if u["grade"] is not None]
    major = min(grades) if grades else None

    chemicals = [c for lines in units.values() for c, _ in lines]
    facility_type = payload.get("facility_type")
    if facility_type is not None and not isinstance(facility_type, str):
        raise InvalidInput("facility_type", "facility_type 应为字符串（设施类别名称）")
    profile = ent_mod.source_profile(stages=["storage" if "storage" in units else "production"],
                                     facility_type=facility_type, major_grade=major,
                                     chemicals=chemicals, fire_classes=set())
    reqs = requirements(profile, domain.rules)
    conflicts = conflicts_at(conn, lon, lat, reqs)
    facts = ent_mod.colour_facts(stages=profile_stages(units), major_grades=grades, chemicals=chemicals,
                                 in_chemical_park=payload.get("in_chemical_park"),
                                 conflicts=len(conflicts))
    risk = ent_mod.colour(facts, domain=domain, as_of=dt.date.today())
    verdict = _verdict(conflicts, major)
    return {
        "location": {"lon": round(lon, 7), "lat": round(lat, 7), "crs": "wgs84"},
        "exposed_people": people,
        "exposure": counted_from,
        "units": unit_results,
        "major_hazard_grade": major,
        "required_distances": [
            {"category": cat, "required_m": r.required_m, "rule": r.rule.rule_id,
             "rule_text": rule_text(r.rule)} for cat, r in sorted(reqs.items())],
        "conflicts": conflicts,
        "risk_color": risk["risk_color"],
        "risk_score": risk["risk_score"],
        "reasons": risk["reasons"],
        "verdict": verdict,
    }


def profile_stages(units: dict) -> list[str]:
    return sorted({"production" if k == "production" else "storage" for k in units})


def _verdict(conflicts: list[dict], major: int | None) -> dict:
    if conflicts:
        worst = conflicts[0]
        return {"decision": "advise_against", "label": "建议不予选址",
                "text": (f"{worst['name']}（{CATEGORY_LABEL.get(worst['category'], worst['category'])}）距拟建点 {worst['distance_m']} m，"
                         f"小于要求的 {worst['required_m']:g} m（差 {worst['deficit_m']} m）；"
                         f"依据：{worst['rule_text']}"),
                "rule": worst["rule"], "distance_m": worst["distance_m"],
                "required_m": worst["required_m"]}
    text = "周边防护目标均满足所需距离"
    if major is not None:
        text += f"；构成{'一二三四'[major - 1]}级重大危险源，须按 GB 36894 / GB/T 37243 开展定量风险评价"
    return {"decision": "acceptable", "label": "可以选址", "text": text, "rule": None}


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

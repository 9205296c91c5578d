"""Record builders of the transport kinds: vehicles, crew, waybills (goods rows), tags, tag events,
positions (platform exports) and restricted zones.

Every problem raises :class:`etl.validate.RowError` naming the field as the file's Chinese header
does (a rejected row, never a failed run).  Coordinates declare their CRS (坐标系 per row, else the
source's ``crs``, else ``[etl] default_crs``) and are stored as WGS-84 lon/lat (EPSG:4326);
times without a zone are Beijing time (GMT+8, as the platforms and JT/T 808 terminals keep them).
JSON columns are built here as JSON text so that the row hash sees exactly what is stored.
"""

from __future__ import annotations

import datetime as dt
import json
import re

from shapely.geometry import LineString, MultiPolygon, Point, Polygon

from etl.validate import RowError, geometry_wgs84, number, parse_date, point_from, required, text
from geo import credit_code
from geo.crs import CRSError, parse_crs, to_wgs84
from geo.transport.trips import EVENT_KINDS

BEIJING = dt.timezone(dt.timedelta(hours=8))

PROVINCES = "京津沪渝冀豫云辽黑湘皖鲁新苏浙赣鄂桂甘晋蒙陕吉闽贵粤青藏川宁琼使领"
_PLATE = re.compile(rf"[{PROVINCES}][A-Z][A-Z0-9]{{4,6}}(挂|学|警|领)?")
PLATE_COLOURS = ("黄", "蓝", "绿", "黄绿", "白", "黑", "渐变绿")
CREW_ROLES = {"驾驶员": "driver", "驾驶人": "driver", "驾驶人员": "driver", "driver": "driver",
              "押运员": "escort", "押运人员": "escort", "押运人": "escort", "escort": "escort"}
UNITS = {"t": "t", "吨": "t", "kg": "kg", "千克": "kg", "公斤": "kg", "l": "L", "升": "L", "m3": "m3",
         "m³": "m3", "立方米": "m3", "件": "件", "瓶": "瓶", "桶": "桶"}
PACKING_GROUPS = {"i": "I", "ii": "II", "iii": "III", "Ⅰ": "I", "Ⅱ": "II", "Ⅲ": "III", "1": "I", "2": "II",
                  "3": "III", "一": "I", "二": "II", "三": "III"}
_LIST_SPLIT = re.compile(r"[、,，;；/|]+")
_TIME_RE = re.compile(r"^(\d{4})[-/.年](\d{1,2})[-/.月](\d{1,2})日?[ T]?(\d{1,2})[:：时](\d{1,2})(?:[:：分](\d{1,2})(?:\.\d+)?)?秒?"
                      r"\s*(Z|[+-]\d{2}:?\d{2})?$")


def _opt(row, cols, fld) -> str:
    return text(row.values.get(cols.get(fld, "")))


def plate(raw: str, label: str = "车牌号") -> str:
    """A plate as stored: no spaces or middle dots, letters upper case (晋E·A1234 → 晋EA1234)."""
    p = re.sub(r"[\s·.•\-]", "", text(raw)).upper()
    if not _PLATE.fullmatch(p):
        raise RowError(label, raw, f"{label}格式无效（应如 晋EA1234，挂车如 晋E1234挂）")
    return p


def optional_plate(row, cols, fld, label) -> str | None:
    raw = _opt(row, cols, fld)
    return plate(raw, label) if raw else None


def optional_code(row, cols, fld, label) -> str | None:
    raw = _opt(row, cols, fld)
    if not raw:
        return None
    code = credit_code.normalise(raw)
    why = credit_code.validate(code)
    if why:
        raise RowError(label, raw, why)
    return code


def date_field(row, cols, fld, label, *, required_: bool = False) -> dt.date | None:
    raw = row.values.get(cols.get(fld, ""))
    d = parse_date(raw, label)
    if d is None and required_:
        raise RowError(label, "", f"必填字段“{label}”为空" if fld in cols else f"缺少必填列“{label}”")
    return d


def parse_time(v, label: str) -> dt.datetime | None:
    """A timestamp (``2026-11-20 08:30[:00]``, ISO with a zone, a spreadsheet datetime); no zone = Beijing time."""
    if v is None:
        return None
    if isinstance(v, dt.datetime):
        return v if v.tzinfo else v.replace(tzinfo=BEIJING)
    if isinstance(v, dt.date):
        raise RowError(label, v, f"{label}应含时分（如 2026-11-20 08:30）")
    s = text(v)
    if not s:
        return None
    m = _TIME_RE.match(s)
    if not m:
        raise RowError(label, v, f"{label}时间格式无法识别（应为 YYYY-MM-DD HH:MM[:SS]，北京时间）")
    y, mo, d, h, mi, se, zone = m.groups()
    tz = BEIJING
    if zone:
        if zone == "Z":
            tz = dt.timezone.utc
        else:
            z = zone.replace(":", "")
            tz = dt.timezone((1 if z[0] == "+" else -1) * dt.timedelta(hours=int(z[1:3]), minutes=int(z[3:5])))
    try:
        return dt.datetime(int(y), int(mo), int(d), int(h), int(mi), int(se or 0), tzinfo=tz)
    except ValueError:
        raise RowError(label, v, f"{label}不是有效时间") from None


def _chemical_key(ctx, name: str) -> str | None:
    from geo.chemicals import AmbiguousChemical, ChemicalNotFound

    try:
        return ctx.catalogue.resolve(name=name).key
    except (AmbiguousChemical, ChemicalNotFound):
        return None


def _positive(raw, label: str, *, allow_zero: bool = False) -> float:
    f = number(raw, label)
    if f < 0 or (f == 0 and not allow_zero):
        raise RowError(label, raw, f"{label}应大于 0")
    return f


# ---- vehicles -------------------------------------------------------------------------------------

def vehicle(row, cols, ctx) -> dict:
    p = plate(required(row, cols, "plate", "车牌号"))
    colour = _opt(row, cols, "plate_colour")
    if colour and colour.removesuffix("色") not in PLATE_COLOURS:
        raise RowError("车牌颜色", colour, f"车牌颜色应为 {'/'.join(PLATE_COLOURS)}")
    phone = _opt(row, cols, "terminal_phone")
    if phone and not (phone.isdigit() and len(phone) <= 20):
        raise RowError("终端手机号", phone, "终端手机号应为不超过 20 位的数字（JT/T 808 终端）")
    media_raw = _opt(row, cols, "permitted_media")
    media = None
    if "permitted_media" in cols and media_raw:
        names = [m.strip() for m in _LIST_SPLIT.split(media_raw) if m.strip()]
        media = json.dumps([{"name": n, "key": _chemical_key(ctx, n)} for n in names], ensure_ascii=False)
    tank_no = _opt(row, cols, "tank_no") or None
    vol = _opt(row, cols, "tank_volume_m3")
    volume = _positive(vol, "罐体容积") if vol else None
    if not tank_no and (volume is not None or _opt(row, cols, "tank_inspection_expiry")):
        raise RowError("罐体编号", "", "填写了罐体容积或罐体检验有效期，但罐体编号为空")
    return {
        "plate": p, "plate_colour": colour.removesuffix("色") or None if colour else None,
        "carrier_credit_code": optional_code(row, cols, "carrier_credit_code", "承运人信用代码"),
        "carrier_name": _opt(row, cols, "carrier_name") or None,
        "terminal_phone": phone.lstrip("0") or None if phone else None,
        "road_transport_cert_no": _opt(row, cols, "road_transport_cert_no") or None,
        "road_transport_cert_expiry": date_field(row, cols, "road_transport_cert_expiry", "道路运输证有效期至"),
        "driving_licence_expiry": date_field(row, cols, "driving_licence_expiry", "行驶证有效期至"),
        "tank_no": tank_no,
        "tank_inspection_expiry": date_field(row, cols, "tank_inspection_expiry", "罐体检验有效期至"),
        "tank_volume_m3": volume, "permitted_media": media, "source_file": row.file,
    }


# ---- crew -----------------------------------------------------------------------------------------

def crew(row, cols, ctx) -> dict:
    name = required(row, cols, "name", "姓名")
    role_s = required(row, cols, "role", "岗位")
    role = CREW_ROLES.get(role_s)
    if role is None:
        raise RowError("岗位", role_s, "岗位应为 驾驶员/押运员")
    tail = _opt(row, cols, "id_tail").upper()
    if tail and not re.fullmatch(r"\d{3}[\dX]", tail):
        raise RowError("身份证后四位", tail, "身份证后四位应为 4 位（末位可为 X）；不要填写完整身份证号")
    return {"cert_no": required(row, cols, "cert_no", "从业资格证号"), "name": name, "id_tail": tail or None,
            "role": role, "cert_expiry": date_field(row, cols, "cert_expiry", "资格证有效期至"),
            "carrier_credit_code": optional_code(row, cols, "carrier_credit_code", "所属企业信用代码"),
            "source_file": row.file}


# ---- waybills (one row per goods row; the waybill's fields repeat) -----------------------------------

def _declared_crs(row, cols, source_crs, ctx):
    declared = _opt(row, cols, "crs") or source_crs or ctx.default_crs
    if not declared:
        raise RowError("坐标系", "", "有坐标但未声明坐标系（该数据源也未配置默认坐标系）")
    try:
        return parse_crs(declared)
    except CRSError as exc:
        raise RowError("坐标系", declared, str(exc)) from None


def _point(row, cols, ctx, source_crs, lon_f, lat_f, label) -> tuple[float, float] | None:
    sub = {"lon": cols.get(lon_f, ""), "lat": cols.get(lat_f, ""), "crs": cols.get("crs", "")}
    try:
        pt = point_from(row, {k: v for k, v in sub.items() if v}, ctx, source_crs)
    except RowError as exc:
        raise RowError(exc.field if exc.field == "坐标系" else f"{label}{exc.field}", exc.value, exc.reason) from None
    return (pt[0], pt[1]) if pt else None


def _route(row, cols, ctx, source_crs) -> str | None:
    raw = _opt(row, cols, "planned_route")
    if not raw:
        return None
    crs = _declared_crs(row, cols, source_crs, ctx)
    pts = []
    for i, pair in enumerate(p for p in re.split(r"[;；\s]+", raw) if p):
        xy = pair.split(",") if "," in pair else pair.split("，")
        if len(xy) != 2:
            raise RowError("计划路线", raw[:60], f"第{i + 1}个点“{pair}”应为 经度,纬度")
        x, y = number(xy[0], "计划路线经度"), number(xy[1], "计划路线纬度")
        try:
            lon, lat = to_wgs84(x, y, crs)
        except Exception as exc:  # noqa: BLE001 - pyproj on absurd input
            raise RowError("计划路线", pair, f"坐标转换失败：{exc}") from None
        from etl.validate import check_area

        try:
            check_area(lon, lat, ctx, raw=pair)
        except RowError as exc:
            raise RowError("计划路线", pair, exc.reason) from None
        pts.append((lon, lat))
    if len(pts) < 2:
        raise RowError("计划路线", raw[:60], "计划路线至少需要两个点（经度,纬度;经度,纬度…）")
    return LineString(pts).wkt


def waybill_line(row, cols, ctx, source_crs) -> dict:
    """One goods row of an electronic waybill (电子运单), with the waybill's fields."""
    no = required(row, cols, "waybill_no", "运单号")
    vehicle_plate = plate(required(row, cols, "vehicle_plate", "车牌号"))
    origin = _point(row, cols, ctx, source_crs, "origin_lon", "origin_lat", "起运地")
    dest = _point(row, cols, ctx, source_crs, "destination_lon", "destination_lat", "目的地")
    crs_label = _declared_crs(row, cols, source_crs, ctx).label[:24] if (origin or dest) else None
    goods_name = required(row, cols, "goods_name", "货物名称")
    un = _opt(row, cols, "un_number").upper().removeprefix("UN").strip()
    if un and not re.fullmatch(r"\d{4}", un):
        raise RowError("联合国编号", un, "联合国编号应为 4 位数字（如 1203）")
    cls = _opt(row, cols, "hazard_class")
    if cls and not re.fullmatch(r"[1-9](\.[1-6])?", cls):
        raise RowError("危险货物类别", cls, "类别应为联合国类别（如 3、2.1、6.1）")
    pg_raw = _opt(row, cols, "packing_group")
    pg = PACKING_GROUPS.get(pg_raw.lower() if pg_raw.isascii() else pg_raw) if pg_raw else None
    if pg_raw and pg is None:
        raise RowError("包装类别", pg_raw, "包装类别应为 I/II/III")
    q_raw = row.values.get(cols.get("quantity", ""))
    quantity = _positive(q_raw, "数量") if text(q_raw) else None
    unit_raw = _opt(row, cols, "unit")
    unit = UNITS.get(unit_raw.lower() if unit_raw.isascii() else unit_raw) if unit_raw else None
    if unit_raw and unit is None:
        raise RowError("计量单位", unit_raw, f"计量单位应为 {'/'.join(dict.fromkeys(UNITS))}")
    if quantity is not None and unit is None:
        raise RowError("计量单位", "", "填写了数量但未填计量单位")
    l_raw = row.values.get(cols.get("loaded_quantity", ""))
    loaded = _positive(l_raw, "实装数量", allow_zero=True) if text(l_raw) else None
    line_raw = _opt(row, cols, "line_no")
    line_no = int(number(line_raw, "货物序号")) if line_raw else None
    return {
        "waybill_no": no, "status": _opt(row, cols, "status") or None,
        "consignor": _opt(row, cols, "consignor") or None,
        "consignor_credit_code": optional_code(row, cols, "consignor_credit_code", "托运人信用代码"),
        "consignee": _opt(row, cols, "consignee") or None,
        "consignee_credit_code": optional_code(row, cols, "consignee_credit_code", "收货人信用代码"),
        "loader": _opt(row, cols, "loader") or None,
        "loader_credit_code": optional_code(row, cols, "loader_credit_code", "装货人信用代码"),
        "carrier": _opt(row, cols, "carrier") or None,
        "carrier_credit_code": optional_code(row, cols, "carrier_credit_code", "承运人信用代码"),
        "vehicle_plate": vehicle_plate, "trailer_plate": optional_plate(row, cols, "trailer_plate", "挂车车牌号"),
        "driver_name": _opt(row, cols, "driver_name") or None, "driver_cert_no": _opt(row, cols, "driver_cert_no") or None,
        "escort_name": _opt(row, cols, "escort_name") or None, "escort_cert_no": _opt(row, cols, "escort_cert_no") or None,
        "departure_date": date_field(row, cols, "departure_date", "起运日期", required_=True),
        "loaded_at": parse_time(row.values.get(cols.get("loaded_at", "")), "装货时间"),
        "origin_name": _opt(row, cols, "origin_name") or None,
        "destination_name": _opt(row, cols, "destination_name") or None,
        "origin": Point(*origin).wkt if origin else None, "destination": Point(*dest).wkt if dest else None,
        "planned_route": _route(row, cols, ctx, source_crs), "src_crs": crs_label, "source_file": row.file,
        "_goods": {"line_no": line_no, "name": goods_name, "chemical_key": _chemical_key(ctx, goods_name),
                   "un_number": un or None, "hazard_class": cls or None, "packing_group": pg,
                   "quantity": quantity, "unit": unit, "loaded_quantity": loaded},
    }


WAYBILL_FIELDS = ("status", "consignor", "consignor_credit_code", "consignee", "consignee_credit_code", "loader",
                  "loader_credit_code", "carrier", "carrier_credit_code", "vehicle_plate", "trailer_plate",
                  "driver_name", "driver_cert_no", "escort_name", "escort_cert_no", "departure_date", "loaded_at",
                  "origin_name", "destination_name", "origin", "destination", "planned_route", "src_crs")


WAYBILL_LABELS = {"status": "运单状态", "consignor": "托运人", "consignee": "收货人", "loader": "装货人", "carrier": "承运人",
                  "vehicle_plate": "车牌号", "trailer_plate": "挂车车牌号", "driver_name": "驾驶员", "escort_name": "押运员",
                  "departure_date": "起运日期", "loaded_at": "装货时间", "origin": "起运地坐标",
                  "destination": "目的地坐标", "planned_route": "计划路线"}


def whole_waybills(lc, lines: list[dict], keep: set[str]) -> list[dict]:
    """One record per waybill with its goods rows; a waybill with a rejected or inconsistent row is rejected whole."""
    from etl.records import row_hash
    from etl.report import Reject

    by_no: dict[str, list[dict]] = {}
    for ln in lines:
        by_no.setdefault(ln["waybill_no"], []).append(ln)
    out = []
    for no, rows in by_no.items():
        if no in keep:
            for ln in rows:
                lc.rejects.append(Reject(ln["_file"], ln["_line"], "运单号", no, "同一运单的其他行有错误，整张运单未导入"))
            continue
        head = rows[0]
        clash = next(((ln, f) for ln in rows[1:] for f in WAYBILL_FIELDS if ln[f] != head[f] and ln[f] is not None), None)
        if clash:
            ln, f = clash
            keep.add(no)
            for r in rows:
                lc.rejects.append(Reject(r["_file"], r["_line"], "运单号", no,
                                         f"同一运单各行的“{WAYBILL_LABELS.get(f, f)}”不一致（第{head['_line']}行与第{ln['_line']}行），整张运单未导入"))
            continue
        goods = []
        for i, ln in enumerate(rows, start=1):
            g = dict(ln["_goods"])
            g["line_no"] = g["line_no"] or i
            goods.append(g)
        rec = {k: v for k, v in head.items() if k != "_goods"}
        for f in WAYBILL_FIELDS:  # a field given on any row
            rec[f] = next((ln[f] for ln in rows if ln[f] is not None), None)
        rec["_goods"] = goods
        rec["_hash"] = row_hash({**{k: v for k, v in rec.items() if not k.startswith("_")}, "goods": goods})
        out.append(rec)
    return out


# ---- tags and tag events --------------------------------------------------------------------------

def tag(row, cols, ctx) -> dict:
    uid = required(row, cols, "uid", "标签编号")
    if len(uid) > 64 or not re.fullmatch(r"[0-9A-Za-z\-_.:/]+", uid):
        raise RowError("标签编号", uid, "标签编号应为不超过 64 位的字母、数字或 - _ . : /")
    chem = required(row, cols, "chemical", "化学品名称")
    parent = _opt(row, cols, "parent_uid")
    if parent == uid:
        raise RowError("上级标签", parent, "上级标签不能是标签自身")
    return {"uid": uid, "safety_code": _opt(row, cols, "safety_code") or None,
            "enterprise_credit_code": optional_code(row, cols, "enterprise_credit_code", "企业信用代码"),
            "chemical": chem, "chemical_key": _chemical_key(ctx, chem), "batch": _opt(row, cols, "batch") or None,
            "package_level": _opt(row, cols, "package_level") or None, "parent_uid": parent or None,
            "source_file": row.file}


def tag_event(row, cols, ctx, source_crs) -> dict:
    uid = required(row, cols, "tag_uid", "标签编号")
    kind_s = required(row, cols, "kind", "事件")
    kind = EVENT_KINDS.get(kind_s)
    if kind is None:
        raise RowError("事件", kind_s, f"事件应为 {'/'.join(EVENT_KINDS)}")
    when = parse_time(required(row, cols, "time", "时间"), "时间")
    waybill_no = _opt(row, cols, "waybill_no") or None
    if kind in ("loaded", "unloaded", "received") and not waybill_no:
        raise RowError("运单号", "", f"{kind_s}事件须注明运单号")
    pt = point_from(row, cols, ctx, source_crs)
    return {"event_key": f"{uid}|{kind}|{when.astimezone(dt.timezone.utc).isoformat()}", "tag_uid": uid,
            "kind": kind, "time": when,
            "enterprise_credit_code": optional_code(row, cols, "enterprise_credit_code", "企业信用代码"),
            "waybill_no": waybill_no, "geom": Point(pt[0], pt[1]).wkt if pt else None,
            "src_crs": pt[4] if pt else None, "source_file": row.file}


# ---- positions (platform exports) -----------------------------------------------------------------

def position(row, cols, ctx, source_crs) -> dict:
    p = plate(required(row, cols, "plate", "车牌号"))
    when = parse_time(required(row, cols, "time", "定位时间"), "定位时间")
    pt = point_from(row, cols, ctx, source_crs)
    if pt is None:
        raise RowError("经度/纬度", "", "缺少坐标")
    speed = number(required(row, cols, "speed_kmh", "速度"), "速度")
    if not 0 <= speed <= 250:
        raise RowError("速度", speed, "速度应在 0–250 km/h 之间")
    d_raw = _opt(row, cols, "direction_deg")
    direction = number(d_raw, "方向") if d_raw else 0.0
    if not 0 <= direction < 360 or not float(direction).is_integer():
        raise RowError("方向", d_raw, "方向应为 0–359 的整数（度，正北为 0）")
    phone = _opt(row, cols, "terminal_phone")
    if phone and not (phone.isdigit() and len(phone) <= 20):
        raise RowError("终端手机号", phone, "终端手机号应为不超过 20 位的数字")
    return {"terminal_phone": phone.lstrip("0") if phone else "", "plate": p, "device_time": when,
            "lon": pt[0], "lat": pt[1], "speed_kmh": speed, "direction_deg": int(direction),
            "src_crs": pt[4][:16], "source_file": row.file}


# ---- restricted zones (as data: drawn by 公安, water-source protection areas …) ----------------------

def _windows(raw: str) -> list[list[int]]:
    out = []
    for part in (p for p in _LIST_SPLIT.split(raw) if p.strip()):
        m = re.fullmatch(r"\s*(\d{1,2})[:：](\d{2})\s*[-–—~～至]\s*(\d{1,2})[:：](\d{2})\s*", part)
        if not m:
            raise RowError("限行时段", raw, f"时段“{part}”应为 HH:MM-HH:MM（北京时间，多个用、分隔）")
        h0, m0, h1, m1 = (int(x) for x in m.groups())
        if h0 > 24 or h1 > 24 or m0 > 59 or m1 > 59:
            raise RowError("限行时段", raw, f"时段“{part}”的时间无效")
        out.append([h0 * 3600 + m0 * 60, h1 * 3600 + m1 * 60])
    return out


def restricted_zone(row, cols, ctx, source_crs) -> dict:
    key = required(row, cols, "zone_key", "区域编号")
    g = geometry_wgs84(row, source_crs, ctx)
    if isinstance(g, Polygon):
        g = MultiPolygon([g])
    if not isinstance(g, MultiPolygon):
        polys = [p for p in getattr(g, "geoms", []) if isinstance(p, Polygon)]
        if not polys:
            raise RowError("geometry", g.geom_type, "限行区域应为面")
        g = MultiPolygon(polys)
    classes_raw = _opt(row, cols, "classes")
    classes = None
    if classes_raw and classes_raw not in ("全部", "所有", "全部危险货物"):
        classes = sorted({c.strip().removeprefix("第").removesuffix("类") for c in _LIST_SPLIT.split(classes_raw)
                          if c.strip()})
        bad = [c for c in classes if not (re.fullmatch(r"[1-9](\.[1-6])?", c) or not c.isascii())]
        if bad:
            raise RowError("限制类别", classes_raw, f"类别“{'、'.join(bad)}”应为联合国类别（如 2.3）或类名（如 剧毒）")
    return {"zone_key": key, "name": required(row, cols, "name", "名称"),
            "classes": json.dumps(classes, ensure_ascii=False) if classes is not None else None,
            "windows": json.dumps(_windows(_opt(row, cols, "windows"))),
            "authority": _opt(row, cols, "authority") or None, "geom": g.wkt, "source_file": row.file}


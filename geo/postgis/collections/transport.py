"""The transport wing's collections: vehicles (latest position), waybills with their 五必查, trips
(track + alarms), alarms, restricted zones and concentration cells — each declared once.

Results come from the current run (``:run``, the transport refresh step of
:mod:`geo.postgis.transport`); the vehicle registry and the positions are not run-scoped.  Flat
companions (``checks_text``, ``failed_checks``, ``findings_text``, ``labels_text``) keep what CSV and
Shapefile cannot hold as JSON.  Every geometry is WGS-84 lon/lat.
"""

from __future__ import annotations

import sqlalchemy as sa

from geo.postgis.collections.core import run_properties
from geo.postgis.collections.model import Collection, Filter, Property

P = Property

OUTCOME_HELP = "fail（不通过）| not_checked（未核查）| pass（通过）"
_OUTCOME_LABEL = "(case {0} when 'fail' then '不通过' when 'not_checked' then '未核查' when 'pass' then '通过' end)"
ALARM_KIND_LABEL = {"speed": "超速", "deviation": "偏离路线", "dwell": "异常停车", "driving": "疲劳驾驶", "zone": "进入限行区域"}
_KIND_LABEL = "(case {0} " + " ".join(f"when '{k}' then '{v}'" for k, v in ALARM_KIND_LABEL.items()) + " end)"
TOWN = Filter("town", "text", "(a.town_code = :town or aa.name = :town)", "镇/街道名称或代码")

# ---- vehicles (latest position) ---------------------------------------------------------------------

_LATEST = """left join lateral (
        select p.device_time, p.receive_time, p.speed_kmh, p.direction_deg, p.source, p.geom
        from vehicle_position p
        where p.plate = v.plate or (v.terminal_phone is not null and p.terminal_phone = v.terminal_phone)
        order by p.device_time desc limit 1) lp on true"""

VEHICLES = Collection(
    id="vehicles", title="危险货物运输车辆（最新位置）", geometry_type="Point", item_label="车辆",
    description="登记车辆的最新定位（JT/T 808 终端或平台导出，WGS-84）及证件有效期；无定位的车辆不在此列。",
    source=f"vehicle v {_LATEST}", where="lp.geom is not null", key="v.id", key_type="integer", geometry="lp.geom",
    properties=(
        P("id", "integer", "编号", "v.id"),
        P("plate", "string", "车牌号", "v.plate"),
        P("plate_colour", "string", "车牌颜色", "v.plate_colour"),
        P("carrier", "string", "承运人", "v.carrier_name"),
        P("carrier_credit_code", "string", "承运人信用代码", "v.carrier_credit_code"),
        P("road_transport_cert_expiry", "date", "道路运输证有效期至", "v.road_transport_cert_expiry"),
        P("driving_licence_expiry", "date", "行驶证有效期至", "v.driving_licence_expiry"),
        P("tank_no", "string", "罐体编号", "v.tank_no"),
        P("tank_inspection_expiry", "date", "罐体检验有效期至", "v.tank_inspection_expiry"),
        P("position_time", "datetime", "定位时间（终端）", "lp.device_time"),
        P("receive_time", "datetime", "接收时间（平台）", "lp.receive_time"),
        P("speed_kmh", "number", "速度（公里/小时）", "lp.speed_kmh"),
        P("direction_deg", "integer", "方向（度）", "lp.direction_deg"),
        P("position_source", "string", "定位来源", "lp.source", description="jt808（终端接入）| import（平台导出）"),
    ),
    filters=(Filter("plate", "text", "v.plate = :plate", "车牌号"),
             Filter("carrier", "text", "v.carrier_credit_code = :carrier", "承运人统一社会信用代码")),
    run_scoped=False, default_limit=1000,
)

# ---- waybills with their 五必查 ----------------------------------------------------------------------

_CHECKS_FLAT = """left join lateral (
        select string_agg((c->>'title') || '：' || (c->>'label')
                          || coalesce('（' || nullif(array_to_string(array(select jsonb_array_elements_text(c->'reasons')), '；'), '') || '）', ''),
                          '；' order by n) as text,
               string_agg(c->>'key', ',' order by n) filter (where c->>'outcome' = 'fail') as failed
        from jsonb_array_elements(wr.checks) with ordinality x(c, n)) cf on true"""


def _waybill_detail(conn, base: dict, key) -> dict:
    p = dict(base, id=key)
    goods = [dict(r._mapping) for r in conn.execute(sa.text("""
        select line_no, name, chemical_key, un_number, hazard_class, packing_group, quantity, unit, loaded_quantity
        from waybill_goods where waybill_id = :id order by line_no"""), p)]
    trip = conn.execute(sa.text("""select id, closed, n_fixes, tags, missing_receipts, findings, alarms
                                   from trip where run_id = :run and waybill_id = :id"""), p).first()
    return {"goods": goods, "trip": dict(trip._mapping) if trip else None}


WAYBILL_SOURCE = """waybill w
        left join waybill_result wr on wr.waybill_id = w.id and wr.run_id = :run"""

WAYBILLS = Collection(
    id="waybills", title="电子运单与五必查", geometry_type="Point", item_label="运单",
    description="电子运单（起运地位置）及装货“五必查”结果：通过、不通过（注明证件与日期）或未核查（当前运行）。",
    source=WAYBILL_SOURCE, derived=_CHECKS_FLAT, key="w.id", key_type="integer",
    geometry="coalesce(w.origin, w.destination)",
    properties=(
        P("id", "integer", "编号", "w.id"),
        P("waybill_no", "string", "运单号", "w.waybill_no"),
        P("status", "string", "运单状态", "w.status"),
        P("departure_date", "date", "起运日期", "w.departure_date"),
        P("vehicle_plate", "string", "车牌号", "w.vehicle_plate"),
        P("trailer_plate", "string", "挂车车牌号", "w.trailer_plate"),
        P("consignor", "string", "托运人", "w.consignor"),
        P("consignee", "string", "收货人", "w.consignee"),
        P("loader", "string", "装货人", "w.loader"),
        P("loader_credit_code", "string", "装货人信用代码", "w.loader_credit_code"),
        P("carrier", "string", "承运人", "w.carrier"),
        P("carrier_credit_code", "string", "承运人信用代码", "w.carrier_credit_code"),
        P("driver", "string", "驾驶员", "w.driver_name"),
        P("escort", "string", "押运员", "w.escort_name"),
        P("origin", "string", "起运地", "w.origin_name"),
        P("destination", "string", "目的地", "w.destination_name"),
        P("goods_text", "string", "货物", """(select string_agg(g.name || coalesce('（UN' || g.un_number || '）', '')
              || coalesce(' ' || g.quantity::text || ' ' || g.unit, ''), '；' order by g.line_no)
              from waybill_goods g where g.waybill_id = w.id)"""),
        P("check_outcome", "string", "五必查结果", "wr.outcome", description=OUTCOME_HELP),
        P("check_outcome_label", "string", "五必查结论", _OUTCOME_LABEL.format("wr.outcome"), queryable=False),
        P("failed_checks", "integer", "不通过项数", "wr.failed"),
        P("not_checked", "integer", "未核查项数", "wr.not_checked"),
        P("checks", "array", "五必查明细", "coalesce(wr.checks, '[]'::jsonb)", items="object", queryable=False,
          description="[{key, id, title, outcome, label, reasons, basis, status}]"),
        P("checks_text", "string", "五必查明细（文字）", "cf.text"),
        P("failed_keys", "string", "不通过项", "cf.failed", description="逗号分隔的检查代码"),
        *run_properties(),
    ),
    filters=(
        Filter("outcome", "choice", "wr.outcome = :outcome", OUTCOME_HELP, choices=("fail", "not_checked", "pass")),
        Filter("enterprise", "text", "(w.loader_credit_code = :enterprise or w.carrier_credit_code = :enterprise)",
               "装货人或承运人的统一社会信用代码"),
        Filter("plate", "text", "w.vehicle_plate = :plate", "车牌号"),
    ),
    default_sort=(("departure_date", "desc"),), detail=_waybill_detail, temporal="departure_date",
)

# ---- trips ------------------------------------------------------------------------------------------


def _trip_detail(conn, base: dict, key) -> dict:
    return {"alarm_list": [dict(r._mapping) for r in conn.execute(sa.text("""
        select id, kind, rule_id, start_time, end_time, value, legal_basis, text, zone_key, ST_X(geom) as lon,
               ST_Y(geom) as lat from transport_alarm where trip_id = :id order by start_time, id"""), dict(base, id=key))]}


TRIPS = Collection(
    id="trips", title="运输行程（轨迹与报警）", geometry_type="LineString", item_label="行程",
    description="每张运单的行程：装车到收货人签收全部标签之间的车辆轨迹（WGS-84）、标签核对发现与路线报警数（当前运行）。",
    source="trip t join waybill w on w.id = t.waybill_id", where="t.run_id = :run and t.geom is not null",
    key="t.id", key_type="integer", geometry="t.geom",
    properties=(
        P("id", "integer", "编号", "t.id"),
        P("waybill_id", "integer", "运单编号", "t.waybill_id"),
        P("waybill_no", "string", "运单号", "w.waybill_no"),
        P("vehicle_plate", "string", "车牌号", "t.vehicle_plate"),
        P("loaded_at", "datetime", "装车时间", "t.loaded_at"),
        P("received_at", "datetime", "签收时间", "t.received_at"),
        P("closed", "boolean", "已结束", "t.closed"),
        P("n_fixes", "integer", "定位点数", "t.n_fixes"),
        P("tonnage_t", "number", "吨位（t）", "t.tonnage_t"),
        P("labels", "array", "类别", "t.labels", items="string", queryable=False),
        P("labels_text", "string", "类别（文字）",
          "array_to_string(array(select jsonb_array_elements_text(t.labels)), '、')"),
        P("alarms", "integer", "报警数", "t.alarms"),
        P("findings", "array", "标签核对发现", "t.findings", items="object", queryable=False,
          description="[{code, tag_uid, text}]"),
        P("findings_text", "string", "标签核对发现（文字）",
          "(select string_agg(f->>'text', '；') from jsonb_array_elements(t.findings) f)"),
        P("missing_receipts", "integer", "未签收标签数", "jsonb_array_length(t.missing_receipts)"),
        *run_properties(),
    ),
    filters=(Filter("plate", "text", "t.vehicle_plate = :plate", "车牌号"),),
    default_sort=(("loaded_at", "desc"),), detail=_trip_detail, temporal="loaded_at",
)

# ---- alarms -----------------------------------------------------------------------------------------

ALARMS = Collection(
    id="transport-alarms", title="运输报警", geometry_type="Point", item_label="报警",
    description="路线检查报警：超速、偏离计划路线、异常停车、连续驾驶超时、进入限行区域，含时间、地点、规则与法律依据（当前运行）。",
    source="""transport_alarm a join trip t on t.id = a.trip_id join waybill w on w.id = t.waybill_id
        left join admin_area aa on aa.code = a.town_code""",
    where="a.run_id = :run", key="a.id", key_type="integer", geometry="a.geom",
    properties=(
        P("id", "integer", "编号", "a.id"),
        P("kind", "string", "报警类型", "a.kind", description="speed | deviation | dwell | driving | zone"),
        P("kind_label", "string", "报警类型名称", _KIND_LABEL.format("a.kind"), queryable=False),
        P("rule_id", "string", "规则编号", "a.rule_id"),
        P("trip_id", "integer", "行程编号", "a.trip_id"),
        P("waybill_no", "string", "运单号", "w.waybill_no"),
        P("vehicle_plate", "string", "车牌号", "t.vehicle_plate"),
        P("start_time", "datetime", "开始时间", "a.start_time"),
        P("end_time", "datetime", "结束时间", "a.end_time"),
        P("value", "number", "测量值", "a.value", description="公里/小时、米或秒，视报警类型"),
        P("legal_basis", "string", "依据", "a.legal_basis"),
        P("text", "string", "说明", "a.text"),
        P("zone_key", "string", "限行区域", "a.zone_key"),
        P("town", "string", "属地（镇/街道）", "aa.name"),
        P("town_code", "string", "属地代码", "a.town_code"),
        *run_properties(),
    ),
    filters=(Filter("kind", "choice", "a.kind = :kind", "报警类型", choices=tuple(ALARM_KIND_LABEL)), TOWN,
             Filter("plate", "text", "t.vehicle_plate = :plate", "车牌号")),
    default_sort=(("start_time", "desc"),), temporal="start_time",
)

# ---- restricted zones --------------------------------------------------------------------------------

ZONES = Collection(
    id="restricted-zones", title="危险货物车辆限行区域", geometry_type="MultiPolygon", item_label="限行区域",
    description="本次运行所用的限行区域：由学校、幼儿园、医院外扩配置距离生成（本地政策），及作为数据导入的区域（公安划定、水源地等）。",
    source="transport_zone z", where="z.run_id = :run", key="z.id", key_type="integer", geometry="z.geom",
    properties=(
        P("id", "integer", "编号", "z.id"),
        P("zone_key", "string", "区域编号", "z.zone_key"),
        P("name", "string", "名称", "z.name"),
        P("origin", "string", "来源类型", "z.origin", description="target（由防护目标生成）| data（导入）"),
        P("classes_text", "string", "限制类别", "(case when z.classes is null then '全部危险货物' "
          "else array_to_string(array(select jsonb_array_elements_text(z.classes)), '、') end)"),
        P("windows_text", "string", "限行时段（北京时间）", """coalesce(nullif(array_to_string(array(
              select lpad(((w->>0)::int / 3600)::text, 2, '0') || ':' || lpad(((w->>0)::int % 3600 / 60)::text, 2, '0')
                     || '-' || lpad(((w->>1)::int / 3600)::text, 2, '0') || ':' || lpad(((w->>1)::int % 3600 / 60)::text, 2, '0')
              from jsonb_array_elements(z.windows) w), '、'), ''), '全天')"""),
        P("source", "string", "依据与来源", "z.source"),
        *run_properties(),
    ),
    filters=(Filter("origin", "choice", "z.origin = :origin", "target | data", choices=("target", "data")),),
    default_limit=1000,
)

# ---- concentration cells -----------------------------------------------------------------------------

CELLS = Collection(
    id="transport-cells", title="运输集中度（吨·趟）", geometry_type="Polygon", item_label="网格",
    description="网格内经过的行程数与吨位×趟数（集中排查用），按排名；class=all 为全部，亦可按联合国类别或 剧毒、易燃 筛选（当前运行）。",
    source="transport_cell c", where="c.run_id = :run", key="c.id", key_type="integer", geometry="c.geom",
    properties=(
        P("id", "integer", "编号", "c.id"),
        P("class_filter", "string", "类别筛选", "c.class_filter"),
        P("rank", "integer", "排名", "c.rank"),
        P("trips", "integer", "行程数", "c.trips"),
        P("tonnage_trips_t", "number", "吨位×趟数（t·趟）", "c.tonnage_trips_t"),
        *run_properties(),
    ),
    filters=(Filter("class", "text", "c.class_filter = :class", "all（默认）、联合国类别（如 3、2.3）或 剧毒、易燃",
                    default="all"),),
    default_sort=(("rank", "asc"),), default_limit=1000,
)

COLLECTIONS = (VEHICLES, WAYBILLS, TRIPS, ALARMS, ZONES, CELLS)

"""The ETL kinds: one description per kind — its headers, the record builder, the loader.

A kind says which usual Chinese headers map to which field (``columns``), how one validated row
becomes a record (``build``, raising :class:`etl.validate.RowError` naming the field), and how
the run's records of that kind are stored (``load`` → counts).  ``key`` is the business key: a
rejected row keeps the stored record of its key (it is not removed), and with ``unique`` two
rows with the same key are a duplicate.  ``group`` turns the validated rows into what is loaded
all-or-nothing (a hazard unit with a bad inventory line is rejected whole).

:data:`KINDS` lists the kinds in load order (areas before the enterprises that are attributed
to them, enterprises before the hazard units that belong to them); later wings add their kinds
here, declared in their own modules.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

from etl import load, records, records_assessment, unit_checks


@dataclass(frozen=True)
class Kind:
    name: str  # as in [sources] and --source KIND=PATH
    label: str  # Chinese, for summaries
    columns: dict[str, list[str]]  # field → accepted headers (first match wins; [etl.columns.KIND] adds)
    build: Callable  # (row, cols, lc, source) -> record
    load: Callable  # (lc, records, files, keep_keys) -> counts
    key: str | None = None
    key_label: str = ""
    unique: bool = True
    group: Callable | None = None  # (lc, records, keep_keys) -> records
    tables: tuple[str, ...] = ()  # where the record's fields are stored (lengths/ranges checked first)

    def field_label(self, fld: str) -> str:
        """A field's name as the operator knows it: its first Chinese header, else the field."""
        names = self.columns.get(fld, ())
        return next((n for n in names if not n.isascii()), names[0] if names else fld)


AREAS = Kind(
    "areas", "行政区划", {
        "code": ["code", "代码", "区划代码"],
        "name": ["name", "名称"],
        "level": ["level", "级别"],
        "parent_code": ["parent_code", "上级代码"],
        "synthetic": ["synthetic"],
        "source": ["source", "来源"],
    },
    build=lambda row, cols, lc, src: records.area(row, cols, lc.ctx, src.crs),
    load=lambda lc, recs, files, keep: load.upsert(lc.conn, "admin_area", "code", recs, run_id=lc.run_id,
                                                   files=[], keep_keys=keep)[0],
    key="code", key_label="区划代码", tables=("admin_area",))

GAZETTEER = Kind(
    "gazetteer", "地名地址库", {
        "address": ["地址", "名称", "address"],
        "lon": ["经度", "lon"],
        "lat": ["纬度", "lat"],
        "crs": ["坐标系", "crs"],
        "precision": ["类型", "precision"],
    },
    build=lambda row, cols, lc, src: records.gazetteer(row, cols, lc.ctx, src.crs),
    load=lambda lc, recs, files, keep: load.load_gazetteer(lc.conn, recs, files), tables=("gazetteer_entry",))

ENTERPRISES = Kind(
    "enterprises", "涉危企业", {
        "credit_code": ["统一社会信用代码", "信用代码", "credit_code"],
        "name": ["企业名称", "单位名称", "名称", "name"],
        "stages": ["环节", "经营环节", "全流程环节", "stages", "stage"],
        "facility_type": ["设施类型", "企业类型", "facility_type"],
        "town": ["所属街道", "所属镇街", "属地", "乡镇街道", "town"],
        "department": ["监管部门", "主管部门", "department"],
        "address": ["地址", "注册地址", "经营地址", "address"],
        "lon": ["经度", "lon", "lng", "longitude", "x"],
        "lat": ["纬度", "lat", "latitude", "y"],
        "crs": ["坐标系", "crs"],
        "licence_no": ["许可证编号", "许可证号", "licence_no"],
        "licence_type": ["许可证类型", "licence_type"],
        "licence_expiry": ["有效期至", "许可证有效期", "有效期", "licence_expiry"],
        "in_chemical_park": ["是否在化工园区", "化工园区", "in_chemical_park"],
        "larger_accidents_3y": ["三年内较大事故", "larger_accidents_3y"],
        "fatal_accidents_3y": ["三年内死亡事故", "fatal_accidents_3y"],
        "major_accidents_3y": ["三年内重大事故", "major_accidents_3y"],
        "fatal_accidents_1y": ["一年内亡人事故", "近一年内亡人事故", "fatal_accidents_1y"],
        "credit_class": ["信用等级", "信用分类", "credit_class"],
        "recused_departments": ["回避部门", "recused_departments"],
        "major_hidden_dangers": ["重大隐患数", "未整改重大隐患", "major_hidden_dangers"],
        "standardisation_level": ["安全生产标准化等级", "标准化等级", "standardisation_level"],
        # registered sizes and site boundary (issue 11; etl/records_registry.py)
        "tank_volume_m3": ["储罐总容积m3", "储罐总容积m³", "储罐总容积", "tank_volume_m3"],
        "station_grade": ["站级", "加油加气站等级", "station_grade"],
        "vapour_recovery": ["油气回收", "油气回收系统", "vapour_recovery"],
        "lpg_tank_buried": ["储罐埋地", "LPG储罐埋地", "lpg_tank_buried"],
        "oil_depot_grade": ["油库等级", "石油库等级", "oil_depot_grade"],
        "footprint": ["占地范围WKT", "占地范围", "footprint_wkt"],
    },
    build=lambda row, cols, lc, src: records.enterprise(row, cols, lc.ctx, src.crs, lc.geocoder(), lc.towns()),
    load=load.load_enterprises,
    key="credit_code", key_label="统一社会信用代码", tables=("enterprise",))

HAZARD_UNITS = Kind(
    "hazard_units", "危险源单元/储量", {
        "unit_key": ["单元编号", "unit_key"],
        "credit_code": ["统一社会信用代码", "企业信用代码", "credit_code"],
        "name": ["单元名称", "name"],
        "kind": ["单元类型", "kind"],
        "chemical": ["化学品名称", "品名", "chemical"],
        "cas": ["CAS号", "CAS", "cas"],
        "quantity": ["设计最大量", "最大储量", "数量", "quantity"],
        "unit": ["计量单位", "单位", "unit"],
        "fire_class": ["登记火灾危险性", "火灾危险性", "fire_class"],
        # issue 11 (etl/records_registry.py): W5 conditions, solution strength, tank volume, footprint
        "operating_temperature_c": ["操作温度℃", "操作温度°C", "操作温度", "operating_temperature_c"],
        "operating_pressure_mpa": ["操作压力MPa", "操作压力", "operating_pressure_mpa"],
        "concentration_pct": ["浓度%", "浓度％", "浓度", "含量%", "concentration_pct"],
        "tank_volume_m3": ["储罐容积m3", "储罐总容积m3", "储罐容积", "tank_volume_m3"],
        "footprint": ["占地范围WKT", "占地范围", "footprint_wkt"],
        "crs": ["坐标系", "crs"],
    },
    build=lambda row, cols, lc, src: records.inventory_line(row, cols, lc.ctx, lc.enterprise_ids(), src.crs),
    load=lambda lc, recs, files, keep: load.load_units(lc.conn, recs, run_id=lc.run_id, files=files,
                                                       keep_keys=keep, enterprise_ids=lc.enterprise_ids(),
                                                       chemical_ids=lc.chemical_ids()),
    key="unit_key", key_label="单元编号", unique=False, group=unit_checks.checked_units,
    tables=("hazard_unit", "inventory"))

TARGETS = Kind(
    "targets", "防护目标", {
        "target_key": ["目标编号", "编号", "target_key"],
        "name": ["名称", "目标名称", "name"],
        "category": ["类别", "类型", "category"],
        "population": ["人数", "人口", "population"],
        "households": ["户数", "households"],
        "capacity": ["床位数", "容量", "capacity"],
        "lon": ["经度", "lon", "lng"],
        "lat": ["纬度", "lat"],
        "crs": ["坐标系", "crs"],
        "town": ["所属街道", "town"],
        "high_rise": ["高层建筑", "是否高层建筑", "是否高层", "high_rise"],
    },
    build=lambda row, cols, lc, src: records.target(row, cols, lc.ctx, src.crs),
    load=lambda lc, recs, files, keep: load.upsert(lc.conn, "protection_target", "target_key", recs,
                                                   run_id=lc.run_id, files=files, keep_keys=keep)[0],
    key="target_key", key_label="目标编号", tables=("protection_target",))

PIPELINES = Kind(
    "pipelines", "长输管道", {
        "pipeline_key": ["管道编号", "pipeline_key"],
        "name": ["名称", "管道名称", "name"],
        "medium": ["介质", "medium"],
        "diameter_mm": ["管径mm", "管径", "外径mm", "diameter_mm"],
        "maop_mpa": ["设计压力MPa", "最大允许操作压力MPa", "压力MPa", "maop_mpa"],
        "operator_credit_code": ["运营单位信用代码", "operator_credit_code"],
    },
    build=lambda row, cols, lc, src: records.pipeline(row, cols, lc.ctx, src.crs),
    load=lambda lc, recs, files, keep: load.upsert(lc.conn, "pipeline", "pipeline_key", recs,
                                                   run_id=lc.run_id, files=files, keep_keys=keep)[0],
    key="pipeline_key", key_label="管道编号", tables=("pipeline",))

# ---- hazardous waste (issue 16): builders in etl.records_waste, loaders in etl.load_waste ----
from etl import load_waste, records_waste  # noqa: E402
from geo.waste.records import COLUMNS as _WASTE_COLUMNS  # noqa: E402

WASTE_PRODUCERS = Kind(
    "waste_producers", "危险废物产生单位（管理计划）", _WASTE_COLUMNS["waste_producers"], build=records_waste.producer,
    load=load_waste.load_producers, key="credit_code", key_label="统一社会信用代码", unique=False,
    group=records_waste.whole_producers, tables=("waste_producer",))
WASTE_RECORDS = Kind(
    "waste_records", "危险废物台账", _WASTE_COLUMNS["waste_records"], build=records_waste.record,
    load=load_waste.load_records, tables=("waste_record",))
WASTE_FACILITIES = Kind(
    "waste_facilities", "危险废物经营单位（许可证）", _WASTE_COLUMNS["waste_facilities"], build=records_waste.facility,
    load=load_waste.load_facilities, key="licence_no", key_label="危险废物经营许可证编号", tables=("waste_facility",))
WASTE_MANIFESTS = Kind(
    "waste_manifests", "危险废物转移联单", _WASTE_COLUMNS["waste_manifests"], build=records_waste.manifest,
    load=load_waste.load_manifests, key="manifest_no", key_label="联单编号", unique=False,
    group=records_waste.whole_manifests, tables=("waste_manifest", "waste_manifest_row"))
WASTE_KINDS = (WASTE_PRODUCERS, WASTE_RECORDS, WASTE_FACILITIES, WASTE_MANIFESTS)

ASSESSMENTS = Kind(  # issue 12: one row per enterprise per guide item (or direct-red condition)
    "assessments", "评估项", records_assessment.ASSESSMENT_COLUMNS, build=records_assessment.assessment,
    load=records_assessment.load_assessments, unique=False, tables=("assessment_item",))

HIDDEN_DANGERS = Kind(  # issue 12: the hidden-danger ledger (隐患台账)
    "hidden_dangers", "隐患台账", records_assessment.HIDDEN_DANGER_COLUMNS, build=records_assessment.hidden_danger,
    load=records_assessment.load_hidden_dangers, key="danger_key", key_label="隐患编号", tables=("hidden_danger",))

INSPECTORS = Kind(  # issue 12: the 双随机 inspector pool
    "inspectors", "检查人员", records_assessment.INSPECTOR_COLUMNS, build=records_assessment.inspector,
    load=records_assessment.load_inspectors, key="inspector_key", key_label="人员编号", tables=("inspector",))
ASSESSMENT_KINDS = (ASSESSMENTS, HIDDEN_DANGERS, INSPECTORS)

# ---- transport wing (declared with its builders in etl/records_transport.py, loads in etl/load_transport.py)
from etl import load_transport as lt, records_transport as rt  # noqa: E402

VEHICLES = Kind(
    "vehicles", "危货车辆", {
        "plate": ["车牌号", "车牌号码", "plate"],
        "plate_colour": ["车牌颜色", "plate_colour"],
        "carrier_credit_code": ["承运人信用代码", "运输企业信用代码", "carrier_credit_code"],
        "carrier_name": ["承运人", "运输企业", "carrier"],
        "terminal_phone": ["终端手机号", "终端号", "terminal_phone"],
        "road_transport_cert_no": ["道路运输证号", "营运证号", "road_transport_cert_no"],
        "road_transport_cert_expiry": ["道路运输证有效期至", "营运证有效期至", "road_transport_cert_expiry"],
        "driving_licence_expiry": ["行驶证有效期至", "检验有效期至", "driving_licence_expiry"],
        "tank_no": ["罐体编号", "tank_no"],
        "tank_inspection_expiry": ["罐体检验有效期至", "tank_inspection_expiry"],
        "tank_volume_m3": ["罐体容积m3", "罐体容积", "tank_volume_m3"],
        "permitted_media": ["适装介质", "permitted_media"],
    },
    build=lambda row, cols, lc, src: rt.vehicle(row, cols, lc.ctx),
    load=lt.registry_loader("vehicle", "plate"), key="plate", key_label="车牌号", tables=("vehicle",))

CREW = Kind(
    "crew", "驾驶员与押运员", {
        "name": ["姓名", "name"],
        "id_tail": ["身份证后四位", "id_tail"],
        "role": ["岗位", "人员类别", "role"],
        "cert_no": ["从业资格证号", "资格证号", "cert_no"],
        "cert_expiry": ["资格证有效期至", "有效期至", "cert_expiry"],
        "carrier_credit_code": ["所属企业信用代码", "承运人信用代码", "carrier_credit_code"],
    },
    build=lambda row, cols, lc, src: rt.crew(row, cols, lc.ctx),
    load=lt.registry_loader("crew_member", "cert_no"), key="cert_no", key_label="从业资格证号",
    tables=("crew_member",))

WAYBILLS = Kind(
    "waybills", "电子运单", {
        "waybill_no": ["运单号", "运单编号", "waybill_no"],
        "status": ["运单状态", "状态", "status"],
        "consignor": ["托运人", "consignor"],
        "consignor_credit_code": ["托运人信用代码", "consignor_credit_code"],
        "consignee": ["收货人", "consignee"],
        "consignee_credit_code": ["收货人信用代码", "consignee_credit_code"],
        "loader": ["装货人", "loader"],
        "loader_credit_code": ["装货人信用代码", "loader_credit_code"],
        "carrier": ["承运人", "carrier"],
        "carrier_credit_code": ["承运人信用代码", "carrier_credit_code"],
        "vehicle_plate": ["车牌号", "车辆车牌号", "vehicle_plate"],
        "trailer_plate": ["挂车车牌号", "挂车", "trailer_plate"],
        "driver_name": ["驾驶员", "驾驶人", "driver"],
        "driver_cert_no": ["驾驶员资格证号", "驾驶人资格证号", "driver_cert_no"],
        "escort_name": ["押运员", "押运人员", "escort"],
        "escort_cert_no": ["押运员资格证号", "押运人员资格证号", "escort_cert_no"],
        "departure_date": ["起运日期", "departure_date"],
        "loaded_at": ["装货时间", "loaded_at"],
        "origin_name": ["起运地", "origin"],
        "origin_lon": ["起运地经度", "origin_lon"],
        "origin_lat": ["起运地纬度", "origin_lat"],
        "destination_name": ["目的地", "destination"],
        "destination_lon": ["目的地经度", "destination_lon"],
        "destination_lat": ["目的地纬度", "destination_lat"],
        "crs": ["坐标系", "crs"],
        "planned_route": ["计划路线", "planned_route"],
        "line_no": ["货物序号", "line_no"],
        "goods_name": ["货物名称", "品名", "goods_name"],
        "un_number": ["联合国编号", "UN编号", "un_number"],
        "hazard_class": ["危险货物类别", "类别", "hazard_class"],
        "packing_group": ["包装类别", "packing_group"],
        "quantity": ["数量", "quantity"],
        "unit": ["计量单位", "单位", "unit"],
        "loaded_quantity": ["实装数量", "装货数量", "loaded_quantity"],
    },
    build=lambda row, cols, lc, src: rt.waybill_line(row, cols, lc.ctx, src.crs),
    load=lt.load_waybills, key="waybill_no", key_label="运单号", unique=False, group=rt.whole_waybills,
    tables=("waybill",))

TAGS = Kind(
    "tags", "包装标签", {
        "uid": ["标签编号", "标签UID", "uid"],
        "safety_code": ["安全信息码", "safety_code"],
        "enterprise_credit_code": ["企业信用代码", "赋码企业信用代码", "enterprise_credit_code"],
        "chemical": ["化学品名称", "品名", "chemical"],
        "batch": ["批次号", "批次", "batch"],
        "package_level": ["包装层级", "package_level"],
        "parent_uid": ["上级标签", "上级标签编号", "parent_uid"],
    },
    build=lambda row, cols, lc, src: rt.tag(row, cols, lc.ctx),
    load=lt.registry_loader("tag", "uid"), key="uid", key_label="标签编号", tables=("tag",))

TAG_EVENTS = Kind(
    "tag_events", "标签事件", {
        "tag_uid": ["标签编号", "标签UID", "tag_uid"],
        "kind": ["事件", "事件类型", "kind"],
        "time": ["时间", "事件时间", "time"],
        "enterprise_credit_code": ["企业信用代码", "enterprise_credit_code"],
        "waybill_no": ["运单号", "waybill_no"],
        "lon": ["经度", "lon"],
        "lat": ["纬度", "lat"],
        "crs": ["坐标系", "crs"],
    },
    build=lambda row, cols, lc, src: rt.tag_event(row, cols, lc.ctx, src.crs),
    load=lt.registry_loader("tag_event", "event_key"), key="event_key", key_label="标签事件",
    tables=("tag_event",))

POSITIONS = Kind(
    "positions", "车辆定位（平台导出）", {
        "plate": ["车牌号", "车牌号码", "plate"],
        "terminal_phone": ["终端手机号", "terminal_phone"],
        "time": ["定位时间", "时间", "time"],
        "lon": ["经度", "lon"],
        "lat": ["纬度", "lat"],
        "crs": ["坐标系", "crs"],
        "speed_kmh": ["速度", "速度km/h", "speed"],
        "direction_deg": ["方向", "direction"],
    },
    build=lambda row, cols, lc, src: rt.position(row, cols, lc.ctx, src.crs),
    load=lt.load_positions, tables=("vehicle_position",))

RESTRICTED_ZONES = Kind(
    "restricted_zones", "限行区域", {
        "zone_key": ["区域编号", "zone_key"],
        "name": ["名称", "区域名称", "name"],
        "classes": ["限制类别", "classes"],
        "windows": ["限行时段", "windows"],
        "authority": ["划定单位", "authority"],
    },
    build=lambda row, cols, lc, src: rt.restricted_zone(row, cols, lc.ctx, src.crs),
    load=lt.registry_loader("restricted_zone", "zone_key"), key="zone_key", key_label="区域编号",
    tables=("restricted_zone",))

TRANSPORT_KINDS = (VEHICLES, CREW, WAYBILLS, TAGS, TAG_EVENTS, POSITIONS, RESTRICTED_ZONES)

KINDS: tuple[Kind, ...] = (AREAS, GAZETTEER, ENTERPRISES, HAZARD_UNITS, TARGETS, PIPELINES, *ASSESSMENT_KINDS, *WASTE_KINDS,
                           *TRANSPORT_KINDS)
BY_NAME = {k.name: k for k in KINDS}


def resolve_columns(kind: Kind, headers, overrides: dict[str, str] | None = None) -> dict[str, str]:
    """field → the header present in this file (the kind's usual headers, then the config's)."""
    present = set(headers)
    out = {}
    for fld, names in kind.columns.items():
        for n in names:
            if n in present:
                out[fld] = n
                break
    for header, fld in (overrides or {}).items():
        if header in present:
            out[fld] = header
    return out

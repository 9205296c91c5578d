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

from etl import load, records, unit_checks


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

KINDS: tuple[Kind, ...] = (AREAS, GAZETTEER, ENTERPRISES, HAZARD_UNITS, TARGETS, PIPELINES) + WASTE_KINDS
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

"""Column mapping (usual Chinese headers → fields) and the vocabularies of the registries."""

from __future__ import annotations

from geo.cells import TONNES_PER  # noqa: F401 - re-exported (mass units → tonnes)

# kind → field → accepted headers (first match wins; the ETL config may add more)
DEFAULT_COLUMNS: dict[str, dict[str, list[str]]] = {
    "enterprises": {
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
    },
    "hazard_units": {
        "unit_key": ["单元编号", "unit_key"],
        "credit_code": ["统一社会信用代码", "企业信用代码", "credit_code"],
        "name": ["单元名称", "name"],
        "kind": ["单元类型", "kind"],
        "chemical": ["化学品名称", "品名", "chemical"],
        "cas": ["CAS号", "CAS", "cas"],
        "quantity": ["设计最大量", "最大储量", "数量", "quantity"],
        "unit": ["计量单位", "单位", "unit"],
        "fire_class": ["火灾危险性", "fire_class"],
    },
    "targets": {
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
    },
    "areas": {
        "code": ["code", "代码", "区划代码"],
        "name": ["name", "名称"],
        "level": ["level", "级别"],
        "parent_code": ["parent_code", "上级代码"],
        "synthetic": ["synthetic"],
        "source": ["source", "来源"],
    },
    "pipelines": {
        "pipeline_key": ["管道编号", "pipeline_key"],
        "name": ["名称", "管道名称", "name"],
        "medium": ["介质", "medium"],
        "diameter_mm": ["管径mm", "管径", "外径mm", "diameter_mm"],
        "maop_mpa": ["设计压力MPa", "最大允许操作压力MPa", "压力MPa", "maop_mpa"],
        "operator_credit_code": ["运营单位信用代码", "operator_credit_code"],
    },
    "gazetteer": {
        "address": ["地址", "名称", "address"],
        "lon": ["经度", "lon"],
        "lat": ["纬度", "lat"],
        "crs": ["坐标系", "crs"],
        "precision": ["类型", "precision"],
    },
}
KINDS = tuple(DEFAULT_COLUMNS)
LOAD_ORDER = ("areas", "gazetteer", "enterprises", "hazard_units", "targets", "pipelines")

STAGES = {
    "生产": "production", "经营(带储存)": "trade_storage", "经营（带储存）": "trade_storage",
    "带储存经营": "trade_storage", "经营(不带储存)": "trade", "经营（不带储存）": "trade",
    "不带储存经营": "trade", "经营": "trade", "储存": "storage", "运输": "transport", "装卸": "loading",
    "使用": "use", "废弃处置": "waste", "废弃": "waste", "处置": "waste", "长输管道": "pipeline",
    "油气长输管道": "pipeline",
}
STAGES.update({v: v for v in set(STAGES.values())})
STAGE_LABEL = {"production": "生产", "trade_storage": "经营(带储存)", "trade": "经营(不带储存)",
               "storage": "储存", "transport": "运输", "loading": "装卸", "use": "使用",
               "waste": "废弃处置", "pipeline": "长输管道"}

CATEGORIES = {
    "学校": "school", "中学": "school", "小学": "school", "幼儿园": "kindergarten", "托儿所": "kindergarten",
    "医院": "hospital", "卫生院": "hospital", "养老院": "nursing_home", "敬老院": "nursing_home",
    "福利院": "nursing_home", "居住区": "residential", "小区": "residential", "村庄": "residential",
    "商场": "mall", "客运站": "transit_station", "车站": "transit_station", "体育场馆": "stadium",
    "文物保护单位": "cultural_relic", "宗教场所": "religious_site", "办公楼": "office",
    "其他公共场所": "other_public",
}
CATEGORIES.update({v: v for v in set(CATEGORIES.values())})

UNIT_KINDS = {"生产单元": "production", "生产": "production", "储存单元": "storage", "储存": "storage",
              "production": "production", "storage": "storage"}
MEDIUM = {"天然气": "gas", "煤层气": "gas", "gas": "gas", "成品油": "oil", "原油": "oil", "oil": "oil"}
PRECISION = {"门牌": "address_point", "道路": "road", "兴趣点": "poi", "address_point": "address_point",
             "road": "road", "poi": "poi"}


def resolve_columns(kind: str, headers, overrides: dict[str, str] | None = None) -> dict[str, str]:
    """field → header present in this file."""
    present = set(headers)
    out = {}
    for fld, names in DEFAULT_COLUMNS[kind].items():
        for n in names:
            if n in present:
                out[fld] = n
                break
    for header, fld in (overrides or {}).items():
        if header in present:
            out[fld] = header
    return out


def gb36894_class(category: str, households: int | None, population: int | None) -> str:
    """GB 36894-2018 protection-target class (values flagged uncertain in the design notes)."""
    if category in ("school", "kindergarten", "hospital", "nursing_home"):
        return "高敏感"
    if category in ("cultural_relic", "religious_site", "transit_station"):
        return "重要"
    if category == "residential":
        h, p = households or 0, population or 0
        if h >= 30 or p >= 100:
            return "一般一类"
        if h >= 10 or p >= 30:
            return "一般二类"
        return "一般三类"
    return "一般"

"""Chinese labels for what the pages show that is not domain vocabulary (which lives in
:mod:`geo.vocabulary`): roles, audit actions, run kinds and states, geocode precision, the
siting request's field paths.  Registry kinds and collections are labelled from their one
declaration (``etl.kinds.KINDS``, the collections registry); colours from the domain vocabulary.  Sent to the browser in the page's JSON data
block together with the domain vocabulary, so no script keeps a copy.
"""

from __future__ import annotations

from geo.separation import FIELD_LABEL as SIZE_FIELD_LABEL
from etl.kinds import KINDS
from geo.postgis.collections import registry
from geo.vocabulary import HAZARD_LABEL, MAJOR_GRADE_LABEL, STAGE_LABEL

ROLE_LABEL = {"operator": "运维人员", "planner": "规划人员", "leader": "领导", "analyst": "分析人员", "inspector": "检查员"}

AUDIT_ACTION_LABEL = {
    "login": "登录", "login_failed": "登录失败", "logout": "退出登录", "export": "导出数据",
    "siting_check": "选址核查", "etl_run": "数据导入", "refresh": "重新计算",
    "user_add": "新增用户", "user_disable": "停用用户", "user_enable": "启用用户",
    "user_reset_token": "重置令牌", "print": "打印出图", "rejects_download": "下载拒收记录",
    "login_locked": "登录锁定", "list_page": "分页读取数据",
    "assessment_add": "录入评估", "hidden_danger_add": "登记隐患", "hidden_danger_update": "更新隐患",
    "inspection_draw": "双随机抽取", "inspection_result": "录入检查结果",
    "waste_manifest_transition": "变更联单状态",
}

# keys that appear in audit details → Chinese
DETAIL_KEY_LABEL = {
    "layer": "图层", "format": "格式", "crs": "坐标系", "filters": "筛选条件", "limit": "数量上限",
    "name": "名称", "role": "角色", "run_id": "运行编号", "status": "状态", "location": "位置",
    "decision": "结论", "facility_type": "设施类别", "risk": "风险颜色", "town": "属地",
    "stage": "环节", "department": "监管部门", "q": "关键字", "bbox": "范围", "lon": "经度",
    "lat": "纬度", "counts": "计数", "files": "文件", "rejected": "拒收", "read": "读取",
    "inserted": "新增", "updated": "更新", "unchanged": "未变", "removed": "移除", "kind": "类型",
    "via": "途径", "verdict": "结论", "risk_color": "风险颜色", "output": "输出文件", "offset": "起始位置",
    "collection": "数据集", "returned": "返回条数", "matched": "匹配条数", "account": "账号", "address": "地址",
    "until": "锁定至", "failures": "失败次数", "outside_area": "拟建点位置",
    "period": "抽查期间", "draw_id": "抽取批次", "inspections": "抽取家数", "enterprise_id": "企业编号", "items": "评估项",
    "inspection_id": "检查编号", "id": "编号", "grade": "等级", "state": "状态", "from": "原状态", "to": "新状态",
    "result": "结果", "hidden_dangers": "隐患", "assessment_items": "评估记录",
    "manifest_no": "联单编号", "rule": "依据规则", "labels": "列名",
}

# values that appear in audit details → Chinese (by the detail's key)
DETAIL_VALUE_LABEL = {
    "role": ROLE_LABEL,
    "layer": {**{c.id: c.title for c in registry().values()}, "map": "风险地图"},  # every wing's, declared once
    "format": {"geojson": "GeoJSON 文件", "csv": "CSV 表格", "gpkg": "GeoPackage 文件", "pdf": "PDF 文件",
               "json": "在线结果"},
    "crs": {"wgs84": "WGS-84", "gcj02": "GCJ-02", "cgcs2000": "CGCS2000", "bd09": "BD-09"},
    "labels": {"en": "字段代码", "zh": "中文列名"},  # an export's labels=en|zh
    "decision": {"shortfall": "初筛发现距离不足", "no_shortfall_found": "初筛未发现距离不足"},
    "verdict": {"shortfall": "初筛发现距离不足", "no_shortfall_found": "初筛未发现距离不足"},
    "outside_area": {True: "辖区外（按请求核查）", False: "辖区内"},
    "stage": STAGE_LABEL,
    "via": {"api": "接口", "cli": "命令行", "page": "页面"},
    "status": {"running": "运行中", "succeeded": "成功", "failed": "失败", "aborted": "已中止", "interrupted": "已中断"},
    "result": {"inserted": "新增", "updated": "更新", "unchanged": "未变"},
}

# what a refresh counted (geo.postgis.refresh.refresh's summary)
REFRESH_COUNT_LABEL = {"enterprises": "企业", "hazard_units": "危险源单元", "major_hazards": "重大危险源",
                       "requirements": "防护距离要求", "conflicts": "距离冲突", "areas": "区域", "hca_segments": "高后果区管段"}

RUN_KIND_LABEL = {"etl": "数据导入", "refresh": "重新计算", "siting": "选址核查"}
RUN_STATUS_LABEL = DETAIL_VALUE_LABEL["status"]

# registry kinds (ETL sources)
KIND_LABEL = {k.name: k.label for k in KINDS}  # every wing's kinds, declared once in etl.kinds

PRECISION_LABEL = {"source": "登记坐标", "address_point": "门牌地址", "road": "道路", "poi": "兴趣点",
                   "village": "村/社区", "town": "镇/街道", "district": "区"}

GRADE_LABEL = MAJOR_GRADE_LABEL

# the siting request's fields (error messages name them by path)
FIELD_LABEL = {
    "body": "请求内容", "location": "位置", "lon": "经度（或横坐标）", "lat": "纬度（或纵坐标）",
    "crs": "坐标系", "inventory": "化学品清单", "chemical": "化学品", "cas": "CAS 号",
    "quantity_t": "数量（吨）", "unit": "单元", "exposed_people": "暴露人数",
    "facility_type": "设施类别", "size": "规模", "major_grade": "重大危险源等级", "hazard": "危险类型",
    "stage": "环节", "risk": "风险颜色", "town": "属地", "department": "监管部门", "bbox": "地图范围",
    "limit": "数量上限", "offset": "起始位置", "radius_m": "半径（米）", "x": "横坐标", "y": "纵坐标",
    "in_chemical_park": "是否位于化工园区", "allow_outside_area": "核查辖区外地点", **SIZE_FIELD_LABEL,
}

# what a conflict rests on (conflict.basis) and the consequence tier's verdicts (issue 17)
CONFLICT_BASIS_LABEL = {"fire_separation": "防火间距", "safety_distance": "安全间距/安全距离",
                        "external_safety": "外部安全防护距离", "screening": "本地筛查距离",
                        "individual_risk": "个人风险（GB 36894）"}
EXTERNAL_DISTANCE_LABEL = {"met": "满足", "not_met": "不满足", "not_computed": "未计算"}
INSTALLATION_LABEL = {"new": "新建装置", "existing": "在役装置"}


def as_json() -> dict:
    return {"roles": ROLE_LABEL, "audit_actions": AUDIT_ACTION_LABEL, "detail_keys": DETAIL_KEY_LABEL,
            "run_kinds": RUN_KIND_LABEL, "run_status": RUN_STATUS_LABEL, "kinds": KIND_LABEL,
            "precision": PRECISION_LABEL, "grades": {str(k): v for k, v in GRADE_LABEL.items()},
            "hazards": HAZARD_LABEL, "fields": FIELD_LABEL,
            "conflict_basis": CONFLICT_BASIS_LABEL, "external_distance": EXTERNAL_DISTANCE_LABEL,
            "installation": INSTALLATION_LABEL}

"""Chinese labels for what the pages show that is not domain vocabulary (which lives in
:mod:`geo.vocabulary`): roles, audit actions, run kinds and states, geocode precision, the
siting request's field paths, registry kinds.  Sent to the browser in the page's JSON data
block together with the domain vocabulary, so no script keeps a copy.
"""

from __future__ import annotations

ROLE_LABEL = {"operator": "运维人员", "planner": "规划人员", "leader": "领导", "analyst": "分析人员"}

AUDIT_ACTION_LABEL = {
    "login": "登录", "login_failed": "登录失败", "logout": "退出登录", "export": "导出数据",
    "siting_check": "选址核查", "etl_run": "数据导入", "refresh": "重新计算",
    "user_add": "新增用户", "user_disable": "停用用户", "user_enable": "启用用户",
    "user_reset_token": "重置令牌", "print": "打印出图", "rejects_download": "下载拒收记录",
    "login_locked": "登录锁定", "list_page": "分页读取数据",
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
    "until": "锁定至", "failures": "失败次数",
}

# values that appear in audit details → Chinese (by the detail's key)
DETAIL_VALUE_LABEL = {
    "role": ROLE_LABEL,
    "layer": {"enterprises": "涉危企业", "hazard-units": "危险源单元", "targets": "防护目标", "conflicts": "距离冲突",
              "areas": "区域风险", "pipelines": "长输管道", "map": "风险地图"},
    "format": {"geojson": "GeoJSON 文件", "csv": "CSV 表格", "gpkg": "GeoPackage 文件", "pdf": "PDF 文件"},
    "crs": {"wgs84": "WGS-84", "gcj02": "GCJ-02", "cgcs2000": "CGCS2000", "bd09": "BD-09"},
    "decision": {"advise_against": "建议不予选址", "acceptable": "可以选址"},
    "verdict": {"advise_against": "建议不予选址", "acceptable": "可以选址"},
    "via": {"api": "接口", "cli": "命令行", "page": "页面"},
    "risk_color": {"red": "红", "orange": "橙", "yellow": "黄", "blue": "蓝"},
    "status": {"running": "运行中", "succeeded": "成功", "failed": "失败", "aborted": "已中止"},
}

# what a refresh counted (geo.postgis.refresh.refresh's summary)
REFRESH_COUNT_LABEL = {"enterprises": "企业", "hazard_units": "危险源单元", "major_hazards": "重大危险源",
                       "requirements": "防护距离要求", "conflicts": "距离冲突", "areas": "区域", "hca_segments": "高后果区管段"}

RUN_KIND_LABEL = {"etl": "数据导入", "refresh": "重新计算", "siting": "选址核查"}
RUN_STATUS_LABEL = DETAIL_VALUE_LABEL["status"]

# registry kinds (ETL sources)
KIND_LABEL = {"enterprises": "涉危企业", "hazard_units": "危险源单元/储量", "targets": "防护目标",
              "areas": "行政区划", "pipelines": "长输管道", "gazetteer": "地名地址库"}

KIND_LABEL.update({"vehicles": "危货车辆", "crew": "驾驶员与押运员", "waybills": "电子运单", "tags": "包装标签",
                   "tag_events": "标签事件", "positions": "车辆定位（平台导出）", "restricted_zones": "限行区域"})
DETAIL_VALUE_LABEL["layer"].update({"vehicles": "危货车辆", "waybills": "电子运单与五必查", "trips": "运输行程",
                                    "transport-alarms": "运输报警", "restricted-zones": "限行区域",
                                    "transport-cells": "运输集中度"})

PRECISION_LABEL = {"source": "登记坐标", "address_point": "门牌地址", "road": "道路", "poi": "兴趣点",
                   "village": "村/社区", "town": "镇/街道", "district": "区"}

GRADE_LABEL = {1: "一级", 2: "二级", 3: "三级", 4: "四级"}

HAZARD_LABEL = {"toxic": "有毒", "flammable": "易燃易爆", "explosive": "爆炸品"}

# the siting request's fields (error messages name them by path)
FIELD_LABEL = {
    "body": "请求内容", "location": "位置", "lon": "经度（或横坐标）", "lat": "纬度（或纵坐标）",
    "crs": "坐标系", "inventory": "化学品清单", "chemical": "化学品", "cas": "CAS 号",
    "quantity_t": "数量（吨）", "unit": "单元", "exposed_people": "暴露人数",
    "facility_type": "设施类别", "size": "规模", "major_grade": "重大危险源等级", "hazard": "危险类型",
    "stage": "环节", "risk": "风险颜色", "town": "属地", "department": "监管部门", "bbox": "地图范围",
    "limit": "数量上限", "offset": "起始位置", "radius_m": "半径（米）", "x": "横坐标", "y": "纵坐标",
}

def as_json() -> dict:
    return {"roles": ROLE_LABEL, "audit_actions": AUDIT_ACTION_LABEL, "detail_keys": DETAIL_KEY_LABEL,
            "run_kinds": RUN_KIND_LABEL, "run_status": RUN_STATUS_LABEL, "kinds": KIND_LABEL,
            "precision": PRECISION_LABEL, "grades": {str(k): v for k, v in GRADE_LABEL.items()},
            "hazards": HAZARD_LABEL, "fields": FIELD_LABEL}

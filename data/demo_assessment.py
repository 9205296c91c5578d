"""The demo's assessment wing (issue 12 item 10): synthetic, deterministic (no random draws at all —
every choice below is by position in the generated demo), written next to the other demo files:

* ``assessments.csv`` — three complete assessments (every guide item and every direct-red condition:
  those enterprises are no longer 初步分级) and one partial one, by inspection or self-assessment;
* ``hidden_dangers.csv`` — a small ledger: one 重大 hidden danger with its 五落实 (整改中), one 重大
  without them (still 待整改), overdue and closed 一般 ones, one waiting for acceptance;
* ``inspectors.csv`` — the 双随机 pool (departments of 三管三必管, one declared recusal);
* ``inspection_draws.csv`` — two draws (period and seed) that ``hazmap demo`` makes after the load;
  ``inspection_results.csv`` — the results of three of the first draw's inspections (by draw order).

Called with one line from ``generate_demo.write``; it reads the built demo and draws no random
numbers, so the other demo files stay byte-identical.  Points, evidence, names are invented.
"""

from __future__ import annotations

from pathlib import Path

GUIDE_CONDITIONS = ("DR_UNTESTED_PROCESS", "DR_NO_DESIGN", "DR_SPECIAL_WORKERS", "DR_ACCIDENTS")
ITEM_LABEL = {"PROCESSES": "危险化工工艺种类", "FIRE": "火灾爆炸危险性", "DESIGN": "设计与评估", "EQUIPMENT": "设备",
              "CONTROLS": "自控与安全设施", "PERSONNEL": "人员资质", "MANAGEMENT": "安全管理制度",
              "EMERGENCY": "应急管理", "PERFORMANCE": "安全管理绩效", "DR_UNTESTED_PROCESS": "",
              "DR_NO_DESIGN": "", "DR_SPECIAL_WORKERS": "", "DR_ACCIDENTS": ""}
ASSESSMENT_HEADERS = ["统一社会信用代码", "评估项代码", "评估项", "扣分/得分", "状态", "来源", "证据", "评估人", "评估日期"]
HIDDEN_DANGER_HEADERS = ["统一社会信用代码", "隐患地点", "经度", "纬度", "坐标系", "发现日期", "发现人", "来源", "隐患描述",
                         "隐患等级", "重大隐患判定项", "整改措施", "整改责任人", "整改资金(元)", "整改时限", "应急预案", "状态",
                         "整改完成日期", "验收日期", "验收人"]

# (item, points, evidence) of a complete assessment; a site's fire class is assessed with the open-flame check
CHLORINE_PLANT = [
    ("PROCESSES", -2, "氯化工艺 1 种（工艺流程图、危险化工工艺登记表）"),
    ("FIRE", -0.5, "乙类储罐区 1 处，明火设施不比邻（总平面布置图核查）"),
    ("DESIGN", 0, "甲级资质设计院设计，2024 年完成安全设计诊断"),
    ("EQUIPMENT", -2, "1 台淘汰型号液氯汽化器尚未更换（设备台账）"),
    ("CONTROLS", -1, "1 处有毒气体检测报警仪未接入 DCS（现场检查）"),
    ("PERSONNEL", -5, "1 名专职安全管理人员无化工类学历或职称（人员花名册）"),
    ("MANAGEMENT", -2, "1 个岗位安全生产责任制未签订（责任书台账）"),
    ("EMERGENCY", 0, "无专职消防队（不加分）"),
    ("PERFORMANCE", 0, "三年内无事故，标准化未定级"),
]
STATION = [
    ("PROCESSES", 0, "不涉及危险化工工艺（经营带储存）"),
    ("FIRE", -1, "甲类埋地油罐区 1 处，明火设施不比邻"),
    ("DESIGN", 0, "设计文件齐全"),
    ("EQUIPMENT", 0, "设备台账核查无淘汰设备"),
    ("CONTROLS", 0, "液位监测与可燃气体报警正常"),
    ("PERSONNEL", 0, "站长与安全员持证"),
    ("MANAGEMENT", 0, "制度与责任制齐全"),
    ("EMERGENCY", 0, "无专职消防队（不加分）"),
    ("PERFORMANCE", 0, "三年内无事故"),
]
WAREHOUSE = [
    ("PROCESSES", 0, "不涉及危险化工工艺（仓储）"),
    ("FIRE", -1, "甲类储罐区 1 处，明火设施不比邻"),
    ("DESIGN", 0, "设计文件齐全"),
    ("EQUIPMENT", -2, "1 台压力容器未办理使用登记（特种设备台账）"),
    ("CONTROLS", -1, "1 处储罐液位远传缺失"),
    ("PERSONNEL", 0, "人员资质符合要求"),
    ("MANAGEMENT", -5, "操作规程未按新工艺修订（企业自评）"),
    ("EMERGENCY", 0, "无专职消防队（不加分）"),
    ("PERFORMANCE", 0, "三年内无事故"),
]
PARTIAL = [  # a first inspection of a 一级 major hazard: two items only — still 初步分级
    ("CONTROLS", -5, "光气合成装置紧急切断未与联锁投用（现场检查）"),
    ("PERSONNEL", -5, "主要负责人安全生产知识和管理能力考核合格证过期"),
]
INSPECTORS = [  # key, name, department, recused credit codes (filled below)
    ("JC-001", "王建国", "区应急管理局"), ("JC-002", "李明", "区应急管理局"), ("JC-003", "张伟", "区应急管理局"),
    ("JC-004", "刘芳", "区应急管理局"), ("JC-005", "陈静", "区公安分局"), ("JC-006", "杨帆", "区公安分局"),
    ("JC-007", "赵磊", "区市场监管局"), ("JC-008", "孙丽", "区市场监管局"), ("JC-009", "周强", "区商务局"),
    ("JC-010", "吴敏", "区商务局"), ("JC-011", "郑华", "区交通运输局"), ("JC-012", "钱勇", "区交通运输局"),
]
DRAWS = [("2026年第三季度", "城区应急局2026年第三季度双随机抽查-公开种子-8841"),
         ("2026年第四季度", "城区应急局2026年第四季度双随机抽查-公开种子-2093")]
# results of the third quarter's first three drawn inspections (in draw order), recorded by ``hazmap demo``
# as an inspector would through POST /api/v1/inspections/<id>/result (synthetic texts)
RESULTS = [("2026年第三季度", 1, "2026-09-08", "（演示数据）现场检查：安全管理制度齐全，未发现隐患"),
           ("2026年第三季度", 2, "2026-09-15", "（演示数据）现场检查：消防通道局部堆放杂物，已责令当场清理"),
           ("2026年第三季度", 3, "2026-09-22", "（演示数据）现场检查：特种作业人员证书均在有效期内")]


def _unit_enterprise(demo: dict, unit_name: str) -> dict:
    return next(u["e"] for u in demo["units"] if u["name"] == unit_name)


def _near(e: dict, dx: float, dy: float) -> tuple[str, str]:
    return f"{e['point'].x + dx:.7f}", f"{e['point'].y + dy:.7f}"


def build(demo: dict) -> dict:
    """The rows of the four files, from the built demo (no random numbers)."""
    chlorine = _unit_enterprise(demo, "液氯储罐区")  # 一级
    phosgene = _unit_enterprise(demo, "光气合成装置")  # 一级
    methanol = _unit_enterprise(demo, "甲醇储罐区")  # 三级, 危化品仓库
    lpg = _unit_enterprise(demo, "液化石油气储罐区")
    oil = _unit_enterprise(demo, "汽油储罐区")
    stations = [u["e"] for u in demo["units"] if u["name"] == "埋地油罐区"]
    station = stations[0]

    assessments = []
    for e, items, source, who, day in ((chlorine, CHLORINE_PLANT, "检查", "王建国", "2026-10-15"),
                                       (station, STATION, "检查", "李明", "2026-10-20"),
                                       (methanol, WAREHOUSE, "企业自评", "企业安全负责人", "2026-09-30")):
        for code, pts, ev in items:
            assessments.append([e["credit"], code, ITEM_LABEL[code], f"{pts:g}", "已评估", source, ev, who, day])
        for code in GUIDE_CONDITIONS:
            assessments.append([e["credit"], code, "", "否", "已评估", source, "核查工艺、设计、特种作业人员证件与事故记录：不存在",
                                who, day])
    for code, pts, ev in PARTIAL:
        assessments.append([phosgene["credit"], code, ITEM_LABEL[code], f"{pts:g}", "已评估", "检查", ev, "张伟",
                            "2026-11-05"])

    x, y = _near(chlorine, 0.0004, 0.0002)
    dangers = [
        [chlorine["credit"], "液氯储罐区", x, y, "wgs84", "2026-09-01", "王建国", "部门检查",
         "液氯储罐区紧急切断阀未与液位联锁", "重大", "5", "加装紧急切断阀并与液位、压力联锁", "厂长 高志强", "86000",
         "2026-12-31", "液氯泄漏专项应急预案（2026 版）", "整改中", "", "", ""],
        [chlorine["credit"], "厂区东侧消防通道", *_near(chlorine, -0.0003, 0.0003), "wgs84", "2026-09-01", "王建国",
         "部门检查", "消防通道被临时堆放的包装物占用", "一般", "", "清理并划定禁放区", "安全科 赵刚", "2000", "2026-10-15", "",
         "整改中", "", "", ""],
        [phosgene["credit"], "光气合成装置区", *_near(phosgene, 0.0002, -0.0002), "wgs84", "2026-11-05", "张伟", "双随机",
         "有毒气体检测报警仪超期未检定", "一般", "", "送检并更换备用探头", "设备科 钱明", "12000", "2026-11-20", "",
         "整改中", "", "", ""],
        [oil["credit"], "汽油储罐区", *_near(oil, 0.0002, 0.0001), "wgs84", "2026-10-08", "刘芳", "举报",
         "未建立安全生产责任制考核制度", "重大", "16", "", "", "", "", "", "待整改", "", "", ""],
        [station["credit"], "卸油口", *_near(station, 0.0001, 0.0001), "wgs84", "2026-09-20", "李明", "自查",
         "卸油口静电接地报警器损坏", "一般", "", "更换静电接地报警器", "站长 孙涛", "3500", "2026-10-20", "", "已销号",
         "2026-10-10", "2026-10-12", "李明"],
        [methanol["credit"], "甲醇储罐区", *_near(methanol, 0.0002, 0.0002), "wgs84", "2026-10-25", "企业安全负责人",
         "自查", "储罐呼吸阀阻火器锈蚀", "一般", "", "更换阻火器", "仓储部 马丽", "6000", "2026-11-30", "", "待验收",
         "2026-11-20", "", ""],
        [lpg["credit"], "充装间", "", "", "", "2026-11-10", "周强", "在线监测", "充装间可燃气体浓度报警两次（在线监测平台）",
         "一般", "", "排查泄漏点并检修阀门", "站长 吴刚", "8000", "2026-11-25", "", "整改中", "", "", ""],
    ]
    recused = {"JC-002": [phosgene["credit"]]}  # declared a relative works there
    inspectors = [[k, n, d, "、".join(recused.get(k, []))] for k, n, d in INSPECTORS]
    return {"assessments": assessments, "hidden_dangers": dangers, "inspectors": inspectors,
            "draws": [list(d) for d in DRAWS], "results": [list(r) for r in RESULTS]}


def write(demo: dict, out: Path, write_csv) -> None:
    """Write the five files with the demo's own CSV writer."""
    rows = build(demo)
    write_csv(out / "assessments.csv", ASSESSMENT_HEADERS, rows["assessments"], "utf-8-sig")
    write_csv(out / "hidden_dangers.csv", HIDDEN_DANGER_HEADERS, rows["hidden_dangers"], "utf-8-sig")
    write_csv(out / "inspectors.csv", ["人员编号", "姓名", "所属部门", "回避企业信用代码"], rows["inspectors"], "utf-8-sig")
    write_csv(out / "inspection_draws.csv", ["抽查期间", "随机种子"], rows["draws"], "utf-8-sig")
    write_csv(out / "inspection_results.csv", ["抽查期间", "序号", "检查日期", "检查结果"], rows["results"], "utf-8-sig")

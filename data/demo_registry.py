"""The registry fields of the demo (issue 11): sizes, footprints, operating conditions, solution
strengths, high-rise targets, licences that fit the enterprise — all synthetic and deterministic.

Called from :mod:`generate_demo` (``extend`` while the units are built, ``annotate`` once
everything is placed).  Nothing here draws from the generator's random stream: every choice is
a function of the enterprise's or target's position in its list, so the rest of the demo stays as
it was (same names, points, quantities).
"""

from __future__ import annotations

import math

ENTERPRISE_COLUMNS = ["储罐总容积m3", "站级", "油气回收", "储罐埋地", "油库等级", "占地范围WKT"]
UNIT_COLUMNS = ["操作温度℃", "操作压力MPa", "浓度%", "储罐容积m3"]
TARGET_COLUMN = "高层建筑"

# liquid densities (t/m³) as in data/reference/chemical_properties.csv, for plausible registered volumes
DENSITY = {"汽油": 0.78, "柴油": 0.86, "液化石油气": 0.58}
VAPOUR = ["卸油和加油油气回收", "卸油油气回收", "无"]
# GB 50156-2012(2014年版) 表3.0.9 加油站等级 by 油罐总容积 V (柴油折半), m³ (as data/rules/size_basis.csv)
STATION_BANDS = [(90, "三级"), (150, "二级"), (210, "一级")]
# GB 50074-2014 表3.0.1 石油库等级 by 总容量 TV, m³ (demo registry values; the rules read the grade)
DEPOT_BANDS = [(1000, "五级"), (10000, "四级"), (30000, "三级"), (100000, "二级")]
# the W5.2 case: 二甲苯 under 2.5 MPa (> 1.6 MPa, GB 18218-2018 表2 W5.2: Q 50 t, β 1)
W5_2 = {"二甲苯": (50, 1)}
# new chemicals the demo's extra units hold: (CAS, Q t, β) like generate_demo.CHEM (甲醛溶液: no 表2 class)
CHEM = {"甲醛": ("50-00-0", None, None)}
FIRE = {"甲醛": ""}


def _up(x: float, step: float) -> float:
    return float(math.ceil(x / step) * step)


def extend(by_type: dict, add_unit, units: list) -> None:
    """Units that make the demo plausible (appended after the existing ones, keys HU-0054…)."""
    # every LPG station stores LPG (the first one has the designed 二级 unit already)
    for e, t in zip(by_type["液化石油气充装站"][1:], (24.0, 32.5, 18.0, 40.0)):
        add_unit(e, "液化石油气储罐区", [("液化石油气", t, "t")])
    # a water works disinfects with 液氯 (below the 5 t critical quantity)
    add_unit(by_type["污水处理厂"][0], "加氯间", [("液氯", 2.0, "t")])
    # a 37 % formaldehyde solution (甲醛溶液, not GB 18218 表1 甲醛(含量>90%))
    add_unit(by_type["危化品仓库"][6], "甲醛溶液储罐", [("甲醛", 25.0, "t")])
    units[-1]["registry"] = {"浓度%": "37", "储罐容积m3": "30"}
    # W5.2: 二甲苯 distilled under pressure (80 ℃ < 沸点 139 ℃, 2.5 MPa > 1.6 MPa) — a 四级 major hazard
    add_unit(by_type["化工厂"][10], "二甲苯加压精馏装置", [("二甲苯", 60.0, "t")])
    units[-1]["registry"] = {"操作温度℃": "80", "操作压力MPa": "2.5"}
    units[-1]["critical"] = W5_2


def _station(e, lines) -> dict:
    v = sum(q / DENSITY[c] * (0.5 if c == "柴油" else 1.0) for c, q, _ in lines)
    grade = next((g for top, g in STATION_BANDS if v <= top), "一级")
    return {"站级": grade}


def _box_wkt(e, to_row_crs, half_w: float = 30.0, half_h: float = 20.0) -> str:
    """A 60 m × 40 m site around the enterprise point, in the row's CRS (inside the 40 m every
    residential compound keeps from an enterprise, so no footprint touches one)."""
    p = e["point"]
    dx = half_w / (111_320 * math.cos(math.radians(p.y)))
    dy = half_h / 110_900
    ring = [(p.x - dx, p.y - dy), (p.x + dx, p.y - dy), (p.x + dx, p.y + dy), (p.x - dx, p.y + dy), (p.x - dx, p.y - dy)]
    return "POLYGON((" + ", ".join(" ".join(to_row_crs(x, y)) for x, y in ring) + "))"


def annotate(enterprises: list, by_type: dict, units: list, targets: list, residential: list, row_crs) -> None:
    """Set ``registry`` (column → text) on enterprises, units and targets; fix licences.

    ``row_crs(i) -> (crs name, (lon, lat) → (x, y) text)`` is how enterprise ``i``'s row states coordinates.
    """
    index = {id(e): i for i, e in enumerate(enterprises)}
    # the plant with the designed 液氯储罐区 is a chlor-alkali works (氯碱)
    chlor = next(u["e"] for u in units if u["name"] == "液氯储罐区")
    chlor["name"] = chlor["name"].replace("化工有限公司", "氯碱化工有限公司")
    for e in enterprises:
        e.setdefault("registry", {})
        # 危险化学品安全使用许可证 is for 化工企业 that use hazardous chemicals in production above the
        # quantities of its 实施办法 (原安监总局令第57号 第二条); school labs, hospitals, water works and
        # other users hold none
        if e["stages"][0] == "use":
            e["lic_type"] = e["lic_no"] = e["expiry"] = ""
    lines_of: dict[int, list] = {}
    for u in units:
        lines_of.setdefault(id(u["e"]), []).extend(u["lines"])
    # filling stations: every third registers its grade (from its tanks) and its vapour recovery
    for k, e in enumerate(by_type["加油站"]):
        if k % 3 == 0:
            e["registry"].update(_station(e, lines_of.get(id(e), [])), 油气回收=VAPOUR[(k // 3) % 3])
    # LPG stations: registered total tank volume (tanks of 25 m³) and whether they are buried
    for k, e in enumerate(by_type["液化石油气充装站"][1:3]):
        t = sum(q for _, q, _ in lines_of.get(id(e), []))
        e["registry"].update({"储罐总容积m3": f"{_up(t / (DENSITY['液化石油气'] * 0.95), 25):g}",
                              "储罐埋地": "否" if k == 0 else "是"})
    # oil depots: total volume from the stored products, the GB 50074 grade from it
    for e in by_type["油库"][:2]:
        lines = lines_of.get(id(e), [])
        if not lines:
            continue
        tv = _up(sum(q / DENSITY.get(c, 0.86) for c, q, _ in lines), 1000)
        e["registry"].update({"储罐总容积m3": f"{tv:g}",
                              "油库等级": next((g for top, g in DEPOT_BANDS if tv < top), "一级")})
    # a few site footprints (WKT in the row's own CRS)
    for e in (by_type["化工厂"][9], by_type["化工厂"][11], by_type["危化品仓库"][4], by_type["危化品仓库"][5]):
        if e.get("addr_only"):
            continue
        _, fmt = row_crs(index[id(e)])
        e["registry"]["占地范围WKT"] = _box_wkt(e, fmt)
    # a registered fire class the chemicals contradict: the first 原料库 of 甲苯/丙酮/二甲苯 says 丙
    wrong = next((u for u in units if u["name"] == "原料库" and u["lines"][0][0] in ("甲苯", "丙酮", "二甲苯")), None)
    if wrong is not None:
        wrong["fire"] = "丙"
    for u in units:
        u.setdefault("registry", {})
    # high-rise targets: some hospitals and office towers are, some schools are not; compounds mixed
    for k, t in enumerate(targets):
        hr = {"hospital": "是" if k % 3 == 0 else "", "office": "是" if k % 2 == 0 else "否",
              "school": "否" if k % 4 == 0 else "", "mall": "是" if k % 5 == 0 else ""}.get(t["cat"], "")
        t["high_rise"] = hr
    for k, r in enumerate(residential):
        r["high_rise"] = {0: "是", 1: "否"}.get(k % 5, "")

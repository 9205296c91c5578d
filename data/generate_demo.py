"""Generate the synthetic 晋城市城区 demo registries in ``data/demo/`` (deterministic).

    python data/generate_demo.py [--seed 20230720] [--out data/demo]

Real: the district boundary (DataV, GCJ-02 → WGS-84 here) and the township names and codes.
Everything else — town polygons, enterprises, hazard units, protection targets, pipelines,
the address gazetteer — is synthetic, generated here from one seeded random generator, and
written as the files departments would send (CSV in UTF-8, UTF-8 with BOM and GB18030, XLSX,
GeoJSON).  Hazard-unit quantities are chosen from the people the generator itself places
within 500 m, so that the demo shows every GB 18218 grade.  See ``data/README.md``.
"""

from __future__ import annotations

import argparse
import csv
import io
import json
import math
import random
import sys
import zipfile
from pathlib import Path

import shapely
from pyproj import Transformer
from shapely.geometry import LineString, MultiPolygon, Point, Polygon, box, mapping, shape

REPO = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(REPO))

from geo import credit_code, crs  # noqa: E402

# byte copy of the real boundary (source and licence note in data/README.md)
BOUNDARY = REPO / "data" / "sources" / "chengqu_140502_bound_datav_gcj02.json"
TODAY = "2026-11-28"  # the demo's "as of" date: licences before it are expired

TOWNS = [  # (code, name, seed lon, lat) — names/codes: NBS 统计用区划代码; 南村镇: see README
    ("140502001", "东街街道", 112.862, 35.500),
    ("140502002", "西街街道", 112.835, 35.503),
    ("140502003", "南街街道", 112.850, 35.478),
    ("140502004", "北街街道", 112.850, 35.522),
    ("140502006", "钟家庄街道", 112.885, 35.470),
    ("140502007", "西上庄街道", 112.800, 35.540),
    ("140502009", "开发区街道", 112.895, 35.500),
    ("140502100", "北石店镇", 112.890, 35.560),
    ("140525100", "南村镇", 112.790, 35.455),
]
ROADS = ["泽州路", "凤台街", "黄华街", "书院街", "太行路", "中原街", "文昌街", "景西路", "白水街",
         "红星街", "新市街", "建设路", "晓庄路", "兰花路", "凤鸣路", "金匠路", "青年路", "迎宾街"]
STAGE_CN = {"production": "生产", "trade_storage": "经营(带储存)", "trade": "经营(不带储存)",
            "storage": "储存", "transport": "运输", "loading": "装卸", "use": "使用",
            "waste": "废弃处置", "pipeline": "长输管道"}
HEADERS = ["统一社会信用代码", "企业名称", "环节", "设施类型", "所属街道", "监管部门", "地址", "经度",
           "纬度", "坐标系", "许可证编号", "许可证类型", "有效期至", "是否在化工园区", "三年内较大事故",
           "三年内死亡事故", "重大隐患数", "安全生产标准化等级"]
# chemical: (name, CAS, Q t, beta) — GB 18218-2018 tables 1–4, as in data/reference/
CHEM = {
    "液氯": ("7782-50-5", 5, 4), "液氨": ("7664-41-7", 10, 2), "汽油": ("86290-81-5", 200, 1.5),
    "甲醇": ("67-56-1", 500, 1), "液化石油气": ("68476-85-7", 50, 1.5), "天然气": ("74-82-8", 50, 1.5),
    "氢气": ("1333-74-0", 5, 1.5), "乙炔": ("74-86-2", 1, 1.5), "苯": ("71-43-2", 50, 1),
    "甲苯": ("108-88-3", 500, 1), "丙酮": ("67-64-1", 500, 1), "乙醇": ("64-17-5", 500, 1),
    "光气": ("75-44-5", 0.3, 20), "二氧化硫": ("7446-09-5", 20, 2), "硫化氢": ("7783-06-4", 5, 5),
    "液氧": ("7782-44-7", 200, 1), "电石": ("75-20-7", 100, 1), "柴油": ("68334-30-5", 5000, 1),
    "二甲苯": ("1330-20-7", 5000, 1), "氰化钠": ("143-33-9", 50, 1), "硫酸": ("7664-93-9", None, None),
    "盐酸": ("7647-01-0", None, None),
}
UTM = Transformer.from_crs("EPSG:4326", "EPSG:32649", always_xy=True)


def to_utm(g):
    return shapely.transform(g, lambda xy: _stack(UTM.transform(xy[:, 0], xy[:, 1])))


def _stack(xy):
    import numpy as np

    return np.column_stack(xy)


class Demo:
    def __init__(self, seed: int):
        self.rng = random.Random(seed)
        self.serial = 0

    # -- geometry ---------------------------------------------------------------------
    def boundary(self) -> MultiPolygon:
        feat = json.loads(BOUNDARY.read_text(encoding="utf-8"))[0]
        g = shape(feat["geometry"])
        g = shapely.transform(g, lambda xy: _stack(list(zip(*[crs.gcj02_to_wgs84(x, y) for x, y in xy]))))
        g = shapely.make_valid(g)
        return g if isinstance(g, MultiPolygon) else MultiPolygon([g])

    def towns(self, district) -> list[tuple[str, str, MultiPolygon]]:
        seeds = shapely.MultiPoint([(lon, lat) for _, _, lon, lat in TOWNS])
        cells = shapely.voronoi_polygons(seeds, extend_to=district.envelope.buffer(0.1))
        out = []
        for code, name, lon, lat in TOWNS:
            cell = next(c for c in cells.geoms if c.contains(Point(lon, lat)))
            part = shapely.make_valid(cell.intersection(district))
            polys = [p for p in getattr(part, "geoms", [part]) if isinstance(p, Polygon)]
            out.append((code, name, MultiPolygon(polys)))
        return out

    def point_in(self, poly, near: Point | None = None, spread: float = 0.01) -> Point:
        minx, miny, maxx, maxy = poly.bounds
        for _ in range(10000):
            if near is not None:
                p = Point(near.x + self.rng.uniform(-spread, spread), near.y + self.rng.uniform(-spread, spread))
            else:
                p = Point(self.rng.uniform(minx, maxx), self.rng.uniform(miny, maxy))
            if poly.contains(p):
                return p
        raise RuntimeError("could not place a point")

    def offset(self, p: Point, metres: float, bearing_deg: float | None = None) -> Point:
        b = math.radians(self.rng.uniform(0, 360) if bearing_deg is None else bearing_deg)
        dlat = metres * math.cos(b) / 110_900.0
        dlon = metres * math.sin(b) / (111_320.0 * math.cos(math.radians(p.y)))
        return Point(p.x + dlon, p.y + dlat)

    def credit(self, org_type: str = "91") -> str:
        body = "".join(self.rng.choice(credit_code.ALPHABET[:10] + "ABCDEFGHJKLMNPQRTUWXY")
                       for _ in range(9))
        return credit_code.make(org_type + "140502" + body)


def _round(x: float) -> float:
    return round(x, 7)


def _fmt_coords(p: Point, which: str) -> tuple[str, str]:
    if which in ("wgs84", "cgcs2000"):
        x, y = p.x, p.y
    elif which == "gcj02":
        x, y = crs.wgs84_to_gcj02(p.x, p.y)
    else:
        x, y = crs.wgs84_to_bd09(p.x, p.y)
    return f"{x:.7f}", f"{y:.7f}"


def build(seed: int) -> dict:
    d = Demo(seed)
    rng = d.rng
    district = d.boundary()
    towns = d.towns(district)
    town_by_name = {n: g for _, n, g in towns}
    core = district.buffer(-0.004)

    # -- roads and the address gazetteer ------------------------------------------------
    minx, miny, maxx, maxy = core.bounds
    roads = []
    for i, name in enumerate(ROADS):
        if i % 2 == 0:  # north–south
            x0 = minx + (maxx - minx) * (i + 1) / (len(ROADS) + 1)
            line = LineString([(x0 + rng.uniform(-0.01, 0.01), miny), (x0 + rng.uniform(-0.01, 0.01), maxy)])
        else:  # east–west
            y0 = miny + (maxy - miny) * (i + 1) / (len(ROADS) + 1)
            line = LineString([(minx, y0 + rng.uniform(-0.01, 0.01)), (maxx, y0 + rng.uniform(-0.01, 0.01))])
        part = line.intersection(core)
        if part.geom_type == "MultiLineString":
            part = max(part.geoms, key=lambda g: g.length)
        roads.append((name, part))
    gazetteer, addresses = [], []
    for name, line in roads:
        mid = line.interpolate(0.5, normalized=True)
        gazetteer.append((f"山西省晋城市城区{name}", mid, "道路"))
        n_pts = max(4, int(line.length / 0.004))
        for k in range(n_pts):
            p = line.interpolate((k + 0.5) / n_pts, normalized=True)
            num = 100 + k * 88 + rng.randint(0, 40)
            addr = f"山西省晋城市城区{name}{num}号"
            gazetteer.append((addr, p, "门牌"))
            addresses.append((addr, p, name))

    def nearest_address(p: Point) -> str:
        return min(addresses, key=lambda a: a[1].distance(p))[0]

    # -- enterprises ---------------------------------------------------------------------
    plan = ([("production", "化工厂", "区应急管理局")] * 12 + [("storage", "危化品仓库", "区应急管理局")] * 10
            + [("trade_storage", "加油站", "区应急管理局")] * 24 + [("trade_storage", "液化石油气充装站", "区应急管理局")] * 5
            + [("trade_storage", "油库", "区应急管理局")] * 3 + [("trade_storage", "气体充装站", "区应急管理局")] * 6
            + [("pipeline", "其他", "区应急管理局")] * 2 + [("trade", "其他", "区市场监管局")] * 14
            + [("transport", "运输企业", "区交通运输局")] * 14 + [("transport;loading", "运输企业", "区交通运输局")] * 4
            + [("use", "实验室", "区教科局")] * 8 + [("use", "医院", "区卫体局")] * 6
            + [("use", "污水处理厂", "区住建局")] * 4 + [("use", "其他", "区工信局")] * 30
            + [("use", "其他", "区公安分局")] * 4 + [("waste", "危废处置", "区生态环境分局")] * 8)
    words = ["恒泰", "晋丰", "太行", "兰花", "凤鸣", "金泽", "华昌", "瑞通", "鑫源", "宏达", "永安", "盛达",
             "嘉禾", "泰和", "康顺", "晋阳", "丹河", "珏山", "白马", "长平", "润泽", "天成", "广源", "东方",
             "恒信", "中泰", "利民", "新兴", "景和", "安泰", "振华", "德隆", "宝丰", "祥瑞", "昌盛", "富源"]
    suffix = {"化工厂": "化工有限公司", "危化品仓库": "仓储有限公司", "加油站": "加油站", "液化石油气充装站": "液化气有限公司",
              "油库": "石油储运有限公司", "气体充装站": "工业气体有限公司", "运输企业": "危险货物运输有限公司",
              "实验室": "中学", "医院": "医院", "污水处理厂": "污水处理有限公司", "危废处置": "环保科技有限公司"}
    enterprises = []
    used_names = set()
    industrial = [town_by_name["开发区街道"], town_by_name["北石店镇"], town_by_name["钟家庄街道"]]
    for i, (stages, ftype, dept) in enumerate(plan):
        stage_list = stages.split(";")
        while True:
            w = rng.choice(words) + rng.choice(words)[0]
            if ftype == "加油站":
                nm = f"中国石化销售股份有限公司山西晋城{w}加油站" if i % 3 else f"晋城市{w}加油站有限公司"
            elif ftype == "其他" and "pipeline" in stage_list:
                nm = ["国家管网集团山西天然气管道有限公司晋城分公司", "山西晋城成品油管道输送有限公司"][i % 2]
            elif ftype == "其他":
                nm = f"晋城市{w}" + rng.choice(["机械制造有限公司", "铸造有限公司", "新材料有限公司", "化学试剂经营部",
                                                "建材有限公司", "电子科技有限公司", "玻璃制品有限公司"])
            elif ftype == "实验室":
                nm = f"晋城市{w}中学（化学实验室）"
            elif ftype == "医院":
                nm = f"晋城{w}医院"
            else:
                nm = f"晋城市{w}{suffix[ftype]}"
            if nm not in used_names:
                used_names.add(nm)
                break
        if ftype in ("化工厂", "危化品仓库", "油库", "气体充装站", "危废处置"):
            town_poly = rng.choice(industrial)
            p = d.point_in(town_poly)
        elif ftype == "加油站":
            road = rng.choice(roads)[1]
            on = road.interpolate(rng.uniform(0.05, 0.95), normalized=True)
            p = d.offset(on, rng.uniform(15, 35))
            if not core.contains(p):
                p = on
        else:
            p = d.point_in(core)
        town = next(n for _, n, g in towns if g.contains(p))
        expiry = f"{rng.randint(2027, 2029)}-{rng.randint(1, 12):02d}-{rng.randint(1, 28):02d}"
        lic_type = {"production": "安全生产许可证", "storage": "危险化学品经营许可证", "trade_storage": "危险化学品经营许可证",
                    "trade": "危险化学品经营许可证", "transport": "道路运输经营许可证", "waste": "危险废物经营许可证",
                    "pipeline": "安全生产许可证", "use": "危险化学品安全使用许可证"}[stage_list[0]]
        enterprises.append({
            "credit": d.credit(), "name": nm, "stages": stage_list, "ftype": ftype, "dept": dept,
            "town": town, "point": p, "lic_type": lic_type,
            "lic_no": f"晋城危化{['生', '经', '运', '废', '使'][i % 5]}字〔{2020 + i % 5}〕{1000 + i:04d}号",
            "expiry": expiry, "park": "是" if ftype == "化工厂" and i % 4 == 0 else ("否" if stage_list[0] in ("production", "storage", "trade_storage") else ""),
            "larger": "1" if i in (5,) else ("" if i % 3 else "0"), "fatal": "2" if i == 7 else ("" if i % 3 else "0"),
            "hidden": str(i % 4) if i % 5 == 0 else "", "std": str(1 + i % 3) if i % 6 == 0 else "",
        })

    # -- protection targets ---------------------------------------------------------------
    targets, residential = [], []
    cats = ([("学校", "school", (600, 2500))] * 55 + [("幼儿园", "kindergarten", (80, 400))] * 40
            + [("医院", "hospital", (200, 1500))] * 14 + [("养老院", "nursing_home", (50, 300))] * 14
            + [("商场", "mall", (500, 3000))] * 18 + [("客运站", "transit_station", (300, 2000))] * 5
            + [("体育场馆", "stadium", (500, 5000))] * 5 + [("文物保护单位", "cultural_relic", (10, 200))] * 6
            + [("宗教场所", "religious_site", (20, 300))] * 5 + [("办公楼", "office", (100, 800))] * 16
            + [("其他公共场所", "other_public", (50, 600))] * 8)
    school_words = ["第一", "第二", "第三", "第五", "实验", "育才", "凤鸣", "东关", "西关", "南关", "北关", "书院", "景西",
                    "泽州", "太行", "红星", "白水", "新市", "文昌", "晓庄", "钟家庄", "西上庄", "北石店", "南村"]
    poi_names = set()

    def poi_name(label: str) -> str:
        for attempt in range(1000):
            base = rng.choice(school_words)
            if attempt > 30:
                base += rng.choice(["东", "西", "南", "北", "新", "中"]) + rng.choice(["苑", "城", "园", "湖"])
            nm = {"学校": f"晋城市{base}小学" if rng.random() < 0.5 else f"晋城市{base}中学",
                  "幼儿园": f"{base}幼儿园", "医院": f"晋城市{base}医院" if rng.random() < 0.6 else f"{base}社区卫生服务中心",
                  "养老院": f"{base}颐养院", "商场": f"{base}购物中心", "客运站": f"晋城{base}客运站",
                  "体育场馆": f"{base}体育馆", "文物保护单位": f"{base}古建筑群", "宗教场所": f"{base}寺",
                  "办公楼": f"{base}商务大厦", "其他公共场所": f"{base}文化广场"}[label]
            if nm not in poi_names:
                poi_names.add(nm)
                return nm
        raise RuntimeError(label)

    # deliberate conflicts: schools/kindergartens 25–45 m from some gas stations
    stations = [e for e in enterprises if e["ftype"] in ("加油站", "液化石油气充装站")]
    near_plan = []
    for e in stations[:9]:
        near_plan.append((e["point"], rng.uniform(25, 45)))
    for k, (label, cat, (lo, hi)) in enumerate(cats):
        if k < len(near_plan) and cat in ("school", "kindergarten", "hospital", "nursing_home"):
            p = d.offset(near_plan[k][0], near_plan[k][1])
        else:
            p = d.point_in(core)
        n = rng.randint(lo, hi)
        targets.append({"key": f"POI-{len(targets) + 1:04d}", "name": poi_name(label), "label": label,
                        "cat": cat, "people": n, "beds": rng.randint(50, 600) if cat in ("hospital", "nursing_home") else None,
                        "point": p, "town": next((nm for _, nm, g in towns if g.contains(p)), "")})
    # residential compounds, some around the plants that hold hazard units
    plants = [e for e in enterprises if e["ftype"] in ("化工厂", "危化品仓库", "油库", "气体充装站")]
    res_words = ["锦绣", "阳光", "丹河", "凤台", "书香", "金域", "华府", "兰亭", "御景", "福苑", "康居", "颐和", "泽苑",
                 "世纪", "东方", "和平", "幸福", "怡园", "新城", "景苑"]
    res_names = set()
    for k in range(125):
        if k < 40:
            anchor = plants[k % len(plants)]["point"]
            c = d.offset(anchor, rng.uniform(150, 650))
        else:
            c = d.point_in(core)
        w, h = rng.uniform(120, 380), rng.uniform(100, 320)
        dx, dy = w / 2 / (111_320 * math.cos(math.radians(c.y))), h / 2 / 110_900
        poly = box(c.x - dx, c.y - dy, c.x + dx, c.y + dy)
        households = rng.randint(8, 900) if k % 7 else rng.randint(5, 25)
        for _ in range(100):
            nm = rng.choice(res_words) + rng.choice(["小区", "花园", "家园", "苑", "新村"])
            if k % 9 == 0:
                nm = rng.choice(school_words) + "村"
            if nm not in res_names:
                break
            nm = rng.choice(res_words) + rng.choice(res_words) + "小区"
        res_names.add(nm)
        residential.append({"key": f"RES-{k + 1:04d}", "name": nm, "households": households,
                            "people": int(households * rng.uniform(2.4, 3.2)), "poly": poly})

    # -- exposure (people within 500 m, same method as the engine) and hazard units -------
    def people_within(p: Point) -> float:
        ring = to_utm(p).buffer(500)
        total = 0.0
        for t in targets:
            if to_utm(t["point"]).distance(to_utm(p)) <= 500:
                total += t["people"]
        for r in residential:
            pu = to_utm(r["poly"])
            if pu.distance(to_utm(p)) <= 500:
                total += r["people"] * pu.intersection(ring).area / pu.area
        return total

    def alpha(n: float) -> float:
        n = int(n)
        return 2.0 if n >= 100 else 1.5 if n >= 50 else 1.2 if n >= 30 else 1.0 if n >= 1 else 0.5

    holders = [e for e in enterprises if set(e["stages"]) & {"production", "storage", "trade_storage"}]
    units = []
    designs = {  # target grade → (chemical, target R)
        1: [("液氯", 150), ("光气", 130), ("液氨", 160)],
        2: [("液氨", 70), ("液化石油气", 75), ("硫化氢", 65)],
        3: [("甲醇", 25), ("汽油", 30), ("天然气", 20)],
        4: [("甲醇", 4), ("乙醇", 6), ("柴油", 3)],
    }
    plan_units = []
    for g in (1, 2, 3, 4):
        for chem, r in designs[g]:
            plan_units.append((g, chem, r))
    big = [e for e in holders if e["ftype"] in ("化工厂", "危化品仓库", "油库", "气体充装站", "液化石油气充装站")]
    rng.shuffle(big)
    intended = []
    for idx, (g, chem, r) in enumerate(plan_units):
        e = big[idx % len(big)]
        a = alpha(people_within(e["point"]))
        _, q_crit, beta = CHEM[chem]
        q = r / (a * beta) * q_crit
        if g == 4 and q / q_crit < 1.05:
            q = 1.1 * q_crit  # keep it a major hazard
        kind = "储存单元" if idx % 3 else "生产单元"
        units.append({"key": f"HU-{len(units) + 1:04d}", "e": e, "name": f"{chem}{'储罐区' if kind == '储存单元' else '生产装置'}",
                      "kind": kind, "lines": [(chem, round(q, 3), "t")], "fire": "甲" if beta >= 1.5 else "乙"})
        intended.append((units[-1]["key"], g, round(a * beta * q / q_crit, 1)))
    # multi-chemical units (hand-checkable) and non-major units
    for e in big[:4]:
        units.append({"key": f"HU-{len(units) + 1:04d}", "e": e, "name": "综合库房", "kind": "储存单元",
                      "lines": [("液氯", 1.5, "t"), ("液氨", 3000, "kg"), ("硫酸", 20, "t")], "fire": "乙"})
    gas_stations = [e for e in holders if e["ftype"] == "加油站"]
    for e in gas_stations:
        units.append({"key": f"HU-{len(units) + 1:04d}", "e": e, "name": "埋地油罐区", "kind": "储存单元",
                      "lines": [("汽油", round(rng.uniform(30, 120), 1), "t"), ("柴油", round(rng.uniform(20, 80), 1), "t")],
                      "fire": "甲"})
    for e in [x for x in holders if x["ftype"] in ("危化品仓库", "化工厂")][:8]:
        units.append({"key": f"HU-{len(units) + 1:04d}", "e": e, "name": "原料库", "kind": "储存单元",
                      "lines": [(rng.choice(["甲苯", "丙酮", "二甲苯", "盐酸"]), round(rng.uniform(5, 60), 1), "t")],
                      "fire": "乙"})

    return {"district": district, "towns": towns, "gazetteer": gazetteer, "enterprises": enterprises,
            "targets": targets, "residential": residential, "units": units, "intended": intended,
            "roads": roads, "rng": rng, "d": d, "nearest_address": nearest_address, "core": core}


# -- writers -------------------------------------------------------------------------------

def _zip_stable(data: bytes) -> bytes:
    src = zipfile.ZipFile(io.BytesIO(data))
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as z:
        for info in sorted(src.infolist(), key=lambda i: i.filename):
            zi = zipfile.ZipInfo(info.filename, date_time=(2023, 7, 20, 0, 0, 0))
            zi.compress_type = zipfile.ZIP_DEFLATED
            data = src.read(info.filename)
            if info.filename == "docProps/core.xml":  # openpyxl stamps "modified" with now()
                import re

                data = re.sub(rb"(<dcterms:modified[^>]*>)[^<]*", rb"\g<1>2023-07-20T00:00:00Z", data)
            z.writestr(zi, data)
    return out.getvalue()


def write_xlsx(path: Path, headers: list[str], rows: list[list]) -> None:
    from datetime import datetime

    from openpyxl import Workbook

    wb = Workbook()
    ws = wb.active
    ws.title = "Sheet1"
    ws.append(headers)
    for r in rows:
        ws.append(r)
    fixed = datetime(2023, 7, 20)
    wb.properties.created = fixed
    wb.properties.modified = fixed
    wb.properties.creator = "hazmap demo generator"
    buf = io.BytesIO()
    wb.save(buf)
    path.write_bytes(_zip_stable(buf.getvalue()))


def write_csv(path: Path, headers: list[str], rows: list[list], encoding: str) -> None:
    buf = io.StringIO()
    w = csv.writer(buf, lineterminator="\r\n")
    w.writerow(headers)
    w.writerows(rows)
    path.write_bytes(buf.getvalue().encode(encoding))


def _geom_json(g) -> dict:
    return json.loads(json.dumps(mapping(shapely.set_precision(g, 1e-7))))


def write_geojson(path: Path, features: list[dict]) -> None:
    fc = {"type": "FeatureCollection", "features": features}
    path.write_text(json.dumps(fc, ensure_ascii=False, sort_keys=True, indent=None) + "\n", encoding="utf-8")


def write(demo: dict, out: Path) -> None:
    out.mkdir(parents=True, exist_ok=True)
    rng = demo["rng"]
    d = demo["d"]
    # areas
    feats = [{"type": "Feature", "geometry": _geom_json(shapely.geometry.polygon.orient(g, 1) if isinstance(g, Polygon) else MultiPolygon([shapely.geometry.polygon.orient(p, 1) for p in g.geoms])),
              "properties": props} for g, props in
             [(demo["district"], {"code": "140502", "name": "城区", "level": "district", "parent_code": "140500",
                                  "synthetic": False, "source": "DataV.GeoAtlas areas_v3/bound (GCJ-02 → WGS-84)"})]
             + [(g, {"code": code, "name": name, "level": "town", "parent_code": "140502", "synthetic": True,
                     "source": "合成：城区边界的 Voronoi 划分（名称与代码为真实）"}) for code, name, g in demo["towns"]]]
    write_geojson(out / "areas.geojson", feats)

    # gazetteer
    rows = [[a, f"{p.x:.7f}", f"{p.y:.7f}", "wgs84", kind] for a, p, kind in demo["gazetteer"]]
    for t in demo["targets"]:
        rows.append([t["name"], f"{t['point'].x:.7f}", f"{t['point'].y:.7f}", "wgs84", "兴趣点"])
    write_csv(out / "gazetteer.csv", ["地址", "经度", "纬度", "坐标系", "类型"], rows, "utf-8")

    # enterprises by department file
    crs_cycle = ["wgs84", "cgcs2000", "gcj02", "bd09"]
    files = {"yingji": [], "jiaotong": [], "shengtai": [], "gongxin": []}
    address_only = 0
    for i, e in enumerate(demo["enterprises"]):
        which = crs_cycle[i % 4]
        addr = demo["nearest_address"](e["point"])
        lon, lat = _fmt_coords(e["point"], which)
        if i % 13 == 4 and address_only < 10 and e["ftype"] != "加油站":
            # address only: the enterprise sits at its address point
            addr_pt = next(p for a, p, _ in demo["gazetteer"] if a == addr)
            e["point"] = addr_pt
            variants = [addr, addr.replace("山西省", ""), addr.replace("号", "号院"),
                        addr.translate(str.maketrans("0123456789", "０１２３４５６７８９"))]
            addr = variants[address_only % len(variants)]
            lon = lat = which = ""
            address_only += 1
        expired = "2025-06-30" if i % 17 == 3 else e["expiry"]
        row = [e["credit"], e["name"], "、".join(STAGE_CN[s] for s in e["stages"]), e["ftype"], e["town"], e["dept"],
               addr, lon, lat, which, e["lic_no"], e["lic_type"], expired, e["park"], e["larger"], e["fatal"],
               e["hidden"], e["std"]]
        s0 = e["stages"][0]
        key = ("jiaotong" if s0 in ("transport", "loading") else "shengtai" if s0 == "waste"
               else "gongxin" if s0 in ("use", "trade") else "yingji")
        files[key].append(row)
    # deliberate bad rows
    good = files["yingji"][0]
    bad_cc = list(files["gongxin"][1]); bad_cc[0] = bad_cc[0][:17] + ("0" if bad_cc[0][17] != "0" else "1")
    bad_cc[1] = "晋城市校验位错误化学品经营部"
    files["gongxin"][1] = bad_cc
    outside = ["", "晋城市坐标越界材料有限公司", "使用", "其他", "东街街道", "区工信局", "山西省晋城市城区泽州路88号",
               "12.8500000", "35.5000000", "wgs84", "", "", "", "", "", "", "", ""]
    outside[0] = d.credit()
    nomatch = ["", "晋城市查无此址化工商行", "经营(不带储存)", "其他", "西街街道", "区市场监管局",
               "山西省晋城市城区不存在路9999号", "", "", "", "", "", "", "", "", "", "", ""]
    nomatch[0] = d.credit()
    nocrs = ["", "晋城市未注明坐标系贸易有限公司", "使用", "其他", "北街街道", "区工信局", "山西省晋城市城区凤台街100号",
             "112.8500000", "35.5100000", "", "", "", "", "", "", "", "", ""]
    nocrs[0] = d.credit()
    files["gongxin"] += [outside, nomatch, nocrs]
    dup = list(files["yingji"][2]); dup[5] = "区交通运输局"
    files["jiaotong"].append(dup)  # the same credit code in two departments' files
    write_csv(out / "enterprises_yingji.csv", HEADERS, files["yingji"], "utf-8-sig")
    write_csv(out / "enterprises_jiaotong_gb18030.csv", HEADERS, files["jiaotong"], "gb18030")
    write_xlsx(out / "enterprises_shengtai.xlsx", HEADERS, files["shengtai"])
    write_csv(out / "enterprises_gongxin.csv", HEADERS, files["gongxin"], "utf-8")

    # hazard units
    rows = []
    for u in demo["units"]:
        for chem, q, unit in u["lines"]:
            rows.append([u["key"], u["e"]["credit"], u["name"], u["kind"], chem, CHEM[chem][0], f"{q:g}", unit, u["fire"]])
    holder = demo["units"][0]["e"]["credit"]
    rows += [["HU-9001", holder, "试剂库", "储存单元", "神秘溶剂X", "", "2", "t", ""],
             ["HU-9002", holder, "液氯瓶库", "储存单元", "液氯", "7782-50-5", "-3", "t", "乙"],
             ["HU-9003", holder, "硝铵库", "储存单元", "硝酸铵", "", "10", "t", "甲"]]
    write_csv(out / "hazard_units.csv", ["单元编号", "统一社会信用代码", "单元名称", "单元类型", "化学品名称", "CAS号",
                                        "设计最大量", "计量单位", "火灾危险性"], rows, "utf-8")

    # targets: points (as exported from Amap, GCJ-02) and residential polygons (WGS-84)
    rows = []
    for t in demo["targets"]:
        x, y = crs.wgs84_to_gcj02(t["point"].x, t["point"].y)
        rows.append([t["key"], t["name"], t["label"], t["people"], t["beds"] if t["beds"] else None,
                     round(x, 7), round(y, 7), "gcj02", t["town"]])
    write_xlsx(out / "targets_poi.xlsx", ["目标编号", "名称", "类别", "人数", "床位数", "经度", "纬度", "坐标系", "所属街道"], rows)
    feats = [{"type": "Feature", "geometry": _geom_json(shapely.geometry.polygon.orient(r["poly"], 1)),
              "properties": {"目标编号": r["key"], "名称": r["name"], "类别": "居住区", "户数": r["households"],
                             "人口": r["people"]}} for r in demo["residential"]]
    write_geojson(out / "targets_residential.geojson", feats)

    # pipelines: one gas (north-west → south-east), one oil (west → east through the centre)
    core = demo["core"]
    minx, miny, maxx, maxy = core.bounds
    ops = [e for e in demo["enterprises"] if "pipeline" in e["stages"]]
    gas = LineString([(minx + 0.005, maxy - 0.01), (112.84, 35.53), (112.87, 35.49), (maxx - 0.005, miny + 0.02)])
    oil = LineString([(minx, 35.505), (112.82, 35.50), (112.85, 35.508), (maxx, 35.495)])
    feats = []
    for key, name, medium, dmm, p, line, op in [
            ("PL-001", "晋城—阳城天然气长输管道城区段", "天然气", 610, 6.3, gas, ops[0]),
            ("PL-002", "长治—晋城成品油管道城区段", "成品油", 273, 8.0, oil, ops[-1])]:
        seg = line.intersection(demo["district"])
        if seg.geom_type == "MultiLineString":
            seg = max(seg.geoms, key=lambda g: g.length)
        feats.append({"type": "Feature", "geometry": _geom_json(seg),
                      "properties": {"管道编号": key, "名称": name, "介质": medium, "管径mm": dmm,
                                     "设计压力MPa": p, "运营单位信用代码": op["credit"]}})
    write_geojson(out / "pipelines.geojson", feats)

    # intended grades (for the reader; the engine computes the real ones)
    write_csv(out / "intended_grades.csv", ["单元编号", "设计等级", "生成器估算R"],
              [[k, g, r] for k, g, r in demo["intended"]], "utf-8")


def main(argv=None) -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--seed", type=int, default=20230720)
    ap.add_argument("--out", type=Path, default=REPO / "data" / "demo")
    a = ap.parse_args(argv)
    demo = build(a.seed)
    write(demo, a.out)
    n_e = len(demo["enterprises"])
    print(f"enterprises {n_e}, hazard units {len(demo['units'])}, targets {len(demo['targets']) + len(demo['residential'])}, "
          f"gazetteer {len(demo['gazetteer']) + len(demo['targets'])} → {a.out}")


if __name__ == "__main__":
    main()

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
import os
import random
import sys
import zipfile
from pathlib import Path

os.environ.setdefault("OPENPYXL_LXML", "False")  # the same XLSX bytes whether or not lxml is installed

import shapely
from pyproj import Transformer
from shapely.geometry import LineString, MultiPolygon, Point, Polygon, box, mapping, shape

REPO = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(REPO))

from data import demo_registry  # noqa: E402 - the registry fields (issue 11)
from geo import credit_code, crs  # noqa: E402
from data import demo_transport  # noqa: E402

# byte copy of the real boundary (source and licence note in data/README.md)
BOUNDARY = REPO / "data" / "sources" / "chengqu_140502_bound_datav_gcj02.json"
TODAY = "2026-11-28"  # the demo's "as of" date: licences before it are expired

TOWNS = [  # (code, name, seed lon, lat) — names/codes: NBS 统计用区划代码; 南村镇: see README
    ("140502001", "东街街道", 112.858, 35.503),
    ("140502002", "西街街道", 112.832, 35.503),
    ("140502003", "南街街道", 112.845, 35.484),
    ("140502004", "北街街道", 112.845, 35.524),
    ("140502006", "钟家庄街道", 112.888, 35.515),
    ("140502007", "西上庄街道", 112.790, 35.545),
    ("140502009", "开发区街道", 112.880, 35.465),
    ("140502100", "北石店镇", 112.880, 35.565),
    ("140525100", "南村镇", 112.800, 35.465),
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
CHEM.update(demo_registry.CHEM)
UTM = Transformer.from_crs("EPSG:4326", "EPSG:32649", always_xy=True)
UTM_INV = Transformer.from_crs("EPSG:32649", "EPSG:4326", always_xy=True)


def to_utm(g):
    return shapely.transform(g, lambda xy: _stack(UTM.transform(xy[:, 0], xy[:, 1])))


def to_wgs(g):
    return shapely.transform(g, lambda xy: _stack(UTM_INV.transform(xy[:, 0], xy[:, 1])))


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


FIRE = {"液氯": "", "液氨": "乙", "汽油": "甲", "甲醇": "甲", "液化石油气": "甲", "天然气": "甲", "氢气": "甲",
        "乙炔": "甲", "苯": "甲", "甲苯": "甲", "丙酮": "甲", "乙醇": "甲", "光气": "", "二氧化硫": "", "硫化氢": "甲",
        "液氧": "乙", "电石": "甲", "柴油": "丙", "二甲苯": "甲", "氰化钠": "", "硫酸": "", "盐酸": ""}
FIRE.update(demo_registry.FIRE)
CRS_CYCLE = ["wgs84", "cgcs2000", "gcj02", "bd09"]  # enterprise row i states its coordinates in CRS_CYCLE[i % 4]


def row_crs(i: int):
    """(CRS name, (lon, lat) → (x, y) text) of enterprise row ``i``."""
    which = CRS_CYCLE[i % 4]
    return which, lambda x, y: _fmt_coords(Point(x, y), which)


def _fire(lines) -> str:
    classes = [FIRE[c] for c, _, _ in lines if FIRE[c]]
    return min(classes, key="甲乙丙".index) if classes else ""


def alpha(n: float) -> float:
    n = math.floor(n)
    return 2.0 if n >= 100 else 1.5 if n >= 50 else 1.2 if n >= 30 else 1.0 if n >= 1 else 0.5


def assess(lines, people: float, critical=None) -> tuple[float, float, float, int | None]:
    """The generator's own S, α, R and grade (GB 18218-2018 §4.2; 硫酸/盐酸 have no class);
    ``critical``: chemical → (Q, β) under the unit's process conditions (表2 W5.2)."""
    a = alpha(people)
    s = r = 0.0
    for chem, q, unit in lines:
        _, q_crit, beta = CHEM[chem]
        if critical and chem in critical:
            q_crit, beta = critical[chem]
        if q_crit is None:
            continue
        t = q / 1000 if unit == "kg" else q
        s += t / q_crit
        r += beta * t / q_crit
    r *= a
    grade = None if s < 1 else 1 if r >= 100 else 2 if r >= 50 else 3 if r >= 10 else 4
    return s, a, r, grade


def build(seed: int) -> dict:
    d = Demo(seed)
    rng = d.rng
    district = d.boundary()
    towns = d.towns(district)
    town_by_name = {n: g for _, n, g in towns}
    core = district.buffer(-0.004)

    def town_of(p: Point) -> str:
        return next((n for _, n, g in towns if g.contains(p)), min(towns, key=lambda t: t[2].distance(p))[1])

    def inside(p: Point) -> bool:
        return core.contains(p)

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

    # -- pipelines (geometry first: some targets are placed along them) --------------------
    gas_line = LineString([(minx + 0.005, maxy - 0.01), (112.84, 35.53), (112.87, 35.49), (maxx - 0.005, miny + 0.02)])
    oil_line = LineString([(minx, 35.505), (112.82, 35.50), (112.85, 35.508), (maxx, 35.495)])
    pipes = []
    for line in (gas_line, oil_line):
        seg = line.intersection(district)
        if seg.geom_type == "MultiLineString":
            seg = max(seg.geoms, key=lambda g: g.length)
        pipes.append(seg)

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
    # clusters: a small chemical park in 北石店镇, a warehouse/logistics area and a works area
    # in 开发区/钟家庄; urban users in the four central 街道
    park_c = d.point_in(town_by_name["北石店镇"].buffer(-0.008))
    logistics_c = d.point_in(town_by_name["开发区街道"].union(town_by_name["钟家庄街道"]).buffer(-0.004))
    works_c = d.point_in(town_by_name["钟家庄街道"].union(town_by_name["北石店镇"]).buffer(-0.006))
    urban = core.intersection(shapely.union_all([town_by_name[n] for n in ("东街街道", "西街街道", "南街街道", "北街街道")]))
    industrial = core.intersection(shapely.union_all(
        [town_by_name[n] for n in ("开发区街道", "北石店镇", "钟家庄街道", "西上庄街道")]))
    park = core.intersection(to_wgs(to_utm(park_c).buffer(900)))

    enterprises = []
    used_names = set()
    for i, (stages, ftype, dept) in enumerate(plan):
        stage_list = stages.split(";")
        while True:
            w = rng.choice(words) + rng.choice(words)[0]
            if ftype == "加油站":
                nm = [f"晋城市{w}加油站有限公司", f"中国石化销售股份有限公司山西晋城城区{w}加油站",
                      f"中国石油天然气股份有限公司山西晋城城区{w}加油站"][i % 3]
            elif ftype == "其他" and "pipeline" in stage_list:
                nm = ["国家管网集团山西天然气管道有限公司晋城分公司", "山西晋城成品油管道输送有限公司"][i % 2]
            elif ftype == "其他":
                nm = f"晋城市{w}" + rng.choice(["机械制造有限公司", "铸造有限公司", "新材料有限公司", "化学试剂经营部",
                                                "建材有限公司", "电子科技有限公司", "玻璃制品有限公司"])
            elif ftype == "实验室":
                nm = f"晋城市{w}中学（化学实验室）"
            elif ftype == "医院":
                nm = f"晋城{w}医院"
            elif ftype == "气体充装站":
                nm = f"山西{w}气体有限公司"
            else:
                nm = f"晋城市{w}{suffix[ftype]}"
            if nm not in used_names:
                used_names.add(nm)
                break
        in_park = False
        if ftype == "化工厂":
            in_park = i % 4 == 0
            p = d.point_in(park) if in_park else d.point_in(industrial, near=works_c, spread=0.02)
        elif ftype in ("危化品仓库", "运输企业"):
            p = d.point_in(industrial, near=logistics_c, spread=0.015 if ftype == "危化品仓库" else 0.025)
        elif ftype == "油库":  # by the products pipeline
            on = pipes[1].interpolate(rng.uniform(0.55, 0.9), normalized=True)
            p = d.offset(on, rng.uniform(250, 600))
            p = p if inside(p) else d.point_in(industrial)
        elif ftype in ("加油站", "液化石油气充装站"):
            road = rng.choice(roads)[1]
            on = road.interpolate(rng.uniform(0.05, 0.95), normalized=True)
            p = d.offset(on, rng.uniform(15, 35))
            if not inside(p):
                p = on
        elif ftype in ("气体充装站", "危废处置", "污水处理厂") or dept == "区工信局":
            p = d.point_in(industrial)
        elif ftype in ("实验室", "医院"):
            p = d.point_in(urban)
        else:
            p = d.point_in(core)
        expiry = f"{rng.randint(2027, 2029)}-{rng.randint(1, 12):02d}-{rng.randint(1, 28):02d}"
        lic_type = {"production": "安全生产许可证", "storage": "危险化学品经营许可证", "trade_storage": "危险化学品经营许可证",
                    "trade": "危险化学品经营许可证", "transport": "道路运输经营许可证", "waste": "危险废物经营许可证",
                    "pipeline": "安全生产许可证", "use": "危险化学品安全使用许可证"}[stage_list[0]]
        enterprises.append({
            "credit": d.credit(), "name": nm, "stages": stage_list, "ftype": ftype, "dept": dept,
            "point": p, "lic_type": lic_type,
            "lic_no": {"安全生产许可证": f"（晋）WH安许证字〔{2020 + i % 5}〕{1000 + i:04d}号",
                       "危险化学品经营许可证": f"晋城城危化经字〔{2020 + i % 5}〕{1000 + i:04d}号",
                       "道路运输经营许可证": f"晋交运管许可晋城字140502{1000 + i:06d}号",
                       "危险废物经营许可证": f"晋危废经〔{2020 + i % 5}〕{1000 + i:04d}号",
                       "危险化学品安全使用许可证": f"（晋）WH使许证字〔{2020 + i % 5}〕{1000 + i:04d}号"}[lic_type],
            "expiry": expiry, "park": "是" if in_park else "否",
            "larger": "1" if i in (5,) else ("" if i % 3 else "0"), "fatal": "2" if i == 7 else ("" if i % 3 else "0"),
            # enterprise 5 carries two major hidden dangers: its orange no longer rests on a local screening
            # distance, which stopped deciding 外部安全防护距离 (issue 17)
            "hidden": "2" if i == 5 else str(i % 4) if i % 5 == 0 else "", "std": str(1 + i % 3) if i % 6 == 0 else "",
        })
    # addresses; some rows carry an address only (the enterprise sits at that address point,
    # written with the small variations a department's clerk makes)
    addr_pt = {a: p for a, p, _ in addresses}
    n_addr_only = 0
    for i, e in enumerate(enterprises):
        e["addr"] = nearest_address(e["point"])
        e["addr_only"] = None
        if i % 13 == 4 and n_addr_only < 10 and e["ftype"] != "加油站":
            a = e["addr"]
            e["point"] = addr_pt[a]
            variants = [a, a.replace("山西省", ""), a.replace("号", "号院"),
                        a.translate(str.maketrans("0123456789", "０１２３４５６７８９"))]
            e["addr_only"] = variants[n_addr_only % len(variants)]
            n_addr_only += 1
        e["town"] = town_of(e["point"])

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

    # deliberate conflicts (most targets are placed at random, i.e. mostly far away):
    #   schools 25–45 m from gas stations; kindergartens 50–200 m from gas and LPG stations;
    #   hospitals / nursing homes 150–500 m from chemical plants; schools 30–150 m from the oil line
    by_type = {}
    for e in enterprises:
        by_type.setdefault(e["ftype"], []).append(e)
    near = {"school": [(e["point"], (25, 45)) for e in by_type["加油站"][:6]]
            + [(pipes[1].interpolate(f, normalized=True), (30, 150)) for f in (0.35, 0.5, 0.65)],
            "kindergarten": [(e["point"], (50, 200)) for e in by_type["加油站"][6:10] + by_type["液化石油气充装站"][:3]],
            "hospital": [(e["point"], (150, 500)) for e in by_type["化工厂"][:3]],
            "nursing_home": [(e["point"], (150, 500)) for e in by_type["化工厂"][3:6] + by_type["液化石油气充装站"][3:4]]}
    for label, cat, (lo, hi) in cats:
        p = None
        if near.get(cat):
            anchor, (a, b) = near[cat].pop(0)
            for _ in range(20):
                p = d.offset(anchor, rng.uniform(a, b))
                if inside(p):
                    break
            else:
                p = None
        if p is None:
            p = d.point_in(core)
        n = rng.randint(lo, hi)
        targets.append({"key": f"POI-{len(targets) + 1:04d}", "name": poi_name(label), "label": label,
                        "cat": cat, "people": n, "beds": rng.randint(50, 600) if cat in ("hospital", "nursing_home") else None,
                        "point": p, "town": town_of(p)})
    # residential compounds: some around the plants that hold hazard units, some along the
    # pipelines, the rest anywhere; none covering an enterprise
    plants = [e for e in enterprises if e["ftype"] in ("化工厂", "危化品仓库", "油库", "气体充装站")]
    e_utm = shapely.MultiPoint([to_utm(e["point"]) for e in enterprises])
    res_words = ["锦绣", "阳光", "丹河", "凤台", "书香", "金域", "华府", "兰亭", "御景", "福苑", "康居", "颐和", "泽苑",
                 "世纪", "东方", "和平", "幸福", "怡园", "新城", "景苑"]
    res_names = set()
    for k in range(125):
        for _ in range(50):
            if k < 40:
                c = d.offset(plants[k % len(plants)]["point"], rng.uniform(150, 650))
            elif k < 48:
                c = d.offset(pipes[k % 2].interpolate(rng.uniform(0.1, 0.9), normalized=True), rng.uniform(60, 200))
            else:
                c = d.point_in(core)
            w, h = rng.uniform(120, 380), rng.uniform(100, 320)
            dx, dy = w / 2 / (111_320 * math.cos(math.radians(c.y))), h / 2 / 110_900
            poly = box(c.x - dx, c.y - dy, c.x + dx, c.y + dy)
            if inside(c) and to_utm(poly).distance(e_utm) > 40:
                break
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
    t_utm = [(to_utm(t["point"]), t["people"]) for t in targets]
    r_utm = [(to_utm(r["poly"]), r["people"]) for r in residential]

    def people_within(p: Point) -> float:
        pu = to_utm(p)
        ring = pu.buffer(500, quad_segs=64)
        total = sum(n for g, n in t_utm if g.distance(pu) <= 500)
        for g, n in r_utm:
            if g.distance(pu) <= 500:
                total += n * g.intersection(ring).area / g.area
        return total

    for e in enterprises:
        e["people500"] = people_within(e["point"])

    units = []

    def add_unit(e, name, lines, kind=None):
        kind = kind or ("生产单元" if "production" in e["stages"] and "装置" in name else "储存单元")
        units.append({"key": f"HU-{len(units) + 1:04d}", "e": e, "name": name, "kind": kind, "lines": lines,
                      "fire": _fire(lines)})

    # one unit per designed grade: quantity from the target R and the α of the chosen plant
    designs = [  # (aimed grade, chemical, aimed R, facility type, unit name)
        (1, "液氯", 150, "化工厂", "液氯储罐区"), (1, "光气", 130, "化工厂", "光气合成装置"),
        (1, "液氨", 160, "化工厂", "合成氨装置"),
        (2, "液氨", 70, "化工厂", "液氨储罐区"), (2, "液化石油气", 75, "液化石油气充装站", "液化石油气储罐区"),
        (2, "硫化氢", 65, "化工厂", "脱硫装置"),
        (3, "甲醇", 25, "危化品仓库", "甲醇储罐区"), (3, "汽油", 30, "油库", "汽油储罐区"),
        (3, "天然气", 20, "气体充装站", "CNG储气井组"),
        (4, "甲醇", 4, "化工厂", "甲醇中间罐区"), (4, "乙醇", 6, "危化品仓库", "乙醇库房"), (4, "柴油", 3, "油库", "柴油储罐区"),
    ]
    cursor = {}
    for g, chem, r, ftype, uname in designs:
        pool = by_type[ftype]
        e = pool[cursor.get(ftype, 0) % len(pool)]
        cursor[ftype] = cursor.get(ftype, 0) + 1
        _, q_crit, beta = CHEM[chem]
        q = r / (alpha(e["people500"]) * beta) * q_crit
        if g == 4:
            q = max(q, 1.2 * q_crit)  # still a major hazard
        add_unit(e, uname, [(chem, round(q, 3), "t")])
    # multi-chemical units: two major (hand-checkable), four below the thresholds
    gas_fill = by_type["气体充装站"]
    add_unit(gas_fill[1], "气瓶充装库房", [("氢气", 4.0, "t"), ("乙炔", 800, "kg"), ("液氧", 60.0, "t")])
    add_unit(by_type["化工厂"][6], "芳烃储罐区", [("苯", 40.0, "t"), ("甲苯", 300.0, "t"), ("硫酸", 50.0, "t")])
    for e in (by_type["化工厂"][7:9] + by_type["危化品仓库"][2:4]):
        add_unit(e, "综合库房", [("液氯", 1.5, "t"), ("液氨", 3000, "kg"), ("硫酸", 20.0, "t")])
    for e in by_type["加油站"]:
        add_unit(e, "埋地油罐区", [("汽油", round(rng.uniform(30, 120), 1), "t"), ("柴油", round(rng.uniform(20, 80), 1), "t")])
    for j, e in enumerate([x for x in enterprises if x["ftype"] in ("危化品仓库", "化工厂")][:8]):
        chem = rng.choice(["甲苯", "丙酮", "二甲苯", "盐酸"])
        q = round(rng.uniform(5, 60), 1)
        add_unit(e, "原料库", [(chem, q * 1000, "kg") if j == 3 else (chem, q, "t")])

    demo_registry.extend(by_type, add_unit, units)
    demo_registry.annotate(enterprises, by_type, units, targets, residential, row_crs)

    intended = []
    for u in units:
        s, a, r, g = assess(u["lines"], u["e"]["people500"], u.get("critical"))
        intended.append((u["key"], u["e"]["credit"], u["e"]["people500"], a, s, r, g))

    return {"district": district, "towns": towns, "gazetteer": gazetteer, "enterprises": enterprises,
            "targets": targets, "residential": residential, "units": units, "intended": intended,
            "roads": roads, "rng": rng, "d": d, "core": core, "pipes": pipes}


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
    crs_cycle = CRS_CYCLE
    files = {"yingji": [], "jiaotong": [], "shengtai": [], "gongxin": []}
    expired = {3: "2025-06-30", 20: "2026-03-31", 37: "2024-12-31", 54: "2026-11-27", 71: "2025-09-15",
               105: "2026-01-10", 139: "2025-12-31"}  # before the demo's as-of date TODAY
    for i, e in enumerate(demo["enterprises"]):
        which = crs_cycle[i % 4]
        lon, lat = _fmt_coords(e["point"], which)
        addr = e["addr"]
        if e["addr_only"]:
            addr, lon, lat, which = e["addr_only"], "", "", ""
        row = [e["credit"], e["name"], "、".join(STAGE_CN[s] for s in e["stages"]), e["ftype"], e["town"], e["dept"],
               addr, lon, lat, which, e["lic_no"], e["lic_type"], expired.get(i, e["expiry"]) if e["lic_no"] else "",
               e["park"], e["larger"], e["fatal"], e["hidden"], e["std"]]
        row += [e["registry"].get(c, "") for c in demo_registry.ENTERPRISE_COLUMNS]
        s0 = e["stages"][0]
        key = ("jiaotong" if s0 in ("transport", "loading") else "shengtai" if s0 == "waste"
               else "gongxin" if s0 in ("use", "trade") else "yingji")
        files[key].append(row)
    # deliberate bad rows
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
    for bad in (outside, nomatch, nocrs):
        bad += [""] * len(demo_registry.ENTERPRISE_COLUMNS)
    files["gongxin"] += [outside, nomatch, nocrs]
    dup = list(files["yingji"][2]); dup[5] = "区交通运输局"
    files["jiaotong"].append(dup)  # the same credit code in two departments' files
    dup2 = list(next(r for r in files["gongxin"] if r[5] == "区工信局" and r[7]))
    dup2[2], dup2[5] = "使用、废弃处置", "区生态环境分局"
    files["shengtai"].append(dup2)  # a second one: an industrial user also listed by 生态环境
    head = HEADERS + demo_registry.ENTERPRISE_COLUMNS
    write_csv(out / "enterprises_yingji.csv", head, files["yingji"], "utf-8-sig")
    write_csv(out / "enterprises_jiaotong_gb18030.csv", head, files["jiaotong"], "gb18030")
    write_xlsx(out / "enterprises_shengtai.xlsx", head, files["shengtai"])
    write_csv(out / "enterprises_gongxin.csv", head, files["gongxin"], "utf-8")

    # hazard units
    rows = []
    for u in demo["units"]:
        for chem, q, unit in u["lines"]:
            rows.append([u["key"], u["e"]["credit"], u["name"], u["kind"], chem, CHEM[chem][0], f"{q:g}", unit, u["fire"]]
                        + [u["registry"].get(c, "") for c in demo_registry.UNIT_COLUMNS])
    holder = demo["units"][0]["e"]["credit"]
    rows += [["HU-9001", holder, "试剂库", "储存单元", "神秘溶剂X", "", "2", "t", ""],
             ["HU-9002", holder, "液氯瓶库", "储存单元", "液氯", "7782-50-5", "-3", "t", "乙"],
             ["HU-9003", holder, "硝铵库", "储存单元", "硝酸铵", "", "10", "t", "甲"]]
    for r in rows[-3:]:
        r += [""] * len(demo_registry.UNIT_COLUMNS)
    write_csv(out / "hazard_units.csv", ["单元编号", "统一社会信用代码", "单元名称", "单元类型", "化学品名称", "CAS号",
                                        "设计最大量", "计量单位", "火灾危险性", *demo_registry.UNIT_COLUMNS], rows, "utf-8")

    # targets: points (as exported from Amap, GCJ-02) and residential polygons (WGS-84)
    rows = []
    for t in demo["targets"]:
        x, y = crs.wgs84_to_gcj02(t["point"].x, t["point"].y)
        rows.append([t["key"], t["name"], t["label"], t["people"], t["beds"] if t["beds"] else None,
                     round(x, 7), round(y, 7), "gcj02", t["town"], t["high_rise"]])
    write_xlsx(out / "targets_poi.xlsx", ["目标编号", "名称", "类别", "人数", "床位数", "经度", "纬度", "坐标系", "所属街道",
                                          demo_registry.TARGET_COLUMN], rows)
    feats = [{"type": "Feature", "geometry": _geom_json(shapely.geometry.polygon.orient(r["poly"], 1)),
              "properties": {"目标编号": r["key"], "名称": r["name"], "类别": "居住区", "户数": r["households"],
                             "人口": r["people"],
                             **({demo_registry.TARGET_COLUMN: r["high_rise"]} if r["high_rise"] else {})}}
             for r in demo["residential"]]
    write_geojson(out / "targets_residential.geojson", feats)

    # pipelines: one gas (north-west → south-east), one oil (west → east through the centre)
    ops = [e for e in demo["enterprises"] if "pipeline" in e["stages"]]
    feats = []
    for key, name, medium, dmm, p, seg, op in [
            ("PL-001", "晋城—阳城天然气长输管道城区段", "天然气", 610, 6.3, demo["pipes"][0], ops[0]),
            ("PL-002", "长治—晋城成品油管道城区段", "成品油", 273, 8.0, demo["pipes"][1], ops[-1])]:
        feats.append({"type": "Feature", "geometry": _geom_json(seg),
                      "properties": {"管道编号": key, "名称": name, "介质": medium, "管径mm": dmm,
                                     "设计压力MPa": p, "运营单位信用代码": op["credit"]}})
    write_geojson(out / "pipelines.geojson", feats)

    # intended grades (the generator's own calculation; the engine computes the real ones)
    write_csv(out / "intended_grades.csv", ["单元编号", "统一社会信用代码", "500m内人数", "α", "S", "R", "设计等级"],
              [[k, cc, f"{n:.1f}", f"{a:g}", f"{s:.3f}", f"{r:.2f}", g or ""] for k, cc, n, a, s, r, g in demo["intended"]],
              "utf-8")
    from data import demo_waste  # noqa: E402 - hazardous waste (issue 16), its own seeded generator

    demo_waste.write(demo, out)
    __import__("data.demo_assessment", fromlist=["write"]).write(demo, out, write_csv)  # issue 12: assessments, ledger, draws


def main(argv=None) -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--seed", type=int, default=20230720)
    ap.add_argument("--out", type=Path, default=REPO / "data" / "demo")
    a = ap.parse_args(argv)
    demo = build(a.seed)
    write(demo, a.out)
    demo_transport.write(demo, a.out)  # the transport wing (own seed; the rest unchanged)
    n_e = len(demo["enterprises"])
    print(f"enterprises {n_e}, hazard units {len(demo['units'])}, targets {len(demo['targets']) + len(demo['residential'])}, "
          f"gazetteer {len(demo['gazetteer']) + len(demo['targets'])} → {a.out}")
    print("intended (generator's own calc; α from the people it placed within 500 m):")
    print("  unit     people500   α      S        R  grade  chemicals")
    counts: dict = {}
    for (key, _, n, al, s, r, g), u in zip(demo["intended"], demo["units"]):
        counts[g] = counts.get(g, 0) + 1
        chems = "+".join(c for c, _, _ in u["lines"])
        print(f"  {key}  {n:9.1f}  {al:3g}  {s:7.3f}  {r:7.2f}  {g or '-':>5}  {chems}")
    print("  grades: " + ", ".join(f"{'非重大' if g is None else f'{g}级'} {counts[g]}"
                                   for g in sorted(counts, key=lambda g: 9 if g is None else g)))

if __name__ == "__main__":
    main()

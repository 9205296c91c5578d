"""The demo's transport wing (synthetic, deterministic): carriers' vehicles and crews, electronic
waybills (one failing each 五必查 check, one not checkable), package tags and their events, a
restricted zone drawn "by the 公安", and one track per trip (one through a school zone, one
speeding, one dwelling).  Called from ``data/generate_demo.py`` with the demo it built; it has
its own seeded generator, so the rest of the demo stays byte-identical.

Writes into ``data/demo/``: ``transport_vehicles.csv``, ``transport_crew.csv``,
``transport_waybills.csv``, ``transport_tags.csv``, ``transport_tag_events.csv``,
``transport_restricted_zones.geojson`` and ``transport_tracks.csv`` (every fix of every trip:
terminal phone, plate, Beijing time, WGS-84 lon/lat, speed, direction).  ``hazmap demo`` sends the
tracks through the real JT/T 808 listener with the terminal simulator (see
:mod:`hazmap.transport.demo_feed`); the same file loads as ETL kind ``positions`` without a listener.

All times are Beijing time (GMT+8) in the demo's week before its as-of date (2026-11-28).
"""

from __future__ import annotations

import csv
import datetime as dt
import io
import json
import math
import random
from pathlib import Path

from pyproj import Geod

SEED = 2026_1115
BEIJING = dt.timezone(dt.timedelta(hours=8))
STEP_S = 60  # one fix a minute
GEOD = Geod(ellps="WGS84")

VEHICLE_HEAD = ["车牌号", "车牌颜色", "承运人信用代码", "承运人", "终端手机号", "道路运输证号", "道路运输证有效期至",
                "行驶证有效期至", "罐体编号", "罐体检验有效期至", "罐体容积m3", "适装介质"]
CREW_HEAD = ["姓名", "身份证后四位", "岗位", "从业资格证号", "资格证有效期至", "所属企业信用代码"]
WAYBILL_HEAD = ["运单号", "运单状态", "托运人", "托运人信用代码", "收货人", "收货人信用代码", "装货人", "装货人信用代码",
                "承运人", "承运人信用代码", "车牌号", "驾驶员", "驾驶员资格证号", "押运员", "押运员资格证号", "起运日期",
                "装货时间", "起运地", "起运地经度", "起运地纬度", "目的地", "目的地经度", "目的地纬度", "坐标系", "计划路线",
                "货物序号", "货物名称", "联合国编号", "危险货物类别", "包装类别", "数量", "计量单位", "实装数量"]
TAG_HEAD = ["标签编号", "安全信息码", "企业信用代码", "化学品名称", "批次号", "包装层级", "上级标签"]
EVENT_HEAD = ["标签编号", "事件", "时间", "企业信用代码", "运单号", "经度", "纬度", "坐标系"]
TRACK_HEAD = ["终端手机号", "车牌号", "定位时间", "经度", "纬度", "坐标系", "速度", "方向"]

GOODS = {"汽油": ("1203", "3", "II"), "柴油": ("1202", "3", "III"), "甲醇": ("1230", "3", "II"),
         "液化石油气": ("1075", "2.1", "")}

# (waybill, plate, goods, quantity t, loaded t or None, what it shows) — the 五必查 story of each waybill
TRIPS = [
    ("JC-YD-20261123-001", "晋ED0001", "汽油", 20.0, 20.1, "school"),  # passes; crosses a school zone
    ("JC-YD-20261123-002", "晋ED0002", "柴油", 25.0, 25.0, "speeding"),  # passes; 92 km/h
    ("JC-YD-20261124-003", "晋ED0003", "汽油", 18.0, 18.0, "dwell"),  # passes; stops 45 min
    ("JC-YD-20261124-004", "晋ED0004", "柴油", 22.0, 22.0, "fail_vehicle"),  # ① road transport cert expired
    ("JC-YD-20261125-005", "晋ED0005", "汽油", 20.0, 20.0, "fail_crew"),  # ② escort certificate expired
    ("JC-YD-20261125-006", "晋ED0006", "柴油", 20.0, 20.0, "fail_tank"),  # ③ tank inspection expired
    ("JC-YD-20261126-007", "晋ED0007", "汽油", 20.0, 23.0, "fail_goods"),  # ④ loaded 23 t for 20 t
    ("JC-YD-20261126-008", "晋ED0008", "甲醇", 15.0, 15.0, "fail_media"),  # ⑤ 甲醇 not on the tank's list
    ("JC-YD-20261127-009", "晋ED0009", "液化石油气", 10.0, None, "not_checked"),  # ④ no loading record → 未核查
]


def _csv(path: Path, head: list[str], rows: list[list]) -> None:
    buf = io.StringIO()
    w = csv.writer(buf, lineterminator="\r\n")
    w.writerow(head)
    w.writerows(rows)
    path.write_bytes(buf.getvalue().encode("utf-8"))


def _pick(enterprises, ftype: str, n: int, rng: random.Random) -> list[dict]:
    pool = sorted((e for e in enterprises if e["ftype"] == ftype and not e["addr_only"]), key=lambda e: e["credit"])
    return [pool[i % len(pool)] for i in rng.sample(range(len(pool)), min(n, len(pool)))] if pool else []


def _walk(points: list[tuple[float, float]], speed_kmh: float) -> list[tuple[float, float, float]]:
    """Fixes every STEP_S seconds along ``points`` at ``speed_kmh``, every vertex included: (lon, lat, azimuth)."""
    out = []
    step_m = speed_kmh / 3.6 * STEP_S
    for (x0, y0), (x1, y1) in zip(points, points[1:]):
        az, _, dist = GEOD.inv(x0, y0, x1, y1)
        n = max(1, math.ceil(dist / step_m))
        for i in range(n):
            lon, lat, _ = GEOD.fwd(x0, y0, az, dist * i / n)
            out.append((lon, lat, az % 360))
    out.append((points[-1][0], points[-1][1], out[-1][2] if out else 0.0))
    return out


def build(demo: dict) -> dict:
    rng = random.Random(SEED)
    ents = demo["enterprises"]
    carriers = _pick(ents, "运输企业", 2, rng)
    depots = _pick(ents, "油库", 2, rng)
    stations = _pick(ents, "加油站", 5, rng)
    gas = _pick(ents, "液化石油气充装站", 1, rng)
    schools = sorted((t for t in demo["targets"] if t["label"] == "学校"), key=lambda t: t["key"])
    school = schools[rng.randrange(len(schools))]
    vehicles, crew, waybills, tags, events, tracks = [], [], [], [], [], []
    start_day = dt.date(2026, 11, 23)
    for k, (no, plate, chem, qty, loaded, story) in enumerate(TRIPS):
        carrier = carriers[k % len(carriers)]
        loader = gas[0] if chem == "液化石油气" and gas else depots[k % len(depots)]
        consignee = stations[k % len(stations)]
        phone = f"1380000{k + 1:04d}"
        day = start_day + dt.timedelta(days=int(no.split("-")[2][6:8]) - 23)
        media = "液化石油气" if chem == "液化石油气" else "汽油、柴油"
        vehicles.append([plate, "黄", carrier["credit"], carrier["name"], phone, f"晋交运管许可晋字1405020{k + 1:05d}",
                         "2026-10-31" if story == "fail_vehicle" else "2027-08-31", "2027-05-31", f"JC-TK-{2020 + k % 4}-{k + 1:04d}",
                         "2026-11-20" if story == "fail_tank" else "2027-03-31", "30" if chem != "液化石油气" else "24.5", media])
        driver, escort = f"驾驶员{'甲乙丙丁戊己庚辛壬'[k]}", f"押运员{'甲乙丙丁戊己庚辛壬'[k]}"
        d_cert, e_cert = f"14050219{k + 1:02d}0001", f"14050219{k + 1:02d}0002"
        crew.append([driver, f"{rng.randrange(1000):03d}{rng.choice('0123456789X')}", "驾驶员", d_cert, "2029-06-30",
                     carrier["credit"]])
        crew.append([escort, f"{rng.randrange(1000):03d}{rng.choice('0123456789X')}", "押运员", e_cert,
                     "2026-09-30" if story == "fail_crew" else "2029-06-30", carrier["credit"]])
        o, dst = loader["point"], consignee["point"]
        via = [(o.x, o.y)]
        if story == "school":
            via.append((school["point"].x, school["point"].y))
        else:
            via.append(((o.x + dst.x) / 2 + rng.uniform(-0.01, 0.01), (o.y + dst.y) / 2 + rng.uniform(-0.01, 0.01)))
        via.append((dst.x, dst.y))
        loaded_at = dt.datetime.combine(day, dt.time(8, 0), BEIJING) + dt.timedelta(minutes=7 * k)
        fixes = _walk(via, 40.0)
        t = loaded_at + dt.timedelta(minutes=5)
        rows = []
        for i, (lon, lat, az) in enumerate(fixes):
            speed = round(rng.uniform(35.0, 48.0), 1)
            if story == "speeding" and 3 <= i < 8:
                speed = round(rng.uniform(90.0, 95.0), 1)
            if i == len(fixes) - 1:
                speed = 0.0
            rows.append((t, lon, lat, speed, int(az)))
            t += dt.timedelta(seconds=STEP_S)
            if story == "dwell" and i == len(fixes) // 2:
                for _ in range(6):  # 45 min stationary beside the road, outside any parking
                    t += dt.timedelta(minutes=9)
                    rows.append((t, lon + 0.0003, lat, 0.0, int(az)))
                t += dt.timedelta(seconds=STEP_S)
        arrive = rows[-1][0]
        for when, lon, lat, speed, az in rows:
            tracks.append([phone, plate, when.strftime("%Y-%m-%d %H:%M:%S"), f"{lon:.7f}", f"{lat:.7f}", "wgs84",
                           f"{speed:g}", str(az)])
        un, cls, pg = GOODS[chem]
        route = ";".join(f"{x:.6f},{y:.6f}" for x, y in via)
        waybills.append([no, "已签收" if story != "not_checked" else "运输中", loader["name"], loader["credit"],
                         consignee["name"], consignee["credit"], loader["name"], loader["credit"], carrier["name"],
                         carrier["credit"], plate, driver, d_cert, escort, e_cert, day.isoformat(),
                         loaded_at.strftime("%Y-%m-%d %H:%M"), loader["name"], f"{o.x:.7f}", f"{o.y:.7f}",
                         consignee["name"], f"{dst.x:.7f}", f"{dst.y:.7f}", "wgs84", route, "1", chem, un, cls, pg,
                         f"{qty:g}", "t", "" if loaded is None else f"{loaded:g}"])
        for j in range(2):  # two tagged packages (tank compartments) per trip
            uid = f"JC-TAG-{k + 1:03d}-{j + 1}"
            tag_chem = "柴油" if story == "fail_goods" and j == 1 else chem  # a 柴油 tag on a 汽油 waybill: a finding
            tags.append([uid, f"CCSAS-047-140502-{loader['credit'][-6:]}-{day:%Y%m%d}-{k + 1:03d}{j + 1}",
                         loader["credit"], tag_chem, f"B{day:%Y%m%d}{k + 1:02d}", "罐", ""])
            for kind, when, who, wno, pt in (
                    ("赋码", loaded_at - dt.timedelta(hours=2), loader, "", o),
                    ("出库", loaded_at - dt.timedelta(minutes=20), loader, "", o),
                    ("装车", loaded_at, loader, no, o),
                    ("签收", arrive + dt.timedelta(minutes=10), consignee, no, dst)):
                if kind == "签收" and story == "not_checked":
                    continue  # still on the road: the trip stays open
                events.append([uid, kind, when.strftime("%Y-%m-%d %H:%M:%S"), who["credit"], wno, f"{pt.x:.7f}",
                               f"{pt.y:.7f}", "wgs84"])
    # a zone "drawn by the 公安": the old town centre closed to flammable and toxic goods at rush hours
    cx, cy = 112.8475, 35.4975
    ring = [[round(cx - 0.006, 6), round(cy - 0.004, 6)], [round(cx + 0.006, 6), round(cy - 0.004, 6)],
            [round(cx + 0.006, 6), round(cy + 0.004, 6)], [round(cx - 0.006, 6), round(cy + 0.004, 6)],
            [round(cx - 0.006, 6), round(cy - 0.004, 6)]]
    zones = [{"type": "Feature", "geometry": {"type": "Polygon", "coordinates": [ring]},
              "properties": {"区域编号": "GA-XX-001", "名称": "老城核心区危货车辆限行区（示意）", "限制类别": "易燃、有毒、剧毒",
                             "限行时段": "07:00-09:00、17:00-19:30", "划定单位": "晋城市公安局城区分局（合成示例）"}}]
    return {"vehicles": vehicles, "crew": crew, "waybills": waybills, "tags": tags, "events": events, "tracks": tracks,
            "zones": zones, "school": school["name"]}


def write(demo: dict, out: Path) -> dict:
    t = build(demo)
    _csv(out / "transport_vehicles.csv", VEHICLE_HEAD, t["vehicles"])
    _csv(out / "transport_crew.csv", CREW_HEAD, t["crew"])
    _csv(out / "transport_waybills.csv", WAYBILL_HEAD, t["waybills"])
    _csv(out / "transport_tags.csv", TAG_HEAD, t["tags"])
    _csv(out / "transport_tag_events.csv", EVENT_HEAD, t["events"])
    _csv(out / "transport_tracks.csv", TRACK_HEAD, t["tracks"])
    (out / "transport_restricted_zones.geojson").write_text(
        json.dumps({"type": "FeatureCollection", "features": t["zones"]}, ensure_ascii=False, sort_keys=True) + "\n",
        encoding="utf-8")
    return t

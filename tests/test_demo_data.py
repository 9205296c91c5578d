"""The demo generator is deterministic, the committed demo files are what it writes, and the
files hold what data/README.md promises (no database needed)."""

from __future__ import annotations

import csv
import io
import json
import math
import subprocess
import sys
from collections import Counter
from pathlib import Path

import pytest
import shapely
from pyproj import Transformer
from shapely.geometry import Point, shape

from geo import credit_code, crs

REPO = Path(__file__).resolve().parent.parent
DEMO = REPO / "data" / "demo"
SEED = 20230720
STAGES = {"生产", "经营(带储存)", "经营(不带储存)", "储存", "运输", "装卸", "使用", "废弃处置", "长输管道"}
ENTERPRISE_FILES = [("enterprises_yingji.csv", "utf-8-sig"), ("enterprises_jiaotong_gb18030.csv", "gb18030"),
                    ("enterprises_gongxin.csv", "utf-8"), ("enterprises_shengtai.xlsx", None)]
BAD_CODE = "晋城市校验位错误化学品经营部"
OUTSIDE_CHINA = "晋城市坐标越界材料有限公司"
NO_MATCH = "晋城市查无此址化工商行"
NO_CRS = "晋城市未注明坐标系贸易有限公司"


def _generate(out: Path, seed: int = SEED) -> None:
    subprocess.run([sys.executable, str(REPO / "data" / "generate_demo.py"), "--seed", str(seed),
                    "--out", str(out)], check=True, capture_output=True)


@pytest.fixture(scope="module")
def generated(tmp_path_factory):
    a, b = tmp_path_factory.mktemp("a"), tmp_path_factory.mktemp("b")
    _generate(a)
    _generate(b)
    return a, b


def test_same_seed_gives_identical_files_and_matches_the_committed_demo(generated):
    a, b = generated
    names = sorted(p.name for p in a.iterdir())
    assert names == sorted(p.name for p in b.iterdir()) == sorted(p.name for p in DEMO.iterdir())
    for n in names:
        assert (a / n).read_bytes() == (b / n).read_bytes(), n
        assert (a / n).read_bytes() == (DEMO / n).read_bytes(), f"{n}: regenerate data/demo"


def test_other_seed_differs(tmp_path, generated):
    _generate(tmp_path, seed=7)
    assert (tmp_path / "hazard_units.csv").read_bytes() != (generated[0] / "hazard_units.csv").read_bytes()


# -- reading the committed files ------------------------------------------------------------

def _csv(name: str, encoding: str = "utf-8") -> list[dict]:
    return list(csv.DictReader(io.StringIO((DEMO / name).read_bytes().decode(encoding))))


def _xlsx(name: str) -> list[dict]:
    from openpyxl import load_workbook

    wb = load_workbook(DEMO / name, read_only=True)
    it = wb.worksheets[0].iter_rows(values_only=True)
    head = next(it)
    rows = [{k: ("" if v is None else str(v)) for k, v in zip(head, r)} for r in it]
    wb.close()
    return rows


def _enterprises() -> list[dict]:
    rows = []
    for name, enc in ENTERPRISE_FILES:
        part = _xlsx(name) if enc is None else _csv(name, enc)
        rows += [dict(r, _file=name) for r in part]
    return rows


def _by_name(rows, name):
    [row] = [r for r in rows if r["企业名称"] == name]
    return row


def _norm_addr(a: str) -> str:
    a = a.translate(str.maketrans("０１２３４５６７８９", "0123456789")).replace("号院", "号")
    return a if a.startswith("山西省") else "山西省" + a


def test_headers_and_encodings():
    head = ["统一社会信用代码", "企业名称", "环节", "设施类型", "所属街道", "监管部门", "地址", "经度", "纬度", "坐标系",
            "许可证编号", "许可证类型", "有效期至", "是否在化工园区", "三年内较大事故", "三年内死亡事故", "重大隐患数",
            "安全生产标准化等级", "储罐总容积m3", "站级", "油气回收", "储罐埋地", "油库等级", "占地范围WKT"]
    for name, enc in ENTERPRISE_FILES:
        rows = _xlsx(name) if enc is None else _csv(name, enc)
        assert list(rows[0]) == head, name
    raw = (DEMO / "enterprises_jiaotong_gb18030.csv").read_bytes()
    raw.decode("gb18030")
    with pytest.raises(UnicodeDecodeError):
        raw.decode("utf-8")
    assert (DEMO / "enterprises_yingji.csv").read_bytes().startswith(b"\xef\xbb\xbf")
    assert not (DEMO / "enterprises_gongxin.csv").read_bytes().startswith(b"\xef\xbb\xbf")
    (DEMO / "enterprises_gongxin.csv").read_bytes().decode("utf-8")


def test_enterprise_counts_stages_crs_and_credit_codes():
    rows = _enterprises()
    assert len({r["统一社会信用代码"] for r in rows}) >= 150
    assert {s for r in rows for s in r["环节"].split("、")} >= STAGES
    invalid = [r["企业名称"] for r in rows if not credit_code.is_valid(r["统一社会信用代码"])]
    assert invalid == [BAD_CODE]
    assert {r["坐标系"] for r in rows if r["坐标系"]} == {"wgs84", "cgcs2000", "gcj02", "bd09"}
    assert {r["是否在化工园区"] for r in rows} <= {"是", "否", ""} and any(r["是否在化工园区"] == "是" for r in rows)
    expired = [r for r in rows if r["有效期至"] and r["有效期至"] < "2026-11-28"]
    assert 3 <= len(expired) < 20


def test_coordinates_lie_in_the_district_and_address_only_rows_geocode():
    district = shape(json.loads((DEMO / "areas.geojson").read_text(encoding="utf-8"))["features"][0]["geometry"])
    gaz = {r["地址"]: (float(r["经度"]), float(r["纬度"])) for r in _csv("gazetteer.csv")}
    assert len(gaz) >= 200
    bad = {OUTSIDE_CHINA, NO_MATCH, NO_CRS}
    address_only = 0
    for r in _enterprises():
        if r["企业名称"] in bad:
            continue
        if not r["经度"]:
            address_only += 1
            assert not r["纬度"] and not r["坐标系"]
            assert _norm_addr(r["地址"]) in gaz, r["地址"]
            continue
        lon, lat = crs.to_wgs84(float(r["经度"]), float(r["纬度"]), r["坐标系"])
        assert district.contains(Point(lon, lat)), r["企业名称"]
    assert address_only >= 8


def test_deliberate_bad_rows_are_present():
    rows = _enterprises()
    assert _by_name(rows, BAD_CODE)["_file"] == "enterprises_gongxin.csv"
    out = _by_name(rows, OUTSIDE_CHINA)
    assert crs.out_of_china(float(out["经度"]), float(out["纬度"]))
    gaz = {_norm_addr(r["地址"]) for r in _csv("gazetteer.csv")}
    nomatch = _by_name(rows, NO_MATCH)
    assert not nomatch["经度"] and _norm_addr(nomatch["地址"]) not in gaz
    nocrs = _by_name(rows, NO_CRS)
    assert nocrs["经度"] and nocrs["纬度"] and not nocrs["坐标系"]
    files_by_code: dict[str, list[str]] = {}
    for r in rows:
        files_by_code.setdefault(r["统一社会信用代码"], []).append(r["_file"])
    dups = {k: v for k, v in files_by_code.items() if len(v) > 1}
    assert len(dups) == 2 and all(len(set(v)) == 2 for v in dups.values())
    units = _csv("hazard_units.csv")
    assert any(u["化学品名称"] == "神秘溶剂X" for u in units)
    assert any(float(u["设计最大量"]) < 0 for u in units)
    assert any(u["化学品名称"] == "硝酸铵" and not u["CAS号"] for u in units)


def test_targets_pipelines_and_areas():
    poi = _xlsx("targets_poi.xlsx")
    res = json.loads((DEMO / "targets_residential.geojson").read_text(encoding="utf-8"))["features"]
    assert len(poi) + len(res) >= 300
    assert {r["坐标系"] for r in poi} == {"gcj02"}
    assert {f["properties"]["类别"] for f in res} == {"居住区"}
    pipes = json.loads((DEMO / "pipelines.geojson").read_text(encoding="utf-8"))["features"]
    assert len(pipes) >= 2 and {"成品油", "天然气"} <= {f["properties"]["介质"] for f in pipes}
    operators = {r["统一社会信用代码"] for r in _enterprises() if "长输管道" in r["环节"]}
    assert all(f["properties"]["运营单位信用代码"] in operators for f in pipes)
    areas = json.loads((DEMO / "areas.geojson").read_text(encoding="utf-8"))["features"]
    district = [shape(f["geometry"]) for f in areas if f["properties"]["level"] == "district"]
    towns = [shape(f["geometry"]) for f in areas if f["properties"]["level"] == "town"]
    assert len(district) == 1 and len(towns) == 9
    assert all(t.is_valid and not t.is_empty for t in towns + district)
    assert shapely.union_all(towns).symmetric_difference(district[0]).area < 1e-6 * district[0].area


def test_hazard_units_reach_every_grade_with_the_engine_functions():
    """Recompute S/R/grade from the files with geo.major_hazard and an in-memory 500 m exposure
    (the engine's rule: point targets whole, polygons by area share); compare with the
    generator's intended grades."""
    from tests.helpers import domain
    from geo.major_hazard import ProcessConditions, assess_unit

    tables = domain().reference
    utm = Transformer.from_crs("EPSG:4326", "EPSG:32649", always_xy=True)

    def to_utm(g):
        return shapely.transform(g, lambda xy: list(zip(*utm.transform(xy[:, 0], xy[:, 1]))))

    gaz = {r["地址"]: (float(r["经度"]), float(r["纬度"])) for r in _csv("gazetteer.csv")}
    where = {}
    for r in _enterprises():
        if r["经度"] and r["坐标系"]:
            where[r["统一社会信用代码"]] = crs.to_wgs84(float(r["经度"]), float(r["纬度"]), r["坐标系"])
        elif _norm_addr(r["地址"]) in gaz:
            where[r["统一社会信用代码"]] = gaz[_norm_addr(r["地址"])]
    points = [(to_utm(Point(crs.gcj02_to_wgs84(float(t["经度"]), float(t["纬度"])))), float(t["人数"] or 0))
              for t in _xlsx("targets_poi.xlsx")]
    polys = [(to_utm(shape(f["geometry"])), f["properties"]["人口"])
             for f in json.loads((DEMO / "targets_residential.geojson").read_text(encoding="utf-8"))["features"]]

    def people(code):
        p = to_utm(Point(where[code]))
        ring = p.buffer(500, quad_segs=64)
        n = sum(k for g, k in points if g.distance(p) <= 500)
        return n + sum(k * g.intersection(ring).area / g.area for g, k in polys if g.distance(p) <= 500)

    lines: dict[str, list] = {}
    owner, conditions = {}, {}
    for u in _csv("hazard_units.csv"):
        if u["单元编号"].startswith("HU-9"):  # the deliberate bad rows
            continue
        chem = tables.catalogue.resolve(name=u["化学品名称"], cas=u["CAS号"] or None,
                                        concentration_pct=u["浓度%"] or None)
        q = float(u["设计最大量"]) / (1000 if u["计量单位"] == "kg" else 1)
        lines.setdefault(u["单元编号"], []).append((chem, q))
        owner[u["单元编号"]] = u["统一社会信用代码"]
        if u["操作温度℃"] or u["操作压力MPa"]:
            conditions[u["单元编号"]] = ProcessConditions(
                temperature_c=float(u["操作温度℃"]) if u["操作温度℃"] else None,
                pressure_mpa=float(u["操作压力MPa"]) if u["操作压力MPa"] else None)
    assert len(lines) >= 40
    intended = {r["单元编号"]: r for r in _csv("intended_grades.csv")}
    assert set(intended) == set(lines)
    grades = Counter()
    for key, ls in lines.items():
        a = assess_unit(ls, exposed_people=people(owner[key]), tables=tables, conditions=conditions.get(key))
        grades[a.grade] += 1
        assert str(a.grade or "") == intended[key]["设计等级"], key
        assert math.isclose(a.S, float(intended[key]["S"]), abs_tol=2e-3), key
    assert all(grades[g] >= 2 for g in (1, 2, 3, 4)) and grades[None] >= 10
    assert sum(1 for ls in lines.values() if len(ls) > 1) >= 3
    assert any(u["计量单位"] == "kg" for u in _csv("hazard_units.csv"))


def test_registry_fields_make_the_demo_plausible():
    """Issue 11 item 7: what each facility stores, licences that fit, and the new registry fields."""
    rows = _enterprises()
    by_code = {r["统一社会信用代码"]: r for r in rows}
    units: dict[str, list[dict]] = {}
    for u in _csv("hazard_units.csv"):
        units.setdefault(u["单元编号"], []).append(u)
    held: dict[str, set] = {}
    for ls in units.values():
        held.setdefault(ls[0]["统一社会信用代码"], set()).update(u["化学品名称"] for u in ls)
    stations = [r for r in rows if r["设施类型"] == "加油站"]
    assert stations and all(held.get(r["统一社会信用代码"], set()) >= {"汽油", "柴油"} for r in stations)
    lpg = [r for r in rows if r["设施类型"] == "液化石油气充装站"]
    assert lpg and all("液化石油气" in held.get(r["统一社会信用代码"], set()) for r in lpg)
    chlorine = {by_code[c]["设施类型"] for c, chems in held.items() if "液氯" in chems and c in by_code}
    assert "污水处理厂" in chlorine
    assert any("氯碱" in by_code[c]["企业名称"] for c, chems in held.items() if "液氯" in chems and c in by_code)
    # the licence fits the enterprise: 安全使用许可证 only for 化工企业 (none here), none for users
    number_of = {"安全生产许可证": "WH安许证字", "危险化学品经营许可证": "危化经字", "道路运输经营许可证": "交运管许可",
                 "危险废物经营许可证": "危废经"}
    for r in rows:
        if r["环节"].split("、")[0] == "使用":
            assert not r["许可证类型"] and not r["许可证编号"] and not r["有效期至"], r["企业名称"]
        elif r["许可证类型"]:
            assert number_of[r["许可证类型"]] in r["许可证编号"], r["企业名称"]
    # registered station grades agree with the tanks: V = 汽油/0.78 + 0.5 × 柴油/0.86 (GB 50156 表3.0.9)
    graded = [r for r in stations if r["站级"]]
    assert len(graded) == 8 and {r["油气回收"] for r in graded} == {"无", "卸油油气回收", "卸油和加油油气回收"}
    for r in graded:
        q = {u["化学品名称"]: float(u["设计最大量"]) for ls in units.values() for u in ls
             if u["统一社会信用代码"] == r["统一社会信用代码"]}
        v = q["汽油"] / 0.78 + 0.5 * q["柴油"] / 0.86
        assert r["站级"] == ("三级" if v <= 90 else "二级" if v <= 150 else "一级"), (r["企业名称"], v)
    assert any(r["储罐总容积m3"] and r["设施类型"] == "液化石油气充装站" for r in rows)
    assert any(r["油库等级"] and r["设施类型"] == "油库" for r in rows)
    # footprints: 60 m × 40 m sites in the row's own CRS (to WGS-84 here), around the enterprise point
    utm = Transformer.from_crs("EPSG:4326", "EPSG:32649", always_xy=True)
    sites = [r for r in rows if r["占地范围WKT"]]
    assert len(sites) >= 3
    for r in sites:
        g = shapely.from_wkt(r["占地范围WKT"])
        g = shapely.transform(g, lambda xy: [crs.to_wgs84(x, y, r["坐标系"]) for x, y in xy])
        pt = Point(crs.to_wgs84(float(r["经度"]), float(r["纬度"]), r["坐标系"]))
        area = shapely.transform(g, lambda xy: list(zip(*utm.transform(xy[:, 0], xy[:, 1])))).area
        assert g.contains(pt) and area == pytest.approx(2400, rel=0.02), r["企业名称"]
    flat = [u for ls in units.values() for u in ls]
    assert any(u["化学品名称"] == "甲醛" and u["浓度%"] == "37" for u in flat)
    assert any(u["操作压力MPa"] and float(u["操作压力MPa"]) > 1.6 for u in flat)
    assert any(u["单元名称"] == "原料库" and u["化学品名称"] in ("甲苯", "丙酮", "二甲苯") and u["火灾危险性"] == "丙"
               for u in flat)
    poi = _xlsx("targets_poi.xlsx")
    assert {r["高层建筑"] for r in poi} >= {"是", "否", ""}
    res = json.loads((DEMO / "targets_residential.geojson").read_text(encoding="utf-8"))["features"]
    assert {f["properties"].get("高层建筑") for f in res} == {"是", "否", None}

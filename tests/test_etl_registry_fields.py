"""The registry fields the size-aware rules and W5 read (issue 11): each loaded from a small
file with its Chinese header, each bad value a row reject naming the field; footprints from a WKT
column in the declared CRS or from a vector file's polygon; a fire class the chemicals contradict
is a warning (row kept, derived class used)."""

from __future__ import annotations

import csv
import json
from dataclasses import replace
from pathlib import Path

import pytest
import shapely
import sqlalchemy as sa

from geo import credit_code

pytestmark = pytest.mark.postgis

E_HEAD = ["统一社会信用代码", "企业名称", "环节", "经度", "纬度", "坐标系", "储罐总容积m3", "站级", "油气回收",
          "储罐埋地", "油库等级", "占地范围WKT"]
BOX = "POLYGON((112.850 35.500, 112.852 35.500, 112.852 35.502, 112.850 35.502, 112.850 35.500))"


def _code(i: int) -> str:
    base = f"91140502MA1{i:06d}"[:17]
    return base + credit_code.check_character(base)


def _csv(path: Path, head, rows) -> Path:
    with path.open("w", encoding="utf-8", newline="") as f:
        w = csv.writer(f)
        w.writerow(head)
        w.writerows(rows)
    return path


def _run(url, tmp_path, sources):
    from etl.run import Source, run_etl
    from hazmap.config import load_settings

    s = replace(load_settings(None, env={}), database_url=url)
    return run_etl(s, [Source(k, Path(p), **kw) for k, p, kw in sources], refresh=False,
                   rejects_path=tmp_path / "rejects.csv")


def _rows(url, sql):
    from hazmap.db.session import get_engine

    with get_engine(url).connect() as conn:
        return conn.execute(sa.text(sql)).all()


def _ent(i, **kw):
    base = {"站级": "", "油气回收": "", "储罐总容积m3": "", "储罐埋地": "", "油库等级": "", "占地范围WKT": "",
            "坐标系": "wgs84", "经度": f"{112.851 + i * 1e-3:.6f}", "纬度": "35.501"}
    base.update(kw)
    return [_code(i), f"晋城市测试{i}有限公司", "储存", base["经度"], base["纬度"], base["坐标系"],
            base["储罐总容积m3"], base["站级"], base["油气回收"], base["储罐埋地"], base["油库等级"], base["占地范围WKT"]]


def test_enterprise_sizes_and_footprints_load_and_bad_values_are_rejected_by_field(fresh_db_url, tmp_path):
    ent = _csv(tmp_path / "e.csv", E_HEAD, [
        _ent(0, 储罐总容积m3="2165.5", 站级="二级", 油气回收="卸油和加油油气回收", 储罐埋地="是", 油库等级="四级",
             占地范围WKT=BOX),
        _ent(1, 站级="3", 油气回收="0", 储罐埋地="否"),
        _ent(2),                                   # nothing registered: all null (lower bounds later)
        _ent(3, 站级="四级"),                       # out of 1–3
        _ent(4, 油气回收="有"),                     # which system? not said
        _ent(5, 储罐总容积m3="-5"),
        _ent(6, 储罐埋地="大概"),
        _ent(7, 油库等级="六级"),
        _ent(8, 占地范围WKT="POLYGON((1 2, 3 4"),   # not WKT
        _ent(9, 占地范围WKT="LINESTRING(112.85 35.5, 112.86 35.5)"),
        _ent(10, 占地范围WKT=BOX.replace("112.85", "116.85")),  # 360 km away: outside the area
    ])
    res = _run(fresh_db_url, tmp_path, [("enterprises", ent, {})])
    assert res.status == "succeeded", res.message
    by_line = {r.line: r for r in res.rejects}
    assert {ln: by_line[ln].field for ln in by_line} == {
        5: "站级", 6: "油气回收", 7: "储罐总容积m3", 8: "储罐埋地", 9: "油库等级",
        10: "占地范围WKT", 11: "占地范围WKT", 12: "占地范围WKT"}
    assert "一级/二级/三级" in by_line[5].reason
    assert "应大于 0" in by_line[7].reason
    assert "不是有效的 WKT" in by_line[10].reason and "应为面" in by_line[11].reason
    assert "km" in by_line[12].reason
    rows = {r.credit_code: r for r in _rows(fresh_db_url, """
        select credit_code, tank_volume_m3, station_grade, vapour_recovery, lpg_tank_buried, oil_depot_grade,
               ST_AsText(footprint) as fp, ST_SRID(footprint) as srid from enterprise""")}
    assert set(rows) == {_code(0), _code(1), _code(2)}
    r0, r1, r2 = rows[_code(0)], rows[_code(1)], rows[_code(2)]
    assert (r0.tank_volume_m3, r0.station_grade, r0.vapour_recovery, r0.lpg_tank_buried, r0.oil_depot_grade) == (
        2165.5, 2, 2, True, "4")
    assert r0.srid == 4326 and r0.fp.startswith("MULTIPOLYGON") and shapely.from_wkt(r0.fp).equals(
        shapely.from_wkt(BOX))
    assert (r1.station_grade, r1.vapour_recovery, r1.lpg_tank_buried, r1.tank_volume_m3) == (3, 0, False, None)
    assert (r2.tank_volume_m3, r2.station_grade, r2.vapour_recovery, r2.lpg_tank_buried, r2.oil_depot_grade,
            r2.fp) == (None,) * 6


def test_footprint_wkt_in_the_declared_crs_and_a_vector_polygon(fresh_db_url, tmp_path):
    from geo.crs import parse_crs, to_wgs84

    # the same box in CGCS2000 3° GK zone 38 (EPSG:4547, metres): the row's 坐标系 says so
    x0, y0 = 395_700.0, 3_930_700.0  # ≈ 112.85° E, 35.50° N
    gk = f"POLYGON(({x0} {y0}, {x0 + 200} {y0}, {x0 + 200} {y0 + 200}, {x0} {y0 + 200}, {x0} {y0}))"
    lon, lat = to_wgs84(x0 + 100, y0 + 100, parse_crs("EPSG:4547"))
    ent = _csv(tmp_path / "e.csv", E_HEAD, [_ent(0, 坐标系="EPSG:4547", 经度=f"{x0 + 100}", 纬度=f"{y0 + 100}",
                                                占地范围WKT=gk)])
    # a GeoJSON enterprise registered by its polygon only (no 经纬度): located on its surface
    feat = {"type": "Feature", "properties": {"统一社会信用代码": _code(1), "企业名称": "晋城市面状有限公司", "环节": "生产"},
            "geometry": json.loads(shapely.to_geojson(shapely.from_wkt(BOX)))}
    gj = tmp_path / "e.geojson"
    gj.write_text(json.dumps({"type": "FeatureCollection", "features": [feat]}), encoding="utf-8")
    res = _run(fresh_db_url, tmp_path, [("enterprises", ent, {}), ("enterprises", gj, {})])
    assert res.status == "succeeded", res.message
    assert res.rejects == []
    rows = {r.credit_code: r for r in _rows(fresh_db_url, """
        select credit_code, ST_AsText(footprint) as fp, ST_X(geom) as lon, ST_Y(geom) as lat,
               ST_Area(footprint::geography) as area_m2 from enterprise""")}
    gk_row, gj_row = rows[_code(0)], rows[_code(1)]
    # 200 m × 200 m = 40 000 m² (GK scale error 104 km from the 114° E meridian ≈ 1.3e-4)
    assert gk_row.area_m2 == pytest.approx(40_000, rel=2e-3)
    assert shapely.from_wkt(gk_row.fp).centroid.distance(shapely.Point(lon, lat)) < 1e-6
    assert gj_row.fp.startswith("MULTIPOLYGON")
    assert shapely.from_wkt(gj_row.fp).contains(shapely.Point(gj_row.lon, gj_row.lat))


U_HEAD = ["单元编号", "统一社会信用代码", "单元类型", "化学品名称", "设计最大量", "计量单位", "登记火灾危险性",
          "操作温度℃", "操作压力MPa", "浓度%", "储罐容积m3"]


def test_unit_conditions_concentration_and_fire_class_warning(fresh_db_url, tmp_path):
    codes = [_code(i) for i in range(3)]
    ent = _csv(tmp_path / "e.csv", E_HEAD, [_ent(i) for i in range(3)])
    hu = _csv(tmp_path / "hu.csv", U_HEAD, [
        ["U1", codes[0], "生产单元", "甲苯", "20", "t", "", "150", "1.6", "", ""],
        ["U2", codes[1], "储存单元", "甲醛", "30", "t", "", "", "", "37", "40"],
        ["U3", codes[2], "储存单元", "甲苯", "5", "t", "丙类", "", "", "", ""],   # 甲苯 is 甲类: a warning
        ["U4", codes[2], "储存单元", "甲苯", "5", "t", "", "-300", "", "", ""],   # below absolute zero
        ["U5", codes[2], "储存单元", "甲苯", "5", "t", "", "", "500", "", ""],
        ["U6", codes[2], "储存单元", "甲醛", "5", "t", "", "", "", "137", ""],
        ["U7", codes[2], "储存单元", "甲苯", "5", "t", "己", "", "", "", ""],
    ])
    res = _run(fresh_db_url, tmp_path, [("enterprises", ent, {}), ("hazard_units", hu, {})])
    assert res.status == "succeeded", res.message
    errors = {r.line: r for r in res.rejects if r.severity == "error"}
    warnings = [r for r in res.rejects if r.severity == "warning"]
    assert {ln: r.field for ln, r in errors.items()} == {5: "操作温度℃", 6: "操作压力MPa", 7: "浓度%",
                                                          8: "登记火灾危险性"}
    assert "甲/乙/丙/丁/戊" in errors[8].reason
    assert len(warnings) == 1 and warnings[0].line == 4 and warnings[0].field == "登记火灾危险性"
    assert "按甲类计" in warnings[0].reason and "U3" in warnings[0].reason
    assert res.counts["hazard_units"]["rejected"] == 4 and res.counts["hazard_units"]["warnings"] == 1
    units = {r.unit_key: r for r in _rows(fresh_db_url, """
        select u.unit_key, u.fire_class, u.fire_class_registered, u.operating_temperature_c,
               u.operating_pressure_mpa, u.tank_volume_m3, u.source_file, c.key as chem, i.concentration_pct
        from hazard_unit u join inventory i on i.hazard_unit_id = u.id join chemical c on c.id = i.chemical_id""")}
    assert set(units) == {"U1", "U2", "U3"}
    assert (units["U1"].operating_temperature_c, units["U1"].operating_pressure_mpa) == (150.0, 1.6)
    # 甲醛 37 %: the 甲醛溶液 (≤ 90 %) entry, never GB 18218 表1 第8项 甲醛(含量>90%)
    assert units["U2"].chem == "CAS-50-00-0" and units["U2"].concentration_pct == 37.0
    assert units["U2"].tank_volume_m3 == 40.0 and units["U2"].source_file == "hu.csv"
    assert (units["U3"].fire_class_registered, units["U3"].fire_class) == ("丙", "甲")
    # the warning is in the rejects file with its 级别
    with (tmp_path / "rejects.csv").open(encoding="utf-8-sig") as f:
        rows = list(csv.DictReader(f))
    assert [r["级别"] for r in rows].count("警告") == 1 and [r["级别"] for r in rows].count("错误") == 4


def test_target_high_rise(fresh_db_url, tmp_path):
    t = _csv(tmp_path / "t.csv", ["目标编号", "名称", "类别", "床位数", "经度", "纬度", "坐标系", "高层建筑"], [
        ["T1", "某高层住宅", "居住区", "", "112.851", "35.501", "wgs84", "是"],
        ["T2", "某医院", "医院", "120", "112.852", "35.501", "wgs84", "否"],
        ["T3", "某小学", "学校", "", "112.853", "35.501", "wgs84", ""],
        ["T4", "某商场", "商场", "", "112.854", "35.501", "wgs84", "十层"],
    ])
    res = _run(fresh_db_url, tmp_path, [("targets", t, {})])
    assert res.status == "succeeded", res.message
    assert [(r.line, r.field) for r in res.rejects] == [(5, "高层建筑")] and "是/否" in res.rejects[0].reason
    got = dict(_rows(fresh_db_url, "select target_key, high_rise from protection_target"))
    assert got == {"T1": True, "T2": False, "T3": None}
    assert _rows(fresh_db_url, "select capacity from protection_target where target_key = 'T2'")[0][0] == 120


def test_a_footprint_far_from_its_own_point_is_rejected(fresh_db_url, tmp_path):
    # the box is 0.1° (≈ 9 km) east of the point: a footprint in another CRS than the point, or a typo
    far = BOX.replace("112.85", "112.95")
    ent = _csv(tmp_path / "e.csv", E_HEAD, [_ent(0, 占地范围WKT=far), _ent(1, 占地范围WKT=BOX)])
    res = _run(fresh_db_url, tmp_path, [("enterprises", ent, {})])
    assert res.status == "succeeded", res.message
    assert [(r.line, r.field) for r in res.rejects] == [(2, "占地范围WKT")]
    assert "km" in res.rejects[0].reason and "同一坐标系" in res.rejects[0].reason


def test_registered_sizes_for_the_profile():
    from geo.registry_sizes import registered_sizes

    # the enterprise's own total wins; booleans become the 1/0 the rules' conditions read
    assert registered_sizes(tank_volume_m3=600, station_grade=2, vapour_recovery=0, lpg_tank_buried=True,
                            oil_depot_grade="4", unit_tank_volumes=[30, 40]) == {
        "tank_volume_m3": 600.0, "station_grade": 2, "vapour_recovery": 0, "lpg_tank_buried": 1, "oil_depot_grade": 4}
    # no total: the units' volumes summed, 30 + 40 = 70 m³, a lower bound when a unit has none
    got = registered_sizes(unit_tank_volumes=[30.0, None, 40.0])
    assert got["tank_volume_m3"] == 70.0
    assert got["size_basis"][0][0] == "tank_volume_m3"
    assert "（30 + 40）= 70 m³" in got["size_basis"][0][1] and "合计为下限" in got["size_basis"][0][1]
    assert registered_sizes(unit_tank_volumes=[None]) == {} and registered_sizes() == {}


def test_a_changed_unit_field_updates_the_unit(fresh_db_url, tmp_path):
    codes = [_code(0)]
    ent = _csv(tmp_path / "e.csv", E_HEAD, [_ent(0)])
    head = U_HEAD + ["占地范围WKT", "坐标系"]
    row = ["U1", codes[0], "生产单元", "甲苯", "20", "t", "", "150", "1.6", "", "", "", "wgs84"]
    hu = _csv(tmp_path / "hu.csv", head, [row])
    assert _run(fresh_db_url, tmp_path, [("enterprises", ent, {}), ("hazard_units", hu, {})]).status == "succeeded"
    again = _run(fresh_db_url, tmp_path, [("hazard_units", hu, {})])
    assert again.counts["hazard_units"]["unchanged"] == 1
    hu = _csv(tmp_path / "hu.csv", head, [row[:7] + ["180", "2.0", "", "50", BOX, "wgs84"]])
    res = _run(fresh_db_url, tmp_path, [("hazard_units", hu, {})])
    assert res.status == "succeeded", res.message
    assert res.counts["hazard_units"]["updated"] == 1
    [u] = _rows(fresh_db_url, """select operating_temperature_c, operating_pressure_mpa, tank_volume_m3,
                                        ST_GeometryType(footprint) as t from hazard_unit""")
    assert tuple(u) == (180.0, 2.0, 50.0, "ST_MultiPolygon")


def test_a_unit_whose_lines_disagree_on_its_own_fields_is_rejected_whole(fresh_db_url, tmp_path):
    ent = _csv(tmp_path / "e.csv", E_HEAD, [_ent(0)])
    hu = _csv(tmp_path / "hu.csv", U_HEAD, [
        ["U1", _code(0), "生产单元", "甲苯", "20", "t", "", "150", "1.6", "", ""],
        ["U1", _code(0), "生产单元", "苯", "5", "t", "", "150", "2.5", "", ""],   # 2.5 ≠ 1.6 MPa
        ["U2", _code(0), "储存单元", "甲苯", "20", "t", "", "", "", "", ""],
        ["U2", _code(0), "储存单元", "苯", "5", "t", "", "", "", "", ""],
    ])
    res = _run(fresh_db_url, tmp_path, [("enterprises", ent, {}), ("hazard_units", hu, {})])
    assert res.status == "succeeded", res.message
    assert [(r.line, r.field) for r in res.rejects] == [(3, "操作压力MPa")]
    assert "各行的操作压力MPa不一致" in res.rejects[0].reason and "第2行为“1.6”" in res.rejects[0].reason
    assert [r[0] for r in _rows(fresh_db_url, "select unit_key from hazard_unit")] == ["U2"]

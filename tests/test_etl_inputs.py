"""Imports reject rows, not runs (issue 19 item 5): every field fits its column before the
database sees it, a file that is not valid in its encoding names the byte offset, a Shapefile
without .prj needs its CRS declared, and named limits on input size refuse cleanly."""

from __future__ import annotations

import csv
import zipfile
from dataclasses import replace
from pathlib import Path

import pytest
import sqlalchemy as sa

from etl.readers import ReadError, decode_csv, read_rows
from geo import credit_code
from hazmap.config import Limits

pytestmark = pytest.mark.postgis

HEAD = ["统一社会信用代码", "企业名称", "环节", "经度", "纬度", "坐标系"]


def _code(i: int) -> str:
    base = f"91140502MA0{i:06d}"[:17]
    return base + credit_code.check_character(base)


def _enterprises(path: Path, n: int) -> list[str]:
    codes = [_code(i) for i in range(n)]
    with path.open("w", encoding="utf-8", newline="") as f:
        w = csv.writer(f)
        w.writerow(HEAD)
        for i, c in enumerate(codes):
            w.writerow([c, f"晋城市测试{i}化工有限公司", "储存", f"{112.85 + i * 1e-4:.6f}", "35.50", "wgs84"])
    return codes


def _run(url, tmp_path, sources, **limits):
    from etl.run import Source, run_etl
    from hazmap.config import load_settings

    s = replace(load_settings(None, env={}), database_url=url)
    if limits:
        s = replace(s, limits=replace(s.limits, **limits))
    return run_etl(s, [Source(k, Path(p), **kw) for k, p, kw in sources], refresh=False,
                   rejects_path=tmp_path / "rejects.csv")


def _count(url, table) -> int:
    from hazmap.db.session import get_engine

    with get_engine(url).connect() as conn:
        return conn.execute(sa.text(f"select count(*) from {table}")).scalar()


def test_an_overlong_fire_class_rejects_its_unit_not_the_run(fresh_db_url, tmp_path):
    ent = tmp_path / "e.csv"
    codes = _enterprises(ent, 3)
    hu = tmp_path / "hu.csv"
    with hu.open("w", encoding="utf-8", newline="") as f:
        w = csv.writer(f)
        w.writerow(["单元编号", "统一社会信用代码", "单元类型", "化学品名称", "设计最大量", "计量单位", "火灾危险性"])
        w.writerow(["U1", codes[0], "储存单元", "甲醇", "10", "t", "甲"])
        w.writerow(["U2", codes[1], "储存单元", "甲醇", "10", "t", "甲类火灾危险性（按 GB 50016 表3.1.3）"])
        w.writerow(["U3", codes[2], "储存单元", "甲醇", str(2**40), "kg", "甲"])
    res = _run(fresh_db_url, tmp_path, [("enterprises", ent, {}), ("hazard_units", hu, {})])
    assert res.status == "succeeded", res.message
    bad = {r.field: r for r in res.rejects}
    # a fire class is one of 甲…戊 (issue 11): the 23-character text is refused by name, not by the database
    assert bad["火灾危险性"].line == 3 and "甲/乙/丙/丁/戊" in bad["火灾危险性"].reason
    assert _count(fresh_db_url, "hazard_unit") == 2  # U1 and U3 (2^40 kg = 1.1e9 t is a float column)


def test_an_integer_beyond_int4_and_a_long_code_are_row_rejects(fresh_db_url, tmp_path):
    ent = tmp_path / "e.csv"
    codes = [_code(i) for i in range(2)]
    with ent.open("w", encoding="utf-8", newline="") as f:
        w = csv.writer(f)
        w.writerow(HEAD + ["三年内较大事故"])
        w.writerow([codes[0], "晋城市甲化工有限公司", "储存", "112.85", "35.50", "wgs84", "1"])
        w.writerow([codes[1], "晋城市乙化工有限公司", "储存", "112.86", "35.50", "wgs84", str(2**31)])
    areas = tmp_path / "a.geojson"
    areas.write_text('{"type":"FeatureCollection","features":['
                     '{"type":"Feature","properties":{"code":"140502001","name":"东街街道","level":"town"},'
                     '"geometry":{"type":"Polygon","coordinates":[[[112.8,35.4],[112.9,35.4],[112.9,35.6],[112.8,35.4]]]}},'
                     '{"type":"Feature","properties":{"code":"1405020011234","name":"超长代码","level":"town"},'
                     '"geometry":{"type":"Polygon","coordinates":[[[112.8,35.4],[112.9,35.4],[112.9,35.6],[112.8,35.4]]]}}]}',
                     encoding="utf-8")
    res = _run(fresh_db_url, tmp_path, [("areas", areas, {}), ("enterprises", ent, {})])
    assert res.status == "succeeded", res.message
    by_field = {r.field: r for r in res.rejects}
    assert "数值超出范围" in by_field["三年内较大事故"].reason and by_field["三年内较大事故"].line == 3
    assert "超过上限 12 个字符" in by_field["code"].reason  # admin_area.code is String(12); the file says "code"
    assert _count(fresh_db_url, "enterprise") == 1 and _count(fresh_db_url, "admin_area") == 1


def test_a_file_invalid_in_its_encoding_names_the_byte_offset(tmp_path):
    lim = Limits()
    data = "统一社会信用代码,企业名称\n".encode("utf-8") + b"\xff\xfe\x00x\n"
    with pytest.raises(ReadError, match=r"第 \d+ 字节起"):
        decode_csv(data, "utf-8")
    offset = len("统一社会信用代码,企业名称\n".encode("utf-8"))  # 37 bytes of valid UTF-8 before 0xFF
    with pytest.raises(ReadError, match=rf"第 {offset} 字节起（ff fe 00 78）"):
        decode_csv(data, "utf-8")
    p = tmp_path / "x.csv"
    p.write_bytes(b"\xef\xbb\xbf" + data)
    with pytest.raises(ReadError, match=rf"UTF-8（带 BOM）.*第 {offset + 3} 字节起"):
        read_rows(p, lim)
    # a valid GB18030 file declared as GB18030 reads; declared as UTF-8 it is refused
    p.write_bytes("名称\n晋城\n".encode("gb18030"))
    assert read_rows(p, lim, encoding="gb18030")[0].values == {"名称": "晋城"}
    with pytest.raises(ReadError, match="UTF-8 编码"):
        read_rows(p, lim, encoding="utf-8")


def test_a_shapefile_without_prj_needs_its_crs_declared(fresh_db_url, tmp_path):
    import geopandas as gpd
    from shapely.geometry import Point

    shp = tmp_path / "t.shp"
    gpd.GeoDataFrame({"target_key": ["T1"], "name": ["小学"], "category": ["school"]},
                     geometry=[Point(112.85, 35.5)], crs="EPSG:4326").to_file(shp)
    shp.with_suffix(".prj").unlink()
    res = _run(fresh_db_url, tmp_path, [("targets", shp, {})])
    assert res.status == "aborted" and ".prj" in res.message and "crs" in res.message
    res = _run(fresh_db_url, tmp_path, [("targets", shp, {"crs": "wgs84"})])
    assert res.status == "succeeded" and _count(fresh_db_url, "protection_target") == 1


def test_size_limits_refuse_cleanly(fresh_db_url, tmp_path):
    ent = tmp_path / "e.csv"
    _enterprises(ent, 5)
    res = _run(fresh_db_url, tmp_path, [("enterprises", ent, {})], max_input_rows=4)
    assert res.status == "aborted" and "max_input_rows" in res.message and "共 5 行" in res.message
    res = _run(fresh_db_url, tmp_path, [("enterprises", ent, {})], max_input_columns=5)
    assert res.status == "aborted" and "max_input_columns" in res.message
    res = _run(fresh_db_url, tmp_path, [("enterprises", ent, {})], max_input_file_bytes=100)
    assert res.status == "aborted" and "max_input_file_bytes" in res.message
    assert _count(fresh_db_url, "enterprise") == 0
    # an XLSX whose parts inflate beyond the limit is refused before openpyxl opens it
    x = tmp_path / "bomb.xlsx"
    with zipfile.ZipFile(x, "w", zipfile.ZIP_DEFLATED) as z:
        z.writestr("xl/worksheets/sheet1.xml", b"\0" * 5_000_000)
    with pytest.raises(ReadError, match="max_xlsx_uncompressed_bytes"):
        read_rows(x, replace(Limits(), max_xlsx_uncompressed_bytes=1_000_000))


def test_a_geometry_over_the_vertex_limit_is_a_row_reject(fresh_db_url, tmp_path):
    import json

    ring = [[112.85 + 0.001 * (i % 2), 35.5 + 0.0001 * i] for i in range(40)] + [[112.85, 35.5]]
    small = [[112.85, 35.5], [112.851, 35.5], [112.851, 35.501], [112.85, 35.5]]
    feats = [{"type": "Feature", "properties": {"目标编号": k, "名称": "小区", "类别": "居住区"},
              "geometry": {"type": "Polygon", "coordinates": [c]}} for k, c in (("R1", ring), ("R2", small))]
    p = tmp_path / "r.geojson"
    p.write_text(json.dumps({"type": "FeatureCollection", "features": feats}), encoding="utf-8")
    res = _run(fresh_db_url, tmp_path, [("targets", p, {})], max_geometry_vertices=20)
    assert res.status == "succeeded"
    assert [(r.line, r.field) for r in res.rejects] == [(1, "geometry")] and "max_geometry_vertices" in res.rejects[0].reason
    assert _count(fresh_db_url, "protection_target") == 1


def test_every_target_lands_in_one_of_the_two_split_layers(fresh_db_url, tmp_path):
    """targets = target-points + target-areas: a one-part MultiPoint is its point, a self-intersecting
    polygon repaired into parts stays an area, a collection keeps its polygons; lines and several points
    are rejected naming the geometry (issue 13 — no target vanishes from both layers)."""
    import json

    from geo.postgis.collections import Selection, base_params, count, get, read_snapshot
    from geo.vocabulary import Vocabulary
    from hazmap.db.session import get_engine

    sq = [[112.85, 35.5], [112.851, 35.5], [112.851, 35.501], [112.85, 35.501], [112.85, 35.5]]
    bowtie = [[112.86, 35.5], [112.861, 35.501], [112.861, 35.5], [112.86, 35.501], [112.86, 35.5]]
    geoms = [
        ("P1", {"type": "Point", "coordinates": [112.84, 35.5]}),
        ("P2", {"type": "MultiPoint", "coordinates": [[112.841, 35.5]]}),
        ("A1", {"type": "Polygon", "coordinates": [sq]}),
        ("A2", {"type": "Polygon", "coordinates": [bowtie]}),  # invalid: make_valid gives two triangles
        ("A3", {"type": "GeometryCollection", "geometries": [
            {"type": "Polygon", "coordinates": [[[x + 0.02, y] for x, y in sq]]},
            {"type": "LineString", "coordinates": [[112.88, 35.5], [112.89, 35.5]]}]}),
        ("X1", {"type": "LineString", "coordinates": [[112.80, 35.5], [112.81, 35.5]]}),
        ("X2", {"type": "MultiPoint", "coordinates": [[112.82, 35.5], [112.83, 35.5]]}),
    ]
    feats = [{"type": "Feature", "properties": {"目标编号": k, "名称": f"目标{k}", "类别": "居住区", "户数": 10},
              "geometry": g} for k, g in geoms]
    p = tmp_path / "t.geojson"
    p.write_text(json.dumps({"type": "FeatureCollection", "features": feats}), encoding="utf-8")
    res = _run(fresh_db_url, tmp_path, [("targets", p, {})])
    assert res.status == "succeeded", res.message
    bad = {r.line: r for r in res.rejects}
    assert sorted(bad) == [6, 7] and all(r.field == "geometry" for r in bad.values())
    assert "线" in bad[6].reason and "多点（2 个）" in bad[7].reason
    with get_engine(fresh_db_url).connect() as conn:
        types = dict(conn.execute(sa.text("select target_key, GeometryType(geom) from protection_target")).all())
        assert types == {"P1": "POINT", "P2": "POINT", "A1": "MULTIPOLYGON", "A2": "MULTIPOLYGON", "A3": "MULTIPOLYGON"}
        run = read_snapshot(conn)
        base = base_params(run, Vocabulary(()))
        n = {cid: count(conn, get(cid), Selection(), base) for cid in ("targets", "target-points", "target-areas")}
    assert n == {"targets": 5, "target-points": 2, "target-areas": 3}

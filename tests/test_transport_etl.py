"""The transport registries as ETL kinds (issue 15 item 1): vehicles, crew, waybills with goods rows,
tags, tag events, platform position exports and restricted zones — Chinese headers, per-field
rejects naming the row and field, coordinates converted from their declared CRS to WGS-84."""

from __future__ import annotations

import csv
import json
from dataclasses import replace
from pathlib import Path

import pytest
import sqlalchemy as sa

from geo import crs as crs_mod

pytestmark = pytest.mark.postgis

ROOT = Path(__file__).resolve().parents[1]
TEMPLATES = ROOT / "data" / "templates"
CAR = "91140502MA0TR0001C"


def _settings(url):
    from hazmap.config import load_settings

    return replace(load_settings(None, env={}), database_url=url)


def _run(url, tmp_path, sources):
    from etl.run import Source, run_etl

    return run_etl(_settings(url), [Source(k, Path(p)) for k, p in sources], refresh=False,
                   rejects_path=tmp_path / "rejects.csv")


def _write(path: Path, template: str, rows: list[dict]) -> Path:
    """The template's example row, with each dict's changes applied (one output row per dict)."""
    with (TEMPLATES / f"{template}.csv").open(encoding="utf-8-sig") as f:
        head, example = list(csv.reader(f))
    with path.open("w", encoding="utf-8", newline="") as f:
        w = csv.writer(f)
        w.writerow(head)
        for change in rows:
            unknown = set(change) - set(head)
            assert not unknown, unknown
            w.writerow([change.get(h, v) for h, v in zip(head, example)])
    return path


def _rejects(res) -> dict[tuple[int, str], str]:
    return {(r.line, r.field): r.reason for r in res.rejects}


def _rows(url, sql):
    from hazmap.db.session import get_engine

    with get_engine(url).connect() as conn:
        return conn.execute(sa.text(sql)).all()


def test_templates_carry_chinese_headers_and_load(fresh_db_url, tmp_path):
    kinds = ["vehicles", "crew", "waybills", "tags", "tag_events", "positions"]
    res = _run(fresh_db_url, tmp_path, [(k, TEMPLATES / f"{k}.csv") for k in kinds])
    assert res.status == "succeeded", (res.message, res.rejects)
    assert res.rejects == []
    for k in kinds:
        assert res.counts[k]["inserted"] == 1, k
        head = (TEMPLATES / f"{k}.csv").read_text(encoding="utf-8-sig").splitlines()[0]
        assert all(not h.isascii() for h in head.split(",")), head
    (v,) = _rows(fresh_db_url, "select plate, terminal_phone, road_transport_cert_expiry, permitted_media from vehicle")
    assert v.plate == "晋EA1001" and v.terminal_phone == "13900000001"
    assert str(v.road_transport_cert_expiry) == "2027-06-30"
    assert [m["name"] for m in v.permitted_media] == ["汽油", "柴油"] and v.permitted_media[0]["key"] == "T1-66"
    (g,) = _rows(fresh_db_url, "select name, chemical_key, un_number, hazard_class, packing_group, quantity, unit, "
                               "loaded_quantity from waybill_goods")
    assert tuple(g) == ("汽油", "T1-66", "1203", "3", "II", 20.0, "t", 20.1)
    (w,) = _rows(fresh_db_url, "select ST_AsText(origin), ST_NPoints(planned_route), loaded_at at time zone 'UTC' as loaded_utc "
                               "from waybill")
    assert w[0] == "POINT(112.83 35.48)" and w[1] == 3
    assert str(w.loaded_utc) == "2026-11-20 00:30:00"  # 08:30 Beijing time
    (e,) = _rows(fresh_db_url, "select kind, waybill_no from tag_event")
    assert tuple(e) == ("loaded", "YD202611200001")
    (p,) = _rows(fresh_db_url, "select plate, source, src_crs, speed_kmh, source_file from vehicle_position")
    assert tuple(p) == ("晋EA1001", "import", "EPSG:4326", 42.5, "positions.csv")


def test_bad_vehicle_and_crew_rows_are_rejected_naming_the_field(fresh_db_url, tmp_path):
    v = _write(tmp_path / "v.csv", "vehicles", [
        {},
        {"车牌号": "ABC123"},
        {"车牌号": "晋EA1002", "道路运输证有效期至": "2027-13-45"},
        {"车牌号": "晋EA1003", "承运人信用代码": "91140502MA0TR0001X"},
        {"车牌号": "晋EA1004", "罐体编号": ""},
        {"车牌号": "晋E·A1005", "车牌颜色": "紫"},
    ])
    c = _write(tmp_path / "c.csv", "crew", [{}, {"从业资格证号": "X2", "岗位": "司机"},
                                            {"从业资格证号": "X3", "身份证后四位": "140502199001011234"}])
    res = _run(fresh_db_url, tmp_path, [("vehicles", v), ("crew", c)])
    assert res.status == "succeeded"
    rj = _rejects(res)
    assert "格式无效" in rj[(3, "车牌号")]
    assert "不是有效日期" in rj[(4, "道路运输证有效期至")]
    assert (5, "承运人信用代码") in rj
    assert "罐体编号为空" in rj[(6, "罐体编号")]
    assert "车牌颜色应为" in rj[(7, "车牌颜色")]
    assert "驾驶员/押运员" in rj[(3, "岗位")]
    assert "不要填写完整身份证号" in rj[(4, "身份证后四位")]
    assert res.counts["vehicles"]["inserted"] == 1 and res.counts["crew"]["inserted"] == 1


def test_a_waybill_with_one_bad_goods_row_is_rejected_whole(fresh_db_url, tmp_path):
    w = _write(tmp_path / "w.csv", "waybills", [
        {},
        {"货物序号": "2", "货物名称": "柴油", "联合国编号": "1202", "数量": "5", "实装数量": "5"},
        {"运单号": "YD2", "联合国编号": "12O3"},
        {"运单号": "YD2", "货物序号": "2", "货物名称": "柴油"},
        {"运单号": "YD3", "危险货物类别": "10"},
        {"运单号": "YD4", "数量": "-2"},
        {"运单号": "YD5", "坐标系": ""},
        {"运单号": "YD6", "起运地经度": "12.83"},
        {"运单号": "YD7", "计划路线": "112.83,35.48"},
        {"运单号": "YD8", "起运日期": ""},
        {"运单号": "YD9", "车牌号": "晋EA1009"},
        {"运单号": "YD9", "货物序号": "2", "车牌号": "晋EA1010"},
    ])
    res = _run(fresh_db_url, tmp_path, [("waybills", w)])
    assert res.status == "succeeded", res.message
    rj = _rejects(res)
    assert "4 位数字" in rj[(4, "联合国编号")]
    assert "整张运单未导入" in rj[(5, "运单号")]
    assert "联合国类别" in rj[(6, "危险货物类别")]
    assert "应大于 0" in rj[(7, "数量")]
    assert "未声明坐标系" in rj[(8, "坐标系")]
    assert "不在中国境内" in rj[(9, "起运地经度/纬度")]
    assert "至少需要两个点" in rj[(10, "计划路线")]
    assert "必填字段“起运日期”为空" in rj[(11, "起运日期")]
    assert "“车牌号”不一致" in rj[(12, "运单号")] and "不一致" in rj[(13, "运单号")]
    rows = _rows(fresh_db_url, "select w.waybill_no, count(g.id) from waybill w join waybill_goods g on g.waybill_id = w.id "
                               "group by 1")
    assert rows == [("YD202611200001", 2)]


def test_coordinates_are_converted_from_their_declared_crs(fresh_db_url, tmp_path):
    lon, lat = 112.85, 35.50
    gx, gy = crs_mod.wgs84_to_gcj02(lon, lat)
    bx, by = crs_mod.wgs84_to_bd09(lon, lat)
    p = _write(tmp_path / "p.csv", "positions", [
        {"经度": f"{gx:.8f}", "纬度": f"{gy:.8f}", "坐标系": "gcj02", "定位时间": "2026-11-20 08:40:00"},
        {"经度": f"{bx:.8f}", "纬度": f"{by:.8f}", "坐标系": "bd09", "定位时间": "2026-11-20 08:40:10"},
        {"定位时间": "2026-11-20 08:40:20", "速度": "300"},
        {"定位时间": "2026-11-20 25:00"},
        {"定位时间": "2026-11-20 08:40:30", "坐标系": "火星"},
    ])
    res = _run(fresh_db_url, tmp_path, [("positions", p)])
    rj = _rejects(res)
    assert "0–250" in rj[(4, "速度")]
    assert "不是有效时间" in rj[(5, "定位时间")]
    assert (6, "坐标系") in rj
    rows = _rows(fresh_db_url, "select lon, lat, src_crs from vehicle_position order by device_time")
    assert [r.src_crs for r in rows] == ["GCJ-02", "BD-09"]
    for r in rows:  # back to WGS-84 within a few centimetres
        assert abs(r.lon - lon) < 1e-6 and abs(r.lat - lat) < 1e-6
    # a re-import of the same file replaces its positions, never duplicates them
    res2 = _run(fresh_db_url, tmp_path, [("positions", p)])
    assert res2.counts["positions"]["removed"] == 2 and res2.counts["positions"]["inserted"] == 2
    assert len(_rows(fresh_db_url, "select id from vehicle_position")) == 2


def test_tags_events_and_zones(fresh_db_url, tmp_path):
    t = _write(tmp_path / "t.csv", "tags", [{}, {"标签编号": "TAG 0002"}, {"标签编号": "TAG-0003", "上级标签": "TAG-0003"}])
    e = _write(tmp_path / "e.csv", "tag_events", [
        {}, {"事件": "签收", "时间": "2026-11-20 11:00"}, {"事件": "偷运"}, {"事件": "装车", "运单号": ""},
        {"事件": "签收", "时间": "2026-11-20 11:00"}])
    z = tmp_path / "z.geojson"
    ring = [[112.84, 35.49], [112.86, 35.49], [112.86, 35.51], [112.84, 35.51], [112.84, 35.49]]
    z.write_text(json.dumps({"type": "FeatureCollection", "features": [
        {"type": "Feature", "geometry": {"type": "Polygon", "coordinates": [ring]},
         "properties": {"区域编号": "Z1", "名称": "老城区限行区", "限制类别": "剧毒、2.3", "限行时段": "07:00-09:00、17:00-19:00",
                        "划定单位": "晋城市公安局城区分局"}},
        {"type": "Feature", "geometry": {"type": "Polygon", "coordinates": [ring]},
         "properties": {"区域编号": "Z2", "名称": "坏时段", "限行时段": "7点到9点"}}]}, ensure_ascii=False),
        encoding="utf-8")
    res = _run(fresh_db_url, tmp_path, [("tags", t), ("tag_events", e), ("restricted_zones", z)])
    rj = _rejects(res)
    assert "字母、数字" in rj[(3, "标签编号")]
    assert "自身" in rj[(4, "上级标签")]
    assert "装车/卸车/签收" in rj[(4, "事件")]
    assert "须注明运单号" in rj[(5, "运单号")]
    assert "重复记录" in rj[(6, "标签事件")]
    assert "HH:MM-HH:MM" in rj[(2, "限行时段")]  # GeoJSON rows are numbered by feature
    (zone,) = _rows(fresh_db_url, "select zone_key, classes, windows, GeometryType(geom) from restricted_zone")
    assert zone[0] == "Z1" and zone[1] == ["2.3", "剧毒"] and zone[2] == [[25200, 32400], [61200, 68400]]
    assert zone[3] == "MULTIPOLYGON"
    assert res.counts["tag_events"]["inserted"] == 2


NASTY = ["", "NaN", "inf", "-1", "1e400", "0", "x" * 300, "a\x00b", "晋", "2026-02-30", "2026-02-30 25:61", "=1+1",
         "112.83,35.48;", "；；", "UN", "3.9", "-"]


@pytest.mark.parametrize("kind", ["vehicles", "crew", "waybills", "tags", "tag_events", "positions"])
def test_any_cell_value_is_a_row_reject_never_a_failed_run(fresh_db_url, tmp_path, kind):
    with (TEMPLATES / f"{kind}.csv").open(encoding="utf-8-sig") as f:
        head, _ = list(csv.reader(f))
    rows = [{h: v} for h in head for v in NASTY]
    path = _write(tmp_path / f"{kind}.csv", kind, rows)
    from etl.run import Source, run_etl

    res = run_etl(_settings(fresh_db_url), [Source(kind, path)], dry_run=True, rejects_path=tmp_path / "r.csv")
    assert res.status == "dry_run", res.message
    assert all(r.reason and not r.reason.isascii() for r in res.rejects)  # Chinese reasons, one per bad row
    assert len({r.line for r in res.rejects}) <= len(rows)

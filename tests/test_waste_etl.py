"""The four waste ETL kinds against a real PostGIS: good rows stored as the registries say, bad
rows rejected naming the field (unknown code, bad state, decision against state, bad licence
scope), a manifest with one bad line rejected whole, idempotence."""

from __future__ import annotations

import csv
import datetime as dt
from dataclasses import replace
from pathlib import Path

import pytest
import sqlalchemy as sa

pytestmark = pytest.mark.postgis

GEN = "91140502MA0K1B2C3X"  # valid GB 32100 codes
REC = "91140500MA0H7D8E9F"
LIC = "晋危废1405-2023-015"

PRODUCER_H = ["统一社会信用代码", "单位名称", "计划年度", "废物代码", "废物名称", "计划产生量", "计量单位", "贮存能力（吨）",
              "贮存场所经度", "贮存场所纬度", "坐标系"]
RECORD_H = ["统一社会信用代码", "日期", "记录类型", "废物代码", "废物名称", "数量", "计量单位"]
FACILITY_H = ["危险废物经营许可证编号", "单位名称", "统一社会信用代码", "行政区划代码", "经营范围", "经营规模（吨/年）",
              "有效期起", "有效期至"]
MANIFEST_H = ["联单编号", "转移日期", "移出单位名称", "移出单位统一社会信用代码", "移出地行政区划代码", "接受单位名称",
              "接受单位危险废物经营许可证编号", "接受地行政区划代码", "承运单位名称", "道路运输证号", "途经城市", "废物名称",
              "废物类别", "废物代码", "利用处置方式", "转移数量", "计量单位", "接受数量", "接受日期", "接受意见",
              "是否存在重大差异", "联单状态", "电子运单号"]


def write_csv(path: Path, headers, rows) -> Path:
    with path.open("w", encoding="utf-8-sig", newline="") as f:
        w = csv.writer(f)
        w.writerow(headers)
        w.writerows(rows)
    return path


def manifest_row(no, code="900-249-08", cls="HW08", qty="2.0", received="", state="已提交", decision="",
                 disc="", waybill="", date="2026-03-01", receipt=""):
    return [no, date, "示例化工有限公司", GEN, "140502", "示例环保科技有限公司", LIC, "140521", "示例危货运输有限公司",
            "晋交运管许可晋字140500001234号", "晋城市", "废矿物油", cls, code, "R9", qty, "吨", received, receipt,
            decision, disc, state, waybill]


def waste_files(tmp_path: Path) -> dict[str, Path]:
    return {
        "waste_producers": write_csv(tmp_path / "producers.csv", PRODUCER_H, [
            [GEN, "示例化工有限公司", "2026", "900-249-08", "废矿物油", "12", "吨", "20", "112.8812", "35.5267", "wgs84"],
            [GEN, "示例化工有限公司", "2026", "900-041-49", "废包装桶", "800", "kg", "20", "112.8812", "35.5267", "wgs84"],
            # unknown code (well-formed, not in our copy): the row is rejected and the producer with it
            ["91140502MA0K1B2C41", "示例二厂", "2026", "900-998-08", "某废物", "1", "吨", "", "", "", ""],
        ]),
        "waste_records": write_csv(tmp_path / "records.csv", RECORD_H, [
            [GEN, "2026-01-10", "产生", "900-249-08", "废矿物油", "850", "kg"],
            [GEN, "2025-06-01", "期初库存", "900-041-49", "废包装桶", "1.5", "吨"],
            [GEN, "2026-02-01", "自行利用", "900-249-08", "废矿物油", "0.1", "吨"],
            [GEN, "2026-02-02", "产生", "999-249-08", "废矿物油", "1", "吨"],  # malformed code
            [GEN, "2026-02-03", "偷倒", "900-249-08", "废矿物油", "1", "吨"],  # unknown kind
        ]),
        "waste_facilities": write_csv(tmp_path / "facilities.csv", FACILITY_H, [
            [LIC, "示例环保科技有限公司", REC, "140521", "HW08、900-041-49", "30000", "2023-06-01", "2028-05-31"],
            ["晋危废1405-2023-016", "坏范围公司", "", "", "HW99", "", "", "2028-05-31"],  # HW99 is no class
        ]),
        "waste_manifests": write_csv(tmp_path / "manifests.csv", MANIFEST_H, [
            manifest_row("20261405000001"),
            manifest_row("20261405000001", code="900-041-49", cls="HW49", qty="0.5"),  # second detail row
            manifest_row("20261405000002", state="已接收", received="1.9", decision="接受", disc="否",
                         receipt="2026-03-02"),
            manifest_row("20261405000003", state="已签收"),  # unknown state
            manifest_row("20261405000004", state="已接收", received="2.0", decision="拒绝接受"),  # decision ≠ state
            manifest_row("20261405000005"),
            manifest_row("20261405000005", code="900-999-08"),  # unknown code → the whole manifest 5 rejected
            manifest_row("20261405000006", code="900-249-08", cls="HW09"),  # class disagrees with code
        ]),
    }


def settings_for(url, tmp_path):
    from hazmap.config import load_settings

    cfg = tmp_path / "etl.toml"
    cfg.write_text('[etl]\nrejects_dir = "rej"\n', encoding="utf-8")
    return replace(load_settings(cfg, env={}), database_url=url)


def run(url, tmp_path, files: dict[str, Path], **kw):
    from etl.run import run_etl, sources_from

    s = settings_for(url, tmp_path)
    kw.setdefault("refresh", False)
    return run_etl(s, sources_from(s, [f"{k}={p}" for k, p in files.items()]),
                   rejects_path=tmp_path / "rejects.csv", **kw)


def rejects_of(res) -> dict[tuple[str, int], tuple[str, str]]:
    return {(r.file, r.line): (r.field, r.reason) for r in res.rejects}


def test_waste_kinds_load_and_reject_bad_rows(fresh_db_url, tmp_path):
    from hazmap.db.session import get_engine

    res = run(fresh_db_url, tmp_path, waste_files(tmp_path))
    assert res.status == "succeeded", res.message
    rj = rejects_of(res)
    # producers: the unknown code names the field and the code, and says our copy is incomplete
    field, reason = rj[("producers.csv", 4)]
    assert field == "废物代码" and "900-998-08" in reason and "副本" in reason
    # records: malformed code and unknown kind
    assert rj[("records.csv", 5)][0] == "废物代码" and "末两位" not in rj[("records.csv", 5)][1]
    assert rj[("records.csv", 6)] == ("记录类型", "未知记录类型“偷倒”（可用：产生、期初库存、自行利用、自行处置）")
    # facilities: a scope class that is no class
    assert rj[("facilities.csv", 3)][0] == "经营范围" and "HW99" in rj[("facilities.csv", 3)][1]
    # manifests: unknown state, decision against state, unknown code rejects both lines of manifest 5
    assert rj[("manifests.csv", 5)][0] == "联单状态" and "已签收" in rj[("manifests.csv", 5)][1]
    assert rj[("manifests.csv", 6)][0] == "接受意见" and "已接收" in rj[("manifests.csv", 6)][1]
    assert rj[("manifests.csv", 8)][0] == "废物代码" and "900-999-08" in rj[("manifests.csv", 8)][1]
    assert rj[("manifests.csv", 7)] == ("联单编号", "同一联单的其他行有错误，整个联单未导入")
    assert rj[("manifests.csv", 9)][0] == "废物代码" and "HW09" in rj[("manifests.csv", 9)][1]
    assert res.counts["waste_manifests"]["inserted"] == 2 and res.counts["waste_manifests"]["rejected"] == 5

    with get_engine(fresh_db_url).connect() as conn:
        p = conn.execute(sa.text("select name, storage_capacity_t, plans, ST_X(geom), ST_Y(geom) from waste_producer"
                                 )).all()
        recs = conn.execute(sa.text("select date, kind, waste_code, quantity_t from waste_record order by date")).all()
        fac = conn.execute(sa.text("select licence_no, scope, valid_until from waste_facility")).all()
        mans = conn.execute(sa.text("""
            select m.manifest_no, m.state, m.receiver_decision, m.major_discrepancy,
                   array_agg(r.waste_code || ':' || r.quantity_t || ':' || coalesce(r.received_t::text, '-')
                             order by r.line_no)
            from waste_manifest m join waste_manifest_row r on r.manifest_id = m.id
            group by 1, 2, 3, 4 order by 1""")).all()
    assert p == [("示例化工有限公司", 20.0, [{"year": 2026, "waste_code": "900-041-49", "planned_t": 0.8},
                                         {"year": 2026, "waste_code": "900-249-08", "planned_t": 12.0}],
                  112.8812, 35.5267)]
    assert recs == [(dt.date(2025, 6, 1), "opening", "900-041-49", 1.5),
                    (dt.date(2026, 1, 10), "generated", "900-249-08", 0.85),
                    (dt.date(2026, 2, 1), "self_utilised", "900-249-08", 0.1)]
    assert fac == [(LIC, ["900-041-49", "HW08"], dt.date(2028, 5, 31))]
    assert mans == [("20261405000001", "已提交", None, None, ["900-249-08:2:-", "900-041-49:0.5:-"]),
                    ("20261405000002", "已接收", "接受", False, ["900-249-08:2:1.9"])]

    again = run(fresh_db_url, tmp_path, waste_files(tmp_path))
    for kind in ("waste_producers", "waste_facilities", "waste_manifests"):
        c = again.counts[kind]
        assert c["inserted"] == c["updated"] == c["removed"] == 0 and c["unchanged"] >= 1, (kind, c)
    assert again.counts["waste_records"]["unchanged"] == 3 and again.counts["waste_records"]["inserted"] == 0


def test_changed_manifest_row_updates_and_absent_manifest_is_removed(fresh_db_url, tmp_path):
    from hazmap.db.session import get_engine

    path = write_csv(tmp_path / "m.csv", MANIFEST_H, [manifest_row("20261405000011"), manifest_row("20261405000012")])
    assert run(fresh_db_url, tmp_path, {"waste_manifests": path}).status == "succeeded"
    write_csv(path, MANIFEST_H, [manifest_row("20261405000011", qty="3.5")])
    res = run(fresh_db_url, tmp_path, {"waste_manifests": path})
    assert res.counts["waste_manifests"] | {} == {**res.counts["waste_manifests"], "updated": 1, "removed": 1,
                                                  "inserted": 0}
    with get_engine(fresh_db_url).connect() as conn:
        rows = conn.execute(sa.text("select m.manifest_no, r.quantity_t from waste_manifest m "
                                    "join waste_manifest_row r on r.manifest_id = m.id")).all()
    assert rows == [("20261405000011", 3.5)]

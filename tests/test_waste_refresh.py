"""The waste refresh step on hand-computed data (as of 2026-06-30): stock, FIFO age, tonne-days,
the 动态清零 rank, every finding with its rule, the waybill link (absent tables → 未核查; present →
matched / mismatch / not found) and the waste reasons in the four colours (local policy)."""

from __future__ import annotations

import datetime as dt
import types

import pytest
import sqlalchemy as sa

from tests.test_waste_etl import (FACILITY_H, GEN, LIC, MANIFEST_H, PRODUCER_H, REC, RECORD_H, manifest_row, run,
                                  write_csv)

pytestmark = pytest.mark.postgis

AS_OF = dt.date(2026, 6, 30)
LIC2 = "晋危废1405-2024-020"  # licensed for HW49 only


class FixedDate(dt.date):
    @classmethod
    def today(cls):
        return cls(AS_OF.year, AS_OF.month, AS_OF.day)


def files(tmp_path):
    return {
        "waste_producers": write_csv(tmp_path / "p.csv", PRODUCER_H, [
            [GEN, "示例化工有限公司", "2026", "900-249-08", "废矿物油", "20", "吨", "3.5", "", "", ""]]),
        "waste_records": write_csv(tmp_path / "r.csv", RECORD_H, [
            [GEN, "2025-03-01", "期初库存", "900-249-08", "废矿物油", "3", "吨"],
            [GEN, "2026-01-10", "产生", "900-249-08", "废矿物油", "2", "吨"],
            [GEN, "2026-04-01", "产生", "900-249-08", "废矿物油", "1000", "kg"],
            [GEN, "2026-05-01", "自行利用", "900-249-08", "废矿物油", "0.5", "吨"]]),
        "waste_facilities": write_csv(tmp_path / "f.csv", FACILITY_H, [
            [LIC, "示例环保科技有限公司", REC, "140521", "HW08、900-041-49", "30000", "2023-06-01", "2028-05-31"],
            [LIC2, "另一环保公司", "", "", "HW49", "", "", "2028-05-31"]]),
        "waste_manifests": write_csv(tmp_path / "m.csv", MANIFEST_H, [
            manifest_row("20261405000001", qty="1.2", received="1.2", state="已接收", date="2026-02-01",
                         receipt="2026-02-01", waybill="YD-OK"),
            manifest_row("20261405000002", qty="0.3", state="运输中", date="2026-06-20", waybill="YD-BAD"),
            manifest_row("20261405000003", code="900-041-49", cls="HW49", qty="0.2", received="0.15", state="已接收",
                         date="2026-03-01", receipt="2026-03-02", disc="是", waybill="YD-NONE"),
            manifest_row("20261405000004", qty="0.4", state="已提交", date="2026-04-10"),
            [*manifest_row("20261405000005", qty="0.1", received="0.1", state="已接收", date="2026-05-10",
                           receipt="2026-05-10")[:6], LIC2,
             *manifest_row("20261405000005", qty="0.1", received="0.1", state="已接收", date="2026-05-10",
                           receipt="2026-05-10")[7:]],
        ]),
    }


@pytest.fixture
def loaded(fresh_db_url, tmp_path, monkeypatch):
    from hazmap.db.session import get_engine

    assert run(fresh_db_url, tmp_path, files(tmp_path)).status == "succeeded"
    with get_engine(fresh_db_url).begin() as conn:
        for code, name in ((GEN, "示例化工有限公司"), ("91140502MA0K1B2C41", "无危废的企业")):
            conn.execute(sa.text("""
                insert into enterprise (credit_code, name, stages, facility_type, geocode_precision, geom)
                values (:c, :n, '{use}', '其他', 'source', ST_SetSRID(ST_MakePoint(112.85, 35.5), 4326))"""),
                         {"c": code, "n": name})
    from geo.postgis import refresh as refresh_mod

    monkeypatch.setattr(refresh_mod, "dt", types.SimpleNamespace(date=FixedDate))
    return fresh_db_url


def refresh(url):
    from hazmap.config import load_settings
    from hazmap.refresh import run_refresh

    return run_refresh(load_settings(env={"DATABASE_URL": url}), progress=lambda m: None)


def test_stock_age_findings_and_colour(loaded):
    from hazmap.db.session import get_engine

    out = refresh(loaded)
    rid = out["run_id"]
    assert out["summary"]["waste"]["as_of"] == "2026-06-30"
    with get_engine(loaded).connect() as conn:
        stock = {r.waste_code: r for r in conn.execute(sa.text(
            "select * from waste_stock where run_id = :r and credit_code = :c"), {"r": rid, "c": GEN})}
        found = conn.execute(sa.text("select code, waste_code, manifest_no, text, rule, data from waste_finding "
                                     "where run_id = :r order by id"), {"r": rid}).all()
        links = dict(conn.execute(sa.text("""select m.manifest_no, c.waybill_status || '|' || c.waybill_note
            from waste_manifest_check c join waste_manifest m on m.id = c.manifest_id where c.run_id = :r"""),
                                  {"r": rid}).all())
        risk = dict(conn.execute(sa.text("""select e.credit_code, er.reasons from enterprise_risk er
            join enterprise e on e.id = er.enterprise_id where er.run_id = :r"""), {"r": rid}).all())
        colour = dict(conn.execute(sa.text("""select e.credit_code, er.risk_color from enterprise_risk er
            join enterprise e on e.id = er.enterprise_id where er.run_id = :r"""), {"r": rid}).all())

    oil = stock["900-249-08"]
    # balance: opening 3 + generated 2 + 1 − confirmed (1.2 + 0.1) − self-utilised 0.5 = 4.2; in transit 0.3
    assert (oil.opening_t, oil.generated_t, oil.confirmed_t, oil.self_utilised_t, oil.in_transit_t) == (
        3.0, 3.0, 1.3, 0.5, 0.3)
    assert oil.stock_t == pytest.approx(4.2) and oil.on_site_t == pytest.approx(3.9)
    # FIFO: 2.1 t left (1.3 + 0.3 + 0.5) from the 3 t opening batch of 2025-03-01 → 0.9 t of it remain,
    # 486 days old (365 to 2026-03-01, then 31 + 30 + 31 + 29); the 2 t of 2026-01-10 are 171 days old,
    # the 1 t of 2026-04-01 90 days
    assert oil.oldest_batch_date == dt.date(2025, 3, 1) and oil.oldest_age_days == 486
    assert oil.over_limit_t == pytest.approx(0.9)
    assert oil.tonne_days == pytest.approx(0.9 * 486 + 2 * 171 + 1 * 90)
    assert oil.clearance_rank == 1 and oil.storage_limit_days == 365 and oil.operator is False
    bag = stock["900-041-49"]  # 0.15 t received, nothing on the ledger
    assert bag.stock_t == pytest.approx(-0.15) and bag.clearance_rank is None and bag.oldest_age_days is None

    codes = [(f.code, f.waste_code, f.manifest_no) for f in found]
    assert codes == [
        ("WASTE_LONG_STORED", "900-249-08", None),
        ("WASTE_NEGATIVE_BALANCE", "900-041-49", None),
        ("WASTE_OVER_CAPACITY", None, None),
        ("WASTE_BELOW_PLAN", "900-249-08", None),
        ("WASTE_MAJOR_DISCREPANCY", None, "20261405000003"),
        ("WASTE_MANIFEST_OPEN", None, "20261405000004"),
        ("WASTE_LICENCE_SCOPE", "900-249-08", "20261405000005"),
    ]
    by = {f.code: f for f in found}
    assert "486 天" in by["WASTE_LONG_STORED"].text and by["WASTE_LONG_STORED"].rule == "危险废物库存规则“产生单位贮存期限”（本地政策）"
    assert by["WASTE_LONG_STORED"].data["rule_ref"] == "waste_stock.toml max_storage_days"
    assert by["WASTE_OVER_CAPACITY"].data == {"on_site_t": pytest.approx(3.9), "capacity_t": 3.5}
    # plan: 20 t × 181/365 = 9.918 t expected, 3 t generated → 30 % < 50 %
    assert by["WASTE_BELOW_PLAN"].data["expected_t"] == pytest.approx(20 * 181 / 365)
    assert by["WASTE_BELOW_PLAN"].data["ratio"] == pytest.approx(3 / (20 * 181 / 365))
    assert by["WASTE_MANIFEST_OPEN"].data["days_open"] == 81  # 20 + 31 + 30
    assert "第十八条第二款" in by["WASTE_MAJOR_DISCREPANCY"].rule

    # the transport wing's tables exist but hold no waybill: a link with a waybill no. is 未核查, said so
    assert links["20261405000001"].startswith("not_found|未核查：电子运单 YD-OK 不在运单登记中")
    assert links["20261405000004"] == "none|联单未填电子运单号"

    # colours: the waste reasons (local policy) take the enterprise out of blue; points capped at 30
    reasons = [r for r in risk[GEN] if r["code"].startswith("WASTE_")]
    pts = {r["code"]: r["points"] for r in reasons}
    assert pts["WASTE_LONG_STORED"] == -12 and pts["WASTE_OVER_CAPACITY"] == -5
    assert sum(pts.values()) == -30 and all("本地政策" in r["text"] for r in reasons)
    assert colour[GEN] != "blue" and not any(r["code"].startswith("WASTE_") for r in risk["91140502MA0K1B2C41"])


def test_waybill_link_when_the_transport_tables_exist(loaded):
    """Two waybills in the transport wing's own tables (as its ETL kind stores them)."""
    from hazmap.db.session import get_engine

    with get_engine(loaded).begin() as conn:
        ids = dict(conn.execute(sa.text("""
            insert into waybill (waybill_no, vehicle_plate, departure_date)
            values ('YD-OK', '晋E12345', '2026-05-01'), ('YD-BAD', '晋E12346', '2026-05-01')
            returning waybill_no, id""")).all())
        conn.execute(sa.text("""
            insert into waybill_goods (waybill_id, line_no, name, quantity, unit)
            values (:ok, 1, '废矿物油', 1195, 'kg'), (:bad, 1, '废矿物油', 0.5, 't')"""),
                     {"ok": ids["YD-OK"], "bad": ids["YD-BAD"]})
    rid = refresh(loaded)["run_id"]
    with get_engine(loaded).connect() as conn:
        links = dict(conn.execute(sa.text("""select m.manifest_no, c.waybill_status from waste_manifest_check c
            join waste_manifest m on m.id = c.manifest_id where c.run_id = :r"""), {"r": rid}).all())
        mism = conn.execute(sa.text("select manifest_no, data from waste_finding where run_id = :r "
                                    "and code = 'WASTE_WAYBILL_MISMATCH'"), {"r": rid}).all()
    # 1.195 t against 1.2 t: within max(0.01 t, 5 %); 0.5 t against 0.3 t: 0.2 t off, over 0.015 t
    assert links["20261405000001"] == "matched" and links["20261405000002"] == "mismatch"
    assert links["20261405000003"] == "not_found"
    assert [(m.manifest_no, m.data["waybill_t"], m.data["manifest_t"]) for m in mism] == [
        ("20261405000002", 0.5, 0.3)]

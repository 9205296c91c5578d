"""The demo's transport wing end to end (issue 15 item 9): ``hazmap demo`` sends the tracks through the
real JT/T 808 listener (simulated terminals over TCP), the ETL loads the registries and the refresh
explains every 五必查 outcome; the map's collections serve the trips and their alarms."""

from __future__ import annotations

import csv

import pytest
import sqlalchemy as sa

from tests.transport_scenario import ROOT

pytestmark = pytest.mark.postgis


def _rows(url, sql):
    from hazmap.db.session import get_engine

    with get_engine(url).connect() as conn:
        return conn.execute(sa.text(sql)).all()


def test_demo_tracks_come_through_the_jt808_listener(demo_db):
    url, result = demo_db
    with (ROOT / "data" / "demo" / "transport_tracks.csv").open(encoding="utf-8") as f:
        fixes = list(csv.DictReader(f))
    n = len(fixes)
    assert f"JT/T 808 模拟接入：9 个终端" in result.output and f"平台确认并入库 {n} 条" in result.output
    (row,) = _rows(url, "select count(*) as n, count(distinct terminal_phone) as terminals, min(source) as s, "
                        "max(source) as s2, bool_and(receive_time > device_time) as later from vehicle_position")
    assert (row.n, row.terminals, row.s, row.s2, row.later) == (n, 9, "jt808", "jt808", True)
    # the terminal's clock survives the BCD round trip (Beijing time in the file, timestamptz stored)
    first = min(fixes, key=lambda r: (r["定位时间"], r["终端手机号"]))
    (t,) = _rows(url, f"select to_char(min(device_time) at time zone 'Asia/Shanghai', 'YYYY-MM-DD HH24:MI:SS') "
                      f"from vehicle_position where terminal_phone = '{first['终端手机号']}'")
    assert t[0] == first["定位时间"]


def test_every_five_checks_outcome_of_the_demo_is_explained(demo_db):
    url, _ = demo_db
    rows = _rows(url, """select w.waybill_no, r.outcome, r.checks from waybill_result r join waybill w on w.id = r.waybill_id
                         where r.run_id = (select max(id) from run where status = 'succeeded') order by 1""")
    assert len(rows) == 9
    failing = {c["key"]: r.waybill_no for r in rows for c in r.checks if c["outcome"] == "fail"}
    assert sorted(failing) == sorted(["vehicle_documents", "crew_qualifications", "tank_inspection",
                                      "goods_match_waybill", "tank_media"])  # one waybill fails each check
    assert len(set(failing.values())) == 5
    assert [r.outcome for r in rows].count("pass") == 3 and [r.outcome for r in rows].count("not_checked") == 1
    for r in rows:
        for c in r.checks:
            assert c["reasons"], (r.waybill_no, c["key"])  # every outcome says why
            if c["outcome"] == "fail":
                assert any("有效期至" in x or "不符" in x or "不在" in x for x in c["reasons"]), c


def test_demo_trips_and_alarms_on_the_map(demo_app):
    client = demo_app.test_client()
    trips = client.get("/api/v1/trips?limit=100").get_json()["features"]
    assert len(trips) == 9 and all(t["geometry"]["type"] == "LineString" for t in trips)
    alarms = client.get("/api/v1/transport-alarms?limit=500").get_json()["features"]
    by_plate = {}
    for a in alarms:
        by_plate.setdefault(a["properties"]["vehicle_plate"], set()).add(a["properties"]["kind"])
    assert "speed" in by_plate["晋ED0002"] and "dwell" in by_plate["晋ED0003"] and "zone" in by_plate["晋ED0001"]
    school = [a for a in alarms if a["properties"]["vehicle_plate"] == "晋ED0001" and "小学" in a["properties"]["text"]]
    assert school and all(a["properties"]["town"] for a in alarms)
    assert "overlays_transport.js" in client.get("/").get_data(as_text=True)

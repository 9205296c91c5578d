"""The transport refresh step (issue 15 items 3–6): 五必查 per waybill, trips with tracks, tag
invariants, route alarms with their legal basis, restricted zones and concentration cells — stored
per run, checked against the scenario's hand-worked outcomes (tests/transport_scenario.py)."""

from __future__ import annotations

import pytest
import sqlalchemy as sa

from tests.transport_scenario import load_scenario

pytestmark = pytest.mark.postgis


@pytest.fixture(scope="module")
def scenario(tmp_path_factory, postgis_available):
    from hazmap.db.init import init_database
    from tests.helpers import drop_database, scratch_url

    url = scratch_url("hz_trrefresh")
    init_database(url)
    res = load_scenario(url, tmp_path_factory.mktemp("scenario"))
    yield url, res
    drop_database(url)


def _rows(url, sql, **params):
    from hazmap.db.session import get_engine

    with get_engine(url).connect() as conn:
        return conn.execute(sa.text(sql), params).all()


def test_five_checks_per_waybill(scenario):
    url, res = scenario
    counts = res.counts["refresh"]["transport"]
    assert (counts["waybills"], counts["failed"], counts["not_checked"], counts["passed"]) == (7, 5, 1, 1)
    rows = {r.waybill_no: r for r in _rows(url, """
        select w.waybill_no, r.outcome, r.failed, r.not_checked, r.checks from waybill_result r
        join waybill w on w.id = r.waybill_id where r.run_id = :run""", run=res.run_id)}
    outcome = {no: [c["outcome"] for c in r.checks] for no, r in rows.items()}
    P, F, N = "pass", "fail", "not_checked"
    assert outcome == {"YD1": [P, P, P, P, P], "YD2": [F, P, P, P, P], "YD3": [P, F, P, P, P],
                       "YD4": [P, P, F, P, P], "YD5": [P, P, P, F, P], "YD6": [P, P, P, P, F],
                       "YD7": [P, P, P, N, P]}
    reasons = {no: "；".join(x for c in r.checks for x in c["reasons"] if c["outcome"] != P) for no, r in rows.items()}
    assert "道路运输证（140502000001）有效期至 2026-10-31，早于装货日期 2026-11-20" in reasons["YD2"]
    assert "驾驶人 王五 资格证（D2）有效期至 2026-11-01，早于装货日期 2026-11-21" in reasons["YD3"]
    assert "罐体（TK-2021-0001）检验有效期至 2026-11-19" in reasons["YD4"]
    assert "装货记录 25000 kg、运单 20000 kg，相差 25.0%，允许 5%" in reasons["YD5"]
    assert "“甲醇”不在车辆 晋EA1005 罐体（TK-2021-0001）的适装介质列表（汽油、柴油）内" in reasons["YD6"]
    assert "无装货记录或标签事件" in reasons["YD7"]
    assert rows["YD1"].checks[0]["basis"].startswith("《危险货物道路运输安全管理办法》")
    assert rows["YD1"].checks[0]["status"] == "uncertain"  # the article number is not verified


def test_trip_track_window_and_tag_findings(scenario):
    url, res = scenario
    trips = {r.waybill_no: r for r in _rows(url, """
        select w.waybill_no, t.closed, t.n_fixes, t.tags, t.missing_receipts, t.findings, t.tonnage_t, t.labels,
               t.alarms, ST_NPoints(t.geom) as npts, ST_X(ST_StartPoint(t.geom)) as x0, ST_X(ST_EndPoint(t.geom)) as x1,
               t.loaded_at at time zone 'Asia/Shanghai' as opened, t.received_at at time zone 'Asia/Shanghai' as receipt
        from trip t join waybill w on w.id = t.waybill_id where t.run_id = :run""", run=res.run_id)}
    t1 = trips["YD1"]
    assert t1.closed and t1.n_fixes == 11 and t1.npts == 11
    assert (t1.x0, t1.x1) == (112.83, 112.87)  # the 11:30 fix after receipt is not on the trip
    assert str(t1.opened) == "2026-11-20 08:20:00" and str(t1.receipt) == "2026-11-20 11:00:00"
    assert t1.tags == ["TAG-1"] and t1.missing_receipts == [] and t1.findings == []
    assert t1.tonnage_t == 20.0 and t1.labels == ["3", "易燃"] and t1.alarms == 3
    t5 = trips["YD5"]
    assert not t5.closed and t5.missing_receipts == ["TAG-2"] and t5.npts is None
    assert {f["code"] for f in t5.findings} == {"tag_not_on_waybill", "goods_without_tag"}
    assert {f["code"] for f in trips["YD2"].findings} == {"goods_without_tag"}  # no tag at all


def test_route_alarms_with_legal_basis(scenario):
    url, res = scenario
    alarms = _rows(url, """
        select a.kind, a.rule_id, a.value, a.legal_basis, a.text, a.zone_key, ST_X(a.geom) as x,
               a.start_time at time zone 'Asia/Shanghai' as s, a.end_time at time zone 'Asia/Shanghai' as e
        from transport_alarm a where a.run_id = :run order by a.start_time""", run=res.run_id)
    assert [a.kind for a in alarms] == ["speed", "zone", "dwell"]
    speed, zone, dwell = alarms
    assert speed.value == 95.0 and (str(speed.s), str(speed.e)) == ("2026-11-20 08:32:00", "2026-11-20 08:33:00")
    assert "第四十六条" in speed.legal_basis and "下限" in speed.text
    assert zone.zone_key.startswith("T-") and zone.x == 112.85 and "晋城市示例小学周边 100 m" in zone.text
    assert "第四十九条" in zone.legal_basis
    assert dwell.value == 2400.0 and "40 分钟" in dwell.text


def test_zones_and_concentration_cells(scenario):
    url, res = scenario
    zones = _rows(url, "select zone_key, origin, ST_Area(geom::geography) as m2 from transport_zone where run_id = :run",
                  run=res.run_id)
    assert [(z.zone_key[:2], z.origin) for z in zones] == [("T-", "target")]  # the school; not the residential area
    assert zones[0].m2 == pytest.approx(3.1416 * 100 ** 2, rel=0.02)  # a 100 m disc
    cells = _rows(url, """select class_filter, count(*) as n, min(trips) as t0, max(trips) as t1,
                                 min(tonnage_trips_t) as w0, max(tonnage_trips_t) as w1
                          from transport_cell where run_id = :run group by 1 order by 1""", run=res.run_id)
    by = {c.class_filter: c for c in cells}
    # one trip (YD1, 20 t) over 112.83 → 112.87 at 35.48: about 3.6 km of 1 km cells
    assert set(by) == {"all", "3", "易燃"} and 4 <= by["all"].n <= 6
    assert (by["all"].t0, by["all"].t1, by["all"].w0, by["all"].w1) == (1, 1, 20.0, 20.0)
    assert by["易燃"].n == by["all"].n


# ---- collections and endpoints ----------------------------------------------------------------------

@pytest.fixture(scope="module")
def client(scenario):
    from tests.helpers import as_user
    from webmap import create_app

    return as_user(create_app({"TESTING": True, "DATABASE_URL": scenario[0]})).test_client()


def test_collections_serve_the_results(client):
    fc = client.get("/api/v1/waybills?outcome=fail&limit=50").get_json()
    assert sorted(f["properties"]["waybill_no"] for f in fc["features"]) == ["YD2", "YD3", "YD4", "YD5", "YD6"]
    yd2 = next(f for f in fc["features"] if f["properties"]["waybill_no"] == "YD2")["properties"]
    assert yd2["failed_keys"] == "vehicle_documents" and yd2["check_outcome_label"] == "不通过"
    assert "一查：车辆行驶证和道路运输证（营运证）有效：不通过（" in yd2["checks_text"]
    item = client.get(f"/api/v1/waybills/{fc['features'][0]['id']}").get_json()
    assert item["properties"]["goods"][0]["un_number"] == "1203"
    trips = client.get("/api/v1/trips").get_json()["features"]
    assert [t["properties"]["waybill_no"] for t in trips] == ["YD1"]  # the only trip with a track
    assert trips[0]["geometry"]["type"] == "LineString" and len(trips[0]["geometry"]["coordinates"]) == 11
    detail = client.get(f"/api/v1/trips/{trips[0]['id']}").get_json()["properties"]
    assert [a["kind"] for a in detail["alarm_list"]] == ["speed", "zone", "dwell"]
    alarms = client.get("/api/v1/transport-alarms?kind=zone").get_json()["features"]
    assert len(alarms) == 1 and alarms[0]["properties"]["kind_label"] == "进入限行区域"
    assert alarms[0]["geometry"]["coordinates"] == [112.85, 35.48]
    veh = client.get("/api/v1/vehicles").get_json()["features"]
    assert [(v["properties"]["plate"], v["geometry"]["coordinates"]) for v in veh] == [("晋EA1001", [112.88, 35.48])]
    zones = client.get("/api/v1/restricted-zones").get_json()["features"]
    assert [z["properties"]["windows_text"] for z in zones] == ["全天"]
    assert zones[0]["properties"]["classes_text"] == "全部危险货物"
    cells = client.get("/api/v1/transport-cells").get_json()["features"]
    assert cells[0]["properties"]["rank"] == 1 and all(c["properties"]["class_filter"] == "all" for c in cells)
    assert client.get("/api/v1/transport-cells?class=剧毒").get_json()["features"] == []
    bad = client.get("/api/v1/waybills?outcome=maybe")
    assert bad.status_code == 400 and bad.get_json()["error"]["field"] == "outcome"


def test_dashboard_summary_and_enterprise_file(client, scenario):
    s = client.get("/api/v1/transport/summary").get_json()
    assert s["waybills"] == {"fail": 5, "not_checked": 1, "pass": 1}
    assert s["week"]["trips"] == 7 and s["week"]["open"] == 6  # YD3 (11-21) is the newest start
    assert [c["failed"] for c in s["checks"]] == [1, 1, 1, 1, 1] and s["checks"][3]["not_checked"] == 1
    assert {k["kind"]: k["count"] for k in s["alarms_by_kind"]} == {"speed": 1, "zone": 1, "dwell": 1, "deviation": 0,
                                                                    "driving": 0}
    assert s["alarms_by_town"] == [{"town": "区外或未归属", "count": 3}]  # the scenario loads no towns
    ids = dict(_rows(scenario[0], "select credit_code, id from enterprise"))
    from tests.transport_scenario import CARRIER, CONSIGNEE, LOADER

    loader = client.get(f"/api/v1/enterprises/{ids[LOADER]}/transport").get_json()
    assert loader["waybills_total"] == 7 and loader["failing"] == 5 and loader["not_checked"] == 1
    assert [w["waybill_no"] for w in loader["waybills"]][-1] == "YD7"  # fails first, 未核查 last
    assert all(w["roles"] == ["装货人"] for w in loader["waybills"])
    yd6 = next(w for w in loader["waybills"] if w["waybill_no"] == "YD6")
    assert [c["key"] for c in yd6["checks"]] == ["tank_media"]
    assert client.get(f"/api/v1/enterprises/{ids[CARRIER]}/transport").get_json()["failing"] == 5
    assert client.get(f"/api/v1/enterprises/{ids[CONSIGNEE]}/transport").get_json()["waybills"] == []
    missing = client.get("/api/v1/enterprises/999999/transport")
    assert missing.status_code == 404
    page = client.get("/dashboard")
    assert page.status_code == 200 and "危险货物运输（五必查、行程、报警）" in page.get_data(as_text=True)
    assert "overlays_transport.js" in client.get("/").get_data(as_text=True)


def test_enterprise_file_partial_renders_for_the_lead_to_wire(client):
    app = client.application
    with app.test_request_context():
        html = app.jinja_env.get_template("enterprise/transport.html").render(enterprise_id=5)
    assert 'data-enterprise="5"' in html and "五必查不通过的运单" in html and "<script" not in html

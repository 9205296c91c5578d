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

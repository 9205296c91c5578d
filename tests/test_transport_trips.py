"""Trips (waybill + positions between loading and receipt) and tag invariants; concentration per grid cell."""

from __future__ import annotations

import datetime as dt

import numpy as np
import pytest
import shapely
from pyproj import Transformer

from geo.transport.checks import Goods, Waybill
from geo.transport.concentration import TripLoad, concentration
from geo.transport.route import Track
from geo.transport.trips import Tag, TagEvent, build_trip, tag_findings

UTC = dt.timezone.utc
T0 = dt.datetime(2024, 5, 10, 0, 0, tzinfo=UTC)
METHANOL = Goods("甲醇", "T1-65", "UN1230", "3", 20.0, "t")
W1 = Waybill("YD-001", T0.date(), "晋E12345", (METHANOL,), consignee="泽州化工")
TAGS = {"A": Tag("A", Goods("甲醇", "T1-65")), "B": Tag("B", Goods("甲醇", "T1-65")), "C": Tag("C", Goods("乙醇", "T1-67"))}


def at(minutes):
    return T0 + dt.timedelta(minutes=minutes)


def ev(uid, kind, minutes, enterprise=None, waybill="YD-001"):
    return TagEvent(uid, kind, at(minutes), enterprise, waybill)


# one fix every 10 minutes from an hour before T0 to six hours after (minutes −60 … 360)
TRACK = Track(np.array([at(m).timestamp() for m in range(-60, 361, 10)]), np.linspace(112.80, 112.95, 43),
              np.linspace(35.45, 35.55, 43), np.full(43, 40.0))


def test_trip_closes_when_the_consignee_has_scanned_every_tag():
    events = [ev("A", "loaded", 0, "晋城煤化"), ev("B", "loaded", 5, "晋城煤化"),
              ev("A", "received", 240, "泽州化工"), ev("B", "received", 245, "泽州化工")]
    trip = build_trip(W1, events, TRACK)
    assert trip.closed and (trip.loaded_at, trip.received_at) == (at(0), at(245))
    # fixes at minutes 0, 10, …, 240 lie in [0, 245]: 25 of them
    assert trip.n_fixes == 25 and trip.tags == ("A", "B") and trip.missing_receipts == ()
    assert trip.track.coords[0] == (TRACK.lon[6], TRACK.lat[6]) and len(trip.track.coords) == 25
    assert tag_findings([W1], events, TAGS) == []


def test_a_scan_by_someone_else_does_not_close_the_trip():
    events = [ev("A", "loaded", 0), ev("B", "loaded", 0), ev("A", "received", 240, "泽州化工"),
              ev("B", "received", 245, "路边加油站")]
    trip = build_trip(W1, events, TRACK)
    assert not trip.closed and trip.missing_receipts == ("B",)
    assert trip.n_fixes == len(range(0, 361, 10))  # open: up to the newest fix
    (f,) = tag_findings([W1], events, TAGS)
    assert f.code == "received_by_other" and f.tag_uid == "B"
    assert f.text == "标签 B 由 路边加油站 签收，不是运单 YD-001 的收货人 泽州化工；行程不因此结束"


def test_a_tag_on_two_open_trips_and_goods_tag_mismatches():
    w2 = Waybill("YD-002", T0.date(), "晋E55555", (Goods("乙醇", "T1-67"),), consignee="城区医院")
    events = [ev("A", "loaded", 0), ev("B", "loaded", 0), ev("A", "loaded", 30, waybill="YD-002"),
              ev("C", "loaded", 30, waybill="YD-002"), ev("X", "loaded", 30, waybill="YD-002")]
    found = {(f.code, f.waybill_no, f.tag_uid) for f in tag_findings([W1, w2], events, TAGS)}
    assert found == {
        ("tag_on_two_open_trips", "YD-002", "A"),  # A never received for YD-001, loaded again for YD-002
        ("tag_not_on_waybill", "YD-002", "A"),  # a methanol tag on an ethanol waybill
        ("unknown_tag", "YD-002", "X"),
    }
    texts = [f.text for f in tag_findings([W1, w2], events, TAGS) if f.code == "tag_on_two_open_trips"]
    assert texts == ["标签 A 同时在 2 个未结束的运输行程上（运单 YD-001、YD-002）"]


def test_goods_without_any_tag_is_a_finding_and_such_a_trip_stays_open():
    w = Waybill("YD-003", T0.date(), "晋E12345", (METHANOL, Goods("乙醇", "T1-67")), consignee="泽州化工")
    events = [ev("A", "loaded", 0, waybill="YD-003"), ev("A", "received", 100, "泽州化工", waybill="YD-003")]
    assert [(f.code, f.text) for f in tag_findings([w], events, TAGS)] == [
        ("goods_without_tag", "运单 YD-003 的货物“乙醇”没有任何装车标签")]
    untagged = build_trip(Waybill("YD-004", T0.date(), "晋E12345", (METHANOL,)), [], TRACK, loaded_at=at(300))
    assert untagged.loaded_at == at(300) and not untagged.closed and untagged.n_fixes == 7  # 300…360
    with pytest.raises(ValueError, match="标签事件类型“lost”无效"):
        TagEvent("A", "lost", T0)


# ---- concentration ------------------------------------------------------------------------------

TO_4547 = Transformer.from_crs("EPSG:4547", "EPSG:4326", always_xy=True)


def trip(trip_id, xs, ys, tonnage, labels=(), start=T0):
    lon, lat = TO_4547.transform(np.asarray(xs, float), np.asarray(ys, float))
    return TripLoad(trip_id, start, np.asarray(lon), np.asarray(lat), tonnage, frozenset(labels))


def test_concentration_tonnage_times_trips_per_cell():
    # EPSG:4547 metres, 1 km cells: trip 1 (20 t) is a straight segment from x = 395 200 to 397 800 at
    # y = 3 930 500 given by its two end fixes only — it crosses cells 395, 396 and 397 (row 3930);
    # trip 2 (10 t, 剧毒) stays inside cell 396; trip 3 (50 t) started before the period.
    trips = [trip("T1", [395_200, 397_800], [3_930_500, 3_930_500], 20.0, {"3", "易燃"}),
             trip("T2", [396_100, 396_900], [3_930_200, 3_930_800], 10.0, {"6.1", "剧毒"}),
             trip("T3", [396_500, 396_600], [3_930_500, 3_930_500], 50.0, start=T0 - dt.timedelta(days=8))]
    cells = concentration(trips, cell_m=1000, crs="EPSG:4547", start=T0 - dt.timedelta(days=7), end=T0 + dt.timedelta(days=1))
    # cell 396: 20 t + 10 t = 30 t·趟 over 2 trips; cells 395 and 397: 20 t, 1 trip (ties ordered by x)
    assert [(c.ix, c.iy, c.trips, c.tonnage_trips_t, c.rank) for c in cells] == [
        (396, 3930, 2, 30.0, 1), (395, 3930, 1, 20.0, 2), (397, 3930, 1, 20.0, 3)]
    only_toxic = concentration(trips, cell_m=1000, crs="EPSG:4547", start=T0 - dt.timedelta(days=7), labels=["剧毒"])
    assert [(c.ix, c.tonnage_trips_t) for c in only_toxic] == [(396, 10.0)]
    # the cell polygon is WGS-84 and contains the trip's fixes inside that cell
    lon, lat = TO_4547.transform(396_500.0, 3_930_500.0)
    assert cells[0].polygon.contains(shapely.Point(lon, lat))
    assert concentration([], cell_m=1000, crs="EPSG:4547") == []
    with pytest.raises(ValueError, match="网格边长应为正数"):
        concentration(trips, cell_m=0, crs="EPSG:4547")

"""Route checks on tracks built here, whose speeds, stops, distances and times are known by construction."""

from __future__ import annotations

import datetime as dt

import numpy as np
import pytest
import shapely
from pyproj import Geod

from geo.transport.route import (
    RestrictedZone, TimeWindow, Track, check_route, deviation_alarms, driving_alarms, dwell_alarms, speed_alarms,
    zone_alarms,
)
from geo.transport.rules import load_route_rules
from hazmap.domain import data_dir

RULES = load_route_rules(data_dir("rules"))
GEOD = Geod(ellps="WGS84")
LON0, LAT0 = 112.85, 35.49
T0 = dt.datetime(2024, 5, 10, 0, 0, tzinfo=dt.timezone.utc)  # 08:00 Beijing time


def north(metres):
    """Points ``metres`` north of (LON0, LAT0) along the meridian (geodesic, WGS-84)."""
    lon, lat, _ = GEOD.fwd(np.full(len(metres), LON0), np.full(len(metres), LAT0), np.zeros(len(metres)),
                           np.asarray(metres, dtype=float))
    return np.asarray(lon), np.asarray(lat)


def east_of(lon, lat, metres):
    out_lon, out_lat, _ = GEOD.fwd(lon, lat, np.full(len(lon), 90.0), np.asarray(metres, dtype=float))
    return np.asarray(out_lon), np.asarray(out_lat)


def track(t_s, lon, lat, speed):
    return Track(T0.timestamp() + np.asarray(t_s, dtype=float), np.asarray(lon), np.asarray(lat),
                 np.asarray(speed, dtype=float))


def test_speed_without_road_data_holds_every_fix_to_80_and_says_so():
    speeds = [50, 65, 70, 55, 85, 90, 60]
    lon, lat = north(np.arange(7) * 200.0)
    alarms = speed_alarms(track(np.arange(7) * 10, lon, lat, speeds), RULES.speed)
    # 85 and 90 (fixes 4–5) exceed 80; 65 and 70 are not shown without road data
    assert len(alarms) == 1
    a = alarms[0]
    assert (a.value, a.start, a.end) == (90.0, T0 + dt.timedelta(seconds=40), T0 + dt.timedelta(seconds=50))
    assert (a.lon, a.lat) == (lon[5], lat[5]) and a.rule_id == "TR-SPEED"
    assert "超速：最高 90.0 km/h" in a.text and "未提供高速公路数据" in a.text and "第四十六条" in a.legal_basis


def test_speed_with_an_expressway_uses_80_on_it_and_60_elsewhere():
    lon, lat = north(np.arange(7) * 200.0)  # fixes every 200 m north
    # the expressway runs along the meridian from 700 m to 1300 m: fixes 4–6 (800, 1000, 1200 m) are on it,
    # fix 3 (600 m) is 100 m from its end (> 50 m match distance), fixes 0–2 farther
    e_lon, e_lat = north([700.0, 1300.0])
    expressway = shapely.LineString(np.column_stack((e_lon, e_lat)))
    alarms = speed_alarms(track(np.arange(7) * 10, lon, lat, [50, 65, 70, 55, 85, 90, 60]), RULES.speed,
                          expressways=expressway)
    # off the expressway 65 and 70 > 60 (fixes 1–2); on it 85 and 90 > 80 (fixes 4–5); 60 on it is fine
    assert [a.value for a in alarms] == [70.0, 90.0]
    assert "超过其他道路限速 60 km/h" in alarms[0].text and "超过高速公路限速 80 km/h" in alarms[1].text


def test_exactly_the_limit_is_not_speeding():
    lon, lat = north([0.0, 100.0])
    assert speed_alarms(track([0, 10], lon, lat, [80.0, 80.0]), RULES.speed) == []


def test_deviation_needs_three_consecutive_fixes_beyond_500_m():
    base_lon, base_lat = north(np.arange(10) * 300.0)
    planned = shapely.LineString(np.column_stack(north([-1000.0, 4000.0])))
    offsets = [0, 0, 600, 700, 650, 0, 520, 530, 0, 0]  # metres east of the planned meridian
    lon, lat = east_of(base_lon, base_lat, offsets)
    alarms = deviation_alarms(track(np.arange(10) * 30, lon, lat, np.full(10, 40.0)), planned, RULES.deviation)
    # fixes 2–4 (600, 700, 650 m) are one alarm; fixes 6–7 are only two fixes
    assert len(alarms) == 1
    a = alarms[0]
    assert a.value == pytest.approx(700.0, abs=0.5)  # projection error well under 0.5 m this close to the centre
    assert (a.start, a.end) == (T0 + dt.timedelta(seconds=60), T0 + dt.timedelta(seconds=120))
    assert "连续 3 个定位点超出 500 m，最远 700 m" in a.text


def test_dwell_outside_parking_longer_than_30_minutes():
    # one fix a minute; stop A: minutes 10–45 (36 fixes, 35 min) outside parking → alarm, 2100 s;
    # stop B: minutes 60–84 (25 fixes, 24 min) → no alarm; stop C: minutes 100–140 (40 min) inside parking → none
    t = np.arange(0, 150) * 60.0
    speed = np.full(150, 40.0)
    speed[10:46] = 0
    speed[60:85] = 0
    speed[100:141] = 2.0
    lon, lat = north(np.cumsum(speed > 5) * 100.0)  # 100 m per moving minute; stopped fixes stay put
    # permitted parking: a lon/lat box around stop C's place (all of C's fixes), kilometres from A and B
    parking = shapely.box(lon[120] - 0.002, lat[120] - 0.002, lon[120] + 0.002, lat[120] + 0.002)
    alarms = dwell_alarms(track(t, lon, lat, speed), RULES.dwell, parking=parking)
    assert [(a.value, a.start - T0) for a in alarms] == [(2100.0, dt.timedelta(minutes=10))]
    assert "在许可停车场所外停车 35 分钟，超过 30 分钟" in alarms[0].text
    # without parking data stop C is a dwell too
    assert len(dwell_alarms(track(t, lon, lat, speed), RULES.dwell)) == 2


def test_continuous_driving_over_4_hours_without_a_20_minute_rest():
    n = 301  # one fix a minute for 5 h at 50 km/h: one span of 18 000 s
    t = np.arange(n) * 60.0
    lon, lat = north(np.arange(n) * 833.0)
    alarms = driving_alarms(track(t, lon, lat, np.full(n, 50.0)), RULES.driving)
    assert len(alarms) == 1
    a = alarms[0]
    assert a.value == 18000.0 and (a.start, a.end) == (T0, T0 + dt.timedelta(hours=5))
    # exceeded at the first fix after 4 h 00 min (t = 14 460 s, fix 241): 4 h exactly is not "more than"
    assert (a.lon, a.lat) == (lon[241], lat[241])
    assert "连续驾驶 5.0 小时" in a.text and "第六十二条" in a.legal_basis


def test_a_20_minute_stop_resets_and_a_15_minute_one_does_not():
    n = 301
    t = np.arange(n) * 60.0
    lon, lat = north(np.arange(n) * 833.0)
    speed = np.full(n, 50.0)
    # stopped at fixes 150–168: from the last moving fix (149, 8 940 s) to the next (169, 10 140 s) = 1 200 s → a rest;
    # spans 0–149 (8 940 s) and 169–300 (7 860 s) are both under 4 h
    speed[150:169] = 0
    assert driving_alarms(track(t, lon, lat, speed), RULES.driving) == []
    speed = np.full(n, 50.0)
    speed[150:164] = 0  # 149 → 164: 900 s, not a rest
    assert len(driving_alarms(track(t, lon, lat, speed), RULES.driving)) == 1


def test_a_30_minute_gap_in_the_data_counts_as_rest():
    t = np.concatenate((np.arange(0, 151) * 60.0, 9000 + 1800 + np.arange(0, 150) * 60.0))
    lon, lat = north(np.arange(len(t)) * 833.0)
    assert driving_alarms(track(t, lon, lat, np.full(len(t), 50.0)), RULES.driving) == []


def test_restricted_zone_by_class_and_time_window():
    lon, lat = north(np.arange(12) * 100.0)  # 12 fixes, one every 10 min from 08:00 Beijing time
    t = np.arange(12) * 600.0
    zone = RestrictedZone("Z1", "实验小学周边", shapely.box(LON0 - 0.01, lat[3] - 1e-5, LON0 + 0.01, lat[8] + 1e-5),
                          classes=frozenset({"2.3", "剧毒"}), windows=(TimeWindow(7 * 3600, 9 * 3600),), source="学校外扩 200 m")
    tr = track(t, lon, lat, np.full(12, 30.0))
    alarms = zone_alarms(tr, [zone], RULES.zone, classes=frozenset({"2.3"}))
    # inside: fixes 3–8 (08:30–09:20); restricted only until 09:00 → fixes 3–5 (08:30, 08:40, 08:50)
    assert len(alarms) == 1 and (alarms[0].start, alarms[0].end) == (T0 + dt.timedelta(minutes=30),
                                                                    T0 + dt.timedelta(minutes=50))
    assert "载运危险货物（第2.3类）进入限行区域“实验小学周边”（07:00–09:00 限行）" in alarms[0].text
    assert alarms[0].zone_id == "Z1" and "区域来源：学校外扩 200 m" in alarms[0].text
    assert zone_alarms(tr, [zone], RULES.zone, classes=frozenset({"3"})) == []
    whole_class = RestrictedZone("Z2", "水源地", zone.polygon, classes=frozenset({"2"}))
    assert len(zone_alarms(tr, [whole_class], RULES.zone, classes=frozenset({"2.1"}))) == 1  # "2" covers 2.1
    overnight = RestrictedZone("Z3", "夜间", zone.polygon, windows=(TimeWindow(22 * 3600, 9 * 3600),))
    assert len(zone_alarms(tr, [overnight], RULES.zone, classes=frozenset())) == 1  # crosses midnight


def test_check_route_orders_alarms_and_track_windows():
    lon, lat = north(np.arange(7) * 200.0)
    tr = track(np.arange(7) * 10, lon, lat, [50, 65, 70, 55, 85, 90, 60])
    assert [a.rule_id for a in check_route(tr, RULES)] == ["TR-SPEED"]
    part = tr.window(T0 + dt.timedelta(seconds=10), T0 + dt.timedelta(seconds=30))
    assert len(part) == 3 and part.speed_kmh.tolist() == [65, 70, 55]
    with pytest.raises(ValueError, match="按时间先后排列"):
        track([10, 0], lon[:2], lat[:2], [0, 0])

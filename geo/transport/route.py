"""Route checks over one vehicle's positions: speed, deviation, dwell, continuous driving, restricted zones.

All checks are vectorised over the fixes (numpy masks, run detection with ``np.diff``, shapely 2
array functions); Python loops run only over the alarms found.  Thresholds come from
``data/rules/transport_route.toml`` (:class:`RouteRules`, loaded by
:func:`geo.transport.rules.load_route_rules`):

* **Speed** (办法第四十六条): over 80 km/h on an expressway, 60 km/h on other roads, using the
  speed the terminal reports.  A fix is on an expressway when within ``expressway_match_m`` of an
  expressway centre line given by the caller.  Without expressway data every fix is held to the
  expressway limit — a lower bound: every alarm is certain, speeding between 60 and 80 km/h off
  expressways is not found, and the alarm says so.
* **Deviation**: farther than ``max_distance_m`` from the planned route for at least
  ``min_consecutive_fixes`` consecutive fixes.
* **Dwell**: stationary (speed ≤ ``stop_speed_kmh``) outside every permitted parking polygon for
  longer than ``max_stop_s``, measured from the first to the last stationary fix (a lower bound).
* **Continuous driving** (《道路交通安全法实施条例》第六十二条第（七）项): more than 4 h without a
  rest of at least 20 min.  A rest is a stop (speed ≤ ``rest_speed_kmh``) lasting ``min_rest_s``
  measured from the last moving fix before it to the first moving fix after it, or a gap in the
  data at least that long (the vehicle cannot be shown to have been driving); short stops do
  not reset the driving time.  Both choices err towards fewer alarms.
* **Restricted zones** (办法第四十九条): a fix inside a zone polygon, while the trip carries a class
  the zone restricts, within the zone's daily time windows (Beijing time).

Coordinates are WGS-84 lon/lat (EPSG:4326).  Distances are metres in a transverse Mercator
projection centred on the track (WGS-84 ellipsoid, scale error < 0.01 % within 100 km of the
centre); point-in-polygon tests use lon/lat directly (topology, no distance).  Times are seconds
since the epoch (UTC); alarms carry timezone-aware datetimes and their texts show Beijing time.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np
import shapely
from pyproj import Transformer
from shapely.geometry.base import BaseGeometry

BEIJING = dt.timezone(dt.timedelta(hours=8))
_CHUNK = 200_000


# ---- rules -------------------------------------------------------------------------------

@dataclass(frozen=True)
class SpeedRule:
    rule_id: str
    expressway_kmh: float
    other_road_kmh: float
    expressway_match_m: float
    min_duration_s: float
    basis: str


@dataclass(frozen=True)
class DeviationRule:
    rule_id: str
    max_distance_m: float
    min_consecutive_fixes: int
    basis: str


@dataclass(frozen=True)
class DwellRule:
    rule_id: str
    max_stop_s: float
    stop_speed_kmh: float
    basis: str


@dataclass(frozen=True)
class DrivingRule:
    rule_id: str
    max_continuous_s: float
    min_rest_s: float
    rest_speed_kmh: float
    basis: str


@dataclass(frozen=True)
class ZoneRule:
    rule_id: str
    basis: str


@dataclass(frozen=True)
class RouteRules:
    speed: SpeedRule
    deviation: DeviationRule
    dwell: DwellRule
    driving: DrivingRule
    zone: ZoneRule
    number_status: dict
    version: str


# ---- inputs --------------------------------------------------------------------------------

@dataclass(frozen=True, eq=False)
class Track:
    """One vehicle's fixes in time order: ``t`` seconds since the epoch (UTC), WGS-84 lon/lat, km/h."""

    t: np.ndarray
    lon: np.ndarray
    lat: np.ndarray
    speed_kmh: np.ndarray

    def __post_init__(self) -> None:
        n = len(self.t)
        if not (len(self.lon) == len(self.lat) == len(self.speed_kmh) == n):
            raise ValueError("轨迹的时间、经度、纬度、速度数组长度不一致")
        if n > 1 and np.any(np.diff(self.t) < 0):
            raise ValueError("轨迹的定位时间须按时间先后排列")

    @classmethod
    def from_fixes(cls, times: Sequence[dt.datetime], lon, lat, speed_kmh) -> "Track":
        return cls(np.array([x.timestamp() for x in times], dtype=float), np.asarray(lon, dtype=float),
                   np.asarray(lat, dtype=float), np.asarray(speed_kmh, dtype=float))

    def __len__(self) -> int:
        return len(self.t)

    def window(self, start: dt.datetime | None, end: dt.datetime | None) -> "Track":
        """The fixes with ``start <= t <= end`` (open ends when ``None``)."""
        lo = 0 if start is None else int(np.searchsorted(self.t, start.timestamp(), "left"))
        hi = len(self.t) if end is None else int(np.searchsorted(self.t, end.timestamp(), "right"))
        return Track(self.t[lo:hi], self.lon[lo:hi], self.lat[lo:hi], self.speed_kmh[lo:hi])


@dataclass(frozen=True)
class TimeWindow:
    """A daily window in Beijing time, seconds of the day; ``start > end`` crosses midnight."""

    start_s: int
    end_s: int

    def contains(self, sod: np.ndarray) -> np.ndarray:
        if self.start_s <= self.end_s:
            return (sod >= self.start_s) & (sod < self.end_s)
        return (sod >= self.start_s) | (sod < self.end_s)

    @property
    def text(self) -> str:
        return f"{self.start_s // 3600:02d}:{self.start_s % 3600 // 60:02d}–{self.end_s // 3600:02d}:{self.end_s % 3600 // 60:02d}"


@dataclass(frozen=True)
class RestrictedZone:
    """A polygon (WGS-84) where hazardous-goods vehicles are restricted.

    ``classes``: UN classes (``"2.3"``, ``"3"``; ``"2"`` covers 2.1–2.3) or categories (``"剧毒"``)
    the zone restricts — ``None`` restricts every hazardous good; ``windows``: daily windows
    (empty = at all times).
    """

    zone_id: str
    name: str
    polygon: BaseGeometry
    classes: frozenset[str] | None = None
    windows: tuple[TimeWindow, ...] = ()
    source: str = ""

    def applies_to(self, classes: frozenset[str]) -> bool:
        if self.classes is None:
            return True
        for c in classes:
            if c in self.classes or c.split(".")[0] in self.classes:
                return True
        return False


@dataclass(frozen=True)
class RouteAlarm:
    rule_id: str
    start: dt.datetime
    end: dt.datetime
    lon: float  # where (WGS-84)
    lat: float
    value: float  # the measured quantity: km/h, metres, seconds
    legal_basis: str
    text: str
    zone_id: str | None = None


# ---- helpers ---------------------------------------------------------------------------------

def _runs(mask: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Start and end indices (inclusive) of the runs of True in ``mask``."""
    m = np.concatenate(([0], mask.astype(np.int8), [0]))
    d = np.diff(m)
    return np.flatnonzero(d == 1), np.flatnonzero(d == -1) - 1


def _projector(track: Track) -> Transformer:
    lon0 = float(np.median(track.lon)) if len(track) else 0.0
    lat0 = float(np.median(track.lat)) if len(track) else 0.0
    return Transformer.from_crs("EPSG:4326", f"+proj=tmerc +lat_0={lat0} +lon_0={lon0} +k=1 +x_0=0 +y_0=0 "
                                              "+ellps=WGS84 +units=m +no_defs", always_xy=True)


def _project(geom: BaseGeometry, tr: Transformer) -> BaseGeometry:
    return shapely.transform(geom, lambda xy: np.column_stack(tr.transform(xy[:, 0], xy[:, 1])))


def _distance_m(geom_m: BaseGeometry, x: np.ndarray, y: np.ndarray) -> np.ndarray:
    """Distances (m) from projected points to ``geom_m``, in chunks to bound memory."""
    shapely.prepare(geom_m)
    out = np.empty(len(x))
    for i in range(0, len(x), _CHUNK):
        out[i:i + _CHUNK] = shapely.distance(geom_m, shapely.points(x[i:i + _CHUNK], y[i:i + _CHUNK]))
    return out


def _near_bbox(geom: BaseGeometry, x: np.ndarray, y: np.ndarray, margin: float = 0.0) -> np.ndarray:
    x0, y0, x1, y1 = geom.bounds
    return (x >= x0 - margin) & (x <= x1 + margin) & (y >= y0 - margin) & (y <= y1 + margin)


def _inside(geom: BaseGeometry, lon: np.ndarray, lat: np.ndarray) -> np.ndarray:
    """Point-in-polygon (boundary included), testing only the points within the polygon's bounding box."""
    out = np.zeros(len(lon), dtype=bool)
    cand = np.flatnonzero(_near_bbox(geom, lon, lat))
    if len(cand):
        shapely.prepare(geom)
        out[cand] = shapely.intersects_xy(geom, lon[cand], lat[cand])
    return out


def _when(ts: float) -> dt.datetime:
    return dt.datetime.fromtimestamp(float(ts), dt.timezone.utc)


def _hm(ts: float) -> str:
    return _when(ts).astimezone(BEIJING).strftime("%m-%d %H:%M:%S")


def _minutes(s: float) -> str:
    return f"{s / 60:.0f} 分钟" if s < 5400 else f"{s / 3600:.1f} 小时"


# ---- the checks ------------------------------------------------------------------------------

def speed_alarms(track: Track, rule: SpeedRule, *, expressways: BaseGeometry | None = None) -> list[RouteAlarm]:
    """Runs of fixes over the limit (strictly greater) lasting at least ``min_duration_s``."""
    if not len(track):
        return []
    if expressways is None:
        limit = np.full(len(track), rule.expressway_kmh)
        note = f"；未提供高速公路数据，统一按 {rule.expressway_kmh:g} km/h 判定（下限）"
    else:
        tr = _projector(track)
        x, y = (np.asarray(v) for v in tr.transform(track.lon, track.lat))
        lines_m = _project(expressways, tr)
        on = np.zeros(len(track), dtype=bool)
        cand = np.flatnonzero(_near_bbox(lines_m, x, y, rule.expressway_match_m))
        on[cand] = _distance_m(lines_m, x[cand], y[cand]) <= rule.expressway_match_m
        limit = np.where(on, rule.expressway_kmh, rule.other_road_kmh)
        note = ""
    starts, ends = _runs(track.speed_kmh > limit)
    out = []
    for s, e in zip(starts, ends):
        if track.t[e] - track.t[s] < rule.min_duration_s:
            continue
        k = s + int(np.argmax(track.speed_kmh[s:e + 1]))
        v, lim = float(track.speed_kmh[k]), float(limit[k])
        road = "高速公路" if lim == rule.expressway_kmh and expressways is not None else (
            "其他道路" if expressways is not None else "")
        out.append(RouteAlarm(rule.rule_id, _when(track.t[s]), _when(track.t[e]), float(track.lon[k]),
                              float(track.lat[k]), v, rule.basis,
                              f"{_hm(track.t[s])} 至 {_hm(track.t[e])} 超速：最高 {v:.1f} km/h，超过{road}限速 "
                              f"{lim:g} km/h（{rule.basis}）{note}"))
    return out


def deviation_alarms(track: Track, planned: BaseGeometry, rule: DeviationRule) -> list[RouteAlarm]:
    """Runs of at least ``min_consecutive_fixes`` fixes farther than ``max_distance_m`` from ``planned`` (WGS-84)."""
    if not len(track):
        return []
    tr = _projector(track)
    x, y = tr.transform(track.lon, track.lat)
    d = _distance_m(_project(planned, tr), np.asarray(x), np.asarray(y))
    starts, ends = _runs(d > rule.max_distance_m)
    out = []
    for s, e in zip(starts, ends):
        if e - s + 1 < rule.min_consecutive_fixes:
            continue
        k = s + int(np.argmax(d[s:e + 1]))
        out.append(RouteAlarm(rule.rule_id, _when(track.t[s]), _when(track.t[e]), float(track.lon[k]),
                              float(track.lat[k]), float(d[k]), rule.basis,
                              f"{_hm(track.t[s])} 至 {_hm(track.t[e])} 偏离计划路线：连续 {e - s + 1} 个定位点超出 "
                              f"{rule.max_distance_m:g} m，最远 {d[k]:.0f} m（{rule.basis}）"))
    return out


def dwell_alarms(track: Track, rule: DwellRule, *, parking: BaseGeometry | None = None) -> list[RouteAlarm]:
    """Stops outside permitted parking (``parking`` polygons, WGS-84) longer than ``max_stop_s``."""
    if not len(track):
        return []
    mask = track.speed_kmh <= rule.stop_speed_kmh
    if parking is not None:
        mask &= ~_inside(parking, track.lon, track.lat)
    starts, ends = _runs(mask)
    out = []
    for s, e in zip(starts, ends):
        dur = float(track.t[e] - track.t[s])
        if dur <= rule.max_stop_s:
            continue
        out.append(RouteAlarm(rule.rule_id, _when(track.t[s]), _when(track.t[e]), float(track.lon[s]),
                              float(track.lat[s]), dur, rule.basis,
                              f"{_hm(track.t[s])} 至 {_hm(track.t[e])} 在许可停车场所外停车 {_minutes(dur)}，超过 "
                              f"{_minutes(rule.max_stop_s)}（{rule.basis}）"))
    return out


def driving_alarms(track: Track, rule: DrivingRule) -> list[RouteAlarm]:
    """Driving spans longer than ``max_continuous_s`` between rests of at least ``min_rest_s``."""
    n = len(track)
    if n < 2:
        return []
    t = track.t
    stopped = track.speed_kmh <= rule.rest_speed_kmh
    rest = np.zeros(n, dtype=bool)
    starts, ends = _runs(stopped)
    before = t[np.maximum(starts - 1, 0)]
    after = t[np.minimum(ends + 1, n - 1)]
    for s, e in zip(starts[after - before >= rule.min_rest_s], ends[after - before >= rule.min_rest_s]):
        rest[s:e + 1] = True
    gap_before = np.concatenate(([False], np.diff(t) >= rule.min_rest_s))
    drive = ~rest
    prev_drive = np.concatenate(([False], drive[:-1]))
    next_drive = np.concatenate((drive[1:], [False]))
    gap_after = np.concatenate((gap_before[1:], [False]))
    span_start = np.flatnonzero(drive & (~prev_drive | gap_before))
    span_end = np.flatnonzero(drive & (~next_drive | gap_after))
    out = []
    for s, e in zip(span_start, span_end):
        dur = float(t[e] - t[s])
        if dur <= rule.max_continuous_s:
            continue
        k = s + int(np.searchsorted(t[s:e + 1], t[s] + rule.max_continuous_s, "right"))
        k = min(k, e)
        out.append(RouteAlarm(rule.rule_id, _when(t[s]), _when(t[e]), float(track.lon[k]), float(track.lat[k]), dur,
                              rule.basis,
                              f"{_hm(t[s])} 起连续驾驶 {_minutes(dur)}（至 {_hm(t[e])}），超过 "
                              f"{_minutes(rule.max_continuous_s)} 未停车休息 {_minutes(rule.min_rest_s)} 以上；"
                              f"{_hm(t[k])} 起超时（{rule.basis}）"))
    return out


def zone_alarms(track: Track, zones: Sequence[RestrictedZone], rule: ZoneRule, *,
                classes: frozenset[str]) -> list[RouteAlarm]:
    """Entries into zones that restrict one of the trip's ``classes``, within the zones' time windows."""
    if not len(track):
        return []
    sod = (track.t + 8 * 3600) % 86400
    out = []
    for z in zones:
        if not z.applies_to(classes):
            continue
        mask = _inside(z.polygon, track.lon, track.lat)
        if z.windows:
            mask &= np.logical_or.reduce([w.contains(sod) for w in z.windows])
        when = "（" + "、".join(w.text for w in z.windows) + " 限行）" if z.windows else ""
        hit = sorted(c for c in classes if z.classes is None or c in z.classes or c.split(".")[0] in z.classes)
        what = "（" + "、".join(f"第{c}类" if c[:1].isdigit() else c for c in hit) + "）" if hit else ""
        for s, e in zip(*_runs(mask)):
            out.append(RouteAlarm(rule.rule_id, _when(track.t[s]), _when(track.t[e]), float(track.lon[s]),
                                  float(track.lat[s]), float(track.t[e] - track.t[s]), rule.basis,
                                  f"{_hm(track.t[s])} 至 {_hm(track.t[e])} 载运危险货物{what}进入限行区域"
                                  f"“{z.name}”{when}（{rule.basis}；区域来源：{z.source or '未注明'}）",
                                  zone_id=z.zone_id))
    return out


def check_route(track: Track, rules: RouteRules, *, planned: BaseGeometry | None = None,
                expressways: BaseGeometry | None = None, parking: BaseGeometry | None = None,
                zones: Sequence[RestrictedZone] = (), classes: frozenset[str] = frozenset()) -> list[RouteAlarm]:
    """Every route check that has its data; alarms in time order.  ``planned=None`` skips deviation."""
    alarms = speed_alarms(track, rules.speed, expressways=expressways)
    if planned is not None:
        alarms += deviation_alarms(track, planned, rules.deviation)
    alarms += dwell_alarms(track, rules.dwell, parking=parking)
    alarms += driving_alarms(track, rules.driving)
    alarms += zone_alarms(track, zones, rules.zone, classes=classes)
    return sorted(alarms, key=lambda a: (a.start, a.rule_id))

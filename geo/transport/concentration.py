"""Where transport concentrates: tonnage × trips per grid cell over a period, ranked.

Each trip counts once in every cell its track passes through; a cell's ``tonnage_trips_t`` is
the sum of the tonnage of those trips (t·趟, the quantity the work plan's 集中排查 targets), with
the number of trips beside it.  Tracks are densified to a step of a quarter cell before
gridding so that a long segment between two fixes still marks the cells it crosses.

The grid is square, ``cell_m`` metres, aligned on multiples of ``cell_m`` in the metric CRS the
caller names (for 晋城 the CGCS2000 3° Gauss-Krüger zone ``EPSG:4547``, central meridian
114°E); input tracks and output cell polygons are WGS-84 lon/lat.  Trips can be filtered by
period (the trip's start) and by class or category labels (``"剧毒"``, ``"易燃"``, ``"2.3"`` — a
trip matches when any of its labels is asked for).
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from functools import lru_cache

import numpy as np
import shapely
from pyproj import Transformer


@dataclass(frozen=True, eq=False)
class TripLoad:
    trip_id: str
    start: dt.datetime
    lon: np.ndarray  # the track, WGS-84
    lat: np.ndarray
    tonnage_t: float
    labels: frozenset[str] = frozenset()  # UN classes and categories carried (剧毒, 易燃…)


@dataclass(frozen=True)
class Cell:
    ix: int
    iy: int
    trips: int
    tonnage_trips_t: float
    polygon: shapely.Polygon  # WGS-84
    rank: int


def _densify(x: np.ndarray, y: np.ndarray, step: float) -> tuple[np.ndarray, np.ndarray]:
    if len(x) < 2:
        return x, y
    seg = np.hypot(np.diff(x), np.diff(y))
    n = np.maximum(1, np.ceil(seg / step).astype(int))
    idx = np.repeat(np.arange(len(seg)), n)
    frac = (np.arange(n.sum()) - np.repeat(np.cumsum(n) - n, n)) / np.repeat(n, n)
    xs = np.concatenate((x[idx] + frac * np.diff(x)[idx], x[-1:]))
    ys = np.concatenate((y[idx] + frac * np.diff(y)[idx], y[-1:]))
    return xs, ys


@lru_cache(maxsize=8)
def _transformers(crs: str) -> tuple[Transformer, Transformer]:
    """WGS-84 ↔ ``crs`` (building a pyproj transformer costs ≈ 0.15 s; a refresh asks three times)."""
    return (Transformer.from_crs("EPSG:4326", crs, always_xy=True),
            Transformer.from_crs(crs, "EPSG:4326", always_xy=True))


def concentration(trips: Iterable[TripLoad], *, cell_m: float, crs: str, start: dt.datetime | None = None,
                  end: dt.datetime | None = None, labels: Sequence[str] | None = None) -> list[Cell]:
    """Cells ranked by tonnage × trips (then trips, then position) for trips starting in ``[start, end)``."""
    if not cell_m > 0:
        raise ValueError(f"网格边长应为正数（cell_m={cell_m!r}）")
    fwd, back = _transformers(crs)
    wanted = None if labels is None else frozenset(labels)
    keys, weights = [], []
    for trip in trips:
        if (start is not None and trip.start < start) or (end is not None and trip.start >= end):
            continue
        if wanted is not None and not trip.labels & wanted:
            continue
        if not len(trip.lon):
            continue
        x, y = fwd.transform(np.asarray(trip.lon, dtype=float), np.asarray(trip.lat, dtype=float))
        x, y = _densify(np.atleast_1d(x), np.atleast_1d(y), cell_m / 4)
        cells = np.unique(np.column_stack((np.floor(x / cell_m), np.floor(y / cell_m))).astype(np.int64), axis=0)
        keys.append(cells)
        weights.append(np.full(len(cells), float(trip.tonnage_t)))
    if not keys:
        return []
    allk = np.concatenate(keys)
    w = np.concatenate(weights)
    uniq, inverse = np.unique(allk, axis=0, return_inverse=True)
    inverse = inverse.ravel()
    trips_n = np.bincount(inverse, minlength=len(uniq))
    tonnage = np.bincount(inverse, weights=w, minlength=len(uniq))
    order = np.lexsort((uniq[:, 1], uniq[:, 0], -trips_n, -tonnage))
    out = []
    for rank, i in enumerate(order, start=1):
        ix, iy = int(uniq[i, 0]), int(uniq[i, 1])
        cx = np.array([ix, ix + 1, ix + 1, ix, ix], dtype=float) * cell_m
        cy = np.array([iy, iy, iy + 1, iy + 1, iy], dtype=float) * cell_m
        lon, lat = back.transform(cx, cy)
        out.append(Cell(ix, iy, int(trips_n[i]), float(tonnage[i]), shapely.Polygon(np.column_stack((lon, lat))), rank))
    return out

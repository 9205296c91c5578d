"""In-memory proximity engine (shapely STRtree), the twin of the PostGIS conflict query.

Used in tests to cross-check :mod:`geo.postgis.conflicts` pair for pair, and usable in
notebooks without a database.

Notes
-----
Candidates come from an STRtree over the targets in WGS-84 degrees, queried with a box
that is safely larger than the required radius.  The exact distance of each candidate is
measured in an azimuthal-equidistant projection centred on the source point, where the
distance from the centre to any point is the true geodesic distance on the WGS-84
ellipsoid — the same metric PostGIS geography uses.  Distances are metres.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from functools import lru_cache

import shapely
from pyproj import Transformer
from shapely.geometry.base import BaseGeometry
from shapely.strtree import STRtree

_M_PER_DEG_LAT = 110_574.0  # smallest metres per degree of latitude (at the equator)


@dataclass(frozen=True)
class Source:
    id: int
    lon: float
    lat: float
    required_m: dict[str, float]  # protection-target category → required distance (m)


@dataclass(frozen=True)
class Target:
    id: int
    category: str
    geometry: BaseGeometry  # WGS-84 lon/lat


@dataclass(frozen=True)
class Pair:
    source_id: int
    target_id: int
    category: str
    distance_m: float
    required_m: float


@lru_cache(maxsize=4096)
def _aeqd(lon: float, lat: float) -> Transformer:
    return Transformer.from_crs(
        "EPSG:4326", f"+proj=aeqd +lat_0={lat} +lon_0={lon} +datum=WGS84 +units=m", always_xy=True)


def _project(t: Transformer, xy):
    import numpy as np

    x, y = t.transform(xy[:, 0], xy[:, 1])
    return np.column_stack([x, y])


def distance_m(lon: float, lat: float, geometry: BaseGeometry) -> float:
    """Geodesic distance in metres from a WGS-84 point to a WGS-84 geometry."""
    t = _aeqd(lon, lat)
    local = shapely.transform(geometry, lambda xy: _project(t, xy))
    return float(shapely.distance(shapely.Point(0, 0), local))


def conflicts(sources: list[Source], targets: list[Target]) -> list[Pair]:
    """Every (source, target) closer than the source's required distance for that category.

    A target exactly at the required distance complies; closer ones conflict.
    """
    if not targets:
        return []
    tree = STRtree([t.geometry for t in targets])
    out: list[Pair] = []
    for s in sources:
        if not s.required_m:
            continue
        r = max(s.required_m.values())
        dlat = r / _M_PER_DEG_LAT * 1.01 + 1e-6
        dlon = dlat / max(math.cos(math.radians(min(abs(s.lat) + dlat, 89.0))), 1e-6)
        box = shapely.box(s.lon - dlon, s.lat - dlat, s.lon + dlon, s.lat + dlat)
        for idx in tree.query(box):
            t = targets[int(idx)]
            need = s.required_m.get(t.category)
            if need is None:
                continue
            d = distance_m(s.lon, s.lat, t.geometry)
            if d < need:
                out.append(Pair(s.id, t.id, t.category, d, need))
    out.sort(key=lambda p: (p.source_id, p.target_id))
    return out

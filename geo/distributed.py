"""Partitioned conflict and exposure joins: the pure half of the Dask engine (no database, no Dask).

The PostGIS engine (:mod:`geo.postgis.conflicts`, :mod:`geo.postgis.exposure`) answers a
district or a province in one query.  At national scale (≈ 2×10⁵ enterprises, 10⁷–10⁸
building targets) the protection targets are cut into tiles, and each tile is a partition
that one Dask worker computes on its own.  :mod:`geo.postgis.distributed` exports the tiles
from PostGIS to GeoParquet, runs the functions below on the workers and writes the results
back; this module holds only the geometry: which sources go to which tile, and the join
inside one tile.

Partitioning and the halo
-------------------------
Targets are cut **once**: each target belongs to exactly one tile of a regular lon/lat grid
(``tile_deg`` wide), the tile that holds the centre of its bounding box.  A tile's
*envelope* is the bounding box of its own targets' geometries (a polygon may reach past
its tile's edge).  Each source is then copied into every tile whose envelope comes within
the source's reach — its largest required distance, or the exposure radius: that copy is
the halo.  "Within the reach" is judged with :func:`reach_box`, a lon/lat box around the
source that is never smaller than the reach on the WGS-84 ellipsoid.  So a (source,
target) pair is computed in exactly one partition — the target's — whichever side of a
tile edge the source stands on: no pair across an edge is lost and none is counted twice.
The halo is on the sources' side because they are few (a source is copied into a handful
of tiles), while copying targets would duplicate 10⁷–10⁸ rows.

Metric work and the spheroidal refine
-------------------------------------
Inside a partition, geometries are projected to the CGCS2000 3° Gauss–Krüger zone of the
envelope's centre (:func:`gk_zone_epsg`, EPSG:4534–4554, transverse Mercator, k₀ = 1).
Candidates are the targets an STRtree finds within ``reach × (1 + MARGIN) + SLACK_M``
metres of the source in that plane: the point scale factor of a Gauss–Krüger zone is
k ≈ 1 + x²/2R², below 1.001 within the ≤ 2° tiles allowed here (x ≤ 300 km), so the 1 %
margin cannot drop a true pair.  Each candidate's distance is then measured on the
ellipsoid: the nearest points found in the plane are taken back to WGS-84 and measured with
:class:`pyproj.Geod` (GeographicLib geodesics — PostGIS geography's spheroid distance uses
the same library, PROJ's ``geodesic.h``, in ``liblwgeom/lwspheroid.c``; for a polygon the nearest point moves by micrometres between the plane and the
ellipsoid, which changes the distance by far less than 0.01 m).  Distances are metres;
inputs and outputs are WGS-84 lon/lat.

The exposure ring
-----------------
The PostGIS exposure step (:mod:`geo.postgis.exposure`) draws the ring as a geography
``ST_Buffer``: PostGIS projects the source to the UTM zone its ``_ST_BestSRID`` picks (the
zone of the centre of the source's extent, for anything narrower than 6° outside the polar
caps), buffers with 8 segments per quarter circle — a 32-gon inscribed in the circle, up to
``r·(1 − cos 5.625°)`` = 2.4 m inside it at 500 m — and takes the polygon back to WGS-84.  A
residential polygon counts the share of its area inside that ring.  So that both engines
count the same people, :func:`exposure_pairs` draws the same 32-gon in the same UTM zone
(:func:`postgis_utm_epsg`) and takes the ratio of areas in that plane (across one polygon
the scale factor varies by < 10⁻⁵, so the planar ratio equals the spheroidal one to that).
"""

from __future__ import annotations

import math
from dataclasses import dataclass

import numpy as np
import pandas as pd
import shapely
from pyproj import Geod, Transformer
from pyproj.enums import TransformDirection
from shapely.strtree import STRtree

MARGIN = 0.01  # relative candidate margin in the Gauss–Krüger plane (scale error < 0.001 here)
SLACK_M = 1.0  # absolute candidate slack, metres
MAX_TILE_DEG = 2.0  # widest tile: keeps |x| from the zone's meridian ≤ 300 km (see Notes above)
_GK_EPSG_CM75 = 4534  # EPSG:4534 = CGCS2000 / 3-degree Gauss-Kruger CM 75E … EPSG:4554 = CM 135E
_GK_CM_RANGE = (75, 135)
_POLYGON_TYPES = (3, 6)  # shapely type ids: Polygon, MultiPolygon
_RING_QUAD_SEGS = 8  # PostGIS ST_Buffer's default segments per quarter circle

TARGET_COLUMNS = ("target_id", "name", "category", "population", "geometry")
CONFLICT_COLUMNS = ("source_id", "target_id", "category", "target_kind", "distance_m", "required_m", "line")
EXPOSURE_COLUMNS = ("source_id", "target_id", "name", "category", "population", "share")


@dataclass(frozen=True)
class TargetTiles:
    """Protection targets written as one GeoParquet file per tile (WGS-84 lon/lat).

    ``names[i]`` is the file of tile ``i`` inside ``directory``; ``envelopes[i]`` the
    (xmin, ymin, xmax, ymax) in degrees of that tile's targets' geometries.
    """

    directory: str
    tile_deg: float
    names: tuple[str, ...]
    envelopes: tuple[tuple[float, float, float, float], ...]
    target_kind: str = "''"  # the target-kind SQL the files' ``kind`` column was computed with


def tile_name(ix: int, iy: int) -> str:
    """The file name of tile (ix, iy) — the same in the targets' and the sources' directories."""
    return f"tile_{ix:+05d}_{iy:+05d}.parquet"


def choose_tile_deg(n_targets: int, extent: tuple[float, float, float, float], *,
                    targets_per_partition: int) -> float:
    """Tile width (degrees) that puts about ``targets_per_partition`` targets in a tile.

    ``extent`` is the targets' (xmin, ymin, xmax, ymax) in WGS-84 degrees; the width is
    capped at :data:`MAX_TILE_DEG` (the metric margin's bound) and never below 0.01°.
    """
    if targets_per_partition <= 0:
        raise ValueError(f"targets_per_partition 应为正整数，实际 {targets_per_partition!r}")
    xmin, ymin, xmax, ymax = extent
    area = max(xmax - xmin, 0.01) * max(ymax - ymin, 0.01)
    tiles = max(n_targets / targets_per_partition, 1.0)
    return float(min(max(math.sqrt(area / tiles), 0.01), MAX_TILE_DEG))


def check_tile_deg(tile_deg: float) -> float:
    """``tile_deg`` if it is a usable tile width, else a Chinese error naming the field."""
    if not (isinstance(tile_deg, (int, float)) and 0 < tile_deg <= MAX_TILE_DEG):
        raise ValueError(f"分区宽度 tile_deg 应在 (0, {MAX_TILE_DEG:g}] 度之间，实际 {tile_deg!r}")
    return float(tile_deg)


def reach_box(bounds: np.ndarray, reach_m: np.ndarray) -> np.ndarray:
    """Lon/lat boxes that hold every point within ``reach_m`` of each geometry.

    Parameters
    ----------
    bounds : (n, 4) array
        (xmin, ymin, xmax, ymax) of each source in WGS-84 degrees.
    reach_m : (n,) array
        Reach of each source, metres on the WGS-84 ellipsoid.

    Notes
    -----
    A path of length r changes latitude by at most r / M₀ radians (M₀, the meridian radius
    of curvature at the equator, is the smallest), and longitude by at most r / (a·cos φ)
    with φ the farthest latitude it reaches (a > M₀, the equatorial radius, bounds the prime
    vertical radius from below).  Both are widened by :data:`MARGIN`.
    """
    bounds = np.asarray(bounds, dtype=float).reshape(-1, 4)
    reach = np.asarray(reach_m, dtype=float) * (1.0 + MARGIN)
    m_per_deg_lat = Geod(ellps="WGS84").inv(0.0, -0.5, 0.0, 0.5)[2]  # shortest degree: at the equator
    dlat = reach / m_per_deg_lat + 1e-7
    lat_far = np.minimum(np.maximum(np.abs(bounds[:, 1]), np.abs(bounds[:, 3])) + dlat, 89.9)
    dlon = dlat / np.cos(np.radians(lat_far))
    return np.column_stack([bounds[:, 0] - dlon, bounds[:, 1] - dlat,
                            bounds[:, 2] + dlon, bounds[:, 3] + dlat])


def halo_assignment(envelopes: np.ndarray, bounds: np.ndarray,
                    reach_m: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """(source index, tile index) for every tile a source must be copied into.

    ``envelopes`` (m, 4) are the tiles' target envelopes and ``bounds`` (n, 4) the sources'
    extents, both WGS-84 degrees; ``reach_m`` (n,) each source's reach in metres.  A source
    goes to each tile whose envelope meets its :func:`reach_box`.
    """
    env = np.asarray(envelopes, dtype=float).reshape(-1, 4)
    if len(env) == 0 or len(bounds) == 0:
        return np.zeros(0, dtype=np.int64), np.zeros(0, dtype=np.int64)
    tree = STRtree(shapely.box(env[:, 0], env[:, 1], env[:, 2], env[:, 3]))
    boxes = reach_box(bounds, reach_m)
    # boxes against boxes: the tree's own envelope test is exact, no predicate needed
    src, tile = tree.query(shapely.box(boxes[:, 0], boxes[:, 1], boxes[:, 2], boxes[:, 3]))
    return src.astype(np.int64), tile.astype(np.int64)


def gk_zone_epsg(lon: float) -> int:
    """EPSG code of the CGCS2000 3° Gauss–Krüger zone (central meridian 3°·n) holding ``lon``.

    EPSG:4534 is CM 75°E and EPSG:4554 CM 135°E (the zones that cover China, 73.5–136.5°E).
    By hand: 112.85°E → CM 3·round(112.85/3) = 114°E → 4534 + (114 − 75)/3 = EPSG:4547.
    """
    cm = 3 * round(lon / 3.0)
    if not _GK_CM_RANGE[0] <= cm <= _GK_CM_RANGE[1]:
        raise ValueError(f"经度 {lon:.4f}° 不在 CGCS2000 3° 带（中央经线 75°E–135°E）范围内")
    return _GK_EPSG_CM75 + (cm - _GK_CM_RANGE[0]) // 3


def postgis_utm_epsg(lon: np.ndarray, lat: np.ndarray) -> np.ndarray:
    """The UTM zone (as a WGS-84 UTM EPSG code) PostGIS's ``_ST_BestSRID`` picks for a small
    geometry centred at (lon, lat): zone ⌊(lon + 180)/6⌋ + 1, north (326xx) or south (327xx).

    PostGIS's polar choices (|lat| > 70°) and wide geometries (≥ 6°) are not reproduced; they
    raise, as no source in China needs them.
    """
    lon, lat = np.asarray(lon, dtype=float), np.asarray(lat, dtype=float)
    if np.any(np.abs(lat) > 70.0):
        raise ValueError("纬度超过 ±70° 的源：PostGIS 此处改用极区投影，分布式引擎不支持")
    zone = np.minimum(np.floor((lon + 180.0) / 6.0).astype(np.int64), 59) + 1
    return np.where(lat < 0.0, 32700, 32600) + zone


def _project(geoms: np.ndarray, transformer: Transformer, *, inverse: bool = False) -> np.ndarray:
    direction = TransformDirection.INVERSE if inverse else TransformDirection.FORWARD

    def xy(coords):
        x, y = transformer.transform(coords[:, 0], coords[:, 1], direction=direction)
        return np.column_stack([x, y])

    return shapely.transform(geoms, xy)


def gk_transformer(lon: float) -> Transformer:
    """WGS-84 lon/lat → the CGCS2000 3° Gauss–Krüger zone holding ``lon`` (metres, x east).

    The zone's EPSG definition (tmerc, k₀ = 1, x₀ = 500 km, GRS80) as a fixed PROJ pipeline,
    taking WGS-84 coordinates as CGCS2000 (< 1 m apart) — what PROJ's own "ballpark"
    EPSG:4326 → EPSG:45xx operation does, without its 0.2 s search of the database.
    """
    cm = _GK_CM_RANGE[0] + 3 * (gk_zone_epsg(lon) - _GK_EPSG_CM75)
    return Transformer.from_pipeline(
        "+proj=pipeline +step +proj=unitconvert +xy_in=deg +xy_out=rad "
        f"+step +proj=tmerc +lat_0=0 +lon_0={cm} +k=1 +x_0=500000 +y_0=0 +ellps=GRS80")


def geodesic_m(a_xy: np.ndarray, b_xy: np.ndarray, transformer: Transformer) -> np.ndarray:
    """WGS-84 geodesic distance (m) between projected geometries, pair by pair.

    The nearest points are found in the plane of ``transformer`` (WGS-84 → metric), taken back
    to lon/lat and measured with :class:`pyproj.Geod`; overlapping geometries are 0 m apart.
    """
    if len(a_xy) == 0:
        return np.zeros(0)
    coords = shapely.get_coordinates(shapely.shortest_line(a_xy, b_xy))
    lon, lat = transformer.transform(coords[:, 0], coords[:, 1], direction=TransformDirection.INVERSE)
    return np.asarray(Geod(ellps="WGS84").inv(lon[0::2], lat[0::2], lon[1::2], lat[1::2])[2])


def _geoms(frame) -> np.ndarray:
    return np.asarray(frame.geometry.to_numpy(), dtype=object)


def _empty(columns: tuple[str, ...], dtypes: dict) -> pd.DataFrame:
    return pd.DataFrame({c: pd.Series(dtype=dtypes.get(c, object)) for c in columns})


_CONFLICT_DTYPES = {"source_id": "int64", "target_id": "int64", "distance_m": "float64",
                    "required_m": "float64"}
_EXPOSURE_DTYPES = {"source_id": "int64", "target_id": "int64", "population": "int64",
                    "share": "float64"}


def _candidates(targets, s_ll: np.ndarray, reach_m: np.ndarray):
    """Project one partition and find each source's candidate targets (indices into both)."""
    xmin, _, xmax, _ = targets.total_bounds
    transformer = gk_transformer((xmin + xmax) / 2.0)
    t_xy = _project(_geoms(targets), transformer)
    s_xy = _project(s_ll, transformer)
    si, ti = STRtree(t_xy).query(s_xy, predicate="dwithin", distance=reach_m * (1.0 + MARGIN) + SLACK_M)
    return transformer, s_xy, t_xy, si, ti


def conflict_pairs(targets, sources) -> pd.DataFrame:
    """Every (source, target) of one partition closer than the source's requirement for the
    target's category (a target exactly at the required distance complies).

    Parameters
    ----------
    targets : GeoDataFrame
        ``target_id``, ``category``, optionally ``kind`` (the target-kind key, see
        :mod:`geo.target_kinds`; missing = ``""``) and WGS-84 ``geometry`` of the tile's targets.
    sources : GeoDataFrame
        One row per requirement: ``source_id``, ``category``, optionally ``target_kind``
        (``""`` = the category's default row; missing = all default), ``required_m`` (metres)
        and the source's WGS-84 ``geometry`` (its point or footprint, see
        :mod:`geo.postgis.source_geometry`; the same on each of its rows).  A target takes the
        row of its kind when the source has one, else the default row.

    Returns
    -------
    DataFrame
        :data:`CONFLICT_COLUMNS`: the ``target_kind`` of the row used, geodesic ``distance_m``
        (WGS-84 ellipsoid, metres), the ``required_m`` it falls short of and ``line``, the
        shortest line source → target in WGS-84 degrees (as PostGIS ``ST_ShortestLine`` on the
        stored geometries draws it).
    """
    if len(targets) == 0 or len(sources) == 0:
        return _empty(CONFLICT_COLUMNS, _CONFLICT_DTYPES)
    if "kind" not in targets.columns:
        targets = targets.assign(kind="")
    if "target_kind" not in sources.columns:
        sources = sources.assign(target_kind="")
    reach = sources.groupby("source_id", sort=True)["required_m"].max()
    points = sources.drop_duplicates("source_id").set_index("source_id").geometry.reindex(reach.index)
    s_ll = np.asarray(points.to_numpy(), dtype=object)
    transformer, s_xy, t_xy, si, ti = _candidates(targets, s_ll, reach.to_numpy())
    cand = pd.DataFrame({"source_id": reach.index.to_numpy()[si],
                         "category": targets["category"].to_numpy()[ti],
                         "kind": targets["kind"].to_numpy()[ti], "s": si, "t": ti})
    rows = sources[["source_id", "category", "target_kind", "required_m"]]
    default = rows[rows["target_kind"] == ""].drop(columns="target_kind")
    own = rows[rows["target_kind"] != ""].rename(columns={"target_kind": "kind"})
    cand = cand.merge(own, on=["source_id", "category", "kind"], how="left") \
        .merge(default, on=["source_id", "category"], how="left", suffixes=("", "_default"))
    has_own = cand["required_m"].notna().to_numpy()
    cand["target_kind"] = np.where(has_own, cand["kind"].to_numpy(), "")
    cand["required_m"] = np.where(has_own, cand["required_m"].to_numpy(), cand["required_m_default"].to_numpy())
    cand = cand[cand["required_m"].notna().to_numpy()]
    s, t, need = cand["s"].to_numpy(), cand["t"].to_numpy(), cand["required_m"].to_numpy(dtype=float)
    near = shapely.distance(s_xy[s], t_xy[t]) < need * (1.0 + MARGIN) + SLACK_M
    cand, s, t, need = cand[near], s[near], t[near], need[near]
    d = geodesic_m(s_xy[s], t_xy[t], transformer)
    hit = d < need
    s, t = s[hit], t[hit]
    out = pd.DataFrame({"source_id": cand["source_id"].to_numpy()[hit],
                        "target_id": targets["target_id"].to_numpy()[t],
                        "category": cand["category"].to_numpy()[hit],
                        "target_kind": cand["target_kind"].to_numpy()[hit],
                        "distance_m": d[hit], "required_m": need[hit],
                        "line": shapely.shortest_line(s_ll[s], _geoms(targets)[t])})
    return out.astype(_CONFLICT_DTYPES)


def exposure_pairs(targets, sources, *, radius_m: float) -> pd.DataFrame:
    """Every target with people within ``radius_m`` of a source, with the share it counts.

    Parameters
    ----------
    targets : GeoDataFrame
        :data:`TARGET_COLUMNS` of the tile's targets (WGS-84); those whose ``population`` is
        not registered (−1) are skipped, as in PostGIS (an explicit 0 counts, as a fact).
    sources : GeoDataFrame
        ``source_id`` and the source's WGS-84 ``geometry`` (its footprint, else its point).
    radius_m : float
        Ring radius, metres on the WGS-84 ellipsoid (a target at exactly ``radius_m`` counts).

    Returns
    -------
    DataFrame
        :data:`EXPOSURE_COLUMNS`; ``share`` is 1 for point targets and, for polygons, the share
        of their area inside the PostGIS ring (see the module notes).
    """
    targets = targets[targets["population"].to_numpy() >= 0]
    if len(targets) == 0 or len(sources) == 0:
        return _empty(EXPOSURE_COLUMNS, _EXPOSURE_DTYPES)
    s_ll = _geoms(sources)
    transformer, s_xy, t_xy, si, ti = _candidates(targets, s_ll, np.full(len(s_ll), float(radius_m)))
    d = geodesic_m(s_xy[si], t_xy[ti], transformer)
    inside = d <= radius_m
    si, ti = si[inside], ti[inside]
    t_ll = _geoms(targets)
    share = np.ones(len(si))
    poly = np.isin(shapely.get_type_id(t_ll[ti]), _POLYGON_TYPES)
    if poly.any():
        share[poly] = _ring_shares(s_ll, t_ll, si[poly], ti[poly], radius_m=radius_m)
    out = pd.DataFrame({"source_id": sources["source_id"].to_numpy()[si],
                        "target_id": targets["target_id"].to_numpy()[ti],
                        "name": targets["name"].to_numpy()[ti],
                        "category": targets["category"].to_numpy()[ti],
                        "population": targets["population"].to_numpy()[ti], "share": share})
    return out.astype(_EXPOSURE_DTYPES)


def _ring_shares(s_ll: np.ndarray, t_ll: np.ndarray, si: np.ndarray, ti: np.ndarray, *,
                 radius_m: float) -> np.ndarray:
    """Share of each polygon target's area inside its source's ring, as PostGIS computes it."""
    bounds = shapely.bounds(s_ll)
    zones = postgis_utm_epsg((bounds[:, 0] + bounds[:, 2]) / 2.0, (bounds[:, 1] + bounds[:, 3]) / 2.0)
    share = np.ones(len(si))
    for epsg in np.unique(zones[si]):
        pick = zones[si] == epsg
        transformer = Transformer.from_crs("EPSG:4326", f"EPSG:{int(epsg)}", always_xy=True)
        used, where = np.unique(si[pick], return_inverse=True)
        rings = shapely.buffer(_project(s_ll[used], transformer), radius_m, quad_segs=_RING_QUAD_SEGS)
        polys = _project(t_ll[ti[pick]], transformer)
        area = shapely.area(polys)
        inter = shapely.area(shapely.intersection(rings[where], polys))
        share[pick] = np.where(area > 0, np.minimum(1.0, inter / np.where(area > 0, area, 1.0)), 1.0)
    return share

"""The Dask engine's database side: export tiles to GeoParquet, join on a cluster, write back.

:func:`insert_conflicts_dask` and :func:`exposed_people_dask` give the same results as
:func:`geo.postgis.conflicts.insert_conflicts` and
:func:`geo.postgis.exposure.exposed_people_by_enterprise` (same pairs, distances within
0.01 m, people within 0.1 — ``tests/test_distributed.py``), for runs too big for one
database server:

1. :func:`export_targets` writes the protection targets as spatially partitioned GeoParquet,
   one file per tile of a lon/lat grid (each target in exactly one tile; see
   :mod:`geo.distributed` for the partitioning);
2. the sources — each enterprise with its per-category requirements for the run, or its
   exposure geometry — are written next to them, one file per tile, every source copied into
   each tile its reach (the largest required distance, or the exposure radius) comes near:
   the halo that keeps pairs across tile edges;
3. ``dask_geopandas.read_parquet`` reads both as partitioned GeoDataFrames; each pair of
   partitions is one task (:func:`geo.distributed.conflict_pairs`,
   :func:`geo.distributed.exposure_pairs`) computed on the workers — metric candidates in the
   tile's CGCS2000 Gauss–Krüger zone, spheroidal refine with pyproj Geod;
4. the results come back as the tasks finish and are written for the same run on the
   caller's connection (``COPY`` into ``conflict``), inside the caller's transaction.

The exports are read on the caller's connection, so an ETL run's uncommitted rows are what
the workers see.  ``workdir`` must be a directory every worker can read (the local disk for a
``LocalCluster``; a shared file system such as NFS for workers on other machines); the files
are deleted afterwards unless the caller passed ``tiles`` it exported itself.
"""

from __future__ import annotations

import os
import tempfile
from contextlib import contextmanager
from pathlib import Path

import geopandas as gpd
import numpy as np
import pandas as pd
import shapely
import sqlalchemy as sa

from geo import distributed as dist
from geo.postgis.conflicts import NO_KINDS
from geo.postgis.exposure import EXPOSURE_RADIUS_M, _collect
from geo.postgis.source_geometry import NOTE_INSIDE_FOOTPRINT, NOTE_INSIDE_POINT, SEPARATION_SOURCES

_CENTRE_X = "((ST_XMin(geom) + ST_XMax(geom)) / 2)"
_CENTRE_Y = "((ST_YMin(geom) + ST_YMax(geom)) / 2)"

_TARGET_EXTENT = sa.text("""
    select count(*), min(ST_XMin(geom)), min(ST_YMin(geom)), max(ST_XMax(geom)), max(ST_YMax(geom))
    from protection_target where not ST_IsEmpty(geom)
""")

_TARGET_TILES = sa.text(f"""
    select floor({_CENTRE_X} / :d)::int as ix, floor({_CENTRE_Y} / :d)::int as iy
    from protection_target where not ST_IsEmpty(geom) group by 1, 2 order by 1, 2
""")

# One tile's targets: the index finds those whose box meets the tile (a box holding its own
# centre always does; the envelope is widened by 1e-9° against rounding), the centre test
# keeps each target in exactly one tile.
_TILE_TARGETS = f"""
    select id, name, category, coalesce(population, -1) as population, KIND as kind, ST_AsBinary(geom) as wkb
    from protection_target t
    where geom && ST_MakeEnvelope(:x0, :y0, :x1, :y1, 4326)
      and floor({_CENTRE_X} / :d)::int = :ix and floor({_CENTRE_Y} / :d)::int = :iy
    order by id
"""

_CONFLICT_SOURCES = sa.text(f"""
    with src as ({SEPARATION_SOURCES})
    select r.enterprise_id as source_id, r.category, r.target_kind, r.required_m, r.rule_id, r.rule_text,
           ST_AsBinary(s.geom) as wkb, s.basis_note, s.is_point
    from source_requirement r join src s on s.source_id = r.enterprise_id
    where r.run_id = :run_id
    order by r.enterprise_id, r.category, r.target_kind
""")

_EXPOSURE_SOURCES = sa.text("""
    select id as source_id, ST_AsBinary(coalesce(footprint, geom)) as wkb
    from enterprise where id = any(:ids) order by id
""")

_COPY_CONFLICTS = ("copy conflict (run_id, enterprise_id, target_id, category, distance_m, required_m, "
                   "deficit_m, rule_id, rule_text, geom) from stdin")


def export_targets(conn: sa.Connection, directory: str | os.PathLike, *, tile_deg: float | None = None,
                   targets_per_partition: int = 100_000, target_kind: str = NO_KINDS) -> dist.TargetTiles:
    """Write every protection target to GeoParquet under ``directory``, one file per tile.

    ``tile_deg`` (degrees) defaults to a width that puts about ``targets_per_partition``
    targets in a tile (:func:`geo.distributed.choose_tile_deg`).  Columns are
    :data:`geo.distributed.TARGET_COLUMNS` (``population`` −1 = not registered) and ``kind``
    (the key of ``target_kind``, the target-kind SQL of :mod:`geo.postgis.target_kinds`),
    geometry in WGS-84 (EPSG:4326).
    """
    tile_sql = sa.text(_TILE_TARGETS.replace("KIND", target_kind))
    n, *extent = conn.execute(_TARGET_EXTENT).one()
    if tile_deg is None:
        tile_deg = dist.choose_tile_deg(n, tuple(extent) if n else (0, 0, 1, 1),
                                        targets_per_partition=targets_per_partition)
    tile_deg = dist.check_tile_deg(tile_deg)
    out = Path(directory)
    out.mkdir(parents=True, exist_ok=True)
    names, envelopes = [], []
    for ix, iy in conn.execute(_TARGET_TILES, {"d": tile_deg}).all():
        rows = conn.execute(tile_sql, {
            "d": tile_deg, "ix": ix, "iy": iy, "x0": ix * tile_deg - 1e-9, "y0": iy * tile_deg - 1e-9,
            "x1": (ix + 1) * tile_deg + 1e-9, "y1": (iy + 1) * tile_deg + 1e-9}).all()
        frame = gpd.GeoDataFrame({
            "target_id": np.array([r.id for r in rows], dtype=np.int64),
            "name": [r.name for r in rows], "category": [r.category for r in rows],
            "population": np.array([r.population for r in rows], dtype=np.int64),
            "kind": [r.kind for r in rows]},
            geometry=gpd.GeoSeries.from_wkb([bytes(r.wkb) for r in rows], crs="EPSG:4326"))
        name = dist.tile_name(ix, iy)
        frame.to_parquet(out / name, index=False)
        names.append(name)
        envelopes.append(tuple(float(v) for v in frame.total_bounds))
    return dist.TargetTiles(str(out), tile_deg, tuple(names), tuple(envelopes), target_kind)


def _write_sources(tiles: dist.TargetTiles, frame: gpd.GeoDataFrame, reach_m: np.ndarray,
                   directory: Path) -> list[str]:
    """Copy each source row into the tiles its reach comes near (the halo); the tiles' names."""
    ids = frame["source_id"].to_numpy()
    first = np.unique(ids, return_index=True)[1]  # one extent per source
    src, tile = dist.halo_assignment(np.array(tiles.envelopes), shapely.bounds(frame.geometry.to_numpy()[first]),
                                     pd.Series(reach_m).groupby(ids).max().to_numpy())
    directory.mkdir(parents=True, exist_ok=True)
    rows = pd.DataFrame({"source_id": ids, "row": np.arange(len(ids))}).merge(
        pd.DataFrame({"source_id": ids[first][src], "tile": tile}), on="source_id")
    used = []
    for k, picked in rows.groupby("tile")["row"]:
        frame.iloc[np.sort(picked.to_numpy())].to_parquet(directory / tiles.names[k], index=False)
        used.append(tiles.names[k])
    return used


def _partitions(tiles: dist.TargetTiles, sources_dir: Path, names: list[str], columns: list[str]):
    """The targets and sources of the tiles in ``names`` as partition-aligned delayed frames."""
    import dask_geopandas

    names = sorted(names)  # both directories hold the same names: partitions pair up in order
    targets = dask_geopandas.read_parquet([str(Path(tiles.directory) / n) for n in names], columns=columns,
                                          split_row_groups=False)
    sources = dask_geopandas.read_parquet([str(sources_dir / n) for n in names], split_row_groups=False)
    if not targets.npartitions == sources.npartitions == len(names):
        raise RuntimeError(f"分区数不一致：目标 {targets.npartitions}、源 {sources.npartitions}、瓦片 {len(names)}")
    return zip(targets.to_delayed(), sources.to_delayed())


@contextmanager
def _workspace(conn, tiles, workdir, tile_deg, target_kind=None):
    """(tiles, a scratch directory for the sources); temporary files removed at exit."""
    with tempfile.TemporaryDirectory(prefix="hazmap-dask-", dir=workdir) as scratch:
        scratch = Path(scratch)
        if tiles is None:
            tiles = export_targets(conn, scratch / "targets", tile_deg=tile_deg, target_kind=target_kind or NO_KINDS)
        yield tiles, scratch


def insert_conflicts_dask(conn: sa.Connection, run_id: int, client, *, tiles: dist.TargetTiles | None = None,
                          workdir: str | os.PathLike | None = None, tile_deg: float | None = None,
                          target_kind: str = NO_KINDS) -> int:
    """Compute the run's conflicts on the Dask cluster of ``client`` and COPY them into ``conflict``.

    The same rows as :func:`geo.postgis.conflicts.insert_conflicts` (pairs, required
    distance, rule, shortest line; geodesic distances within 0.01 m).  ``tiles``: targets
    already exported by :func:`export_targets` (shared with the exposure step of the same
    refresh), else they are exported here into ``workdir`` (a directory the workers can read).
    """
    from dask import delayed
    from distributed import as_completed

    if tiles is not None and tiles.target_kind != target_kind:
        raise ValueError("tiles 的防护目标类型（target_kind）与本次冲突计算不一致：请用相同的 target_kind 导出")
    req = pd.DataFrame(conn.execute(_CONFLICT_SOURCES, {"run_id": run_id}).mappings().all(),
                       columns=["source_id", "category", "target_kind", "required_m", "rule_id", "rule_text",
                                "wkb", "basis_note", "is_point"])
    if req.empty:
        return 0
    with _workspace(conn, tiles, workdir, tile_deg, target_kind) as (tiles, scratch):
        frame = gpd.GeoDataFrame(req[["source_id", "category", "target_kind", "required_m"]],
                                 geometry=gpd.GeoSeries.from_wkb([bytes(w) for w in req["wkb"]], crs="EPSG:4326"))
        names = _write_sources(tiles, frame, req["required_m"].to_numpy(), scratch / "conflict-sources")
        if not names:  # no target within any source's reach
            return 0
        parts = _partitions(tiles, scratch / "conflict-sources", names, ["target_id", "category", "kind", "geometry"])
        futures = client.compute([delayed(dist.conflict_pairs)(t, s) for t, s in parts])
        rules = req.set_index(["source_id", "category", "target_kind"])[["rule_id", "rule_text", "basis_note",
                                                                          "is_point"]]
        n = 0
        raw = conn.connection.driver_connection
        with raw.cursor() as cur, cur.copy(_COPY_CONFLICTS) as cp:
            for future in as_completed(futures):
                pairs = future.result()
                future.release()
                if pairs.empty:
                    continue
                named = pairs.join(rules, on=["source_id", "category", "target_kind"])
                inside = named["distance_m"].to_numpy() <= 0
                lines = shapely.to_wkb(shapely.set_srid(named["line"].to_numpy(), 4326), hex=True,
                                       include_srid=True)
                for r, line, zero in zip(named.itertuples(index=False), lines, inside):
                    text = r.rule_text + r.basis_note + (
                        (NOTE_INSIDE_POINT if r.is_point else NOTE_INSIDE_FOOTPRINT) if zero else "")
                    cp.write_row((run_id, int(r.source_id), int(r.target_id), r.category, float(r.distance_m),
                                  float(r.required_m), float(r.required_m - r.distance_m), r.rule_id,
                                  text, None if zero else line))
                n += len(named)
    return n


def exposed_people_dask(conn: sa.Connection, enterprise_ids: list[int], client, *,
                        radius_m: float = EXPOSURE_RADIUS_M, tiles: dist.TargetTiles | None = None,
                        workdir: str | os.PathLike | None = None, tile_deg: float | None = None) -> dict[int, dict]:
    """People within ``radius_m`` (metres) of each enterprise, computed on the Dask cluster.

    The same dict as :func:`geo.postgis.exposure.exposed_people_by_enterprise`:
    ``{enterprise_id: {"people": float, "targets": [...]}}`` (enterprises with nobody are
    missing); the ring is the enterprise's footprint, else its point, as there.
    """
    from dask import delayed
    from distributed import as_completed

    if not enterprise_ids:
        return {}
    rows = conn.execute(_EXPOSURE_SOURCES, {"ids": list(enterprise_ids)}).all()
    if not rows:
        return {}
    with _workspace(conn, tiles, workdir, tile_deg) as (tiles, scratch):
        frame = gpd.GeoDataFrame({"source_id": np.array([r.source_id for r in rows], dtype=np.int64)},
                                 geometry=gpd.GeoSeries.from_wkb([bytes(r.wkb) for r in rows], crs="EPSG:4326"))
        names = _write_sources(tiles, frame, np.full(len(frame), float(radius_m)), scratch / "exposure-sources")
        if not names:
            return {}
        parts = _partitions(tiles, scratch / "exposure-sources", names, list(dist.TARGET_COLUMNS))
        futures = client.compute([delayed(dist.exposure_pairs)(t, s, radius_m=radius_m) for t, s in parts])
        found = []
        for future in as_completed(futures):
            found.append(future.result())
            future.release()
    pairs = pd.concat(found, ignore_index=True) if found else pd.DataFrame(columns=dist.EXPOSURE_COLUMNS)
    return dict(_collect(pairs.sort_values(["source_id", "target_id"]).itertuples(index=False)))

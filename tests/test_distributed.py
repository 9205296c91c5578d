"""The Dask engine against PostGIS: the same conflict pairs and the same people exposed."""

from __future__ import annotations

import math
import random

import numpy as np
import pytest
import shapely
import sqlalchemy as sa
from pyproj import Geod

from geo import distributed as dist
from geo.postgis.conflicts import insert_conflicts
from geo.postgis.distributed import export_targets, exposed_people_dask, insert_conflicts_dask
from geo.postgis.exposure import exposed_people_by_enterprise
from hazmap.db.session import get_engine

GEOD = Geod(ellps="WGS84")
CATEGORIES = ["school", "hospital", "residential", "kindergarten"]
REQUIRED_M = [100.0, 300.0, 500.0, 1000.0, 1500.0]
TILE_DEG = 0.03  # ≈ 2.7 km × 3.3 km at 35°N: many 1–1.5 km requirements cross a tile edge
# Shanxi across the UTM 49/50 boundary (114°E, where PostGIS's ring zone flips) and
# Heilongjiang (Harbin, 45.75°N, where a degree of longitude is shortest)
PLACES = {"shanxi-114E": (114.0, 35.5), "heilongjiang": (126.63, 45.75)}


# -- pure ----------------------------------------------------------------------------------

def test_reach_box_holds_every_point_at_the_reach():
    rng = np.random.default_rng(3)
    lon, lat = rng.uniform(75, 135, 200), rng.uniform(18, 53, 200)
    reach = rng.uniform(10, 5000, 200)
    boxes = dist.reach_box(np.column_stack([lon, lat, lon, lat]), reach)
    for az in range(0, 360, 5):  # the geodesic circle of radius `reach` lies inside each box
        x, y, _ = GEOD.fwd(lon, lat, np.full(200, float(az)), reach)
        assert np.all((boxes[:, 0] < x) & (x < boxes[:, 2]) & (boxes[:, 1] < y) & (y < boxes[:, 3]))
    # and not wastefully larger: a 1000 m reach at 35°N is ≈ 0.009° of latitude (1000/110 574 × 1.01)
    one = dist.reach_box(np.array([[112.85, 35.0, 112.85, 35.0]]), np.array([1000.0]))[0]
    assert one[3] - 35.0 == pytest.approx(1000 / 110_574.4 * 1.01, rel=1e-3)


def test_gauss_krueger_zone_by_hand():
    # 112.85°E → CM 3·round(37.62) = 114°E → 4534 + (114 − 75)/3 = 4547 (CGCS2000 / 3-degree GK CM 114E)
    assert dist.gk_zone_epsg(112.85) == 4547
    assert dist.gk_zone_epsg(87.62) == 4538  # Urumqi: CM 87°E → 4534 + 4
    with pytest.raises(ValueError, match="3° 带"):
        dist.gk_zone_epsg(10.0)


def test_gauss_krueger_pipeline_is_the_epsg_zone():
    from pyproj import Transformer

    epsg = Transformer.from_crs("EPSG:4326", "EPSG:4547", always_xy=True)
    lon, lat = np.array([111.0, 112.85, 114.0, 115.4]), np.array([34.0, 35.5, 36.2, 37.7])
    x, y = dist.gk_transformer(112.85).transform(lon, lat)
    ex, ey = epsg.transform(lon, lat)
    assert np.max(np.hypot(x - ex, y - ey)) < 0.001
    assert x[2] == pytest.approx(500_000.0)  # on the central meridian 114°E: the false easting


def test_halo_copies_a_source_into_the_neighbouring_tile():
    # tile A holds x ∈ [0.00, 0.02), tile B x ∈ [0.02, 0.04) at 35°N; a source 50 m west of the
    # edge with a 100 m reach belongs to A's side but must be copied into B (and not into C, 2 km on)
    envelopes = np.array([[112.0, 35.0, 112.0199, 35.02], [112.02, 35.0, 112.0399, 35.02],
                          [112.06, 35.0, 112.08, 35.02]])
    x = 112.02 - 50 / (111_320 * math.cos(math.radians(35.01)))
    src, tile = dist.halo_assignment(envelopes, np.array([[x, 35.01, x, 35.01]]), np.array([100.0]))
    assert sorted(tile.tolist()) == [0, 1] and src.tolist() == [0, 0]


def test_tile_width_is_checked():
    with pytest.raises(ValueError, match="tile_deg"):
        dist.check_tile_deg(3.0)
    # 1 000 000 targets over 4.4° × 4.4° at 100 000 a tile: √(19.36 / 10) = 1.39°
    assert dist.choose_tile_deg(1_000_000, (110.65, 33.3, 115.05, 37.7),
                                targets_per_partition=100_000) == pytest.approx(1.3914, abs=1e-4)


# -- against PostGIS -----------------------------------------------------------------------

def _world(seed: int, lon0: float, lat0: float, n_sources=900, n_targets=2400):
    rng = random.Random(seed)
    sources, targets = [], []
    for i in range(n_sources):
        lon, lat = lon0 + rng.uniform(-0.08, 0.08), lat0 + rng.uniform(-0.06, 0.06)
        footprint = None
        if i % 4 == 0:  # a plant footprint: the exposure ring is drawn around it
            w, h = rng.uniform(0.0005, 0.002), rng.uniform(0.0005, 0.002)
            footprint = shapely.box(lon - w / 2, lat - h / 2, lon + w / 2, lat + h / 2).wkt
        req = {c: rng.choice(REQUIRED_M) for c in rng.sample(CATEGORIES, rng.randint(1, 3))}
        sources.append({"id": i + 1, "lon": lon, "lat": lat, "footprint": footprint, "req": req})
    for j in range(n_targets):
        lon, lat = lon0 + rng.uniform(-0.09, 0.09), lat0 + rng.uniform(-0.07, 0.07)
        cat = rng.choice(CATEGORIES)
        if cat == "residential":
            w, h = rng.uniform(0.0005, 0.003), rng.uniform(0.0005, 0.003)
            geom = shapely.box(lon, lat, lon + w, lat + h)
        else:
            geom = shapely.Point(lon, lat)
        population = rng.choice([None, 0, rng.randint(1, 2000), rng.randint(1, 2000)])
        targets.append({"id": j + 1, "key": f"T{j + 1}", "name": f"目标{j + 1}", "cat": cat,
                        "pop": population, "wkt": geom.wkt})
    return sources, targets


def _load(conn, run_id, sources, targets):
    conn.execute(sa.text("""
        insert into enterprise (id, credit_code, name, stages, geocode_precision, geom, footprint)
        values (:id, :cc, :name, '{storage}', 'source', ST_SetSRID(ST_MakePoint(:lon, :lat), 4326),
                ST_Multi(ST_GeomFromText(:footprint, 4326)))
    """), [{"id": s["id"], "cc": f"TEST{s['id']:014d}", "name": f"源{s['id']}", "lon": s["lon"],
            "lat": s["lat"], "footprint": s["footprint"]} for s in sources])
    conn.execute(sa.text("""
        insert into source_requirement (run_id, enterprise_id, category, required_m, rule_id, rule_text)
        values (:run, :id, :cat, :req, :rule, :text)
    """), [{"run": run_id, "id": s["id"], "cat": c, "req": r, "rule": f"R{int(r)}", "text": f"规则 {r:g} m"}
           for s in sources for c, r in s["req"].items()])
    conn.execute(sa.text("""
        insert into protection_target (id, target_key, name, category, population, geom)
        values (:id, :key, :name, :cat, :pop, ST_GeomFromText(:wkt, 4326))
    """), targets)
    conn.execute(sa.text("analyze enterprise; analyze protection_target; analyze source_requirement"))


def _new_run(conn) -> int:
    return conn.execute(sa.text(
        "insert into run (kind, status) values ('refresh', 'running') returning id")).scalar_one()


@pytest.fixture(scope="module")
def client():
    from distributed import Client, LocalCluster

    with LocalCluster(n_workers=2, threads_per_worker=1, dashboard_address="127.0.0.1:0") as cluster, \
            Client(cluster) as c:
        yield c


_CONFLICT_ROWS = sa.text("""
    select c.enterprise_id, c.target_id, c.category, c.distance_m, c.required_m, c.deficit_m, c.rule_id,
           c.rule_text, ST_AsText(c.geom) as line,
           floor(ST_X(e.geom) / :d) <> floor(((ST_XMin(t.geom) + ST_XMax(t.geom)) / 2) / :d)
             or floor(ST_Y(e.geom) / :d) <> floor(((ST_YMin(t.geom) + ST_YMax(t.geom)) / 2) / :d) as straddles
    from conflict c join enterprise e on e.id = c.enterprise_id join protection_target t on t.id = c.target_id
    where c.run_id = :r order by 1, 2
""")


@pytest.mark.parametrize("place", sorted(PLACES))
def test_dask_conflicts_and_exposure_agree_with_postgis(schema_db_url, client, tmp_path, place):
    lon0, lat0 = PLACES[place]
    sources, targets = _world(sum(map(ord, place)), lon0, lat0)
    engine = get_engine(schema_db_url)
    with engine.begin() as conn:
        run_pg = _new_run(conn)
        _load(conn, run_pg, sources, targets)
        run_dask = _new_run(conn)
        conn.execute(sa.text("""
            insert into source_requirement (run_id, enterprise_id, category, required_m, rule_id, rule_text)
            select :d, enterprise_id, category, required_m, rule_id, rule_text from source_requirement where run_id = :p
        """), {"d": run_dask, "p": run_pg})
        tiles = export_targets(conn, tmp_path / "targets", tile_deg=TILE_DEG)
        n_pg = insert_conflicts(conn, run_pg)
        n_dask = insert_conflicts_dask(conn, run_dask, client, tiles=tiles, workdir=tmp_path)
        pg = conn.execute(_CONFLICT_ROWS, {"r": run_pg, "d": TILE_DEG}).all()
        dk = conn.execute(_CONFLICT_ROWS, {"r": run_dask, "d": TILE_DEG}).all()
        ids = [s["id"] for s in sources]
        people_pg = exposed_people_by_enterprise(conn, ids)
        people_dask = exposed_people_dask(conn, ids, client, workdir=tmp_path, tile_deg=TILE_DEG)

    assert len(tiles.names) >= 30  # 0.18° × 0.14° in 0.03° tiles: the data spans many partitions
    assert n_dask == n_pg == len(pg) == len(dk) > 500
    assert sum(r.straddles for r in pg) > 0.25 * len(pg)  # about a third of the pairs cross a tile edge
    for a, b in zip(pg, dk):
        assert (a.enterprise_id, a.target_id, a.category) == (b.enterprise_id, b.target_id, b.category)
        assert abs(a.distance_m - b.distance_m) < 0.01
        assert (a.required_m, a.rule_id, a.rule_text) == (b.required_m, b.rule_id, b.rule_text)
        assert abs(a.deficit_m - b.deficit_m) < 0.01
        if a.line is None or b.line is None:  # the target contains the source: 0 m and no line
            assert a.line is None and b.line is None and a.distance_m == 0 == b.distance_m
        elif "以点位计" in a.rule_text:  # from the point: the one shortest line
            assert shapely.from_wkt(a.line).equals_exact(shapely.from_wkt(b.line), 1e-9)
        else:  # from a footprint: facing parallel edges have many shortest lines (in degrees), of one length
            assert abs(shapely.from_wkt(a.line).length - shapely.from_wkt(b.line).length) < 1e-9

    assert people_dask.keys() == people_pg.keys() and len(people_pg) > 500
    for eid, expected in people_pg.items():
        got = people_dask[eid]
        assert abs(got["people"] - expected["people"]) <= 0.1 + 1e-9, eid
        want = {t["target_id"]: t for t in expected["targets"]}
        have = {t["target_id"]: t for t in got["targets"]}
        assert have.keys() == want.keys(), eid
        for tid, t in want.items():
            assert abs(have[tid]["share"] - t["share"]) <= 1e-4 + 1e-9, (eid, tid)
            assert (have[tid]["name"], have[tid]["category"], have[tid]["population"]) == \
                   (t["name"], t["category"], t["population"])
    partial = [t["share"] for e in people_pg.values() for t in e["targets"] if 0 < t["share"] < 1]
    assert len(partial) > 50  # polygons cut by the ring: the share computation is exercised


def test_ring_zone_matches_postgis_best_srid(schema_db_url):
    points = [(112.85, 35.5), (113.9999, 35.5), (114.0001, 35.5), (87.62, 43.82), (126.63, 45.75),
              (110.33, 20.03)]
    with get_engine(schema_db_url).connect() as conn:
        srids = [conn.execute(sa.text("select _ST_BestSRID(ST_SetSRID(ST_MakePoint(:x, :y), 4326)::geography)"),
                              {"x": x, "y": y}).scalar() for x, y in points]
    # PostGIS numbers its UTM-north zones 999000 + zone; ours are the EPSG codes 32600 + zone
    ours = dist.postgis_utm_epsg(np.array([p[0] for p in points]), np.array([p[1] for p in points]))
    assert [s - 999000 for s in srids] == [int(e) - 32600 for e in ours] == [49, 49, 50, 45, 52, 49]


# -- the CLI hook ----------------------------------------------------------------------------

def test_engine_options_are_checked(tmp_path):
    from hazmap.refresh_engine import EngineError, open_refresh_engine

    with pytest.raises(EngineError, match="只用于 --engine dask"):
        with open_refresh_engine("postgis", "tcp://127.0.0.1:8786"):
            pass
    with pytest.raises(EngineError, match="共享目录"):
        with open_refresh_engine("dask", "tcp://127.0.0.1:8786"):
            pass
    with pytest.raises(EngineError, match="无法连接 Dask 调度器 tcp://127.0.0.1:9"):  # nothing listens on port 9
        with open_refresh_engine("dask", "tcp://127.0.0.1:9", workdir=str(tmp_path), connect_timeout_s=2):
            pass


@pytest.mark.parametrize("where", ["scheduler", "local"])
def test_refresh_engine_runs_both_steps_on_dask(schema_db_url, client, tmp_path, where):
    from hazmap.refresh_engine import open_refresh_engine

    sources, targets = _world(11, 112.85, 35.5, n_sources=120, n_targets=300)
    scheduler = client.scheduler.address if where == "scheduler" else None
    with get_engine(schema_db_url).begin() as conn:
        run_pg = _new_run(conn)
        _load(conn, run_pg, sources, targets)
        run_dask = _new_run(conn)
        conn.execute(sa.text("insert into source_requirement select :d, enterprise_id, category, required_m, "
                             "rule_id, rule_text from source_requirement where run_id = :p"),
                     {"d": run_dask, "p": run_pg})
        ids = [s["id"] for s in sources]
        with open_refresh_engine("dask", scheduler, workdir=str(tmp_path) if scheduler else None,
                                 n_workers=1) as eng:
            people = eng.exposed_people(conn, ids)
            n = eng.insert_conflicts(conn, run_dask)
        assert eng.name == "dask" and eng.scheduler.startswith("tcp://")
        assert n == insert_conflicts(conn, run_pg) > 20
        expected = exposed_people_by_enterprise(conn, ids)
    assert {k: round(v["people"]) for k, v in people.items()} == {k: round(v["people"]) for k, v in expected.items()}
    assert list(tmp_path.iterdir()) == []  # the scratch GeoParquet is removed


def test_no_targets_in_reach_gives_nothing(schema_db_url, client, tmp_path):
    sources, _ = _world(5, 112.85, 35.5, n_sources=20, n_targets=0)
    far = [{"id": 1, "key": "far", "name": "远处目标", "cat": "school", "pop": 100, "wkt": "POINT(100 30)"}]
    with get_engine(schema_db_url).begin() as conn:
        run_id = _new_run(conn)
        _load(conn, run_id, sources, far)  # one target 13° away: no tile within any reach
        ids = [s["id"] for s in sources]
        assert insert_conflicts_dask(conn, run_id, client, workdir=tmp_path) == insert_conflicts(conn, run_id) == 0
        assert exposed_people_dask(conn, ids, client, workdir=tmp_path) == exposed_people_by_enterprise(conn, ids) == {}

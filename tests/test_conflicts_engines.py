"""The PostGIS conflict query against the in-memory engine, and distances against pyproj.Geod."""

from __future__ import annotations

import random
import zlib

import pytest
import shapely
import sqlalchemy as sa
from pyproj import Geod

from geo import proximity
from geo.postgis.conflicts import explain_conflicts, insert_conflicts
from hazmap.db.session import get_engine

GEOD = Geod(ellps="WGS84")
# Heilongjiang (Harbin), Xinjiang (Urumqi), Hainan (Haikou), Shanxi (Jincheng)
PLACES = {"heilongjiang": (126.63, 45.75), "xinjiang": (87.62, 43.82),
          "hainan": (110.33, 20.03), "shanxi": (112.85, 35.49)}
CATEGORIES = ["school", "hospital", "residential"]


def _random_world(seed: int, lon0: float, lat0: float, n_sources=25, n_targets=120):
    rng = random.Random(seed)
    sources, targets = [], []
    for i in range(n_sources):
        lon, lat = lon0 + rng.uniform(-0.03, 0.03), lat0 + rng.uniform(-0.03, 0.03)
        req = {c: rng.choice([50.0, 100.0, 300.0, 500.0, 1000.0]) for c in rng.sample(CATEGORIES, 2)}
        sources.append(proximity.Source(i + 1, lon, lat, req))
    for j in range(n_targets):
        lon, lat = lon0 + rng.uniform(-0.04, 0.04), lat0 + rng.uniform(-0.04, 0.04)
        cat = rng.choice(CATEGORIES)
        if cat == "residential":
            w, h = rng.uniform(0.001, 0.004), rng.uniform(0.001, 0.004)
            geom = shapely.box(lon, lat, lon + w, lat + h)
        else:
            geom = shapely.Point(lon, lat)
        targets.append(proximity.Target(j + 1, cat, geom))
    return sources, targets


def _load(conn, run_id, sources, targets):
    conn.execute(sa.text("delete from conflict; delete from source_requirement; "
                         "delete from enterprise; delete from protection_target"))
    for s in sources:
        conn.execute(sa.text("""
            insert into enterprise (id, credit_code, name, stages, geocode_precision, geom)
            values (:id, :cc, :name, '{storage}', 'source', ST_SetSRID(ST_MakePoint(:lon, :lat), 4326))
        """), {"id": s.id, "cc": f"TEST{s.id:014d}", "name": f"源{s.id}", "lon": s.lon, "lat": s.lat})
        for cat, req in s.required_m.items():
            conn.execute(sa.text("""
                insert into source_requirement (run_id, enterprise_id, category, required_m, rule_id, rule_text)
                values (:run, :id, :cat, :req, 'test', 'test')
            """), {"run": run_id, "id": s.id, "cat": cat, "req": req})
    for t in targets:
        conn.execute(sa.text("""
            insert into protection_target (id, target_key, name, category, geom)
            values (:id, :key, :name, :cat, ST_GeomFromText(:wkt, 4326))
        """), {"id": t.id, "key": f"T{t.id}", "name": f"目标{t.id}", "cat": t.category, "wkt": t.geometry.wkt})


def _run(conn) -> int:
    return conn.execute(sa.text(
        "insert into run (kind, status) values ('refresh', 'running') returning id")).scalar_one()


@pytest.mark.parametrize("place", sorted(PLACES))
def test_postgis_and_inmemory_agree_pair_for_pair(schema_db_url, place):
    lon0, lat0 = PLACES[place]
    sources, targets = _random_world(zlib.crc32(place.encode()), lon0, lat0)  # deterministic per place
    engine = get_engine(schema_db_url)
    with engine.begin() as conn:
        run_id = _run(conn)
        _load(conn, run_id, sources, targets)
        n = insert_conflicts(conn, run_id)
        rows = conn.execute(sa.text(
            "select enterprise_id, target_id, distance_m, required_m from conflict where run_id = :r "
            "order by enterprise_id, target_id"), {"r": run_id}).all()
    expected = proximity.conflicts(sources, targets)
    assert n == len(rows) == len(expected) and n > 10
    for row, pair in zip(rows, expected):
        assert (row.enterprise_id, row.target_id) == (pair.source_id, pair.target_id)
        assert abs(row.distance_m - pair.distance_m) < 0.01
        assert row.required_m == pair.required_m


@pytest.mark.parametrize("place", sorted(PLACES))
def test_point_distances_match_pyproj_geod(schema_db_url, place):
    lon0, lat0 = PLACES[place]
    engine = get_engine(schema_db_url)
    with engine.connect() as conn:
        for dlon, dlat in [(0.001, 0.0), (0.0, 0.004), (0.01, 0.01), (0.05, -0.03)]:
            d = conn.execute(sa.text(
                "select ST_Distance(ST_SetSRID(ST_MakePoint(:a, :b), 4326)::geography, "
                "ST_SetSRID(ST_MakePoint(:c, :d), 4326)::geography)"),
                {"a": lon0, "b": lat0, "c": lon0 + dlon, "d": lat0 + dlat}).scalar()
            g = GEOD.inv(lon0, lat0, lon0 + dlon, lat0 + dlat)[2]
            assert abs(d - g) <= max(0.5, 0.001 * g)
            m = proximity.distance_m(lon0, lat0, shapely.Point(lon0 + dlon, lat0 + dlat))
            assert abs(m - g) <= max(0.5, 0.001 * g)


def test_conflict_query_uses_the_target_index(schema_db_url):
    sources, targets = _random_world(7, *PLACES["shanxi"], n_sources=5, n_targets=1500)
    engine = get_engine(schema_db_url)
    with engine.begin() as conn:
        run_id = _run(conn)
        _load(conn, run_id, sources, targets)
        conn.execute(sa.text("analyze protection_target; analyze enterprise; analyze source_requirement"))
        plan = explain_conflicts(conn, run_id)
    assert "ix_protection_target_geom" in plan
    assert "Index Cond" in plan and "&&" in plan

"""Separation distances and the α ring from footprints (issue 11 item 2), by hand.

Every source is a 化工厂 with a 甲-class unit → 甲类厂房; a low residential building
(high_rise registered false) is 民用建筑: 25 m (GB 50016 表3.4.1, rule R002).  Sources are
0.05° (≈ 4.5 km) apart so they never see each other's targets.  Metres → degrees with the
local scale (35.5° N); the assertions keep ≥ 0.5 m of slack.
"""

from __future__ import annotations

import math

import pytest
import sqlalchemy as sa

from hazmap.config import load_settings
from hazmap.db.session import get_engine
from hazmap.refresh import run_refresh

LAT = 35.50
M_LAT = 110_950.0
M_LON = 111_320.0 * math.cos(math.radians(LAT))  # ≈ 90 620 m per degree of longitude here


def _lon(lon0, dx):
    return lon0 + dx / M_LON


def _lat(dy):
    return LAT + dy / M_LAT


def _box(lon0, half_m):
    return (f"MULTIPOLYGON((({_lon(lon0, -half_m)} {_lat(-half_m)}, {_lon(lon0, half_m)} {_lat(-half_m)}, "
            f"{_lon(lon0, half_m)} {_lat(half_m)}, {_lon(lon0, -half_m)} {_lat(half_m)}, "
            f"{_lon(lon0, -half_m)} {_lat(-half_m)})))")


def _plant(conn, n, lon0, *, site_half_m=None, unit_half_m=None):
    eid = conn.execute(sa.text("""
        insert into enterprise (credit_code, name, stages, facility_type, geocode_precision, geom, footprint)
        values (:cc, :name, '{production}', '化工厂', 'source', ST_SetSRID(ST_MakePoint(:lon, :lat), 4326),
                ST_GeomFromText(:fp, 4326)) returning id"""),
        {"cc": f"91140502FOOTPRNT{n:02d}", "name": f"化工厂{n}", "lon": lon0, "lat": LAT,
         "fp": _box(lon0, site_half_m) if site_half_m else None}).scalar_one()
    uid = conn.execute(sa.text("""
        insert into hazard_unit (unit_key, enterprise_id, name, kind, fire_class, footprint)
        values (:k, :e, '甲苯罐', 'storage', '甲', ST_GeomFromText(:fp, 4326)) returning id"""),
        {"k": f"FP-U{n}", "e": eid, "fp": _box(lon0, unit_half_m) if unit_half_m else None}).scalar_one()
    conn.execute(sa.text("""insert into inventory (hazard_unit_id, chemical_id, quantity_t)
                            select :u, id, 1.0 from chemical where key = 'T1-64'"""), {"u": uid})
    return eid, uid


def _house(conn, key, lon, lat, *, population=None, wkt=None):
    return conn.execute(sa.text("""
        insert into protection_target (target_key, name, category, high_rise, population, geom)
        values (:k, :label, 'residential', false, :pop, coalesce(ST_GeomFromText(:wkt, 4326),
                ST_SetSRID(ST_MakePoint(:lon, :lat), 4326))) returning id"""),
        {"k": key, "label": key, "lon": lon, "lat": lat, "pop": population, "wkt": wkt}).scalar_one()


@pytest.fixture
def plants(fresh_db_url, monkeypatch):
    monkeypatch.setenv("DATABASE_URL", fresh_db_url)
    monkeypatch.delenv("HAZMAP_CONFIG", raising=False)
    x1, x2, x3, x4 = 112.80, 112.85, 112.90, 112.95
    ids = {}
    with get_engine(fresh_db_url).begin() as conn:
        # 1. point only: a house 20 m north conflicts at 20 m, "以点位计"
        ids["p1"], ids["u1"] = _plant(conn, 1, x1)
        ids["h1"] = _house(conn, "H1", x1, _lat(20))
        # 2. site boundary ±15 m: a house 30 m north of the point is 15 m from the boundary
        ids["p2"], ids["u2"] = _plant(conn, 2, x2, site_half_m=15)
        ids["h2"] = _house(conn, "H2", x2, _lat(30))
        # 50 people 510 m north: 495 m from the boundary → inside the α ring (not from the point)
        ids["crowd2"] = _house(conn, "C2", x2, _lat(510), population=50)
        # 3. unit footprint ±3 m inside the ±15 m site: measured from the unit
        ids["p3"], ids["u3"] = _plant(conn, 3, x3, site_half_m=15, unit_half_m=3)
        ids["h3_far"] = _house(conn, "H3F", x3, _lat(30))    # 27 m from the unit: complies (≥ 25)
        ids["h3_near"] = _house(conn, "H3N", x3, _lat(-26))  # 23 m from the unit: conflicts
        # 4. the plant's point inside a residential polygon (±20 m)
        ids["p4"], ids["u4"] = _plant(conn, 4, x4)
        ids["h4"] = _house(conn, "H4", x4, LAT, wkt=_box(x4, 20))
    return fresh_db_url, ids


def test_distances_from_footprints_and_points(plants):
    url, ids = plants
    run_id = run_refresh(load_settings())["run_id"]
    with get_engine(url).connect() as conn:
        got = {(r.enterprise_id, r.target_id): r for r in conn.execute(sa.text("""
            select enterprise_id, target_id, distance_m, required_m, rule_id, rule_text,
                   ST_AsText(geom) as line from conflict where run_id = :r"""), {"r": run_id})}
        units = {r.hazard_unit_id: r for r in conn.execute(sa.text(
            "select hazard_unit_id, exposed_people, exposure_basis, notes from hazard_unit_result where run_id = :r"),
            {"r": run_id})}
    assert all(c.required_m == 25 and c.rule_id == "R002" for c in got.values())
    c1 = got[(ids["p1"], ids["h1"])]
    assert 19.5 < c1.distance_m < 20.5 and "以点位计" in c1.rule_text
    c2 = got[(ids["p2"], ids["h2"])]
    assert 14.5 < c2.distance_m < 15.5 and "自厂区边界计" in c2.rule_text and c2.line.startswith("LINESTRING")
    assert (ids["p3"], ids["h3_far"]) not in got
    c3 = got[(ids["p3"], ids["h3_near"])]
    assert 22.5 < c3.distance_m < 23.5 and "点位" not in c3.rule_text and "厂区边界" not in c3.rule_text
    c4 = got[(ids["p4"], ids["h4"])]
    assert c4.distance_m == 0 and c4.line is None and "源点位于目标范围内" in c4.rule_text
    assert len(got) == 4
    # α: the ring is drawn 500 m outside the site boundary; plants without one say so
    assert units[ids["u2"]].exposed_people == 50 and units[ids["u2"]].exposure_basis == "counted"
    assert not any("点位计" in n for n in units[ids["u2"]].notes)
    assert units[ids["u1"]].exposure_basis == "none_registered"
    assert any("500 m暴露范围以企业点位计" in n for n in units[ids["u1"]].notes)


def test_footprints_on_the_dask_engine_give_the_same_conflicts(plants):
    pytest.importorskip("dask_geopandas")
    from hazmap.refresh_engine import open_refresh_engine

    url, _ = plants
    pg = run_refresh(load_settings())["run_id"]
    with open_refresh_engine("dask", n_workers=1) as eng:
        dk = run_refresh(load_settings(), engine=eng)["run_id"]
    with get_engine(url).connect() as conn:
        rows = {run: {(r.enterprise_id, r.target_id): r for r in conn.execute(sa.text(
            "select enterprise_id, target_id, distance_m, rule_text, ST_AsText(geom) as line from conflict "
            "where run_id = :r"), {"r": run})} for run in (pg, dk)}
    a, b = rows[pg], rows[dk]
    assert a.keys() == b.keys() and len(a) == 4
    for k in a:
        assert a[k].rule_text == b[k].rule_text and abs(a[k].distance_m - b[k].distance_m) < 0.01
        assert (a[k].line is None) == (b[k].line is None)

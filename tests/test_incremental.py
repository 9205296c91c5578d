"""The incremental refresh gives what a full refresh gives (issue 18 item 3), on randomised edits.

Each round edits the registries at random (enterprises moved, added, removed, their quantities
changed; targets moved, added, removed, their population or category changed), refreshes
incrementally on the previous round's run, and compares every core result table with a full
refresh of the same data (computed in a transaction that is rolled back, so the next round's base
stays the incremental run).
"""

from __future__ import annotations

import json
import random

import sqlalchemy as sa

from geo.postgis.refresh import refresh
from hazmap.db.session import get_engine
from hazmap.jobs import run_job
from tests.helpers import domain as make_domain

CENTRE = (112.85, 35.50)
W = 0.012  # ≈ 1.1 km half-width: dense enough that most sources have conflicts
CATEGORIES = ("school", "kindergarten", "hospital", "nursing_home", "mall", "office")
FACILITIES = (("{trade_storage}", "加油站"), ("{storage}", "危化品仓库"), ("{production}", "化工厂"))
CHEMICALS = ("T1-12", "T1-65", "T1-52")
# the tables a refresh writes per run whose rows must agree (wing tables are recomputed in full)
TABLES = ("hazard_unit_result", "source_requirement", "conflict", "enterprise_risk", "area_risk",
          "pipeline_hca", "enterprise_exposure")


def _point(rng: random.Random) -> tuple[float, float]:
    return CENTRE[0] + rng.uniform(-W, W), CENTRE[1] + rng.uniform(-W, W)


def _add_enterprise(conn, rng: random.Random, n: int) -> None:
    stages, facility = FACILITIES[n % 3]
    x, y = _point(rng)
    eid = conn.execute(sa.text(f"""
        insert into enterprise (credit_code, name, stages, facility_type, geocode_precision, geom)
        values (:code, :name, '{stages}', :facility, 'source', ST_SetSRID(ST_MakePoint(:x, :y), 4326))
        returning id"""), {"code": "T" + str(n).zfill(17), "name": f"增量企业{n}", "facility": facility,
                           "x": x, "y": y}).scalar_one()
    if facility != "加油站":
        uid = conn.execute(sa.text("""insert into hazard_unit (unit_key, enterprise_id, name, kind, fire_class)
                                      values (:k, :e, '储罐区', 'storage', '甲') returning id"""),
                           {"k": f"TU{n}", "e": eid}).scalar_one()
        conn.execute(sa.text("""insert into inventory (hazard_unit_id, chemical_id, quantity_t)
                                select :u, id, :q from chemical where key = :c"""),
                     {"u": uid, "q": rng.choice((0.5, 5.0, 20.0, 80.0, 300.0)), "c": CHEMICALS[n % 3]})


def _add_target(conn, rng: random.Random, n: int) -> None:
    x, y = _point(rng)
    if n % 4 == 0:  # a residential compound (polygon, area-weighted population)
        h = rng.randint(10, 400)
        conn.execute(sa.text("""insert into protection_target (target_key, name, category, households, population, geom)
                                values (:k, :n, 'residential', :h, :p, ST_MakeEnvelope(:x, :y, :x + 0.002, :y + 0.0015, 4326))"""),
                     {"k": f"TT{n}", "n": f"增量小区{n}", "h": h, "p": 3 * h, "x": x, "y": y})
    else:
        conn.execute(sa.text("""insert into protection_target (target_key, name, category, population, geom)
                                values (:k, :n, :c, :p, ST_SetSRID(ST_MakePoint(:x, :y), 4326))"""),
                     {"k": f"TT{n}", "n": f"增量目标{n}", "c": CATEGORIES[n % 6], "p": rng.randint(20, 1500),
                      "x": x, "y": y})


def _ids(conn, table: str) -> list[int]:
    return [r[0] for r in conn.execute(sa.text(f"select id from {table} order by id"))]


def _edit(conn, rng: random.Random, serial: list[int]) -> None:
    """A handful of random edits of every kind the registries see."""
    ents, targets = _ids(conn, "enterprise"), _ids(conn, "protection_target")
    for eid in rng.sample(ents, 2):  # moved
        conn.execute(sa.text("update enterprise set geom = ST_SetSRID(ST_MakePoint(:x, :y), 4326) where id = :id"),
                     {"id": eid, **dict(zip("xy", _point(rng)))})
    units = _ids(conn, "hazard_unit")
    for uid in rng.sample(units, 2):  # quantities changed (a grade, a requirement band may follow)
        conn.execute(sa.text("update inventory set quantity_t = :q where hazard_unit_id = :u"),
                     {"u": uid, "q": rng.choice((0.5, 5.0, 20.0, 80.0, 300.0, 2000.0))})
    conn.execute(sa.text("delete from enterprise where id = :id"), {"id": rng.choice(ents)})
    for tid in rng.sample(targets, 3):  # moved
        conn.execute(sa.text("update protection_target set geom = ST_Translate(geom, :dx, :dy) where id = :id"),
                     {"id": tid, "dx": rng.uniform(-0.004, 0.004), "dy": rng.uniform(-0.004, 0.004)})
    for tid in rng.sample(targets, 2):  # population changed, one to unknown
        conn.execute(sa.text("update protection_target set population = :p where id = :id"),
                     {"id": tid, "p": rng.choice((None, 0, 35, 900))})
    point_targets = [r[0] for r in conn.execute(sa.text(
        "select id from protection_target where category <> 'residential' order by id"))]
    conn.execute(sa.text("update protection_target set category = :c where id = :id"),
                 {"id": rng.choice(point_targets), "c": rng.choice(CATEGORIES)})
    conn.execute(sa.text("delete from protection_target where id = any(:ids)"), {"ids": rng.sample(targets, 2)})
    for _ in range(2):
        serial[0] += 1
        _add_target(conn, rng, serial[0])
    serial[0] += 1
    _add_enterprise(conn, rng, serial[0])


def _norm(v):
    if isinstance(v, float):
        return round(v, 6)
    if isinstance(v, dict):
        return {k: _norm(x) for k, x in v.items()}
    if isinstance(v, list):
        return [_norm(x) for x in v]
    return v


def _results(conn, run_id: int) -> dict[str, list]:
    out = {}
    for table in TABLES:
        rows = conn.execute(sa.text(f"""select to_jsonb(t) - 'run_id' - 'id' - 'geom' - 'geog'
                                               || jsonb_build_object('wkt', ST_AsText(t.geom))
                                        from {table} t where run_id = :r"""
                                    if table in ("conflict", "pipeline_hca") else
                                    f"select to_jsonb(t) - 'run_id' - 'id' - 'geom' - 'geog' from {table} t "
                                    "where run_id = :r"), {"r": run_id}).scalars()
        out[table] = sorted((_norm(r) for r in rows), key=lambda r: json.dumps(r, sort_keys=True, ensure_ascii=False))
    return out


def _incremental(engine, dom) -> tuple[int, dict]:
    with run_job(engine, "refresh", versions=dom.versions.as_json()) as job:
        summary = refresh(job.conn, job.run_id, dom, incremental=True)
        job.counts = {"refresh": summary}
    return job.run_id, summary


def _full_then_rolled_back(engine, dom) -> dict[str, list]:
    """A full refresh of the same data, read and rolled back (the incremental run stays the base)."""
    with engine.connect() as conn:
        tx = conn.begin()
        run_id = conn.execute(sa.text("""insert into run (kind, status, versions) values ('refresh', 'running', '{}')
                                         returning id""")).scalar_one()
        summary = refresh(conn, run_id, dom)
        assert summary["incremental"] is None
        results = _results(conn, run_id)
        tx.rollback()
    return results


def test_incremental_refresh_equals_full_refresh_on_randomised_edits(fresh_db_url):
    dom = make_domain()
    engine = get_engine(fresh_db_url)
    rng = random.Random(18)
    serial = [0]
    with engine.begin() as conn:
        for _ in range(60):
            serial[0] += 1
            _add_enterprise(conn, rng, serial[0])
        for _ in range(160):
            serial[0] += 1
            _add_target(conn, rng, serial[0])
    run_id, first = _incremental(engine, dom)
    assert first["incremental"] is None  # no base yet: a full refresh
    assert first["conflicts"] > 20
    for round_no in range(4):
        with engine.begin() as conn:
            _edit(conn, rng, serial)
        run_id, summary = _incremental(engine, dom)
        plan = summary["incremental"]
        assert plan is not None, round_no
        assert plan["plan"]["changed_enterprises"] >= 3 and plan["plan"]["removed_targets"] == 2
        # only part of the district was measured again
        assert plan["exposure_measured"] < summary["enterprises"]
        assert plan["conflict_sources_measured"] < summary["enterprises"]
        with engine.connect() as conn:
            got = _results(conn, run_id)
        want = _full_then_rolled_back(engine, dom)
        for table in TABLES:
            assert got[table] == want[table], (round_no, table)
        assert got["conflict"] and got["enterprise_exposure"]


def _seeded(url: str, *, seed: int, targets: int, enterprises: int = 10):
    """``enterprises`` then ``targets`` at random (``seed``); the engine."""
    engine, rng = get_engine(url), random.Random(seed)
    with engine.begin() as conn:
        for n in range(1, enterprises + 1):
            _add_enterprise(conn, rng, n)
        for n in range(enterprises + 1, enterprises + targets + 1):
            _add_target(conn, rng, n)
    return engine


def test_a_refresh_with_other_versions_is_full(fresh_db_url):
    dom, engine = make_domain(), _seeded(fresh_db_url, seed=5, targets=20)
    _incremental(engine, dom)
    _, again = _incremental(engine, dom)
    assert again["incremental"]["plan"]["changed_enterprises"] == 0  # nothing changed: nothing measured
    assert again["incremental"]["exposure_measured"] == 0
    assert again["incremental"]["conflict_sources_measured"] == 0
    with engine.begin() as conn:  # the base run was graded with other tables: its results cannot be kept
        conn.execute(sa.text("""update run set versions = versions || '{"rules": "other"}'::jsonb
                                where id = (select max(id) from run)"""))
    _, full = _incremental(engine, dom)
    assert full["incremental"] is None


def test_many_changes_make_a_full_refresh(fresh_db_url):
    from geo.postgis import incremental

    dom, engine = make_domain(), _seeded(fresh_db_url, seed=7, targets=0)
    _incremental(engine, dom)
    with engine.begin() as conn:  # 6 of 10 enterprises moved
        conn.execute(sa.text("update enterprise set geom = ST_Translate(geom, 0.001, 0) where id in "
                             "(select id from enterprise order by id limit 6)"))
        run_id = conn.execute(sa.text("select max(id) + 1000 from run")).scalar()
        assert incremental.plan(conn, run_id, dom.versions.as_json(), max_changed_share=0.5) is None
        p = incremental.plan(conn, run_id, dom.versions.as_json(), max_changed_share=0.7)
        assert p is not None and len(p.enterprises) == 6 and p.targets == set()

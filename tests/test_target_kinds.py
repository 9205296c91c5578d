"""Target kinds: the pure key and its SQL twin agree; what each key means by hand."""

from __future__ import annotations

import itertools
import random

import pytest
import sqlalchemy as sa

from geo.postgis.target_kinds import target_kind_sql
from geo.rules_files import load_ruleset_from
from geo.separation import TargetProfile, requirement_for, target_kind
from geo.target_kinds import kind_conditions, target_kind_key
from hazmap.db.session import get_engine
from hazmap.domain import data_dir


@pytest.fixture(scope="module")
def rs():
    return load_ruleset_from(data_dir("rules"))


def T(category, **kw):
    return TargetProfile(category, **kw)


def test_keys_by_hand(rs):
    # target_classes.csv: school rows read high_rise=1, population>500 (B.0.1), population<=500 (B.0.2)
    assert kind_conditions("school", rs) == (("high_rise", "=", 1.0), ("population", "<=", 500.0),
                                             ("population", ">", 500.0))
    assert target_kind_key(T("school", population=800), rs) == "population<=500:0;population>500:1"
    assert target_kind_key(T("school", population=500), rs) == "population<=500:1;population>500:0"
    assert target_kind_key(T("school", population=300, high_rise=True), rs) == \
        "high_rise=1:1;population<=500:1;population>500:0"
    assert target_kind_key(T("school"), rs) == ""  # nothing registered that a condition reads
    # households are read by no school row: registering them does not make a kind
    assert target_kind_key(T("school", households=40), rs) == ""
    # 居住区: ≥1000 人 or ≥300 户 (GB 50016-2006 表4.4.1 注), 高层 apart
    assert target_kind_key(T("residential", households=350, high_rise=False), rs) == \
        "high_rise=1:0;households>=300:1"
    assert target_kind_key(T("hospital", beds=150), rs) == "beds<150:0;beds>=150:1"
    assert target_kind_key(T("office", high_rise=True, population=9000), rs) == "high_rise=1:1"
    assert target_kind_key(T("cultural_relic", population=50, high_rise=True), rs) == ""  # no conditions


def test_same_key_same_requirement(rs):
    """Targets with one key get one requirement from a source (why one row per kind suffices)."""
    from geo.separation import SourceProfile

    station = SourceProfile("加油站", ("trade_storage",), station_grade=3)
    plant = SourceProfile("化工厂", ("production",), fire_classes=frozenset({"甲"}))
    seen: dict = {}
    for cat, pop, hr, beds, hh in itertools.product(
            ("school", "hospital", "residential", "office"), (None, 120, 499, 501, 1200),
            (None, True, False), (None, 20, 200), (None, 100, 400)):
        t = T(cat, population=pop, high_rise=hr, beds=beds, households=hh)
        key = (cat, target_kind_key(t, rs))
        reqs = tuple(requirement_for(p, rs, t) for p in (station, plant))
        assert seen.setdefault(key, reqs) == reqs, key
        # and the key is the key of the representative geo.separation.target_kind keeps
        assert target_kind_key(target_kind(t, rs), rs) == key[1]


def _varied_targets(rs):
    rng = random.Random(11)
    cats = sorted({t.category for t in rs.target_rules})
    out = []
    for i in range(300):
        out.append(dict(id=i + 1, category=rng.choice(cats),
                        population=rng.choice([None, 0, 150, 200, 201, 499, 500, 501, 999, 1000, 4000]),
                        households=rng.choice([None, 0, 299, 300, 301]),
                        capacity=rng.choice([None, 0, 149, 150, 151]),
                        high_rise=rng.choice([None, True, False])))
    return out


def test_sql_key_equals_python_key(rs, db_url):
    targets = _varied_targets(rs)
    with get_engine(db_url).connect() as conn, conn.begin() as tx:
        conn.execute(sa.text("""
            insert into protection_target (id, target_key, name, category, population, households, capacity,
                                           high_rise, geom)
            values (:id + 900000, 'TK' || :id, '目标', :category, :population, :households, :capacity, :high_rise,
                    ST_SetSRID(ST_MakePoint(112.85, 35.5), 4326))"""), targets)
        got = dict(conn.execute(sa.text(f"select id - 900000, {target_kind_sql(rs)} from protection_target t "
                                        "where id > 900000")).all())
        tx.rollback()
    want = {t["id"]: target_kind_key(T(t["category"], population=t["population"], households=t["households"],
                                         beds=t["capacity"], high_rise=t["high_rise"]), rs) for t in targets}
    assert got == want
    assert len(set(want.values())) > 15  # the table is varied enough to mean something

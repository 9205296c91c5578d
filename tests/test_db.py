"""Schema, migrations and ``db init`` on real PostGIS."""

from __future__ import annotations

import sqlalchemy as sa
from click.testing import CliRunner

from hazmap.db.init import downgrade, init_database, upgrade
from hazmap.db.session import get_engine

SPATIAL_TABLES = ["admin_area", "enterprise", "protection_target", "pipeline"]


def _tables(url: str) -> set[str]:
    with get_engine(url).connect() as conn:
        return {r[0] for r in conn.execute(sa.text(
            "select tablename from pg_tables where schemaname = 'public'"))}


def test_migrations_up_down_up(scratch_db_url):
    init_database(scratch_db_url)
    assert {"enterprise", "hazard_unit", "inventory", "conflict", "run"} <= _tables(scratch_db_url)
    downgrade(scratch_db_url, "base")
    assert _tables(scratch_db_url) <= {"alembic_version", "spatial_ref_sys"}
    upgrade(scratch_db_url)
    assert "enterprise_risk" in _tables(scratch_db_url)


def test_db_init_twice_is_idempotent(scratch_db_url):
    first = init_database(scratch_db_url)
    second = init_database(scratch_db_url)
    assert first["created"] is True and second["created"] is False
    with get_engine(scratch_db_url).connect() as conn:
        n = conn.execute(sa.text("select count(*) from chemical")).scalar()
        rev = conn.execute(sa.text("select version_num from alembic_version")).scalar()
    assert n >= 85 + 8  # every GB 18218 Table-1 row plus the demo's Table-2 chemicals
    assert rev is not None


def test_cli_db_init(scratch_db_url, monkeypatch):
    from hazmap.cli import cli

    monkeypatch.setenv("DATABASE_URL", scratch_db_url)
    monkeypatch.delenv("HAZMAP_CONFIG", raising=False)
    result = CliRunner().invoke(cli, ["db", "init"])
    assert result.exit_code == 0, result.output
    assert "已创建数据库" in result.output
    result = CliRunner().invoke(cli, ["db", "init"])
    assert result.exit_code == 0 and "数据库已存在" in result.output


def test_geometries_have_srid_and_gist_indexes(db_url):
    with get_engine(db_url).connect() as conn:
        cols = conn.execute(sa.text("""
            select f_table_name, f_geometry_column, srid from geometry_columns
            union all
            select f_table_name, f_geography_column, srid from geography_columns
        """)).all()
        idx = {r[0] for r in conn.execute(sa.text(
            "select indexname from pg_indexes where indexdef ilike '%using gist%'"))}
    assert cols and all(srid == 4326 for _, _, srid in cols)
    for table in SPATIAL_TABLES:
        assert f"ix_{table}_geom" in idx and f"ix_{table}_geog" in idx


def test_geography_twin_gives_metres(db_url):
    """The generated geography column measures spheroidal metres (1° of latitude ≈ 110.9 km here)."""
    engine = get_engine(db_url)
    with engine.begin() as conn:
        conn.execute(sa.text("""
            insert into protection_target (target_key, name, category, geom)
            values ('t-a', 'A', 'school', ST_SetSRID(ST_MakePoint(112.85, 35.0), 4326)),
                   ('t-b', 'B', 'school', ST_SetSRID(ST_MakePoint(112.85, 36.0), 4326))
        """))
        d = conn.execute(sa.text("""
            select ST_Distance(a.geog, b.geog) from protection_target a, protection_target b
            where a.target_key = 't-a' and b.target_key = 't-b'
        """)).scalar()
        conn.execute(sa.text("delete from protection_target where target_key in ('t-a','t-b')"))
    from pyproj import Geod

    expected = Geod(ellps="WGS84").inv(112.85, 35.0, 112.85, 36.0)[2]
    assert abs(d - expected) < 0.01 * 1  # same ellipsoid, same geodesic: centimetres


def test_cli_bad_database_url_is_one_line(monkeypatch):
    from hazmap.cli import cli

    monkeypatch.setenv("DATABASE_URL", "mysql://nobody@localhost/x")
    result = CliRunner().invoke(cli, ["db", "init"])
    assert result.exit_code == 2
    assert "DATABASE_URL" in result.output and "Traceback" not in result.output


def test_migrations_connect_with_the_database_settings(db_url, monkeypatch):
    """migrations/env.py's engine has the [database] connect timeout, keepalives and
    tcp_user_timeout (a silent server fails the migration fast, never hangs it)."""
    from hazmap.config import DatabaseSettings

    seen = []
    real = sa.create_engine

    def spy(url, **kw):
        engine = real(url, **kw)
        with engine.connect() as conn:
            seen.append(conn.connection.dbapi_connection.info.get_parameters())
        return engine

    monkeypatch.setattr(sa, "create_engine", spy)  # env.py imports it when alembic runs it
    upgrade(db_url, db=DatabaseSettings(connect_timeout_s=7, tcp_user_timeout_ms=12_000))
    assert seen, "the migrations made no engine"
    params = seen[-1]
    assert params["connect_timeout"] == "7" and params["tcp_user_timeout"] == "12000"
    assert params["keepalives"] == "1" and params["keepalives_idle"] == "10"

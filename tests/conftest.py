"""Shared fixtures.

Database tests use a real PostgreSQL + PostGIS at ``$TEST_DATABASE_ADMIN_URL`` (default
``postgresql+psycopg://postgres@127.0.0.1:5432/postgres``).  Each test session creates its
own scratch databases and drops them at the end; nothing depends on a previous run.
When PostGIS is unreachable the database tests are skipped on a laptop but FAIL when
``REQUIRE_POSTGIS=1`` (as in CI).
"""

from __future__ import annotations

import os

# openpyxl writes other XLSX bytes when lxml is installed (OWSLib brings it): keep the demo reproducible
os.environ.setdefault("OPENPYXL_LXML", "False")

import pytest  # noqa: E402
import sqlalchemy as sa

from tests.helpers import ADMIN_URL, as_user, drop_database, make_user, scratch_url  # noqa: F401


def _postgis_problem() -> str | None:
    try:
        eng = sa.create_engine(ADMIN_URL)
        with eng.connect() as conn:
            ok = conn.execute(sa.text(
                "select 1 from pg_available_extensions where name = 'postgis'")).scalar()
        eng.dispose()
    except Exception as exc:  # noqa: BLE001 - any failure means "not reachable"
        return f"PostgreSQL not reachable at {ADMIN_URL}: {exc}"
    return None if ok else "PostGIS extension not installed (apt-get install postgresql-15-postgis-3)"


@pytest.fixture(scope="session")
def postgis_available() -> None:
    problem = _postgis_problem()
    if problem:
        if os.environ.get("REQUIRE_POSTGIS") == "1":
            pytest.fail(problem, pytrace=False)
        pytest.skip(problem)


@pytest.fixture
def scratch_db_url(postgis_available):
    """An empty database name (not yet created) that is dropped after the test."""
    url = scratch_url("hazmap_scratch")
    yield url
    drop_database(url)


@pytest.fixture(scope="session")
def db_url(postgis_available):
    """A session-wide database after ``hazmap db init`` (schema + reference data, no ETL)."""
    from hazmap.db.init import init_database

    url = scratch_url("hazmap_test")
    init_database(url)
    yield url
    drop_database(url)


@pytest.fixture
def fresh_db_url(postgis_available):
    """A database after ``db init``, private to one test (for tests that load or mutate data)."""
    from hazmap.db.init import init_database

    url = scratch_url("hazmap_fresh")
    init_database(url)
    yield url
    drop_database(url)


@pytest.fixture
def schema_db_url(postgis_available):
    """A database with the schema only (migrated to head, no reference data), private to one test."""
    from hazmap.db.init import create_database_if_missing, enable_postgis, upgrade

    url = scratch_url("hazmap_schema")
    create_database_if_missing(url)
    enable_postgis(url)
    upgrade(url)
    yield url
    drop_database(url)


@pytest.fixture(scope="session")
def demo_db(postgis_available):
    """A database loaded with the bundled demo through ``hazmap demo --no-serve``.

    Session-wide and read-only for the tests that use it: (url, CLI result).
    """
    from click.testing import CliRunner

    url = scratch_url("hazmap_demo")
    old = {k: os.environ.get(k) for k in ("DATABASE_URL", "HAZMAP_CONFIG")}
    os.environ["DATABASE_URL"] = url
    os.environ.pop("HAZMAP_CONFIG", None)
    try:
        from hazmap.cli import cli

        result = CliRunner().invoke(cli, ["demo", "--no-serve"])
    finally:
        for k, v in old.items():
            if v is None:
                os.environ.pop(k, None)
            else:
                os.environ[k] = v
    assert result.exit_code == 0, result.output
    yield url, result
    drop_database(url)


@pytest.fixture
def demo_app(demo_db):
    """The app on the demo database; its test client authenticates as an operator (API token)."""
    from webmap import create_app

    return as_user(create_app({"TESTING": True, "DATABASE_URL": demo_db[0]}))

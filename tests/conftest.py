"""Shared fixtures.

Database tests use a real PostgreSQL + PostGIS at ``$TEST_DATABASE_ADMIN_URL`` (default
``postgresql+psycopg://postgres@127.0.0.1:5432/postgres``).  Each test session creates its
own scratch databases and drops them at the end; nothing depends on a previous run.
When PostGIS is unreachable the database tests are skipped on a laptop but FAIL when
``REQUIRE_POSTGIS=1`` (as in CI).
"""

from __future__ import annotations

import os
import uuid

import pytest
import sqlalchemy as sa
from sqlalchemy.engine import make_url

ADMIN_URL = os.environ.get("TEST_DATABASE_ADMIN_URL",
                           "postgresql+psycopg://postgres@127.0.0.1:5432/postgres")


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


def _scratch_url(prefix: str) -> str:
    name = f"{prefix}_{os.getpid()}_{uuid.uuid4().hex[:6]}"
    return make_url(ADMIN_URL).set(database=name).render_as_string(hide_password=False)


def drop_database(url: str) -> None:
    from hazmap.db.session import dispose_all

    dispose_all()
    u = make_url(url)
    admin = sa.create_engine(make_url(ADMIN_URL), isolation_level="AUTOCOMMIT")
    with admin.connect() as conn:
        conn.execute(sa.text(f'drop database if exists "{u.database}" with (force)'))
    admin.dispose()


@pytest.fixture
def scratch_db_url(postgis_available):
    """An empty database name (not yet created) that is dropped after the test."""
    url = _scratch_url("hazmap_scratch")
    yield url
    drop_database(url)


@pytest.fixture(scope="session")
def db_url(postgis_available):
    """A session-wide database after ``hazmap db init`` (schema + reference data, no ETL)."""
    from hazmap.db.init import init_database

    url = _scratch_url("hazmap_test")
    init_database(url)
    yield url
    drop_database(url)


@pytest.fixture
def fresh_db_url(postgis_available):
    """A database after ``db init``, private to one test (for tests that load or mutate data)."""
    from hazmap.db.init import init_database

    url = _scratch_url("hazmap_fresh")
    init_database(url)
    yield url
    drop_database(url)


@pytest.fixture
def schema_db_url(postgis_available):
    """A database with the schema only (migrated to head, no reference data), private to one test."""
    from hazmap.db.init import create_database_if_missing, enable_postgis, upgrade

    url = _scratch_url("hazmap_schema")
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

    url = _scratch_url("hazmap_demo")
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


def make_user(url: str, role: str = "operator", password: str | None = None) -> dict:
    """Create a user in the database at ``url``; returns name, role, password and API token."""
    from hazmap import users
    from hazmap.db.session import get_engine

    with get_engine(url).begin() as conn:
        return users.add_user(conn, f"t-{role}-{uuid.uuid4().hex[:8]}", role, password)


def as_user(app, role: str = "operator"):
    """Make ``app.test_client()`` send a real API token of a new user with ``role``."""
    from flask.testing import FlaskClient

    url = app.config["HAZMAP_SETTINGS"].database_url
    token = make_user(url, role)["token"]

    class TokenClient(FlaskClient):
        def open(self, *args, **kwargs):
            headers = dict(kwargs.pop("headers", None) or {})
            headers.setdefault("Authorization", f"Bearer {token}")
            return super().open(*args, headers=headers, **kwargs)

    app.test_client_class = TokenClient
    app.config["TEST_TOKEN"] = token
    return app


@pytest.fixture
def demo_app(demo_db):
    """The app on the demo database; its test client authenticates as an operator (API token)."""
    from webmap import create_app

    return as_user(create_app({"TESTING": True, "DATABASE_URL": demo_db[0]}))

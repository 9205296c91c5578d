"""Helpers shared by the tests and the benchmarks (fixtures stay in ``conftest.py``).

Scratch databases live on the server at ``$TEST_DATABASE_ADMIN_URL`` (default: the local
PostgreSQL as ``postgres``); names carry the pid and a random suffix, so parallel sessions
never collide.
"""

from __future__ import annotations

import functools
import os
import platform
import uuid

import sqlalchemy as sa
from sqlalchemy.engine import make_url

ADMIN_URL = os.environ.get("TEST_DATABASE_ADMIN_URL",
                           "postgresql+psycopg://postgres@127.0.0.1:5432/postgres")


def scratch_url(prefix: str, admin_url: str = ADMIN_URL) -> str:
    """A new, unused database URL on the admin URL's server (not created yet)."""
    name = f"{prefix}_{os.getpid()}_{uuid.uuid4().hex[:6]}"
    return make_url(admin_url).set(database=name).render_as_string(hide_password=False)


def drop_database(url: str, admin_url: str = ADMIN_URL) -> None:
    """Close this process's pooled connections and drop the database at ``url``."""
    from hazmap.db.session import dispose_all

    dispose_all()
    admin = sa.create_engine(make_url(admin_url), isolation_level="AUTOCOMMIT")
    with admin.connect() as conn:
        conn.execute(sa.text(f'drop database if exists "{make_url(url).database}" with (force)'))
    admin.dispose()


@functools.cache
def domain(overrides: tuple = ()):
    """The shipped domain bundle (data/reference + data/rules), optionally with rule overrides."""
    from geo.domain import build_domain
    from hazmap.domain import data_dir

    return build_domain(data_dir("reference"), data_dir("rules"), overrides=overrides)


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


def run_script(engine, script: str, params: dict) -> None:
    """Run a ``;``-and-newline separated SQL script in one transaction (the benchmarks' seeds)."""
    with engine.begin() as conn:
        for stmt in script.strip().split(";\n"):
            if stmt.strip():
                conn.execute(sa.text(stmt), params)


def machine() -> dict:
    """The machine a benchmark ran on."""
    return {"python": platform.python_version(), "cpus": os.cpu_count(), "platform": platform.platform()}

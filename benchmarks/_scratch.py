"""Shared by the benchmarks: scratch databases on the local server and the machine description."""

from __future__ import annotations

import os
import platform
import uuid

import sqlalchemy as sa
from sqlalchemy.engine import make_url

DEFAULT_ADMIN_URL = os.environ.get("TEST_DATABASE_ADMIN_URL",
                                   "postgresql+psycopg://postgres@127.0.0.1:5432/postgres")


def scratch_url(admin_url: str, prefix: str) -> str:
    """A new, unused database name on the admin URL's server (not created yet)."""
    return make_url(admin_url).set(database=f"{prefix}_{uuid.uuid4().hex[:6]}").render_as_string(hide_password=False)


def drop(admin_url: str, url: str) -> None:
    """Close this process's pooled connections and drop the scratch database."""
    from hazmap.db.session import dispose_all

    dispose_all()
    admin = sa.create_engine(admin_url, isolation_level="AUTOCOMMIT")
    with admin.connect() as c:
        c.execute(sa.text(f'drop database if exists "{make_url(url).database}" with (force)'))
    admin.dispose()


def run_script(engine, script: str, params: dict) -> None:
    """Run a ``;``-and-newline separated SQL script in one transaction (the benchmarks' seeds)."""
    with engine.begin() as conn:
        for stmt in script.strip().split(";\n"):
            if stmt.strip():
                conn.execute(sa.text(stmt), params)


def machine() -> dict:
    return {"python": platform.python_version(), "cpus": os.cpu_count(), "platform": platform.platform()}

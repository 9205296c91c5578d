"""Faults: the database goes away while serving; a refresh runs while readers read; backup/restore."""

from __future__ import annotations

import shutil
import subprocess
import threading

import pytest
import sqlalchemy as sa
from sqlalchemy.engine import make_url

from hazmap.refresh import run_refresh
from hazmap.config import load_settings
from hazmap.db.session import get_engine
from tests.helpers import ADMIN_URL, scratch_url, drop_database


def _admin(sql: str, **params) -> None:
    eng = sa.create_engine(ADMIN_URL, isolation_level="AUTOCOMMIT")
    with eng.connect() as conn:
        conn.execute(sa.text(sql), params)
    eng.dispose()


@pytest.fixture
def own_demo(demo_db):
    """A private copy of the demo database (these tests disturb it)."""
    url = scratch_url("hazmap_fault")
    name, src = make_url(url).database, make_url(demo_db[0]).database
    _admin(f'select pg_terminate_backend(pid) from pg_stat_activity where datname = \'{src}\' and pid <> pg_backend_pid()')
    _admin(f'create database "{name}" template "{src}"')
    yield url
    drop_database(url)


def test_database_outage_fails_cleanly_and_recovers(own_demo):
    from tests.helpers import as_user
    from webmap import create_app

    app = as_user(create_app({"TESTING": True, "DATABASE_URL": own_demo}))
    c = app.test_client()
    assert c.get("/api/v1/enterprises?limit=1").status_code == 200
    name = make_url(own_demo).database
    _admin(f'alter database "{name}" allow_connections false')
    _admin("select pg_terminate_backend(pid) from pg_stat_activity where datname = :n", n=name)
    try:
        r = c.get("/api/v1/enterprises?limit=1")
        assert r.status_code == 503 and "数据库暂不可用" in r.get_json()["error"]["message"]
        page = c.get("/dashboard")
        assert page.status_code in (302, 503)  # the login check itself needs the database
    finally:
        _admin(f'alter database "{name}" allow_connections true')
    # the same app object, no restart: the pool reconnects
    assert c.get("/api/v1/enterprises?limit=1").status_code == 200


def test_refresh_while_reading_shows_one_run_or_the_next(own_demo):
    from tests.helpers import as_user
    from webmap import create_app

    app = as_user(create_app({"TESTING": True, "DATABASE_URL": own_demo}))
    with get_engine(own_demo).connect() as conn:
        before = conn.execute(sa.text("select max(id) from run where status = 'succeeded'")).scalar()
    results, errors = [], []
    done = threading.Event()

    def read():
        c = app.test_client()
        while not done.is_set():
            r = c.get("/api/v1/enterprises?limit=5000")
            if r.status_code != 200:
                errors.append(r.status_code)
                continue
            fc = r.get_json()
            results.append((fc["run_id"], {f["properties"]["run_id"] for f in fc["features"]}, fc["numberReturned"]))

    readers = [threading.Thread(target=read) for _ in range(2)]
    for t in readers:
        t.start()
    try:
        out = run_refresh(load_settings(env={}, overrides={"database_url": own_demo}))
    finally:
        done.set()
        for t in readers:
            t.join()
    assert errors == [] and results
    for run_id, feature_runs, n in results:
        assert run_id in (before, out["run_id"]) and feature_runs == {run_id} and n >= 150


def test_backup_and_restore_with_pg_dump(own_demo, tmp_path):
    """The backup procedure of SECURITY.md, once: pg_dump -Fc, pg_restore into a new database."""
    assert shutil.which("pg_dump") and shutil.which("pg_restore"), "install postgresql-client (scripts/setup.sh does)"
    u = make_url(own_demo)
    dump = tmp_path / "hazmap.dump"
    conn_args = ["-h", u.host or "127.0.0.1", "-p", str(u.port or 5432), "-U", u.username or "postgres"]
    subprocess.run(["pg_dump", *conn_args, "-Fc", "-f", str(dump), u.database], check=True)
    restored = scratch_url("hazmap_restored")
    _admin(f'create database "{make_url(restored).database}"')
    try:
        subprocess.run(["pg_restore", *conn_args, "--no-owner", "-d", make_url(restored).database, str(dump)],
                       check=True)
        q = ("select (select count(*) from enterprise), (select count(*) from enterprise_risk), "
             "(select count(*) from conflict), (select count(*) from app_user), "
             "(select sum(ST_Area(geog)) from protection_target)")
        with get_engine(own_demo).connect() as a, get_engine(restored).connect() as b:
            assert a.execute(sa.text(q)).one() == b.execute(sa.text(q)).one()
    finally:
        drop_database(restored)

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


# ---- connections that fail fast (issue 19, item 4) -------------------------------------------

def _app_with_db(url, **db):
    from dataclasses import replace

    from webmap import create_app

    s = load_settings(env={}, overrides={"database_url": url})
    return create_app({"TESTING": True}, settings=replace(s, database=replace(s.database, **db)))


def test_every_connection_has_connect_timeout_keepalives_and_tcp_user_timeout(db_url):
    from hazmap.config import DatabaseSettings

    db = DatabaseSettings(connect_timeout_s=7, keepalives_idle_s=11, tcp_user_timeout_ms=12_000)
    with get_engine(db_url, 30_000, db=db).connect() as conn:
        params = conn.connection.dbapi_connection.info.get_parameters()
        assert conn.exec_driver_sql("show statement_timeout").scalar() == "30s"
    assert params["connect_timeout"] == "7" and params["keepalives"] == "1"
    assert params["keepalives_idle"] == "11" and params["keepalives_interval"] == "5"
    assert params["keepalives_count"] == "3" and params["tcp_user_timeout"] == "12000"
    with get_engine(db_url).connect() as conn:  # the defaults, for callers that pass no settings
        params = conn.connection.dbapi_connection.info.get_parameters()
    assert params["connect_timeout"] == "5" and params["tcp_user_timeout"] == "20000"


def test_a_server_that_never_answers_is_a_503_after_the_connect_timeout(postgis_available):
    """A host that accepts TCP but never speaks (a hung server, a black-holing proxy)."""
    import socket

    silent = socket.socket()
    silent.bind(("127.0.0.1", 0))
    silent.listen(8)  # the kernel completes the handshake; nobody ever answers
    port = silent.getsockname()[1]
    app = _app_with_db(f"postgresql+psycopg://postgres@127.0.0.1:{port}/hazmap", connect_timeout_s=2)
    out = {}

    def call():
        out["r"] = app.test_client().get("/api/v1/stats", headers={"Authorization": "Bearer hzm_x"})

    t = threading.Thread(target=call, daemon=True)
    t.start()
    t.join(60)  # without connect_timeout this request hangs for as long as TCP lets it
    silent.close()
    assert not t.is_alive(), "the request hung on a silent database server"
    r = out["r"]
    assert r.status_code == 503 and r.headers["Retry-After"] == "5"
    assert "数据库暂不可用" in r.get_json()["error"]["message"]


def test_pool_exhaustion_is_a_503_with_retry_after(own_demo):
    from tests.helpers import as_user

    app = as_user(_app_with_db(own_demo, pool_size=1, max_overflow=1, pool_timeout_s=0.5))
    s = app.config["HAZMAP_SETTINGS"]
    engine = get_engine(s.database_url, s.limits.statement_timeout_ms, db=s.database)
    held = [engine.connect(), engine.connect()]  # every connection the pool may open is busy
    try:
        r = app.test_client().get("/api/v1/stats")
        assert r.status_code == 503 and r.headers["Retry-After"] == "5"
        assert "数据库暂不可用" in r.get_json()["error"]["message"]
        page = app.test_client().get("/dashboard")
        assert page.status_code == 503 and "服务暂不可用" in page.get_data(as_text=True)
    finally:
        for c in held:
            c.close()
    assert app.test_client().get("/api/v1/stats").status_code == 200


KILLED_JOB = """
import sys
from hazmap.config import DatabaseSettings
from hazmap.db.session import get_engine
from hazmap.jobs import run_job
engine = get_engine(sys.argv[1])  # a plain engine: the interval can come only from run_job
with run_job(engine, "refresh", versions={}, record=False,
             db=DatabaseSettings(job_connection_check_interval_ms=500)) as job:
    job.conn.exec_driver_sql("set application_name = '" + sys.argv[2] + "'")
    print(job.conn.exec_driver_sql("show client_connection_check_interval").scalar(), flush=True)
    job.conn.exec_driver_sql("select pg_sleep(600)")
"""


def test_a_killed_job_stops_its_statement_on_the_server(db_url):
    """``client_connection_check_interval`` in a run's transaction (``run_job``, from
    ``job_connection_check_interval_ms``): kill -9 the client, the server's backend cancels its
    statement instead of running it (here a 10-minute sleep) for nobody."""
    import os
    import signal
    import sys
    import time
    import uuid

    name = f"hazmap-killed-{uuid.uuid4().hex[:8]}"
    proc = subprocess.Popen([sys.executable, "-c", KILLED_JOB, db_url, name], stdout=subprocess.PIPE, text=True)
    assert proc.stdout.readline().strip() == "500ms"
    def running() -> int:  # pg_stat_activity is a snapshot per transaction: a new one each time
        with get_engine(db_url).connect() as conn:
            return conn.execute(sa.text("select count(*) from pg_stat_activity where application_name = :n "
                                        "and state = 'active' and query like '%pg_sleep%'"), {"n": name}).scalar()

    for _ in range(100):
        if running():
            break
        time.sleep(0.1)
    else:
        raise AssertionError("the job's statement never started")
    os.kill(proc.pid, signal.SIGKILL)
    proc.wait()
    proc.stdout.close()
    for _ in range(60):  # a bounded wait for the server to notice; not a speed measurement
        if not running():
            break
        time.sleep(0.5)
    left = running()
    if left:
        with get_engine(db_url).connect() as conn:
            conn.execute(sa.text("select pg_terminate_backend(pid) from pg_stat_activity where application_name = :n"),
                         {"n": name})
    assert left == 0, "the killed job's statement is still running on the server"


def test_gunicorn_worker_timeout_is_above_the_statement_timeout():
    """A worker killed by gunicorn before PostgreSQL cancels its statement leaves the statement running."""
    import runpy
    from pathlib import Path

    conf = runpy.run_path(str(Path(__file__).resolve().parent.parent / "gunicorn.conf.py"))
    s = load_settings()
    assert conf["timeout"] > s.limits.statement_timeout_ms / 1000
    assert conf["graceful_timeout"] >= s.limits.statement_timeout_ms / 1000
    assert conf["wsgi_app"] == "webmap:create_app()" and conf["bind"] == ["127.0.0.1:8000"]


def test_first_request_without_a_key_while_the_database_is_down_is_a_503(postgis_available):
    """No secret_key configured and the database (which keeps the shared key) unreachable."""
    app = _app_with_db("postgresql+psycopg://postgres@127.0.0.1:1/hazmap")
    page = app.test_client().get("/login")
    assert page.status_code == 503 and "数据库暂不可用" in page.get_data(as_text=True)
    with app.test_client().get("/static/hazmap.css") as css:  # files need no database
        assert css.status_code == 200


def test_etl_and_refresh_connect_with_the_database_settings(own_demo, monkeypatch, tmp_path):
    """ETL and refresh take their connections from the job engine with ``[database]`` applied:
    libpq's connect timeout and ``tcp_user_timeout``, no statement timeout, and
    ``job_connection_check_interval_ms`` inside the run's transaction."""
    from contextlib import contextmanager
    from dataclasses import replace
    from pathlib import Path

    import etl.run
    import hazmap.refresh
    from hazmap import jobs

    seen = {}

    @contextmanager
    def spy(engine, kind, **kw):
        with jobs.run_job(engine, kind, **kw) as job:
            params = job.conn.connection.dbapi_connection.info.get_parameters()
            seen[kind] = (job.conn.exec_driver_sql("show client_connection_check_interval").scalar(),
                          params["connect_timeout"], params["tcp_user_timeout"],
                          job.conn.exec_driver_sql("show statement_timeout").scalar())
            yield job

    monkeypatch.setattr(etl.run, "run_job", spy)
    monkeypatch.setattr(hazmap.refresh, "run_job", spy)
    s = load_settings(env={}, overrides={"database_url": own_demo})
    s = replace(s, database=replace(s.database, job_connection_check_interval_ms=1234, connect_timeout_s=9,
                                    tcp_user_timeout_ms=15_000))
    run_refresh(s)
    gazetteer = Path(__file__).resolve().parent.parent / "data" / "demo" / "gazetteer.csv"
    res = etl.run.run_etl(s, [etl.run.Source("gazetteer", gazetteer)], dry_run=True, refresh=False,
                          rejects_path=tmp_path / "rejects.csv")
    assert res.status == "dry_run"
    assert seen == {"refresh": ("1234ms", "9", "15000", "0"), "etl": ("1234ms", "9", "15000", "0")}

"""One cached SQLAlchemy engine per process and connection profile (``pool_pre_ping=True``).

Every connection fails fast instead of hanging (README "Database connections"):

* ``connect_timeout`` — a server that does not answer is given up after a few seconds;
* TCP keepalives and ``tcp_user_timeout`` — a connection whose peer vanished (network cut, host
  down) is dropped by the kernel instead of waiting for hours (libpq connection parameters,
  PostgreSQL 15 manual §34.1.2);
* a bounded pool (``pool_size`` + ``max_overflow``, ``pool_timeout``) — a request that cannot get
  a connection in time gets a clean error (the web app answers 503) instead of queueing forever.

ETL and refresh jobs take their connections from :func:`get_job_engine` (options from
:func:`job_connect_args`): the same limits, no statement timeout, and the server setting
``client_connection_check_interval`` (§20.3.2), so a job whose process was killed stops running
its statements on the server within that interval instead of finishing them for nobody.
"""

from __future__ import annotations

import threading

from sqlalchemy import Engine, create_engine

from hazmap.config import DatabaseSettings

_engines: dict[tuple, Engine] = {}
_lock = threading.Lock()


def connect_args(db: DatabaseSettings | None = None, *, statement_timeout_ms: int | None = None,
                 server_options: dict[str, str] | None = None) -> dict:
    """psycopg/libpq connection parameters for ``db`` (defaults when None)."""
    db = db or DatabaseSettings()
    args: dict = {"connect_timeout": max(2, int(db.connect_timeout_s)),  # libpq's minimum is 2 s
                  "keepalives": 1, "keepalives_idle": int(db.keepalives_idle_s),
                  "keepalives_interval": int(db.keepalives_interval_s), "keepalives_count": int(db.keepalives_count),
                  "tcp_user_timeout": int(db.tcp_user_timeout_ms)}
    options = dict(server_options or {})
    if statement_timeout_ms:
        options["statement_timeout"] = str(int(statement_timeout_ms))
    if options:
        args["options"] = " ".join(f"-c {k}={v}" for k, v in options.items())
    return args


def job_connect_args(db: DatabaseSettings | None = None) -> dict:
    """Connection parameters for ETL and refresh jobs: :func:`connect_args` plus
    ``client_connection_check_interval`` (no statement timeout — a job may run long)."""
    db = db or DatabaseSettings()
    return connect_args(db, server_options={
        "client_connection_check_interval": str(int(db.job_connection_check_interval_ms))})


def _engine(key: tuple, url: str, db: DatabaseSettings, args: dict) -> Engine:
    with _lock:
        engine = _engines.get(key)
        if engine is None:
            engine = create_engine(url, pool_pre_ping=True, connect_args=args, pool_size=int(db.pool_size),
                                   max_overflow=int(db.max_overflow), pool_timeout=float(db.pool_timeout_s))
            _engines[key] = engine
        return engine


def get_engine(url: str, statement_timeout_ms: int | None = None, *, db: DatabaseSettings | None = None) -> Engine:
    """Return the process-wide engine for ``url`` (created on first use)."""
    db = db or DatabaseSettings()
    return _engine(("web", url, statement_timeout_ms, db), url, db,
                   connect_args(db, statement_timeout_ms=statement_timeout_ms))


def get_job_engine(url: str, *, db: DatabaseSettings | None = None) -> Engine:
    """The process-wide engine for ETL and refresh jobs (see :func:`job_connect_args`)."""
    db = db or DatabaseSettings()
    return _engine(("job", url, db), url, db, job_connect_args(db))


def dispose_all() -> None:
    """Close every pooled connection (tests call this before dropping a database)."""
    with _lock:
        for engine in _engines.values():
            engine.dispose()
        _engines.clear()

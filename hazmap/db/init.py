"""Create the database if missing, enable PostGIS, migrate to head, load reference data.

Every connection made here — the admin connection to ``postgres``, the migrations' (through
``alembic_config``'s ``connect_args`` attribute, read by ``migrations/env.py``) and the rest —
has the ``[database]`` connect timeout, keepalives and ``tcp_user_timeout``
(:func:`hazmap.db.session.connect_args`), so ``hazmap db init`` against a server that never
answers fails within the connect timeout instead of hanging."""

from __future__ import annotations

from pathlib import Path

import sqlalchemy as sa
from alembic import command
from alembic.config import Config
from sqlalchemy.engine import make_url

from hazmap.config import DatabaseSettings
from hazmap.db.session import connect_args, get_engine

MIGRATIONS = Path(__file__).with_name("migrations")


class DatabaseError(RuntimeError):
    """The database cannot be reached or prepared; the message says what to do."""


def alembic_config(url: str, db: DatabaseSettings | None = None) -> Config:
    cfg = Config()
    cfg.set_main_option("script_location", str(MIGRATIONS))
    cfg.set_main_option("sqlalchemy.url", url.replace("%", "%%"))
    cfg.attributes["connect_args"] = connect_args(db)  # read by migrations/env.py
    return cfg


def create_database_if_missing(url: str, db: DatabaseSettings | None = None) -> bool:
    """Create the database named in ``url``; returns True when it was created."""
    u = make_url(url)
    admin = sa.create_engine(u.set(database="postgres"), isolation_level="AUTOCOMMIT", connect_args=connect_args(db),
                             poolclass=sa.pool.NullPool)
    try:
        with admin.connect() as conn:
            exists = conn.execute(sa.text("select 1 from pg_database where datname = :n"),
                                  {"n": u.database}).scalar()
            if not exists:
                conn.execute(sa.text(f'create database "{u.database}"'))
                return True
            return False
    except sa.exc.OperationalError as exc:
        raise DatabaseError(f"无法连接数据库服务器 {u.host}:{u.port}：{exc.orig}") from exc
    finally:
        admin.dispose()


def enable_postgis(url: str, db: DatabaseSettings | None = None) -> None:
    engine = get_engine(url, db=db)
    try:
        with engine.begin() as conn:
            conn.execute(sa.text("create extension if not exists postgis"))
    except sa.exc.OperationalError as exc:
        raise DatabaseError(f"无法连接数据库：{exc.orig}") from exc
    except sa.exc.DBAPIError as exc:
        raise DatabaseError(
            "无法启用 PostGIS 扩展（请安装 postgresql-15-postgis-3）：" + str(exc.orig).strip()
        ) from exc


def upgrade(url: str, revision: str = "head", db: DatabaseSettings | None = None) -> None:
    command.upgrade(alembic_config(url, db), revision)


def downgrade(url: str, revision: str, db: DatabaseSettings | None = None) -> None:
    command.downgrade(alembic_config(url, db), revision)


def init_database(url: str, reference=None, db: DatabaseSettings | None = None) -> dict:
    """``hazmap db init``: idempotent. Returns what it did.

    ``reference``: the tables to load (default: the shipped ``data/reference``); ``db``: the
    ``[database]`` settings (default: the documented defaults)."""
    created = create_database_if_missing(url, db)
    enable_postgis(url, db)
    upgrade(url, db=db)
    from etl.load_reference import load_reference_into_db

    if reference is None:
        from geo.reference_files import load_reference_from
        from hazmap.domain import data_dir

        reference = load_reference_from(data_dir("reference"))
    loaded = load_reference_into_db(get_engine(url, db=db), reference)
    return {"created": created, "reference": loaded}

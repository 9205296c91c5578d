"""Create the database if missing, enable PostGIS, migrate to head, load reference data."""

from __future__ import annotations

from pathlib import Path

import sqlalchemy as sa
from alembic import command
from alembic.config import Config
from sqlalchemy.engine import make_url

from hazmap.db.session import get_engine

MIGRATIONS = Path(__file__).with_name("migrations")


class DatabaseError(RuntimeError):
    """The database cannot be reached or prepared; the message says what to do."""


def alembic_config(url: str) -> Config:
    cfg = Config()
    cfg.set_main_option("script_location", str(MIGRATIONS))
    cfg.set_main_option("sqlalchemy.url", url.replace("%", "%%"))
    return cfg


def create_database_if_missing(url: str) -> bool:
    """Create the database named in ``url``; returns True when it was created."""
    u = make_url(url)
    admin = sa.create_engine(u.set(database="postgres"), isolation_level="AUTOCOMMIT")
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


def enable_postgis(url: str) -> None:
    engine = get_engine(url)
    try:
        with engine.begin() as conn:
            conn.execute(sa.text("create extension if not exists postgis"))
    except sa.exc.OperationalError as exc:
        raise DatabaseError(f"无法连接数据库：{exc.orig}") from exc
    except sa.exc.DBAPIError as exc:
        raise DatabaseError(
            "无法启用 PostGIS 扩展（请安装 postgresql-15-postgis-3）：" + str(exc.orig).strip()
        ) from exc


def upgrade(url: str, revision: str = "head") -> None:
    command.upgrade(alembic_config(url), revision)


def downgrade(url: str, revision: str) -> None:
    command.downgrade(alembic_config(url), revision)


def init_database(url: str, reference=None) -> dict:
    """``hazmap db init``: idempotent. Returns what it did.

    ``reference``: the tables to load (default: the shipped ``data/reference``)."""
    created = create_database_if_missing(url)
    enable_postgis(url)
    upgrade(url)
    from etl.load_reference import load_reference_into_db

    if reference is None:
        from geo.reference_files import load_reference_from
        from hazmap.domain import data_dir

        reference = load_reference_from(data_dir("reference"))
    loaded = load_reference_into_db(get_engine(url), reference)
    return {"created": created, "reference": loaded}

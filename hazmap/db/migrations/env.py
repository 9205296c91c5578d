"""Alembic environment: runs migrations on the URL given by hazmap.db.init.alembic_config."""

from alembic import context
from sqlalchemy import create_engine, pool

from hazmap.db.schema import metadata
from hazmap.db.session import connect_args

config = context.config
target_metadata = metadata


def include_object(obj, name, type_, reflected, compare_to):
    # PostGIS owns these tables; never autogenerate drops for them.
    return not (type_ == "table" and name in {"spatial_ref_sys"})


def run_migrations_online() -> None:
    # connect timeout, keepalives, tcp_user_timeout: a silent server fails fast (hazmap.db.init.alembic_config
    # passes the [database] settings; the defaults otherwise)
    engine = create_engine(config.get_main_option("sqlalchemy.url"), poolclass=pool.NullPool,
                           connect_args=config.attributes.get("connect_args") or connect_args())
    with engine.connect() as connection:
        context.configure(connection=connection, target_metadata=target_metadata,
                          include_object=include_object)
        with context.begin_transaction():
            context.run_migrations()
    engine.dispose()


if context.is_offline_mode():
    raise SystemExit("offline migrations are not supported; run `hazmap db init`")
run_migrations_online()

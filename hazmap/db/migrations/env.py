"""Alembic environment: runs migrations on the URL given by hazmap.db.init.alembic_config."""

from alembic import context
from sqlalchemy import create_engine, pool

from hazmap.db import models_history  # noqa: F401 - the wings' tables join the same metadata
from hazmap.db.models import metadata

config = context.config
target_metadata = metadata


def include_object(obj, name, type_, reflected, compare_to):
    # PostGIS owns these tables; never autogenerate drops for them.
    return not (type_ == "table" and name in {"spatial_ref_sys"})


def run_migrations_online() -> None:
    engine = create_engine(config.get_main_option("sqlalchemy.url"), poolclass=pool.NullPool)
    with engine.connect() as connection:
        context.configure(connection=connection, target_metadata=target_metadata,
                          include_object=include_object)
        with context.begin_transaction():
            context.run_migrations()
    engine.dispose()


if context.is_offline_mode():
    raise SystemExit("offline migrations are not supported; run `hazmap db init`")
run_migrations_online()

"""etl_run holds refreshes too: rename it to run

Revision ID: 0003
Revises: 0002
"""
from alembic import op

revision = "0003"
down_revision = "0002"
branch_labels = None
depends_on = None


def upgrade() -> None:
    # foreign keys of the result tables follow the rename (PostgreSQL keeps them by oid)
    op.rename_table("etl_run", "run")
    op.execute("alter sequence etl_run_id_seq rename to run_id_seq")
    op.execute("alter index etl_run_pkey rename to run_pkey")
    op.execute("alter table run rename constraint ck_etl_run_status to ck_run_status")
    op.execute("comment on table run is 'ETL and refresh runs (hazmap.jobs): status, files, counts, changes, versions'")


def downgrade() -> None:
    op.execute("comment on table run is null")
    op.execute("alter table run rename constraint ck_run_status to ck_etl_run_status")
    op.execute("alter index run_pkey rename to etl_run_pkey")
    op.execute("alter sequence run_id_seq rename to etl_run_id_seq")
    op.rename_table("run", "etl_run")

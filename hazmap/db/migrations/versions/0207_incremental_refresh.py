"""incremental refresh: what the last refresh read (refresh_state) and the people it counted per enterprise

``refresh_state``: one row per enterprise and per protection target — the md5 of its stored row
(an enterprise's with its hazard units and their inventories) as the last refresh read it, with
that run's id.  The next refresh compares the stored rows with it to know what changed
(geo.postgis.incremental).  ``enterprise_exposure``: per run, the people counted within 500 m of
each enterprise (GB 18218 α) and the targets they were counted in, so a refresh can keep an
untouched enterprise's count instead of measuring it again.

Revision ID: 0207
Revises: 0202
"""
from alembic import op
import sqlalchemy as sa
from sqlalchemy.dialects.postgresql import JSONB

revision = "0207"
down_revision = "0202"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "refresh_state",
        sa.Column("entity", sa.String(16), primary_key=True),
        sa.Column("id", sa.Integer(), primary_key=True),
        sa.Column("hash", sa.Text(), nullable=False),
        sa.Column("run_id", sa.Integer(), sa.ForeignKey("run.id", ondelete="CASCADE"), nullable=False),
        sa.CheckConstraint("entity in ('enterprise', 'target')", name="ck_refresh_state_entity"),
    )
    op.create_index("ix_refresh_state_run", "refresh_state", ["run_id"])
    op.create_table(
        "enterprise_exposure",
        sa.Column("run_id", sa.Integer(), sa.ForeignKey("run.id", ondelete="CASCADE"), primary_key=True),
        sa.Column("enterprise_id", sa.Integer(), sa.ForeignKey("enterprise.id", ondelete="CASCADE"),
                  primary_key=True),
        sa.Column("people", sa.Float(), nullable=False),
        sa.Column("targets", JSONB(), nullable=False, server_default="[]"),
    )
    op.create_index("ix_enterprise_exposure_enterprise", "enterprise_exposure", ["enterprise_id"])


def downgrade() -> None:
    op.drop_index("ix_enterprise_exposure_enterprise", table_name="enterprise_exposure")
    op.drop_table("enterprise_exposure")
    op.drop_index("ix_refresh_state_run", table_name="refresh_state")
    op.drop_table("refresh_state")

"""target_kinds: requirements per target kind; where an exposure count came from

``source_requirement.target_kind`` (the key of geo.target_kinds; '' = the default row for a
target of the category whose deciding attributes are not registered) joins the primary key.
``hazard_unit_result.exposure_basis``: ``counted`` (people summed from registered targets within
500 m) or ``none_registered`` (no target with people registered within 500 m — not a proof of nobody).

Revision ID: 0206
Revises: 0205
"""
from alembic import op
import sqlalchemy as sa

revision = "0206"
down_revision = "0205"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.add_column("source_requirement", sa.Column("target_kind", sa.Text(), nullable=False, server_default=""))
    op.drop_constraint("source_requirement_pkey", "source_requirement", type_="primary")
    op.create_primary_key("source_requirement_pkey", "source_requirement",
                          ["run_id", "enterprise_id", "category", "target_kind"])
    op.add_column("hazard_unit_result", sa.Column("exposure_basis", sa.String(16), nullable=False,
                                                  server_default="counted"))
    op.create_check_constraint("ck_hazard_unit_result_exposure_basis", "hazard_unit_result",
                               "exposure_basis in ('counted', 'given', 'none_registered')")


def downgrade() -> None:
    op.drop_constraint("ck_hazard_unit_result_exposure_basis", "hazard_unit_result", type_="check")
    op.drop_column("hazard_unit_result", "exposure_basis")
    op.execute("delete from source_requirement where target_kind <> ''")
    op.drop_constraint("source_requirement_pkey", "source_requirement", type_="primary")
    op.drop_column("source_requirement", "target_kind")
    op.create_primary_key("source_requirement_pkey", "source_requirement", ["run_id", "enterprise_id", "category"])

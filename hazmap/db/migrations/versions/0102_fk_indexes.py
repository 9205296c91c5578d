"""an index on every foreign-key column (cascading deletes and replaces by index, not by scan)

Revision ID: 0102
Revises: 0002
"""
from alembic import op

revision = "0102"
down_revision = "0101"
branch_labels = None
depends_on = None

# name → (table, columns); the same indexes are declared in hazmap/db/models.py
INDEXES = {
    "ix_source_requirement_enterprise": ("source_requirement", ["enterprise_id"]),
    "ix_enterprise_risk_enterprise": ("enterprise_risk", ["enterprise_id"]),
    "ix_hazard_unit_result_unit": ("hazard_unit_result", ["hazard_unit_id"]),
    "ix_conflict_run_enterprise": ("conflict", ["run_id", "enterprise_id"]),
    "ix_conflict_enterprise": ("conflict", ["enterprise_id"]),
    "ix_conflict_target": ("conflict", ["target_id"]),
    "ix_conflict_hazard_unit": ("conflict", ["hazard_unit_id"]),
    "ix_inventory_chemical": ("inventory", ["chemical_id"]),
    "ix_pipeline_hca_pipeline": ("pipeline_hca", ["pipeline_id"]),
}


def upgrade() -> None:
    for name, (table, columns) in INDEXES.items():
        op.create_index(name, table, columns)


def downgrade() -> None:
    for name, (table, _) in INDEXES.items():
        op.drop_index(name, table_name=table)

"""consequence: scenarios, threat zones, IR contours, GB 36894 checks, F–N points; conflict.basis

Revision ID: 0204
Revises: 0203
"""
from alembic import op
import sqlalchemy as sa
from geoalchemy2 import Geometry
from sqlalchemy.dialects import postgresql

revision = "0204"
down_revision = "0203"
branch_labels = None
depends_on = None

JSONB = postgresql.JSONB


def _fk(table: str) -> sa.ForeignKey:
    return sa.ForeignKey(f"{table}.id", ondelete="CASCADE")


def upgrade() -> None:
    op.create_table(
        "consequence_result",
        sa.Column("id", sa.Integer(), primary_key=True),
        sa.Column("hazard_unit_id", sa.Integer(), _fk("hazard_unit"), nullable=False),
        sa.Column("input_hash", sa.String(64), nullable=False),
        sa.Column("model_version", sa.String(40), nullable=False),
        sa.Column("data_version", sa.String(64), nullable=False),
        sa.Column("computed_run_id", sa.Integer()),
        sa.Column("computed_at", sa.DateTime(timezone=True), nullable=False, server_default=sa.func.now()),
        sa.Column("installation", sa.String(12), nullable=False),
        sa.Column("reach_m", sa.Float(), nullable=False),
        sa.Column("cell_m", sa.Float()),
        sa.Column("inputs", JSONB(), nullable=False, server_default="{}"),
        sa.Column("not_computed", JSONB(), nullable=False, server_default="[]"),
        sa.Column("scenario_count", sa.Integer(), nullable=False),
        sa.Column("targets_hash", sa.String(64)),
        sa.Column("fn", JSONB(), nullable=False, server_default="{}"),
        sa.Column("geom", Geometry("POINT", srid=4326, spatial_index=False), nullable=False),
        sa.UniqueConstraint("hazard_unit_id", "input_hash", name="uq_consequence_result_unit_hash"),
        sa.CheckConstraint("installation in ('new','existing')", name="ck_consequence_result_installation"),
    )
    op.create_table(
        "consequence_run",
        sa.Column("run_id", sa.Integer(), _fk("run"), primary_key=True),
        sa.Column("hazard_unit_id", sa.Integer(), _fk("hazard_unit"), primary_key=True),
        sa.Column("result_id", sa.Integer(), _fk("consequence_result"), nullable=False),
        sa.Column("reused", sa.Boolean(), nullable=False),
        sa.Column("method", sa.String(16), nullable=False),
        sa.Column("gas_s", sa.Float(), nullable=False),
    )
    op.create_index("ix_consequence_run_unit", "consequence_run", ["hazard_unit_id"])
    op.create_index("ix_consequence_run_result", "consequence_run", ["result_id"])
    op.create_table(
        "consequence_scenario",
        sa.Column("id", sa.Integer(), primary_key=True),
        sa.Column("result_id", sa.Integer(), _fk("consequence_result"), nullable=False),
        sa.Column("scenario_key", sa.Text(), nullable=False),
        sa.Column("chemical_key", sa.String(40), nullable=False),
        sa.Column("chemical_name", sa.Text(), nullable=False),
        sa.Column("hole_id", sa.String(24), nullable=False),
        sa.Column("hole_label", sa.Text(), nullable=False),
        sa.Column("frequency_per_year", sa.Float(), nullable=False),
        sa.Column("frequency_source", sa.Text(), nullable=False),
        sa.Column("release_kind", sa.String(16), nullable=False),
        sa.Column("rate_kg_s", sa.Float()),
        sa.Column("mass_kg", sa.Float(), nullable=False),
        sa.Column("duration_s", sa.Float(), nullable=False),
        sa.Column("outcomes", JSONB(), nullable=False, server_default="[]"),
        sa.Column("inputs", JSONB(), nullable=False, server_default="[]"),
    )
    op.create_index("ix_consequence_scenario_result", "consequence_scenario", ["result_id"])
    op.create_table(
        "threat_zone",
        sa.Column("id", sa.Integer(), primary_key=True),
        sa.Column("result_id", sa.Integer(), _fk("consequence_result"), nullable=False),
        sa.Column("chemical_key", sa.String(40), nullable=False),
        sa.Column("chemical_name", sa.Text(), nullable=False),
        sa.Column("endpoint", sa.String(24), nullable=False),
        sa.Column("endpoint_label", sa.Text(), nullable=False),
        sa.Column("distance_m", sa.Float(), nullable=False),
        sa.Column("lower_bound", sa.Boolean(), nullable=False),
        sa.Column("model", sa.Text(), nullable=False),
        sa.Column("inputs", JSONB(), nullable=False, server_default="[]"),
        sa.Column("geom", Geometry("POLYGON", srid=4326, spatial_index=False), nullable=False),
    )
    op.create_index("ix_threat_zone_result", "threat_zone", ["result_id"])
    op.create_index("ix_threat_zone_geom", "threat_zone", ["geom"], postgresql_using="gist")
    op.create_table(
        "risk_contour",
        sa.Column("id", sa.Integer(), primary_key=True),
        sa.Column("result_id", sa.Integer(), _fk("consequence_result"), nullable=False),
        sa.Column("level_per_year", sa.Float(), nullable=False),
        sa.Column("label", sa.Text(), nullable=False),
        sa.Column("area_m2", sa.Float(), nullable=False),
        sa.Column("source", sa.Text(), nullable=False),
        sa.Column("status", sa.String(16), nullable=False),
        sa.Column("geom", Geometry("MULTIPOLYGON", srid=4326, spatial_index=False), nullable=False),
    )
    op.create_index("ix_risk_contour_result", "risk_contour", ["result_id"])
    op.create_index("ix_risk_contour_geom", "risk_contour", ["geom"], postgresql_using="gist")
    op.create_table(
        "ir_check",
        sa.Column("id", sa.Integer(), primary_key=True),
        sa.Column("run_id", sa.Integer(), _fk("run"), nullable=False),
        sa.Column("result_id", sa.Integer(), _fk("consequence_result"), nullable=False),
        sa.Column("hazard_unit_id", sa.Integer(), _fk("hazard_unit"), nullable=False),
        sa.Column("enterprise_id", sa.Integer(), _fk("enterprise"), nullable=False),
        sa.Column("target_id", sa.Integer(), _fk("protection_target"), nullable=False),
        sa.Column("target_class", sa.String(24), nullable=False),
        sa.Column("class_note", sa.Text()),
        sa.Column("distance_m", sa.Float(), nullable=False),
        sa.Column("individual_risk_per_year", sa.Float(), nullable=False),
        sa.Column("criterion_per_year", sa.Float(), nullable=False),
        sa.Column("required_m", sa.Float()),
        sa.Column("installation", sa.String(12), nullable=False),
        sa.Column("met", sa.Boolean(), nullable=False),
        sa.Column("text", sa.Text(), nullable=False),
        sa.Column("source", sa.Text(), nullable=False),
        sa.Column("status", sa.String(16), nullable=False),
        sa.Column("geom", Geometry("POINT", srid=4326, spatial_index=False), nullable=False),
    )
    op.create_index("ix_ir_check_run", "ir_check", ["run_id", "enterprise_id"])
    op.create_index("ix_ir_check_result", "ir_check", ["result_id"])
    op.create_index("ix_ir_check_unit", "ir_check", ["hazard_unit_id"])
    op.create_index("ix_ir_check_enterprise", "ir_check", ["enterprise_id"])
    op.create_index("ix_ir_check_target", "ir_check", ["target_id"])
    op.create_table(
        "enterprise_consequence",
        sa.Column("run_id", sa.Integer(), _fk("run"), primary_key=True),
        sa.Column("enterprise_id", sa.Integer(), _fk("enterprise"), primary_key=True),
        sa.Column("status", sa.String(16), nullable=False),
        sa.Column("method", sa.String(16), nullable=False),
        sa.Column("text", sa.Text(), nullable=False),
        sa.Column("units", sa.Integer(), nullable=False),
        sa.Column("units_computed", sa.Integer(), nullable=False),
        sa.Column("checks_not_met", sa.Integer(), nullable=False),
        sa.Column("design_conflicts", sa.Integer(), nullable=False),
        sa.Column("fn_verdict", sa.Text()),
        sa.CheckConstraint("status in ('met','not_met','not_computed')", name="ck_enterprise_consequence_status"),
    )
    op.create_index("ix_enterprise_consequence_enterprise", "enterprise_consequence", ["enterprise_id"])
    op.create_table(
        "fn_point",
        sa.Column("run_id", sa.Integer(), _fk("run"), primary_key=True),
        sa.Column("enterprise_id", sa.Integer(), _fk("enterprise"), primary_key=True),
        sa.Column("n", sa.Float(), primary_key=True),
        sa.Column("f_per_year", sa.Float(), nullable=False),
    )
    op.create_index("ix_fn_point_enterprise", "fn_point", ["enterprise_id"])
    # what a conflict rests on: a rules-table kind (fire_separation, safety_distance, external_safety,
    # screening) or individual_risk (a target whose GB 36894 individual-risk criterion is exceeded)
    op.add_column("conflict", sa.Column("basis", sa.String(24)))


def downgrade() -> None:
    op.drop_column("conflict", "basis")
    for table in ("fn_point", "enterprise_consequence", "ir_check", "risk_contour", "threat_zone",
                  "consequence_scenario", "consequence_run", "consequence_result"):
        op.drop_table(table)

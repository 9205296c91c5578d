"""assessment items, hidden-danger ledger, inspection draws, inspectors, departments and villages;
enterprise_risk gains the worst case and the coverage; role inspector

Revision ID: 0201
Revises: 0204
"""
from alembic import op
import sqlalchemy as sa
from geoalchemy2 import Geometry
from sqlalchemy.dialects import postgresql

revision = "0201"
down_revision = "0204"
branch_labels = None
depends_on = None

_RISK_COLUMNS = (("risk_score_min", sa.Float()), ("risk_color_worst", sa.String(8)),
                 ("assessment_coverage", sa.Float()), ("provisional", sa.Boolean()),
                 ("direct_red_unevaluated", postgresql.JSONB()), ("assessment", postgresql.JSONB()))


def upgrade() -> None:
    for name, kind in _RISK_COLUMNS:
        op.add_column("enterprise_risk", sa.Column(name, kind))
    op.drop_constraint("ck_app_user_role", "app_user", type_="check")
    op.create_check_constraint("ck_app_user_role", "app_user",
                               "role in ('operator','planner','leader','analyst','inspector')")
    op.create_table(
        "inspector",
        sa.Column("id", sa.Integer(), primary_key=True),
        sa.Column("inspector_key", sa.String(40), nullable=False, unique=True),
        sa.Column("name", sa.Text(), nullable=False),
        sa.Column("department", sa.Text(), nullable=False),
        sa.Column("recused_credit_codes", postgresql.ARRAY(sa.Text()), nullable=False, server_default="{}"),
        sa.Column("active", sa.Boolean(), nullable=False, server_default="true"),
    )
    op.create_table(
        "inspection_draw",
        sa.Column("id", sa.Integer(), primary_key=True),
        sa.Column("period", sa.Text(), nullable=False),
        sa.Column("seed", sa.Text(), nullable=False),
        sa.Column("seed_sha256", sa.String(64), nullable=False),
        sa.Column("rules_version", sa.String(40), nullable=False),
        sa.Column("quotas", postgresql.JSONB(), nullable=False, server_default="[]"),
        sa.Column("strata", postgresql.JSONB(), nullable=False, server_default="[]"),
        sa.Column("notes", postgresql.JSONB(), nullable=False, server_default="[]"),
        sa.Column("run_id", sa.Integer()),
        sa.Column("drawn_at", sa.DateTime(timezone=True), nullable=False, server_default=sa.func.now()),
        sa.Column("drawn_by", sa.String(64)),
    )
    op.create_table(
        "inspection",
        sa.Column("id", sa.Integer(), primary_key=True),
        sa.Column("draw_id", sa.Integer(), sa.ForeignKey("inspection_draw.id", ondelete="CASCADE")),
        sa.Column("enterprise_id", sa.Integer(), sa.ForeignKey("enterprise.id", ondelete="CASCADE"), nullable=False),
        sa.Column("stratum", postgresql.JSONB(), nullable=False, server_default="{}"),
        sa.Column("rank", sa.String(64)),
        sa.Column("inspectors", postgresql.ARRAY(sa.Text()), nullable=False, server_default="{}"),
        sa.Column("status", sa.String(12), nullable=False, server_default="planned"),
        sa.Column("inspected_on", sa.Date()),
        sa.Column("result", sa.Text()),
        sa.Column("recorded_by", sa.String(64)),
        sa.Column("recorded_at", sa.DateTime(timezone=True)),
        sa.CheckConstraint("status in ('planned','done')", name="ck_inspection_status"),
    )
    op.create_index("ix_inspection_draw", "inspection", ["draw_id"])
    op.create_index("ix_inspection_enterprise", "inspection", ["enterprise_id"])
    op.create_table(
        "assessment_item",
        sa.Column("id", sa.Integer(), primary_key=True),
        sa.Column("enterprise_id", sa.Integer(), sa.ForeignKey("enterprise.id", ondelete="CASCADE"), nullable=False),
        sa.Column("item_code", sa.String(40), nullable=False),
        sa.Column("points", sa.Float()),
        sa.Column("met", sa.Boolean()),
        sa.Column("status", sa.String(12), nullable=False, server_default="assessed"),
        sa.Column("source", sa.String(20), nullable=False),
        sa.Column("evidence", sa.Text(), nullable=False),
        sa.Column("assessed_by", sa.Text(), nullable=False),
        sa.Column("assessed_on", sa.Date(), nullable=False),
        sa.Column("inspection_id", sa.Integer(), sa.ForeignKey("inspection.id", ondelete="SET NULL")),
        sa.Column("recorded_by", sa.String(64)),
        sa.Column("recorded_at", sa.DateTime(timezone=True), nullable=False, server_default=sa.func.now()),
        sa.Column("source_file", sa.Text()),
        sa.Column("row_hash", sa.String(40), nullable=False, unique=True),
        sa.CheckConstraint("(points is null) <> (met is null)", name="ck_assessment_item_points_or_met"),
        sa.CheckConstraint("source in ('inspection','self_assessment','import')", name="ck_assessment_item_source"),
    )
    op.create_index("ix_assessment_item_enterprise", "assessment_item", ["enterprise_id", "item_code"])
    op.create_index("ix_assessment_item_inspection", "assessment_item", ["inspection_id"])
    op.create_table(
        "hidden_danger",
        sa.Column("id", sa.Integer(), primary_key=True),
        sa.Column("danger_key", sa.String(64), nullable=False, unique=True),
        sa.Column("enterprise_id", sa.Integer(), sa.ForeignKey("enterprise.id", ondelete="CASCADE"), nullable=False),
        sa.Column("place", sa.Text()),
        sa.Column("src_x", sa.Float()),
        sa.Column("src_y", sa.Float()),
        sa.Column("src_crs", sa.String(24)),
        sa.Column("geom", Geometry("POINT", srid=4326, spatial_index=False)),
        sa.Column("found_on", sa.Date(), nullable=False),
        sa.Column("found_by", sa.Text(), nullable=False),
        sa.Column("source", sa.String(8), nullable=False),
        sa.Column("description", sa.Text(), nullable=False),
        sa.Column("grade", sa.String(4), nullable=False),
        sa.Column("major_item", sa.Integer()),
        sa.Column("measures", sa.Text()),
        sa.Column("responsible", sa.Text()),
        sa.Column("funds_yuan", sa.Float()),
        sa.Column("deadline", sa.Date()),
        sa.Column("plan", sa.Text()),
        sa.Column("state", sa.String(8), nullable=False, server_default="待整改"),
        sa.Column("rectified_on", sa.Date()),
        sa.Column("accepted_on", sa.Date()),
        sa.Column("reviewer", sa.Text()),
        sa.Column("inspection_id", sa.Integer(), sa.ForeignKey("inspection.id", ondelete="SET NULL")),
        sa.Column("recorded_by", sa.String(64)),
        sa.Column("updated_at", sa.DateTime(timezone=True), nullable=False, server_default=sa.func.now()),
        sa.Column("source_file", sa.Text()),
        sa.Column("row_hash", sa.String(40)),
        sa.CheckConstraint("grade in ('一般','重大')", name="ck_hidden_danger_grade"),
        sa.CheckConstraint("state in ('待整改','整改中','待验收','已销号')", name="ck_hidden_danger_state"),
    )
    op.create_index("ix_hidden_danger_enterprise", "hidden_danger", ["enterprise_id"])
    op.create_index("ix_hidden_danger_inspection", "hidden_danger", ["inspection_id"])
    op.create_index("ix_hidden_danger_geom", "hidden_danger", ["geom"], postgresql_using="gist")
    op.create_table(
        "enterprise_department",
        sa.Column("enterprise_id", sa.Integer(), sa.ForeignKey("enterprise.id", ondelete="CASCADE"), primary_key=True),
        sa.Column("department", sa.Text(), primary_key=True),
        sa.Column("registered", sa.Boolean(), nullable=False),
        sa.Column("basis", sa.Text(), nullable=False),
        sa.Column("rule_ids", postgresql.ARRAY(sa.Text()), nullable=False, server_default="{}"),
    )
    op.create_index("ix_enterprise_department_department", "enterprise_department", ["department"])
    op.create_table(
        "enterprise_place",
        sa.Column("enterprise_id", sa.Integer(), sa.ForeignKey("enterprise.id", ondelete="CASCADE"), primary_key=True),
        sa.Column("village_code", sa.String(12)),
        sa.Column("village", sa.Text()),
    )


def downgrade() -> None:
    for t in ("enterprise_place", "enterprise_department", "hidden_danger", "assessment_item", "inspection",
              "inspection_draw", "inspector"):
        op.drop_table(t)
    op.execute("update app_user set disabled = true, role = 'leader' where role = 'inspector'")
    op.drop_constraint("ck_app_user_role", "app_user", type_="check")
    op.create_check_constraint("ck_app_user_role", "app_user", "role in ('operator','planner','leader','analyst')")
    for name, _ in reversed(_RISK_COLUMNS):
        op.drop_column("enterprise_risk", name)

"""hazardous waste: producers, ledger records, transfer manifests and rows, licensed receivers; stock,
findings and manifest checks per run (issue 16)

Revision ID: 0203
Revises: 0104
"""
from alembic import op
import sqlalchemy as sa
from geoalchemy2 import Geometry
from sqlalchemy.dialects import postgresql

revision = "0203"
down_revision = "0104"
branch_labels = None
depends_on = None

STATES = ("草稿", "已提交", "已启运", "运输中", "已送达", "已接收", "部分接收", "拒收", "退回", "作废")


def _registry() -> list:
    return [sa.Column("source_file", sa.Text()), sa.Column("row_hash", sa.String(40)),
            sa.Column("last_run_id", sa.Integer())]


def upgrade() -> None:
    op.create_table(
        "waste_producer",
        sa.Column("id", sa.Integer(), primary_key=True),
        sa.Column("credit_code", sa.String(18), nullable=False, unique=True),
        sa.Column("name", sa.Text(), nullable=False),
        sa.Column("storage_capacity_t", sa.Float()),
        sa.Column("plans", postgresql.JSONB(), nullable=False, server_default="[]"),
        sa.Column("geom", Geometry("POINT", srid=4326, spatial_index=False)),
        *_registry(),
    )
    op.create_table(
        "waste_record",
        sa.Column("id", sa.Integer(), primary_key=True),
        sa.Column("credit_code", sa.String(18), nullable=False),
        sa.Column("date", sa.Date(), nullable=False),
        sa.Column("kind", sa.String(16), nullable=False),
        sa.Column("waste_code", sa.String(10), nullable=False),
        sa.Column("quantity_t", sa.Float(), nullable=False),
        sa.Column("source_file", sa.Text()),
        sa.Column("source_row", sa.Integer()),
        sa.CheckConstraint("kind in ('generated','opening','self_utilised','self_disposed')",
                           name="ck_waste_record_kind"),
        sa.CheckConstraint("quantity_t >= 0", name="ck_waste_record_quantity"),
    )
    op.create_index("ix_waste_record_code", "waste_record", ["credit_code", "waste_code"])
    op.create_table(
        "waste_manifest",
        sa.Column("id", sa.Integer(), primary_key=True),
        sa.Column("manifest_no", sa.String(14), nullable=False, unique=True),
        sa.Column("transfer_date", sa.Date(), nullable=False),
        sa.Column("generator_credit_code", sa.String(18), nullable=False),
        sa.Column("generator_name", sa.Text(), nullable=False),
        sa.Column("generator_admin_code", sa.String(12)),
        sa.Column("receiver_name", sa.Text(), nullable=False),
        sa.Column("receiver_licence_no", sa.Text(), nullable=False),
        sa.Column("receiver_admin_code", sa.String(12)),
        sa.Column("carrier_name", sa.Text()),
        sa.Column("carrier_permit_no", sa.Text()),
        sa.Column("route_cities", postgresql.ARRAY(sa.Text()), nullable=False, server_default="{}"),
        sa.Column("receipt_date", sa.Date()),
        sa.Column("receiver_decision", sa.String(8)),
        sa.Column("major_discrepancy", sa.Boolean()),
        sa.Column("state", sa.String(8), nullable=False),
        sa.Column("waybill_no", sa.String(40)),
        sa.Column("history", postgresql.JSONB(), nullable=False, server_default="[]"),
        *_registry(),
        sa.CheckConstraint("state in (" + ", ".join(f"'{s}'" for s in STATES) + ")", name="ck_waste_manifest_state"),
    )
    op.create_index("ix_waste_manifest_generator", "waste_manifest", ["generator_credit_code"])
    op.create_table(
        "waste_manifest_row",
        sa.Column("id", sa.Integer(), primary_key=True),
        sa.Column("manifest_id", sa.Integer(), sa.ForeignKey("waste_manifest.id", ondelete="CASCADE"), nullable=False),
        sa.Column("line_no", sa.Integer(), nullable=False),
        sa.Column("waste_name", sa.Text(), nullable=False),
        sa.Column("hw_class", sa.String(4), nullable=False),
        sa.Column("waste_code", sa.String(10), nullable=False),
        sa.Column("disposal_method", sa.Text()),
        sa.Column("quantity_t", sa.Float(), nullable=False),
        sa.Column("received_t", sa.Float()),
    )
    op.create_index("ix_waste_manifest_row_manifest", "waste_manifest_row", ["manifest_id", "line_no"])
    op.create_table(
        "waste_facility",
        sa.Column("id", sa.Integer(), primary_key=True),
        sa.Column("licence_no", sa.String(64), nullable=False, unique=True),
        sa.Column("name", sa.Text(), nullable=False),
        sa.Column("credit_code", sa.String(18)),
        sa.Column("admin_code", sa.String(12)),
        sa.Column("scope", postgresql.ARRAY(sa.Text()), nullable=False),
        sa.Column("capacity_t_per_year", sa.Float()),
        sa.Column("valid_from", sa.Date()),
        sa.Column("valid_until", sa.Date(), nullable=False),
        *_registry(),
    )
    op.create_table(
        "waste_stock",
        sa.Column("run_id", sa.Integer(), sa.ForeignKey("run.id", ondelete="CASCADE"), primary_key=True),
        sa.Column("credit_code", sa.String(18), primary_key=True),
        sa.Column("waste_code", sa.String(10), primary_key=True),
        *(sa.Column(c, sa.Float(), nullable=False) for c in (
            "opening_t", "generated_t", "self_utilised_t", "self_disposed_t", "confirmed_t", "in_transit_t",
            "stock_t", "on_site_t")),
        sa.Column("oldest_batch_date", sa.Date()),
        sa.Column("oldest_age_days", sa.Integer()),
        sa.Column("storage_limit_days", sa.Float(), nullable=False),
        sa.Column("over_limit_t", sa.Float(), nullable=False),
        sa.Column("tonne_days", sa.Float(), nullable=False),
        sa.Column("operator", sa.Boolean(), nullable=False),
        sa.Column("clearance_rank", sa.Integer()),
        sa.Column("as_of", sa.Date(), nullable=False),
    )
    op.create_table(
        "waste_finding",
        sa.Column("id", sa.Integer(), primary_key=True),
        sa.Column("run_id", sa.Integer(), sa.ForeignKey("run.id", ondelete="CASCADE"), nullable=False),
        sa.Column("code", sa.String(32), nullable=False),
        sa.Column("title", sa.Text(), nullable=False),
        sa.Column("credit_code", sa.String(18), nullable=False),
        sa.Column("waste_code", sa.String(10)),
        sa.Column("manifest_no", sa.String(14)),
        sa.Column("text", sa.Text(), nullable=False),
        sa.Column("rule", sa.Text(), nullable=False),
        sa.Column("data", postgresql.JSONB(), nullable=False, server_default="{}"),
    )
    op.create_index("ix_waste_finding_run", "waste_finding", ["run_id", "credit_code"])
    op.create_table(
        "waste_manifest_check",
        sa.Column("run_id", sa.Integer(), sa.ForeignKey("run.id", ondelete="CASCADE"), primary_key=True),
        sa.Column("manifest_id", sa.Integer(), sa.ForeignKey("waste_manifest.id", ondelete="CASCADE"),
                  primary_key=True),
        sa.Column("waybill_status", sa.String(12), nullable=False),
        sa.Column("waybill_note", sa.Text(), nullable=False),
    )
    op.create_index("ix_waste_manifest_check_manifest", "waste_manifest_check", ["manifest_id"])


def downgrade() -> None:
    for t in ("waste_manifest_check", "waste_finding", "waste_stock", "waste_facility", "waste_manifest_row",
              "waste_manifest", "waste_record", "waste_producer"):
        op.drop_table(t)

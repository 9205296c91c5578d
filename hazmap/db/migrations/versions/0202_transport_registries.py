"""transport registries (vehicles, crew, waybills and goods, tags, tag events, restricted zones) and
the transport refresh's per-run results (五必查, trips, alarms, zones, concentration cells)

Revision ID: 0202
Revises: 0206
"""
from alembic import op
import sqlalchemy as sa
from geoalchemy2 import Geometry
from sqlalchemy.dialects import postgresql

revision = "0202"
down_revision = "0206"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.add_column("vehicle_position", sa.Column("source_file", sa.Text()))
    op.create_table(
        "vehicle",
        sa.Column("id", sa.Integer(), sa.Identity(), primary_key=True),
        sa.Column("plate", sa.String(16), nullable=False, unique=True),
        sa.Column("plate_colour", sa.String(8)),
        sa.Column("carrier_credit_code", sa.String(18)),
        sa.Column("carrier_name", sa.Text()),
        sa.Column("terminal_phone", sa.String(20)),
        sa.Column("road_transport_cert_no", sa.String(40)),
        sa.Column("road_transport_cert_expiry", sa.Date()),
        sa.Column("driving_licence_expiry", sa.Date()),
        sa.Column("tank_no", sa.String(40)),
        sa.Column("tank_inspection_expiry", sa.Date()),
        sa.Column("tank_volume_m3", sa.Float()),
        sa.Column("permitted_media", postgresql.JSONB()),
        sa.Column("source_file", sa.Text()),
        sa.Column("row_hash", sa.Text()),
        sa.Column("last_run_id", sa.Integer()),
    )
    op.create_table(
        "crew_member",
        sa.Column("id", sa.Integer(), sa.Identity(), primary_key=True),
        sa.Column("cert_no", sa.String(40), nullable=False, unique=True),
        sa.Column("name", sa.Text(), nullable=False),
        sa.Column("id_tail", sa.String(8)),
        sa.Column("role", sa.String(8), nullable=False),
        sa.Column("cert_expiry", sa.Date()),
        sa.Column("carrier_credit_code", sa.String(18)),
        sa.Column("source_file", sa.Text()),
        sa.Column("row_hash", sa.Text()),
        sa.Column("last_run_id", sa.Integer()),
    )
    op.create_table(
        "waybill",
        sa.Column("id", sa.Integer(), sa.Identity(), primary_key=True),
        sa.Column("waybill_no", sa.String(40), nullable=False, unique=True),
        sa.Column("status", sa.String(16)),
        sa.Column("consignor", sa.Text()),
        sa.Column("consignor_credit_code", sa.String(18)),
        sa.Column("consignee", sa.Text()),
        sa.Column("consignee_credit_code", sa.String(18)),
        sa.Column("loader", sa.Text()),
        sa.Column("loader_credit_code", sa.String(18)),
        sa.Column("carrier", sa.Text()),
        sa.Column("carrier_credit_code", sa.String(18)),
        sa.Column("vehicle_plate", sa.String(16), nullable=False),
        sa.Column("trailer_plate", sa.String(16)),
        sa.Column("driver_name", sa.Text()),
        sa.Column("driver_cert_no", sa.String(40)),
        sa.Column("escort_name", sa.Text()),
        sa.Column("escort_cert_no", sa.String(40)),
        sa.Column("departure_date", sa.Date(), nullable=False),
        sa.Column("loaded_at", sa.DateTime(timezone=True)),
        sa.Column("origin_name", sa.Text()),
        sa.Column("destination_name", sa.Text()),
        sa.Column("origin", Geometry("POINT", srid=4326, spatial_index=False)),
        sa.Column("destination", Geometry("POINT", srid=4326, spatial_index=False)),
        sa.Column("planned_route", Geometry("LINESTRING", srid=4326, spatial_index=False)),
        sa.Column("src_crs", sa.String(24)),
        sa.Column("source_file", sa.Text()),
        sa.Column("row_hash", sa.Text()),
        sa.Column("last_run_id", sa.Integer()),
    )
    op.create_index("ix_waybill_vehicle_plate", "waybill", ["vehicle_plate"])
    op.create_table(
        "waybill_goods",
        sa.Column("id", sa.Integer(), sa.Identity(), primary_key=True),
        sa.Column("waybill_id", sa.Integer(), sa.ForeignKey("waybill.id", ondelete="CASCADE"), nullable=False),
        sa.Column("line_no", sa.Integer(), nullable=False),
        sa.Column("name", sa.Text(), nullable=False),
        sa.Column("chemical_key", sa.String(32)),
        sa.Column("un_number", sa.String(8)),
        sa.Column("hazard_class", sa.String(8)),
        sa.Column("packing_group", sa.String(4)),
        sa.Column("quantity", sa.Float()),
        sa.Column("unit", sa.String(8)),
        sa.Column("loaded_quantity", sa.Float()),
    )
    op.create_index("ix_waybill_goods_waybill", "waybill_goods", ["waybill_id", "line_no"])
    op.create_table(
        "tag",
        sa.Column("id", sa.Integer(), sa.Identity(), primary_key=True),
        sa.Column("uid", sa.String(64), nullable=False, unique=True),
        sa.Column("safety_code", sa.String(64)),
        sa.Column("enterprise_credit_code", sa.String(18)),
        sa.Column("chemical", sa.Text(), nullable=False),
        sa.Column("chemical_key", sa.String(32)),
        sa.Column("batch", sa.String(40)),
        sa.Column("package_level", sa.String(16)),
        sa.Column("parent_uid", sa.String(64)),
        sa.Column("source_file", sa.Text()),
        sa.Column("row_hash", sa.Text()),
        sa.Column("last_run_id", sa.Integer()),
    )
    op.create_table(
        "tag_event",
        sa.Column("id", sa.Integer(), sa.Identity(), primary_key=True),
        sa.Column("event_key", sa.String(160), nullable=False, unique=True),
        sa.Column("tag_uid", sa.String(64), nullable=False),
        sa.Column("kind", sa.String(16), nullable=False),
        sa.Column("time", sa.DateTime(timezone=True), nullable=False),
        sa.Column("enterprise_credit_code", sa.String(18)),
        sa.Column("waybill_no", sa.String(40)),
        sa.Column("geom", Geometry("POINT", srid=4326, spatial_index=False)),
        sa.Column("src_crs", sa.String(24)),
        sa.Column("source_file", sa.Text()),
        sa.Column("row_hash", sa.Text()),
        sa.Column("last_run_id", sa.Integer()),
    )
    op.create_index("ix_tag_event_waybill", "tag_event", ["waybill_no"])
    op.create_table(
        "restricted_zone",
        sa.Column("id", sa.Integer(), sa.Identity(), primary_key=True),
        sa.Column("zone_key", sa.String(40), nullable=False, unique=True),
        sa.Column("name", sa.Text(), nullable=False),
        sa.Column("classes", postgresql.JSONB()),
        sa.Column("windows", postgresql.JSONB(), nullable=False, server_default="[]"),
        sa.Column("authority", sa.Text()),
        sa.Column("geom", Geometry("MULTIPOLYGON", srid=4326, spatial_index=False), nullable=False),
        sa.Column("source_file", sa.Text()),
        sa.Column("row_hash", sa.Text()),
        sa.Column("last_run_id", sa.Integer()),
    )
    op.create_table(
        "waybill_result",
        sa.Column("run_id", sa.Integer(), sa.ForeignKey("run.id", ondelete="CASCADE"), primary_key=True),
        sa.Column("waybill_id", sa.Integer(), sa.ForeignKey("waybill.id", ondelete="CASCADE"), primary_key=True),
        sa.Column("outcome", sa.String(12), nullable=False),
        sa.Column("failed", sa.Integer(), nullable=False),
        sa.Column("not_checked", sa.Integer(), nullable=False),
        sa.Column("checks", postgresql.JSONB(), nullable=False),
        sa.Column("text", sa.Text(), nullable=False),
    )
    op.create_index("ix_waybill_result_waybill", "waybill_result", ["waybill_id"])
    op.create_table(
        "trip",
        sa.Column("id", sa.Integer(), sa.Identity(), primary_key=True),
        sa.Column("run_id", sa.Integer(), sa.ForeignKey("run.id", ondelete="CASCADE"), nullable=False),
        sa.Column("waybill_id", sa.Integer(), sa.ForeignKey("waybill.id", ondelete="CASCADE"), nullable=False),
        sa.Column("vehicle_plate", sa.String(16), nullable=False),
        sa.Column("loaded_at", sa.DateTime(timezone=True)),
        sa.Column("received_at", sa.DateTime(timezone=True)),
        sa.Column("closed", sa.Boolean(), nullable=False),
        sa.Column("n_fixes", sa.Integer(), nullable=False),
        sa.Column("tags", postgresql.JSONB(), nullable=False),
        sa.Column("missing_receipts", postgresql.JSONB(), nullable=False),
        sa.Column("findings", postgresql.JSONB(), nullable=False),
        sa.Column("tonnage_t", sa.Float()),
        sa.Column("labels", postgresql.JSONB(), nullable=False),
        sa.Column("alarms", sa.Integer(), nullable=False),
        sa.Column("geom", Geometry("LINESTRING", srid=4326, spatial_index=False)),
    )
    op.create_index("ix_trip_waybill", "trip", ["waybill_id"])
    op.create_index("ix_trip_run_waybill", "trip", ["run_id", "waybill_id"])
    op.create_index("ix_trip_geom", "trip", ["geom"], postgresql_using="gist")
    op.create_table(
        "transport_alarm",
        sa.Column("id", sa.Integer(), sa.Identity(), primary_key=True),
        sa.Column("run_id", sa.Integer(), sa.ForeignKey("run.id", ondelete="CASCADE"), nullable=False),
        sa.Column("trip_id", sa.Integer(), sa.ForeignKey("trip.id", ondelete="CASCADE"), nullable=False),
        sa.Column("rule_id", sa.String(24), nullable=False),
        sa.Column("kind", sa.String(12), nullable=False),
        sa.Column("start_time", sa.DateTime(timezone=True), nullable=False),
        sa.Column("end_time", sa.DateTime(timezone=True), nullable=False),
        sa.Column("value", sa.Float(), nullable=False),
        sa.Column("legal_basis", sa.Text(), nullable=False),
        sa.Column("text", sa.Text(), nullable=False),
        sa.Column("zone_key", sa.String(48)),
        sa.Column("town_code", sa.String(12)),
        sa.Column("geom", Geometry("POINT", srid=4326, spatial_index=False), nullable=False),
    )
    op.create_index("ix_transport_alarm_trip", "transport_alarm", ["trip_id"])
    op.create_index("ix_transport_alarm_run", "transport_alarm", ["run_id", "kind"])
    op.create_index("ix_transport_alarm_geom", "transport_alarm", ["geom"], postgresql_using="gist")
    op.create_table(
        "transport_zone",
        sa.Column("id", sa.Integer(), sa.Identity(), primary_key=True),
        sa.Column("run_id", sa.Integer(), sa.ForeignKey("run.id", ondelete="CASCADE"), nullable=False),
        sa.Column("zone_key", sa.String(48), nullable=False),
        sa.Column("name", sa.Text(), nullable=False),
        sa.Column("origin", sa.String(8), nullable=False),
        sa.Column("classes", postgresql.JSONB()),
        sa.Column("windows", postgresql.JSONB(), nullable=False),
        sa.Column("source", sa.Text(), nullable=False),
        sa.Column("geom", Geometry("MULTIPOLYGON", srid=4326, spatial_index=False), nullable=False),
    )
    op.create_index("ix_transport_zone_run", "transport_zone", ["run_id"])
    op.create_index("ix_transport_zone_geom", "transport_zone", ["geom"], postgresql_using="gist")
    op.create_table(
        "transport_cell",
        sa.Column("id", sa.Integer(), sa.Identity(), primary_key=True),
        sa.Column("run_id", sa.Integer(), sa.ForeignKey("run.id", ondelete="CASCADE"), nullable=False),
        sa.Column("class_filter", sa.String(16), nullable=False),
        sa.Column("rank", sa.Integer(), nullable=False),
        sa.Column("ix", sa.BigInteger(), nullable=False),
        sa.Column("iy", sa.BigInteger(), nullable=False),
        sa.Column("trips", sa.Integer(), nullable=False),
        sa.Column("tonnage_trips_t", sa.Float(), nullable=False),
        sa.Column("geom", Geometry("POLYGON", srid=4326, spatial_index=False), nullable=False),
    )
    op.create_index("ix_transport_cell_run", "transport_cell", ["run_id", "class_filter", "rank"])
    op.create_index("ix_transport_cell_geom", "transport_cell", ["geom"], postgresql_using="gist")


def downgrade() -> None:
    op.drop_table("transport_cell")
    op.drop_table("transport_zone")
    op.drop_table("transport_alarm")
    op.drop_table("trip")
    op.drop_table("waybill_result")
    op.drop_table("restricted_zone")
    op.drop_table("tag_event")
    op.drop_table("tag")
    op.drop_table("waybill_goods")
    op.drop_table("waybill")
    op.drop_table("crew_member")
    op.drop_table("vehicle")
    op.drop_column("vehicle_position", "source_file")

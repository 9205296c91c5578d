"""vehicle positions from JT/T 808 terminals

Revision ID: 0101
Revises: 0002
"""
from alembic import op
import sqlalchemy as sa
from geoalchemy2 import Geometry
from sqlalchemy.dialects import postgresql

revision = "0101"
down_revision = "0003"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "vehicle_position",
        sa.Column("id", sa.BigInteger(), sa.Identity(), primary_key=True),
        sa.Column("terminal_phone", sa.String(20), nullable=False),
        sa.Column("plate", sa.Text()),
        sa.Column("device_time", sa.DateTime(timezone=True), nullable=False),
        sa.Column("receive_time", sa.DateTime(timezone=True), nullable=False),
        sa.Column("lon", sa.Float(), nullable=False),
        sa.Column("lat", sa.Float(), nullable=False),
        sa.Column("geom", Geometry("POINT", srid=4326, spatial_index=False),
                  sa.Computed("ST_SetSRID(ST_MakePoint(lon, lat), 4326)", persisted=True)),
        sa.Column("speed_kmh", sa.Float(), nullable=False),
        sa.Column("direction_deg", sa.SmallInteger(), nullable=False),
        sa.Column("altitude_m", sa.Integer(), nullable=False),
        sa.Column("alarm", sa.BigInteger(), nullable=False),
        sa.Column("status", sa.BigInteger(), nullable=False),
        sa.Column("extras", postgresql.JSONB(), nullable=False, server_default="[]"),
        sa.Column("source", sa.String(16), nullable=False, server_default="jt808"),
        sa.Column("src_crs", sa.String(16), nullable=False, server_default="wgs84"),
    )
    op.create_index("ix_vehicle_position_terminal_time", "vehicle_position", ["terminal_phone", "device_time"])


def downgrade() -> None:
    op.drop_index("ix_vehicle_position_terminal_time", table_name="vehicle_position")
    op.drop_table("vehicle_position")

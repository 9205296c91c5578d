"""registry fields the size-aware separation rules and W5 read: enterprise sizes and footprint
(MultiPolygon), hazard-unit registered fire class, operating conditions, tank volume, footprint and
source file, inventory concentration, protection-target high-rise flag (issue 11)

Revision ID: 0205
Revises: 0203
"""
from alembic import op
import sqlalchemy as sa
from geoalchemy2 import Geometry

revision = "0205"
down_revision = "0203"  # relinked after the waste wing (0203) reached main
branch_labels = None
depends_on = None


def _multipolygon() -> Geometry:
    return Geometry("MULTIPOLYGON", srid=4326, spatial_index=False)


def upgrade() -> None:
    # enterprise.footprint existed as POLYGON (0001, never loaded): widen to MULTIPOLYGON
    op.execute("alter table enterprise alter column footprint type geometry(MultiPolygon, 4326) "
               "using ST_Multi(footprint)")
    op.add_column("enterprise", sa.Column("tank_volume_m3", sa.Float()))
    op.add_column("enterprise", sa.Column("station_grade", sa.SmallInteger()))
    op.add_column("enterprise", sa.Column("vapour_recovery", sa.SmallInteger()))
    op.add_column("enterprise", sa.Column("lpg_tank_buried", sa.Boolean()))
    op.add_column("enterprise", sa.Column("oil_depot_grade", sa.Text()))
    op.add_column("hazard_unit", sa.Column("fire_class_registered", sa.Text()))
    op.add_column("hazard_unit", sa.Column("operating_temperature_c", sa.Float()))
    op.add_column("hazard_unit", sa.Column("operating_pressure_mpa", sa.Float()))
    op.add_column("hazard_unit", sa.Column("tank_volume_m3", sa.Float()))
    op.add_column("hazard_unit", sa.Column("footprint", _multipolygon()))
    op.add_column("hazard_unit", sa.Column("source_file", sa.Text()))
    op.add_column("inventory", sa.Column("concentration_pct", sa.Float()))
    op.add_column("protection_target", sa.Column("high_rise", sa.Boolean()))


def downgrade() -> None:
    op.drop_column("protection_target", "high_rise")
    op.drop_column("inventory", "concentration_pct")
    for col in ("source_file", "footprint", "tank_volume_m3", "operating_pressure_mpa",
                "operating_temperature_c", "fire_class_registered"):
        op.drop_column("hazard_unit", col)
    for col in ("oil_depot_grade", "lpg_tank_buried", "vapour_recovery", "station_grade", "tank_volume_m3"):
        op.drop_column("enterprise", col)
    op.execute("alter table enterprise alter column footprint type geometry(Polygon, 4326) "
               "using ST_GeometryN(footprint, 1)")

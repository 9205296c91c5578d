"""Transport tables: positions received from JT/T 808 terminals.

``vehicle_position`` holds one row per usable fix, as the terminal sent it: WGS-84 lon/lat
(``src_crs`` = ``wgs84`` for JT/T 808; a later import of platform exports keeps its own CRS
there), the terminal's clock (``device_time``, the BCD time the terminal sent, GMT+8, stored as
timestamptz) and the platform's clock (``receive_time``).  ``geom`` is generated from lon/lat so
the two can never disagree.

The table is write-heavy (thousands of rows a second through ``COPY``): it carries one btree
index, (terminal, device time), which is what trip extraction and "latest position" need.
There is deliberately no GiST index on ``geom`` and no geography twin here — spatial work on
positions goes through trips (tracks) and the route checks in :mod:`geo.transport.route`, which
measure in metres in a projected CRS; add a GiST index on a read replica if bbox queries over raw
positions are ever needed.
"""

from __future__ import annotations

from geoalchemy2 import Geometry
from sqlalchemy import (
    BigInteger, Boolean, Column, Date, ForeignKey, Computed, DateTime, Float, Identity, Index, Integer, SmallInteger, String, Table, Text,
)
from sqlalchemy.dialects.postgresql import JSONB

from hazmap.db.models import SRID, metadata

POSITION_COLUMNS = ("terminal_phone", "plate", "device_time", "receive_time", "lon", "lat", "speed_kmh",
                    "direction_deg", "altitude_m", "alarm", "status", "extras", "source", "src_crs")

vehicle_position = Table(
    "vehicle_position", metadata,
    Column("id", BigInteger, Identity(), primary_key=True),
    Column("terminal_phone", String(20), nullable=False),
    Column("plate", Text),  # from the terminal's registration, when it sent one
    Column("device_time", DateTime(timezone=True), nullable=False),
    Column("receive_time", DateTime(timezone=True), nullable=False),
    Column("lon", Float, nullable=False),  # WGS-84 degrees
    Column("lat", Float, nullable=False),
    Column("geom", Geometry("POINT", srid=SRID, spatial_index=False),
           Computed(f"ST_SetSRID(ST_MakePoint(lon, lat), {SRID})", persisted=True)),
    Column("speed_kmh", Float, nullable=False),
    Column("direction_deg", SmallInteger, nullable=False),
    Column("altitude_m", Integer, nullable=False),
    Column("alarm", BigInteger, nullable=False),  # JT/T 808 alarm DWORD
    Column("status", BigInteger, nullable=False),  # JT/T 808 status DWORD
    Column("extras", JSONB, nullable=False, server_default="[]"),  # [[id, "hex"], …] additional items, raw
    Column("source", String(16), nullable=False, server_default="jt808"),
    Column("src_crs", String(16), nullable=False, server_default="wgs84"),
    Index("ix_vehicle_position_terminal_time", "terminal_phone", "device_time"),
)


# ---- registries (ETL kinds vehicles, crew, waybills, tags, tag_events, restricted_zones) ------------
# Each registry row carries its business key, the file it came from (a re-load of that file removes
# what it no longer lists), a row hash (unchanged rows are not rewritten) and the run that wrote it.
# Dates are the documents' expiry dates as registered; ``None`` = not registered (五必查 → 未核查).

vehicle_position.append_column(Column("source_file", Text))  # a positions import's file (JT/T 808: null)


def _registry_columns() -> list:
    return [Column("source_file", Text), Column("row_hash", Text), Column("last_run_id", Integer)]


vehicle = Table(
    "vehicle", metadata,
    Column("id", Integer, Identity(), primary_key=True),
    Column("plate", String(16), nullable=False, unique=True),
    Column("plate_colour", String(8)),
    Column("carrier_credit_code", String(18)),
    Column("carrier_name", Text),
    Column("terminal_phone", String(20)),  # the JT/T 808 terminal's phone (links received positions)
    Column("road_transport_cert_no", String(40)),
    Column("road_transport_cert_expiry", Date),
    Column("driving_licence_expiry", Date),
    Column("tank_no", String(40)),  # null: not a tank vehicle
    Column("tank_inspection_expiry", Date),
    Column("tank_volume_m3", Float),
    Column("permitted_media", JSONB),  # [{name, key}] 适装介质; null = list not registered
    *_registry_columns(),
)

crew_member = Table(
    "crew_member", metadata,
    Column("id", Integer, Identity(), primary_key=True),
    Column("cert_no", String(40), nullable=False, unique=True),  # 从业资格证号
    Column("name", Text, nullable=False),
    Column("id_tail", String(8)),  # 身份证号后四位 (never the full number)
    Column("role", String(8), nullable=False),  # driver | escort
    Column("cert_expiry", Date),
    Column("carrier_credit_code", String(18)),
    *_registry_columns(),
)

waybill = Table(
    "waybill", metadata,
    Column("id", Integer, Identity(), primary_key=True),
    Column("waybill_no", String(40), nullable=False, unique=True),
    Column("status", String(16)),
    Column("consignor", Text), Column("consignor_credit_code", String(18)),
    Column("consignee", Text), Column("consignee_credit_code", String(18)),
    Column("loader", Text), Column("loader_credit_code", String(18)),
    Column("carrier", Text), Column("carrier_credit_code", String(18)),
    Column("vehicle_plate", String(16), nullable=False),
    Column("trailer_plate", String(16)),
    Column("driver_name", Text), Column("driver_cert_no", String(40)),
    Column("escort_name", Text), Column("escort_cert_no", String(40)),
    Column("departure_date", Date, nullable=False),
    Column("loaded_at", DateTime(timezone=True)),  # 装货时间 (loading record), optional
    Column("origin_name", Text), Column("destination_name", Text),
    Column("origin", Geometry("POINT", srid=SRID, spatial_index=False)),
    Column("destination", Geometry("POINT", srid=SRID, spatial_index=False)),
    Column("planned_route", Geometry("LINESTRING", srid=SRID, spatial_index=False)),
    Column("src_crs", String(24)),
    *_registry_columns(),
    Index("ix_waybill_vehicle_plate", "vehicle_plate"),
)

waybill_goods = Table(
    "waybill_goods", metadata,
    Column("id", Integer, Identity(), primary_key=True),
    Column("waybill_id", Integer, ForeignKey("waybill.id", ondelete="CASCADE"), nullable=False),
    Column("line_no", Integer, nullable=False),
    Column("name", Text, nullable=False),
    Column("chemical_key", String(32)),  # catalogue key when the name resolves
    Column("un_number", String(8)),
    Column("hazard_class", String(8)),
    Column("packing_group", String(4)),
    Column("quantity", Float),
    Column("unit", String(8)),
    Column("loaded_quantity", Float),  # 实装数量 (loading record), same unit; null = not recorded
    Index("ix_waybill_goods_waybill", "waybill_id", "line_no"),
)

tag = Table(
    "tag", metadata,
    Column("id", Integer, Identity(), primary_key=True),
    Column("uid", String(64), nullable=False, unique=True),
    Column("safety_code", String(64)),  # 安全信息码 (T/CCSAS 047-2023)
    Column("enterprise_credit_code", String(18)),
    Column("chemical", Text, nullable=False),
    Column("chemical_key", String(32)),
    Column("batch", String(40)),
    Column("package_level", String(16)),
    Column("parent_uid", String(64)),
    *_registry_columns(),
)

tag_event = Table(
    "tag_event", metadata,
    Column("id", Integer, Identity(), primary_key=True),
    Column("event_key", String(160), nullable=False, unique=True),  # uid|kind|time
    Column("tag_uid", String(64), nullable=False),
    Column("kind", String(16), nullable=False),  # coded stock_in stock_out loaded unloaded received used discarded
    Column("time", DateTime(timezone=True), nullable=False),
    Column("enterprise_credit_code", String(18)),
    Column("waybill_no", String(40)),
    Column("geom", Geometry("POINT", srid=SRID, spatial_index=False)),
    Column("src_crs", String(24)),
    *_registry_columns(),
    Index("ix_tag_event_waybill", "waybill_no"),
)

restricted_zone = Table(
    "restricted_zone", metadata,
    Column("id", Integer, Identity(), primary_key=True),
    Column("zone_key", String(40), nullable=False, unique=True),
    Column("name", Text, nullable=False),
    Column("classes", JSONB),  # UN classes / categories restricted; null = every hazardous good
    Column("windows", JSONB, nullable=False, server_default="[]"),  # [[start_s, end_s]] Beijing time
    Column("authority", Text),  # who drew it (公安…)
    Column("geom", Geometry("MULTIPOLYGON", srid=SRID, spatial_index=False), nullable=False),
    *_registry_columns(),
)

# ---- per-run results of the transport refresh step ------------------------------------------------

waybill_result = Table(
    "waybill_result", metadata,
    Column("run_id", Integer, ForeignKey("run.id", ondelete="CASCADE"), primary_key=True),
    Column("waybill_id", Integer, ForeignKey("waybill.id", ondelete="CASCADE"), primary_key=True),
    Column("outcome", String(12), nullable=False),  # fail | not_checked | pass (the worst check)
    Column("failed", Integer, nullable=False),
    Column("not_checked", Integer, nullable=False),
    Column("checks", JSONB, nullable=False),  # [{key, title, outcome, label, reasons, basis, status}]
    Column("text", Text, nullable=False),
    Index("ix_waybill_result_waybill", "waybill_id"),
)

trip = Table(
    "trip", metadata,
    Column("id", Integer, Identity(), primary_key=True),
    Column("run_id", Integer, ForeignKey("run.id", ondelete="CASCADE"), nullable=False),
    Column("waybill_id", Integer, ForeignKey("waybill.id", ondelete="CASCADE"), nullable=False),
    Column("vehicle_plate", String(16), nullable=False),
    Column("loaded_at", DateTime(timezone=True)),
    Column("received_at", DateTime(timezone=True)),
    Column("closed", Boolean, nullable=False),
    Column("n_fixes", Integer, nullable=False),
    Column("tags", JSONB, nullable=False),
    Column("missing_receipts", JSONB, nullable=False),
    Column("findings", JSONB, nullable=False),  # tag invariants broken: [{code, tag_uid, text}]
    Column("tonnage_t", Float),
    Column("labels", JSONB, nullable=False),  # classes and categories carried (3, 2.3, 剧毒, 易燃 …)
    Column("alarms", Integer, nullable=False),
    Column("geom", Geometry("LINESTRING", srid=SRID, spatial_index=False)),
    Index("ix_trip_run_waybill", "run_id", "waybill_id"),
    Index("ix_trip_waybill", "waybill_id"),
    Index("ix_trip_geom", "geom", postgresql_using="gist"),
)

transport_alarm = Table(
    "transport_alarm", metadata,
    Column("id", Integer, Identity(), primary_key=True),
    Column("run_id", Integer, ForeignKey("run.id", ondelete="CASCADE"), nullable=False),
    Column("trip_id", Integer, ForeignKey("trip.id", ondelete="CASCADE"), nullable=False),
    Column("rule_id", String(24), nullable=False),
    Column("kind", String(12), nullable=False),  # speed deviation dwell driving zone
    Column("start_time", DateTime(timezone=True), nullable=False),
    Column("end_time", DateTime(timezone=True), nullable=False),
    Column("value", Float, nullable=False),
    Column("legal_basis", Text, nullable=False),
    Column("text", Text, nullable=False),
    Column("zone_key", String(48)),
    Column("town_code", String(12)),
    Column("geom", Geometry("POINT", srid=SRID, spatial_index=False), nullable=False),
    Index("ix_transport_alarm_run", "run_id", "kind"),
    Index("ix_transport_alarm_trip", "trip_id"),
    Index("ix_transport_alarm_geom", "geom", postgresql_using="gist"),
)

transport_zone = Table(
    "transport_zone", metadata,
    Column("id", Integer, Identity(), primary_key=True),
    Column("run_id", Integer, ForeignKey("run.id", ondelete="CASCADE"), nullable=False),
    Column("zone_key", String(48), nullable=False),
    Column("name", Text, nullable=False),
    Column("origin", String(8), nullable=False),  # target (built from a protection target) | data
    Column("classes", JSONB),
    Column("windows", JSONB, nullable=False),
    Column("source", Text, nullable=False),
    Column("geom", Geometry("MULTIPOLYGON", srid=SRID, spatial_index=False), nullable=False),
    Index("ix_transport_zone_run", "run_id"),
    Index("ix_transport_zone_geom", "geom", postgresql_using="gist"),
)

transport_cell = Table(
    "transport_cell", metadata,
    Column("id", Integer, Identity(), primary_key=True),
    Column("run_id", Integer, ForeignKey("run.id", ondelete="CASCADE"), nullable=False),
    Column("class_filter", String(16), nullable=False),  # all | a class or category (剧毒, 易燃, 2.3 …)
    Column("rank", Integer, nullable=False),
    Column("ix", BigInteger, nullable=False),
    Column("iy", BigInteger, nullable=False),
    Column("trips", Integer, nullable=False),
    Column("tonnage_trips_t", Float, nullable=False),
    Column("geom", Geometry("POLYGON", srid=SRID, spatial_index=False), nullable=False),
    Index("ix_transport_cell_run", "run_id", "class_filter", "rank"),
    Index("ix_transport_cell_geom", "geom", postgresql_using="gist"),
)

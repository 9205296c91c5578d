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
    BigInteger, Column, Computed, DateTime, Float, Identity, Index, Integer, SmallInteger, String, Table, Text,
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

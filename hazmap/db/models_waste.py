"""Hazardous-waste tables (issue 16): the four registries and the refresh's results.

Registries (ETL kinds ``waste_producers``, ``waste_records``, ``waste_manifests``,
``waste_facilities``; business keys credit code, —, manifest no., licence no.):

* ``waste_producer`` — a generator, its storage capacity (t), its 管理计划 per (year, code) as
  JSON ``[{year, waste_code, planned_t}]`` and its storage place (WGS-84 point, optional; the
  source CRS kept in ``src_crs``);
* ``waste_record`` — 台账 entries (产生 / 期初库存 / 自行利用 / 自行处置), tonnes; replaced per file;
* ``waste_manifest`` + ``waste_manifest_row`` — 转移联单 with their detail rows; ``history`` is the
  JSON list of state changes (``geo.waste.model.StateEvent``) made through the API;
* ``waste_facility`` — licensed receivers (危险废物经营许可证): scope (codes and/or classes HWNN).

Results keyed by ``run_id`` (written by the refresh step :mod:`geo.postgis.waste`):

* ``waste_stock`` — per (enterprise credit code, waste code): the mass-balance terms, stock,
  on-site stock, FIFO oldest batch and age, the limit, tonnes over it, tonne-days and the
  动态清零 rank;
* ``waste_finding`` — every finding with its rule and data;
* ``waste_manifest_check`` — per manifest: its link to a transport waybill (``waybill_status``
  matched / mismatch / not_found / unchecked / none) and the note saying why.
"""

from __future__ import annotations

from geoalchemy2 import Geometry
from sqlalchemy import (
    Boolean, CheckConstraint, Column, Date, Float, ForeignKey, Index, Integer, String, Table, Text,
)
from sqlalchemy.dialects.postgresql import ARRAY, JSONB

from hazmap.db.models import SRID, metadata

MANIFEST_STATES = ("草稿", "已提交", "已启运", "运输中", "已送达", "已接收", "部分接收", "拒收", "退回", "作废")
_STATES_SQL = ", ".join(f"'{s}'" for s in MANIFEST_STATES)

waste_producer = Table(
    "waste_producer", metadata,
    Column("id", Integer, primary_key=True),
    Column("credit_code", String(18), nullable=False, unique=True),
    Column("name", Text, nullable=False),
    Column("storage_capacity_t", Float),
    Column("plans", JSONB, nullable=False, server_default="[]"),
    Column("geom", Geometry("POINT", srid=SRID, spatial_index=False)),
    Column("source_file", Text),
    Column("row_hash", String(40)),
    Column("last_run_id", Integer),
)

waste_record = Table(
    "waste_record", metadata,
    Column("id", Integer, primary_key=True),
    Column("credit_code", String(18), nullable=False),
    Column("date", Date, nullable=False),
    Column("kind", String(16), nullable=False),
    Column("waste_code", String(10), nullable=False),
    Column("quantity_t", Float, nullable=False),
    Column("source_file", Text),
    Column("source_row", Integer),
    CheckConstraint("kind in ('generated','opening','self_utilised','self_disposed')", name="ck_waste_record_kind"),
    CheckConstraint("quantity_t >= 0", name="ck_waste_record_quantity"),
    Index("ix_waste_record_code", "credit_code", "waste_code"),
)

waste_manifest = Table(
    "waste_manifest", metadata,
    Column("id", Integer, primary_key=True),
    Column("manifest_no", String(14), nullable=False, unique=True),
    Column("transfer_date", Date, nullable=False),
    Column("generator_credit_code", String(18), nullable=False),
    Column("generator_name", Text, nullable=False),
    Column("generator_admin_code", String(12)),
    Column("receiver_name", Text, nullable=False),
    Column("receiver_licence_no", Text, nullable=False),
    Column("receiver_admin_code", String(12)),
    Column("carrier_name", Text),
    Column("carrier_permit_no", Text),
    Column("route_cities", ARRAY(Text), nullable=False, server_default="{}"),
    Column("receipt_date", Date),
    Column("receiver_decision", String(8)),
    Column("major_discrepancy", Boolean),
    Column("state", String(8), nullable=False),
    Column("waybill_no", String(40)),
    Column("history", JSONB, nullable=False, server_default="[]"),
    Column("source_file", Text),
    Column("row_hash", String(40)),
    Column("last_run_id", Integer),
    CheckConstraint(f"state in ({_STATES_SQL})", name="ck_waste_manifest_state"),
    Index("ix_waste_manifest_generator", "generator_credit_code"),
)

waste_manifest_row = Table(
    "waste_manifest_row", metadata,
    Column("id", Integer, primary_key=True),
    Column("manifest_id", Integer, ForeignKey("waste_manifest.id", ondelete="CASCADE"), nullable=False),
    Column("line_no", Integer, nullable=False),
    Column("waste_name", Text, nullable=False),
    Column("hw_class", String(4), nullable=False),
    Column("waste_code", String(10), nullable=False),
    Column("disposal_method", Text),
    Column("quantity_t", Float, nullable=False),
    Column("received_t", Float),
    Index("ix_waste_manifest_row_manifest", "manifest_id", "line_no"),
)

waste_facility = Table(
    "waste_facility", metadata,
    Column("id", Integer, primary_key=True),
    Column("licence_no", String(64), nullable=False, unique=True),
    Column("name", Text, nullable=False),
    Column("credit_code", String(18)),
    Column("admin_code", String(12)),
    Column("scope", ARRAY(Text), nullable=False),
    Column("capacity_t_per_year", Float),
    Column("valid_from", Date),
    Column("valid_until", Date, nullable=False),
    Column("source_file", Text),
    Column("row_hash", String(40)),
    Column("last_run_id", Integer),
)

# ---- results, keyed by run ---------------------------------------------------------------------

waste_stock = Table(
    "waste_stock", metadata,
    Column("run_id", Integer, ForeignKey("run.id", ondelete="CASCADE"), primary_key=True),
    Column("credit_code", String(18), primary_key=True),
    Column("waste_code", String(10), primary_key=True),
    Column("opening_t", Float, nullable=False),
    Column("generated_t", Float, nullable=False),
    Column("self_utilised_t", Float, nullable=False),
    Column("self_disposed_t", Float, nullable=False),
    Column("confirmed_t", Float, nullable=False),
    Column("in_transit_t", Float, nullable=False),
    Column("stock_t", Float, nullable=False),
    Column("on_site_t", Float, nullable=False),
    Column("oldest_batch_date", Date),
    Column("oldest_age_days", Integer),
    Column("storage_limit_days", Float, nullable=False),
    Column("over_limit_t", Float, nullable=False),
    Column("tonne_days", Float, nullable=False),
    Column("operator", Boolean, nullable=False),
    Column("clearance_rank", Integer),  # 动态清零 list rank (on-site stock only), else null
    Column("as_of", Date, nullable=False),
)

waste_finding = Table(
    "waste_finding", metadata,
    Column("id", Integer, primary_key=True),
    Column("run_id", Integer, ForeignKey("run.id", ondelete="CASCADE"), nullable=False),
    Column("code", String(32), nullable=False),
    Column("title", Text, nullable=False),
    Column("credit_code", String(18), nullable=False),
    Column("waste_code", String(10)),
    Column("manifest_no", String(14)),
    Column("text", Text, nullable=False),
    Column("rule", Text, nullable=False),
    Column("data", JSONB, nullable=False, server_default="{}"),
    Index("ix_waste_finding_run", "run_id", "credit_code"),
)

waste_manifest_check = Table(
    "waste_manifest_check", metadata,
    Column("run_id", Integer, ForeignKey("run.id", ondelete="CASCADE"), primary_key=True),
    Column("manifest_id", Integer, ForeignKey("waste_manifest.id", ondelete="CASCADE"), primary_key=True),
    Column("waybill_status", String(12), nullable=False),  # matched | mismatch | not_found | unchecked | none
    Column("waybill_note", Text, nullable=False),
    Index("ix_waste_manifest_check_manifest", "manifest_id"),
)

"""Assessment tables (issue 12): assessed guide items with history, the hidden-danger ledger
(隐患台账), 双随机 inspection draws and inspections, inspectors, and each enterprise's
supervising departments (三管三必管) and village/community.

* ``assessment_item`` — one row per entry (inspection, self-assessment, import) of a guide item
  (``points``) or a direct-red condition (``met``); a new row replaces the item's previous one for
  the colour (newest ``assessed_on``, then newest ``id``), the old rows stay (history).
  ``row_hash`` makes re-importing the same file a no-op.
* ``hidden_danger`` — the ledger; ``danger_key`` is the business key (given or derived from the
  credit code, found date and description); the location, when given, is WGS-84 (``geom``)
  next to what arrived (``src_x``, ``src_y``, ``src_crs``).  逾期 is derived, never stored.
* ``inspection_draw`` / ``inspection`` — a draw (seed, its SHA-256, period, quotas, strata
  results) and its drawn inspections (enterprise, inspectors, result); hidden dangers and
  assessed items found by an inspection link to it.
* ``inspector`` — the pool the draw picks from (department, declared recusals by credit code).
* ``enterprise_department`` / ``enterprise_place`` — derived at each refresh from the
  responsibility table and the registry (departments) and from village polygons (village).
"""

from __future__ import annotations

from geoalchemy2 import Geometry
from sqlalchemy import (
    Boolean, CheckConstraint, Column, Date, DateTime, Float, ForeignKey, Index, Integer, String, Table, Text, func,
)
from sqlalchemy.dialects.postgresql import ARRAY, JSONB

from hazmap.db.models import SRID, metadata

inspector = Table(
    "inspector", metadata,
    Column("id", Integer, primary_key=True),
    Column("inspector_key", String(40), nullable=False, unique=True),
    Column("name", Text, nullable=False),
    Column("department", Text, nullable=False),
    Column("recused_credit_codes", ARRAY(Text), nullable=False, server_default="{}"),
    Column("active", Boolean, nullable=False, server_default="true"),
)

inspection_draw = Table(
    "inspection_draw", metadata,
    Column("id", Integer, primary_key=True),
    Column("period", Text, nullable=False),
    Column("seed", Text, nullable=False),
    Column("seed_sha256", String(64), nullable=False),
    Column("rules_version", String(40), nullable=False),
    Column("quotas", JSONB, nullable=False, server_default="[]"),
    Column("strata", JSONB, nullable=False, server_default="[]"),
    Column("notes", JSONB, nullable=False, server_default="[]"),
    Column("run_id", Integer),  # the colours the strata were read from
    Column("drawn_at", DateTime(timezone=True), nullable=False, server_default=func.now()),
    Column("drawn_by", String(64)),
)

inspection = Table(
    "inspection", metadata,
    Column("id", Integer, primary_key=True),
    Column("draw_id", Integer, ForeignKey("inspection_draw.id", ondelete="CASCADE")),
    Column("enterprise_id", Integer, ForeignKey("enterprise.id", ondelete="CASCADE"), nullable=False),
    Column("stratum", JSONB, nullable=False, server_default="{}"),
    Column("rank", String(64)),
    Column("inspectors", ARRAY(Text), nullable=False, server_default="{}"),
    Column("status", String(12), nullable=False, server_default="planned"),
    Column("inspected_on", Date),
    Column("result", Text),
    Column("recorded_by", String(64)),
    Column("recorded_at", DateTime(timezone=True)),
    CheckConstraint("status in ('planned','done')", name="ck_inspection_status"),
    Index("ix_inspection_draw", "draw_id"),
    Index("ix_inspection_enterprise", "enterprise_id"),
)

assessment_item = Table(
    "assessment_item", metadata,
    Column("id", Integer, primary_key=True),
    Column("enterprise_id", Integer, ForeignKey("enterprise.id", ondelete="CASCADE"), nullable=False),
    Column("item_code", String(40), nullable=False),
    Column("points", Float),  # a guide item's points (negative: deduction)
    Column("met", Boolean),  # a direct-red condition: met or not
    Column("status", String(12), nullable=False, server_default="assessed"),
    Column("source", String(20), nullable=False),  # inspection | self_assessment | import
    Column("evidence", Text, nullable=False),
    Column("assessed_by", Text, nullable=False),
    Column("assessed_on", Date, nullable=False),
    Column("inspection_id", Integer, ForeignKey("inspection.id", ondelete="SET NULL")),
    Column("recorded_by", String(64)),
    Column("recorded_at", DateTime(timezone=True), nullable=False, server_default=func.now()),
    Column("source_file", Text),
    Column("row_hash", String(40), nullable=False, unique=True),
    CheckConstraint("(points is null) <> (met is null)", name="ck_assessment_item_points_or_met"),
    CheckConstraint("source in ('inspection','self_assessment','import')", name="ck_assessment_item_source"),
    Index("ix_assessment_item_enterprise", "enterprise_id", "item_code"),
    Index("ix_assessment_item_inspection", "inspection_id"),
)

hidden_danger = Table(
    "hidden_danger", metadata,
    Column("id", Integer, primary_key=True),
    Column("danger_key", String(64), nullable=False, unique=True),
    Column("enterprise_id", Integer, ForeignKey("enterprise.id", ondelete="CASCADE"), nullable=False),
    Column("place", Text),
    Column("src_x", Float),
    Column("src_y", Float),
    Column("src_crs", String(24)),
    Column("geom", Geometry("POINT", srid=SRID, spatial_index=False)),  # WGS-84 lon/lat
    Column("found_on", Date, nullable=False),
    Column("found_by", Text, nullable=False),
    Column("source", String(8), nullable=False),  # 自查/部门检查/双随机/举报/在线监测
    Column("description", Text, nullable=False),
    Column("grade", String(4), nullable=False),  # 一般/重大
    Column("major_item", Integer),  # 安监总管三〔2017〕121号 item 1–20
    Column("measures", Text),
    Column("responsible", Text),
    Column("funds_yuan", Float),
    Column("deadline", Date),
    Column("plan", Text),
    Column("state", String(8), nullable=False, server_default="待整改"),
    Column("rectified_on", Date),
    Column("accepted_on", Date),
    Column("reviewer", Text),
    Column("inspection_id", Integer, ForeignKey("inspection.id", ondelete="SET NULL")),
    Column("recorded_by", String(64)),
    Column("updated_at", DateTime(timezone=True), nullable=False, server_default=func.now()),
    Column("source_file", Text),
    Column("row_hash", String(40)),
    CheckConstraint("grade in ('一般','重大')", name="ck_hidden_danger_grade"),
    CheckConstraint("state in ('待整改','整改中','待验收','已销号')", name="ck_hidden_danger_state"),
    Index("ix_hidden_danger_enterprise", "enterprise_id"),
    Index("ix_hidden_danger_inspection", "inspection_id"),
    Index("ix_hidden_danger_geom", "geom", postgresql_using="gist"),
)

enterprise_department = Table(
    "enterprise_department", metadata,
    Column("enterprise_id", Integer, ForeignKey("enterprise.id", ondelete="CASCADE"), primary_key=True),
    Column("department", Text, primary_key=True),
    Column("registered", Boolean, nullable=False),
    Column("basis", Text, nullable=False),
    Column("rule_ids", ARRAY(Text), nullable=False, server_default="{}"),
    Index("ix_enterprise_department_department", "department"),
)

enterprise_place = Table(
    "enterprise_place", metadata,
    Column("enterprise_id", Integer, ForeignKey("enterprise.id", ondelete="CASCADE"), primary_key=True),
    Column("village_code", String(12)),
    Column("village", Text),
)

"""Consequence and risk tables (issue 17): threat zones, individual-risk contours, GB 36894 checks, F–N.

What depends only on a hazard unit's inputs — its scenarios, screening threat zones and IR contours —
is one ``consequence_result`` row per (unit, ``input_hash``), versioned by ``model_version`` and
``data_version`` (a digest of ``data/rules/consequence``); ``consequence_run`` says which result each
run used (``reused`` when it was not recomputed).  What depends on the protection targets too — the
per-target IR checks (``ir_check``), each enterprise's external-distance finding and its F–N points —
is keyed by run.

Geometries are WGS-84 lon/lat (EPSG:4326): zones and contours are (Multi)Polygons drawn in the
source's local azimuthal-equidistant frame and converted; ``ir_check.geom`` is the point of the
target where the risk was evaluated (the target's point nearest the source).
"""

from __future__ import annotations

from geoalchemy2 import Geometry
from sqlalchemy import (
    Boolean, CheckConstraint, Column, DateTime, Float, ForeignKey, Index, Integer, String, Table, Text,
    UniqueConstraint, func,
)
from sqlalchemy.dialects.postgresql import JSONB

from hazmap.db.models import SRID, metadata

consequence_result = Table(
    "consequence_result", metadata,
    Column("id", Integer, primary_key=True),
    Column("hazard_unit_id", Integer, ForeignKey("hazard_unit.id", ondelete="CASCADE"), nullable=False),
    Column("input_hash", String(64), nullable=False),
    Column("model_version", String(40), nullable=False),
    Column("data_version", String(64), nullable=False),
    Column("computed_run_id", Integer),
    Column("computed_at", DateTime(timezone=True), nullable=False, server_default=func.now()),
    Column("installation", String(12), nullable=False),  # new | existing (GB 36894 column)
    Column("reach_m", Float, nullable=False),
    Column("cell_m", Float),
    Column("inputs", JSONB, nullable=False, server_default="{}"),
    Column("not_computed", JSONB, nullable=False, server_default="[]"),
    Column("scenario_count", Integer, nullable=False),
    Column("targets_hash", String(64)),  # protection targets the stored checks were made against
    Column("fn", JSONB, nullable=False, server_default="{}"),  # the unit's F–N points {n, f, verdict}
    Column("geom", Geometry("POINT", srid=SRID, spatial_index=False), nullable=False),
    UniqueConstraint("hazard_unit_id", "input_hash", name="uq_consequence_result_unit_hash"),
    CheckConstraint("installation in ('new','existing')", name="ck_consequence_result_installation"),
)

consequence_run = Table(
    "consequence_run", metadata,
    Column("run_id", Integer, ForeignKey("run.id", ondelete="CASCADE"), primary_key=True),
    Column("hazard_unit_id", Integer, ForeignKey("hazard_unit.id", ondelete="CASCADE"), primary_key=True),
    Column("result_id", Integer, ForeignKey("consequence_result.id", ondelete="CASCADE"), nullable=False),
    Column("reused", Boolean, nullable=False),
    Column("method", String(16), nullable=False),  # GB/T 37243: qra | consequence | design_codes
    Column("gas_s", Float, nullable=False),  # Σ q/Q of the unit's toxic and flammable gases
    Index("ix_consequence_run_unit", "hazard_unit_id"),
    Index("ix_consequence_run_result", "result_id"),
)

consequence_scenario = Table(
    "consequence_scenario", metadata,
    Column("id", Integer, primary_key=True),
    Column("result_id", Integer, ForeignKey("consequence_result.id", ondelete="CASCADE"), nullable=False),
    Column("scenario_key", Text, nullable=False),
    Column("chemical_key", String(40), nullable=False),
    Column("chemical_name", Text, nullable=False),
    Column("hole_id", String(24), nullable=False),
    Column("hole_label", Text, nullable=False),
    Column("frequency_per_year", Float, nullable=False),
    Column("frequency_source", Text, nullable=False),
    Column("release_kind", String(16), nullable=False),
    Column("rate_kg_s", Float),
    Column("mass_kg", Float, nullable=False),
    Column("duration_s", Float, nullable=False),
    Column("outcomes", JSONB, nullable=False, server_default="[]"),
    Column("inputs", JSONB, nullable=False, server_default="[]"),
    Index("ix_consequence_scenario_result", "result_id"),
)

threat_zone = Table(
    "threat_zone", metadata,
    Column("id", Integer, primary_key=True),
    Column("result_id", Integer, ForeignKey("consequence_result.id", ondelete="CASCADE"), nullable=False),
    Column("chemical_key", String(40), nullable=False),
    Column("chemical_name", Text, nullable=False),
    Column("endpoint", String(24), nullable=False),
    Column("endpoint_label", Text, nullable=False),
    Column("distance_m", Float, nullable=False),
    Column("lower_bound", Boolean, nullable=False),
    Column("model", Text, nullable=False),
    Column("inputs", JSONB, nullable=False, server_default="[]"),
    Column("geom", Geometry("POLYGON", srid=SRID, spatial_index=False), nullable=False),
    Index("ix_threat_zone_result", "result_id"),
    Index("ix_threat_zone_geom", "geom", postgresql_using="gist"),
)

risk_contour = Table(
    "risk_contour", metadata,
    Column("id", Integer, primary_key=True),
    Column("result_id", Integer, ForeignKey("consequence_result.id", ondelete="CASCADE"), nullable=False),
    Column("level_per_year", Float, nullable=False),
    Column("label", Text, nullable=False),
    Column("area_m2", Float, nullable=False),
    Column("source", Text, nullable=False),
    Column("status", String(16), nullable=False),
    Column("geom", Geometry("MULTIPOLYGON", srid=SRID, spatial_index=False), nullable=False),
    Index("ix_risk_contour_result", "result_id"),
    Index("ix_risk_contour_geom", "geom", postgresql_using="gist"),
)

ir_check = Table(
    "ir_check", metadata,
    Column("id", Integer, primary_key=True),
    Column("run_id", Integer, ForeignKey("run.id", ondelete="CASCADE"), nullable=False),
    Column("result_id", Integer, ForeignKey("consequence_result.id", ondelete="CASCADE"), nullable=False),
    Column("hazard_unit_id", Integer, ForeignKey("hazard_unit.id", ondelete="CASCADE"), nullable=False),
    Column("enterprise_id", Integer, ForeignKey("enterprise.id", ondelete="CASCADE"), nullable=False),
    Column("target_id", Integer, ForeignKey("protection_target.id", ondelete="CASCADE"), nullable=False),
    Column("target_class", String(24), nullable=False),  # a row of risk_criteria.csv
    Column("class_note", Text),  # how the class was chosen when the registry does not say
    Column("distance_m", Float, nullable=False),
    Column("individual_risk_per_year", Float, nullable=False),
    Column("criterion_per_year", Float, nullable=False),
    Column("required_m", Float),  # along the bearing to the target, where IR falls to the criterion (not met only)
    Column("installation", String(12), nullable=False),
    Column("met", Boolean, nullable=False),
    Column("text", Text, nullable=False),
    Column("source", Text, nullable=False),
    Column("status", String(16), nullable=False),
    Column("geom", Geometry("POINT", srid=SRID, spatial_index=False), nullable=False),
    Index("ix_ir_check_run", "run_id", "enterprise_id"),
    Index("ix_ir_check_result", "result_id"),
    Index("ix_ir_check_unit", "hazard_unit_id"),
    Index("ix_ir_check_enterprise", "enterprise_id"),
    Index("ix_ir_check_target", "target_id"),
)

enterprise_consequence = Table(
    "enterprise_consequence", metadata,
    Column("run_id", Integer, ForeignKey("run.id", ondelete="CASCADE"), primary_key=True),
    Column("enterprise_id", Integer, ForeignKey("enterprise.id", ondelete="CASCADE"), primary_key=True),
    Column("status", String(16), nullable=False),  # met | not_met | not_computed
    Column("method", String(16), nullable=False),  # the enterprise's GB/T 37243 method
    Column("text", Text, nullable=False),
    Column("units", Integer, nullable=False),
    Column("units_computed", Integer, nullable=False),
    Column("checks_not_met", Integer, nullable=False),
    Column("design_conflicts", Integer, nullable=False),
    Column("fn_verdict", Text),
    CheckConstraint("status in ('met','not_met','not_computed')", name="ck_enterprise_consequence_status"),
    Index("ix_enterprise_consequence_enterprise", "enterprise_id"),
)

fn_point = Table(
    "fn_point", metadata,
    Column("run_id", Integer, ForeignKey("run.id", ondelete="CASCADE"), primary_key=True),
    Column("enterprise_id", Integer, ForeignKey("enterprise.id", ondelete="CASCADE"), primary_key=True),
    Column("n", Float, primary_key=True),
    Column("f_per_year", Float, nullable=False),
    Index("ix_fn_point_enterprise", "enterprise_id"),
)

"""The PostGIS schema, as SQLAlchemy Core tables.

Spatial design
--------------
Every geometry is stored once in WGS-84 lon/lat (``geom``, ``geometry(..., 4326)``,
GiST-indexed) for bbox queries, display and vector tiles, and has a **generated**
``geog geography`` twin (``geography(geom)``, STORED, GiST-indexed) for all metric work.
Geography gives spheroidal distances in metres that are right anywhere in China —
Heilongjiang, Xinjiang and Hainan as well as Shanxi — where any single projected SRID
(e.g. the CGCS2000 3° zone EPSG:4547 that fits Jincheng) distorts by percents far from its
central meridian, and a per-zone SRID would break one-index proximity joins across zones.
Because ``geog`` is generated from ``geom``, the two can never disagree.  Proximity
queries are ``ST_DWithin(a.geog, b.geog, :radius_m)``, which uses the geography GiST index.

Each input row keeps the coordinates and CRS it arrived in (``src_x``, ``src_y``,
``src_crs``) next to the canonical point.

Every foreign-key column has an index whose leading column it is (migration 0102), so the
cascades of a delete or replace look rows up by index instead of scanning the child table once
per deleted parent row (``tests/test_fk_indexes.py`` checks this against ``pg_constraint``).

Computed results (major hazards, requirements, conflicts, enterprise and area risk, pipeline
HCAs) are keyed by ``run_id`` so a refresh can be compared with the previous one; readers
use the newest succeeded run, so they see one run or the other, never a mix.
"""

from __future__ import annotations

from geoalchemy2 import Geography, Geometry
from sqlalchemy import (
    Boolean, CheckConstraint, Column, Computed, Date, DateTime, Float, ForeignKey, Index,
    Integer, MetaData, SmallInteger, String, Table, Text, UniqueConstraint, func,
)
from sqlalchemy.dialects.postgresql import ARRAY, JSONB

SRID = 4326
metadata = MetaData()


def _geom(kind: str, nullable: bool = True) -> Column:
    return Column("geom", Geometry(kind, srid=SRID, spatial_index=False), nullable=nullable)


def _geog() -> Column:
    return Column("geog", Geography("GEOMETRY", srid=SRID, spatial_index=False),
                  Computed("geography(geom)", persisted=True))


def _spatial_indexes(table: str) -> list[Index]:
    return [
        Index(f"ix_{table}_geom", "geom", postgresql_using="gist"),
        Index(f"ix_{table}_geog", "geog", postgresql_using="gist"),
    ]


run = Table(  # ETL and refresh runs (hazmap.jobs); results are keyed by run_id
    "run", metadata,
    Column("id", Integer, primary_key=True),
    Column("kind", String(16), nullable=False),  # etl | refresh | siting
    Column("started_at", DateTime(timezone=True), nullable=False, server_default=func.now()),
    Column("finished_at", DateTime(timezone=True)),
    Column("status", String(16), nullable=False),  # running | succeeded | failed | aborted
    Column("files", JSONB, nullable=False, server_default="[]"),
    Column("counts", JSONB, nullable=False, server_default="{}"),
    Column("changes", JSONB, nullable=False, server_default="{}"),
    Column("versions", JSONB, nullable=False, server_default="{}"),  # reference, rules, risk model
    Column("rejects_path", Text),
    Column("message", Text),
    CheckConstraint("status in ('running','succeeded','failed','aborted')", name="ck_run_status"),
)

admin_area = Table(
    "admin_area", metadata,
    Column("id", Integer, primary_key=True),
    Column("code", String(12), nullable=False, unique=True),
    Column("name", Text, nullable=False),
    Column("level", String(12), nullable=False),
    Column("parent_code", String(12)),
    Column("synthetic", Boolean, nullable=False, server_default="false"),
    Column("source", Text),
    _geom("MULTIPOLYGON"),
    _geog(),
    Column("row_hash", String(40)),
    Column("last_run_id", Integer),
    CheckConstraint("level in ('district','town','village')", name="ck_admin_area_level"),
    *_spatial_indexes("admin_area"),
)

chemical = Table(
    "chemical", metadata,
    Column("id", Integer, primary_key=True),
    Column("key", String(40), nullable=False, unique=True),
    Column("name", Text, nullable=False),
    Column("aliases", ARRAY(Text), nullable=False, server_default="{}"),
    Column("cas", ARRAY(Text), nullable=False, server_default="{}"),
    Column("table1_row", Integer),
    Column("hazard_classes", ARRAY(Text), nullable=False, server_default="{}"),
    Column("critical_quantity_t", Float),
    Column("highly_toxic", Boolean, nullable=False, server_default="false"),
    Column("explosive_precursor", Boolean, nullable=False, server_default="false"),
    Column("key_supervised", Boolean, nullable=False, server_default="false"),
    Column("toxic_inhalation", Boolean, nullable=False, server_default="false"),
    Column("explosive", Boolean, nullable=False, server_default="false"),
    Column("source", Text, nullable=False),
)

reference_table = Table(
    "reference_table", metadata,
    Column("name", String(64), primary_key=True),
    Column("version", String(40), nullable=False),
    Column("rows", JSONB, nullable=False),
    Column("loaded_at", DateTime(timezone=True), nullable=False, server_default=func.now()),
)

enterprise = Table(
    "enterprise", metadata,
    Column("id", Integer, primary_key=True),
    Column("credit_code", String(18), nullable=False, unique=True),
    Column("name", Text, nullable=False),
    Column("stages", ARRAY(Text), nullable=False),
    Column("facility_type", Text),
    Column("town_code", String(12)),
    Column("department", Text),
    Column("address", Text),
    Column("licence_no", Text),
    Column("licence_type", Text),
    Column("licence_expiry", Date),
    Column("in_chemical_park", Boolean),
    Column("larger_accidents_3y", Integer),
    Column("fatal_accidents_3y", Integer),
    Column("major_accidents_3y", Integer),  # 三年内重大事故 (0208)
    Column("fatal_accidents_1y", Integer),  # 近一年内亡人事故 (0208)
    Column("credit_class", Text),  # 信用等级 (双随机 stratum; 0208)
    Column("recused_departments", ARRAY(Text)),  # 回避部门 (双随机 recusal; 0208)
    Column("major_hidden_dangers", Integer),
    Column("standardisation_level", Integer),
    Column("src_x", Float),
    Column("src_y", Float),
    Column("src_crs", String(24)),
    Column("geocode_precision", String(16), nullable=False),  # source | address_point | road | poi | village | town | district
    Column("geocode_score", Float),
    _geom("POINT", nullable=False),
    _geog(),
    Column("footprint", Geometry("MULTIPOLYGON", srid=SRID, spatial_index=False)),  # site boundary (0205)
    # registered sizes the separation rules read (0205); null = not registered → lower bound
    Column("tank_volume_m3", Float),  # 储罐总容积 m³
    Column("station_grade", SmallInteger),  # 加油加气站等级 1–3 (GB 50156 3.0)
    Column("vapour_recovery", SmallInteger),  # 0 无 / 1 卸油油气回收 / 2 卸油和加油油气回收
    Column("lpg_tank_buried", Boolean),  # LPG 储罐埋地
    Column("oil_depot_grade", Text),  # 石油库等级 (GB 50074 3.0), "1"–"5"
    Column("source_file", Text),
    Column("source_row", Integer),
    Column("row_hash", String(40)),
    Column("first_run_id", Integer),
    Column("last_run_id", Integer),
    *_spatial_indexes("enterprise"),
    Index("ix_enterprise_town", "town_code"),
)

hazard_unit = Table(
    "hazard_unit", metadata,
    Column("id", Integer, primary_key=True),
    Column("unit_key", String(64), nullable=False, unique=True),
    Column("enterprise_id", Integer, ForeignKey("enterprise.id", ondelete="CASCADE"), nullable=False),
    Column("name", Text),
    Column("kind", String(12), nullable=False),
    Column("fire_class", String(4)),  # the class used: derived from the chemicals when they contradict the registry
    Column("fire_class_registered", Text),  # 登记火灾危险性 as registered (0205)
    Column("operating_temperature_c", Float),  # 操作温度 ℃ (GB 18218 表2 W5)
    Column("operating_pressure_mpa", Float),  # 操作压力 MPa (gauge)
    Column("tank_volume_m3", Float),  # 储罐容积 m³
    Column("footprint", Geometry("MULTIPOLYGON", srid=SRID, spatial_index=False)),
    Column("source_file", Text),
    Column("row_hash", String(40)),
    Column("last_run_id", Integer),
    CheckConstraint("kind in ('production','storage')", name="ck_hazard_unit_kind"),
    Index("ix_hazard_unit_enterprise", "enterprise_id"),
)

inventory = Table(
    "inventory", metadata,
    Column("id", Integer, primary_key=True),
    Column("hazard_unit_id", Integer, ForeignKey("hazard_unit.id", ondelete="CASCADE"), nullable=False),
    Column("chemical_id", Integer, ForeignKey("chemical.id"), nullable=False),
    Column("quantity_t", Float, nullable=False),
    Column("input_name", Text),
    Column("concentration_pct", Float),  # 浓度 % (mass) of a solution; null = as registered (pure)
    UniqueConstraint("hazard_unit_id", "chemical_id", name="uq_inventory_unit_chemical"),  # leads with hazard_unit_id
    CheckConstraint("quantity_t > 0", name="ck_inventory_quantity_positive"),
    Index("ix_inventory_chemical", "chemical_id"),
)

protection_target = Table(
    "protection_target", metadata,
    Column("id", Integer, primary_key=True),
    Column("target_key", String(64), nullable=False, unique=True),
    Column("name", Text, nullable=False),
    Column("category", String(24), nullable=False),
    Column("gb36894_class", String(24)),
    Column("households", Integer),
    Column("population", Integer),
    Column("capacity", Integer),  # 床位数 (beds)
    Column("high_rise", Boolean),  # 高层民用建筑 (GB 50016 5.1.1); null = unknown (0205)
    Column("town_code", String(12)),
    Column("src_crs", String(24)),
    _geom("GEOMETRY", nullable=False),
    _geog(),
    Column("source_file", Text),
    Column("row_hash", String(40)),
    Column("last_run_id", Integer),
    *_spatial_indexes("protection_target"),
    Index("ix_protection_target_category", "category"),
)

pipeline = Table(
    "pipeline", metadata,
    Column("id", Integer, primary_key=True),
    Column("pipeline_key", String(64), nullable=False, unique=True),
    Column("name", Text, nullable=False),
    Column("medium", String(16), nullable=False),  # oil | gas
    Column("medium_label", Text),
    Column("diameter_mm", Float, nullable=False),
    Column("maop_mpa", Float, nullable=False),
    Column("operator_credit_code", String(18)),
    _geom("LINESTRING", nullable=False),
    _geog(),
    Column("source_file", Text),
    Column("row_hash", String(40)),
    Column("last_run_id", Integer),
    CheckConstraint("diameter_mm > 0 and maop_mpa > 0", name="ck_pipeline_positive"),
    *_spatial_indexes("pipeline"),
)

gazetteer_entry = Table(
    "gazetteer_entry", metadata,
    Column("id", Integer, primary_key=True),
    Column("address", Text, nullable=False),
    Column("normalised", Text, nullable=False),
    Column("precision", String(16), nullable=False),  # address_point | road | poi
    _geom("POINT", nullable=False),
    Column("source_file", Text),
    UniqueConstraint("normalised", "precision", name="uq_gazetteer_entry"),
)

# ---- computed results, keyed by run ----------------------------------------------------

hazard_unit_result = Table(
    "hazard_unit_result", metadata,
    Column("run_id", Integer, ForeignKey("run.id", ondelete="CASCADE"), primary_key=True),
    Column("hazard_unit_id", Integer, ForeignKey("hazard_unit.id", ondelete="CASCADE"), primary_key=True),
    Column("s", Float, nullable=False),
    Column("r", Float),
    Column("alpha", Float, nullable=False),
    Column("exposed_people", Float, nullable=False),
    Column("exposure", JSONB, nullable=False, server_default="[]"),  # where the people were counted
    Column("is_major", Boolean, nullable=False),
    Column("grade", Integer),
    Column("details", JSONB, nullable=False, server_default="[]"),
    Column("notes", JSONB, nullable=False, server_default="[]"),
    # counted: people summed from registered targets within 500 m; none_registered: no target with
    # people is registered there (not a proof of nobody) — migration 0206
    Column("exposure_basis", String(16), nullable=False, server_default="counted"),
    CheckConstraint("exposure_basis in ('counted', 'given', 'none_registered')", name="ck_hazard_unit_result_exposure_basis"),
    Index("ix_hazard_unit_result_unit", "hazard_unit_id"),
)

source_requirement = Table(
    "source_requirement", metadata,
    Column("run_id", Integer, ForeignKey("run.id", ondelete="CASCADE"), primary_key=True),
    Column("enterprise_id", Integer, ForeignKey("enterprise.id", ondelete="CASCADE"), primary_key=True),
    Column("category", String(24), primary_key=True),
    Column("required_m", Float, nullable=False),
    Column("rule_id", Text, nullable=False),
    Column("rule_text", Text, nullable=False),
    # geo.target_kinds key; '' = the category's default row (migration 0206)
    Column("target_kind", Text, primary_key=True, server_default=""),
    Index("ix_source_requirement_enterprise", "enterprise_id"),
)

conflict = Table(
    "conflict", metadata,
    Column("id", Integer, primary_key=True),
    Column("run_id", Integer, ForeignKey("run.id", ondelete="CASCADE"), nullable=False),
    Column("enterprise_id", Integer, ForeignKey("enterprise.id", ondelete="CASCADE"), nullable=False),
    Column("hazard_unit_id", Integer, ForeignKey("hazard_unit.id", ondelete="CASCADE")),
    Column("target_id", Integer, ForeignKey("protection_target.id", ondelete="CASCADE"), nullable=False),
    Column("category", String(24), nullable=False),
    Column("distance_m", Float, nullable=False),
    Column("required_m", Float, nullable=False),
    Column("deficit_m", Float, nullable=False),
    Column("rule_id", Text, nullable=False),
    Column("rule_text", Text, nullable=False),
    Column("geom", Geometry("LINESTRING", srid=SRID, spatial_index=False)),
    Column("basis", String(24)),  # rules-table kind or individual_risk (migration 0204, models_consequence)
    Index("ix_conflict_run", "run_id"),
    Index("ix_conflict_run_target", "run_id", "target_id"),
    Index("ix_conflict_run_enterprise", "run_id", "enterprise_id"),
    Index("ix_conflict_enterprise", "enterprise_id"),
    Index("ix_conflict_target", "target_id"),
    Index("ix_conflict_hazard_unit", "hazard_unit_id"),
)

enterprise_risk = Table(
    "enterprise_risk", metadata,
    Column("run_id", Integer, ForeignKey("run.id", ondelete="CASCADE"), primary_key=True),
    Column("enterprise_id", Integer, ForeignKey("enterprise.id", ondelete="CASCADE"), primary_key=True),
    Column("risk_color", String(8), nullable=False),
    Column("risk_score", Float, nullable=False),
    Column("reasons", JSONB, nullable=False),
    Column("major_hazard_grade", Integer),
    Column("model_version", String(40), nullable=False),
    # issue 12: what is known — the worst case, the coverage of the guide's points, provisional
    Column("risk_score_min", Float),
    Column("risk_color_worst", String(8)),
    Column("assessment_coverage", Float),
    Column("provisional", Boolean),
    Column("direct_red_unevaluated", JSONB),  # [{code, label, status, text, clause}]
    Column("assessment", JSONB),  # {items: [...], summary: [...], unassessed_points}
    Index("ix_enterprise_risk_color", "run_id", "risk_color"),
    Index("ix_enterprise_risk_enterprise", "enterprise_id"),
)

area_risk = Table(
    "area_risk", metadata,
    Column("id", Integer, primary_key=True),
    Column("run_id", Integer, ForeignKey("run.id", ondelete="CASCADE"), nullable=False),
    Column("level", String(8), nullable=False),  # town | grid
    Column("area_code", String(40), nullable=False),
    Column("name", Text, nullable=False),
    Column("risk_index", Float, nullable=False),
    Column("risk_color", String(8), nullable=False),
    Column("counts", JSONB, nullable=False),
    Column("exposed_people", Float, nullable=False, server_default="0"),
    _geom("MULTIPOLYGON"),
    Index("ix_area_risk_run", "run_id", "level"),
    Index("ix_area_risk_geom", "geom", postgresql_using="gist"),
)

pipeline_hca = Table(
    "pipeline_hca", metadata,
    Column("id", Integer, primary_key=True),
    Column("run_id", Integer, ForeignKey("run.id", ondelete="CASCADE"), nullable=False),
    Column("pipeline_id", Integer, ForeignKey("pipeline.id", ondelete="CASCADE"), nullable=False),
    Column("grade", Integer, nullable=False),
    Column("impact_radius_m", Float, nullable=False),
    Column("reasons", JSONB, nullable=False),
    _geom("LINESTRING"),
    Index("ix_pipeline_hca_run", "run_id"),
    Index("ix_pipeline_hca_pipeline", "pipeline_id"),
)

# ---- users, tokens and audit (security) ------------------------------------------------

app_user = Table(
    "app_user", metadata,
    Column("id", Integer, primary_key=True),
    Column("name", String(64), nullable=False, unique=True),
    Column("role", String(16), nullable=False),
    Column("password_hash", Text, nullable=False),
    Column("token_hash", String(64), unique=True),  # sha256 of the API token; the token itself is never stored
    Column("disabled", Boolean, nullable=False, server_default="false"),
    Column("created_at", DateTime(timezone=True), nullable=False, server_default=func.now()),
    Column("last_login_at", DateTime(timezone=True)),
    CheckConstraint("role in ('operator','planner','leader','analyst','inspector')", name="ck_app_user_role"),
)

audit_log = Table(
    "audit_log", metadata,
    Column("id", Integer, primary_key=True),
    Column("at", DateTime(timezone=True), nullable=False, server_default=func.now()),
    Column("user_name", String(64)),
    Column("role", String(16)),
    Column("action", String(32), nullable=False),  # login, login_failed, export, etl_run, siting_check, user_add…
    Column("detail", JSONB, nullable=False, server_default="{}"),
    Column("ip", String(64)),
    Index("ix_audit_log_at", "at"),
)


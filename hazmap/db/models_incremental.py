"""What the last refresh read, for the incremental refresh (:mod:`geo.postgis.incremental`, migration 0207).

``refresh_state``: per enterprise and per protection target, the md5 of its stored row as the last
refresh read it (an enterprise's together with its hazard units and their inventories) and that run.
``enterprise_exposure``: per run, the people counted within 500 m of each enterprise that has any
registered (GB 18218 α) and where they were counted; an enterprise without a row had none registered.
"""

from __future__ import annotations

from sqlalchemy import CheckConstraint, Column, Float, ForeignKey, Index, Integer, String, Table, Text
from sqlalchemy.dialects.postgresql import JSONB

from hazmap.db.models import metadata

refresh_state = Table(
    "refresh_state", metadata,
    Column("entity", String(16), primary_key=True),  # enterprise | target
    Column("id", Integer, primary_key=True),
    Column("hash", Text, nullable=False),
    Column("run_id", Integer, nullable=False),  # one refresh's rows: no per-row FK check (migration 0209)
    CheckConstraint("entity in ('enterprise', 'target')", name="ck_refresh_state_entity"),
)

enterprise_exposure = Table(
    "enterprise_exposure", metadata,
    Column("run_id", Integer, ForeignKey("run.id", ondelete="CASCADE"), primary_key=True),
    Column("enterprise_id", Integer, ForeignKey("enterprise.id", ondelete="CASCADE"), primary_key=True),
    Column("people", Float, nullable=False),
    Column("targets", JSONB, nullable=False, server_default="[]"),
    Index("ix_enterprise_exposure_enterprise", "enterprise_id"),
)

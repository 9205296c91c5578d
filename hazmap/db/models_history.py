"""The run roster: what each run graded, kept after the enterprise itself is removed.

Results (``enterprise_risk``, ``conflict``) cascade away with a deleted enterprise, so a run
that removed an enterprise could not say so.  ``run_roster`` has no foreign key to
``enterprise``: one row per (run, enterprise) with the business key (credit code), name, town,
colour, score, major-hazard grade and number of conflicts, written when the run's change
report is made (:func:`geo.postgis.changes.record_roster`).  Any two runs compare by credit code.
"""

from __future__ import annotations

from sqlalchemy import Column, Float, ForeignKey, Index, Integer, String, Table, Text

from hazmap.db.models import metadata

run_roster = Table(
    "run_roster", metadata,
    Column("run_id", Integer, ForeignKey("run.id", ondelete="CASCADE"), primary_key=True),
    Column("enterprise_id", Integer, primary_key=True),  # no FK: the row outlives the enterprise
    Column("credit_code", String(18), nullable=False),
    Column("name", Text, nullable=False),
    Column("town", Text),
    Column("risk_color", String(8)),
    Column("risk_score", Float),
    Column("major_hazard_grade", Integer),
    Column("conflicts", Integer, nullable=False, server_default="0"),
    Index("ix_run_roster_credit_code", "run_id", "credit_code"),
)

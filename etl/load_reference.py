"""Load the reference data (chemical catalogue, GB 18218 tables) into the database.

Called by ``hazmap db init``; idempotent: chemicals are upserted by ``key`` (their ids stay
stable, so stored inventories keep pointing at the same rows) and every reference table is
stored whole in ``reference_table`` with its version.
"""

from __future__ import annotations

import dataclasses
import json

import sqlalchemy as sa
from sqlalchemy.dialects.postgresql import insert

from geo.major_hazard import critical_quantity
from hazmap.db.models import chemical, reference_table

_CHEM_FIELDS = ("name", "aliases", "cas", "table1_row", "hazard_classes", "highly_toxic",
                "explosive_precursor", "key_supervised", "toxic_inhalation", "explosive", "source")


def _jsonable(value):
    if dataclasses.is_dataclass(value):
        return {k: _jsonable(v) for k, v in dataclasses.asdict(value).items()}
    if isinstance(value, (list, tuple)):
        return [_jsonable(v) for v in value]
    return value


def load_reference_into_db(engine: sa.Engine, ref) -> dict:
    """Store the catalogue and the GB 18218 tables of ``ref`` (:class:`geo.reference.ReferenceTables`)."""
    rows = []
    for c in ref.catalogue:
        row = {"key": c.key, **{f: getattr(c, f) for f in _CHEM_FIELDS}}
        row["aliases"], row["cas"] = list(row["aliases"]), list(row["cas"])
        row["hazard_classes"] = list(row["hazard_classes"])
        row["critical_quantity_t"] = critical_quantity(c, ref)[0]
        rows.append(row)
    with engine.begin() as conn:
        stmt = insert(chemical).values(rows)
        conn.execute(stmt.on_conflict_do_update(
            index_elements=["key"],
            set_={k: stmt.excluded[k] for k in rows[0] if k != "key"}))
        tables = {
            "hazard_classes": [_jsonable(h) for h in ref.classes.values()],
            "table3_beta": [{"cas": k, "beta": v} for k, v in sorted(ref.table3_beta.items())],
            "alpha_bands": [_jsonable(b) for b in ref.alpha_bands],
            "grade_bands": [_jsonable(b) for b in ref.grade_bands],
        }
        for name, data in tables.items():
            stmt = insert(reference_table).values(name=name, version=ref.version,
                                                  rows=json.loads(json.dumps(data)))
            conn.execute(stmt.on_conflict_do_update(
                index_elements=["name"],
                set_={"version": stmt.excluded.version, "rows": stmt.excluded.rows,
                      "loaded_at": sa.func.now()}))
    return {"chemicals": len(rows), "version": ref.version}

"""Writing and reading assessed items and the hidden-danger ledger (shared by the ETL kinds and the API).

* :func:`insert_assessed` — new ``assessment_item`` rows; an entry already stored (same enterprise,
  code, points or answer, source, evidence, assessor and date: same ``row_hash``) is not stored twice,
  so re-importing a file changes nothing.  Older entries are never changed (history).
* :func:`save_hidden_danger` — insert or update a ledger record by its business key.
* :func:`hidden_danger` — one stored record as :class:`geo.hidden_danger.HiddenDanger` with its row.
"""

from __future__ import annotations

import hashlib
import json

import sqlalchemy as sa

from geo.hidden_danger import HiddenDanger
from geo.postgis.assessment import danger_from_row
from geo.risk_color import AssessedCondition, AssessedItem

_INSERT_ITEM = sa.text("""
    insert into assessment_item (enterprise_id, item_code, points, met, source, evidence, assessed_by, assessed_on,
                                 inspection_id, recorded_by, source_file, row_hash)
    values (:e, :code, :points, :met, :source, :evidence, :by, :at, :inspection, :recorded_by, :file, :hash)
    on conflict (row_hash) do nothing
    returning id""")

_DANGER_COLUMNS = ("place", "src_x", "src_y", "src_crs", "found_on", "found_by", "source", "description", "grade",
                   "major_item", "measures", "responsible", "funds_yuan", "deadline", "plan", "state", "rectified_on",
                   "accepted_on", "reviewer", "inspection_id", "recorded_by", "source_file", "row_hash")


def _sha1(data) -> str:
    return hashlib.sha1(json.dumps(data, sort_keys=True, default=str, ensure_ascii=False).encode()).hexdigest()


def entry_hash(enterprise_id: int, entry: AssessedItem | AssessedCondition) -> str:
    value = entry.met if isinstance(entry, AssessedCondition) else round(float(entry.points), 2)
    return _sha1([enterprise_id, entry.code, value, entry.source, entry.evidence, entry.by, entry.at])


def insert_assessed(conn: sa.Connection, enterprise_id: int, entries, *, recorded_by: str | None,
                    source_file: str | None = None, inspection_id: int | None = None) -> list[int]:
    """Store ``entries`` (assessed items or conditions, already validated); the ids of the new rows."""
    ids = []
    for e in entries:
        is_cond = isinstance(e, AssessedCondition)
        row = conn.execute(_INSERT_ITEM, {
            "e": enterprise_id, "code": e.code, "points": None if is_cond else round(float(e.points), 2),
            "met": e.met if is_cond else None, "source": e.source, "evidence": e.evidence, "by": e.by, "at": e.at,
            "inspection": inspection_id, "recorded_by": recorded_by, "file": source_file,
            "hash": entry_hash(enterprise_id, e)}).first()
        if row is not None:
            ids.append(row.id)
    return ids


def danger_key(hd: HiddenDanger) -> str:
    """The business key of a record that arrived without one: its enterprise, found date and description."""
    return "HD-" + _sha1([hd.credit_code, hd.found_on, hd.description])[:16]


def _values(hd: HiddenDanger, *, src, inspection_id, recorded_by, source_file) -> dict:
    r = hd.rectification
    x, y, crs = src if src else (None, None, None)
    v = {"place": hd.place, "src_x": x, "src_y": y, "src_crs": crs, "found_on": hd.found_on, "found_by": hd.found_by,
         "source": hd.source, "description": hd.description, "grade": hd.grade, "major_item": hd.major_item,
         "measures": r.measures, "responsible": r.responsible, "funds_yuan": r.funds_yuan, "deadline": r.deadline,
         "plan": r.plan, "state": hd.state, "rectified_on": hd.rectified_on, "accepted_on": hd.accepted_on,
         "reviewer": hd.reviewer, "inspection_id": inspection_id, "recorded_by": recorded_by,
         "source_file": source_file}
    v["row_hash"] = _sha1([v[c] for c in _DANGER_COLUMNS[:-4]] + [hd.location_wgs84])
    lon, lat = hd.location_wgs84 or (None, None)
    return {**v, "lon": lon, "lat": lat}


def save_hidden_danger(conn: sa.Connection, enterprise_id: int, hd: HiddenDanger, *, key: str | None = None,
                       src=None, inspection_id: int | None = None, recorded_by: str | None = None,
                       source_file: str | None = None) -> tuple[str, int]:
    """Insert or update the record ``key`` (default :func:`danger_key`): ``("inserted"|"updated"|"unchanged", id)``.

    ``src``: ``(x, y, crs)`` as the coordinates arrived; ``hd.location_wgs84`` is stored as ``geom``.
    """
    key = key or danger_key(hd)
    v = _values(hd, src=src, inspection_id=inspection_id, recorded_by=recorded_by, source_file=source_file)
    old = conn.execute(sa.text("select id, row_hash from hidden_danger where danger_key = :k"), {"k": key}).first()
    geom = "case when cast(:lon as float8) is null then null else ST_SetSRID(ST_MakePoint(:lon, :lat), 4326) end"
    if old is None:
        new_id = conn.execute(sa.text(
            f"insert into hidden_danger (danger_key, enterprise_id, {', '.join(_DANGER_COLUMNS)}, geom) "
            f"values (:key, :e, {', '.join(':' + c for c in _DANGER_COLUMNS)}, {geom}) returning id"),
            {**v, "key": key, "e": enterprise_id}).scalar_one()
        return "inserted", new_id
    if old.row_hash == v["row_hash"]:
        return "unchanged", old.id
    sets = ", ".join(f"{c} = :{c}" for c in _DANGER_COLUMNS if c != "inspection_id")
    conn.execute(sa.text(f"update hidden_danger set enterprise_id = :e, {sets}, "
                         f"inspection_id = coalesce(:inspection_id, inspection_id), geom = {geom}, "
                         f"updated_at = now() where id = :id"), {**v, "e": enterprise_id, "id": old.id})
    return "updated", old.id


def update_hidden_danger(conn: sa.Connection, danger_id: int, hd: HiddenDanger, *, recorded_by: str | None) -> None:
    """Store the record ``danger_id`` after a checked change (its key, place and source unchanged)."""
    old = conn.execute(sa.text("select danger_key, enterprise_id, src_x, src_y, src_crs, inspection_id, source_file "
                               "from hidden_danger where id = :id"), {"id": danger_id}).one()
    save_hidden_danger(conn, old.enterprise_id, hd, key=old.danger_key, src=(old.src_x, old.src_y, old.src_crs),
                       inspection_id=old.inspection_id, recorded_by=recorded_by, source_file=old.source_file)


def hidden_danger(conn: sa.Connection, danger_id: int):
    """``(row, HiddenDanger)`` of a stored record, or ``None``."""
    r = conn.execute(sa.text("""select h.*, e.credit_code, ST_X(h.geom) as lon, ST_Y(h.geom) as lat
                                from hidden_danger h join enterprise e on e.id = h.enterprise_id
                                where h.id = :id"""), {"id": danger_id}).first()
    return None if r is None else (r, danger_from_row(r))

"""Loading the four waste kinds in the run's transaction.

Producers, manifests and facilities are upserted by business key (credit code, manifest no.,
licence no.) with ``row_hash``: new keys inserted, changed ones updated, equal ones unchanged;
keys that came from a file of this run but are absent now are removed, unless their key was
rejected in this run (then the stored record stays as it was) — the house rule of
:mod:`etl.load`.  A manifest's detail rows are replaced with it.  A state changed through the API
(``PATCH /api/v1/waste-manifests/<no>``) stays until the file's row for that manifest changes;
then the file wins and the API's history is kept.

Ledger entries (``waste_records``) have no business key: the entries of this run's files are
replaced (counts compare before and after, like the gazetteer).
"""

from __future__ import annotations

import sqlalchemy as sa

from etl.records import row_hash


def _counts() -> dict:
    return {"inserted": 0, "updated": 0, "unchanged": 0, "removed": 0}


def upsert(conn, table: str, key: str, records: list[dict], *, run_id, files: list[str], keep_keys: set[str],
           geom: bool = False, children=None) -> dict:
    """Upsert ``records`` (column dicts; ``wkt`` → ``geom`` when ``geom``) into ``table`` by ``key``.

    ``children(conn, ids_by_key, records)`` rewrites the child rows of inserted and updated records.
    """
    counts = _counts()
    existing = {r[0]: r[1] for r in conn.execute(sa.text(f"select {key}, row_hash from {table}"))}
    changed = []
    for rec in records:
        h = row_hash(rec)
        old = existing.get(rec[key], False)
        if old == h:
            counts["unchanged"] += 1
        else:
            changed.append((rec, h, old is False))
    cols = [c for c in (records[0] if records else {}) if not c.startswith("_") and c not in ("wkt", "rows")]
    geom_sql = ", geom" if geom else ""
    geom_val = ", ST_GeomFromText(:wkt, 4326)" if geom else ""
    for rec, h, new in changed:
        params = {c: rec[c] for c in cols} | {"row_hash": h, "run_id": run_id, "wkt": rec.get("wkt")}
        if new:
            conn.execute(sa.text(
                f"insert into {table} ({', '.join(cols)}{geom_sql}, row_hash, last_run_id) "
                f"values ({', '.join(':' + c for c in cols)}{geom_val}, :row_hash, :run_id)"), params)
            counts["inserted"] += 1
        else:
            sets = ", ".join(f"{c} = :{c}" for c in cols if c != key)
            conn.execute(sa.text(
                f"update {table} set {sets}{', geom = ST_GeomFromText(:wkt, 4326)' if geom else ''}, "
                f"row_hash = :row_hash, last_run_id = :run_id where {key} = :{key}"), params)
            counts["updated"] += 1
    if children and changed:
        keys = [rec[key] for rec, _, _ in changed]
        ids = dict(conn.execute(sa.text(f"select {key}, id from {table} where {key} = any(:k)"), {"k": keys}).all())
        children(conn, ids, [rec for rec, _, _ in changed])
    if files:
        present = [r[key] for r in records] + list(keep_keys)
        counts["removed"] = conn.execute(sa.text(
            f"delete from {table} where source_file = any(:files) and not ({key} = any(:keys))"),
            {"files": files, "keys": present}).rowcount
    return counts


def load_producers(lc, records: list[dict], files: list[str], keep: set[str]) -> dict:
    return upsert(lc.conn, "waste_producer", "credit_code", records, run_id=lc.run_id, files=files,
                  keep_keys=keep, geom=True)


def load_facilities(lc, records: list[dict], files: list[str], keep: set[str]) -> dict:
    return upsert(lc.conn, "waste_facility", "licence_no", records, run_id=lc.run_id, files=files, keep_keys=keep)


def _manifest_rows(conn, ids: dict, records: list[dict]) -> None:
    conn.execute(sa.text("delete from waste_manifest_row where manifest_id = any(:ids)"), {"ids": list(ids.values())})
    rows = [{"manifest_id": ids[rec["manifest_no"]], **r} for rec in records for r in rec["rows"]]
    if rows:
        conn.execute(sa.text("""
            insert into waste_manifest_row (manifest_id, line_no, waste_name, hw_class, waste_code, disposal_method,
                                            quantity_t, received_t)
            values (:manifest_id, :line_no, :waste_name, :hw_class, :waste_code, :disposal_method, :quantity_t,
                    :received_t)"""), rows)


def load_manifests(lc, records: list[dict], files: list[str], keep: set[str]) -> dict:
    """Manifests with their detail rows (``rows`` is part of the hash, so a changed row updates it)."""
    return upsert(lc.conn, "waste_manifest", "manifest_no", records, run_id=lc.run_id, files=files,
                  keep_keys=keep, children=_manifest_rows)


def load_records(lc, records: list[dict], files: list[str], keep: set[str]) -> dict:
    conn = lc.conn
    q = sa.text("select credit_code, date, kind, waste_code, quantity_t from waste_record where source_file = any(:f)")

    def key(r):
        return (r[0], r[1], r[2], r[3], round(float(r[4]), 9))

    before = sorted(key(tuple(r)) for r in conn.execute(q, {"f": files}))
    conn.execute(sa.text("delete from waste_record where source_file = any(:f)"), {"f": files})
    if records:
        conn.execute(sa.text("""
            insert into waste_record (credit_code, date, kind, waste_code, quantity_t, source_file, source_row)
            values (:credit_code, :date, :kind, :waste_code, :quantity_t, :source_file, :source_row)"""),
                     [{k: r[k] for k in ("credit_code", "date", "kind", "waste_code", "quantity_t", "source_file",
                                         "source_row")} for r in records])
    after = sorted(key((r["credit_code"], r["date"], r["kind"], r["waste_code"], r["quantity_t"])) for r in records)
    from collections import Counter

    b, a = Counter(before), Counter(after)
    same = sum((b & a).values())
    return {"inserted": sum((a - b).values()), "updated": 0, "unchanged": same, "removed": sum((b - a).values())}

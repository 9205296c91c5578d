"""Loads of the transport kinds, set-based inside the run's transaction (as :mod:`etl.load`).

Registries (vehicles, crew, waybills, tags, tag events, restricted zones) are upserted by business
key with a row hash: new keys inserted, changed rows updated, equal rows unchanged, and keys a
file of this run loaded before but no longer lists removed (a key rejected in this run keeps its
stored row).  Geometries arrive as WGS-84 WKT.  A waybill's goods rows are replaced whenever the
waybill is inserted or changed (its hash covers the goods).  Positions from platform exports
replace the positions earlier imported from the same file (``vehicle_position.source = 'import'``);
positions received from JT/T 808 terminals are never touched by an import.
"""

from __future__ import annotations

import sqlalchemy as sa

from etl.records import row_hash
from geo.postgis.copy import copy_rows

GEOMETRIES = {"waybill": ("origin", "destination", "planned_route"), "tag_event": ("geom",),
              "restricted_zone": ("geom",)}
_MULTI = {"restricted_zone": {"geom"}}


def _counts() -> dict:
    return {"inserted": 0, "updated": 0, "unchanged": 0, "removed": 0}


def upsert_registry(conn: sa.Connection, table: str, key: str, records: list[dict], *, run_id: int | None,
                    files: list[str], keep_keys: set[str]) -> tuple[dict, list[str]]:
    """Upsert ``records`` by ``key``; returns (counts, keys inserted or updated)."""
    counts = _counts()
    geoms = GEOMETRIES.get(table, ())
    existing = {r[0]: r[1] for r in conn.execute(sa.text(f"select {key}, row_hash from {table}"))}
    cols = [c for c in records[0] if not c.startswith("_") and c not in geoms] if records else []
    staged, touched = [], []
    for rec in records:
        h = rec.get("_hash") or row_hash(rec)
        old = existing.get(rec[key], False)
        if old is False or old != h:
            staged.append((*(rec[c] for c in cols), *(rec.get(g) for g in geoms), h, old is False))
            touched.append(rec[key])
        else:
            counts["unchanged"] += 1
    if staged:
        stage = f"_stage_{table}"
        conn.execute(sa.text(f"drop table if exists {stage}"))
        conn.execute(sa.text(f"create temp table {stage} on commit drop as select {', '.join(cols)} from {table} limit 0"))
        conn.execute(sa.text(f"alter table {stage} " + ", ".join(
            [f"add column _wkt_{g} text" for g in geoms] + ["add column row_hash text", "add column is_new boolean"])))
        copy_rows(conn, stage, cols + [f"_wkt_{g}" for g in geoms] + ["row_hash", "is_new"], staged)

        def geom(g: str) -> str:
            e = f"ST_GeomFromText(s._wkt_{g}, 4326)"
            return f"ST_Multi({e})" if g in _MULTI.get(table, ()) else e

        all_cols = cols + list(geoms)
        values = [f"s.{c}" for c in cols] + [geom(g) for g in geoms]
        counts["inserted"] = conn.execute(sa.text(
            f"insert into {table} ({', '.join(all_cols)}, row_hash, last_run_id) "
            f"select {', '.join(values)}, s.row_hash, :run_id from {stage} s where s.is_new"), {"run_id": run_id}).rowcount
        sets = ", ".join(f"{c} = {v}" for c, v in zip(all_cols, values) if c != key)
        counts["updated"] = conn.execute(sa.text(
            f"update {table} t set {sets}, row_hash = s.row_hash, last_run_id = :run_id "
            f"from {stage} s where not s.is_new and t.{key} = s.{key}"), {"run_id": run_id}).rowcount
    if files:
        # a rejected row's raw key keeps its stored record; one with a NUL can match none (nor be bound as text)
        present = [r[key] for r in records] + [k for k in keep_keys if "\x00" not in k]
        counts["removed"] = conn.execute(sa.text(
            f"delete from {table} where source_file = any(:files) and not ({key} = any(:keys))"),
            {"files": files, "keys": present}).rowcount
    return counts, touched


def registry_loader(table: str, key: str):
    """The ``Kind.load`` of a plain registry table."""
    def load(lc, records, files, keep):
        return upsert_registry(lc.conn, table, key, records, run_id=lc.run_id, files=files, keep_keys=keep)[0]
    return load


GOODS_COLUMNS = ("waybill_id", "line_no", "name", "chemical_key", "un_number", "hazard_class", "packing_group",
                 "quantity", "unit", "loaded_quantity")


def load_waybills(lc, records: list[dict], files: list[str], keep: set[str]) -> dict:
    counts, touched = upsert_registry(lc.conn, "waybill", "waybill_no", records, run_id=lc.run_id, files=files,
                                      keep_keys=keep)
    if touched:
        ids = dict(lc.conn.execute(sa.text("select waybill_no, id from waybill where waybill_no = any(:n)"),
                                   {"n": touched}).all())
        lc.conn.execute(sa.text("delete from waybill_goods where waybill_id = any(:ids)"), {"ids": list(ids.values())})
        by_no = {r["waybill_no"]: r["_goods"] for r in records}
        copy_rows(lc.conn, "waybill_goods", GOODS_COLUMNS,
                  ((ids[no], *(g[c] for c in GOODS_COLUMNS[1:])) for no in touched for g in by_no[no]))
    return counts


POSITION_IMPORT_COLUMNS = ("terminal_phone", "plate", "device_time", "receive_time", "lon", "lat", "speed_kmh",
                           "direction_deg", "altitude_m", "alarm", "status", "source", "src_crs", "source_file")


def load_positions(lc, records: list[dict], files: list[str], keep: set[str]) -> dict:
    """Replace the positions imported from these files (received JT/T 808 positions stay)."""
    counts = _counts()
    if files:
        counts["removed"] = lc.conn.execute(sa.text(
            "delete from vehicle_position where source = 'import' and source_file = any(:files)"),
            {"files": files}).rowcount
    received = lc.conn.execute(sa.text("select now()")).scalar()
    counts["inserted"] = copy_rows(lc.conn, "vehicle_position", POSITION_IMPORT_COLUMNS, (
        (r["terminal_phone"], r["plate"], r["device_time"], received, r["lon"], r["lat"], r["speed_kmh"],
         r["direction_deg"], 0, 0, 0, "import", r["src_crs"], r["source_file"]) for r in records))
    return counts

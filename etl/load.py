"""Set-based upserts by business key, inside the run's transaction.

Each kind's records are compared with what is stored by ``row_hash``: new keys are
inserted, changed ones updated, equal ones counted unchanged.  Records that came from a
file of this run (same file name) but are absent now are removed — unless their key was
rejected in this run, in which case the stored record is kept as it was.  An empty file or a
file whose rows are all rejected aborts the run instead (it would otherwise remove everything
that file loaded before).

Hazard units record their ``source_file`` (0205): a hazard-unit run removes the stored units of
this run's files whose key is absent now (units stored before 0205 have none and are removed when
absent from every file of the run, as before).
Gazetteer entries of this run's gazetteer files are replaced (counts compare before/after).
"""

from __future__ import annotations

from collections import defaultdict

import sqlalchemy as sa

from etl.records import row_hash
from geo.postgis.copy import copy_rows

GEOM = {"enterprise": "ST_GeomFromText(:wkt, 4326)", "protection_target": "ST_GeomFromText(:wkt, 4326)",
        "pipeline": "ST_GeomFromText(:wkt, 4326)", "admin_area": "ST_Multi(ST_GeomFromText(:wkt, 4326))",
        "gazetteer_entry": "ST_GeomFromText(:wkt, 4326)"}


def _counts() -> dict:
    return {"inserted": 0, "updated": 0, "unchanged": 0, "removed": 0}


def _stage(conn: sa.Connection, table: str, cols: list[str]) -> str:
    """A temporary table with ``cols`` typed as in ``table`` plus ``wkt`` and ``row_hash`` (dropped at commit)."""
    name = f"_stage_{table}"
    conn.execute(sa.text(f"drop table if exists {name}"))
    conn.execute(sa.text(f"create temp table {name} on commit drop as select {', '.join(cols)} from {table} limit 0"))
    conn.execute(sa.text(f"alter table {name} add column wkt text, add column row_hash text, add column is_new boolean"))
    return name


def upsert(conn: sa.Connection, table: str, key: str, records: list[dict], *, run_id: int | None,
           files: list[str], keep_keys: set[str]) -> tuple[dict, None]:
    """Upsert ``records`` into ``table`` by ``key`` (new and changed rows through COPY); returns (counts, None)."""
    counts = _counts()
    existing = {r[0]: r[1] for r in conn.execute(sa.text(f"select {key}, row_hash from {table}"))}
    cols = [c for c in records[0] if not c.startswith("_") and c != "wkt"] if records else []
    staged = []
    for rec in records:
        h = row_hash(rec)
        old = existing.get(rec[key], False)
        if old is False or old != h:
            staged.append((*(rec[c] for c in cols), rec["wkt"], h, old is False))
        else:
            counts["unchanged"] += 1
    if staged:
        stage = _stage(conn, table, cols)
        copy_rows(conn, stage, cols + ["wkt", "row_hash", "is_new"], staged)
        geom = GEOM[table].replace(":wkt", "s.wkt")
        extra = ", first_run_id, last_run_id" if table == "enterprise" else ", last_run_id"
        extra_v = ", :run_id, :run_id" if table == "enterprise" else ", :run_id"
        counts["inserted"] = conn.execute(sa.text(
            f"insert into {table} ({', '.join(cols)}, geom, row_hash{extra}) "
            f"select {', '.join('s.' + c for c in cols)}, {geom}, s.row_hash{extra_v} from {stage} s where s.is_new"),
            {"run_id": run_id}).rowcount
        sets = ", ".join(f"{c} = s.{c}" for c in cols if c != key)
        counts["updated"] = conn.execute(sa.text(
            f"update {table} t set {sets}, geom = {geom}, row_hash = s.row_hash, last_run_id = :run_id "
            f"from {stage} s where not s.is_new and t.{key} = s.{key}"), {"run_id": run_id}).rowcount
    present = {r[key] for r in records} | keep_keys
    if files:
        removed = conn.execute(sa.text(
            f"delete from {table} where source_file = any(:files) and not ({key} = any(:keys))"),
            {"files": files, "keys": list(present)}).rowcount
        counts["removed"] = removed
    return counts, None


def load_enterprises(lc, records: list[dict], files: list[str], keep_keys: set[str]) -> dict:
    """Upsert the enterprises; counts those whose licence expired before ``lc.ctx.today`` (flagged)."""
    expired = sum(1 for r in records if r["licence_expiry"] and r["licence_expiry"] < lc.ctx.today)
    counts, _ = upsert(lc.conn, "enterprise", "credit_code", records, run_id=lc.run_id, files=files,
                       keep_keys=keep_keys)
    lc.expired_licences += expired
    return {**counts, "expired_licences": expired}


def credit_code_ids(conn: sa.Connection) -> dict[str, int]:
    return {r[0]: r[1] for r in conn.execute(sa.text("select credit_code, id from enterprise"))}


def chemical_ids(conn: sa.Connection) -> dict[str, int]:
    return {r[0]: r[1] for r in conn.execute(sa.text("select key, id from chemical"))}


def town_codes(conn: sa.Connection) -> dict[str, str]:
    """Town name → code (the registries name their 属地 by name)."""
    return {r.name: r.code for r in conn.execute(sa.text("select name, code from admin_area where level = 'town'"))}


def geocoder_entries(conn: sa.Connection) -> tuple[list, list]:
    """(gazetteer entries, named areas with a point on their surface) for the offline geocoder."""
    entries = [(r.address, r.lon, r.lat, r.precision) for r in conn.execute(sa.text(
        "select address, ST_X(geom) as lon, ST_Y(geom) as lat, precision from gazetteer_entry"))]
    areas = [tuple(r) for r in conn.execute(sa.text(
        "select name, level, ST_X(ST_PointOnSurface(geom)), ST_Y(ST_PointOnSurface(geom)) "
        "from admin_area where geom is not null"))]
    return entries, areas


def analyze_registries(conn: sa.Connection) -> None:
    """Fresh statistics after a load (the planner needs them for the refresh's joins)."""
    for t in ("enterprise", "hazard_unit", "inventory", "protection_target", "pipeline", "admin_area"):
        conn.execute(sa.text(f"analyze {t}"))


def load_gazetteer(conn: sa.Connection, records: list[dict], files: list[str]) -> dict:
    """Replace the entries of this run's gazetteer files; counts compare with what was stored."""
    counts = _counts()
    before = {(r.normalised, r.precision): (r.address, r.wkt, r.source_file) for r in conn.execute(sa.text(
        "select normalised, precision, address, ST_AsText(geom) as wkt, source_file from gazetteer_entry "
        "where source_file = any(:files)"), {"files": files})}
    if files:
        conn.execute(sa.text("delete from gazetteer_entry where source_file = any(:files)"), {"files": files})
    if records:
        conn.execute(sa.text("""
            insert into gazetteer_entry (address, normalised, precision, geom, source_file)
            values (:address, :normalised, :precision, ST_GeomFromText(:wkt, 4326), :source_file)
            on conflict (normalised, precision) do update set address = excluded.address,
                geom = excluded.geom, source_file = excluded.source_file
        """), [{k: r[k] for k in ("address", "normalised", "precision", "wkt", "source_file")} for r in records])
    after = {(r.normalised, r.precision): (r.address, r.wkt, r.source_file) for r in conn.execute(sa.text(
        "select normalised, precision, address, ST_AsText(geom) as wkt, source_file from gazetteer_entry "
        "where source_file = any(:files)"), {"files": files})}
    for k, v in after.items():
        if k not in before:
            counts["inserted"] += 1
        elif before[k] != v:
            counts["updated"] += 1
        else:
            counts["unchanged"] += 1
    counts["removed"] = sum(1 for k in before if k not in after)
    return counts


# hazard_unit columns a unit's record carries besides its key, enterprise and hash (0205 added the
# registered fire class, operating conditions, tank volume, footprint EWKT and source file)
UNIT_FIELDS = ("fire_class_registered", "operating_temperature_c", "operating_pressure_mpa", "tank_volume_m3",
               "footprint", "source_file")
UNIT_COLUMNS = ("unit_key", "enterprise_id", "name", "kind", "fire_class", *UNIT_FIELDS)


def load_units(conn: sa.Connection, lines: list[dict], *, run_id: int | None, files: list[str],
               keep_keys: set[str], enterprise_ids: dict[str, int], chemical_ids: dict[str, int]) -> dict:
    counts = _counts()
    units: dict[str, dict] = {}
    by_unit = defaultdict(list)
    for ln in lines:
        units.setdefault(ln["unit_key"], ln)
        by_unit[ln["unit_key"]].append(ln)
    existing = {r[0]: (r[1], r[2]) for r in conn.execute(
        sa.text("select unit_key, id, row_hash from hazard_unit"))}
    new, changed, inventories = [], [], {}
    for key, head in units.items():
        inv = sorted((x["chemical_key"], round(x["quantity_t"], 9),
                      -1.0 if x.get("concentration_pct") is None else x["concentration_pct"]) for x in by_unit[key])
        rec = {"unit_key": key, "enterprise_id": enterprise_ids[head["credit_code"]], "name": head["name"],
               "kind": head["kind"], "fire_class": head["fire_class"], "inventory": inv,
               **{c: head.get(c) for c in UNIT_FIELDS}}
        h = row_hash(rec)
        params = {k: head.get(k, rec.get(k)) for k in UNIT_COLUMNS} | {
            "enterprise_id": rec["enterprise_id"], "row_hash": h, "run_id": run_id}
        if key in existing and existing[key][1] == h:
            counts["unchanged"] += 1
            continue
        (changed if key in existing else new).append(params)
        merged, names, conc = defaultdict(float), {}, {}
        for x in by_unit[key]:
            merged[x["chemical_key"]] += x["quantity_t"]
            names[x["chemical_key"]] = x["input_name"]
            c = x.get("concentration_pct")
            if c is not None:  # several lines of one chemical: the strongest solution
                conc[x["chemical_key"]] = max(c, conc.get(x["chemical_key"], c))
        inventories[key] = [(chemical_ids[k], q, names[k], conc.get(k)) for k, q in merged.items()]
    # set-based: one executemany per statement, never a query per unit
    if new:
        copy_rows(conn, "hazard_unit", [*UNIT_COLUMNS, "row_hash", "last_run_id"],
                  ((*(u[c] for c in UNIT_COLUMNS), u["row_hash"], u["run_id"]) for u in new))
        counts["inserted"] = len(new)
    if changed:
        sets = ", ".join(f"{c} = :{c}" for c in UNIT_COLUMNS if c not in ("unit_key", "footprint"))
        conn.execute(sa.text(f"""
            update hazard_unit set {sets}, footprint = cast(:footprint as geometry),
                row_hash = :row_hash, last_run_id = :run_id
            where unit_key = :unit_key"""), changed)
        conn.execute(sa.text("""
            delete from inventory i using hazard_unit u
            where i.hazard_unit_id = u.id and u.unit_key = any(:keys)"""),
                     {"keys": [c["unit_key"] for c in changed]})
        counts["updated"] = len(changed)
    if inventories:
        ids = {r[0]: r[1] for r in conn.execute(sa.text(
            "select unit_key, id from hazard_unit where unit_key = any(:keys)"), {"keys": list(inventories)})}
        copy_rows(conn, "inventory", ["hazard_unit_id", "chemical_id", "quantity_t", "input_name", "concentration_pct"],
                  ((ids[k], c, q, n, pct) for k, lines_ in inventories.items() for c, q, n, pct in lines_))
    if files:
        stale = [k for k in existing if k not in units and k not in keep_keys]
        if stale:
            counts["removed"] = conn.execute(sa.text(
                "delete from hazard_unit where unit_key = any(:k) "
                "and (source_file is null or source_file = any(:files))"), {"k": stale, "files": files}).rowcount
    return counts

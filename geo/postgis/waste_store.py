"""The waste registries as :mod:`geo.waste.model` records, and a manifest's state change stored.

Read by the refresh step (:mod:`geo.postgis.waste`) and the manifest API.  Quantities are tonnes,
dates calendar dates (Asia/Shanghai); a producer's storage point is WGS-84 lon/lat.
"""

from __future__ import annotations

import datetime as dt
import json
from types import MappingProxyType

import sqlalchemy as sa

from geo.waste.model import Facility, Manifest, ManifestRow, StateEvent, WasteProducer, WasteRecord


def producers(conn: sa.Connection) -> dict[str, WasteProducer]:
    out = {}
    for r in conn.execute(sa.text("""select credit_code, name, storage_capacity_t, plans, ST_X(geom) as lon,
                                            ST_Y(geom) as lat from waste_producer order by credit_code""")):
        plans = {(int(p["year"]), p["waste_code"]): float(p["planned_t"]) for p in r.plans}
        out[r.credit_code] = WasteProducer(r.credit_code, r.name, r.storage_capacity_t, MappingProxyType(plans),
                                           (r.lon, r.lat) if r.lon is not None else None)
    return out


def records(conn: sa.Connection) -> list[WasteRecord]:
    return [WasteRecord(r.credit_code, r.date, r.waste_code, r.kind, float(r.quantity_t)) for r in conn.execute(sa.text(
        "select credit_code, date, waste_code, kind, quantity_t from waste_record order by id"))]


def facilities(conn: sa.Connection) -> dict[str, Facility]:
    return {r.licence_no: Facility(r.licence_no, r.name, frozenset(r.scope), r.valid_until, r.valid_from,
                                   r.credit_code, r.admin_code, r.capacity_t_per_year)
            for r in conn.execute(sa.text("select * from waste_facility order by licence_no"))}


def _history(raw) -> tuple[StateEvent, ...]:
    return tuple(StateEvent(e["from_state"], e["to_state"], dt.datetime.fromisoformat(e["at"]), e["by"], e["rule_id"])
                 for e in raw or ())


def history_json(events) -> str:
    return json.dumps([{"from_state": e.from_state, "to_state": e.to_state, "at": e.at.isoformat(timespec="seconds"),
                        "by": e.by, "rule_id": e.rule_id} for e in events], ensure_ascii=False)


_MANIFESTS = """
    select m.*, coalesce((select json_agg(json_build_object(
               'waste_name', r.waste_name, 'hw_class', r.hw_class, 'waste_code', r.waste_code,
               'disposal_method', r.disposal_method, 'quantity_t', r.quantity_t, 'received_t', r.received_t)
               order by r.line_no) from waste_manifest_row r where r.manifest_id = m.id), '[]'::json) as detail
    from waste_manifest m"""


def _manifest(r) -> Manifest:
    rows = tuple(ManifestRow(d["waste_name"], d["hw_class"], d["waste_code"], float(d["quantity_t"]),
                             d["disposal_method"], None if d["received_t"] is None else float(d["received_t"]))
                 for d in r.detail)
    return Manifest(r.manifest_no, r.transfer_date, r.generator_credit_code, r.generator_name, r.receiver_name,
                    r.receiver_licence_no, rows, r.state, r.generator_admin_code, r.receiver_admin_code,
                    r.carrier_name, r.carrier_permit_no, tuple(r.route_cities or ()), r.receipt_date,
                    r.receiver_decision, r.major_discrepancy, r.waybill_no, _history(r.history))


def manifests(conn: sa.Connection) -> list[tuple[int, Manifest]]:
    """Every manifest with its table id, in number order."""
    return [(r.id, _manifest(r)) for r in conn.execute(sa.text(_MANIFESTS + " order by m.manifest_no"))]


def manifest(conn: sa.Connection, manifest_no: str, *, for_update: bool = False) -> Manifest | None:
    lock = " for update of m" if for_update else ""
    r = conn.execute(sa.text(_MANIFESTS + " where m.manifest_no = :no" + lock), {"no": manifest_no}).first()
    return _manifest(r) if r else None


def store_transition(conn: sa.Connection, m: Manifest) -> None:
    """Store ``m``'s state, receipt, decision, discrepancy, history and received quantities.

    ``row_hash`` is left alone: an ETL run with the same file keeps this state; a changed file row
    replaces it (the history stays)."""
    conn.execute(sa.text("""
        update waste_manifest set state = :state, receipt_date = :receipt_date, receiver_decision = :decision,
               major_discrepancy = :disc, history = cast(:history as jsonb)
        where manifest_no = :no"""), {"state": m.state, "receipt_date": m.receipt_date, "decision": m.receiver_decision,
                                      "disc": m.major_discrepancy, "history": history_json(m.history),
                                      "no": m.manifest_no})
    conn.execute(sa.text("""
        update waste_manifest_row r set received_t = x.received_t
        from (select * from unnest(cast(:lines as integer[]), cast(:got as double precision[])) as t(line_no, received_t)) x,
             waste_manifest m
        where m.manifest_no = :no and r.manifest_id = m.id and r.line_no = x.line_no"""),
                 {"no": m.manifest_no, "lines": list(range(1, len(m.rows) + 1)), "got": [r.received_t for r in m.rows]})

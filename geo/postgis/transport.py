"""The transport refresh step: 五必查 per waybill, trips, tag invariants, route alarms, restricted
zones and concentration cells, stored per run (registered in :data:`geo.postgis.refresh.WING_STEPS`).

Reads the registries (``vehicle``, ``crew_member``, ``waybill`` + ``waybill_goods``, ``tag``,
``tag_event``, ``restricted_zone``), the positions (``vehicle_position``) and the protection
targets, hands them to the pure modules of :mod:`geo.transport` and writes ``waybill_result``,
``trip``, ``transport_alarm``, ``transport_zone`` and ``transport_cell`` with COPY.

Choices, said where they show:

* a trip's window opens at the first 装车 tag event, else at the loading record's time (装货时间),
  else at 00:00 Beijing time of the departure date, and ends when the consignee has scanned every
  tag, else at the vehicle's next waybill (so an open trip never takes a later trip's fixes);
* a vehicle's positions are those received from its JT/T 808 terminal (``terminal_phone``) or
  carrying its plate (terminal registration or a platform export);
* without expressway centre lines every fix is held to 80 km/h (a lower bound, said in the alarm);
  without permitted-parking polygons every long stop is outside one (said in the summary);
* restricted zones are the protection targets of the configured categories buffered by the
  configured margin (geodesic metres, ``ST_Buffer`` on geography) plus the zones loaded as data.

The rules (``transport_checks.toml``, ``transport_route.toml``, ``transport_network.toml``,
``un_numbers.csv``) come with the domain bundle (``domain.transport``,
:class:`geo.transport.rules.TransportRules`), read once by the shell like every other data file;
their versions are part of ``domain.versions``.
"""

from __future__ import annotations

import datetime as dt
import json
from collections import defaultdict
from dataclasses import dataclass

import numpy as np
import shapely
import sqlalchemy as sa

from geo.postgis.copy import copy_rows
from geo.transport import checks as ck
from geo.transport import concentration as conc
from geo.transport import network as net
from geo.transport import route as rt
from geo.transport import trips as tr
from geo.transport.rules import TransportRules, load_transport_rules as load_rules  # noqa: F401

BEIJING = dt.timezone(dt.timedelta(hours=8))
ALARM_KIND = {"TR-SPEED": "speed", "TR-DEVIATION": "deviation", "TR-DWELL": "dwell", "TR-DRIVING": "driving",
              "TR-ZONE": "zone"}


# ---- reading the registries -------------------------------------------------------------------------

def _vehicles(conn) -> tuple[dict[str, ck.Vehicle], dict[str, str]]:
    out, phones = {}, {}
    for r in conn.execute(sa.text("""select plate, driving_licence_expiry, road_transport_cert_no,
            road_transport_cert_expiry, tank_no, tank_inspection_expiry, permitted_media, terminal_phone from vehicle""")):
        media = None if r.permitted_media is None else tuple(ck.Medium(m["name"], m.get("key")) for m in r.permitted_media)
        out[r.plate] = ck.Vehicle(r.plate, r.driving_licence_expiry, r.road_transport_cert_no, r.road_transport_cert_expiry,
                                  r.tank_no, r.tank_inspection_expiry, media)
        if r.terminal_phone:
            phones[r.plate] = r.terminal_phone
    return out, phones


def _crew(conn) -> dict[str, ck.CrewMember]:
    return {r.cert_no: ck.CrewMember(r.name, r.role, r.cert_no, r.cert_expiry)
            for r in conn.execute(sa.text("select name, role, cert_no, cert_expiry from crew_member"))}


@dataclass(frozen=True)
class WaybillRow:
    id: int
    waybill: ck.Waybill
    loaded_goods: tuple[ck.Goods, ...] | None  # loading record (实装数量), None when not recorded
    loaded_at: dt.datetime | None
    departure_date: dt.date
    planned_route: object  # shapely LineString or None


def _waybills(conn) -> list[WaybillRow]:
    goods = defaultdict(list)
    for g in conn.execute(sa.text("""select waybill_id, name, chemical_key, un_number, hazard_class, quantity, unit,
                                            loaded_quantity from waybill_goods order by waybill_id, line_no""")):
        goods[g.waybill_id].append(g)
    out = []
    for w in conn.execute(sa.text("""select id, waybill_no, departure_date, vehicle_plate, trailer_plate, driver_name,
            driver_cert_no, escort_name, escort_cert_no, coalesce(loader_credit_code, loader) as loader,
            coalesce(carrier_credit_code, carrier) as carrier, consignee_credit_code, loaded_at,
            ST_AsBinary(planned_route) as route from waybill order by id""")):
        rows = goods.get(w.id, [])
        wb = ck.Waybill(
            waybill_no=w.waybill_no, loading_date=w.departure_date, vehicle_plate=w.vehicle_plate,
            goods=tuple(ck.Goods(g.name, g.chemical_key, g.un_number, g.hazard_class, g.quantity, g.unit) for g in rows),
            trailer_plate=w.trailer_plate,
            driver=ck.CrewRef(w.driver_name or "", w.driver_cert_no) if (w.driver_name or w.driver_cert_no) else None,
            escort=ck.CrewRef(w.escort_name or "", w.escort_cert_no) if (w.escort_name or w.escort_cert_no) else None,
            loader=w.loader, carrier=w.carrier, consignee=w.consignee_credit_code)
        loaded = None
        if any(g.loaded_quantity is not None for g in rows):
            loaded = tuple(ck.Goods(g.name, g.chemical_key, g.un_number, g.hazard_class, g.loaded_quantity, g.unit)
                           for g in rows)
        route = shapely.from_wkb(bytes(w.route)) if w.route is not None else None
        out.append(WaybillRow(w.id, wb, loaded, w.loaded_at, w.departure_date, route))
    return out


def _tags(conn) -> dict[str, tr.Tag]:
    return {r.uid: tr.Tag(r.uid, ck.Goods(r.chemical, r.chemical_key))
            for r in conn.execute(sa.text("select uid, chemical, chemical_key from tag"))}


def _events(conn) -> list[tr.TagEvent]:
    return [tr.TagEvent(r.tag_uid, r.kind, r.time, r.enterprise_credit_code, r.waybill_no)
            for r in conn.execute(sa.text(
                "select tag_uid, kind, time, enterprise_credit_code, waybill_no from tag_event order by time, id"))]


def _tracks(conn, plates: set[str], phones: dict[str, str]) -> dict[str, rt.Track]:
    """Each vehicle's fixes in time order (by plate, or by its terminal's phone)."""
    by_phone = {p: plate for plate, p in phones.items()}
    rows = conn.execute(sa.text("""
        select plate, terminal_phone, extract(epoch from device_time) as epoch_s, lon, lat, speed_kmh from vehicle_position
        where plate = any(:plates) or terminal_phone = any(:phones) order by device_time, id"""),
        {"plates": sorted(plates), "phones": sorted(by_phone)}).all()
    parts = defaultdict(list)
    for r in rows:
        plate = r.plate if r.plate in plates else by_phone.get(r.terminal_phone)
        if plate:
            parts[plate].append((float(r.epoch_s), r.lon, r.lat, r.speed_kmh))
    out = {}
    for plate, fixes in parts.items():
        a = np.array(fixes, dtype=float)
        out[plate] = rt.Track(a[:, 0], a[:, 1], a[:, 2], a[:, 3])
    return out


# ---- zones ----------------------------------------------------------------------------------------

def _zones(conn, cfg: net.NetworkConfig, *, from_targets: bool = True) -> list[tuple[rt.RestrictedZone, str]]:
    """(zone, origin) — built from protection targets (``from_targets``) and loaded as data."""
    out = []
    if cfg.zone_categories and from_targets:
        for r in conn.execute(sa.text("""
                select t.id, t.name, t.category, ST_AsBinary(ST_Multi(ST_Buffer(t.geog, :m)::geometry)) as g
                from protection_target t where t.category = any(:cats) order by t.id"""),
                {"m": cfg.zone_margin_m, "cats": list(cfg.zone_categories)}):
            out.append((rt.RestrictedZone(f"T-{r.id}", f"{r.name}周边 {cfg.zone_margin_m:g} m", shapely.from_wkb(bytes(r.g)),
                                          cfg.zone_classes, cfg.zone_windows, cfg.zone_source), "target"))
    for r in conn.execute(sa.text("""select zone_key, name, classes, windows, authority, ST_AsBinary(geom) as g
                                     from restricted_zone order by zone_key""")):
        out.append((rt.RestrictedZone(f"D-{r.zone_key}", r.name, shapely.from_wkb(bytes(r.g)),
                                      frozenset(r.classes) if r.classes is not None else None,
                                      tuple(rt.TimeWindow(a, b) for a, b in r.windows),
                                      f"限行区域数据（{r.authority or '划定单位未注明'}）"), "data"))
    return out


def _stage(conn, name: str, table: str, cols) -> None:
    """A temporary table with ``cols`` typed as in ``table`` plus ``wkt`` (dropped at commit)."""
    conn.execute(sa.text(f"drop table if exists {name}"))
    conn.execute(sa.text(f"create temp table {name} on commit drop as select {', '.join(cols)} from {table} limit 0"))
    conn.execute(sa.text(f"alter table {name} add column wkt text"))


# ---- the step -------------------------------------------------------------------------------------

def _check_json(res: ck.CheckResult) -> dict:
    return {"key": res.rule.key, "id": res.rule.id, "title": res.rule.title, "outcome": res.outcome,
            "label": res.label, "reasons": list(res.reasons), "basis": res.rule.basis, "status": res.rule.status,
            "text": res.text}


def _loading(w: WaybillRow, events: list[tr.TagEvent], tags: dict[str, tr.Tag]) -> ck.Loading | None:
    if w.loaded_goods is not None:
        return ck.Loading(w.loaded_goods, "loading_record")
    uids = sorted({e.tag_uid for e in events if e.kind == "loaded" and e.waybill_no == w.waybill.waybill_no})
    if uids:
        return ck.Loading(tuple(tags[u].chemical if u in tags else ck.Goods(f"未登记标签 {u}") for u in uids), "tag_events")
    return None


def _window_start(w: WaybillRow, events_by_waybill: dict) -> dt.datetime:
    first = min((e.time for e in events_by_waybill.get(w.waybill.waybill_no, ()) if e.kind == "loaded"), default=None)
    if first is not None:
        return first
    return w.loaded_at or dt.datetime.combine(w.departure_date, dt.time(0), BEIJING)


def refresh_transport(conn: sa.Connection, run_id: int, domain, summary: dict, *,
                      rules: TransportRules | None = None) -> dict:
    """Compute and store the transport results of ``run_id``; returns counts.  ``rules``: the domain's
    (``domain.transport``) unless a caller passes others."""
    rules = rules or domain.transport
    if rules is None:
        raise ValueError("domain.transport is not loaded (geo.domain.build_domain builds it)")
    cfg = rules.network
    vehicles, phones = _vehicles(conn)
    crew = _crew(conn)
    waybills = _waybills(conn)
    tags = _tags(conn)
    events = _events(conn)
    events_by_waybill = defaultdict(list)
    for e in events:
        if e.waybill_no:
            events_by_waybill[e.waybill_no].append(e)
    toxic = {c.key for c in domain.reference.catalogue if c.highly_toxic} if domain is not None else set()

    # 五必查
    result_rows, outcome = [], defaultdict(int)
    for w in waybills:
        res = ck.check_waybill(w.waybill, vehicles=vehicles, crew=crew, loading=_loading(w, events, tags),
                               rules=rules.checks, un_numbers=rules.un_numbers)
        worst = "fail" if res.failed else "not_checked" if res.not_checked else "pass"
        outcome[worst] += 1
        text = "；".join(r.text for r in res.results)
        result_rows.append((run_id, w.id, worst, len(res.failed), len(res.not_checked),
                            json.dumps([_check_json(r) for r in res.results], ensure_ascii=False), text))
    copy_rows(conn, "waybill_result", ("run_id", "waybill_id", "outcome", "failed", "not_checked", "checks", "text"),
              result_rows)

    # trips: each vehicle's waybills in order of their window start; a window ends at the next one's start
    tracks = _tracks(conn, {w.waybill.vehicle_plate for w in waybills}, phones)
    findings = defaultdict(list)
    for f in tr.tag_findings([w.waybill for w in waybills], events, tags):
        findings[f.waybill_no].append({"code": f.code, "tag_uid": f.tag_uid, "text": f.text})
    starts = {w.id: _window_start(w, events_by_waybill) for w in waybills}
    by_vehicle = defaultdict(list)
    for w in waybills:
        by_vehicle[w.waybill.vehicle_plate].append(w)
    next_start: dict[int, dt.datetime | None] = {}
    for ws in by_vehicle.values():
        ws.sort(key=lambda w: (starts[w.id], w.id))
        for a, b in zip(ws, ws[1:] + [None]):
            next_start[a.id] = starts[b.id] if b is not None else None

    # the zones around protection targets matter only to trips: without waybills none are built (at
    # province scale buffering every school and hospital took most of the refresh); data zones always
    zones = _zones(conn, cfg, from_targets=bool(waybills))
    trip_rows, alarm_rows, loads = [], [], []
    for w in waybills:
        track = tracks.get(w.waybill.vehicle_plate)
        if track is not None and next_start[w.id] is not None:
            track = track.window(None, next_start[w.id] - dt.timedelta(microseconds=1))
        trip = tr.build_trip(w.waybill, events_by_waybill.get(w.waybill.waybill_no, []), track,
                             loaded_at=starts[w.id])
        part = track.window(trip.loaded_at, trip.received_at) if track is not None and trip.loaded_at else None
        labels = net.labels(w.waybill.goods, highly_toxic=toxic, config=cfg)
        tonnes, complete = net.tonnage_t(w.waybill.goods)
        alarms = []
        if part is not None and len(part):
            alarms = rt.check_route(part, rules.route, planned=w.planned_route, zones=[z for z, _ in zones],
                                    classes=labels)
            loads.append(conc.TripLoad(w.waybill.waybill_no, trip.loaded_at, part.lon, part.lat, tonnes, labels))
        trip_rows.append((run_id, w.id, w.waybill.vehicle_plate, trip.loaded_at, trip.received_at, trip.closed,
                          trip.n_fixes, json.dumps(list(trip.tags)), json.dumps(list(trip.missing_receipts)),
                          json.dumps(findings.get(w.waybill.waybill_no, []), ensure_ascii=False),
                          tonnes if complete else (tonnes or None), json.dumps(sorted(labels), ensure_ascii=False),
                          len(alarms), trip.track.wkt if trip.track is not None else None))
        alarm_rows.append((w.id, alarms))
    stage_cols = ("run_id", "waybill_id", "vehicle_plate", "loaded_at", "received_at", "closed", "n_fixes", "tags",
                  "missing_receipts", "findings", "tonnage_t", "labels", "alarms")
    _stage(conn, "_trip_stage", "trip", stage_cols)
    copy_rows(conn, "_trip_stage", stage_cols + ("wkt",), trip_rows)
    conn.execute(sa.text(f"""insert into trip ({', '.join(stage_cols)}, geom)
        select {', '.join(stage_cols)}, ST_GeomFromText(wkt, 4326) from _trip_stage"""))
    conn.execute(sa.text("drop table _trip_stage"))
    trip_ids = dict(conn.execute(sa.text("select waybill_id, id from trip where run_id = :r"), {"r": run_id}).all())
    flat = [(run_id, trip_ids[wid], a.rule_id, ALARM_KIND.get(a.rule_id, a.rule_id.lower()[:12]), a.start, a.end,
             a.value, a.legal_basis, a.text, a.zone_id, f"POINT({a.lon!r} {a.lat!r})")
            for wid, alarms in alarm_rows for a in alarms]
    a_cols = ("run_id", "trip_id", "rule_id", "kind", "start_time", "end_time", "value", "legal_basis", "text",
              "zone_key")
    _stage(conn, "_alarm_stage", "transport_alarm", a_cols)
    copy_rows(conn, "_alarm_stage", a_cols + ("wkt",), flat)
    conn.execute(sa.text(f"""insert into transport_alarm ({', '.join(a_cols)}, town_code, geom)
        select {', '.join('s.' + c for c in a_cols)}, (select aa.code from admin_area aa where aa.level = 'town'
               and ST_Covers(aa.geom, ST_GeomFromText(s.wkt, 4326)) order by aa.code limit 1),
               ST_GeomFromText(s.wkt, 4326) from _alarm_stage s"""))
    conn.execute(sa.text("drop table _alarm_stage"))

    # zones as used by this run
    _stage(conn, "_zone_stage", "transport_zone", ("run_id", "zone_key", "name", "origin", "classes", "windows", "source"))
    copy_rows(conn, "_zone_stage", ("run_id", "zone_key", "name", "origin", "classes", "windows", "source", "wkt"), (
        (run_id, z.zone_id, z.name, origin, json.dumps(sorted(z.classes), ensure_ascii=False) if z.classes is not None
         else None, json.dumps([[w.start_s, w.end_s] for w in z.windows]), z.source, z.polygon.wkt)
        for z, origin in zones))
    conn.execute(sa.text("""insert into transport_zone (run_id, zone_key, name, origin, classes, windows, source, geom)
        select run_id, zone_key, name, origin, classes, windows, source, ST_Multi(ST_GeomFromText(wkt, 4326))
        from _zone_stage"""))
    conn.execute(sa.text("drop table _zone_stage"))

    # concentration: every trip, then per class and category carried
    filters = ["all", *sorted({lb for t in loads for lb in t.labels} | set(cfg.concentration_categories))]
    cell_rows = []
    for f in filters:
        cells = conc.concentration(loads, cell_m=cfg.cell_m, crs=cfg.grid_crs, labels=None if f == "all" else [f])
        cell_rows += [(run_id, f[:16], c.rank, c.ix, c.iy, c.trips, c.tonnage_trips_t, c.polygon.wkt) for c in cells]
    _stage(conn, "_cell_stage", "transport_cell", ("run_id", "class_filter", "rank", "ix", "iy", "trips", "tonnage_trips_t"))
    copy_rows(conn, "_cell_stage", ("run_id", "class_filter", "rank", "ix", "iy", "trips", "tonnage_trips_t", "wkt"),
              cell_rows)
    conn.execute(sa.text("""insert into transport_cell (run_id, class_filter, rank, ix, iy, trips, tonnage_trips_t, geom)
        select run_id, class_filter, rank, ix, iy, trips, tonnage_trips_t, ST_GeomFromText(wkt, 4326) from _cell_stage"""))
    conn.execute(sa.text("drop table _cell_stage"))
    return {"waybills": len(waybills), "failed": outcome["fail"], "not_checked": outcome["not_checked"],
            "passed": outcome["pass"], "trips": len(trip_rows), "alarms": len(flat), "zones": len(zones),
            "cells": sum(1 for r in cell_rows if r[1] == "all"),
            "notes": ["未提供高速公路中心线：超速按 80 km/h 判定（下限）", "未提供许可停车场所：途中停车均按场所外计"]}


def step(conn, run_id, domain, summary) -> dict:
    """The WING_STEPS entry."""
    return refresh_transport(conn, run_id, domain, summary)

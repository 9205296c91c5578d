"""Trips and tag traceability (一品一签一流通).

A **trip** is a waybill plus the vehicle's positions between loading and receipt: it opens at
the first 装车 (``loaded``) event of a tag for the waybill and closes when the consignee has
scanned (签收, ``received``) every tag loaded for it; its track is the LineString of the
vehicle's fixes in that window (WGS-84 lon/lat, EPSG:4326), to the newest fix while open.

Tag invariants, each broken one a :class:`TagFinding` (Chinese text, naming tag and waybill):

* ``tag_on_two_open_trips`` — a tag is loaded for two waybills neither of which it was received for;
* ``received_by_other`` — a 签收 scan by an enterprise other than the waybill's consignee (it does
  not close the trip);
* ``unknown_tag`` — a loaded tag absent from the tag registry;
* ``tag_not_on_waybill`` — a loaded tag's chemical is not among the waybill's goods rows;
* ``goods_without_tag`` — a goods row no loaded tag carries (also when the waybill has no tags at
  all: every trip of every chemical is to be traceable by its tag).

Tags carry the chemical (catalogue key when resolved, else the name) but no quantity, so the
quantities are checked by 五必查 ④ (:mod:`geo.transport.checks`), not here.
"""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass

import shapely

from geo.transport.checks import Goods, Waybill, same_chemical
from geo.transport.route import Track

EVENT_KINDS = {"赋码": "coded", "入库": "stock_in", "出库": "stock_out", "装车": "loaded", "卸车": "unloaded",
               "签收": "received", "使用": "used", "废弃": "discarded"}
EVENT_LABEL = {v: k for k, v in EVENT_KINDS.items()}


@dataclass(frozen=True)
class Tag:
    """A package tag (安全信息码 per T/CCSAS 047-2023) and the chemical it labels."""

    uid: str
    chemical: Goods  # name and catalogue key; quantity unused


@dataclass(frozen=True)
class TagEvent:
    tag_uid: str
    kind: str  # a value of EVENT_KINDS
    time: dt.datetime
    enterprise: str | None = None
    waybill_no: str | None = None

    def __post_init__(self) -> None:
        if self.kind not in EVENT_LABEL:
            raise ValueError(f"标签事件类型“{self.kind}”无效（可用：{'、'.join(EVENT_KINDS)}）")


@dataclass(frozen=True)
class TagFinding:
    code: str
    waybill_no: str | None
    tag_uid: str | None
    text: str


@dataclass(frozen=True)
class Trip:
    waybill_no: str
    vehicle_plate: str
    loaded_at: dt.datetime | None  # None: neither a loaded tag nor a loading time
    received_at: dt.datetime | None  # None: open
    tags: tuple[str, ...]
    missing_receipts: tuple[str, ...]  # loaded tags the consignee has not scanned
    track: shapely.LineString | None  # WGS-84; None when fewer than two fixes
    n_fixes: int

    @property
    def closed(self) -> bool:
        return self.received_at is not None


def _by_waybill(events: Iterable[TagEvent], kind: str) -> dict[str, dict[str, TagEvent]]:
    """waybill → tag → the first event of ``kind`` (loaded) or the last (received)."""
    out: dict[str, dict[str, TagEvent]] = defaultdict(dict)
    for e in sorted(events, key=lambda e: e.time):
        if e.kind == kind and e.waybill_no:
            if kind == "loaded":
                out[e.waybill_no].setdefault(e.tag_uid, e)
            else:
                out[e.waybill_no][e.tag_uid] = e
    return out


def _receipts(w: Waybill, events: Sequence[TagEvent]) -> dict[str, TagEvent]:
    return {uid: e for uid, e in _by_waybill(events, "received").get(w.waybill_no, {}).items()
            if w.consignee is None or e.enterprise == w.consignee}


def build_trip(waybill: Waybill, events: Sequence[TagEvent], track: Track | None, *,
               loaded_at: dt.datetime | None = None) -> Trip:
    """The trip of ``waybill`` from its tag events and the vehicle's track (all fixes of that vehicle).

    ``loaded_at`` (e.g. from a loading record) is used when no tag was loaded for the waybill;
    such a trip cannot close (no tags to scan) and stays open.
    """
    loaded = _by_waybill(events, "loaded").get(waybill.waybill_no, {})
    receipts = _receipts(waybill, events)
    loaded_at = min((e.time for e in loaded.values()), default=loaded_at)
    missing = tuple(sorted(uid for uid in loaded if uid not in receipts))
    received_at = max(e.time for uid, e in receipts.items() if uid in loaded) if loaded and not missing else None
    line, n = None, 0
    if track is not None and loaded_at is not None:
        part = track.window(loaded_at, received_at)
        n = len(part)
        if n >= 2:
            line = shapely.linestrings(part.lon, part.lat)
    return Trip(waybill.waybill_no, waybill.vehicle_plate, loaded_at, received_at, tuple(sorted(loaded)), missing,
                line, n)


def tag_findings(waybills: Sequence[Waybill], events: Sequence[TagEvent], tags: Mapping[str, Tag]) -> list[TagFinding]:
    """Every broken tag invariant across ``waybills`` (see the module docstring)."""
    loaded = _by_waybill(events, "loaded")
    by_no = {w.waybill_no: w for w in waybills}
    out: list[TagFinding] = []
    open_for: dict[str, list[str]] = defaultdict(list)
    for w in waybills:
        receipts = _receipts(w, events)
        for uid in loaded.get(w.waybill_no, {}):
            if uid not in receipts:
                open_for[uid].append(w.waybill_no)
    for uid, nos in sorted(open_for.items()):
        if len(nos) > 1:
            out.append(TagFinding("tag_on_two_open_trips", nos[-1], uid,
                                  f"标签 {uid} 同时在 {len(nos)} 个未结束的运输行程上（运单 {'、'.join(nos)}）"))
    for e in events:
        w = by_no.get(e.waybill_no or "")
        if e.kind == "received" and w is not None and w.consignee and e.enterprise != w.consignee:
            out.append(TagFinding("received_by_other", w.waybill_no, e.tag_uid,
                                  f"标签 {e.tag_uid} 由 {e.enterprise or '未注明单位'} 签收，不是运单 {w.waybill_no} 的收货人"
                                  f" {w.consignee}；行程不因此结束"))
    for w in waybills:
        on_trip = loaded.get(w.waybill_no, {})
        carried: list[Goods] = []
        for uid in sorted(on_trip):
            tag = tags.get(uid)
            if tag is None:
                out.append(TagFinding("unknown_tag", w.waybill_no, uid, f"运单 {w.waybill_no} 装车的标签 {uid} 不在标签登记中"))
                continue
            carried.append(tag.chemical)
            if not any(same_chemical(tag.chemical, g) for g in w.goods):
                out.append(TagFinding("tag_not_on_waybill", w.waybill_no, uid,
                                      f"标签 {uid}（{tag.chemical.name}）装车，但运单 {w.waybill_no} 的货物中没有该化学品"))
        for g in w.goods:
            if not any(same_chemical(g, c) for c in carried):
                out.append(TagFinding("goods_without_tag", w.waybill_no, None,
                                      f"运单 {w.waybill_no} 的货物“{g.name}”没有任何装车标签"))
    return out

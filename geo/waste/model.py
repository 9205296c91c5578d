"""The waste registries' records: producers (with their 管理计划), ledger entries, manifests
(转移联单) and licensed receivers (危险废物经营单位).  Frozen; quantities in tonnes; dates are
calendar dates (Asia/Shanghai), event times naive local datetimes.

Manifest fields follow the national exchange format (联单编号 ldbh, transfer date, 移出人 with admin
code, 接受人 with 危险废物经营许可证 no. and admin code, 承运人 with 道路运输证, route cities,
detail rows: waste name, HW class, 8-digit code, disposal method, quantity, unit; receipt date,
the receiver's decision and 是否存在重大差异) — see ``shared/design/wave2-notes.md``.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from types import MappingProxyType
from typing import Mapping

# 台账 entry kinds → Chinese labels (opening stock = what was in store when the ledger starts,
# dated by its oldest batch; it counts in the stock and its age but not in the year's generation)
RECORD_KINDS = {"generated": "产生", "opening": "期初库存", "self_utilised": "自行利用", "self_disposed": "自行处置"}
RECORD_KIND_INPUT = {"产生": "generated", "产废": "generated", "期初库存": "opening", "期初": "opening",
                     "自行利用": "self_utilised", "自利用": "self_utilised", "自行处置": "self_disposed",
                     "自处置": "self_disposed", **{k: k for k in RECORD_KINDS}}
# Manifest states (the life cycle of issue 16); the allowed transitions are data
# (data/rules/waste_manifest.toml), the names are this vocabulary.
STATES = ("草稿", "已提交", "已启运", "运输中", "已送达", "已接收", "部分接收", "拒收", "退回", "作废")
# 接受人's decision (《危险废物转移管理办法》第十二条第（二）项: 是否接受的意见) per closing state
DECISIONS = {"已接收": "接受", "部分接收": "部分接受", "拒收": "拒绝接受"}


@dataclass(frozen=True)
class WasteRecord:
    """One 台账 entry: ``kind`` one of :data:`RECORD_KINDS`."""

    credit_code: str
    date: dt.date
    waste_code: str
    kind: str
    quantity_t: float

    def __post_init__(self) -> None:
        if self.kind not in RECORD_KINDS:
            raise ValueError(f"台账记录类型应为 {'/'.join(RECORD_KINDS)}，实际 {self.kind!r}")
        if self.quantity_t < 0:
            raise ValueError("台账数量不能为负")


@dataclass(frozen=True)
class WasteProducer:
    """A generator: its storage capacity and declared annual generation per (year, waste code).

    ``storage_point`` is WGS-84 (lon, lat) or None.
    """

    credit_code: str
    name: str
    storage_capacity_t: float | None = None
    plans_t: Mapping[tuple[int, str], float] = field(default_factory=lambda: MappingProxyType({}))
    storage_point: tuple[float, float] | None = None


@dataclass(frozen=True)
class Facility:
    """A licensed receiver (危险废物经营许可证): ``scope`` holds codes ``NNN-NNN-NN`` and/or classes ``HWNN``."""

    licence_no: str
    name: str
    scope: frozenset[str]
    valid_until: dt.date
    valid_from: dt.date | None = None
    credit_code: str | None = None
    admin_code: str | None = None
    capacity_t_per_year: float | None = None

    def covers(self, waste_code: str) -> bool:
        return waste_code in self.scope or "HW" + waste_code[-2:] in self.scope

    def valid_on(self, day: dt.date) -> bool:
        return (self.valid_from is None or self.valid_from <= day) and day <= self.valid_until


@dataclass(frozen=True)
class ManifestRow:
    """A detail row of a manifest; ``received_t`` is the receiver's 接受量 (None until receipt)."""

    waste_name: str
    hw_class: str
    waste_code: str
    quantity_t: float
    disposal_method: str | None = None
    received_t: float | None = None


@dataclass(frozen=True)
class StateEvent:
    """One change of a manifest's state, with the rule that allowed it."""

    from_state: str
    to_state: str
    at: dt.datetime
    by: str
    rule_id: str


@dataclass(frozen=True)
class Manifest:
    """A transfer manifest (危险废物转移联单)."""

    manifest_no: str
    transfer_date: dt.date
    generator_credit_code: str
    generator_name: str
    receiver_name: str
    receiver_licence_no: str
    rows: tuple[ManifestRow, ...]
    state: str
    generator_admin_code: str | None = None
    receiver_admin_code: str | None = None
    carrier_name: str | None = None
    carrier_permit_no: str | None = None
    route_cities: tuple[str, ...] = ()
    receipt_date: dt.date | None = None
    receiver_decision: str | None = None
    major_discrepancy: bool | None = None
    waybill_no: str | None = None
    history: tuple[StateEvent, ...] = ()

    @property
    def quantity_t(self) -> float:
        return sum(r.quantity_t for r in self.rows)

    @property
    def received_t(self) -> float | None:
        if all(r.received_t is None for r in self.rows):
            return None
        return sum(r.received_t or 0.0 for r in self.rows)

"""One call for the waste wing: stock, the 动态清零 list and every finding, as of a date.

The ETL/refresh wiring passes what the registries hold; nothing here reads files or a database.
"""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from dataclasses import dataclass
from typing import Mapping, Sequence

import pandas as pd

from geo.waste.findings import Finding
from geo.waste.manifest import GoodsLine, manifest_findings
from geo.waste.model import Facility, Manifest, WasteProducer, WasteRecord
from geo.waste.rules import WasteRules
from geo.waste.stock import clearance_list, movements_frame, plan_findings, records_frame, stock_findings, stock_table


@dataclass(frozen=True)
class WasteAssessment:
    as_of: dt.date
    stock: pd.DataFrame  # see geo.waste.stock.stock_table
    clearance: pd.DataFrame  # see geo.waste.stock.clearance_list
    findings: tuple[Finding, ...]
    rules_version: str

    def findings_by_enterprise(self) -> dict[str, list[Finding]]:
        out: dict[str, list[Finding]] = defaultdict(list)
        for f in self.findings:
            out[f.credit_code].append(f)
        return dict(out)


def assess(*, producers: Mapping[str, WasteProducer], records: Sequence[WasteRecord], manifests: Sequence[Manifest],
           facilities: Mapping[str, Facility], as_of: dt.date, rules: WasteRules,
           goods_by_waybill: Mapping[str, Sequence[GoodsLine]] | None = None) -> WasteAssessment:
    """Stock table, 动态清零 list and findings (stock, plan, every manifest) as of ``as_of``.

    ``producers`` and ``facilities`` are keyed by credit code and licence number (a facility's credit
    code makes that enterprise a licensed operator: the one-year storage limit of 固废法第八十一条);
    ``goods_by_waybill`` maps a waybill number to its goods rows (manifests whose ``waybill_no`` is
    not there are not compared with a waybill).
    """
    rec = records_frame(records)
    operators = {f.credit_code for f in facilities.values() if f.credit_code}
    table = stock_table(rec, movements_frame(manifests, rules=rules.manifest), as_of=as_of, rules=rules.stock,
                        operators=operators)
    found = stock_findings(table, producers, rules=rules.stock)
    found += plan_findings(rec, producers, as_of=as_of, rules=rules.stock)
    waybills = goods_by_waybill or {}
    for m in manifests:
        if m.transfer_date > as_of:
            continue
        goods = waybills.get(m.waybill_no) if m.waybill_no else None
        found += manifest_findings(m, rules=rules.manifest, facilities=facilities, as_of=as_of, goods=goods)
    return WasteAssessment(as_of, table, clearance_list(table, rules=rules.stock), tuple(found), rules.version)

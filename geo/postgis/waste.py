"""The waste wing's refresh: stock and FIFO age per enterprise and code, the 动态清零 ranks, every
finding (each naming its rule and data), the manifests' link to transport waybills, and the
waste findings as local-policy reasons of the four colours.

Two entry points registered in :mod:`geo.postgis.refresh`:

* :func:`colour_inputs` (``COLOUR_INPUTS``) — called before the colours are graded: computes the
  assessment as of the refresh's date and gives each enterprise with waste findings its reasons
  (:func:`geo.waste.colour.colour_reasons`, local policy, points from
  ``data/rules/waste_manifest.toml [colour.points]``), so a site with long-stored stock is not blue;
* :func:`refresh_step` (``WING_STEPS``) — writes ``waste_stock``, ``waste_finding`` and
  ``waste_manifest_check`` for the run (the same assessment, computed once per run).

Waybill link: a manifest that names an electronic waybill (电子运单号) is compared with the goods
rows of that waybill when the transport wing's tables (``waybill``, ``waybill_goods``) exist in
this database; when they do not, or the waybill is not registered, or its goods cannot be
converted to tonnes, the link is recorded as 未核查 with the reason — never as agreeing.
"""

from __future__ import annotations

import datetime as dt
import json
from dataclasses import dataclass

import pandas as pd
import sqlalchemy as sa

from geo.cells import TONNES_PER
from geo.postgis import waste_store
from geo.postgis.copy import copy_rows
from geo.waste.assess import WasteAssessment, assess
from geo.waste.colour import colour_reasons

_WAYBILL_COLUMNS = {"waybill": {"id", "waybill_no"}, "waybill_goods": {"waybill_id", "name", "quantity", "unit"}}
NO_WAYBILL_TABLES = "未核查：本数据库没有电子运单表（运输模块未部署或未导入运单）"


@dataclass(frozen=True)
class Goods:
    """A goods row of a waybill, in tonnes (the :class:`geo.waste.manifest.GoodsLine` protocol)."""

    name: str
    quantity_t: float


@dataclass(frozen=True)
class WasteRun:
    as_of: dt.date
    assessment: WasteAssessment
    manifest_ids: dict[str, int]
    links: dict[str, tuple[str, str]]  # manifest no → (waybill status, note)


def waybill_tables_present(conn: sa.Connection) -> bool:
    """The transport wing's waybill tables exist here with the columns the link reads."""
    rows = conn.execute(sa.text("""select table_name, column_name from information_schema.columns
                                   where table_schema = current_schema() and table_name = any(:t)"""),
                        {"t": list(_WAYBILL_COLUMNS)}).all()
    have: dict[str, set] = {}
    for t, c in rows:
        have.setdefault(t, set()).add(c)
    return all(cols <= have.get(t, set()) for t, cols in _WAYBILL_COLUMNS.items())


def waybill_goods(conn: sa.Connection, waybill_nos: list[str]) -> tuple[dict, dict]:
    """``(goods by waybill no., why-unchecked by waybill no.)`` for the waybills that exist."""
    goods: dict[str, list[Goods]] = {}
    unchecked: dict[str, str] = {}
    for r in conn.execute(sa.text("""select w.waybill_no, g.name, g.quantity, g.unit from waybill w
                                     left join waybill_goods g on g.waybill_id = w.id
                                     where w.waybill_no = any(:nos) order by w.waybill_no, g.id"""),
                          {"nos": waybill_nos}):
        goods.setdefault(r.waybill_no, [])
        if r.name is None:
            continue
        factor = TONNES_PER.get(str(r.unit or "").strip().lower()) or TONNES_PER.get(str(r.unit or "").strip())
        if r.quantity is None or factor is None:
            unchecked[r.waybill_no] = (f"未核查：电子运单 {r.waybill_no} 的货物“{r.name}”数量或计量单位"
                                       f"（{r.quantity} {r.unit or '—'}）无法换算为吨")
            continue
        goods[r.waybill_no].append(Goods(r.name, float(r.quantity) * factor))
    return {k: v for k, v in goods.items() if k not in unchecked}, unchecked


def compute(conn: sa.Connection, domain, as_of: dt.date) -> WasteRun:
    """The waste assessment of what is stored, as of ``as_of``."""
    w = domain.waste
    listed = waste_store.manifests(conn)
    manifests = [m for _, m in listed]
    nos = sorted({m.waybill_no for m in manifests if m.waybill_no})
    present = bool(nos) and waybill_tables_present(conn)
    goods, unchecked = waybill_goods(conn, nos) if present else ({}, {})
    result = assess(producers=waste_store.producers(conn), records=waste_store.records(conn), manifests=manifests,
                    facilities=waste_store.facilities(conn), as_of=as_of, rules=w.rules, goods_by_waybill=goods)
    mismatched = {f.manifest_no for f in result.findings if f.code == "WASTE_WAYBILL_MISMATCH"}
    links = {}
    for m in manifests:
        if not m.waybill_no:
            links[m.manifest_no] = ("none", "联单未填电子运单号")
        elif m.state == w.rules.manifest.initial_state or m.state in w.rules.manifest.void_states:
            links[m.manifest_no] = ("unchecked", f"未核查：{m.state}联单不与运单核对")
        elif m.transfer_date > as_of:
            links[m.manifest_no] = ("unchecked", f"未核查：转移日期 {m.transfer_date.isoformat()} 晚于核算日期")
        elif not present:
            links[m.manifest_no] = ("unchecked", NO_WAYBILL_TABLES)
        elif m.waybill_no in unchecked:
            links[m.manifest_no] = ("unchecked", unchecked[m.waybill_no])
        elif m.waybill_no not in goods:
            links[m.manifest_no] = ("not_found", f"未核查：电子运单 {m.waybill_no} 不在运单登记中")
        elif m.manifest_no in mismatched:
            links[m.manifest_no] = ("mismatch", f"与电子运单 {m.waybill_no} 的货物不一致（见问题清单）")
        else:
            links[m.manifest_no] = ("matched", f"与电子运单 {m.waybill_no} 的货物一致")
    return WasteRun(as_of, result, {m.manifest_no: i for i, m in listed}, links)


def colour_inputs(conn, run_id, enterprise_ids, domain, as_of, scratch: dict) -> dict:
    """``COLOUR_INPUTS`` provider: waste findings as local-policy reasons, per enterprise id; the
    assessment is kept in the refresh's ``scratch`` for :func:`refresh_step` to write."""
    if domain.waste is None:
        return {}
    wr = compute(conn, domain, as_of)
    scratch["waste"] = wr
    if not wr.assessment.findings:
        return {}
    ids = dict(conn.execute(sa.text("select credit_code, id from enterprise")).all())
    wanted = set(enterprise_ids)
    out = {}
    for code, found in wr.assessment.findings_by_enterprise().items():
        eid = ids.get(code)
        if eid in wanted:
            reasons = colour_reasons(found, rules=domain.waste.rules.colour)
            for r in reasons:  # the enterprises' flat ``reasons_text`` separates reasons by "；"
                r["text"] = r["text"].replace("；", "，")
            out[eid] = {"extra_reasons": reasons}
    return out


def _clean(v):
    """JSON-safe: numpy scalars → Python, NaN/NA → null (jsonb refuses NaN)."""
    if isinstance(v, dict):
        return {k: _clean(x) for k, x in v.items()}
    if isinstance(v, (list, tuple)):
        return [_clean(x) for x in v]
    if hasattr(v, "item") and not isinstance(v, (str, bytes)):
        v = v.item()
    if v is None or (isinstance(v, float) and v != v):
        return None
    try:
        return None if pd.isna(v) else v
    except (TypeError, ValueError):
        return v


STOCK_COLUMNS = ("run_id", "credit_code", "waste_code", "opening_t", "generated_t", "self_utilised_t",
                 "self_disposed_t", "confirmed_t", "in_transit_t", "stock_t", "on_site_t", "oldest_batch_date",
                 "oldest_age_days", "storage_limit_days", "over_limit_t", "tonne_days", "operator", "clearance_rank",
                 "as_of")


def write(conn: sa.Connection, run_id: int, wr: WasteRun) -> dict:
    """Store one run's stock, findings and manifest checks; returns the counts."""
    a = wr.assessment
    ranks = {(r.credit_code, r.waste_code): int(r.rank) for r in a.clearance.itertuples(index=False)}
    rows = []
    for r in a.stock.itertuples(index=False):
        oldest = r.oldest_batch_date
        rows.append((run_id, r.credit_code, r.waste_code, *(round(float(getattr(r, c)), 6) for c in STOCK_COLUMNS[3:11]),
                     None if pd.isna(oldest) else oldest.date(),
                     None if pd.isna(r.oldest_age_days) else int(r.oldest_age_days),
                     float(r.storage_limit_days), round(float(r.over_limit_t), 6), round(float(r.tonne_days), 3),
                     bool(r.operator), ranks.get((r.credit_code, r.waste_code)), wr.as_of))
    copy_rows(conn, "waste_stock", STOCK_COLUMNS, rows)
    copy_rows(conn, "waste_finding", ("run_id", "code", "title", "credit_code", "waste_code", "manifest_no", "text",
                                      "rule", "data"),
              ((run_id, f.code, f.title, f.credit_code, f.waste_code, f.manifest_no, f.text, f.rule,
                json.dumps(_clean(dict(f.data)), ensure_ascii=False, default=str)) for f in a.findings))
    copy_rows(conn, "waste_manifest_check", ("run_id", "manifest_id", "waybill_status", "waybill_note"),
              ((run_id, wr.manifest_ids[no], s, note) for no, (s, note) in wr.links.items()))
    long_stored = sum(1 for f in a.findings if f.code == "WASTE_LONG_STORED")
    statuses: dict[str, int] = {}
    for s, _ in wr.links.values():
        statuses[s] = statuses.get(s, 0) + 1
    return {"stock_rows": len(rows), "findings": len(a.findings), "long_stored": long_stored,
            "clearance": len(ranks), "waybill_links": statuses, "as_of": wr.as_of.isoformat()}


def refresh_step(conn, run_id, domain, summary) -> dict:
    """``WING_STEPS`` step: write the assessment the colours used (or compute it, same date)."""
    if domain.waste is None:
        return {}
    as_of = summary.get("as_of") or dt.date.today()
    wr = (summary.get("scratch") or {}).get("waste")
    if wr is None or wr.as_of != as_of:
        wr = compute(conn, domain, as_of)
    return write(conn, run_id, wr)

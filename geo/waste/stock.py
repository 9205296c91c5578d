"""Stock and age of hazardous waste per enterprise and waste code (底数、动态清零).

Mass balance (tonnes), as of a date, over the 台账 entries and the manifests dated on or before it::

    stock_t   = opening + generated − confirmed outbound − self-utilised − self-disposed
    on_site_t = stock_t − in transit

*confirmed outbound* is the receiver's 接受量 on manifests in a confirmed state (已接收, 部分接收, and
退回 after a partial receipt); *in transit* is what left on manifests not yet confirmed (已启运 …
已送达, 拒收 until returned).  ``stock_t`` is the book stock (底数) of the issue; ``on_site_t`` what
should physically be in store.

Age is FIFO over the batches (opening stock and generation entries, oldest first): everything that
left (confirmed, in transit, self-utilised, self-disposed) consumes the oldest batches first; the
oldest batch with a remainder gives ``oldest_batch_date`` and ``oldest_age_days``.  ``over_limit_t``
is the remainder in batches older than the storage limit — ``operator_max_storage_days`` (固废法第八十一条,
one year) for licensed operators (``operators``: their credit codes), else ``max_storage_days``
(local policy: no national hard limit for generators); ``tonne_days`` = Σ remainder × age
over the remaining batches — the 动态清零 list is sorted by it (age × quantity).

Vectorised with pandas; the functions are pure (new frames out, inputs untouched).
"""

from __future__ import annotations

import datetime as dt
from typing import Collection, Iterable, Mapping

import numpy as np
import pandas as pd

from geo.waste.files import rule_label
from geo.waste.findings import Finding
from geo.waste.model import RECORD_KINDS, Manifest, WasteProducer, WasteRecord
from geo.waste.rules import ManifestRules, StockRules

KEYS = ["credit_code", "waste_code"]
RECORD_COLUMNS = KEYS + ["date", "kind", "quantity_t"]
MOVEMENT_COLUMNS = KEYS + ["date", "manifest_no", "confirmed_t", "in_transit_t"]


def records_frame(records: Iterable[WasteRecord]) -> pd.DataFrame:
    """The 台账 entries as a frame (``date`` datetime64, ``quantity_t`` float)."""
    df = pd.DataFrame([(r.credit_code, r.waste_code, r.date, r.kind, r.quantity_t) for r in records],
                      columns=RECORD_COLUMNS)
    return df.astype({"date": "datetime64[ns]", "quantity_t": "float64"})


def movements_frame(manifests: Iterable[Manifest], *, rules: ManifestRules) -> pd.DataFrame:
    """Per manifest row: what left the generator, confirmed (接受量) or still in transit (tonnes)."""
    rows = []
    for m in manifests:
        confirmed = m.state in rules.confirmed_states
        transit = m.state in rules.in_transit_states
        if not (confirmed or transit):
            continue
        for r in m.rows:
            rows.append((m.generator_credit_code, r.waste_code, m.transfer_date, m.manifest_no,
                         (r.received_t or 0.0) if confirmed else 0.0, r.quantity_t if transit else 0.0))
    df = pd.DataFrame(rows, columns=MOVEMENT_COLUMNS)
    return df.astype({"date": "datetime64[ns]", "confirmed_t": "float64", "in_transit_t": "float64"})


def stock_table(records: pd.DataFrame, movements: pd.DataFrame, *, as_of: dt.date, rules: StockRules,
                operators: Collection[str] = ()) -> pd.DataFrame:
    """One row per (credit_code, waste_code): the balance terms, stock, on-site stock and FIFO age.

    Columns (tonnes, days): ``opening_t generated_t self_utilised_t self_disposed_t confirmed_t
    in_transit_t stock_t on_site_t oldest_batch_date oldest_age_days storage_limit_days over_limit_t
    tonne_days``; ``operator`` is True for licensed operators (``operators``).
    """
    day = pd.Timestamp(as_of)
    tol = rules.balance_tolerance_t.value
    rec = records[records["date"] <= day]
    mov = movements[movements["date"] <= day]
    kinds = list(RECORD_KINDS)
    sums = rec.pivot_table(index=KEYS, columns="kind", values="quantity_t", aggfunc="sum", fill_value=0.0)
    sums = sums.reindex(columns=kinds, fill_value=0.0).rename(columns={k: f"{k}_t" for k in kinds})
    moved = mov.groupby(KEYS)[["confirmed_t", "in_transit_t"]].sum()
    table = sums.join(moved, how="outer").fillna(0.0)
    table.columns.name = None
    table["stock_t"] = (table["opening_t"] + table["generated_t"] - table["confirmed_t"]
                        - table["self_utilised_t"] - table["self_disposed_t"])
    table["on_site_t"] = table["stock_t"] - table["in_transit_t"]
    left = table["confirmed_t"] + table["in_transit_t"] + table["self_utilised_t"] + table["self_disposed_t"]

    batches = rec[rec["kind"].isin(["opening", "generated"])].sort_values(KEYS + ["date"]).copy()
    batches["cum_t"] = batches.groupby(KEYS)["quantity_t"].cumsum()
    gone = left.reindex(pd.MultiIndex.from_frame(batches[KEYS])).to_numpy()
    cum = batches["cum_t"].to_numpy()
    batches["remaining_t"] = np.clip(cum - gone, 0.0, None) - np.clip(cum - batches["quantity_t"].to_numpy() - gone,
                                                                      0.0, None)
    batches["age_days"] = (day - batches["date"]).dt.days
    live = batches[batches["remaining_t"] > tol]
    grouped = live.groupby(KEYS)
    table["oldest_batch_date"] = grouped["date"].min()
    table["oldest_age_days"] = grouped["age_days"].max().astype("Int64")
    table["tonne_days"] = (live["remaining_t"] * live["age_days"]).groupby([live[k] for k in KEYS]).sum()
    table["operator"] = table.index.get_level_values("credit_code").isin(list(operators))
    table["storage_limit_days"] = np.where(table["operator"], rules.operator_max_storage_days.value,
                                           rules.max_storage_days.value)
    limit = table["storage_limit_days"].reindex(pd.MultiIndex.from_frame(live[KEYS])).to_numpy()
    old = live[live["age_days"].to_numpy() > limit]
    table["over_limit_t"] = old.groupby(KEYS)["remaining_t"].sum()
    table[["tonne_days", "over_limit_t"]] = table[["tonne_days", "over_limit_t"]].fillna(0.0)
    return table.reset_index()


def clearance_list(table: pd.DataFrame, *, rules: StockRules) -> pd.DataFrame:
    """The 动态清零 list: waste on site, most tonne-days (age × quantity) first, with its rank."""
    tol = rules.balance_tolerance_t.value
    out = table[table["on_site_t"] > tol].sort_values(["tonne_days", "oldest_age_days"], ascending=False)
    out = out[KEYS + ["on_site_t", "oldest_batch_date", "oldest_age_days", "over_limit_t", "tonne_days"]]
    out = out.reset_index(drop=True)
    out.insert(0, "rank", np.arange(1, len(out) + 1))
    return out


def _name(producers: Mapping[str, WasteProducer], code: str) -> str:
    p = producers.get(code)
    return f"{p.name}（{code}）" if p else code


def stock_findings(table: pd.DataFrame, producers: Mapping[str, WasteProducer], *,
                   rules: StockRules) -> list[Finding]:
    """Long-stored stock, negative balances and on-site stock above the storage capacity."""
    tol = rules.balance_tolerance_t.value
    out = []
    for r in table[table["oldest_age_days"].fillna(-1) > table["storage_limit_days"]].itertuples(index=False):
        lim, key = ((rules.operator_max_storage_days, "operator_max_storage_days") if r.operator
                    else (rules.max_storage_days, "max_storage_days"))
        who = "（持证经营单位）" if r.operator else ""
        out.append(Finding(
            "WASTE_LONG_STORED", r.credit_code, waste_code=r.waste_code, rule=rule_label("waste_stock.toml", key, lim),
            text=f"{_name(producers, r.credit_code)}{who} 的 {r.waste_code} 最早一批于 {r.oldest_batch_date:%Y-%m-%d} 入库，"
                 f"已贮存 {r.oldest_age_days} 天，超过 {lim.value:g} 天；超期部分 {r.over_limit_t:.3f} 吨，"
                 f"在库 {r.on_site_t:.3f} 吨（{lim.basis}）",
            data={"oldest_age_days": int(r.oldest_age_days), "limit_days": lim.value,
                  "over_limit_t": r.over_limit_t, "on_site_t": r.on_site_t, "rule_ref": f"waste_stock.toml {key}"}))
    for r in table[table["stock_t"] < -tol].itertuples(index=False):
        out.append(Finding(
            "WASTE_NEGATIVE_BALANCE", r.credit_code, waste_code=r.waste_code,
            rule="物料衡算：库存 = 期初 + 产生 − 确认转出 − 自行利用 − 自行处置",
            text=f"{_name(producers, r.credit_code)} 的 {r.waste_code} 出量大于入量 {-r.stock_t:.3f} 吨（期初 "
                 f"{r.opening_t:g} + 产生 {r.generated_t:g} − 转出 {r.confirmed_t:g} − 自行利用 {r.self_utilised_t:g} − "
                 f"自行处置 {r.self_disposed_t:g}），台账或期初库存可能缺漏",
            data={"stock_t": r.stock_t}))
    on_site = table.assign(pos=table["on_site_t"].clip(lower=0.0)).groupby("credit_code")["pos"].sum()
    for code, q in on_site.items():
        cap = producers[code].storage_capacity_t if code in producers else None
        if cap is not None and q > cap + tol:
            out.append(Finding(
                "WASTE_OVER_CAPACITY", code, rule="管理计划登记的贮存能力（危险废物产生单位登记的贮存能力）",
                text=f"{_name(producers, code)} 在库危险废物合计 {q:.3f} 吨，超过登记的贮存能力 {cap:g} 吨",
                data={"on_site_t": q, "capacity_t": cap}))
    return out


def plan_findings(records: pd.DataFrame, producers: Mapping[str, WasteProducer], *, as_of: dt.date,
                  rules: StockRules) -> list[Finding]:
    """This year's generation (to ``as_of``) against the declared annual plan pro rata.

    expected = plan × elapsed share of the year (days elapsed including ``as_of`` / days in the year);
    ratio = generated / expected, below ``plan_low_ratio`` → possible concealment, above
    ``plan_high_ratio`` → above plan.  Not compared before ``plan_min_elapsed_share`` of the year.
    Codes generated this year with no plan row → WASTE_NOT_IN_PLAN.
    """
    year = as_of.year
    start = dt.date(year, 1, 1)
    share = ((as_of - start).days + 1) / ((dt.date(year + 1, 1, 1) - start).days)
    gen = records[(records["kind"] == "generated") & (records["date"] >= pd.Timestamp(start))
                  & (records["date"] <= pd.Timestamp(as_of))]
    made = gen.groupby(KEYS)["quantity_t"].sum()
    plans = pd.Series({(c, code): t for c, p in producers.items() for (y, code), t in p.plans_t.items() if y == year},
                      dtype="float64")
    plans.index = pd.MultiIndex.from_tuples(plans.index, names=KEYS) if len(plans) else pd.MultiIndex.from_tuples(
        [], names=KEYS)
    out = []
    rule = "管理计划（固废法第七十八条；《危险废物转移管理办法》第十条第（二）项）"
    for (code, waste), q in made.items():
        if (code, waste) not in plans.index:
            out.append(Finding("WASTE_NOT_IN_PLAN", code, waste_code=waste, rule=rule,
                               text=f"{_name(producers, code)} {year} 年产生 {waste} {q:.3f} 吨，未列入该年度管理计划",
                               data={"generated_t": q, "year": year}))
    if share < rules.plan_min_elapsed_share.value:
        return out
    lo, hi = rules.plan_low_ratio, rules.plan_high_ratio
    for (code, waste), plan in plans.items():
        q = float(made.get((code, waste), 0.0))
        expected = plan * share
        ratio = q / expected if expected > 0 else float("inf")
        what = f"{_name(producers, code)} {waste} {year} 年计划产生 {plan:g} 吨，按时间折算（{share:.1%}）应约 {expected:.3f} 吨，"
        data = {"plan_t": plan, "elapsed_share": share, "expected_t": expected, "generated_t": q, "ratio": ratio}
        if ratio < lo.value:
            out.append(Finding("WASTE_BELOW_PLAN", code, waste_code=waste,
                               rule=f"{rule_label('waste_stock.toml', 'plan_low_ratio', lo)}；{rule}",
                               text=what + f"实际 {q:.3f} 吨（{ratio:.0%}），低于 {lo.value:.0%}，疑似瞒报或漏报（{lo.basis}）",
                               data={**data, "rule_ref": "waste_stock.toml plan_low_ratio"}))
        elif ratio > hi.value:
            out.append(Finding("WASTE_ABOVE_PLAN", code, waste_code=waste,
                               rule=f"{rule_label('waste_stock.toml', 'plan_high_ratio', hi)}；{rule}",
                               text=what + f"实际 {q:.3f} 吨（{ratio:.0%}），超过 {hi.value:.0%}（{hi.basis}）",
                               data={**data, "rule_ref": "waste_stock.toml plan_high_ratio"}))
    return out

"""Transfer manifests (危险废物转移联单): the life cycle and a manifest's checks.

States 草稿 → 已提交 → 已启运 → 运输中 → 已送达 → 已接收 / 部分接收 / 拒收 → 退回, and 作废 — every
allowed transition is a row of ``data/rules/waste_manifest.toml`` with its basis in
《危险废物转移管理办法》(2022) or marked local policy; :func:`transition` refuses anything else with
a Chinese message naming the rule.

Checks (each a :class:`~geo.waste.findings.Finding` naming its rule and data):

* the receiver's licence (危险废物经营许可证) covers each code and is valid on the transfer date;
* the manifest's rows agree with the goods rows of the waybill it travels with (办法第十一条第（二）项:
  联单 与危险货物运单一并随运输工具携带) — name or code, quantity within tolerance;
* 是否存在重大差异 declared by the receiver (第十八条第二款);
* open longer than ``max_open_days``; delivered but not confirmed within ``receipt_confirm_days``
  (第十八条第一款).
"""

from __future__ import annotations

import dataclasses
import datetime as dt
import math
import re
from collections import defaultdict
from typing import Mapping, Protocol, Sequence

from geo.cells import CellError, halfwidth
from geo.waste.files import rule_label
from geo.waste.findings import Finding
from geo.waste.model import DECISIONS, Facility, Manifest, StateEvent
from geo.waste.rules import ManifestRules

STATE_FIELD = "联单状态"


class TransitionRefused(CellError):
    """A state change the rules do not allow (HTTP 400); the message names the rule."""

    def __init__(self, value: str, reason: str):
        super().__init__(STATE_FIELD, value, reason)


class GoodsLine(Protocol):
    """A goods row of a 危险货物电子运单 (the transport wing's waybills): ``waste_code`` optional."""

    name: str
    quantity_t: float


def check_number(manifest_no: str, rules: ManifestRules) -> str:
    """The manifest number if it has the national structure (第十五条: 14 digits), else :class:`CellError`."""
    s = re.sub(r"\s+", "", halfwidth(str(manifest_no or "")))
    n = int(rules.number_digits.value)
    if not re.fullmatch(rf"\d{{{n}}}", s):
        raise CellError("联单编号", manifest_no, f"联单编号应为{n}位数字（年份4位、省级2位、设区的市级2位、流水号6位；"
                                              f"{rules.number_digits.basis}），实际“{manifest_no}”")
    return s


def transition(manifest: Manifest, to_state: str, *, at: dt.datetime, by: str, rules: ManifestRules,
               received_t: Sequence[float] | None = None) -> Manifest:
    """``manifest`` moved to ``to_state`` at ``at`` by ``by``, with the event in its history.

    ``received_t`` (tonnes, one per row) is the receiver's 接受量: optional for 已接收 (default: the
    quantities sent), required for 部分接收 (at least one row less than sent, total above zero);
    拒收 sets it to zero.  Entering 已接收 / 部分接收 / 拒收 sets the receipt date and decision.

    Raises :class:`TransitionRefused` (field 联单状态) naming the rule and the states allowed next.
    """
    frm = manifest.state
    if to_state not in rules.states:
        raise TransitionRefused(to_state, f"未知联单状态“{to_state}”（可用：{'、'.join(rules.states)}）")
    if not str(by or "").strip():
        raise TransitionRefused(to_state, "变更联单状态须记录操作人")
    if manifest.history and at < manifest.history[-1].at:
        raise TransitionRefused(to_state, f"联单 {manifest.manifest_no} 状态变更时间 {at:%Y-%m-%d %H:%M} 早于上一次变更"
                                          f"（{manifest.history[-1].at:%Y-%m-%d %H:%M}）")
    rule = rules.transitions.get((frm, to_state))
    if rule is None:
        nexts = rules.allowed_from(frm)
        allowed = "、".join(f"“{t.to_state}”（{t.rule_id}）" for t in nexts) or "无（已闭环）"
        note = rules.refusal_notes.get(to_state)
        raise TransitionRefused(to_state, f"联单 {manifest.manifest_no} 不能由“{frm}”变为“{to_state}”"
                                          + (f"：{note}" if note else "") + f"。当前状态可变为：{allowed}")
    rows = manifest.rows
    if to_state in DECISIONS:
        rows = _received_rows(manifest, to_state, received_t, rule.rule_id)
    event = StateEvent(frm, to_state, at, str(by).strip(), rule.rule_id)
    changes: dict = {"state": to_state, "rows": rows, "history": manifest.history + (event,)}
    if to_state in DECISIONS:
        changes |= {"receipt_date": at.date(), "receiver_decision": DECISIONS[to_state]}
    return dataclasses.replace(manifest, **changes)


def _received_rows(manifest: Manifest, to_state: str, received_t, rule_id: str):
    sent = [r.quantity_t for r in manifest.rows]
    if to_state == "拒收":
        got = [0.0] * len(sent)
    elif received_t is None:
        if to_state == "部分接收":
            raise TransitionRefused(to_state, f"部分接收须填写每一行的接受量（{rule_id}）")
        got = sent
    else:
        got = [float(x) for x in received_t]
    if len(got) != len(sent):
        raise TransitionRefused(to_state, f"接受量 {len(got)} 项与联单明细 {len(sent)} 行不一致（{rule_id}）")
    if any(g < 0 or math.isnan(g) for g in got):
        raise TransitionRefused(to_state, f"接受量不能为负或空（{rule_id}）")
    if to_state == "部分接收" and (sum(got) <= 0 or all(g >= s for g, s in zip(got, sent))):
        raise TransitionRefused(to_state, f"部分接收须至少一行接受量少于转移量且合计大于 0（{rule_id}）；"
                                          "全部接受请选“已接收”，全部不接受请选“拒收”")
    return tuple(dataclasses.replace(r, received_t=g) for r, g in zip(manifest.rows, got))


def licence_findings(manifest: Manifest, facilities: Mapping[str, Facility]) -> list[Finding]:
    """The receiver's licence must be registered, valid on the transfer date and cover each code."""
    base = dict(credit_code=manifest.generator_credit_code, manifest_no=manifest.manifest_no)
    fac = facilities.get(manifest.receiver_licence_no)
    if fac is None:
        return [Finding("WASTE_LICENCE_UNKNOWN", text=f"联单 {manifest.manifest_no} 的接受单位“{manifest.receiver_name}”"
                        f"许可证 {manifest.receiver_licence_no} 不在经营单位登记中，无法核对经营范围和有效期（未评估）",
                        rule="《危险废物转移管理办法》第十条第（一）项（移出人核实接受人主体资格）",
                        data={"licence_no": manifest.receiver_licence_no}, **base)]
    out = []
    rule = "《危险废物转移管理办法》第十条第（一）项、第二款（不得委托无危险废物经营许可证的单位）"
    if not fac.valid_on(manifest.transfer_date):
        span = f"{fac.valid_from.isoformat() if fac.valid_from else '—'} 至 {fac.valid_until.isoformat()}"
        out.append(Finding("WASTE_LICENCE_EXPIRED", text=f"联单 {manifest.manifest_no} 转移日期 "
                           f"{manifest.transfer_date.isoformat()} 不在接受单位“{fac.name}”许可证 {fac.licence_no} 有效期"
                           f"（{span}）内", rule=rule,
                           data={"licence_no": fac.licence_no, "valid_until": fac.valid_until.isoformat(),
                                 "transfer_date": manifest.transfer_date.isoformat()}, **base))
    for r in manifest.rows:
        if not fac.covers(r.waste_code):
            out.append(Finding("WASTE_LICENCE_SCOPE", text=f"联单 {manifest.manifest_no} 的废物 {r.waste_code}"
                               f"（{r.waste_name}）不在接受单位“{fac.name}”许可证 {fac.licence_no} 的经营范围内"
                               f"（范围：{'、'.join(sorted(fac.scope))}）", rule=rule, waste_code=r.waste_code,
                               data={"licence_no": fac.licence_no, "scope": sorted(fac.scope)}, **base))
    return out


def _norm(name: str) -> str:
    return re.sub(r"\s+", "", halfwidth(str(name or "")))


def waybill_findings(manifest: Manifest, goods: Sequence[GoodsLine], *, rules: ManifestRules) -> list[Finding]:
    """The waybill's goods rows against the manifest's rows, per waste code (summed over rows).

    A goods line matches a manifest row by its ``waste_code`` when it has one, else by the waste
    name.  Quantities agree within max(``quantity_abs_tolerance_t``, ``quantity_rel_tolerance`` ×
    the manifest's quantity).
    """
    base = dict(credit_code=manifest.generator_credit_code, manifest_no=manifest.manifest_no)
    rule = (f"《危险废物转移管理办法》第十一条第（二）项；容差 {rules.waybill_rel_tolerance.value:.0%} 或 "
            f"{rules.waybill_abs_tolerance_t.value:g} 吨（本地政策）")
    sent: dict[str, float] = defaultdict(float)
    by_name: dict[str, str] = {}
    for r in manifest.rows:
        sent[r.waste_code] += r.quantity_t
        by_name[_norm(r.waste_name)] = r.waste_code
    carried: dict[str, float] = defaultdict(float)
    out = []
    for g in goods:
        code = getattr(g, "waste_code", None) or by_name.get(_norm(g.name))
        if code is None or code not in sent:
            out.append(Finding("WASTE_WAYBILL_MISMATCH", text=f"电子运单 {manifest.waybill_no or '（未填）'} 的货物"
                               f"“{g.name}”{g.quantity_t:g} 吨 在联单 {manifest.manifest_no} 中无对应废物",
                               rule=rule, data={"goods": g.name, "quantity_t": g.quantity_t}, **base))
            continue
        carried[code] += g.quantity_t
    for code, q in sent.items():
        c = carried.get(code, 0.0)
        tol = max(rules.waybill_abs_tolerance_t.value, rules.waybill_rel_tolerance.value * q)
        if abs(c - q) > tol:
            out.append(Finding("WASTE_WAYBILL_MISMATCH", text=f"联单 {manifest.manifest_no} 的 {code} 为 {q:g} 吨，"
                               f"电子运单 {manifest.waybill_no or '（未填）'} 载 {c:g} 吨，相差 {abs(c - q):g} 吨，超过容差 {tol:g} 吨",
                               rule=rule, waste_code=code, data={"manifest_t": q, "waybill_t": c, "tolerance_t": tol},
                               **base))
    return out


def discrepancy_findings(manifest: Manifest) -> list[Finding]:
    """The receiver declared 存在重大差异."""
    if not manifest.major_discrepancy:
        return []
    got = manifest.received_t
    detail = f"，转移 {manifest.quantity_t:g} 吨、接受 {got:g} 吨" if got is not None else ""
    return [Finding("WASTE_MAJOR_DISCREPANCY", credit_code=manifest.generator_credit_code,
                    manifest_no=manifest.manifest_no,
                    text=f"联单 {manifest.manifest_no}（接受单位“{manifest.receiver_name}”）填报存在重大差异{detail}",
                    rule="《危险废物转移管理办法》第十八条第二款（名称、数量、特性、形态、包装方式与联单不符）",
                    data={"quantity_t": manifest.quantity_t, "received_t": got})]


def open_findings(manifest: Manifest, *, as_of: dt.date, rules: ManifestRules) -> list[Finding]:
    """Open (not closed) longer than ``max_open_days`` since the transfer date; delivered and not
    confirmed within ``receipt_confirm_days`` since delivery."""
    if manifest.state not in rules.open_states:
        return []
    base = dict(credit_code=manifest.generator_credit_code, manifest_no=manifest.manifest_no)
    out = []
    days = (as_of - manifest.transfer_date).days
    limit = rules.max_open_days
    if days > limit.value:
        out.append(Finding("WASTE_MANIFEST_OPEN", text=f"联单 {manifest.manifest_no} 自转移日期 "
                           f"{manifest.transfer_date.isoformat()} 起 {days} 天仍为“{manifest.state}”，超过 {limit.value:g} 天"
                           f"（{limit.basis}）", rule=rule_label("waste_manifest.toml", "max_open_days", limit),
                           data={"days_open": days, "limit_days": limit.value, "state": manifest.state,
                                 "rule_ref": "waste_manifest.toml max_open_days"}, **base))
    if manifest.state == "已送达":
        delivered = next((e.at.date() for e in reversed(manifest.history) if e.to_state == "已送达"),
                         manifest.transfer_date)
        wait, lim = (as_of - delivered).days, rules.receipt_confirm_days
        if wait > lim.value:
            out.append(Finding("WASTE_RECEIPT_LATE", text=f"联单 {manifest.manifest_no} 于 {delivered.isoformat()} 送达，"
                               f"{wait} 天未确认接受，超过 {lim.value:g} 天（{lim.basis}）",
                               rule=rule_label("waste_manifest.toml", "receipt_confirm_days", lim),
                               data={"days_waiting": wait, "limit_days": lim.value,
                                     "rule_ref": "waste_manifest.toml receipt_confirm_days"}, **base))
    return out


def manifest_findings(manifest: Manifest, *, rules: ManifestRules, facilities: Mapping[str, Facility],
                      as_of: dt.date, goods: Sequence[GoodsLine] | None = None) -> list[Finding]:
    """All checks of one manifest (drafts and voided manifests are not checked; no waybill → no
    waybill check)."""
    if manifest.state == rules.initial_state or manifest.state in rules.void_states:
        return []
    out = licence_findings(manifest, facilities) + discrepancy_findings(manifest)
    out += open_findings(manifest, as_of=as_of, rules=rules)
    if goods is not None:
        out += waybill_findings(manifest, goods, rules=rules)
    return out

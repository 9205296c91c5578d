"""The waste wing's rules: ``data/rules/waste_manifest.toml`` (manifest life cycle, waybill
tolerance, colour points) and ``data/rules/waste_stock.toml`` (storage limit, plan thresholds).

:func:`load_waste_rules` reads and checks both; the pure functions take the resulting
:class:`WasteRules` (or one of its parts) as an argument.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from types import MappingProxyType
from typing import Mapping

from geo.waste.files import STATUSES, Param, WasteDataError, param, read_toml
from geo.waste.findings import FINDING_TITLES
from geo.waste.model import STATES


@dataclass(frozen=True)
class Transition:
    rule_id: str
    from_state: str
    to_state: str
    status: str
    basis: str

    @property
    def label(self) -> str:
        tag = "本地政策" if self.status == "local_policy" else self.basis
        return f"{self.rule_id}（{tag}）"


@dataclass(frozen=True)
class ManifestRules:
    number_digits: Param
    states: tuple[str, ...]
    initial_state: str
    open_states: frozenset[str]
    void_states: frozenset[str]
    in_transit_states: frozenset[str]
    confirmed_states: frozenset[str]
    max_open_days: Param
    receipt_confirm_days: Param
    transitions: Mapping[tuple[str, str], Transition]
    refusal_notes: Mapping[str, str]
    waybill_rel_tolerance: Param
    waybill_abs_tolerance_t: Param

    def allowed_from(self, state: str) -> list[Transition]:
        return [t for (f, _), t in self.transitions.items() if f == state]


@dataclass(frozen=True)
class StockRules:
    max_storage_days: Param
    operator_max_storage_days: Param
    plan_low_ratio: Param
    plan_high_ratio: Param
    plan_min_elapsed_share: Param
    balance_tolerance_t: Param


@dataclass(frozen=True)
class Points:
    each: float
    max: float
    status: str
    basis: str


@dataclass(frozen=True)
class ColourRules:
    category: str
    max_total: Param
    points: Mapping[str, Points]


@dataclass(frozen=True)
class WasteRules:
    version: str
    manifest: ManifestRules
    stock: StockRules
    colour: ColourRules


def _states(doc: dict, key: str, states: tuple[str, ...], where: str) -> frozenset[str]:
    vals = doc.get(key)
    if not isinstance(vals, list) or not vals:
        raise WasteDataError(f"{where} 缺少 {key}（状态列表）")
    unknown = [v for v in vals if v not in states]
    if unknown:
        raise WasteDataError(f"{where} {key} 含未列入 states 的状态：{'、'.join(map(str, unknown))}")
    return frozenset(vals)


def _manifest(doc: dict, where: str) -> ManifestRules:
    m = doc.get("manifest")
    if not isinstance(m, dict):
        raise WasteDataError(f"{where} 缺少 [manifest]")
    w = f"{where} [manifest]"
    states = tuple(m.get("states") or ())
    if states != STATES:
        raise WasteDataError(f"{w} states 应为 {'、'.join(STATES)}（联单状态词表，可改的是 transitions）")
    initial = m.get("initial_state")
    if initial not in states:
        raise WasteDataError(f"{w} initial_state“{initial}”不在 states 中")
    transitions: dict[tuple[str, str], Transition] = {}
    ids: set[str] = set()
    for i, t in enumerate(m.get("transitions") or (), start=1):
        tw = f"{w} 第{i}条 transitions（{t.get('rule_id', '无 rule_id')}）"
        for k in ("rule_id", "from", "to", "status", "basis"):
            if not isinstance(t.get(k), str) or not t[k].strip():
                raise WasteDataError(f"{tw} 缺少 {k}")
        if t["from"] not in states or t["to"] not in states:
            raise WasteDataError(f"{tw} 的状态不在 states 中")
        if t["status"] not in STATUSES:
            raise WasteDataError(f"{tw} status 应为 {'/'.join(STATUSES)}")
        if t["rule_id"] in ids or (t["from"], t["to"]) in transitions:
            raise WasteDataError(f"{tw} 重复")
        ids.add(t["rule_id"])
        transitions[(t["from"], t["to"])] = Transition(t["rule_id"], t["from"], t["to"], t["status"], t["basis"])
    if not transitions:
        raise WasteDataError(f"{w} 没有 transitions")
    notes = m.get("refusal_notes") or {}
    bad = [k for k in notes if k not in states]
    if bad:
        raise WasteDataError(f"{w} refusal_notes 含未知状态：{'、'.join(bad)}")
    wb = doc.get("waybill") or {}
    digits = param(m, "number_digits", w)
    if not digits.value.is_integer() or digits.value <= 0:
        raise WasteDataError(f"{w} number_digits 应为正整数")
    return ManifestRules(
        digits, states, initial, _states(m, "open_states", states, w), _states(m, "void_states", states, w),
        _states(m, "in_transit_states", states, w),
        _states(m, "confirmed_states", states, w), param(m, "max_open_days", w), param(m, "receipt_confirm_days", w),
        MappingProxyType(transitions), MappingProxyType(dict(notes)),
        param(wb, "quantity_rel_tolerance", f"{where} [waybill]"),
        param(wb, "quantity_abs_tolerance_t", f"{where} [waybill]"))


def _colour(doc: dict, where: str) -> ColourRules:
    c = doc.get("colour")
    if not isinstance(c, dict) or not isinstance(c.get("category"), str):
        raise WasteDataError(f"{where} 缺少 [colour] category")
    w = f"{where} [colour.points]"
    raw = c.get("points") or {}
    missing = [k for k in FINDING_TITLES if k not in raw]
    unknown = [k for k in raw if k not in FINDING_TITLES]
    if missing or unknown:
        raise WasteDataError(f"{w} 缺少 {'、'.join(missing) or '—'}；未知 {'、'.join(unknown) or '—'}")
    points = {}
    for k, v in raw.items():
        if not isinstance(v, dict):
            raise WasteDataError(f"{w} {k} 应为 {{ each, max, status, basis }}")
        each, mx = v.get("each"), v.get("max")
        if any(isinstance(x, bool) or not isinstance(x, (int, float)) for x in (each, mx)):
            raise WasteDataError(f"{w} {k}.each / {k}.max 应为数字")
        if each > 0 or mx > 0 or mx > each:
            raise WasteDataError(f"{w} {k}：扣分应为 ≤0 且 max ≤ each（max 为累计最多扣分）")
        if v.get("status") not in STATUSES or not str(v.get("basis") or "").strip():
            raise WasteDataError(f"{w} {k} 缺少 status 或 basis")
        points[k] = Points(float(each), float(mx), v["status"], v["basis"])
    total = param(c, "max_total", f"{where} [colour]")
    if total.value < 0:
        raise WasteDataError(f"{where} [colour] max_total 应为非负数（最多扣分的绝对值）")
    return ColourRules(c["category"], total, MappingProxyType(points))


def _stock(doc: dict, where: str) -> StockRules:
    keys = ("max_storage_days", "operator_max_storage_days", "plan_low_ratio", "plan_high_ratio",
            "plan_min_elapsed_share", "balance_tolerance_t")
    r = StockRules(*(param(doc, k, where) for k in keys))
    if not 0 < r.plan_low_ratio.value < 1 < r.plan_high_ratio.value:
        raise WasteDataError(f"{where} 应满足 0 < plan_low_ratio < 1 < plan_high_ratio")
    limits = (r.max_storage_days.value, r.operator_max_storage_days.value)
    if min(limits) <= 0 or not 0 <= r.plan_min_elapsed_share.value < 1:
        raise WasteDataError(f"{where} 贮存期限应为正数，plan_min_elapsed_share 应在 [0, 1) 内")
    return r


def load_waste_rules(directory: Path) -> WasteRules:
    """Read and check ``waste_manifest.toml`` and ``waste_stock.toml`` in ``directory``.

    Raises :class:`~geo.waste.files.WasteDataError` naming the file and the key.
    """
    d = Path(directory)
    mdoc, sdoc = read_toml(d / "waste_manifest.toml"), read_toml(d / "waste_stock.toml")
    manifest = _manifest(mdoc, "waste_manifest.toml")
    colour = _colour(mdoc, "waste_manifest.toml")
    stock = _stock(sdoc, "waste_stock.toml")
    version = f"{mdoc.get('version', '?')}+{sdoc.get('version', '?')}"
    return WasteRules(version, manifest, stock, colour)

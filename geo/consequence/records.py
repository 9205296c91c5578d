"""What the consequence tier stores and concludes: input hashes, JSON rows, target classes, findings.

Pure functions between the models (:mod:`geo.consequence.scenarios`, :mod:`.screening`, :mod:`.risk`)
and the database step (:mod:`geo.postgis.consequence`):

* :func:`data_version` / :func:`unit_input_hash` — what a result was computed from; a unit whose
  hash is unchanged is reused, not recomputed;
* :func:`scenario_record`, :func:`inputs_json` — scenarios and every input with its source, JSON-ready;
* :func:`criterion_class` — the ``risk_criteria.csv`` row of a protection target from its stored
  GB 36894 class (unknown or undivided 一般 → the least strict class, said so: a "not met" is then
  certain, a "met" may not be);
* :func:`external_distance` — the enterprise's 外部安全防护距离 finding (met / not met / 未计算).
"""

from __future__ import annotations

import hashlib
import json
import math
from dataclasses import dataclass

from geo.consequence.scenarios import HazardUnitInput, Input, NotComputed, Scenario, UnitScenarios
from geo.consequence.tables import ConsequenceTables

# NotComputed reasons that mean "no consequence to model" rather than "a gap in the data"
NO_HAZARD_MARK = "无后果场景"

# stored GB 36894 class (etl.mapping.gb36894_class) → risk_criteria.csv row
CLASS_OF_STORED = {"高敏感": "high_sensitivity", "重要": "important", "一般一类": "general_1",
                   "一般二类": "general_2", "一般三类": "general_3"}
LEAST_STRICT = "general_3"


def data_version(tables: ConsequenceTables) -> str:
    """A digest of every number and text of the consequence data (``data/rules/consequence``)."""
    return hashlib.sha256(repr(tables).encode("utf-8")).hexdigest()[:16]


def unit_input_hash(unit: HazardUnitInput, *, tables: ConsequenceTables) -> str:
    """What decides a unit's scenarios, zones and contours: its location (WGS-84, 1e-7°), inventory,
    installation, the model version and the data version."""
    doc = {"model": tables.model_version, "data": data_version(tables), "lon": round(unit.lon, 7),
           "lat": round(unit.lat, 7), "crs": unit.crs, "installation": unit.installation,
           "items": sorted([i.chemical_key, i.name, i.cas, round(i.quantity_t, 6), i.temperature_c,
                            i.gauge_pressure_mpa, i.storage, i.bund_area_m2] for i in unit.items)}
    return hashlib.sha256(json.dumps(doc, ensure_ascii=False, sort_keys=True, default=str).encode()).hexdigest()


def targets_hash(targets) -> str:
    """What decides the checks besides the unit: the targets in reach (id, class, people, point)."""
    doc = sorted([t.target_id, t.target_class, t.population, round(t.lon, 7), round(t.lat, 7)] for t in targets)
    return hashlib.sha256(json.dumps(doc).encode()).hexdigest()


def _num(v):
    """A JSON-safe number: non-finite → None; beyond ±1e15 (what strict JSON readers, ours included,
    accept) → its text in scientific notation."""
    if isinstance(v, float):
        if not math.isfinite(v):
            return None
        return f"{v:.6g}" if abs(v) >= 1e15 else v
    return v


def inputs_json(inputs: tuple[Input, ...]) -> list[dict]:
    """``[{name, value, unit, source}]`` — every input of a result with where it came from."""
    return [{"name": i.name, "value": _num(i.value) if not isinstance(i.value, str) else i.value,
             "unit": i.unit, "source": i.source} for i in inputs]


def not_computed_json(items: tuple[NotComputed, ...]) -> list[dict]:
    return [{"chemical_key": n.chemical_key, "chemical": n.chemical_name, "reason": n.reason} for n in items]


def scenario_record(s: Scenario, *, tables: ConsequenceTables) -> dict:
    """One scenario as stored: release, frequency with its source, outcomes with their reach."""
    cutoff = tables.p("fatality_cutoff")
    outcomes = []
    for o in s.outcomes:
        reach = o.effect.reach_m(cutoff) if hasattr(o.effect, "radius_m") else o.effect.reach_m()
        outcomes.append({"kind": o.kind, "label": o.label, "conditional_probability": o.conditional_probability,
                         "frequency_per_year": o.frequency_per_year, "reach_m": round(float(reach), 1),
                         "model": o.model, "inputs": inputs_json(o.inputs)})
    return {"scenario_key": s.scenario_id, "chemical_key": s.chemical_key, "chemical_name": s.chemical_name,
            "hole_id": s.hole.hole_id, "hole_label": s.hole.label, "frequency_per_year": s.frequency_per_year,
            "frequency_source": s.frequency_source, "release_kind": s.release_kind,
            "rate_kg_s": None if s.rate_kg_s is None else float(s.rate_kg_s), "mass_kg": float(s.mass_kg),
            "duration_s": float(s.duration_s), "outcomes": outcomes, "inputs": inputs_json(s.inputs)}


def criterion_class(stored: str | None) -> tuple[str, str | None]:
    """(risk_criteria.csv class, note) for a target's stored GB 36894 class."""
    if stored in CLASS_OF_STORED:
        return CLASS_OF_STORED[stored], None
    what = f"“{stored}”未细分一类/二类/三类" if stored else "未登记 GB 36894 类别"
    return LEAST_STRICT, f"{what}，按一般防护目标三类（最宽松基准）核查：不满足为确定，满足待核"


def gaps(us: UnitScenarios) -> tuple[NotComputed, ...]:
    """Items of the unit the models could not compute (excluding items with no hazard to model)."""
    return tuple(n for n in us.not_computed if NO_HAZARD_MARK not in n.reason)


METHODS = ("qra", "consequence", "design_codes")
# The models by the Chinese names a page reads (the stored model description — package, literature, parameters —
# stays as it is and is shown on demand): the first entry whose key starts the description wins.
MODEL_LABEL = (
    ("slabx", "重气扩散模型"), ("高斯烟羽", "高斯烟羽扩散模型"), ("高斯烟团", "高斯烟团扩散模型"),
    ("TNT 当量", "梯恩梯当量法超压模型"), ("蒸气云爆炸", "蒸气云爆炸模型（梯恩梯当量法）"),
    ("火球", "火球热辐射模型"), ("池火", "池火热辐射模型"), ("喷射火", "喷射火热辐射模型"),
    ("闪火", "闪火模型"), ("毒性扩散", "毒性扩散模型"),
)


def model_label(model: str | None) -> str:
    """The Chinese name of a model description: ``model_label("slabx 1.0.7（SLAB, Ermak 1990）：…")`` →
    ``重气扩散模型``; an unknown description → ``后果模型（见模型说明）``."""
    text = (model or "").strip()
    return next((label for key, label in MODEL_LABEL if text.startswith(key)), "后果模型（见模型说明）")


METHOD_LABEL = {"qra": "定量风险评价（GB 36894 个人风险）", "consequence": "事故后果法（爆炸物）",
                "design_codes": "相关标准规范的距离"}


def unit_method(lines, scope) -> tuple[str, float]:
    """(method, Σq/Q of its toxic and flammable gases) deciding a unit's external safety distance
    (GB/T 37243-2019, ``method_scope.toml``).  ``lines``: ``(hazard_classes, explosive, q_over_Q)``
    per chemical of the unit (GB 18218 表2 classes from the catalogue)."""
    gas = set(scope.toxic_gas_classes) | set(scope.flammable_gas_classes)
    gas_s = round(sum(q for classes, _, q in lines if gas & set(classes)), 6)
    if any(explosive or set(scope.explosive_classes) & set(classes) for classes, explosive, _ in lines):
        return "consequence", gas_s
    return ("qra" if gas_s >= 1.0 else "design_codes"), gas_s


def enterprise_method(methods) -> str:
    """GB/T 37243: one unit in the QRA scope → the enterprise's installations are assessed as a whole."""
    methods = set(methods)
    return "qra" if "qra" in methods else "consequence" if "consequence" in methods else "design_codes"


@dataclass(frozen=True)
class UnitStatus:
    """One major-hazard unit of an enterprise as the refresh left it."""

    unit_name: str
    computed: bool  # any scenario computed
    gaps: tuple[str, ...]  # "化学品：原因" of items not computed
    checks: int
    not_met: tuple[str, ...]  # the checks' texts that failed
    method: str = "qra"


def external_distance(units: list[UnitStatus], *, design_conflicts: int, method: str | None = None) -> tuple[str, str]:
    """(status, text) of the guide's 外部安全防护距离 for an enterprise with major-hazard units.

    ``method`` (default: from the units, :func:`enterprise_method`) follows GB/T 37243-2019:

    * ``qra`` — ``not_met`` when a target's individual risk exceeds its GB 36894 criterion or a
      design-code distance (fire separation, safety distance; never the local screening distances)
      is short; ``not_computed`` when no failure is known but an item could not be computed;
      ``met`` otherwise;
    * ``consequence`` (explosives, no model here) — ``not_met`` on a design-code deficit, else
      ``not_computed``;
    * ``design_codes`` — the design-code conflicts decide; the individual-risk checks are reported
      for information.
    """
    method = method or enterprise_method(u.method for u in units)
    failed = [t for u in units for t in u.not_met]
    checks = sum(u.checks for u in units)
    design = f"设计规范距离不足 {design_conflicts} 处" if design_conflicts else ""
    if method == "design_codes":
        info = (f"；个人风险核查 {checks} 处" + (f"，超过 GB 36894 基准 {len(failed)} 处（仅供参考）" if failed else "，均满足基准")
                if checks else "")
        if design_conflicts:
            return "not_met", f"外部安全防护距离不符合要求：{design}（按相关标准规范，GB/T 37243-2019 4.4）{info}"
        return "met", f"外部安全防护距离：按相关标准规范距离（GB/T 37243-2019 4.4），未见不足{info}"
    if method == "consequence":
        if design_conflicts:
            return "not_met", f"外部安全防护距离不符合要求：{design}"
        return "not_computed", "外部安全防护距离：涉及爆炸物，应按事故后果法确定（GB/T 37243-2019 4.2），本系统未计算"
    open_ = [f"{u.unit_name}：{g}" for u in units for g in u.gaps]
    if failed or design_conflicts:
        parts = []
        if failed:
            parts.append(f"个人风险超过 GB 36894-2018 基准的防护目标 {len(failed)} 处（{failed[0]}"
                         + ("等" if len(failed) > 1 else "") + "）")
        if design:
            parts.append(design)
        return "not_met", "外部安全防护距离不符合要求：" + "；".join(parts)
    if open_:
        return "not_computed", ("外部安全防护距离：未计算（" + "；".join(open_[:3]) + ("等" if len(open_) > 3 else "")
                                + "），未发现不符合项")
    return "met", (f"外部安全防护距离：个人风险满足 GB 36894-2018 基准（定量风险评价，核查防护目标 {checks} 处，"
                   "基准值待核），设计规范距离未见不足")

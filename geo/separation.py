"""Separation rules: required distance by what a facility is, how big it is, and what it faces.

The rules table (``data/rules/separation_rules.csv``) holds one row per rule with its standard
and clause, or ``status=local_policy`` for screening distances that are a deployment's policy
rather than a national number.  Four kinds are kept apart, each worded with the standard's own
term (column ``term``, checked against the kind):

* ``fire_separation`` — 防火间距 of the design codes (GB 50016, GB 50160);
* ``safety_distance`` — 安全间距 (GB 50156 加油加气站) / 安全距离 (GB 50074 石油库);
* ``external_safety`` — 外部安全防护距离 (GB/T 37243-2019; case by case, added per installation);
* ``screening`` — 本地筛查距离 by major-hazard grade and hazard type: local policy, never a
  national number and never called 外部安全防护距离.

Source side.  A registry facility type (设施类型) maps to source classes in
``source_classes.csv``: ``A`` (one class), ``A+B`` (a combined facility: every class applies,
the largest distance wins) or ``A|B|C`` (one of these, not registered which: the smallest
distance applies — a lower bound).  Tank farms held by other facilities are listed in
:attr:`SourceProfile.tank_farms`; a major hazard source adds a screening class per hazard type.
A rule may carry a machine-readable condition ``applies_when`` on a number of the profile
(:data:`SOURCE_FIELDS`, e.g. ``tank_volume_m3>1000;tank_volume_m3<=2500``).

Target side.  A protection-target category maps to target classes in ``target_classes.csv``;
a row may carry a condition on a target attribute (:data:`TARGET_FIELDS`: ``high_rise=1``,
``population>500``, ``beds>=150`` …) — GB 50156 附录B classes schools by size, GB 50016 表3.4.1
treats 高层民用建筑 apart.  Several rows naming the same class are alternatives (either suffices).

The lower-bound convention, everywhere: when the registry lacks a number a rule needs (tank
volume, station grade, vapour recovery, a target's height or size), the smallest distance the
unknown value could give applies, and the requirement's ``note`` says so — every conflict
shown is certain, there may be more.  Known bands choose exactly; several matching rows of one
(source class, target class) pair → the largest; the largest over a target's classes and over
the facility's classes decides, ties broken verified > uncertain > local_policy.

Distances are metres, between the facility and the target as the standards measure them
(outer wall / tank shell / equipment); the geometry used is the SQL engine's business.
"""

from __future__ import annotations

import itertools
import math
import re
from dataclasses import dataclass, field, replace
from functools import cached_property

from geo.facility_size import SizeBasis
from geo.vocabulary import HAZARD_LABEL, MAJOR_GRADE_LABEL

STATUS_RANK = {"verified": 0, "verified-1src": 1, "standard": 1, "uncertain": 2, "local_policy": 3}
KINDS = ("fire_separation", "safety_distance", "external_safety", "screening")
TERMS = {"fire_separation": ("防火间距",), "safety_distance": ("安全间距", "安全距离"),
         "external_safety": ("外部安全防护距离",), "screening": ("本地筛查距离",)}
SOURCE_FIELDS = ("tank_volume_m3", "oil_depot_grade", "major_hazard_grade", "station_grade",
                 "vapour_recovery", "lpg_tank_buried", "class_a_34_t", "class_a_1256_t")
TARGET_FIELDS = ("high_rise", "population", "households", "beds")
FIELD_LABEL = {"tank_volume_m3": "储罐总容积", "oil_depot_grade": "石油库等级",
               "major_hazard_grade": "重大危险源等级", "station_grade": "加油加气站等级",
               "vapour_recovery": "油气回收系统情况", "lpg_tank_buried": "LPG储罐设置方式（地上/埋地）",
               "class_a_34_t": "甲类第3、4项物品储量", "class_a_1256_t": "甲类第1、2、5、6项物品储量",
               "high_rise": "是否高层民用建筑", "population": "使用人数", "households": "户数",
               "beds": "床位数"}
VAPOUR_RECOVERY = {"none": 0, "unloading": 1, "unloading_refuelling": 2}  # 无 / 有卸油 / 有卸油和加油油气回收
STAGES = ("production", "trade_storage", "trade", "storage", "transport", "loading", "use", "waste", "pipeline")
TARGET_CATEGORIES = ("school", "kindergarten", "hospital", "nursing_home", "residential", "mall",
                     "transit_station", "stadium", "cultural_relic", "religious_site", "office", "other_public")

_COND_RE = re.compile(r"^\s*([a-z_0-9]+)\s*(<=|>=|<|>|=)\s*(-?\d+(?:\.\d+)?)\s*$")
_OPS = {"<": lambda a, b: a < b, "<=": lambda a, b: a <= b, ">": lambda a, b: a > b,
        ">=": lambda a, b: a >= b, "=": lambda a, b: a == b}


def parse_condition(text: str, fields: tuple[str, ...] = SOURCE_FIELDS) -> tuple[tuple[str, str, float], ...]:
    """``"tank_volume_m3>30;tank_volume_m3<=50"`` → ((field, op, value), …).

    Raises ValueError (Chinese, naming the part) for a malformed part or a field not in ``fields``.
    """
    out = []
    for part in (text or "").split(";"):
        if not part.strip():
            continue
        m = _COND_RE.match(part)
        if not m or m.group(1) not in fields:
            raise ValueError(f"条件“{part.strip()}”无法解析（应为 {'/'.join(fields)} 加 <、<=、>、>=、= 与数字）")
        out.append((m.group(1), m.group(2), float(m.group(3))))
    return tuple(out)


def _evaluate(conds, values: dict) -> bool | None:
    """True/False when every value the condition needs is known; None if one is unknown
    (a known False wins over an unknown)."""
    unknown = False
    for fld, op, value in conds:
        v = values.get(fld)
        if v is None:
            unknown = True
        elif not _OPS[op](float(v), value):
            return False
    return None if unknown else True


@dataclass(frozen=True)
class SeparationRule:
    """One row of ``separation_rules.csv``."""

    rule_id: str
    source_class: str
    source_condition: str  # human-readable (the standard's wording of the band)
    target_class: str
    distance_m: float
    kind: str  # see KINDS
    standard: str
    clause: str
    status: str  # verified / verified-1src / uncertain / local_policy
    note: str = ""
    applies_when: str = ""  # machine-readable condition on SOURCE_FIELDS, see parse_condition()
    term: str = ""  # the standard's own term (防火间距 / 安全间距 / 安全距离 / 本地筛查距离 …)
    bound_note: str = ""  # said whenever this row decides a requirement (e.g. 耐火等级按一、二级取值)

    @cached_property
    def conditions(self) -> tuple[tuple[str, str, float], ...]:
        return parse_condition(self.applies_when)

    def condition_fields(self) -> set[str]:
        return {f for f, _, _ in self.conditions}

    def matches(self, profile: "SourceProfile") -> bool | None:
        """True/False when the profile holds every value the condition needs; None if unknown."""
        return _evaluate(self.conditions, profile.values())


@dataclass(frozen=True)
class TargetClassRule:
    """One row of ``target_classes.csv``: a category belongs to a target class (when …)."""

    category: str
    target_class: str
    source: str
    applies_when: str = ""  # condition on TARGET_FIELDS; empty = always
    note: str = ""
    lower_bound: bool = False  # the class is the least the registry can prove (the note says why)

    @cached_property
    def conditions(self) -> tuple[tuple[str, str, float], ...]:
        return parse_condition(self.applies_when, TARGET_FIELDS)


@dataclass(frozen=True)
class Requirement:
    required_m: float
    rule: SeparationRule
    note: str = ""  # why this band / what was not known, e.g. "登记数据无储罐总容积，取最小档（下限）"
    lower_bound: bool = False  # True: the registry lacked a number; the true requirement may be larger
    # how the derived numbers the band rests on were obtained: (field, text), e.g.
    # ("tank_volume_m3", "由登记储量1250 t推算…") — kept apart from ``note`` so that sources that
    # differ only in those texts share one requirement (see :func:`source_kind`)
    basis: tuple[tuple[str, str], ...] = ()

    @property
    def full_note(self) -> str:
        """``note`` and the basis texts, as shown to users."""
        return "；".join(x for x in (self.note, *(t for _, t in self.basis)) if x)


@dataclass(frozen=True)
class TankFarm:
    """A tank farm of a facility (GB 50016 §4.2–4.4): its source class and total volume."""

    source_class: str  # e.g. LPG储罐区, 甲乙类液体储罐区, 丙类液体储罐区
    volume_m3: float | None = None
    volume_basis: str = ""  # how volume_m3 was obtained when derived, e.g. "由登记储量1250 t推算（…）"


@dataclass(frozen=True)
class SourceProfile:
    """What the separation rules need to know about a source (an enterprise or a candidate site).

    Every number is optional; an unknown number makes the requirement a lower bound.
    ``vapour_recovery``: 0 无油气回收系统, 1 有卸油油气回收系统, 2 有卸油和加油油气回收系统
    (:data:`VAPOUR_RECOVERY`); ``lpg_tank_buried``: 1 埋地, 0 地上; ``class_a_34_t`` /
    ``class_a_1256_t``: t of 甲类第3、4项 / 第1、2、5、6项 物品 stored (GB 50016 表3.1.3).
    """

    facility_type: str | None
    stages: tuple[str, ...] = ()
    major_hazard_grade: int | None = None
    hazard_types: frozenset[str] = field(default_factory=frozenset)  # toxic, flammable, explosive
    fire_classes: frozenset[str] = field(default_factory=frozenset)  # 甲, 乙 … (GB 50016 3.1)
    tank_volume_m3: float | None = None  # total tank volume of the facility's tank farm (m³)
    oil_depot_grade: int | None = None  # GB 50074 库级 1–5
    station_grade: int | None = None  # GB 50156 加油/加气站等级 1–3
    vapour_recovery: int | None = None
    lpg_tank_buried: int | None = None
    class_a_34_t: float | None = None
    class_a_1256_t: float | None = None
    tank_farms: tuple[TankFarm, ...] = ()
    size_basis: tuple[tuple[str, str], ...] = ()  # (field, how it was derived) for derived numbers

    def values(self) -> dict:
        return {f: getattr(self, f) for f in SOURCE_FIELDS}


@dataclass(frozen=True)
class TargetProfile:
    """What the rules need to know about a protection target; None = not registered.

    ``high_rise``: 高层民用建筑 per GB 50016-2014(2018) 2.1.1 (住宅 > 27 m, 其他民用建筑 > 24 m).
    ``population``: 使用人数/人数; ``beds``: 床位数 (GB 50156 附录B thresholds).
    """

    category: str
    high_rise: bool | None = None
    population: float | None = None
    households: int | None = None
    beds: int | None = None

    def values(self) -> dict:
        hr = None if self.high_rise is None else (1 if self.high_rise else 0)
        return {"high_rise": hr, "population": self.population, "households": self.households,
                "beds": self.beds}


_RULE_FIELDS = set(SeparationRule.__dataclass_fields__)
_NUMERIC = {"distance_m"}


def _validate_rule(rule: SeparationRule) -> None:
    rid = rule.rule_id
    if not rule.source_class or not rule.target_class:
        raise ValueError(f"规则 {rid}：source_class/target_class 不能为空")
    if not (isinstance(rule.distance_m, float) and math.isfinite(rule.distance_m) and rule.distance_m > 0):
        raise ValueError(f"规则 {rid}：distance_m 应为正数，实际 {rule.distance_m!r}")
    if rule.kind not in KINDS:
        raise ValueError(f"规则 {rid}：kind 应为 {'/'.join(KINDS)}，实际 {rule.kind!r}")
    if rule.term not in TERMS[rule.kind]:
        raise ValueError(f"规则 {rid}：term 应为 {'/'.join(TERMS[rule.kind])}（kind={rule.kind}），实际 {rule.term!r}")
    if rule.status not in STATUS_RANK:
        raise ValueError(f"规则 {rid}：status 应为 {'/'.join(STATUS_RANK)}，实际 {rule.status!r}")
    if rule.status != "local_policy" and not (rule.standard and rule.clause):
        raise ValueError(f"规则 {rid}：须注明 standard 与 clause，或 status 为 local_policy")
    if rule.kind == "screening" and rule.status != "local_policy":
        raise ValueError(f"规则 {rid}：本地筛查距离（screening）的 status 须为 local_policy")
    try:
        parse_condition(rule.applies_when)
    except ValueError as e:
        raise ValueError(f"规则 {rid}：applies_when {e}") from None


def parse_source_classes(spec: str) -> tuple[tuple[str, ...], ...]:
    """A facility type's source classes: ``"A+B|C"`` → ((A,), (B, C)) — A applies and so does one
    of B or C (not registered which); every group applies, the largest distance wins."""
    out = []
    for part in (spec or "").split("+"):
        alts = tuple(p.strip() for p in part.split("|") if p.strip())
        if part.strip() and not alts:
            raise ValueError(f"源类别“{spec}”格式错误")
        if alts:
            out.append(alts)
    return tuple(out)


@dataclass(frozen=True)
class RuleSet:
    rules: tuple[SeparationRule, ...]
    target_rules: tuple[TargetClassRule, ...]
    facility_classes: dict[str, str]  # facility type → source-class spec ("" = no design-code class)
    version: str
    size_basis: "SizeBasis | None" = None  # data/rules/size_basis.csv (geo.facility_size)

    def __post_init__(self) -> None:
        seen = set()
        for r in self.rules:
            if r.rule_id in seen:
                raise ValueError(f"规则 {r.rule_id}：rule_id 重复")
            seen.add(r.rule_id)
            _validate_rule(r)
        for t in self.target_rules:
            try:
                parse_condition(t.applies_when, TARGET_FIELDS)
            except ValueError as e:
                raise ValueError(f"防护目标类别 {t.category}→{t.target_class}：applies_when {e}") from None
        for ft, spec in self.facility_classes.items():
            try:
                parse_source_classes(spec)
            except ValueError as e:
                raise ValueError(f"设施类型 {ft}：{e}") from None

    @property
    def target_classes(self) -> dict[str, tuple[str, ...]]:
        """Category → every target class it may belong to (conditions ignored)."""
        out: dict[str, list[str]] = {}
        for t in self.target_rules:
            lst = out.setdefault(t.category, [])
            if t.target_class not in lst:
                lst.append(t.target_class)
        return {k: tuple(v) for k, v in out.items()}

    @cached_property
    def by_pair(self) -> dict[tuple[str, str], list[SeparationRule]]:
        """(source class, target class) → its rules, by rule_id."""
        out: dict[tuple[str, str], list[SeparationRule]] = {}
        for r in sorted(self.rules, key=lambda r: r.rule_id):
            out.setdefault((r.source_class, r.target_class), []).append(r)
        return out

    @cached_property
    def cuts(self) -> dict[str, list[float]]:
        """Per source field, the sorted thresholds the rules' conditions use (see :func:`source_kind`)."""
        out: dict[str, set[float]] = {}
        for r in self.rules:
            for f, _, x in r.conditions:
                out.setdefault(f, set()).add(x)
        return {f: sorted(v) for f, v in out.items()}

    def by_id(self, rule_id: str) -> SeparationRule:
        for r in self.rules:
            if r.rule_id == rule_id:
                return r
        raise KeyError(rule_id)

    def with_overrides(self, overrides) -> "RuleSet":
        """Override or add rules by ``rule_id`` (a deployment's ``[[rules.overrides]]``).

        Each override is a dict with ``rule_id`` and any :class:`SeparationRule` fields; a new
        ``rule_id`` adds a rule (needs source_class, target_class, distance_m; defaults kind
        screening, term 本地筛查距离, standard 本地配置, status local_policy).  Unknown keys or bad
        numbers raise ValueError naming the rule_id and the field.
        """
        overrides = list(overrides or ())
        by_id = {r.rule_id: r for r in self.rules}
        for i, o in enumerate(overrides):
            if not isinstance(o, dict) or not str(o.get("rule_id") or "").strip():
                raise ValueError(f"规则覆盖第{i + 1}项缺少 rule_id")
            rid = str(o["rule_id"]).strip()
            unknown = set(o) - _RULE_FIELDS
            if unknown:
                raise ValueError(f"规则覆盖 {rid}：未知字段 {', '.join(sorted(unknown))}")
            values = {k: v for k, v in o.items() if k != "rule_id"}
            for k, v in values.items():
                if k in _NUMERIC:
                    if isinstance(v, bool) or not isinstance(v, (int, float)) or not math.isfinite(v) or v <= 0:
                        raise ValueError(f"规则覆盖 {rid}：{k} 应为正数，实际 {v!r}")
                    values[k] = float(v)
                elif not isinstance(v, str):
                    raise ValueError(f"规则覆盖 {rid}：{k} 应为文本，实际 {v!r}")
            if rid in by_id:
                new = replace(by_id[rid], **values)
            else:
                missing = {"source_class", "target_class", "distance_m"} - set(values)
                if missing:
                    raise ValueError(f"新增规则 {rid} 缺少字段 {', '.join(sorted(missing))}")
                values.setdefault("source_condition", "")
                values.setdefault("kind", "screening")
                values.setdefault("term", TERMS[values["kind"]][0] if values["kind"] in TERMS else "")
                values.setdefault("standard", "本地配置")
                values.setdefault("clause", "")
                values.setdefault("status", "local_policy")
                new = SeparationRule(rule_id=rid, **values)
            try:
                _validate_rule(new)
            except ValueError as e:
                raise ValueError(f"规则覆盖 {e}") from None
            by_id[rid] = new
        if not overrides:
            return self
        return replace(self, rules=tuple(by_id.values()), version=f"{self.version}+{len(overrides)}overrides")


def _rank(rule: SeparationRule) -> int:
    return STATUS_RANK.get(rule.status, 9)


def _design_classes(cls: str, profile: SourceProfile) -> tuple[tuple[str, ...], str]:
    """The design-code class(es) of a facility class under the registered fire classes.

    甲/乙类厂房/仓库 follow the registered fire class (GB 50016 3.1): 甲 if any unit is 甲, else 乙 if
    any is 乙, else 丙类… (no rows carried: no requirement); not registered → 甲 or 乙, the smaller
    distance (a lower bound).  A liquid tank farm holding only 丙类 liquids is a 丙类液体储罐区.
    Returns the alternatives and, when there are several, why.
    """
    fc = set(profile.fire_classes)
    if cls and cls[0] in "甲乙" and cls[1:] in ("类仓库", "类厂房"):
        if not fc:
            return ("甲" + cls[1:], "乙" + cls[1:]), "未登记火灾危险性（甲/乙类），取较小值（下限）"
        grade = next((g for g in "甲乙丙丁戊" if g in fc), "甲")
        return (grade + cls[1:],), ""
    if cls == "甲乙类液体储罐区" and fc and not {"甲", "乙"} & fc:
        return ("丙类液体储罐区",), ""
    return (cls,), ""


@dataclass(frozen=True)
class _Facility:
    alternatives: tuple[str, ...]  # one of these source classes (several: not registered which)
    values: dict
    basis: dict = field(default_factory=dict)  # field → how a derived number was obtained
    why: str = ""  # said when the alternatives give different distances


def _facilities(profile: SourceProfile, ruleset: RuleSet) -> list[_Facility]:
    ft = (profile.facility_type or "").strip()
    fmap = ruleset.facility_classes
    spec = fmap.get(ft, "")
    if not spec and "/" in ft:  # "化工厂/化工生产" style: first mapped part
        spec = next((fmap[p] for p in ft.split("/") if fmap.get(p)), "")
    out: list[_Facility] = []
    values = profile.values()
    for alts in parse_source_classes(spec):
        classes, why = [], ""
        for c in alts:
            more, w = _design_classes(c, profile)
            classes += [m for m in more if m not in classes]
            why = why or w
        if len(alts) > 1:
            why = f"设施类型未细分（{'、'.join(alts)}之一），取最小值（下限）"
        out.append(_Facility(tuple(classes), values, dict(profile.size_basis), why))
    if not out and {"甲", "乙"} & set(profile.fire_classes) and \
            {"production", "storage", "trade_storage"} & set(profile.stages):
        base = "类厂房" if "production" in profile.stages else "类仓库"
        out.append(_Facility((("甲" if "甲" in profile.fire_classes else "乙") + base,), values))
    for farm in profile.tank_farms:
        basis = {**dict(profile.size_basis), "tank_volume_m3": farm.volume_basis}
        out.append(_Facility((farm.source_class,), {**values, "tank_volume_m3": farm.volume_m3}, basis))
    if profile.major_hazard_grade:
        if profile.major_hazard_grade not in (1, 2, 3, 4):
            raise ValueError(f"major_hazard_grade 应为 1–4，实际 {profile.major_hazard_grade!r}")
        g = MAJOR_GRADE_LABEL[profile.major_hazard_grade]
        for ht in sorted(profile.hazard_types):
            if ht not in HAZARD_LABEL:
                raise ValueError(f"hazard_types 含未知类型 {ht!r}（应为 toxic/flammable/explosive）")
            out.append(_Facility((f"{g}重大危险源({HAZARD_LABEL[ht]})",), values))
    return out


def source_classes(profile: SourceProfile, ruleset: RuleSet) -> set[str]:
    """Every source class a profile may belong to (the facility type's class or classes, with
    甲/乙 decided by the registered fire class; a 甲/乙类厂房/仓库 from fire classes when the
    facility type has none; its tank farms; one screening class per hazard type of a major
    hazard source, e.g. ``三级重大危险源(有毒)``)."""
    return {c for f in _facilities(profile, ruleset) for c in f.alternatives}


@dataclass(frozen=True)
class _Pick:
    distance_m: float
    rule: SeparationRule
    notes: tuple[str, ...] = ()
    lower_bound: bool = False
    basis: tuple[tuple[str, str], ...] = ()

    def beats(self, other: "_Pick | None") -> bool:
        """Larger distance, ties to the better-sourced rule."""
        if other is None:
            return True
        if self.distance_m != other.distance_m:
            return self.distance_m > other.distance_m
        return _rank(self.rule) < _rank(other.rule)


def _labels(fields) -> str:
    return "、".join(FIELD_LABEL.get(f, f) for f in sorted(fields))


def _pair(rules: list[SeparationRule], values: dict, basis: dict) -> _Pick | None:
    """The distance of one (source class, target class) pair for one facility."""
    known, unknown = [], []
    for r in rules:
        m = _evaluate(r.conditions, values)
        if m is True:
            known.append(r)
        elif m is None:
            unknown.append(r)
    if known:
        best = max(known, key=lambda r: (r.distance_m, -_rank(r)))
        used = tuple((f, basis[f]) for f in sorted(best.condition_fields()) if f in basis)
        notes = []
        bigger = [r for r in unknown if r.distance_m > best.distance_m]
        if bigger:
            missing = {f for r in bigger for f in r.condition_fields() if values.get(f) is None}
            notes.append(f"登记数据无{_labels(missing)}，实际要求可能更大（下限）")
        return _Pick(best.distance_m, best, tuple(notes + ([best.bound_note] if best.bound_note else [])),
                     bool(bigger) or bool(best.bound_note), used)
    if unknown:
        best = min(unknown, key=lambda r: (r.distance_m, _rank(r)))
        missing = {f for r in unknown for f in r.condition_fields() if values.get(f) is None}
        notes = [f"登记数据无{_labels(missing)}，取最小档（下限）"]
        used = tuple((f, basis[f]) for f in sorted(best.condition_fields())
                     if values.get(f) is not None and f in basis)
        if best.bound_note:
            notes.append(best.bound_note)
        return _Pick(best.distance_m, best, tuple(notes), True, used)
    return None


def _target_readings(target: TargetProfile, ruleset: RuleSet) -> tuple[tuple[str, ...], list[tuple[tuple, dict[str, str]]]]:
    """The target's classes for every value its unknown attributes could take.

    Returns the unknown attributes that decide a class and, per reading (one value per such
    attribute), ``{target class: lower-bound note or ""}``."""
    rows = [t for t in ruleset.target_rules if t.category == target.category]
    conds = [(t, t.conditions) for t in rows]
    values = target.values()
    unknown = tuple(sorted({f for _, c in conds for f, _, _ in c if values.get(f) is None}))
    candidates = []
    for f in unknown:  # representative values of every interval the thresholds cut
        cuts = sorted({v for _, c in conds for g, _, v in c if g == f})
        reps = {0.0, 1.0} if f == "high_rise" else (
            {c - 1 for c in cuts} | set(cuts) | {c + 1 for c in cuts} | {0.0})
        candidates.append(sorted(v for v in reps if v >= 0))
    readings = []
    for combo in itertools.product(*candidates):
        v = {**values, **dict(zip(unknown, combo))}
        classes: dict[str, str] = {}
        for t, c in conds:
            if _evaluate(c, v) is True:
                note = t.note if t.lower_bound else ""
                prev = classes.get(t.target_class)
                classes[t.target_class] = note if prev is None else (prev and note)  # a proven row wins
        readings.append((combo, classes))
    return unknown, readings


_OP_WORD = {"<": "<", "<=": "≤", ">": ">", ">=": "≥"}


def condition_words(conds) -> str:
    """A target condition in words: ``使用人数>500``, ``为高层民用建筑``, ``床位数≥150``."""
    out = []
    for f, op, v in conds:
        if f == "high_rise":
            out.append("为高层民用建筑" if (v == 1) == (op == "=") else "非高层民用建筑")
        else:
            out.append(f"{FIELD_LABEL.get(f, f)}{_OP_WORD.get(op, op)}{v:g}")
    return "且".join(out)


def _decided_classes(target: TargetProfile, ruleset: RuleSet) -> dict[str, str]:
    """Target classes proven by a condition on the target's registered attributes, each with the
    words said when it decides a requirement, e.g. ``防护目标使用人数>500（GB 50156… B.0.1：使用人数
    超过500人的中小学校）→重要公共建筑物``."""
    values = target.values()
    out: dict[str, str] = {}
    for t in ruleset.target_rules:
        if t.category != target.category or not t.conditions or t.target_class in out:
            continue
        if _evaluate(t.conditions, values) is True:
            note = f"：{t.note}" if t.note else ""
            out[t.target_class] = f"防护目标{condition_words(t.conditions)}（{t.source}{note}）→{t.target_class}"
    return out


def _deciding(unknown: tuple[str, ...], by_reading: dict[tuple, float]) -> list[str]:
    """The unknown attributes whose value changes the distance (others held fixed)."""
    out = []
    for i, f in enumerate(unknown):
        groups: dict[tuple, set[float]] = {}
        for combo, d in by_reading.items():
            groups.setdefault(combo[:i] + combo[i + 1:], set()).add(d)
        if any(len(ds) > 1 for ds in groups.values()):
            out.append(f)
    return out


def requirement_for(profile: SourceProfile, ruleset: RuleSet, target: TargetProfile) -> Requirement | None:
    """The required distance between ``profile`` and one protection target (None: no rule applies).

    Per target class: the largest over the facility's classes (an ``A|B`` facility type takes
    the smallest over its alternatives); then the largest over the target's classes; when a
    target attribute that decides a class is unknown, the smallest over what it could be.
    """
    by_pair = ruleset.by_pair
    facilities = _facilities(profile, ruleset)

    def for_classes(classes: dict[str, str]) -> _Pick | None:
        best: _Pick | None = None
        for fac in facilities:
            alt_picks = []
            for sc in fac.alternatives:
                p = None
                for tc in sorted(classes):
                    q = _pair(by_pair.get((sc, tc), []), fac.values, fac.basis)
                    if q is not None and classes[tc]:
                        q = _Pick(q.distance_m, q.rule, q.notes + (classes[tc],), True, q.basis)
                    if q is not None and q.beats(p):
                        p = q
                alt_picks.append(p)
            if len(fac.alternatives) > 1:
                if any(p is None for p in alt_picks):
                    continue  # one of the alternatives has no rule: nothing certain
                low = min(alt_picks, key=lambda p: (p.distance_m, _rank(p.rule)))
                if len({p.distance_m for p in alt_picks}) > 1:
                    pick = _Pick(low.distance_m, low.rule, low.notes + (fac.why,), True, low.basis)
                else:
                    pick = low
            else:
                pick = alt_picks[0]
            if pick is not None and pick.beats(best):
                best = pick
        return best

    unknown, readings = _target_readings(target, ruleset)
    decided = _decided_classes(target, ruleset)
    memo: dict[frozenset, _Pick | None] = {}
    picks = []
    for combo, classes in readings:  # many readings share a class set
        k = frozenset(classes.items())
        if k not in memo:
            memo[k] = for_classes(classes)
        picks.append((combo, memo[k]))
    if any(p is None for _, p in picks):
        return None  # some reading of the target's unknown attributes needs no distance at all
    low = min((p for _, p in picks), key=lambda p: (p.distance_m, _rank(p.rule)))
    notes = ([decided[low.rule.target_class]] if low.rule.target_class in decided else []) + list(low.notes)
    lower = low.lower_bound
    if len({p.distance_m for _, p in picks}) > 1:
        matters = _deciding(unknown, {combo: p.distance_m for combo, p in picks})
        notes.append(f"防护目标未登记{_labels(matters)}，按取值最小的情形（下限）")
        lower = True
    return Requirement(low.distance_m, low.rule, "；".join(dict.fromkeys(n for n in notes if n)), lower, low.basis)


def target_kind(target: TargetProfile, ruleset: RuleSet) -> TargetProfile:
    """``target`` reduced to what the rules of its category can tell apart.

    Each registered attribute is replaced by a representative of its interval among the
    category's thresholds (schools of 250 and 499 people are both "≤ 500"), attributes no rule
    of the category reads become None.  ``requirement_for`` gives the same answer for a target
    and its kind, so a set-based caller computes one requirement per (source, kind) — a handful
    of kinds per category — instead of one per target.
    """
    conds = [c for t in ruleset.target_rules if t.category == target.category
             for c in parse_condition(t.applies_when, TARGET_FIELDS)]
    values = target.values()
    out = {}
    for f in TARGET_FIELDS:
        mine = [(op, x) for g, op, x in conds if g == f]
        v = values.get(f)
        if v is None or not mine:
            out[f] = None
            continue
        truth = tuple(_OPS[op](float(v), x) for op, x in mine)
        reps = sorted({0.0, *(x + d for _, x in mine for d in (-1, 0, 1))})
        out[f] = next((r for r in reps if r >= 0 and tuple(_OPS[op](r, x) for op, x in mine) == truth), float(v))
    hr = out["high_rise"]
    return TargetProfile(target.category, high_rise=None if hr is None else bool(hr), population=out["population"],
                         households=None if out["households"] is None else int(out["households"]),
                         beds=None if out["beds"] is None else int(out["beds"]))


def requirements(profile: SourceProfile, ruleset: RuleSet) -> dict[str, Requirement]:
    """For each protection-target category, the requirement for a target of that category whose
    attributes (height, size) are not known — the lower bound over them (see module docstring)."""
    out: dict[str, Requirement] = {}
    for category in dict.fromkeys(t.category for t in ruleset.target_rules):
        req = requirement_for(profile, ruleset, TargetProfile(category))
        if req is not None:
            out[category] = req
    return out


def requirements_by_target_kind(profile: SourceProfile, ruleset: RuleSet,
                                 kinds: list[tuple[str, str, TargetProfile]]) -> list[tuple[str, str, Requirement]]:
    """``(category, target kind, requirement)``: the default row per category (kind ``""``, as
    :func:`requirements`) and, for each ``(category, kind key, a target of that kind)`` in
    ``kinds``, its own row when it differs from the default (distance, rule or wording) or when
    the category has no default (some unknown reading needs no distance)."""
    default = requirements(profile, ruleset)
    out = [(c, "", r) for c, r in default.items()]
    for category, key, target in kinds:
        if not key:
            continue
        req = requirement_for(profile, ruleset, target)
        if req is not None and req != default.get(category):
            out.append((category, key, req))
    return out


def rule_text(rule: SeparationRule) -> str:
    """The rule in words, the same for every caller: standard, clause, band, the standard's term.

    e.g. ``GB 50156-2012(2014年版) 表4.0.4：加油站（二级站，无油气回收系统）→一类保护物 安全间距不小于 20 m``.
    """
    clause = f" {rule.clause}" if rule.clause else ""
    cond = f"（{rule.source_condition}）" if rule.source_condition else ""
    term = rule.term or TERMS.get(rule.kind, ("",))[0]
    suffix = {"local_policy": "（本地政策，非国家标准）", "uncertain": "（数值待核）"}.get(rule.status, "")
    return (f"{rule.standard}{clause}：{rule.source_class}{cond}→{rule.target_class} "
            f"{term}不小于 {rule.distance_m:g} m{suffix}")


def requirement_text(req: Requirement) -> str:
    """:func:`rule_text` plus why this band was used / what the registry did not say / how a
    derived number was obtained."""
    note = req.full_note
    return rule_text(req.rule) + (f"；{note}" if note else "")


DERIVED = "（推算值）"  # a basis text stripped by source_kind(); resolve_basis() puts the real one back


def _representative(value: float | None, cuts: list[float]) -> float | None:
    """A value that every threshold in ``cuts`` classes like ``value`` (None stays None)."""
    if value is None or not cuts:
        return value
    v = float(value)
    reps = [0.0, cuts[0] - 1.0, *cuts, *((a + b) / 2 for a, b in zip(cuts, cuts[1:])), cuts[-1] + 1.0]
    truth = tuple((v < c, v == c) for c in cuts)
    for r in sorted(reps, key=lambda x: (x < 0, x)):
        if tuple((r < c, r == c) for c in cuts) == truth:
            return int(r) if isinstance(value, int) and float(r).is_integer() else r
    return value


def source_kind(profile: SourceProfile, ruleset: RuleSet) -> SourceProfile:
    """``profile`` reduced to what the rules can tell apart: every number replaced by a
    representative of its interval among the rules' thresholds, tank-farm volumes alike, and the
    basis texts replaced by :data:`DERIVED` (which fields were derived still counts).

    ``resolve_basis(requirement_for(source_kind(p), rules, t), p) == requirement_for(p, rules, t)``
    for every profile and target (a test checks it), so a set-based caller computes one requirement
    per (source kind, target kind) — a few hundred at province scale — instead of per enterprise.
    """
    cuts = ruleset.cuts
    changes = {f: _representative(getattr(profile, f), cuts.get(f, [])) for f in SOURCE_FIELDS}
    farms = tuple(replace(t, volume_m3=_representative(t.volume_m3, cuts.get("tank_volume_m3", [])),
                          volume_basis=f"{DERIVED}#{i}" if t.volume_basis else "")
                  for i, t in enumerate(profile.tank_farms))
    return replace(profile, **changes, tank_farms=farms,
                   size_basis=tuple((f, DERIVED) for f, _ in profile.size_basis))


def resolve_basis(req: Requirement, profile: SourceProfile) -> Requirement:
    """A requirement computed for :func:`source_kind` of ``profile`` with ``profile``'s own basis texts."""
    if not req.basis:
        return req
    own = dict(profile.size_basis)

    def text(field: str, marker: str) -> str:
        if marker.startswith(DERIVED + "#"):  # a tank farm's volume basis
            return profile.tank_farms[int(marker[len(DERIVED) + 1:])].volume_basis
        return own.get(field, marker) if marker == DERIVED else marker

    return replace(req, basis=tuple((f, text(f, t)) for f, t in req.basis))

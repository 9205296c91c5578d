"""Separation rules: required distance by (source class, protection-target class).

The rules table (``data/rules/separation_rules.csv``, loaded by :mod:`etl.rules`) holds one row
per rule with its standard and clause, or ``status=local_policy`` for screening distances that
are a deployment's policy rather than a national number.  Three kinds are kept apart:

* ``fire_separation`` — 防火间距 of the design codes (GB 50016 / GB 50156 / GB 50074);
* ``external_safety`` — 外部安全防护距离 (GB/T 37243-2019; case by case, a deployment may add
  rows for individual installations);
* ``screening`` — local screening distance by major-hazard grade and hazard type (not a
  national number; GB 36894 / GB/T 37243 decide case by case).

A rule may carry a machine-readable condition ``applies_when`` (e.g.
``lpg_volume_m3>30;lpg_volume_m3<=50`` or ``oil_depot_grade=3``) on a numeric attribute of
:class:`SourceProfile`.  When the profile holds the value, only the matching band applies.
When it does not (the registry has no tank volume / depot grade), the smallest distance of
that (source class, target class) applies — a lower bound: every conflict shown is certain,
and the requirement's ``note`` says the band was not known.

Protection-target *categories* (school, hospital, residential, …) map to one or more target
classes (重要公共建筑, 居住区, 民用建筑, 高敏感防护目标); a category's requirement is the
largest distance over its classes, ties broken verified > uncertain > local_policy.
"""

from __future__ import annotations

import math
import re
from dataclasses import dataclass, field, replace

STATUS_RANK = {"verified": 0, "verified-1src": 1, "standard": 1, "uncertain": 2, "local_policy": 3}
KINDS = ("fire_separation", "external_safety", "screening")
GRADE_LABEL = "一二三四"
HAZARD_LABEL = {"toxic": "有毒", "flammable": "易燃易爆", "explosive": "爆炸品"}
CONDITION_FIELDS = ("lpg_volume_m3", "oil_depot_grade", "major_hazard_grade")
STAGES = ("production", "trade_storage", "trade", "storage", "transport", "loading", "use", "waste", "pipeline")
TARGET_CATEGORIES = ("school", "kindergarten", "hospital", "nursing_home", "residential", "mall",
                     "transit_station", "stadium", "cultural_relic", "religious_site", "office", "other_public")

# Fallback facility-type → source-class map, used only when no RuleSet is given to
# source_classes(); the deployed map is data/rules/source_classes.csv (a test keeps them equal).
DEFAULT_FACILITY_CLASSES = {
    "化工厂": "甲类厂房", "化工生产": "甲类厂房", "危化品仓库": "甲类仓库", "加油站": "加油站",
    "加气站": "加油站", "液化石油气充装站": "LPG储罐区", "油库": "石油库", "气体充装站": "甲类仓库",
    "运输企业": "", "停车场": "", "实验室": "", "医院": "", "污水处理厂": "", "危废处置": "", "其他": "",
}

_COND_RE = re.compile(r"^\s*([a-z_0-9]+)\s*(<=|>=|<|>|=)\s*(-?\d+(?:\.\d+)?)\s*$")
_OPS = {"<": lambda a, b: a < b, "<=": lambda a, b: a <= b, ">": lambda a, b: a > b,
        ">=": lambda a, b: a >= b, "=": lambda a, b: a == b}


def parse_condition(text: str) -> tuple[tuple[str, str, float], ...]:
    """``"lpg_volume_m3>30;lpg_volume_m3<=50"`` → ((field, op, value), …); ValueError if malformed."""
    out = []
    for part in (text or "").split(";"):
        if not part.strip():
            continue
        m = _COND_RE.match(part)
        if not m or m.group(1) not in CONDITION_FIELDS:
            raise ValueError(f"条件“{part.strip()}”无法解析（应为 {'/'.join(CONDITION_FIELDS)} 加 <、<=、>、>=、= 与数字）")
        out.append((m.group(1), m.group(2), float(m.group(3))))
    return tuple(out)


@dataclass(frozen=True)
class SeparationRule:
    rule_id: str
    source_class: str
    source_condition: str  # human-readable (from the standard's table)
    target_class: str
    distance_m: float
    kind: str  # fire_separation / external_safety / screening
    standard: str
    clause: str
    status: str  # verified / verified-1src / uncertain / local_policy
    note: str = ""
    applies_when: str = ""  # machine-readable condition, see parse_condition()

    def condition_fields(self) -> set[str]:
        return {f for f, _, _ in parse_condition(self.applies_when)}

    def matches(self, profile: "SourceProfile") -> bool | None:
        """True/False when the profile holds every value the condition needs; None if unknown."""
        conds = parse_condition(self.applies_when)
        for fld, op, value in conds:
            v = getattr(profile, fld, None)
            if v is None:
                return None
            if not _OPS[op](float(v), value):
                return False
        return True


@dataclass(frozen=True)
class Requirement:
    required_m: float
    rule: SeparationRule
    note: str = ""  # e.g. "登记数据无储罐总容积，取最小档（下限）"


@dataclass(frozen=True)
class SourceProfile:
    facility_type: str | None
    stages: tuple[str, ...] = ()
    major_hazard_grade: int | None = None
    hazard_types: frozenset[str] = field(default_factory=frozenset)  # toxic, flammable, explosive
    fire_classes: frozenset[str] = field(default_factory=frozenset)  # 甲, 乙
    lpg_volume_m3: float | None = None  # LPG tank-area total volume
    oil_depot_grade: int | None = None  # GB 50074 库级 1–5


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
    if rule.status not in STATUS_RANK:
        raise ValueError(f"规则 {rid}：status 应为 {'/'.join(STATUS_RANK)}，实际 {rule.status!r}")
    if rule.status != "local_policy" and not rule.standard:
        raise ValueError(f"规则 {rid}：standard 为空时 status 须为 local_policy")
    try:
        parse_condition(rule.applies_when)
    except ValueError as e:
        raise ValueError(f"规则 {rid}：applies_when {e}") from None


@dataclass(frozen=True)
class RuleSet:
    rules: tuple[SeparationRule, ...]
    target_classes: dict[str, tuple[str, ...]]  # category → target classes
    facility_classes: dict[str, str]  # facility type → source class ("" = no design-code class)
    version: str

    def __post_init__(self) -> None:
        seen = set()
        for r in self.rules:
            if r.rule_id in seen:
                raise ValueError(f"规则 {r.rule_id}：rule_id 重复")
            seen.add(r.rule_id)
            _validate_rule(r)

    def by_id(self, rule_id: str) -> SeparationRule:
        for r in self.rules:
            if r.rule_id == rule_id:
                return r
        raise KeyError(rule_id)

    def with_overrides(self, overrides) -> "RuleSet":
        """Override or add rules by ``rule_id`` (a deployment's ``[[rules.overrides]]``).

        Each override is a dict with ``rule_id`` and any :class:`SeparationRule` fields; a new
        ``rule_id`` adds a rule (needs source_class, target_class, distance_m; defaults kind
        screening, standard 本地配置, status local_policy).  Unknown keys or bad numbers raise
        ValueError naming the rule_id and the field.
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


def source_classes(profile: SourceProfile, ruleset: RuleSet | None = None) -> set[str]:
    """Source classes of a profile: the facility type's design-code class (甲/乙 decided by the
    registered fire class), a 甲/乙类厂房/仓库 from fire classes when the facility type has no class,
    and one screening class per hazard type of a major hazard source (e.g. ``三级重大危险源(有毒)``)."""
    fmap = ruleset.facility_classes if ruleset is not None else DEFAULT_FACILITY_CLASSES
    out = set()
    ft = (profile.facility_type or "").strip()
    cls = fmap.get(ft, "")
    if not cls and "/" in ft:  # "化工厂/化工生产" style: first mapped part
        cls = next((fmap[p] for p in ft.split("/") if fmap.get(p)), "")
    if cls and cls[0] in "甲乙" and cls[1:] in ("类仓库", "类厂房"):
        # the registry's fire class (火灾危险性) decides 甲/乙 when given; default 甲 (conservative)
        grade = "乙" if profile.fire_classes and "甲" not in profile.fire_classes else "甲"
        out.add(grade + cls[1:])
    elif cls:
        out.add(cls)
    elif {"甲", "乙"} & set(profile.fire_classes) and {"production", "storage", "trade_storage"} & set(profile.stages):
        base = "类厂房" if "production" in profile.stages else "类仓库"
        out.add(("甲" if "甲" in profile.fire_classes else "乙") + base)
    if profile.major_hazard_grade:
        if profile.major_hazard_grade not in (1, 2, 3, 4):
            raise ValueError(f"major_hazard_grade 应为 1–4，实际 {profile.major_hazard_grade!r}")
        g = GRADE_LABEL[profile.major_hazard_grade - 1]
        for ht in sorted(profile.hazard_types):
            if ht not in HAZARD_LABEL:
                raise ValueError(f"hazard_types 含未知类型 {ht!r}（应为 toxic/flammable/explosive）")
            out.add(f"{g}级重大危险源({HAZARD_LABEL[ht]})")
    return out


_FIELD_LABEL = {"lpg_volume_m3": "储罐总容积", "oil_depot_grade": "石油库等级", "major_hazard_grade": "重大危险源等级"}


def requirements(profile: SourceProfile, ruleset: RuleSet) -> dict[str, Requirement]:
    """For each protection-target category, the largest required distance and the rule setting it."""
    classes = source_classes(profile, ruleset)
    # per (source class, target class): the matching band, or the smallest band when unknown
    per_pair: dict[tuple[str, str], tuple[SeparationRule, str]] = {}
    for r in sorted(ruleset.rules, key=lambda r: r.rule_id):
        if r.source_class not in classes:
            continue
        m = r.matches(profile)
        if m is False:
            continue
        k = (r.source_class, r.target_class)
        note = ""
        if m is None:
            labels = "、".join(_FIELD_LABEL.get(f, f) for f in sorted(r.condition_fields()))
            note = f"登记数据无{labels}，取最小档（下限）"
        cur = per_pair.get(k)
        if cur is None:
            per_pair[k] = (r, note)
            continue
        cr, cnote = cur
        if (m is True) != (not cnote):  # exact matches beat unknown bands
            if m is True:
                per_pair[k] = (r, note)
            continue
        if m is True:  # several matching rows: the largest (conservative)
            better = r.distance_m > cr.distance_m or (r.distance_m == cr.distance_m and _rank(r) < _rank(cr))
        else:  # unknown band: the smallest (lower bound)
            better = r.distance_m < cr.distance_m or (r.distance_m == cr.distance_m and _rank(r) < _rank(cr))
        if better:
            per_pair[k] = (r, note)
    out: dict[str, Requirement] = {}
    for category, tclasses in ruleset.target_classes.items():
        best: tuple[SeparationRule, str] | None = None
        for (_, tc), (rule, note) in per_pair.items():
            if tc not in tclasses:
                continue
            if best is None or rule.distance_m > best[0].distance_m or (
                    rule.distance_m == best[0].distance_m and _rank(rule) < _rank(best[0])):
                best = (rule, note)
        if best is not None:
            out[category] = Requirement(best[0].distance_m, best[0], best[1])
    return out

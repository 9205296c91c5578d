"""Separation rules: required distance by (source class, protection-target class).

The rules table (``data/rules/separation_rules.csv``) holds one row per rule with its
standard and clause, or ``status=local_policy`` for screening distances that are a
deployment's policy rather than a national number.  Two kinds are kept apart, as the
standards require: ``fire_separation`` (防火间距 of the design codes GB 50016 / GB 50156 /
GB 50074) and ``screening`` (local screening by major-hazard grade; the real external safety
distance 外部安全防护距离 is decided case by case under GB/T 37243 / GB 36894).

Where a rule has size conditions the registry cannot evaluate (tank volume, depot grade,
storage class items), the requirement takes the smallest distance of that source class —
a lower bound: every conflict shown is certain, and the reason says the band was not known.
"""

from __future__ import annotations

from dataclasses import dataclass, field, replace

STATUS_RANK = {"verified": 0, "verified-1src": 1, "standard": 1, "uncertain": 2, "local_policy": 3}
GRADE_LABEL = "一二三四"
HAZARD_LABEL = {"toxic": "有毒", "flammable": "易燃易爆", "explosive": "爆炸品"}


@dataclass(frozen=True)
class SeparationRule:
    rule_id: str
    source_class: str
    source_condition: str
    target_class: str
    distance_m: float
    kind: str
    standard: str
    clause: str
    status: str
    note: str = ""


@dataclass(frozen=True)
class Requirement:
    required_m: float
    rule: SeparationRule


@dataclass(frozen=True)
class RuleSet:
    rules: tuple[SeparationRule, ...]
    target_classes: dict[str, tuple[str, ...]]  # category → target classes
    facility_classes: dict[str, str]  # facility type → source class
    version: str

    def with_overrides(self, overrides) -> "RuleSet":
        """Override or add rules by ``rule_id`` (deployment config, no code change)."""
        by_id = {r.rule_id: r for r in self.rules}
        allowed = set(SeparationRule.__dataclass_fields__)
        for i, o in enumerate(overrides):
            if not isinstance(o, dict) or not o.get("rule_id"):
                raise ValueError(f"规则覆盖第{i + 1}项缺少 rule_id")
            rid = str(o["rule_id"])
            unknown = set(o) - allowed
            if unknown:
                raise ValueError(f"规则覆盖 {rid}：未知字段 {', '.join(sorted(unknown))}")
            values = dict(o)
            if "distance_m" in values:
                d = values["distance_m"]
                if isinstance(d, bool) or not isinstance(d, (int, float)) or d <= 0:
                    raise ValueError(f"规则覆盖 {rid}：distance_m 应为正数，实际 {d!r}")
                values["distance_m"] = float(d)
            if rid in by_id:
                by_id[rid] = replace(by_id[rid], **values)
            else:
                missing = {"source_class", "target_class", "distance_m"} - set(values)
                if missing:
                    raise ValueError(f"新增规则 {rid} 缺少字段 {', '.join(sorted(missing))}")
                values.setdefault("source_condition", "")
                values.setdefault("kind", "screening")
                values.setdefault("standard", "本地配置")
                values.setdefault("clause", "")
                values.setdefault("status", "local_policy")
                by_id[rid] = SeparationRule(**values)
        return replace(self, rules=tuple(by_id.values()),
                       version=self.version + (f"+{len(overrides)}overrides" if overrides else ""))


@dataclass(frozen=True)
class SourceProfile:
    facility_type: str | None
    stages: tuple[str, ...]
    major_hazard_grade: int | None = None
    hazard_types: frozenset[str] = field(default_factory=frozenset)  # toxic, flammable, explosive
    fire_classes: frozenset[str] = field(default_factory=frozenset)  # 甲, 乙


def source_classes(profile: SourceProfile, ruleset: RuleSet) -> set[str]:
    out = set()
    ft = (profile.facility_type or "").strip()
    cls = ruleset.facility_classes.get(ft)
    if cls and cls[0] in "甲乙" and cls[1:] in ("类仓库", "类厂房"):
        # the registry's fire class (火灾危险性) decides 甲/乙 when given; default 甲
        grade = "乙" if profile.fire_classes and "甲" not in profile.fire_classes else "甲"
        out.add(grade + cls[1:])
    elif cls:
        out.add(cls)
    elif {"甲", "乙"} & set(profile.fire_classes) and {"production", "storage", "trade_storage"} & set(profile.stages):
        base = "类厂房" if "production" in profile.stages else "类仓库"
        out.add(("甲" if "甲" in profile.fire_classes else "乙") + base)
    if profile.major_hazard_grade:
        g = GRADE_LABEL[profile.major_hazard_grade - 1]
        for ht in sorted(profile.hazard_types):
            out.add(f"{g}级重大危险源({HAZARD_LABEL[ht]})")
    return out


def requirements(profile: SourceProfile, ruleset: RuleSet) -> dict[str, Requirement]:
    """For each protection-target category, the largest required distance and its rule."""
    classes = source_classes(profile, ruleset)
    # per (source class, target class): the smallest distance among condition bands (lower bound)
    per_pair: dict[tuple[str, str], SeparationRule] = {}
    for r in ruleset.rules:
        if r.source_class not in classes:
            continue
        k = (r.source_class, r.target_class)
        cur = per_pair.get(k)
        if cur is None or r.distance_m < cur.distance_m or (
                r.distance_m == cur.distance_m and STATUS_RANK.get(r.status, 9) < STATUS_RANK.get(cur.status, 9)):
            per_pair[k] = r
    out: dict[str, Requirement] = {}
    for category, tclasses in ruleset.target_classes.items():
        best = None
        for (sc, tc), rule in per_pair.items():
            if tc not in tclasses:
                continue
            if best is None or rule.distance_m > best.distance_m or (
                    rule.distance_m == best.distance_m
                    and STATUS_RANK.get(rule.status, 9) < STATUS_RANK.get(best.status, 9)):
                best = rule
        if best is not None:
            out[category] = Requirement(best.distance_m, best)
    return out

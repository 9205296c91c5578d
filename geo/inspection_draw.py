"""双随机一公开: a seeded, reproducible draw of enterprises (by stratum) and of their inspectors.

Strata are colour × 安全生产标准化等级 × credit class (``data/rules/inspection_draw.toml``).  Each
stratum's quota is given or defaults to ``ceil(colour rate × credit factor × stratum size)``.  An
enterprise whose inspections this year would pass the annual cap of its 标准化 level (Shanxi: at most
2/4/8/12 a year for 一级/二级/三级/未定级) is not drawn.  Each inspection gets at least two inspectors
(《行政处罚法》第四十二条) from the enterprise's supervising departments, none of whom is recused
(第四十三条: a declared conflict with the enterprise, or a department the enterprise names as conflicted).

Reproducible and verifiable: an enterprise's rank is ``SHA-256(seed ␟ period ␟ enterprise key)``, an
inspector's for an enterprise ``SHA-256(seed ␟ period ␟ enterprise key ␟ inspector key)`` (hex, ␟ = U+001F);
each stratum takes its lowest-ranked eligible enterprises, each inspection its lowest-ranked eligible
inspectors.  The same seed and inputs give the same draw whatever their order; the draw publishes the
seed's SHA-256 so that the seed can be committed before and revealed after.
"""

from __future__ import annotations

import hashlib
import math
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from pathlib import Path

from geo.datafile import read_toml
from geo.errors import InvalidInput

FILE_NAME = "inspection_draw.toml"
_SEP = "\x1f"


class DrawRulesError(ValueError):
    """``inspection_draw.toml`` is malformed (the message names file and key)."""


@dataclass(frozen=True)
class DrawRules:
    version: str
    colours: tuple[str, ...]
    standardisation: tuple[str, ...]  # labels of level 1, 2, 3, then 未定级 (level 0)
    unknown_standardisation: str
    credit_classes: tuple[str, ...]
    unrated_credit: str
    annual_caps: Mapping[str, int]
    colour_rate: Mapping[str, float]
    credit_factor: Mapping[str, float]
    inspectors_per_inspection: int
    pool: str

    def standardisation_label(self, level: int | None) -> str:
        if level is None:
            return self.unknown_standardisation
        return self.standardisation[level - 1] if level else self.standardisation[-1]


def load_draw_rules(directory: str | Path) -> DrawRules:
    """Read and check ``inspection_draw.toml`` in ``directory``."""
    doc = read_toml(Path(directory) / FILE_NAME, error=DrawRulesError, what="抽查规则文件")

    def get(table: str, key: str, kind):
        v = doc.get(table, {}).get(key) if table else doc.get(key)
        if not isinstance(v, kind) or isinstance(v, bool) and kind is not bool:
            raise DrawRulesError(f"{FILE_NAME} {('[' + table + '].') if table else ''}{key} 缺少或类型不对")
        return v

    strata_std = tuple(get("strata", "standardisation", list))
    if len(strata_std) != 4:
        raise DrawRulesError(f"{FILE_NAME} [strata].standardisation 应为 一级、二级、三级、未定级 四项")
    colours, credits = tuple(get("strata", "colours", list)), tuple(get("strata", "credit_classes", list))
    unrated = get("strata", "unrated_credit", str)
    caps = get("annual_caps", "caps", dict)
    rate = get("default_rates", "colour", dict)
    factor = get("default_rates", "credit_factor", dict)
    for name, table, keys in (("[annual_caps].caps", caps, strata_std), ("[default_rates].colour", rate, colours),
                              ("[default_rates].credit_factor", factor, credits + (unrated,))):
        if set(table) != set(keys):
            raise DrawRulesError(f"{FILE_NAME} {name} 应恰好有 {'、'.join(keys)}")
        if any(isinstance(v, bool) or not isinstance(v, (int, float)) or v < 0 for v in table.values()):
            raise DrawRulesError(f"{FILE_NAME} {name} 的值应为非负数")
    per = get("inspectors", "per_inspection", int)
    if per < 2:
        raise DrawRulesError(f"{FILE_NAME} [inspectors].per_inspection 不能少于 2（《行政处罚法》第四十二条）")
    pool = get("inspectors", "pool", str)
    if pool not in ("supervising_departments", "any"):
        raise DrawRulesError(f"{FILE_NAME} [inspectors].pool 应为 supervising_departments/any")
    return DrawRules(get("", "version", str), colours, strata_std, get("strata", "unknown_standardisation", str),
                     credits, unrated, dict(caps), dict(rate), dict(factor), per, pool)


@dataclass(frozen=True)
class DrawEnterprise:
    """An enterprise in the draw population.  ``standardisation``: 1/2/3, 0 = 未定级, None = not registered;
    ``credit_class``: one of the rules' classes or None (未评定); ``inspections_this_year``: 执法检查 so far
    this calendar year; ``recused_departments``: departments that must not inspect it."""

    key: str
    risk_color: str
    standardisation: int | None
    credit_class: str | None
    departments: tuple[str, ...]
    inspections_this_year: int = 0
    recused_departments: tuple[str, ...] = ()


@dataclass(frozen=True)
class Inspector:
    key: str
    name: str
    department: str
    recused_enterprises: frozenset[str] = frozenset()


@dataclass(frozen=True)
class Stratum:
    colour: str
    standardisation: str
    credit: str


@dataclass(frozen=True)
class DrawnInspection:
    enterprise: str
    stratum: Stratum
    rank: str
    inspectors: tuple[str, ...]


@dataclass(frozen=True)
class StratumResult:
    stratum: Stratum
    population: int
    quota: int
    drawn: int
    capped: tuple[str, ...]      # over the annual cap: not drawable
    unstaffed: tuple[str, ...]   # reached, but fewer than the required inspectors were eligible

    @property
    def shortfall(self) -> int:
        return self.quota - self.drawn


@dataclass(frozen=True)
class Draw:
    period: str
    seed_sha256: str
    rules_version: str
    strata: tuple[StratumResult, ...]
    inspections: tuple[DrawnInspection, ...]
    notes: tuple[str, ...]


def _rank(*parts: str) -> str:
    return hashlib.sha256(_SEP.join(parts).encode("utf-8")).hexdigest()


def stratum_of(e: DrawEnterprise, rules: DrawRules) -> Stratum:
    return Stratum(e.risk_color, rules.standardisation_label(e.standardisation), e.credit_class or rules.unrated_credit)


def _cap(e: DrawEnterprise, rules: DrawRules) -> int:
    label = rules.standardisation_label(e.standardisation if e.standardisation is not None else 0)
    return rules.annual_caps[label]


def _check(enterprises: list[DrawEnterprise], inspectors: list[Inspector], rules: DrawRules, seed: str,
           period: str) -> None:
    if not isinstance(seed, str) or not seed.strip():
        raise InvalidInput("seed", "随机种子（seed）不能为空")
    if not isinstance(period, str) or not period.strip():
        raise InvalidInput("period", "抽查期间（period）不能为空")
    for what, keys in (("企业", [e.key for e in enterprises]), ("检查人员", [i.key for i in inspectors])):
        dup = sorted({k for k in keys if keys.count(k) > 1})
        if dup:
            raise InvalidInput("enterprises" if what == "企业" else "inspectors", f"{what}编号重复：{'、'.join(dup)}")
    for e in enterprises:
        if e.risk_color not in rules.colours:
            raise InvalidInput("enterprises", f"企业 {e.key} 的风险颜色 {e.risk_color!r} 未知")
        if e.standardisation not in (None, 0, 1, 2, 3):
            raise InvalidInput("enterprises", f"企业 {e.key} 的标准化等级应为 0–3 或空")
        if e.credit_class is not None and e.credit_class not in rules.credit_classes:
            raise InvalidInput("enterprises", f"企业 {e.key} 的信用分类应为 {'/'.join(rules.credit_classes)} 或空")
        if e.inspections_this_year < 0:
            raise InvalidInput("enterprises", f"企业 {e.key} 的本年已检查次数不能为负")


def _quotas(quotas: Mapping[Stratum, int] | None, rules: DrawRules) -> dict[Stratum, int]:
    out = {}
    levels = rules.standardisation + (rules.unknown_standardisation,)
    credits = rules.credit_classes + (rules.unrated_credit,)
    for s, q in (quotas or {}).items():
        known = s.colour in rules.colours and s.standardisation in levels and s.credit in credits
        if not known:
            raise InvalidInput("quotas", f"未知分层 {s.colour}/{s.standardisation}/{s.credit}")
        if isinstance(q, bool) or not isinstance(q, int) or q < 0:
            raise InvalidInput("quotas", f"分层 {s.colour}/{s.standardisation}/{s.credit} 的抽取数应为非负整数")
        out[s] = q
    return out


def draw(enterprises: Iterable[DrawEnterprise], inspectors: Iterable[Inspector], *, seed: str, period: str,
         rules: DrawRules, quotas: Mapping[Stratum, int] | None = None) -> Draw:
    """Draw the period's inspections.  ``quotas`` replace the default quota of the strata they name.

    Raises
    ------
    InvalidInput
        Empty seed or period, duplicate keys, unknown strata or values (the field is named).
    """
    enterprises, inspectors = list(enterprises), list(inspectors)
    _check(enterprises, inspectors, rules, seed, period)
    given = _quotas(quotas, rules)
    by_stratum: dict[Stratum, list[DrawEnterprise]] = {}
    for e in enterprises:
        by_stratum.setdefault(stratum_of(e, rules), []).append(e)
    order = {c: i for i, c in enumerate(rules.colours)}
    std_order = {s: i for i, s in enumerate(rules.standardisation + (rules.unknown_standardisation,))}
    credit_order = {c: i for i, c in enumerate(rules.credit_classes + (rules.unrated_credit,))}
    strata = sorted(set(by_stratum) | set(given),
                    key=lambda s: (order[s.colour], std_order[s.standardisation], credit_order[s.credit]))
    results, inspections, notes = [], [], []
    for s in strata:
        members = sorted(by_stratum.get(s, []), key=lambda e: _rank(seed, period, e.key))
        default = min(len(members), math.ceil(rules.colour_rate[s.colour] * rules.credit_factor[s.credit] * len(members)
                                              - 1e-9))
        quota = given.get(s, default)
        capped, unstaffed, drawn = [], [], 0
        for e in members:
            if e.inspections_this_year + 1 > _cap(e, rules):
                capped.append(e.key)
                continue
            if drawn >= quota:
                continue
            team = _team(e, inspectors, rules, seed, period)
            if team is None:
                unstaffed.append(e.key)
                continue
            inspections.append(DrawnInspection(e.key, s, _rank(seed, period, e.key), team))
            drawn += 1
        results.append(StratumResult(s, len(members), quota, drawn, tuple(capped), tuple(unstaffed)))
        if drawn < quota:
            notes.append(f"分层 {s.colour}/{s.standardisation}/{s.credit} 应抽 {quota} 家，实抽 {drawn} 家"
                         f"（超过年度检查上限 {len(capped)} 家，检查人员不足 {len(unstaffed)} 家）")
    if any(e.standardisation is None for e in enterprises):
        notes.append(f"标准化等级未登记的企业单列为“{rules.unknown_standardisation}”分层，年度检查上限按未定级计")
    return Draw(period, hashlib.sha256(seed.encode("utf-8")).hexdigest(), rules.version, tuple(results),
                tuple(inspections), tuple(notes))


def _team(e: DrawEnterprise, inspectors: list[Inspector], rules: DrawRules, seed: str,
          period: str) -> tuple[str, ...] | None:
    eligible = [i for i in inspectors
                if (rules.pool == "any" or i.department in e.departments)
                and i.department not in e.recused_departments and e.key not in i.recused_enterprises]
    if len(eligible) < rules.inspectors_per_inspection:
        return None
    eligible.sort(key=lambda i: _rank(seed, period, e.key, i.key))
    return tuple(i.key for i in eligible[:rules.inspectors_per_inspection])

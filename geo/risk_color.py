"""Four-colour enterprise grading per 应急〔2018〕19号 — every item, with what is known and what is not.

One function per guide item (:data:`ITEM_FUNCTIONS`) turns the derived facts (registry, GB 18218,
conflicts, accident records, hidden-danger ledger) into the item's reason lines; assessed items
(inspection, self-assessment, import — the newest per item wins) replace an item's derivation.
:func:`assess_enterprise` puts them together:

* ``risk_score`` / ``risk_color`` from what is known — an unassessed item takes no deduction;
* ``risk_score_min`` / ``risk_color_worst`` — every item not fully known takes its full deduction,
  and every unevaluated direct-red condition counts as possibly red (→ worst = red);
* ``assessment_coverage`` — the share of the guide's 100 points whose items are assessed or derived
  (for an enterprise under the 本地细化 variant: of the points that apply to it); ``provisional`` —
  coverage < 1;
* ``reasons`` ``{code, text, points, category, status, source}`` that add up to the score
  (``base + Σ points == risk_score``; a ``SCORE_BOUND`` row keeps the sum when the score is bounded),
  led by the deciding reason (direct red first); ``summary`` lines such as
  “初步分级：…，未评估 N 分，最不利可能为红色（重大风险）”.

Each item's deductions are capped at its ``max_deduction`` inside the reason that reaches the cap
(the text says so); bonuses (加分) are added on top.  Direct red (any of the guide's four conditions
met) makes the colour red whatever the score (a ``DIRECT_RED`` row, 0 points).  Accidents are counted
in the guide's own windows (:mod:`geo.accidents`).  火灾爆炸危险性 counts each 甲/乙 class site
(每处: a production unit, storeroom or tank farm), not each fire class.

Stages outside the guide's scope (use, transport, trade without storage, loading, waste, pipeline)
use the model's documented variant (本地细化): only its groups and direct-red conditions apply, and
their reasons say 本地细化.

The model (items, caps, points, bands, colours) is a :class:`geo.colour_model.ColourModel`.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Iterable
from dataclasses import dataclass, replace

from geo.accidents import (KIND_LABEL, AccidentCounts, AccidentHistory, Bound, count_in_window,
                           fatalities_in_window)
from geo.colour_model import ColourModel, DirectRedCondition, GuideItem
from geo.errors import InvalidInput
from geo.hidden_danger import LedgerContribution

ASSESSMENT_SOURCES = ("inspection", "self_assessment", "import")
SOURCE_LABEL = {"registry": "登记数据", "hidden_danger_ledger": "隐患台账", "gb18218": "GB 18218 辨识",
                "conflicts": "距离冲突计算", "consequence": "后果与个人风险计算", "inspection": "检查", "self_assessment": "企业自评", "import": "导入",
                "model": "评估模型"}
STATUS_LABEL = {"assessed": "已评估", "derived": "数据推算", "unassessed": "未评估"}
CONDITION_STATUS_LABEL = {"met": "存在", "not_met": "不存在", "unevaluated": "未评估"}
NOT_HELD = "：未评估（登记数据不含此项）"
VARIANT_TAG = "（本地细化）"
FIRE_CLASSES = ("甲", "乙", "丙", "丁", "戊")  # GB 50016 火灾危险性分类; only 甲 and 乙 are scored
_CN = "一二三四五六七八九十"


# --------------------------------------------------------------------------------------------- inputs
@dataclass(frozen=True)
class FireSite:
    """One site counted by 火灾爆炸危险性 (每处): a production unit, storeroom or tank farm and its
    GB 50016 fire class.  Sites with the same ``key`` are one site."""

    key: str
    fire_class: str

    def __post_init__(self) -> None:
        if self.fire_class not in FIRE_CLASSES:
            raise ValueError(f"火灾危险性应为 {'/'.join(FIRE_CLASSES)}，实际 {self.fire_class!r}")


@dataclass(frozen=True)
class SubstanceCounts:
    """Distinct chemicals of the inventory by the guide's classes (from the catalogue)."""

    explosive: int = 0
    toxic_inhalation: int = 0
    key_supervised: int = 0  # other 重点监管 chemicals (neither explosive nor toxic by inhalation)


@dataclass(frozen=True)
class ExternalDistanceFinding:
    """外部安全防护距离 as the consequence and risk tier found it (GB/T 37243-2019, GB 36894-2018):
    ``status`` ``met`` / ``not_met`` / ``not_computed`` with its Chinese ``text``
    (:mod:`geo.postgis.consequence`).  When given, it decides the item instead of the conflict count."""

    status: str
    text: str
    source: str = "consequence"

    def __post_init__(self) -> None:
        if self.status not in ("met", "not_met", "not_computed"):
            raise ValueError(f"外部安全防护距离结论应为 met/not_met/not_computed，实际 {self.status!r}")


@dataclass(frozen=True)
class DerivedFacts:
    """What the data say about one enterprise.  ``None`` = not known (→ 未评估).

    ``major_hazard_grades``: GB 18218 grades of its major hazard units (``()`` = identified, none);
    ``hazardous_processes``: how many of the 18 key-supervised hazardous processes it runs;
    ``fire_sites``: its 甲/乙 (and other) class sites; ``external_distance_conflicts``: protection
    targets closer than required; ``accidents``: dated records or registry counts;
    ``safety_standardisation_level``: 1/2/3, 0 = 未定级; ``major_hidden_dangers``: the registry's
    count of unrectified 重大隐患, used when no ``ledger`` contribution is given.
    """

    stages: tuple[str, ...]
    major_hazard_grades: tuple[int, ...] | None = None
    substances: SubstanceCounts | None = None
    hazardous_processes: int | None = None
    fire_sites: tuple[FireSite, ...] | None = None
    in_chemical_park: bool | None = None
    external_distance_conflicts: int | None = None
    accidents: AccidentHistory | AccidentCounts | None = None
    safety_standardisation_level: int | None = None
    major_hidden_dangers: int | None = None
    ledger: LedgerContribution | None = None
    external_distance: ExternalDistanceFinding | None = None  # from consequences and individual risk

    def __post_init__(self) -> None:
        object.__setattr__(self, "stages", tuple(self.stages))
        if self.major_hazard_grades is not None:
            object.__setattr__(self, "major_hazard_grades", tuple(self.major_hazard_grades))
            for g in self.major_hazard_grades:
                if g not in (1, 2, 3, 4):
                    raise ValueError(f"major_hazard_grades 应为 1–4，实际 {g!r}")
        if self.fire_sites is not None:
            object.__setattr__(self, "fire_sites", tuple(self.fire_sites))
        if self.safety_standardisation_level not in (None, 0, 1, 2, 3):
            raise ValueError(f"safety_standardisation_level 应为 0（未定级）/1/2/3，实际 {self.safety_standardisation_level!r}")
        for name in ("hazardous_processes", "external_distance_conflicts", "major_hidden_dangers"):
            v = getattr(self, name)
            if v is not None and (isinstance(v, bool) or not isinstance(v, int) or v < 0):
                raise ValueError(f"{name} 应为非负整数，实际 {v!r}")


@dataclass(frozen=True)
class AssessedItem:
    """An item's points as an inspector (or a self-assessment, or an import) found them."""

    code: str
    points: float
    evidence: str
    by: str
    at: dt.date
    source: str = "inspection"


@dataclass(frozen=True)
class AssessedCondition:
    """A direct-red condition as an inspector found it: ``met`` or not."""

    code: str
    met: bool
    evidence: str
    by: str
    at: dt.date
    source: str = "inspection"


Assessed = AssessedItem | AssessedCondition


# -------------------------------------------------------------------------------------------- outputs
@dataclass(frozen=True)
class ItemLine:
    """One reason line of an item: ``points`` before the item's cap (``None`` = unknown);
    ``exact`` False when the points are a lower bound (more may apply)."""

    code: str
    groups: tuple[str, ...]
    label: str
    points: float | None
    text: str = ""
    source: str | None = None
    exact: bool = True


@dataclass(frozen=True)
class Reason:
    code: str
    text: str
    points: float
    category: str
    status: str
    source: str | None
    variant: bool = False
    item: str | None = None  # the guide item (评估项) the line belongs to; None for SCORE_BOUND, DIRECT_RED …

    def as_dict(self) -> dict:
        return {"code": self.code, "text": self.text, "points": self.points, "category": self.category,
                "status": self.status, "source": self.source, "variant": self.variant, "item": self.item}


@dataclass(frozen=True)
class ItemAssessment:
    """One guide item of one enterprise: ``points`` known, ``worst_points`` if every unknown applies."""

    code: str
    label: str
    category: str
    max_deduction: float
    in_guide: bool
    points: float
    worst_points: float
    status: str
    source: str | None
    evidence: str
    by: str | None
    at: dt.date | None

    def as_dict(self) -> dict:
        return {"code": self.code, "label": self.label, "category": self.category,
                "max_deduction": self.max_deduction, "in_guide": self.in_guide, "points": self.points,
                "worst_points": self.worst_points, "status": self.status, "status_label": STATUS_LABEL[self.status],
                "source": self.source, "source_label": "+".join(SOURCE_LABEL[s] for s in self.source.split("+"))
                if self.source else None, "evidence": self.evidence, "by": self.by,
                "at": self.at.isoformat() if self.at else None}


@dataclass(frozen=True)
class ConditionFinding:
    """A direct-red condition: ``met`` / ``not_met`` / ``unevaluated``, with what decided it."""

    code: str
    label: str
    status: str
    text: str
    source: str | None
    clause: str

    def as_dict(self) -> dict:
        return {"code": self.code, "label": self.label, "status": self.status,
                "status_label": CONDITION_STATUS_LABEL[self.status], "text": self.text, "source": self.source,
                "clause": self.clause}


@dataclass(frozen=True)
class EnterpriseAssessment:
    risk_score: float
    risk_color: str
    risk_score_min: float
    risk_color_worst: str
    assessment_coverage: float
    provisional: bool
    unassessed_points: float
    items: tuple[ItemAssessment, ...]
    reasons: tuple[Reason, ...]
    direct_red: tuple[ConditionFinding, ...]
    direct_red_unevaluated: tuple[ConditionFinding, ...]
    not_assessed: tuple[str, ...]
    variant: bool
    model_version: str
    as_of: dt.date
    summary: tuple[str, ...]

    def as_dict(self) -> dict:
        """JSON-ready (dates as ISO strings)."""
        return {"risk_score": self.risk_score, "risk_color": self.risk_color, "risk_score_min": self.risk_score_min,
                "risk_color_worst": self.risk_color_worst, "assessment_coverage": self.assessment_coverage,
                "provisional": self.provisional, "unassessed_points": self.unassessed_points,
                "items": [i.as_dict() for i in self.items], "reasons": [r.as_dict() for r in self.reasons],
                "direct_red": [d.as_dict() for d in self.direct_red],
                "direct_red_unevaluated": [d.as_dict() for d in self.direct_red_unevaluated],
                "not_assessed": list(self.not_assessed), "variant": self.variant,
                "model_version": self.model_version, "as_of": self.as_of.isoformat(), "summary": list(self.summary)}


# ------------------------------------------------------------------------------------- line helpers
def _unknown(code: str, label: str, groups: tuple[str, ...] | None = None) -> ItemLine:
    return ItemLine(code, groups or (code,), label, None)


def _count_points(item: GuideItem, code: str, n: int) -> float:
    c = item.criterion(code)
    return round(c.points * (n if c.per == "each" else (1 if n else 0)), 2)


def _ledger_line(item: GuideItem, group: str, facts: DerivedFacts) -> ItemLine | None:
    """A line for ``group`` from the hidden-danger ledger's findings, or None when it has none."""
    if facts.ledger is None:
        return None
    criteria = item.in_group(group)
    found = [(c, facts.ledger.criterion(c.code)) for c in criteria]
    found = [(c, f) for c, f in found if f is not None]
    if not found:
        return None
    points = round(sum(_count_points(item, c.code, f.count) for c, f in found), 2)
    exact = len(criteria) == 1 and criteria[0].per == "once"
    text = "；".join(f"{c.label}：隐患台账 {f.count} 项{'' if exact else '（至少）'}（{f.evidence}）" for c, f in found)
    return ItemLine(group, (group,), item.group(group).label, points, text, "hidden_danger_ledger", exact)


def _ledger_or_unknown(item: GuideItem, facts: DerivedFacts) -> tuple[ItemLine, ...]:
    """Lines of an item the registries never hold: the ledger's findings, the rest 未评估 (one line)."""
    lines, unknown = [], []
    for g in item.groups:
        line = _ledger_line(item, g.code, facts)
        if line is None:
            unknown.append(g)
        else:
            lines.append(line)
    if unknown:
        codes = tuple(g.code for g in unknown)
        if lines:
            label = f"{item.label}（{'、'.join(g.label for g in unknown)}）"
        else:
            label = unknown[0].label if len(unknown) == 1 else item.label
        lines.append(_unknown(codes[0] if len(codes) == 1 else item.code, label, codes))
    return tuple(lines)


def _window(years: int) -> str:
    return f"{_CN[years - 1] if years <= 10 else years}年内"


# ------------------------------------------------------------------------------- one function per item
def item_major_hazard(facts: DerivedFacts, item: GuideItem, *, as_of: dt.date) -> tuple[ItemLine, ...]:
    """重大危险源: the highest GB 18218 grade among the enterprise's major hazard units."""
    g = item.groups[0]
    if facts.major_hazard_grades is None:
        return (_unknown(g.code, g.label),)
    if not facts.major_hazard_grades:
        return (ItemLine(g.code, (g.code,), g.label, 0.0, "未构成重大危险源（GB 18218 辨识）", "gb18218"),)
    top = min(facts.major_hazard_grades)
    c = next(c for c in item.criteria if c.grade == top)
    n = len(facts.major_hazard_grades)
    text = c.label + (f"（重大危险源 {n} 处，按最高等级计）" if n > 1 else "")
    return (ItemLine(g.code, (g.code,), g.label, c.points, text, "gb18218"),)


def item_substance(facts: DerivedFacts, item: GuideItem, *, as_of: dt.date) -> tuple[ItemLine, ...]:
    """物质危险性: explosives, toxic-by-inhalation and other key-supervised chemicals, each kind counted."""
    g = item.groups[0]
    s = facts.substances
    if s is None:
        return (_unknown(g.code, g.label),)
    raw = round(_count_points(item, "SUBSTANCE_EXPLOSIVE", s.explosive)
                + _count_points(item, "SUBSTANCE_TOXIC_INHALATION", s.toxic_inhalation)
                + _count_points(item, "SUBSTANCE_KEY_SUPERVISED", s.key_supervised), 2)
    parts = [f"爆炸品 {s.explosive} 种" if s.explosive else "",
             f"吸入性剧毒化学品 {s.toxic_inhalation} 种" if s.toxic_inhalation else "",
             f"其他重点监管危险化学品 {s.key_supervised} 种" if s.key_supervised else ""]
    text = "物质危险性：" + ("、".join(p for p in parts if p) or "不涉及爆炸品、吸入性剧毒及重点监管危险化学品")
    return (ItemLine(g.code, (g.code,), g.label, raw, text, "registry"),)


def item_processes(facts: DerivedFacts, item: GuideItem, *, as_of: dt.date) -> tuple[ItemLine, ...]:
    """危险化工工艺种类: each of the 18 key-supervised hazardous processes the enterprise runs."""
    g = item.groups[0]
    n = facts.hazardous_processes
    if n is None:
        return (_unknown(g.code, g.label),)
    text = f"涉及重点监管危险化工工艺 {n} 种" if n else "不涉及重点监管危险化工工艺"
    return (ItemLine(g.code, (g.code,), g.label, _count_points(item, "PROCESSES_EACH", n), text, "registry"),)


def item_fire(facts: DerivedFacts, item: GuideItem, *, as_of: dt.date) -> tuple[ItemLine, ...]:
    """火灾爆炸危险性: each 甲/乙 class site (每处); 明火设施比邻 only by assessment."""
    sites_g, flame_g = item.group("FIRE_CLASS"), item.group("FIRE_OPEN_FLAME")
    if facts.fire_sites is None:
        lines = [_unknown(sites_g.code, sites_g.label)]
    else:
        classes = {s.key: s.fire_class for s in facts.fire_sites}
        a = sum(1 for c in classes.values() if c == "甲")
        b = sum(1 for c in classes.values() if c == "乙")
        raw = round(_count_points(item, "FIRE_CLASS_A_SITE", a) + _count_points(item, "FIRE_CLASS_B_SITE", b), 2)
        lines = [ItemLine(sites_g.code, (sites_g.code,), sites_g.label, raw,
                          f"甲类火灾危险性厂房/库房/罐区 {a} 处、乙类 {b} 处", "registry")]
    lines.append(_ledger_line(item, flame_g.code, facts) or _unknown(flame_g.code, flame_g.label))
    return tuple(lines)


def item_surroundings(facts: DerivedFacts, item: GuideItem, *, as_of: dt.date) -> tuple[ItemLine, ...]:
    """周边环境: outside a chemical park (registry); external safety distance (conflicts, ledger)."""
    park_g, dist_g = item.group("OUTSIDE_PARK"), item.group("DISTANCE_NOT_MET")
    if facts.in_chemical_park is None:
        park = _unknown(park_g.code, park_g.label)
    elif facts.in_chemical_park:
        park = ItemLine(park_g.code, (park_g.code,), park_g.label, 0.0, "企业在化工园区（化工集中区）内", "registry")
    else:
        park = ItemLine(park_g.code, (park_g.code,), park_g.label, item.criterion("OUTSIDE_PARK").points,
                        "企业在化工园区（化工集中区）外", "registry")
    n = facts.external_distance_conflicts
    points = item.criterion("DISTANCE_NOT_MET").points
    found = facts.external_distance
    if found is not None:  # the consequence / individual-risk tier decides (GB/T 37243-2019)
        if found.status == "not_computed":
            dist = _ledger_line(item, dist_g.code, facts) or ItemLine(dist_g.code, (dist_g.code,), dist_g.label, None,
                                                                       found.text, found.source)
        else:
            dist = ItemLine(dist_g.code, (dist_g.code,), dist_g.label, points if found.status == "not_met" else 0.0,
                            found.text, found.source)
    elif n:
        dist = ItemLine(dist_g.code, (dist_g.code,), dist_g.label, points,
                        f"外部安全防护距离不符合要求：{n} 处防护目标距离不足", "conflicts")
    else:
        dist = _ledger_line(item, dist_g.code, facts)
        if dist is None and n == 0:
            dist = ItemLine(dist_g.code, (dist_g.code,), dist_g.label, 0.0,
                            "外部安全防护距离：未发现距离不足的防护目标（按规则表）", "conflicts")
        dist = dist or _unknown(dist_g.code, dist_g.label)
    return park, dist


def item_design(facts: DerivedFacts, item: GuideItem, *, as_of: dt.date) -> tuple[ItemLine, ...]:
    """设计与评估: by assessment (no registry holds it)."""
    return _ledger_or_unknown(item, facts)


def item_equipment(facts: DerivedFacts, item: GuideItem, *, as_of: dt.date) -> tuple[ItemLine, ...]:
    """设备: by assessment; the ledger shows 淘汰落后工艺设备 and 双电源 hidden dangers."""
    return _ledger_or_unknown(item, facts)


def item_controls(facts: DerivedFacts, item: GuideItem, *, as_of: dt.date) -> tuple[ItemLine, ...]:
    """自控与安全设施: by assessment; the ledger shows automation, shut-off and gas-detection hidden dangers."""
    return _ledger_or_unknown(item, facts)


def item_personnel(facts: DerivedFacts, item: GuideItem, *, as_of: dt.date) -> tuple[ItemLine, ...]:
    """人员资质: by assessment; the ledger shows unqualified principals and safety managers."""
    return _ledger_or_unknown(item, facts)


def item_management(facts: DerivedFacts, item: GuideItem, *, as_of: dt.date) -> tuple[ItemLine, ...]:
    """安全管理制度: by assessment; the ledger shows missing procedures, special-work rules, responsibility."""
    return _ledger_or_unknown(item, facts)


def item_emergency(facts: DerivedFacts, item: GuideItem, *, as_of: dt.date) -> tuple[ItemLine, ...]:
    """应急管理: the fire-brigade bonus, by assessment."""
    return _ledger_or_unknown(item, facts)


def _accident_line(facts: DerivedFacts, item: GuideItem, as_of: dt.date) -> tuple[ItemLine, ...]:
    g = item.group("ACCIDENTS")
    rows = {"ACCIDENT_LARGER": "larger_or_above", "ACCIDENT_FATAL": "fatal", "ACCIDENT_SOCIAL_IMPACT": "social_impact"}
    bounds = {code: count_in_window(facts.accidents, kind=kind, window_years=item.criterion(code).window_years,
                                    as_of=as_of) for code, kind in rows.items()}
    if all(b.low == 0 and b.high is None for b in bounds.values()):
        return (_unknown(g.code, g.label),)
    years = item.criterion("ACCIDENT_LARGER").window_years
    raw = round(sum(_count_points(item, code, b.low) for code, b in bounds.items()), 2)
    parts = []
    larger = bounds["ACCIDENT_LARGER"]
    if larger.low:
        parts.append(f"{KIND_LABEL['larger_or_above']} {larger.low} 起")
    fatal = bounds["ACCIDENT_FATAL"]
    if fatal.low:
        deaths = fatalities_in_window(facts.accidents, window_years=years, as_of=as_of)
        parts.append(f"亡人事故 {fatal.low} 起" + (f"（死亡 {deaths} 人）" if deaths is not None else ""))
    if bounds["ACCIDENT_SOCIAL_IMPACT"].low:
        parts.append(f"{KIND_LABEL['social_impact']} {bounds['ACCIDENT_SOCIAL_IMPACT'].low} 起")
    exact = all(b.exact for b in bounds.values())
    text = _window(years) + "、".join(parts) if parts else f"{_window(years)}已登记的事故项均为 0 起"
    lines = [ItemLine(g.code, (g.code,), g.label, raw, text, "registry", exact)]
    if isinstance(facts.accidents, AccidentCounts):
        unknown = [KIND_LABEL[k] for k in ("major", "larger", "fatal", "social_impact")
                   if getattr(facts.accidents, k) is None]
    else:
        unknown = [KIND_LABEL[rows[code]] for code, b in bounds.items() if b.high is None]
    if unknown and not exact:
        lines.append(_unknown(g.code, f"近{_window(years)[:-1]}" + "、".join(unknown) + "记录"))
    return tuple(lines)


def item_performance(facts: DerivedFacts, item: GuideItem, *, as_of: dt.date) -> tuple[ItemLine, ...]:
    """安全管理绩效: accidents in the guide's three-year window, the 标准化 bonus, five accident-free years."""
    lines = list(_accident_line(facts, item, as_of))
    std = item.group("STANDARDISATION")
    level = facts.safety_standardisation_level
    if level is None:
        lines.append(_unknown(std.code, std.label))
    elif level == 0:
        lines.append(ItemLine(std.code, (std.code,), std.label, 0.0, "安全生产标准化未定级（不加分）", "registry"))
    else:
        c = next(c for c in item.criteria if c.level == level)
        lines.append(ItemLine(std.code, (std.code,), std.label, c.points, f"安全生产标准化{_CN[level - 1]}级（加分）",
                              "registry"))
    free = item.group("ACCIDENT_FREE_5Y")
    c = item.criterion("ACCIDENT_FREE_5Y")
    b = count_in_window(facts.accidents, kind="any", window_years=c.window_years, as_of=as_of)
    if b.exact and b.low == 0:
        lines.append(ItemLine(free.code, (free.code,), free.label, c.points, f"{_window(c.window_years)}无事故（加分）",
                              "registry"))
    elif b.low > 0:
        lines.append(ItemLine(free.code, (free.code,), free.label, 0.0,
                              f"{_window(c.window_years)}有事故 {b.low} 起（不加分）", "registry"))
    else:
        lines.append(_unknown(free.code, free.label))
    return tuple(lines)


def item_hidden_danger(facts: DerivedFacts, item: GuideItem, *, as_of: dt.date) -> tuple[ItemLine, ...]:
    """未整改重大事故隐患 (本地细化): from the ledger when given, else the registry's count."""
    g = item.groups[0]
    if facts.ledger is not None:
        n, source = facts.ledger.open_major, "hidden_danger_ledger"
        detail = f"：{facts.ledger.open_major_evidence}" if n else ""
    elif facts.major_hidden_dangers is not None:
        n, source, detail = facts.major_hidden_dangers, "registry", ""
    else:
        return (_unknown(g.code, g.label),)
    text = f"未整改重大事故隐患 {n} 项（{item.source}）{detail}"
    return (ItemLine(g.code, (g.code,), g.label, _count_points(item, "HIDDEN_DANGER_OPEN_MAJOR", n), text, source),)


ITEM_FUNCTIONS: dict[str, Callable[..., tuple[ItemLine, ...]]] = {
    "MAJOR_HAZARD": item_major_hazard, "SUBSTANCE": item_substance, "PROCESSES": item_processes,
    "FIRE": item_fire, "SURROUNDINGS": item_surroundings, "DESIGN": item_design, "EQUIPMENT": item_equipment,
    "CONTROLS": item_controls, "PERSONNEL": item_personnel, "MANAGEMENT": item_management,
    "EMERGENCY": item_emergency, "PERFORMANCE": item_performance, "HIDDEN_DANGER": item_hidden_danger,
}


# ------------------------------------------------------------------------------ direct-red conditions
def _accident_condition(cond: DirectRedCondition, facts: DerivedFacts, as_of: dt.date) -> tuple[str, str]:
    met, open_ = [], []
    for rule in cond.accident_rules:
        b: Bound = count_in_window(facts.accidents, kind=rule.kind, window_years=rule.window_years, as_of=as_of)
        what = f"{_window(rule.window_years)}{KIND_LABEL[rule.kind]}"
        if b.low >= rule.min_count:
            met.append(f"{what} {b.low} 起")
        elif b.high is None or b.high >= rule.min_count:
            known = f"已知至少 {b.low} 起" if b.low else "无完整记录"
            bound = f"，至多 {b.high} 起（登记数据只有更长年限的计数）" if b.high is not None else ""
            open_.append(f"{what}：{known}{bound}")
    if met:
        return "met", "；".join(met)
    if open_:
        return "unevaluated", "；".join(open_)
    return "not_met", "事故记录不满足本情形"


def _condition(cond: DirectRedCondition, facts: DerivedFacts, entry: AssessedCondition | None,
               as_of: dt.date) -> ConditionFinding:
    """Met when any input shows it met (data, ledger, assessment); not met when the data or the
    newest assessment rule it out; otherwise unevaluated."""
    status, text, source = "unevaluated", "", None
    if cond.accident_rules:
        status, text = _accident_condition(cond, facts, as_of)
        source = "registry" if facts.accidents is not None else None
    ledger = facts.ledger.condition(cond.code) if facts.ledger is not None else None
    if status != "met" and ledger is not None:
        status, text, source = "met", f"隐患台账 {ledger.count} 项：{ledger.evidence}", "hidden_danger_ledger"
    if entry is not None and (status == "unevaluated" or (status == "not_met" and entry.met)):
        status = "met" if entry.met else "not_met"
        text = f"{SOURCE_LABEL[entry.source]}（{entry.by}，{entry.at.isoformat()}）：{entry.evidence}"
        source = entry.source
    return ConditionFinding(cond.code, cond.label, status, text, source, cond.source)


# -------------------------------------------------------------------------------------- assembling
def _points_text(p: float) -> str:
    return f"扣{-p:g}分" if p < 0 else (f"加{p:g}分" if p > 0 else "不扣分")


def validate_assessed(entry: Assessed, model: ColourModel) -> None:
    """Check an assessed item or condition against the model (code, points range, source).

    Raises
    ------
    InvalidInput
        Naming the field in Chinese (评估项代码, 扣分/得分, 来源, 证据, 评估人).
    """
    codes = [i.code for i in model.items] + [d.code for d in model.direct_red]
    if entry.code not in codes:
        raise InvalidInput("评估项代码", f"未知评估项代码“{entry.code}”（可用：{'、'.join(codes)}）")
    if entry.source not in ASSESSMENT_SOURCES:
        raise InvalidInput("来源", f"评估来源应为 检查/企业自评/导入，实际“{entry.source}”")
    if not entry.evidence.strip():
        raise InvalidInput("证据", "评估须写明证据")
    if not entry.by.strip():
        raise InvalidInput("评估人", "评估须写明评估人")
    is_condition = any(d.code == entry.code for d in model.direct_red)
    if is_condition != isinstance(entry, AssessedCondition):
        raise InvalidInput("扣分/得分", f"“{entry.code}”是{'直接判定红色情形，应填 是/否' if is_condition else '评分项，应填分数'}")
    if isinstance(entry, AssessedItem):
        item = model.item(entry.code)
        if not -item.max_deduction <= entry.points <= item.max_bonus:
            raise InvalidInput("扣分/得分", f"“{item.label}”的分数应在 {-item.max_deduction:g} 到 {item.max_bonus:g} 之间"
                                         f"（本项最多扣{item.max_deduction:g}分），实际 {entry.points:g}")


def newest_assessed(entries: Iterable[Assessed]) -> dict[str, Assessed]:
    """The newest entry per code (by ``at``; on the same day the later one given)."""
    out: dict[str, Assessed] = {}
    for e in entries:
        if e.code not in out or e.at >= out[e.code].at:
            out[e.code] = e
    return out


def _derived_item(item: GuideItem, lines: tuple[ItemLine, ...], variant: bool,
                  as_of: dt.date) -> tuple[ItemAssessment, list[Reason], list[str]]:
    reasons, unknown_labels, used, bonus, texts = [], [], 0.0, 0.0, []
    uncertain_deduction = False
    for line in lines:
        has_deduction = any(c.points < 0 for g in line.groups for c in item.in_group(g))
        if line.points is None:
            unknown_labels.append(line.label)
            uncertain_deduction |= has_deduction
            reasons.append(Reason(line.code, line.text or line.label + NOT_HELD, 0.0, item.category, "unassessed", None,
                                  variant, item.code))
            continue
        uncertain_deduction |= has_deduction and not line.exact
        raw = round(line.points, 2)
        pts, note = raw, ""
        if raw < 0:
            pts = round(max(raw, -item.max_deduction - used), 2)
            used = round(used + pts, 2)
            if pts != raw:
                note = (f"（合计{raw:g}分，本项最多扣{item.max_deduction:g}分）" if used == pts
                        else f"（{item.label}本项最多扣{item.max_deduction:g}分）")
        else:
            bonus = round(bonus + pts, 2)
        text = line.text + note + (VARIANT_TAG if variant else "")
        texts.append(line.text)
        reasons.append(Reason(line.code, text, pts, item.category, "derived", line.source, variant, item.code))
    known = [ln for ln in lines if ln.points is not None]
    status = "derived" if known and not uncertain_deduction else "unassessed"
    sources = sorted({ln.source for ln in known if ln.source})
    worst = round((-item.max_deduction if uncertain_deduction else used) + bonus, 2)
    result = ItemAssessment(item.code, item.label, item.category, item.max_deduction, item.in_guide,
                            round(used + bonus, 2), worst, status, "+".join(sources) or None, "；".join(texts),
                            None, as_of if known else None)
    return result, reasons, unknown_labels


def _assessed_item(item: GuideItem, entry: AssessedItem, variant: bool) -> tuple[ItemAssessment, list[Reason]]:
    pts = round(float(entry.points), 2)
    text = (f"{item.label}：{_points_text(pts)}（{SOURCE_LABEL[entry.source]}，{entry.by}，{entry.at.isoformat()}："
            f"{entry.evidence}）" + (VARIANT_TAG if variant else ""))
    result = ItemAssessment(item.code, item.label, item.category, item.max_deduction, item.in_guide, pts, pts,
                            "assessed", entry.source, entry.evidence, entry.by, entry.at)
    return result, [Reason(item.code, text, pts, item.category, "assessed", entry.source, variant, item.code)]


def _ordered(reasons: list[Reason]) -> list[Reason]:
    """Deciding reasons first: deductions (largest first), bonuses, then zero and 未评估 rows."""
    deductions = sorted((r for r in reasons if r.points < 0), key=lambda r: r.points)
    bonuses = sorted((r for r in reasons if r.points > 0), key=lambda r: -r.points)
    zero_known = [r for r in reasons if r.points == 0 and r.status != "unassessed"]
    unknown = [r for r in reasons if r.points == 0 and r.status == "unassessed"]
    return deductions + bonuses + zero_known + unknown


def assess_enterprise(facts: DerivedFacts, assessed: Iterable[Assessed] = (), *, model: ColourModel,
                      as_of: dt.date, extra_reasons: Iterable[dict] = ()) -> EnterpriseAssessment:
    """Grade one enterprise from its derived facts and its assessed items, as of ``as_of``.

    ``extra_reasons``: lines of a local refinement outside the guide (e.g. a waste site's findings,
    ``{code, text, points, category[, source]}``, their texts saying they are local policy); their
    points count in the score and in the worst score alike.

    ``assessed`` may hold several entries per code (history): the newest wins.  Entries are
    checked with :func:`validate_assessed`.
    """
    entries = list(assessed)
    for e in entries:
        validate_assessed(e, model)
    latest = newest_assessed(entries)
    variant = not (set(facts.stages) & model.variant.guide_stages)
    items, reasons, not_assessed = [], [], []
    for item in model.items:
        lines = ITEM_FUNCTIONS[item.code](facts, item, as_of=as_of)
        entry = latest.get(item.code)
        if variant:
            lines = tuple(ln for ln in lines if set(ln.groups) & model.variant.groups)
            if not lines:
                if entry is not None:
                    reasons.append(Reason(item.code, f"{item.label}：已录入评估，本地细化变体不评此项（不计分）", 0.0,
                                          item.category, "assessed", entry.source, True, item.code))
                continue
        if entry is not None:
            result, rows = _assessed_item(item, entry, variant)
        else:
            result, rows, unknown = _derived_item(item, lines, variant, as_of)
            not_assessed.extend(unknown)
        items.append(result)
        reasons.extend(rows)

    extra = [Reason(r["code"], r["text"], round(float(r["points"]), 2), r.get("category", "本地细化"), "derived",
                    r.get("source"), True) for r in extra_reasons]
    reasons.extend(extra)
    reasons = _ordered(reasons)
    score = round(model.score_base + sum(r.points for r in reasons), 2)
    if not model.score_min <= score <= model.score_max:
        bound = model.score_max if score > model.score_max else model.score_min
        text = f"总分以{bound:g}分为界" + ("（加分后超出部分不计）" if bound == model.score_max else "")
        reasons.insert(sum(1 for r in reasons if r.points != 0),
                       Reason("SCORE_BOUND", text, round(bound - score, 2), "总分", "derived", "model"))
        score = bound
    worst_score = round(model.score_base + sum(i.worst_points for i in items) + sum(r.points for r in extra), 2)
    worst_score = min(max(worst_score, model.score_min), model.score_max)

    findings = [_condition(c, facts, latest.get(c.code), as_of) for c in model.direct_red
                if not variant or c.code in model.variant.direct_red]
    met = tuple(f for f in findings if f.status == "met")
    open_ = tuple(f for f in findings if f.status == "unevaluated")
    red = model.colours[0]
    colour = red.code if met else model.colour_for(score)
    colour_worst = red.code if (met or open_) else model.colour_for(worst_score)
    if met:
        reasons.insert(0, Reason("DIRECT_RED", f"直接判定为{red.name}（{red.label}）："
                                 + "；".join(f"{f.label}（{f.text}；{f.clause}）" for f in met), 0.0, "直接判定",
                                 "assessed" if all(f.source in ASSESSMENT_SOURCES for f in met) else "derived",
                                 "+".join(sorted({f.source for f in met if f.source}))))
    if open_:
        reasons.append(Reason("DIRECT_RED_UNEVALUATED", f"直接判定为{red.name}的情形未评估：" + "；".join(
            f.label + (f"（{f.text}）" if f.text else "") for f in open_), 0.0, "直接判定", "unassessed", None, variant))
    if variant:
        reasons.append(Reason("VARIANT", f"环节（{'、'.join(facts.stages) or '未登记'}）不在应急〔2018〕19号适用范围内，"
                                         f"按{model.variant.label}", 0.0, "本地细化", "derived", "model", True))

    guide_items = [i for i in items if i.in_guide]
    total = round(sum(i.max_deduction for i in guide_items), 2)
    known_points = round(sum(i.max_deduction for i in guide_items if i.status != "unassessed"), 2)
    coverage = round(known_points / total, 4) if total else 1.0
    result = EnterpriseAssessment(
        risk_score=score, risk_color=colour, risk_score_min=worst_score, risk_color_worst=colour_worst,
        assessment_coverage=coverage, provisional=coverage < 1, unassessed_points=round(total - known_points, 2),
        items=tuple(items), reasons=tuple(reasons), direct_red=met, direct_red_unevaluated=open_,
        not_assessed=tuple(not_assessed), variant=variant, model_version=model.version, as_of=as_of, summary=())
    return replace(result, summary=summary_lines(result, model))


def summary_lines(result: EnterpriseAssessment, model: ColourModel) -> tuple[str, ...]:
    """What a popup or the enterprise page leads with: the deciding reason, then how final the colour is.

    E.g. ``("直接判定为红色（重大风险）：…",)`` or
    ``("有一级重大危险源", "初步分级：蓝色（低风险，90分），未评估 65 分，最不利可能为红色（重大风险）")``.
    """
    lines, red = [], model.colours[0]
    if result.direct_red:
        lines.append(f"直接判定为{red.name}（{red.label}）：" + "；".join(f.label for f in result.direct_red))
    else:
        lead = next((r for r in result.reasons if r.points < 0), None)
        lines.append(lead.text if lead else "无扣分项")
    c, w = model.colour(result.risk_color), model.colour(result.risk_color_worst)
    now = f"{c.name}（{c.label}，{result.risk_score:g}分）"
    worst = f"最不利可能为{w.name}（{w.label}）"
    n_open = len(result.direct_red_unevaluated)
    open_ = f"直接判定为{red.name}的情形未评估 {n_open} 项" if n_open else ""
    if result.provisional:
        lines.append(f"初步分级：{now}，未评估 {result.unassessed_points:g} 分" + (f"，{open_}" if open_ else "")
                     + (f"，{worst}" if result.risk_color_worst != result.risk_color else "，最不利情形颜色不变"))
    else:
        lines.append(f"评估完整：{now}" + (f"；但{open_}，{worst}" if open_ else ""))
    return tuple(lines)



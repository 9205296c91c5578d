"""Four-colour enterprise grading per 应急〔2018〕19号, from what the registries hold.

Score = 100 + Σ points of the reasons (deductions negative, bonuses positive), each item capped
at the guide's maximum *inside* its reason's points (the text says so), then bounded to
[model.score.min, model.score.max] by an explicit ``SCORE_BOUND`` reason — so
``100 + Σ reason.points == risk_score`` always holds.  Colour by the guide's bands
(蓝 ≥ 90; 黄 75–<90; 橙 60–<75; 红 < 60); a direct-red condition (重大事故, 2 起较大事故, 2 起以上亡人
事故, or any ``direct_red_flags``) makes the colour red whatever the score (reason ``DIRECT_RED``,
0 points).

Items the registries do not hold (设计与评估, 设备, 自控与安全设施, 人员资质, 安全管理制度, …) and any
input not supplied (``None``) are listed as reasons with 0 points and the text
“…：未评估（登记数据不含此项）”, and in ``RiskResult.not_assessed`` — never silently scored.

Stages outside the guide's scope (use, transport, trade without storage, loading, waste,
pipeline) use a documented VARIANT: only major hazard, substance hazard, external distance,
accident record and major hidden dangers are scored; each such reason is marked 本地细化 and the
model file labels it 本地细化(非应急〔2018〕19号原文).

The model (points, caps, bands) is ``data/rules/risk_model.toml``, loaded by :mod:`etl.rules`.
"""

from __future__ import annotations

from dataclasses import dataclass, field

COLOR_HEX = {"red": "#E02020", "orange": "#F5A623", "yellow": "#F8E71C", "blue": "#2F80ED"}
COLOR_LABEL = {"red": "重大风险", "orange": "较大风险", "yellow": "一般风险", "blue": "低风险"}
COLORS = ("red", "orange", "yellow", "blue")  # most to least severe
GUIDE_STAGES = {"production", "storage", "trade_storage"}
ACCIDENT_KEYS = ("major_accidents", "larger_accidents", "fatal_accidents", "fatalities", "social_impact_accidents")
NOT_HELD = "：未评估（登记数据不含此项）"
VARIANT_TAG = "（本地细化）"

_LEGACY = {  # older keyword names still accepted by EnterpriseFacts(...)
    "n_explosive": "n_explosive_chemicals",
    "n_toxic_inhalation": "n_toxic_inhalation_chemicals",
    "n_key_supervised": "n_key_supervised_chemicals",
    "fire_sites": "fire_class_sites",
    "distance_conflicts": "external_distance_conflicts",
    "standardisation_level": "safety_standardisation_level",
}


@dataclass(frozen=True)
class EnterpriseFacts:
    """What the registries say about one enterprise.  ``None`` = not supplied (→ 未评估).

    ``accidents_3y``: dict with any of major_accidents (重大及以上), larger_accidents (较大),
    fatal_accidents (亡人一般事故), fatalities, social_impact_accidents; a missing key or None
    value is not supplied.  ``fire_class_sites``: {"甲": n, "乙": n}.
    """

    stages: tuple[str, ...] = ()
    major_hazard_grades: tuple[int, ...] = ()
    n_explosive_chemicals: int = 0
    n_toxic_inhalation_chemicals: int = 0
    n_key_supervised_chemicals: int = 0  # other 重点监管 chemicals
    in_chemical_park: bool | None = None
    external_distance_conflicts: int | None = 0
    accidents_3y: dict | None = None
    major_hidden_dangers: int | None = None
    safety_standardisation_level: int | None = None  # 1/2/3
    fire_class_sites: dict | None = None
    direct_red_flags: tuple[str, ...] = ()

    def __post_init__(self) -> None:
        for g in self.major_hazard_grades:
            if g not in (1, 2, 3, 4):
                raise ValueError(f"major_hazard_grades 应为 1–4，实际 {g!r}")
        if self.safety_standardisation_level not in (None, 1, 2, 3):
            raise ValueError(f"safety_standardisation_level 应为 1/2/3，实际 {self.safety_standardisation_level!r}")
        if self.accidents_3y is not None:
            unknown = set(self.accidents_3y) - set(ACCIDENT_KEYS)
            if unknown:
                raise ValueError(f"accidents_3y 含未知项 {', '.join(sorted(unknown))}")
        if self.fire_class_sites is not None and set(self.fire_class_sites) - {"甲", "乙"}:
            raise ValueError("fire_class_sites 只接受 甲、乙")


_dataclass_init = EnterpriseFacts.__init__


def _init_with_legacy_names(self, *args, larger_accidents_3y=None, fatal_accidents_3y=None, **kw):
    for old, new in _LEGACY.items():
        if old in kw:
            if new in kw:
                raise TypeError(f"{old} 与 {new} 不能同时给出")
            kw[new] = kw.pop(old)
    if larger_accidents_3y is not None or fatal_accidents_3y is not None:
        acc = dict(kw.get("accidents_3y") or {})
        acc.setdefault("larger_accidents", larger_accidents_3y)
        acc.setdefault("fatal_accidents", fatal_accidents_3y)
        kw["accidents_3y"] = acc
    for k in ("stages", "major_hazard_grades", "direct_red_flags"):
        if k in kw and kw[k] is not None:
            kw[k] = tuple(kw[k])
    _dataclass_init(self, *args, **kw)


EnterpriseFacts.__init__ = _init_with_legacy_names  # type: ignore[method-assign]


@dataclass(frozen=True)
class RiskResult:
    risk_color: str
    risk_score: float
    reasons: list[dict]  # {code, text, points, category[, variant]}
    model_version: str
    variant: bool = False
    not_assessed: list[str] = field(default_factory=list)
    direct_red: bool = False


def colour_for(score: float, model: dict) -> str:
    """The colour band of a score (bands from the model: min inclusive, max exclusive)."""
    for band in model["bands"]:
        lo = band.get("score_min_inclusive", float("-inf"))
        hi = band.get("score_max_exclusive", float("inf"))
        if lo <= score < hi:
            return band["risk_color"]
    raise ValueError(f"分数 {score!r} 不在任何颜色区间内")


def _cap(points: float, max_deduction: float) -> float:
    return max(points, -max_deduction) if points < 0 else points


def _cap_note(raw: float, capped: float, max_deduction: float) -> str:
    return f"（合计{raw:g}分，本项最多扣{max_deduction:g}分）" if raw != capped else ""


def grade_enterprise(f: EnterpriseFacts, model: dict) -> RiskResult:
    items = model["items"]
    variant = not (GUIDE_STAGES & set(f.stages))
    reasons: list[dict] = []
    not_assessed: list[str] = []

    def add(code: str, text: str, points: float, category: str, tag: bool = True) -> None:
        r = {"code": code, "text": text, "points": round(float(points), 2), "category": category}
        if variant and code not in ("VARIANT", "DIRECT_RED", "SCORE_BOUND"):
            r["text"] += VARIANT_TAG if tag else ""
            r["variant"] = True
        reasons.append(r)

    def unknown(code: str, item: str, category: str) -> None:
        not_assessed.append(item)
        add(code, item + NOT_HELD, 0.0, category, tag=False)

    # 固有危险性 — 重大危险源 (the highest grade counts)
    mh = items["major_hazard"]
    if f.major_hazard_grades:
        g = min(f.major_hazard_grades)
        add("MAJOR_HAZARD", f"有{'一二三四'[g - 1]}级重大危险源", mh["grade_points"][g - 1], mh["category"])
    # 固有危险性 — 物质危险性
    s = items["substance"]
    raw = (f.n_explosive_chemicals * s["explosive_each"] + f.n_toxic_inhalation_chemicals * s["toxic_inhalation_each"]
           + f.n_key_supervised_chemicals * s["key_supervised_each"])
    raw = round(raw, 2)
    if raw:
        parts = [f"爆炸品 {f.n_explosive_chemicals} 种" if f.n_explosive_chemicals else "",
                 f"吸入性剧毒化学品 {f.n_toxic_inhalation_chemicals} 种" if f.n_toxic_inhalation_chemicals else "",
                 f"其他重点监管危险化学品 {f.n_key_supervised_chemicals} 种" if f.n_key_supervised_chemicals else ""]
        pts = _cap(raw, s["max_deduction"])
        add("SUBSTANCE", "物质危险性：" + "、".join(p for p in parts if p) + _cap_note(raw, pts, s["max_deduction"]),
            pts, s["category"])
    if not variant:
        # 固有危险性 — 火灾爆炸危险性
        fi = items["fire"]
        if f.fire_class_sites is None:
            unknown("FIRE_CLASS_UNKNOWN", "火灾爆炸危险性（甲、乙类厂房/库房/罐区）", fi["category"])
        else:
            a, b = f.fire_class_sites.get("甲", 0) or 0, f.fire_class_sites.get("乙", 0) or 0
            raw = round(a * fi["class_a_each"] + b * fi["class_b_each"], 2)
            if raw:
                pts = _cap(raw, fi["max_deduction"])
                add("FIRE_CLASS", f"甲类火灾危险性厂房/库房/罐区 {a} 处、乙类 {b} 处" + _cap_note(raw, pts, fi["max_deduction"]),
                    pts, fi["category"])
    # 周边环境 (one cap over both rows)
    su = items["surroundings"]
    env = 0.0
    if not variant:
        if f.in_chemical_park is False:
            env = su["outside_park"]
            add("OUTSIDE_PARK", "企业在化工园区（化工集中区）外", env, su["category"])
        elif f.in_chemical_park is None:
            unknown("PARK_UNKNOWN", "是否在化工园区", su["category"])
    if f.external_distance_conflicts is None:
        unknown("DISTANCE_UNKNOWN", "外部安全防护距离", su["category"])
    elif f.external_distance_conflicts > 0:
        raw = su["distance_not_met"]
        pts = max(raw, -su["max_deduction"] - env)
        note = f"（周边环境本项最多扣{su['max_deduction']:g}分）" if pts != raw else ""
        add("DISTANCE_NOT_MET",
            f"外部安全防护距离不符合要求：{f.external_distance_conflicts} 处防护目标距离不足" + note, pts, su["category"])
    # 安全管理绩效 — 事故
    pf = items["performance"]
    acc = f.accidents_3y or {}
    if f.accidents_3y is None or all(acc.get(k) is None for k in ACCIDENT_KEYS):
        unknown("ACCIDENTS_UNKNOWN", "近三年事故记录", pf["category"])
    else:
        major = acc.get("major_accidents") or 0
        larger = acc.get("larger_accidents") or 0
        fatal = acc.get("fatal_accidents") or 0
        social = acc.get("social_impact_accidents") or 0
        raw = 0.0
        parts = []
        if major or larger:
            raw += pf["larger_accident"]
            parts.append(f"重大事故 {major} 起" if major else "")
            parts.append(f"较大事故 {larger} 起" if larger else "")
        if fatal:
            raw += fatal * pf["fatal_accident_each"]
            deaths = f"（死亡 {acc['fatalities']} 人）" if acc.get("fatalities") is not None else ""
            parts.append(f"亡人事故 {fatal} 起{deaths}")
        if social:
            raw += social * pf["social_impact_each"]
            parts.append(f"有社会影响的无伤亡事故 {social} 起")
        if raw:
            pts = _cap(raw, pf["max_deduction"])
            add("ACCIDENTS", "三年内" + "、".join(p for p in parts if p) + _cap_note(raw, pts, pf["max_deduction"]),
                pts, pf["category"])
        else:
            add("ACCIDENTS", "三年内已登记的事故项均为 0 起", 0.0, pf["category"])
        missing = [k for k in ("major_accidents", "larger_accidents", "fatal_accidents", "social_impact_accidents")
                   if acc.get(k) is None]
        if missing:
            label = {"major_accidents": "重大事故", "larger_accidents": "较大事故",
                     "fatal_accidents": "亡人事故", "social_impact_accidents": "有社会影响的事故"}
            unknown("ACCIDENTS_PARTIAL", "近三年" + "、".join(label[k] for k in missing) + "记录", pf["category"])
    if not variant:
        lvl = f.safety_standardisation_level
        if lvl is None:
            unknown("STANDARDISATION_UNKNOWN", "安全生产标准化等级（加分）", pf["category"])
        else:
            add("STANDARDISATION", f"安全生产标准化{'一二三'[lvl - 1]}级（加分）", pf["standardisation_bonus"][lvl - 1],
                pf["category"])
    # 隐患 (local refinement, not in the guide)
    hd = items["hidden_danger"]
    if f.major_hidden_dangers is None:
        unknown("HIDDEN_DANGER_UNKNOWN", "未整改重大事故隐患", hd["category"])
    elif f.major_hidden_dangers > 0:
        raw = f.major_hidden_dangers * hd["each"]
        pts = _cap(raw, hd["max_deduction"])
        add("HIDDEN_DANGER", f"未整改重大事故隐患 {f.major_hidden_dangers} 项（{hd['source']}）"
            + _cap_note(raw, pts, hd["max_deduction"]), pts, hd["category"])
    # items the registries never hold
    if not variant:
        for it in model["not_assessed"]:
            unknown("NOT_ASSESSED", it["item"], it["category"])
    if variant:
        add("VARIANT", f"环节（{'、'.join(f.stages) or '未登记'}）不在应急〔2018〕19号适用范围内，按{model['variant']['label']}",
            0.0, "本地细化")

    score = round(100.0 + sum(r["points"] for r in reasons), 2)
    lo, hi = model["score"]["min"], model["score"]["max"]
    if score > hi or score < lo:
        bound = hi if score > hi else lo
        add("SCORE_BOUND", f"总分以{bound:g}分为界（加分后超出部分不计）" if bound == hi else f"总分以{bound:g}分为界",
            round(bound - score, 2), "总分")
        score = bound
    color = colour_for(score, model)

    dr = model["direct_red"]
    why = []
    if (acc.get("major_accidents") or 0) >= dr["major_accidents_3y"]:
        why.append("三年内发生重大及以上生产安全事故")
    if (acc.get("larger_accidents") or 0) >= dr["larger_accidents_3y"]:
        why.append(f"三年内发生{acc['larger_accidents']}起较大生产安全事故")
    if (acc.get("fatal_accidents") or 0) >= dr["fatal_accidents_1y"]:
        why.append(f"发生{acc['fatal_accidents']}起亡人事故（按三年计数，偏保守）")
    why.extend(f.direct_red_flags)
    if why:
        color = "red"
        reasons.append({"code": "DIRECT_RED", "points": 0.0, "category": "直接判定",
                        "text": "直接判定为红色（重大风险）：" + "；".join(why) + "（应急〔2018〕19号）"})
    return RiskResult(color, score, reasons, model["model_version"], variant, not_assessed, bool(why))

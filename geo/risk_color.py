"""Four-colour enterprise grading per 应急〔2018〕19号, from what the registries hold.

Score = 100 + Σ points of the reasons, each item capped as the guide says; items the
registries do not hold are listed as 未评估 with 0 points (never silently scored).  Stages
outside the guide's scope (use, transport, trade without storage, waste, pipelines) use a
documented variant — only the items that apply — marked 本地细化 in the reasons.  The model
(points, caps, colour bands) lives in ``data/rules/risk_model.toml``.
"""

from __future__ import annotations

from dataclasses import dataclass, field

COLOR_HEX = {"red": "#E02020", "orange": "#F5A623", "yellow": "#F8E71C", "blue": "#2F80ED"}
COLOR_LABEL = {"red": "重大风险", "orange": "较大风险", "yellow": "一般风险", "blue": "低风险"}
GUIDE_STAGES = {"production", "storage", "trade_storage"}


@dataclass(frozen=True)
class EnterpriseFacts:
    stages: tuple[str, ...]
    major_hazard_grades: tuple[int, ...] = ()
    n_explosive: int = 0
    n_toxic_inhalation: int = 0
    n_key_supervised: int = 0  # other 重点监管 chemicals
    fire_sites: dict = field(default_factory=dict)  # {"甲": n, "乙": n}
    in_chemical_park: bool | None = None
    distance_conflicts: int = 0
    larger_accidents_3y: int | None = None
    fatal_accidents_3y: int | None = None
    major_hidden_dangers: int | None = None
    standardisation_level: int | None = None


@dataclass(frozen=True)
class RiskResult:
    risk_color: str
    risk_score: float
    reasons: list[dict]
    model_version: str
    variant: bool


def colour_for(score: float, model: dict) -> str:
    c = model["colours"]
    if score >= c["blue"]:
        return "blue"
    if score >= c["yellow"]:
        return "yellow"
    if score >= c["orange"]:
        return "orange"
    return "red"


def _capped(points: float, cap: float) -> float:
    return max(points, -cap) if points < 0 else points


def grade_enterprise(f: EnterpriseFacts, model: dict) -> RiskResult:
    items = model["items"]
    variant = not (GUIDE_STAGES & set(f.stages))
    tag = "（本地细化）" if variant else ""
    reasons: list[dict] = []

    def add(code: str, text: str, points: float) -> None:
        reasons.append({"code": code, "text": text + tag if points else text, "points": round(points, 2)})

    # 固有危险性 / 重大危险源
    if f.major_hazard_grades:
        g = min(f.major_hazard_grades)
        add("MAJOR_HAZARD", f"构成{'一二三四'[g - 1]}级重大危险源", items["major_hazard"]["grade_points"][g - 1])
    # 物质危险性
    s = items["substance"]
    pts = (f.n_explosive * s["explosive_each"] + f.n_toxic_inhalation * s["toxic_inhalation_each"]
           + f.n_key_supervised * s["key_supervised_each"])
    if pts:
        parts = [f"爆炸品 {f.n_explosive} 种" if f.n_explosive else "",
                 f"吸入性剧毒化学品 {f.n_toxic_inhalation} 种" if f.n_toxic_inhalation else "",
                 f"其他重点监管危险化学品 {f.n_key_supervised} 种" if f.n_key_supervised else ""]
        add("SUBSTANCE", "物质危险性：" + "、".join(p for p in parts if p)
            + (f"（本项最多扣{s['cap']:g}分）" if -pts > s["cap"] else ""), _capped(pts, s["cap"]))
    # 火灾爆炸危险性
    if not variant:
        fi = items["fire"]
        a, b = f.fire_sites.get("甲", 0), f.fire_sites.get("乙", 0)
        pts = a * fi["class_a_each"] + b * fi["class_b_each"]
        if pts:
            add("FIRE_CLASS", f"甲类火灾危险性场所 {a} 处、乙类 {b} 处", _capped(pts, fi["cap"]))
    # 周边环境
    su = items["surroundings"]
    env = 0.0
    if not variant:
        if f.in_chemical_park is False:
            add("OUTSIDE_PARK", "企业在化工园区（集中区）外", su["outside_park"])
            env += su["outside_park"]
        elif f.in_chemical_park is None:
            add("PARK_UNKNOWN", "是否在化工园区：未评估（登记数据不含此项）", 0.0)
    if f.distance_conflicts:
        pts = max(su["distance_not_met"], -su["cap"] - env)
        add("DISTANCE_NOT_MET", f"外部安全防护距离不符合要求：{f.distance_conflicts} 处防护目标距离不足", pts)
    # 安全管理绩效
    pf = items["performance"]
    perf = 0.0
    if f.larger_accidents_3y:
        perf += pf["larger_accident"]
    if f.fatal_accidents_3y:
        perf += pf["fatal_accident"]
    if perf:
        add("ACCIDENTS", f"三年内较大事故 {f.larger_accidents_3y or 0} 起、死亡事故 {f.fatal_accidents_3y or 0} 起",
            max(perf, -pf["cap"]))
    elif f.larger_accidents_3y is None and f.fatal_accidents_3y is None:
        add("ACCIDENTS_UNKNOWN", "事故记录：未评估（登记数据不含此项）", 0.0)
    if f.standardisation_level in (1, 2, 3) and not variant:
        lvl = f.standardisation_level
        add("STANDARDISATION", f"安全生产标准化{'一二三'[lvl - 1]}级（加分）", pf["standardisation_bonus"][lvl - 1])
    # 隐患 (local refinement)
    hd = items["hidden_danger"]
    if f.major_hidden_dangers:
        add("HIDDEN_DANGER", f"未整改重大事故隐患 {f.major_hidden_dangers} 项（本地细化）",
            max(f.major_hidden_dangers * hd["each"], -hd["cap"]))
    # items the registries do not hold
    if not variant:
        for item in model["not_assessed"]:
            add("NOT_ASSESSED", f"{item}：未评估（登记数据不含此项）", 0.0)

    score = 100.0 + sum(r["points"] for r in reasons)
    if score > 100.0 or score < 0.0:
        bound = 100.0 if score > 100.0 else 0.0
        add("SCORE_BOUND", f"总分以{bound:g}分为界", bound - score)
        score = bound
    score = round(score, 2)
    color = colour_for(score, model)
    dr = model["direct_red"]
    if ((f.larger_accidents_3y or 0) >= dr["larger_accidents_3y"]
            or (f.fatal_accidents_3y or 0) >= dr["fatal_accidents_3y"]):
        color = "red"
        reasons.append({"code": "DIRECT_RED", "points": 0.0,
                        "text": "直接判定为红色（重大风险）：多起较大或亡人事故（应急〔2018〕19号）"})
    if variant:
        reasons.append({"code": "VARIANT", "points": 0.0,
                        "text": "该环节不在应急〔2018〕19号适用范围内，按本地细化办法评分"})
    return RiskResult(color, score, reasons, model["model_version"], variant)

"""Major hazard identification and grading, GB 18218-2018 §4.

For one hazard unit (production or storage — never summed across units):

* S = Σ qᵢ/Qᵢ; the unit is a major hazard source when S ≥ 1 (§4.1.2, formula (1));
* R = α · Σ βᵢ qᵢ/Qᵢ (§4.2.2, formula (2)); computed for every unit, graded only when S ≥ 1;
* Q from 表1 when the chemical is named there, else 表2 by its hazard class; several
  classes → the lowest Q (§4.1.2);
* β from 表3 (by CAS) for the named toxic gases, else 表4 by hazard class.
  **Choice with several classes: the largest β of the chemical's classes** (for Table-1
  and Table-2 chemicals alike), so the grade is never understated.  The class giving Q and
  the class giving β may therefore differ; each detail row names both sources;
* α from the people exposed within 500 m (表5), grade from R (表6).

Exact arithmetic.  S and R are computed exactly (rationals from the decimal quantities) and
compared with their thresholds unrounded: 0.3 t/5 t + 0.7 t/… sums to exactly 1, while
S = 0.9999996 is not a major hazard.  The stored floats are the exact values correctly rounded;
:func:`display` truncates for display, so a shown value never crosses a threshold the exact
value did not.

α from a real count.  表5's bands are integer counts (≥100, 50–99, 30–49, 1–29, 0).  An
area-weighted count is a real number; it is used as it is, never floored, and the bands are
read as the intervals they tile: [100, ∞) → 2.0, [50, 100) → 1.5, [30, 50) → 1.2, (0, 30) → 1.0,
exactly 0 → 0.5.  So 99.6 → 1.5 (it is below 100) and 0.4 → 1.0: a positive estimate means people
live inside the ring, which the 0 band ("nobody") excludes.  Where the count came from is kept
(``exposure_basis``): ``counted`` from registered targets (an explicit 0 is a fact), ``given``
by the user, ``none_registered`` — no target registered within 500 m, which is α = 0.5 *without*
proof of nobody: the note says R is then a lower bound.

Process conditions (表2 W5).  易燃液体 类别2/3 (catalogue class W5.3/W5.4) become W5.1 when the
unit's working temperature is above the chemical's boiling point, and W5.2 under special process
conditions (操作压力 > 1.6 MPa, a 危险化工工艺, operation in or near the explosive range).  Without
registered conditions the catalogue class is used and the note says it is the 常温常压 default.

A chemical with no GB 18218 hazard class that is not in 表1 (硫酸, 盐酸, 氢氧化钠…) is
excluded from S and R and the result's ``notes`` say so (“无GB 18218危险类别，未计入”) —
there is no silent β = 1 or Q = ∞.
"""

from __future__ import annotations

import math
import numbers
import re
from dataclasses import dataclass, field
from decimal import ROUND_FLOOR, Decimal
from fractions import Fraction

from geo.reference import AlphaBand, Chemical, GradeBand, HazardClass, ReferenceTables

NO_CLASS = "无GB 18218危险类别"
UNCLASSIFIED = "GB 18218危险类别未录入"
EXPOSURE_BASES = ("counted", "given", "none_registered")


@dataclass(frozen=True)
class ProcessConditions:
    """A unit's operating conditions (None = not registered)."""

    temperature_c: float | None = None
    pressure_mpa: float | None = None  # gauge pressure, MPa
    hazardous_process: bool | None = None  # 重点监管的危险化工工艺
    near_explosive_limits: bool | None = None  # 在爆炸极限范围或其附近操作

    @property
    def registered(self) -> bool:
        return any(v is not None for v in (self.temperature_c, self.pressure_mpa,
                                           self.hazardous_process, self.near_explosive_limits))


@dataclass(frozen=True)
class ChemicalTerm:
    """One chemical's contribution to a unit: q, Q, β and where Q and β come from."""

    key: str
    name: str
    quantity_t: float
    critical_quantity_t: float
    q_source: str  # e.g. "GB 18218-2018 表1第12项" or "GB 18218-2018 表2 W5.4"
    beta: float
    beta_source: str  # e.g. "GB 18218-2018 表3" or "GB 18218-2018 表4 W5.4"

    @property
    def ratio(self) -> float:
        """q/Q."""
        return self.quantity_t / self.critical_quantity_t

    @property
    def weighted(self) -> float:
        """β·q/Q."""
        return self.beta * self.ratio


@dataclass(frozen=True)
class UnitAssessment:
    S: float  # the exact value, correctly rounded to a float
    R: float  # computed for every unit; only graded when is_major
    alpha: float
    exposed_people: float
    is_major: bool  # S ≥ 1, decided exactly
    grade: int | None  # 1–4 (一级…四级) when is_major, else None
    terms: tuple[ChemicalTerm, ...]
    notes: tuple[str, ...] = field(default_factory=tuple)  # Chinese, for users
    excluded: tuple[str, ...] = field(default_factory=tuple)  # keys left out of S and R
    exposure_basis: str = "counted"  # see EXPOSURE_BASES

    @property
    def details(self) -> tuple[ChemicalTerm, ...]:
        return self.terms

    @property
    def grade_label(self) -> str | None:
        return None if self.grade is None else f"{'一二三四'[self.grade - 1]}级"

    @property
    def S_display(self) -> float:
        return display(self.S)

    @property
    def R_display(self) -> float:
        return display(self.R)


def display(x: float, decimals: int = 3) -> float:
    """``x`` truncated (toward −∞) to ``decimals`` places, for display only: 0.9999996 → 0.999,
    never 1.0, so a displayed S or R is on the same side of every threshold as the exact one."""
    q = Decimal(1).scaleb(-decimals)
    return float(Decimal(repr(float(x))).quantize(q, rounding=ROUND_FLOOR))


def _exact(x) -> Fraction:
    """The decimal a float was written as (``0.3`` → 3/10), exactly."""
    return Fraction(repr(float(x))) if isinstance(x, float) else Fraction(x)


def _classes(chem: Chemical, tables: ReferenceTables, symbols=None) -> list[HazardClass]:
    symbols = chem.hazard_classes if symbols is None else symbols
    unknown = [s for s in symbols if s not in tables.classes]
    if unknown:
        raise ValueError(f"{chem.name}（{chem.key}）的危险类别 {'、'.join(unknown)} 不在表2中")
    return [tables.classes[s] for s in symbols]


def _no_class_label(chem: Chemical) -> str:
    return UNCLASSIFIED if chem.class_status == "unknown" else NO_CLASS


def critical_quantity(chem: Chemical, tables: ReferenceTables, symbols=None) -> tuple[float | None, str]:
    """(Q in t, source): 表1 when named there, else the lowest Q of its 表2 classes.

    ``symbols``: the classes to use instead of the catalogue's (process conditions, W5).
    """
    if chem.table1_q is not None:
        return chem.table1_q, f"GB 18218-2018 表1第{chem.table1_row}项"
    known = _classes(chem, tables, symbols)
    if not known:
        return None, _no_class_label(chem)
    best = min(known, key=lambda h: h.critical_quantity_t)
    return best.critical_quantity_t, f"GB 18218-2018 表2 {best.symbol}"


def beta_for(chem: Chemical, tables: ReferenceTables, symbols=None) -> tuple[float | None, str]:
    """(β, source): 表3 by CAS, else the largest 表4 β of the chemical's classes.

    None for a chemical that is neither in 表1 nor has a class (it is not counted at all,
    even if it shares a CAS with a 表3 gas, e.g. 盐酸 and 氯化氢).
    """
    known = _classes(chem, tables, symbols)
    if chem.table1_q is None and not known:
        return None, _no_class_label(chem)
    for cas in chem.cas:
        if cas in tables.table3_beta:
            return tables.table3_beta[cas], "GB 18218-2018 表3"
    if not known:
        return None, f"{_no_class_label(chem)}，β未知"
    h = max(known, key=lambda k: k.beta)
    return h.beta, f"GB 18218-2018 表4 {h.symbol}"


def _check_bands(bands) -> list[AlphaBand]:
    ordered = sorted(bands, key=lambda b: b.min_people)
    if not ordered or ordered[0].min_people != 0 or ordered[0].max_people != 0:
        raise ValueError("表5应有且仅有一个 0 人的区间")
    for a, b in zip(ordered, ordered[1:]):
        if a.max_people is None or a.max_people + 1 != b.min_people:
            raise ValueError("表5的区间应首尾相接（如 30–49 之后为 50–99）")
    if ordered[-1].max_people is not None:
        raise ValueError("表5最后一个区间应无上限")
    return ordered


def alpha_for(people: float, bands: tuple[AlphaBand, ...] | list[AlphaBand]) -> float:
    """α from the number of people exposed within 500 m (表5), read on the real count.

    Bands are intervals ``[min_people, next band's min_people)``; the 0 band is exactly 0 and a
    positive count below the first positive band (0 < n < 1) belongs to that band (see module
    docstring).  99.6 → the 50–99 band; 100 → ≥100.
    """
    if isinstance(people, bool) or not isinstance(people, numbers.Real) or not math.isfinite(people):
        raise ValueError(f"暴露人数应为有限数值，实际 {people!r}")
    if people < 0:
        raise ValueError(f"暴露人数不能为负数：{people}")
    ordered = _check_bands(bands)
    if people == 0:
        return ordered[0].alpha
    chosen = ordered[1]
    for b in ordered[1:]:
        if people >= b.min_people:
            chosen = b
    return chosen.alpha


def grade_for(r: float, bands: tuple[GradeBand, ...] | list[GradeBand]) -> int:
    """Grade 1–4 from R (表6): R ≥ 100 一级; 50–<100 二级; 10–<50 三级; <10 四级 (compared exactly)."""
    if isinstance(r, bool) or not isinstance(r, numbers.Real) or not math.isfinite(r) or r < 0:
        raise ValueError(f"R 应为非负有限数值，实际 {r!r}")
    for b in bands:
        if r >= b.r_min_inclusive and (b.r_max_exclusive is None or r < b.r_max_exclusive):
            return b.grade
    raise ValueError(f"R = {r} 不在表6的任何区间内")


def _check_quantity(chem: Chemical, quantity_t) -> float:
    if isinstance(quantity_t, bool) or not isinstance(quantity_t, numbers.Real):
        raise ValueError(f"{chem.name} 的数量应为数值（吨），实际 {quantity_t!r}")
    if not math.isfinite(quantity_t) or quantity_t <= 0:
        raise ValueError(f"{chem.name} 的数量应大于 0 吨，实际 {quantity_t}")
    return float(quantity_t)


def _w5_pressure(tables: ReferenceTables) -> float:
    """The W5.2 pressure threshold (MPa) as written in 表2's W5.2 criterion (“操作压力大于1.6 MPa”)."""
    m = re.search(r"操作压力大于\s*(\d+(?:\.\d+)?)\s*MPa", tables.classes["W5.2"].criterion)
    if not m:
        raise ValueError("表2 W5.2 的判定条件中未写明操作压力阈值（MPa）")
    return float(m.group(1))


def w5_class(chem: Chemical, conditions: ProcessConditions | None, tables: ReferenceTables
             ) -> tuple[tuple[str, ...], str]:
    """The chemical's classes under the unit's process conditions (表2 W5.1/W5.2) and the reason.

    Only 易燃液体 类别2/3 (W5.3 / W5.4 in the catalogue) change; the reason (Chinese) is empty when
    nothing was to be decided.
    """
    default = [s for s in chem.hazard_classes if s in ("W5.3", "W5.4")]
    if not default:
        return chem.hazard_classes, ""
    sym = default[0]
    others = tuple(s for s in chem.hazard_classes if s not in ("W5.3", "W5.4"))
    if conditions is None or not conditions.registered:
        return chem.hazard_classes, (f"{chem.name}：未登记操作温度、压力等工艺条件，按常温常压取{sym}"
                                     f"（表2默认；工作温度高于沸点为W5.1，特殊工艺条件为W5.2）")
    prop = tables.properties.get(chem.key)
    bp = prop.boiling_point_c if prop is not None else None
    t = conditions.temperature_c
    if t is not None and bp is not None and t > bp:
        return others + ("W5.1",), f"{chem.name}：工作温度{t:g}℃高于沸点{bp:g}℃，按W5.1（表2）"
    limit = _w5_pressure(tables)
    special = []
    if conditions.pressure_mpa is not None and conditions.pressure_mpa > limit:
        special.append(f"操作压力{conditions.pressure_mpa:g} MPa大于{limit:g} MPa")
    if conditions.hazardous_process:
        special.append("涉及危险化工工艺")
    if conditions.near_explosive_limits:
        special.append("在爆炸极限范围或其附近操作")
    if special:
        return others + ("W5.2",), f"{chem.name}：{'、'.join(special)}，按W5.2（表2特殊工艺条件）"
    missing = []
    if t is not None and bp is None:
        missing.append("沸点数据缺失，未能判定是否高于沸点")
    if t is None:
        missing.append("未登记工作温度")
    if conditions.pressure_mpa is None:
        missing.append("未登记操作压力")
    tail = f"（{'；'.join(missing)}）" if missing else ""
    return chem.hazard_classes, f"{chem.name}：工艺条件不构成W5.1/W5.2，按{sym}{tail}"


def assess_unit(lines, *, exposed_people: float, tables: ReferenceTables,
                exposure_basis: str = "counted", conditions: ProcessConditions | None = None) -> UnitAssessment:
    """Assess ONE hazard unit; ``lines`` are (Chemical, quantity_t) pairs of that unit.

    ``exposed_people``: people within 500 m of the unit's (plant's) boundary, as counted;
    ``exposure_basis``: where that number came from (:data:`EXPOSURE_BASES`; ``none_registered``
    with 0 people: no target registered within 500 m).  ``conditions``: the unit's operating
    temperature and pressure (表2 W5.1/W5.2).  Raises ValueError for a quantity that is not > 0
    (naming the chemical), a negative or non-finite number of people, or an unknown basis.
    """
    if exposure_basis not in EXPOSURE_BASES:
        raise ValueError(f"exposure_basis 应为 {'/'.join(EXPOSURE_BASES)}，实际 {exposure_basis!r}")
    alpha = alpha_for(exposed_people, tables.alpha_bands)
    if exposure_basis == "none_registered" and exposed_people != 0:
        raise ValueError(f"exposure_basis 为 none_registered（500 m内无登记目标）时暴露人数应为 0，实际 {exposed_people}")
    terms: list[ChemicalTerm] = []
    notes: list[str] = []
    excluded: list[str] = []
    s_exact = r_sum = Fraction(0)
    for chem, quantity_t in lines:
        q_t = _check_quantity(chem, quantity_t)
        symbols, why = w5_class(chem, conditions, tables)
        if why:
            notes.append(why)
        q, q_src = critical_quantity(chem, tables, symbols)
        beta, b_src = beta_for(chem, tables, symbols)
        if q is None or beta is None:
            notes.append(f"{chem.name}：{_no_class_label(chem)}，未计入S与R")
            excluded.append(chem.key)
            continue
        if chem.class_status == "uncertain" and ("表2" in q_src or "表4" in b_src):
            notes.append(f"{chem.name}：危险类别{'、'.join(symbols)}待核，"
                         f"Q取自{q_src}，β取自{b_src}")
        terms.append(ChemicalTerm(chem.key, chem.name, q_t, float(q), q_src, float(beta), b_src))
        ratio = _exact(q_t) / _exact(q)
        s_exact += ratio
        r_sum += _exact(beta) * ratio
    r_exact = _exact(alpha) * r_sum
    is_major = s_exact >= 1
    grade = grade_for(r_exact, tables.grade_bands) if is_major else None
    if exposure_basis == "none_registered":
        notes.append("500 m内无登记的防护目标或人口数据：按0人取α=0.5，并不证明无人，R为下限")
    return UnitAssessment(S=float(s_exact), R=float(r_exact), alpha=alpha, exposed_people=float(exposed_people),
                          is_major=is_major, grade=grade, terms=tuple(terms), notes=tuple(notes),
                          excluded=tuple(excluded), exposure_basis=exposure_basis)

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
* α from the people exposed within 500 m (表5, whole persons: a fractional, area-weighted
  count is floored); grade from R (表6).

S and R are rounded to 6 decimals before they are compared with the thresholds, so that
floating-point sums such as 0.3 + 0.7 count as exactly 1.

A chemical with no GB 18218 hazard class that is not in 表1 (硫酸, 盐酸, 氢氧化钠…) is
excluded from S and R and the result's ``notes`` say so (“无GB 18218危险类别，未计入”) —
there is no silent β = 1 or Q = ∞.
"""

from __future__ import annotations

import math
import numbers
from dataclasses import dataclass, field

from geo.reference import AlphaBand, Chemical, GradeBand, HazardClass, ReferenceTables

NO_CLASS = "无GB 18218危险类别"


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
    S: float
    R: float  # computed for every unit; only graded when is_major
    alpha: float
    exposed_people: float
    is_major: bool  # S ≥ 1
    grade: int | None  # 1–4 (一级…四级) when is_major, else None
    terms: tuple[ChemicalTerm, ...]
    notes: tuple[str, ...] = field(default_factory=tuple)  # Chinese, for users
    excluded: tuple[str, ...] = field(default_factory=tuple)  # keys left out of S and R

    @property
    def details(self) -> tuple[ChemicalTerm, ...]:
        return self.terms

    @property
    def grade_label(self) -> str | None:
        return None if self.grade is None else f"{'一二三四'[self.grade - 1]}级"


def _classes(chem: Chemical, tables: ReferenceTables) -> list[HazardClass]:
    unknown = [s for s in chem.hazard_classes if s not in tables.classes]
    if unknown:
        raise ValueError(f"{chem.name}（{chem.key}）的危险类别 {'、'.join(unknown)} 不在表2中")
    return [tables.classes[s] for s in chem.hazard_classes]


def critical_quantity(chem: Chemical, tables: ReferenceTables) -> tuple[float | None, str]:
    """(Q in t, source): 表1 when named there, else the lowest Q of its 表2 classes."""
    if chem.table1_q is not None:
        return chem.table1_q, f"GB 18218-2018 表1第{chem.table1_row}项"
    known = _classes(chem, tables)
    if not known:
        return None, NO_CLASS
    best = min(known, key=lambda h: h.critical_quantity_t)
    return best.critical_quantity_t, f"GB 18218-2018 表2 {best.symbol}"


def beta_for(chem: Chemical, tables: ReferenceTables) -> tuple[float | None, str]:
    """(β, source): 表3 by CAS, else the largest 表4 β of the chemical's classes.

    None for a chemical that is neither in 表1 nor has a class (it is not counted at all,
    even if it shares a CAS with a 表3 gas, e.g. 盐酸 and 氯化氢).
    """
    known = _classes(chem, tables)
    if chem.table1_q is None and not known:
        return None, NO_CLASS
    for cas in chem.cas:
        if cas in tables.table3_beta:
            return tables.table3_beta[cas], "GB 18218-2018 表3"
    if not known:
        return None, f"{NO_CLASS}，β未知"
    h = max(known, key=lambda k: k.beta)
    return h.beta, f"GB 18218-2018 表4 {h.symbol}"


def alpha_for(people: float, bands: tuple[AlphaBand, ...] | list[AlphaBand]) -> float:
    """α from the number of people exposed within 500 m (表5); fractional counts are floored."""
    if isinstance(people, bool) or not isinstance(people, numbers.Real) or not math.isfinite(people):
        raise ValueError(f"暴露人数应为有限数值，实际 {people!r}")
    if people < 0:
        raise ValueError(f"暴露人数不能为负数：{people}")
    n = math.floor(people)
    for b in bands:
        if n >= b.min_people and (b.max_people is None or n <= b.max_people):
            return b.alpha
    raise ValueError(f"暴露人数 {people} 不在表5的任何区间内")


def grade_for(r: float, bands: tuple[GradeBand, ...] | list[GradeBand]) -> int:
    """Grade 1–4 from R (表6): R ≥ 100 一级; 50–<100 二级; 10–<50 三级; <10 四级."""
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


def assess_unit(lines, *, exposed_people: float, tables: ReferenceTables) -> UnitAssessment:
    """Assess ONE hazard unit; ``lines`` are (Chemical, quantity_t) pairs of that unit.

    ``exposed_people``: people within 500 m of the unit's (plant's) boundary.
    Raises ValueError for a quantity that is not > 0 (naming the chemical) and for a
    negative or non-finite number of people.
    """
    alpha = alpha_for(exposed_people, tables.alpha_bands)
    terms: list[ChemicalTerm] = []
    notes: list[str] = []
    excluded: list[str] = []
    for chem, quantity_t in lines:
        q_t = _check_quantity(chem, quantity_t)
        q, q_src = critical_quantity(chem, tables)
        beta, b_src = beta_for(chem, tables)
        if q is None or beta is None:
            notes.append(f"{chem.name}：{NO_CLASS}，未计入S与R")
            excluded.append(chem.key)
            continue
        if chem.class_status == "uncertain" and ("表2" in q_src or "表4" in b_src):
            notes.append(f"{chem.name}：危险类别{'、'.join(chem.hazard_classes)}待核，"
                         f"Q取自{q_src}，β取自{b_src}")
        terms.append(ChemicalTerm(chem.key, chem.name, q_t, float(q), q_src, float(beta), b_src))
    s = round(math.fsum(t.ratio for t in terms), 6)
    r = round(alpha * math.fsum(t.weighted for t in terms), 6)
    is_major = s >= 1.0
    grade = grade_for(r, tables.grade_bands) if is_major else None
    return UnitAssessment(S=s, R=r, alpha=alpha, exposed_people=float(exposed_people),
                          is_major=is_major, grade=grade, terms=tuple(terms), notes=tuple(notes),
                          excluded=tuple(excluded))

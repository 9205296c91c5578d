"""Major hazard identification and grading, GB 18218-2018 §4.

For one hazard unit (production or storage — never summed across units):

* S = Σ qᵢ/Qᵢ; the unit is a major hazard source when S ≥ 1 (§4.1.2, formula (1));
* R = α · Σ βᵢ qᵢ/Qᵢ (§4.2.2, formula (2));
* Q from Table 1 when the chemical is named there, else Table 2 by its hazard class;
  several classes → the lowest Q (§4.1.2 note);
* β from Table 3 for the named toxic gases, else Table 4 by class.  With several classes
  β is the one of the class that gives Q (the class that drives the identification);
  where a Table-1 chemical has classes with different β, the largest β is used so that
  the grade is never understated (documented choice, shown in each result's details);
* α from the people exposed within 500 m (Table 5); grade from R (Table 6).

A chemical with no GB 18218 hazard class that is not in Table 1 is excluded from S and R
and the result says so — there is no silent β = 1.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from geo.reference import AlphaBand, Chemical, GradeBand, ReferenceTables


@dataclass(frozen=True)
class ChemicalTerm:
    key: str
    name: str
    quantity_t: float
    critical_quantity_t: float
    q_source: str
    beta: float
    beta_source: str

    @property
    def ratio(self) -> float:
        return self.quantity_t / self.critical_quantity_t


@dataclass(frozen=True)
class UnitAssessment:
    S: float
    R: float
    alpha: float
    exposed_people: float
    is_major: bool
    grade: int | None
    terms: tuple[ChemicalTerm, ...]
    notes: tuple[str, ...] = field(default_factory=tuple)


def critical_quantity(chem: Chemical, tables: ReferenceTables) -> tuple[float | None, str]:
    if chem.table1_q is not None:
        return chem.table1_q, f"表1第{chem.table1_row}项"
    known = [tables.classes[s] for s in chem.hazard_classes if s in tables.classes]
    if not known:
        return None, "无GB 18218危险类别"
    best = min(known, key=lambda h: h.critical_quantity_t)
    return best.critical_quantity_t, f"表2 {best.symbol}"


def beta_for(chem: Chemical, tables: ReferenceTables) -> tuple[float | None, str]:
    for cas in chem.cas:
        if cas in tables.table3_beta:
            return tables.table3_beta[cas], "表3"
    known = [tables.classes[s] for s in chem.hazard_classes if s in tables.classes]
    if not known:
        return None, "无GB 18218危险类别，β未知"
    if chem.table1_q is None:
        h = min(known, key=lambda k: k.critical_quantity_t)
    else:
        h = max(known, key=lambda k: k.beta)
    return h.beta, f"表4 {h.symbol}"


def alpha_for(people: float, bands: tuple[AlphaBand, ...] | list[AlphaBand]) -> float:
    """α from the number of people exposed (Table 5); people are counted in whole persons."""
    n = int(people)  # a fractional person (area-weighted polygons) does not round up
    for b in bands:
        if n >= b.min_people and (b.max_people is None or n <= b.max_people):
            return b.alpha
    raise ValueError(f"暴露人数 {people} 不在表5的任何区间内")


def grade_for(r: float, bands: tuple[GradeBand, ...] | list[GradeBand]) -> int:
    for b in bands:
        if r >= b.r_min_inclusive and (b.r_max_exclusive is None or r < b.r_max_exclusive):
            return b.grade
    raise ValueError(f"R = {r} 不在表6的任何区间内")


def assess_unit(lines: list[tuple[Chemical, float]], *, exposed_people: float,
                tables: ReferenceTables) -> UnitAssessment:
    """Assess ONE hazard unit; ``lines`` are (chemical, quantity_t) pairs of that unit."""
    terms, notes = [], []
    for chem, quantity_t in lines:
        if not quantity_t or quantity_t <= 0:
            raise ValueError(f"{chem.name} 的数量应大于 0 吨，实际 {quantity_t}")
        q, q_src = critical_quantity(chem, tables)
        beta, b_src = beta_for(chem, tables)
        if q is None or beta is None:
            notes.append(f"{chem.name}：无GB 18218危险类别，未计入S与R")
            continue
        terms.append(ChemicalTerm(chem.key, chem.name, float(quantity_t), float(q), q_src,
                                  float(beta), b_src))
    s = sum(t.ratio for t in terms)
    alpha = alpha_for(exposed_people, tables.alpha_bands)
    r = alpha * sum(t.beta * t.ratio for t in terms)
    s_r, r_r = round(s, 6), round(r, 6)
    is_major = s_r >= 1.0
    grade = grade_for(r_r, tables.grade_bands) if is_major else None
    return UnitAssessment(S=s_r, R=r_r, alpha=alpha, exposed_people=float(exposed_people),
                          is_major=is_major, grade=grade, terms=tuple(terms), notes=tuple(notes))

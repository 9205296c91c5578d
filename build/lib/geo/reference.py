"""Reference tables as plain values (read by :mod:`geo.reference_files`, held by the domain bundle).

All numbers come from GB 18218-2018 (tables 1–6) and the chemical catalogue in
``data/reference/``; each row there cites its source and clause.
"""

from __future__ import annotations

from dataclasses import dataclass, field


@dataclass(frozen=True)
class Chemical:
    """One catalogue entry (a row of ``data/reference/chemicals.csv``).

    ``key`` is stable: ``T1-12`` for GB 18218 表1 row 12, ``CAS-<cas>`` for the others.
    """

    key: str
    name: str
    aliases: tuple[str, ...] = ()
    cas: tuple[str, ...] = ()
    table1_row: int | None = None
    hazard_classes: tuple[str, ...] = ()  # GB 18218 表2 symbols, e.g. ("W5.1",)
    highly_toxic: bool = False  # 剧毒
    explosive_precursor: bool = False  # 易制爆
    key_supervised: bool = False  # 重点监管
    toxic_inhalation: bool = False  # 吸入性剧毒 (氯气、光气…)
    explosive: bool = False  # 爆炸品
    class_status: str = "standard"  # "uncertain": hazard classes to be confirmed
    source: str = ""
    table1_critical_quantity_t: float | None = None  # Q from 表1 (t), None if not in 表1

    @property
    def table1_q(self) -> float | None:
        """Critical quantity Q (t) from GB 18218 表1, or None when not named there."""
        return self.table1_critical_quantity_t

    @property
    def has_hazard_class(self) -> bool:
        return bool(self.hazard_classes)


@dataclass(frozen=True)
class HazardClass:
    """GB 18218-2018 表2 category with its 表4 β."""

    symbol: str
    hazard_class: str
    criterion: str
    critical_quantity_t: float
    beta: float


@dataclass(frozen=True)
class AlphaBand:
    """GB 18218-2018 表5: α for min_people ≤ n ≤ max_people (None = no upper bound)."""

    min_people: int
    max_people: int | None
    alpha: float


@dataclass(frozen=True)
class GradeBand:
    """GB 18218-2018 表6: grade for r_min_inclusive ≤ R < r_max_exclusive (None = ∞)."""

    grade: int
    label: str
    r_min_inclusive: float
    r_max_exclusive: float | None


@dataclass(frozen=True)
class ReferenceTables:
    catalogue: "object"  # geo.chemicals.Catalogue
    classes: dict[str, HazardClass]  # by symbol
    table3_beta: dict[str, float]  # CAS → β (GB 18218-2018 表3)
    alpha_bands: tuple[AlphaBand, ...]
    grade_bands: tuple[GradeBand, ...]
    version: str
    extra: dict = field(default_factory=dict)

    def chemical_by_key(self, key: str) -> Chemical:
        return self.catalogue.by_key(key)

"""Reference tables as plain values (read by :mod:`geo.reference_files`, held by the domain bundle).

All numbers come from GB 18218-2018 (tables 1–6) and the chemical catalogue in
``data/reference/``; each row there cites its source and clause.
"""

from __future__ import annotations

from dataclasses import dataclass, field


@dataclass(frozen=True)
class Concentration:
    """A mass-fraction range (%), e.g. 含量>90% → Concentration(90, False, 100, True)."""

    low: float = 0.0
    low_inclusive: bool = True
    high: float = 100.0
    high_inclusive: bool = True

    def overlaps(self, other: "Concentration") -> bool:
        if self.low > other.high or other.low > self.high:
            return False
        if self.low == other.high and not (self.low_inclusive and other.high_inclusive):
            return False
        if other.low == self.high and not (other.low_inclusive and self.high_inclusive):
            return False
        return True

    def label(self) -> str:
        if self.low == self.high:
            return f"{self.low:g}%"
        parts = []
        if self.low > 0 or not self.low_inclusive:
            parts.append(f"{'≥' if self.low_inclusive else '>'}{self.low:g}%")
        if self.high < 100 or not self.high_inclusive:
            parts.append(f"{'≤' if self.high_inclusive else '<'}{self.high:g}%")
        return "且".join(parts) or "任意浓度"


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
    class_status: str = "standard"  # "uncertain": to be confirmed; "unknown": not yet classified
    source: str = ""
    table1_critical_quantity_t: float | None = None  # Q from 表1 (t), None if not in 表1
    concentration: Concentration | None = None  # the entry covers this range only (甲醛 >90% …)

    @property
    def table1_q(self) -> float | None:
        """Critical quantity Q (t) from GB 18218 表1, or None when not named there."""
        return self.table1_critical_quantity_t

    @property
    def has_hazard_class(self) -> bool:
        return bool(self.hazard_classes)


@dataclass(frozen=True)
class ChemicalProperties:
    """Fire-hazard class and physical properties of a catalogue chemical
    (a row of ``data/reference/chemical_properties.csv``; None = not determined).

    ``fire_class`` 甲…戊 and ``fire_item`` (项) per GB 50016-2014(2018) 表3.1.3 (storage; the
    liquid and gas criteria of 表3.1.1 are the same); ``flash_point_c`` closed cup (℃),
    ``boiling_point_c`` (℃, 101.325 kPa), ``liquid_density_t_m3`` (t/m³, the upper end of the
    usual range where it varies, so a volume derived from a mass is a lower bound).
    """

    key: str
    name: str
    fire_class: str | None = None
    fire_item: int | None = None
    flash_point_c: float | None = None
    boiling_point_c: float | None = None
    liquid_density_t_m3: float | None = None
    source: str = ""
    status: str = "standard"


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
    properties: dict[str, ChemicalProperties] = field(default_factory=dict)  # by catalogue key

    def chemical_by_key(self, key: str) -> Chemical:
        return self.catalogue.by_key(key)

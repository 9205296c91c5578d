"""Physical properties of a chemical from the ChEDL libraries ``thermo`` / ``chemicals`` (MIT).

Every value is returned as a :class:`PropertyValue` carrying the library, its version and the
correlation or data set the library chose (``Chemical.VaporPressure.method`` and the like), so a
result can show where each input came from.  A CAS number the library does not hold, or a
property it cannot give, is reported as missing with the reason — never replaced by a guess.

Notes
-----
Units are SI except where the field name says otherwise: K, Pa, kg/mol → g/mol (``mw_g_mol``),
J/kg, kg/m³, J/(kg·K); LFL/UFL are volume fractions (0–1).  Heat of combustion is the lower
(net) heating value, the one used for fires and explosions.
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field
from importlib.metadata import version as _pkg_version

from scipy.constants import R as R_GAS  # J/(mol·K)


@dataclass(frozen=True)
class PropertyValue:
    value: float
    unit: str
    source: str  # e.g. "thermo 0.6.1 / chemicals 1.5.2: VaporPressure method HEOS_FIT"


@dataclass(frozen=True)
class ChemicalProperties:
    """Properties of one CAS number at ``temperature_k`` (those the library holds)."""

    cas: str
    name: str
    temperature_k: float
    values: dict[str, PropertyValue]
    missing: dict[str, str] = field(default_factory=dict)  # property → reason (Chinese)

    def get(self, name: str) -> float | None:
        v = self.values.get(name)
        return None if v is None else v.value

    def require(self, *names: str) -> list[str]:
        """Reasons (Chinese) for each of ``names`` that is missing; empty when all are known."""
        return [f"{self.cas} 缺少物性 {n}：{self.missing.get(n, '库中无此数据')}" for n in names if n not in self.values]


class UnknownChemical(LookupError):
    """The property library does not know this CAS number."""


def _libs() -> str:
    return f"thermo {_pkg_version('thermo')} / chemicals {_pkg_version('chemicals')}"


def chemical_properties(cas: str, *, temperature_k: float) -> ChemicalProperties:
    """Look up the properties the consequence models need for ``cas`` at ``temperature_k``.

    Parameters
    ----------
    cas : str
        CAS registry number (validated by the caller against the catalogue).
    temperature_k : float
        Storage temperature (K) for the temperature-dependent properties (vapour pressure,
        liquid density, liquid heat capacity, gas heat capacity).

    Returns
    -------
    ChemicalProperties
        ``values`` keys: ``mw_g_mol``, ``tb_k``, ``tc_k``, ``lfl``, ``ufl``, ``hc_lower_j_kg``,
        ``psat_pa``, ``rho_liquid_kg_m3``, ``hvap_tb_j_kg``, ``cp_liquid_j_kgk``, ``cp_gas_j_kgk``,
        ``gamma`` (Cp/Cv of the ideal gas).  Absent properties are listed in ``missing``.

    Raises
    ------
    UnknownChemical
        The library has no entry for ``cas`` (message in Chinese).
    """
    from thermo import Chemical  # heavy import (≈0.3 s), deferred to the first lookup

    libs = _libs()
    try:
        c = Chemical(cas, T=temperature_k, P=101325.0)
    except ValueError as e:
        raise UnknownChemical(f"物性库 {libs} 中没有 CAS {cas}（{e}）") from None
    values: dict[str, PropertyValue] = {}
    missing: dict[str, str] = {}
    mw = c.MW  # g/mol

    def put(name: str, value, unit: str, how: str) -> None:
        if value is None or (isinstance(value, float) and not math.isfinite(value)):
            missing[name] = f"{libs} 未给出（{how}）"
        else:
            values[name] = PropertyValue(float(value), unit, f"{libs}: {how}")

    put("mw_g_mol", mw, "g/mol", "Chemical.MW（由分子式计算）")
    put("tb_k", c.Tb, "K", "Chemical.Tb（chemicals.phase_change.Tb，首选方法）")
    put("tc_k", c.Tc, "K", "Chemical.Tc（chemicals.critical.Tc，首选方法）")
    put("lfl", c.LFL, "-", "Chemical.LFL（chemicals.safety.LFL，首选 IEC 60079-20-1 / NFPA 497）")
    put("ufl", c.UFL, "-", "Chemical.UFL（chemicals.safety.UFL，首选 IEC 60079-20-1 / NFPA 497）")
    hc = c.Hc_lower
    put("hc_lower_j_kg", None if hc is None or hc >= 0 else -hc, "J/kg",
        "Chemical.Hc_lower（由标准生成焓按燃烧化学计量计算的低热值）")
    T = temperature_k
    vp = c.VaporPressure
    put("psat_pa", vp(T) if vp.method else None, "Pa", f"VaporPressure method {vp.method}（T={T:.2f} K）")
    vl = c.VolumeLiquid
    vm = vl(T, 101325.0) if vl.method else None
    if vm is None and c.Tb and vl.method:
        vm = vl(min(T, c.Tb), 101325.0)
    put("rho_liquid_kg_m3", None if not vm else mw / 1000.0 / vm, "kg/m3", f"VolumeLiquid method {vl.method}")
    hv = c.EnthalpyVaporization
    put("hvap_tb_j_kg", hv(c.Tb) * 1000.0 / mw if (hv.method and c.Tb) else None, "J/kg",
        f"EnthalpyVaporization method {hv.method}（在正常沸点）")
    cpl = c.HeatCapacityLiquid
    cpl_t = min(T, c.Tb) if c.Tb else T
    put("cp_liquid_j_kgk", cpl(cpl_t) * 1000.0 / mw if cpl.method else None, "J/(kg·K)",
        f"HeatCapacityLiquid method {cpl.method}（T={cpl_t:.2f} K）")
    cpg = c.HeatCapacityGas
    cpgm = cpg(T) if cpg.method else None
    put("cp_gas_j_kgk", None if cpgm is None else cpgm * 1000.0 / mw, "J/(kg·K)", f"HeatCapacityGas method {cpg.method}")
    put("gamma", None if cpgm is None else cpgm / (cpgm - R_GAS), "-", f"理想气体 Cp/(Cp−R)，Cp 来自 HeatCapacityGas {cpg.method}")
    return ChemicalProperties(cas, str(c.name), temperature_k, values, missing)

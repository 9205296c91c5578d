"""The consequence model's data (``data/rules/consequence/``) as one frozen bundle.

:func:`load_consequence_tables` reads and validates every file of the directory it is given and
returns :class:`ConsequenceTables`; the model functions receive it (or the numbers taken from
it) as an explicit argument.  Nothing is cached and nothing is read at import.

Every number carries ``source`` and ``status`` (``verified``, ``uncertain`` or
``local_policy``); a row without them is refused with a message naming the file and row.

Notes
-----
This is the one module of :mod:`geo.consequence` that touches files: it reads the directory
it is passed, never a default path.  The wiring task moves the call into the shell's domain
loader.
"""

from __future__ import annotations

import csv
import math
import tomllib
from dataclasses import dataclass
from pathlib import Path

STATUSES = ("verified", "uncertain", "local_policy")
STABILITY_CLASSES = ("A", "B", "C", "D", "E", "F")
ROSE_16 = ("N", "NNE", "NE", "ENE", "E", "ESE", "SE", "SSE", "S", "SSW", "SW", "WSW", "W", "WNW", "NW", "NNW")


class ConsequenceDataError(ValueError):
    """A consequence data file is missing or malformed; the message names the file and row."""


@dataclass(frozen=True)
class Param:
    """One model parameter with its unit, source and status."""

    name: str
    value: float
    unit: str
    source: str
    status: str


@dataclass(frozen=True)
class Threshold:
    threshold_id: str
    effect: str
    value: str
    unit: str
    meaning: str
    source: str
    status: str


@dataclass(frozen=True)
class HoleSize:
    hole_id: str
    label: str
    diameter_mm: float | None  # None = catastrophic rupture
    release: str  # continuous | instantaneous
    source: str
    status: str


@dataclass(frozen=True)
class FailureFrequency:
    equipment: str
    hole_id: str
    frequency_per_year: float
    source: str
    status: str


@dataclass(frozen=True)
class IgnitionRow:
    release: str  # continuous | instantaneous
    reactivity: str  # low | high | liquid
    mass_min_kg: float
    mass_max_kg: float
    rate_min_kg_s: float
    rate_max_kg_s: float
    immediate_probability: float
    source: str
    status: str


@dataclass(frozen=True)
class Probit:
    """Pr = a + b·ln(dose); toxic dose = C^n·t (C mg/m³, t min); thermal dose = ∫q^n dt (W/m², s)."""

    probit_id: str
    effect: str  # thermal | overpressure | toxic
    cas: str
    a: float
    b: float
    n: float
    dose_units: str
    source: str
    status: str


@dataclass(frozen=True)
class ToxicEndpoint:
    cas: str
    name: str
    endpoint_1_mg_m3: float
    endpoint_2_mg_m3: float
    basis: str  # hj169 | aegl | erpg | pac
    source: str
    status: str


@dataclass(frozen=True)
class SigmaCoefficients:
    """Briggs σ = a·x·(1 + b·x)^c (plume) or Slade σ = a·x^b (puff; c unused)."""

    a: float
    b: float
    c: float
    source: str
    status: str


@dataclass(frozen=True)
class BlastFitRange:
    z_min: float
    z_max: float
    coefficients: tuple[float, ...]  # A, B, C, D, E of ln P(kPa) in powers of ln Z
    source: str
    status: str


@dataclass(frozen=True)
class WeatherClass:
    name: str
    stability: str
    wind_speed_m_per_s: float
    probability: float


@dataclass(frozen=True)
class Weather:
    """Weather classes and a wind rose (direction the wind blows from, degrees clockwise from N)."""

    classes: tuple[WeatherClass, ...]
    rose_from_deg: tuple[float, ...]
    rose_frequency: tuple[float, ...]  # normalised to sum 1
    terrain: str
    air_temperature_c: float
    source: str
    status: str


@dataclass(frozen=True)
class RiskCriterion:
    target_class: str
    label: str
    new_per_year: float
    existing_per_year: float
    source: str
    status: str


@dataclass(frozen=True)
class SocietalLine:
    line: str
    label: str
    f_at_n1_per_year: float
    slope: float
    n_max: float
    source: str
    status: str

    def f_at(self, n: float) -> float:
        """F(N) = F1·N^slope on a log–log plot."""
        return self.f_at_n1_per_year * n ** self.slope


@dataclass(frozen=True)
class ContourLevel:
    level_per_year: float
    label: str
    source: str
    status: str


@dataclass(frozen=True)
class ChemicalMapping:
    """How a catalogue chemical enters the model: the CAS whose properties are used, reactivity, storage."""

    chemical_key: str
    property_cas: str
    reactivity: str
    storage: str
    status: str
    note: str


@dataclass(frozen=True)
class MethodScope:
    """GB/T 37243-2019: which method decides a unit's external safety distance (``method_scope.toml``)."""

    toxic_gas_classes: tuple[str, ...]
    flammable_gas_classes: tuple[str, ...]
    explosive_classes: tuple[str, ...]
    source: str
    status: str


@dataclass(frozen=True)
class ConsequenceTables:
    model_version: str
    params: dict[str, Param]
    thresholds: tuple[Threshold, ...]
    holes: tuple[HoleSize, ...]
    frequencies: tuple[FailureFrequency, ...]
    ignition: tuple[IgnitionRow, ...]
    probits: tuple[Probit, ...]
    endpoints: dict[str, ToxicEndpoint]  # by CAS
    plume_sigma: dict[tuple[str, str, str], SigmaCoefficients]  # (terrain, stability, axis)
    puff_sigma: dict[tuple[str, str], SigmaCoefficients]  # (stability, axis)
    blast_fit: tuple[BlastFitRange, ...]
    multi_energy_peak_bar: dict[int, float]
    weather: Weather
    criteria: dict[str, RiskCriterion]
    societal_lines: tuple[SocietalLine, ...]
    contour_levels: tuple[ContourLevel, ...]
    chemicals: dict[str, ChemicalMapping]
    scope: MethodScope | None = None

    def p(self, name: str) -> float:
        """The value of parameter ``name`` (KeyError names it in Chinese)."""
        try:
            return self.params[name].value
        except KeyError:
            raise KeyError(f"model.toml 中缺少参数 {name}") from None

    def probit(self, effect: str, cas: str = "") -> Probit | None:
        for pr in self.probits:
            if pr.effect == effect and pr.cas == cas:
                return pr
        return None

    def frequency(self, equipment: str, hole_id: str) -> FailureFrequency | None:
        for f in self.frequencies:
            if f.equipment == equipment and f.hole_id == hole_id:
                return f
        return None


# --------------------------------------------------------------------------- readers

def _rows(path: Path, required: tuple[str, ...]) -> list[tuple[str, dict[str, str]]]:
    try:
        with path.open(encoding="utf-8", newline="") as f:
            reader = csv.DictReader(f)
            missing = set(required) - set(reader.fieldnames or ())
            if missing:
                raise ConsequenceDataError(f"{path.name} 缺少列 {', '.join(sorted(missing))}")
            out = []
            for i, row in enumerate(reader, start=2):
                r = {k: (v or "").strip() for k, v in row.items() if k is not None}
                where = f"{path.name} 第{i}行"
                if "status" in required and r["status"] not in STATUSES:
                    raise ConsequenceDataError(f"{where}：status 应为 {'/'.join(STATUSES)}（{r['status']!r}）")
                if "source" in required and not r["source"]:
                    raise ConsequenceDataError(f"{where}：source 为空，须注明来源")
                out.append((where, r))
            return out
    except FileNotFoundError:
        raise ConsequenceDataError(f"后果模型数据文件不存在：{path}") from None


def _num(where: str, row: dict, field: str, *, blank: float | None = None, positive: bool = False) -> float:
    text = row.get(field, "")
    if text == "" and blank is not None:
        return blank
    try:
        v = float(text)
    except ValueError:
        raise ConsequenceDataError(f"{where}：{field} 不是数字（{text!r}）") from None
    if not math.isfinite(v) or (positive and v <= 0):
        raise ConsequenceDataError(f"{where}：{field} 应为{'正' if positive else '有限'}数（{text!r}）")
    return v


def _toml(path: Path) -> dict:
    try:
        return tomllib.loads(path.read_text(encoding="utf-8"))
    except FileNotFoundError:
        raise ConsequenceDataError(f"后果模型数据文件不存在：{path}") from None
    except tomllib.TOMLDecodeError as e:
        raise ConsequenceDataError(f"{path.name} 不是有效的 TOML：{e}") from None


def _params(path: Path) -> tuple[str, dict[str, Param]]:
    doc = _toml(path)
    version = doc.get("model_version")
    if not isinstance(version, str) or not version:
        raise ConsequenceDataError(f"{path.name}：缺少 model_version")
    params = {}
    for name, t in (doc.get("params") or {}).items():
        where = f"{path.name} [params.{name}]"
        if not isinstance(t, dict) or set(t) != {"value", "unit", "source", "status"}:
            raise ConsequenceDataError(f"{where}：须有且仅有 value, unit, source, status 四项")
        if isinstance(t["value"], bool) or not isinstance(t["value"], (int, float)) or not math.isfinite(t["value"]):
            raise ConsequenceDataError(f"{where}：value 不是数字（{t['value']!r}）")
        if t["status"] not in STATUSES:
            raise ConsequenceDataError(f"{where}：status 应为 {'/'.join(STATUSES)}")
        if not str(t["source"]).strip():
            raise ConsequenceDataError(f"{where}：source 为空")
        params[name] = Param(name, float(t["value"]), str(t["unit"]), str(t["source"]), t["status"])
    return version, params


def _weather(path: Path) -> Weather:
    doc = _toml(path)
    where = path.name
    if doc.get("status") not in STATUSES or not doc.get("source"):
        raise ConsequenceDataError(f"{where}：须注明 source 与 status")
    terrain = doc.get("terrain")
    if terrain not in ("rural", "urban"):
        raise ConsequenceDataError(f"{where}：terrain 应为 rural/urban（{terrain!r}）")
    classes = []
    for i, c in enumerate(doc.get("classes") or [], start=1):
        w = f"{where} 第{i}个 [[classes]]"
        if c.get("stability") not in STABILITY_CLASSES:
            raise ConsequenceDataError(f"{w}：stability 应为 A–F（{c.get('stability')!r}）")
        speed, prob = c.get("wind_speed_m_per_s"), c.get("probability")
        if not isinstance(speed, (int, float)) or speed <= 0:
            raise ConsequenceDataError(f"{w}：wind_speed_m_per_s 应为正数")
        if not isinstance(prob, (int, float)) or not 0 <= prob <= 1:
            raise ConsequenceDataError(f"{w}：probability 应在 0–1 之间")
        classes.append(WeatherClass(str(c.get("name") or f"{c['stability']}{speed}"), c["stability"], float(speed), float(prob)))
    if not classes or abs(sum(c.probability for c in classes) - 1.0) > 1e-6:
        raise ConsequenceDataError(f"{where}：[[classes]] 的 probability 之和应为 1")
    rose = doc.get("wind_rose") or {}
    unknown = set(rose) - set(ROSE_16)
    if unknown or not rose:
        raise ConsequenceDataError(f"{where}：[wind_rose] 应为 16 方位 N…NNW 的频率（未知：{', '.join(sorted(unknown))}）")
    freqs = []
    for k in ROSE_16:
        v = rose.get(k, 0.0)
        if not isinstance(v, (int, float)) or v < 0:
            raise ConsequenceDataError(f"{where}：[wind_rose] {k} 应为非负数")
        freqs.append(float(v))
    total = sum(freqs)
    if total <= 0:
        raise ConsequenceDataError(f"{where}：[wind_rose] 频率之和应大于 0")
    return Weather(tuple(classes), tuple(22.5 * i for i in range(16)), tuple(f / total for f in freqs),
                   terrain, float(doc.get("air_temperature_c", 20.0)), str(doc["source"]), doc["status"])


def load_consequence_tables(directory: str | Path) -> ConsequenceTables:
    """Read and validate ``directory`` (a copy of ``data/rules/consequence``).

    Raises
    ------
    ConsequenceDataError
        A file is missing or a row is malformed; the message names the file and row (Chinese).
    """
    d = Path(directory)
    version, params = _params(d / "model.toml")
    S = ("source", "status")

    thresholds = tuple(Threshold(r["threshold_id"], r["effect"], r["value"], r["unit"], r["meaning"], r["source"], r["status"])
                       for _, r in _rows(d / "thresholds.csv", ("threshold_id", "effect", "value", "unit", "meaning") + S))

    holes = []
    for w, r in _rows(d / "hole_sizes.csv", ("hole_id", "label", "diameter_mm", "release") + S):
        if r["release"] not in ("continuous", "instantaneous"):
            raise ConsequenceDataError(f"{w}：release 应为 continuous/instantaneous")
        dia = None if r["diameter_mm"] == "" else _num(w, r, "diameter_mm", positive=True)
        if (dia is None) != (r["release"] == "instantaneous"):
            raise ConsequenceDataError(f"{w}：完全破裂（instantaneous）不填孔径，连续泄漏须填孔径")
        holes.append(HoleSize(r["hole_id"], r["label"], dia, r["release"], r["source"], r["status"]))
    hole_ids = {h.hole_id for h in holes}

    freqs = []
    for w, r in _rows(d / "failure_frequencies.csv", ("equipment", "hole_id", "frequency_per_year") + S):
        if r["hole_id"] not in hole_ids:
            raise ConsequenceDataError(f"{w}：hole_id {r['hole_id']!r} 不在 hole_sizes.csv 中")
        freqs.append(FailureFrequency(r["equipment"], r["hole_id"], _num(w, r, "frequency_per_year", positive=True),
                                      r["source"], r["status"]))

    ignition = []
    for w, r in _rows(d / "ignition.csv", ("release", "reactivity", "mass_min_kg", "mass_max_kg", "rate_min_kg_s",
                                            "rate_max_kg_s", "immediate_probability") + S):
        p = _num(w, r, "immediate_probability")
        if not 0 <= p <= 1:
            raise ConsequenceDataError(f"{w}：immediate_probability 应在 0–1 之间")
        ignition.append(IgnitionRow(r["release"], r["reactivity"], _num(w, r, "mass_min_kg", blank=0.0),
                                    _num(w, r, "mass_max_kg", blank=math.inf), _num(w, r, "rate_min_kg_s", blank=0.0),
                                    _num(w, r, "rate_max_kg_s", blank=math.inf), p, r["source"], r["status"]))

    probits = []
    for w, r in _rows(d / "probits.csv", ("probit_id", "effect", "cas", "a", "b", "n", "dose_units") + S):
        if r["effect"] not in ("thermal", "overpressure", "toxic"):
            raise ConsequenceDataError(f"{w}：effect 应为 thermal/overpressure/toxic")
        probits.append(Probit(r["probit_id"], r["effect"], r["cas"], _num(w, r, "a"), _num(w, r, "b", positive=True),
                              _num(w, r, "n", positive=True), r["dose_units"], r["source"], r["status"]))

    endpoints = {}
    for w, r in _rows(d / "toxic_endpoints.csv", ("cas", "name", "endpoint_1_mg_m3", "endpoint_2_mg_m3", "basis") + S):
        e1, e2 = _num(w, r, "endpoint_1_mg_m3", positive=True), _num(w, r, "endpoint_2_mg_m3", positive=True)
        if e2 > e1:
            raise ConsequenceDataError(f"{w}：毒性终点浓度-2 不应大于终点浓度-1")
        if r["basis"] not in ("hj169", "aegl", "erpg", "pac"):
            raise ConsequenceDataError(f"{w}：basis 应为 hj169/aegl/erpg/pac（HJ 169 附录H 优先，其次 AEGL、ERPG、PAC）")
        endpoints[r["cas"]] = ToxicEndpoint(r["cas"], r["name"], e1, e2, r["basis"], r["source"], r["status"])

    plume = {}
    for w, r in _rows(d / "dispersion_sigma.csv", ("terrain", "stability", "axis", "a", "b", "c") + S):
        if r["stability"] not in STABILITY_CLASSES or r["axis"] not in ("y", "z") or r["terrain"] not in ("rural", "urban"):
            raise ConsequenceDataError(f"{w}：terrain/stability/axis 取值错误")
        plume[(r["terrain"], r["stability"], r["axis"])] = SigmaCoefficients(
            _num(w, r, "a", positive=True), _num(w, r, "b"), _num(w, r, "c"), r["source"], r["status"])
    puff = {}
    for w, r in _rows(d / "puff_sigma.csv", ("stability", "axis", "a", "b") + S):
        if r["stability"] not in STABILITY_CLASSES or r["axis"] not in ("y", "z"):
            raise ConsequenceDataError(f"{w}：stability/axis 取值错误")
        puff[(r["stability"], r["axis"])] = SigmaCoefficients(_num(w, r, "a", positive=True), _num(w, r, "b", positive=True),
                                                               0.0, r["source"], r["status"])
    for terrain in ("rural", "urban"):
        for s in STABILITY_CLASSES:
            for axis in ("y", "z"):
                if (terrain, s, axis) not in plume:
                    raise ConsequenceDataError(f"dispersion_sigma.csv 缺少 {terrain} {s} σ{axis}")
                if (s, axis) not in puff:
                    raise ConsequenceDataError(f"puff_sigma.csv 缺少 {s} σ{axis}")

    blast = tuple(BlastFitRange(_num(w, r, "z_min", positive=True), _num(w, r, "z_max", positive=True),
                                tuple(_num(w, r, k) for k in "ABCDE"), r["source"], r["status"])
                  for w, r in _rows(d / "blast_kingery_bulmash.csv", ("z_min", "z_max", "A", "B", "C", "D", "E") + S))
    me = {}
    for w, r in _rows(d / "multi_energy.csv", ("strength", "peak_overpressure_bar") + S):
        me[int(_num(w, r, "strength", positive=True))] = _num(w, r, "peak_overpressure_bar", positive=True)

    criteria = {}
    for w, r in _rows(d / "risk_criteria.csv", ("target_class", "label", "new_per_year", "existing_per_year") + S):
        new, old = _num(w, r, "new_per_year", positive=True), _num(w, r, "existing_per_year", positive=True)
        if new > old:
            raise ConsequenceDataError(f"{w}：新建装置基准值不应大于在役装置基准值")
        criteria[r["target_class"]] = RiskCriterion(r["target_class"], r["label"], new, old, r["source"], r["status"])

    lines = tuple(SocietalLine(r["line"], r["label"], _num(w, r, "f_at_n1_per_year", positive=True), _num(w, r, "slope"),
                               _num(w, r, "n_max", positive=True), r["source"], r["status"])
                  for w, r in _rows(d / "societal_risk_lines.csv", ("line", "label", "f_at_n1_per_year", "slope", "n_max") + S))
    levels = tuple(ContourLevel(_num(w, r, "level_per_year", positive=True), r["label"], r["source"], r["status"])
                   for w, r in _rows(d / "contour_levels.csv", ("level_per_year", "label") + S))

    chems = {}
    for w, r in _rows(d / "chemicals.csv", ("chemical_key", "property_cas", "reactivity", "storage", "status", "note")):
        if r["reactivity"] not in ("", "low", "high"):
            raise ConsequenceDataError(f"{w}：reactivity 应为 low/high 或留空")
        if r["storage"] not in ("", "compressed_gas", "liquefied_pressurised", "refrigerated", "atmospheric_liquid"):
            raise ConsequenceDataError(f"{w}：storage 取值错误（{r['storage']!r}）")
        chems[r["chemical_key"]] = ChemicalMapping(r["chemical_key"], r["property_cas"], r["reactivity"], r["storage"],
                                                   r["status"], r["note"])

    return ConsequenceTables(version, params, thresholds, tuple(holes), tuple(freqs), tuple(ignition), tuple(probits),
                             endpoints, plume, puff, blast, me, _weather(d / "weather.toml"), criteria, lines,
                             tuple(sorted(levels, key=lambda lv: -lv.level_per_year)), chems,
                             _scope(d / "method_scope.toml"))


def _scope(path: Path) -> MethodScope:
    doc = _toml(path)
    if doc.get("status") not in STATUSES or not doc.get("source"):
        raise ConsequenceDataError(f"{path.name}：须注明 source 与 status")
    lists = []
    for key in ("toxic_gas_classes", "flammable_gas_classes", "explosive_classes"):
        v = doc.get(key)
        if not isinstance(v, list) or not all(isinstance(x, str) and x for x in v):
            raise ConsequenceDataError(f"{path.name}：{key} 应为类别代码列表（如 [\"J1\"]）")
        lists.append(tuple(v))
    return MethodScope(*lists, str(doc["source"]), doc["status"])

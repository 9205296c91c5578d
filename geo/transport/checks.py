"""五必查 at loading: the loader's five checks on one waybill, as a pure rule engine.

The checks (城区 work plan 城政办发〔2023〕25号 四（六）, restating the loader's duty in
《危险货物道路运输安全管理办法》; legal basis per check in ``data/rules/transport_checks.toml``):

1. ``vehicle_documents`` — the vehicle's (and trailer's) 行驶证 and 道路运输证 valid on the
   loading date;
2. ``crew_qualifications`` — the driver's and the escort's qualification certificates valid,
   for the role they hold on the waybill (an escort is required: 办法第四十四条);
3. ``tank_inspection`` — a tank vehicle's tank inspection valid on the loading date;
4. ``goods_match_waybill`` — what was loaded (loading record or tag events) matches the
   waybill's goods rows: chemical, UN number (and the UN number right for the chemical, per
   ``data/reference/un_numbers.csv``), quantity within the tolerance of the rules data;
5. ``tank_media`` — each medium loaded into a tank is on that tank's 适装介质 list.

Each check gives 通过 (``pass``), 不通过 (``fail``) with Chinese reasons naming the document and
its date, or 未核查 (``not_checked``) saying which data is missing.  A document valid *on* the
loading date passes: an expiry date equal to the loading date is still valid.  Fails win over
missing data (one expired certificate fails the check even when another is unknown).

Inputs are plain frozen dataclasses built by the caller from the registries (chemical names
already resolved to catalogue keys where possible); nothing here reads files or the database.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping
from dataclasses import dataclass

from geo.chemicals import bare, normalise

OUTCOME_LABEL = {"pass": "通过", "fail": "不通过", "not_checked": "未核查"}
ROLE_LABEL = {"driver": "驾驶人", "escort": "押运人员"}
UN_STATUSES = ("verified-1src", "partial", "uncertain")
CHECK_KEYS = ("vehicle_documents", "crew_qualifications", "tank_inspection", "goods_match_waybill", "tank_media")
_MASS_KG = {"t": 1000.0, "吨": 1000.0, "kg": 1.0, "千克": 1.0, "公斤": 1.0}
_VOLUME_L = {"l": 1.0, "升": 1.0, "m3": 1000.0, "m³": 1000.0, "立方米": 1000.0}


# ---- rules and reference data ---------------------------------------------------------------

@dataclass(frozen=True)
class CheckRule:
    id: str
    key: str
    title: str
    basis: str
    status: str  # verified / uncertain
    plan_item: str = ""
    also: str = ""


@dataclass(frozen=True)
class CheckRules:
    """``data/rules/transport_checks.toml``: one rule per check and the quantity tolerance."""

    rules: tuple[CheckRule, ...]
    quantity_tolerance_pct: float
    quantity_status: str
    version: str

    def rule(self, key: str) -> CheckRule:
        for r in self.rules:
            if r.key == key:
                return r
        raise KeyError(key)


@dataclass(frozen=True)
class UnEntry:
    """A row of ``data/reference/un_numbers.csv``; ``hazard_class`` is the UN class as the source gives it (class 2 undivided)."""

    chemical_key: str
    un_number: str
    hazard_class: str
    classification_code: str = ""
    packing_group: str = ""
    form: str = ""
    status: str = "verified-1src"  # partial: other forms of the entry have numbers not listed; uncertain: mapping judged


@dataclass(frozen=True)
class UnNumbers:
    entries: tuple[UnEntry, ...]

    def for_chemical(self, key: str) -> tuple[UnEntry, ...]:
        return tuple(e for e in self.entries if e.chemical_key == key)


# ---- registry records -----------------------------------------------------------------------

@dataclass(frozen=True)
class Medium:
    """One entry of a tank's 适装介质 list (name as registered, catalogue key when resolved)."""

    name: str
    chemical_key: str | None = None


@dataclass(frozen=True)
class Vehicle:
    plate: str
    driving_licence_expiry: dt.date | None = None  # 行驶证（检验有效期至）
    road_transport_cert_no: str | None = None  # 道路运输证号
    road_transport_cert_expiry: dt.date | None = None
    tank_no: str | None = None  # 罐体编号; None = not a tank vehicle
    tank_inspection_expiry: dt.date | None = None
    permitted_media: tuple[Medium, ...] | None = None  # None = list not registered


@dataclass(frozen=True)
class CrewMember:
    name: str
    role: str  # driver | escort: what the qualification certificate is for
    cert_no: str
    cert_expiry: dt.date | None = None


@dataclass(frozen=True)
class CrewRef:
    """A person named on the waybill."""

    name: str
    cert_no: str | None = None


@dataclass(frozen=True)
class Goods:
    """A goods row (waybill) or a loaded row (loading record / tag events; ``quantity`` None when not recorded)."""

    name: str
    chemical_key: str | None = None
    un_number: str | None = None
    hazard_class: str | None = None
    quantity: float | None = None
    unit: str | None = None


@dataclass(frozen=True)
class Waybill:
    waybill_no: str
    loading_date: dt.date
    vehicle_plate: str
    goods: tuple[Goods, ...]
    trailer_plate: str | None = None
    driver: CrewRef | None = None
    escort: CrewRef | None = None
    loader: str | None = None  # 装货人 (enterprise)
    carrier: str | None = None  # 承运人
    consignee: str | None = None  # 收货人: the trip closes when it has scanned every tag


@dataclass(frozen=True)
class Loading:
    """What was loaded, from a loading record (``source="loading_record"``) or tag events (``"tag_events"``)."""

    goods: tuple[Goods, ...]
    source: str = "loading_record"


# ---- results ----------------------------------------------------------------------------------

@dataclass(frozen=True)
class CheckResult:
    rule: CheckRule
    outcome: str  # pass | fail | not_checked
    reasons: tuple[str, ...]

    @property
    def label(self) -> str:
        return OUTCOME_LABEL[self.outcome]

    @property
    def text(self) -> str:
        return f"{self.rule.title}：{self.label}。" + "；".join(self.reasons)


@dataclass(frozen=True)
class WaybillChecks:
    waybill_no: str
    results: tuple[CheckResult, ...]

    @property
    def failed(self) -> tuple[CheckResult, ...]:
        return tuple(r for r in self.results if r.outcome == "fail")

    @property
    def not_checked(self) -> tuple[CheckResult, ...]:
        return tuple(r for r in self.results if r.outcome == "not_checked")


class _Findings:
    """Collects fail / missing / pass reasons for one check; the outcome is the worst."""

    def __init__(self) -> None:
        self.fails: list[str] = []
        self.missing: list[str] = []
        self.oks: list[str] = []

    def result(self, rule: CheckRule) -> CheckResult:
        if self.fails:
            return CheckResult(rule, "fail", tuple(self.fails + self.missing))
        if self.missing:
            return CheckResult(rule, "not_checked", tuple(self.missing + self.oks))
        return CheckResult(rule, "pass", tuple(self.oks))


def _valid_on(f: _Findings, what: str, expiry: dt.date | None, day: dt.date, missing: str) -> None:
    if expiry is None:
        f.missing.append(missing)
    elif expiry < day:
        f.fails.append(f"{what}有效期至 {expiry.isoformat()}，早于装货日期 {day.isoformat()}")
    else:
        f.oks.append(f"{what}有效期至 {expiry.isoformat()}")


def _waybill_vehicles(w: Waybill, vehicles: Mapping[str, Vehicle], f: _Findings) -> list[Vehicle]:
    out = []
    for plate, label in ((w.vehicle_plate, "车辆"), (w.trailer_plate, "挂车")):
        if not plate:
            continue
        v = vehicles.get(plate)
        if v is None:
            f.missing.append(f"车辆登记中无{label} {plate}")
        else:
            out.append(v)
    return out


# ---- the five checks ---------------------------------------------------------------------------

def _vehicle_documents(w: Waybill, vehicles: Mapping[str, Vehicle]) -> _Findings:
    f = _Findings()
    for v in _waybill_vehicles(w, vehicles, f):
        _valid_on(f, f"车辆 {v.plate} 行驶证", v.driving_licence_expiry, w.loading_date,
                  f"车辆 {v.plate} 未登记行驶证有效期")
        cert = f"道路运输证（{v.road_transport_cert_no}）" if v.road_transport_cert_no else "道路运输证"
        if not v.road_transport_cert_no and v.road_transport_cert_expiry is None:
            f.missing.append(f"车辆 {v.plate} 未登记道路运输证")
        else:
            _valid_on(f, f"车辆 {v.plate} {cert}", v.road_transport_cert_expiry, w.loading_date,
                      f"车辆 {v.plate} 未登记道路运输证有效期")
    return f


def _find_crew(ref: CrewRef, crew: Mapping[str, CrewMember]) -> CrewMember | str:
    if ref.cert_no and ref.cert_no in crew:
        return crew[ref.cert_no]
    same = [c for c in crew.values() if c.name == ref.name]
    if len(same) == 1 and not ref.cert_no:
        return same[0]
    if ref.cert_no:
        return f"人员登记中无资格证号 {ref.cert_no}（{ref.name}）"
    return f"运单未载明 {ref.name} 的资格证号，人员登记中同名 {len(same)} 人" if same else f"人员登记中无 {ref.name}"


def _crew_qualifications(w: Waybill, crew: Mapping[str, CrewMember]) -> _Findings:
    f = _Findings()
    for role, ref in (("driver", w.driver), ("escort", w.escort)):
        label = ROLE_LABEL[role]
        if ref is None:
            f.fails.append(f"运单未载明{label}" + ("（须配备押运人员，办法第四十四条）" if role == "escort" else ""))
            continue
        person = _find_crew(ref, crew)
        if isinstance(person, str):
            f.missing.append(f"{label} {ref.name}：{person}")
            continue
        if person.role != role:
            f.fails.append(f"{label} {person.name} 的资格证（{person.cert_no}）为{ROLE_LABEL.get(person.role, person.role)}资格，"
                           f"不是{label}资格")
            continue
        _valid_on(f, f"{label} {person.name} 资格证（{person.cert_no}）", person.cert_expiry, w.loading_date,
                  f"{label} {person.name} 资格证（{person.cert_no}）未登记有效期")
    return f


def _tank_inspection(w: Waybill, vehicles: Mapping[str, Vehicle]) -> _Findings:
    f = _Findings()
    found = _waybill_vehicles(w, vehicles, f)
    tanks = [v for v in found if v.tank_no]
    for v in tanks:
        _valid_on(f, f"车辆 {v.plate} 罐体（{v.tank_no}）检验", v.tank_inspection_expiry, w.loading_date,
                  f"车辆 {v.plate} 罐体（{v.tank_no}）未登记检验有效期")
    if found and not tanks:
        f.oks.append("非罐式车辆（登记无罐体编号），无罐体检验；车辆检验有效期见第一查（行驶证）")
    return f


def same_chemical(a: Goods, b: Goods) -> bool:
    """Same catalogue key when both are resolved, else the same name (bare or normalised)."""
    if a.chemical_key and b.chemical_key:
        return a.chemical_key == b.chemical_key
    return bare(a.name) == bare(b.name) or normalise(a.name) == normalise(b.name)


def _base_quantity(g: Goods) -> tuple[str, float] | None:
    unit = normalise(g.unit or "").lower()
    if g.quantity is None:
        return None
    if unit in _MASS_KG:
        return "kg", g.quantity * _MASS_KG[unit]
    if unit in _VOLUME_L:
        return "L", g.quantity * _VOLUME_L[unit]
    return None


def _un_for_chemical(row: Goods, un: UnNumbers, f: _Findings) -> None:
    if not row.un_number:
        f.fails.append(f"运单货物“{row.name}”未载明联合国编号")
        return
    code = normalise(row.un_number).upper().removeprefix("UN")
    if row.chemical_key is None:
        f.missing.append(f"货物“{row.name}”未匹配到化学品目录，UN{code} 是否对应未核查")
        return
    entries = un.for_chemical(row.chemical_key)
    if not entries:
        f.missing.append(f"联合国编号参考表无“{row.name}”，UN{code} 是否对应未核查")
        return
    match = [e for e in entries if e.un_number == code]
    listed = "、".join(f"UN{e.un_number}" + (f"（{e.form}）" if e.form else "") for e in entries)
    if not match:
        if all(e.status == "verified-1src" for e in entries):
            f.fails.append(f"运单货物“{row.name}”的 UN{code} 与该化学品的联合国编号（{listed}）不符")
        else:
            f.missing.append(f"运单货物“{row.name}”的 UN{code} 不在参考表（{listed}，未收录全部形态）中，未核查")
        return
    if row.hazard_class:
        cls = normalise(row.hazard_class)
        top = cls.split(".")[0] if match[0].hazard_class.isdigit() else cls
        if top != match[0].hazard_class:
            f.fails.append(f"运单货物“{row.name}”的类别 {row.hazard_class} 与 UN{code} 的类别 {match[0].hazard_class} 不符")


def _goods_match(w: Waybill, loading: Loading | None, un: UnNumbers, tolerance_pct: float) -> _Findings:
    f = _Findings()
    for row in w.goods:
        _un_for_chemical(row, un, f)
    if loading is None:
        f.missing.append("无装货记录或标签事件，实际装载货物未核查")
        return f
    src = "装货记录" if loading.source == "loading_record" else "标签事件"
    used = set()
    for row in w.goods:
        loaded = [(i, g) for i, g in enumerate(loading.goods) if same_chemical(row, g)]
        if not loaded:
            f.fails.append(f"运单货物“{row.name}”在{src}中没有装载记录")
            continue
        used.update(i for i, _ in loaded)
        for _, g in loaded:
            if g.un_number and row.un_number and normalise(g.un_number).upper().removeprefix("UN") != \
                    normalise(row.un_number).upper().removeprefix("UN"):
                f.fails.append(f"“{row.name}”{src}联合国编号 {g.un_number} 与运单 {row.un_number} 不符")
        want = _base_quantity(row)
        got = [_base_quantity(g) for _, g in loaded]
        if want is None:
            f.missing.append(f"运单货物“{row.name}”数量或单位（{row.quantity} {row.unit or ''}）不可比，数量未核查")
        elif any(q is None or q[0] != want[0] for q in got):
            f.missing.append(f"“{row.name}”{src}无可比数量，数量未核查")
        else:
            total = sum(q[1] for q in got)
            diff_pct = abs(total - want[1]) / want[1] * 100 if want[1] else float("inf")
            shown = f"{src} {total:g} {want[0]}、运单 {want[1]:g} {want[0]}"
            if diff_pct > tolerance_pct:
                f.fails.append(f"“{row.name}”装载量与运单不符（{shown}，相差 {diff_pct:.1f}%，允许 {tolerance_pct:g}%）")
            else:
                f.oks.append(f"“{row.name}”装载量与运单一致（{shown}）")
    for i, g in enumerate(loading.goods):
        if i not in used:
            f.fails.append(f"{src}中的“{g.name}”不在运单货物中")
    return f


def _medium_ok(row: Goods, media: tuple[Medium, ...]) -> bool:
    return any(same_chemical(row, Goods(name=m.name, chemical_key=m.chemical_key)) for m in media)


def _tank_media(w: Waybill, vehicles: Mapping[str, Vehicle]) -> _Findings:
    f = _Findings()
    found = _waybill_vehicles(w, vehicles, f)
    tanks = [v for v in found if v.tank_no]
    if found and not tanks:
        f.oks.append("非罐式车辆（登记无罐体编号），不适用适装介质列表")
    for v in tanks:
        if v.permitted_media is None:
            f.missing.append(f"车辆 {v.plate} 罐体（{v.tank_no}）未登记适装介质列表")
            continue
        names = "、".join(m.name for m in v.permitted_media) or "空"
        for row in w.goods:
            if _medium_ok(row, v.permitted_media):
                f.oks.append(f"“{row.name}”在罐体 {v.tank_no} 适装介质列表内")
            else:
                f.fails.append(f"“{row.name}”不在车辆 {v.plate} 罐体（{v.tank_no}）的适装介质列表（{names}）内")
    return f


def check_waybill(waybill: Waybill, *, vehicles: Mapping[str, Vehicle], crew: Mapping[str, CrewMember],
                  loading: Loading | None, rules: CheckRules, un_numbers: UnNumbers) -> WaybillChecks:
    """The five checks for one waybill.

    Parameters
    ----------
    vehicles
        Vehicle registry by plate (tractor and trailer).
    crew
        Crew registry by qualification certificate number.
    loading
        What was actually loaded; ``None`` when there is neither a loading record nor tag events.
    """
    found = {
        "vehicle_documents": _vehicle_documents(waybill, vehicles),
        "crew_qualifications": _crew_qualifications(waybill, crew),
        "tank_inspection": _tank_inspection(waybill, vehicles),
        "goods_match_waybill": _goods_match(waybill, loading, un_numbers, rules.quantity_tolerance_pct),
        "tank_media": _tank_media(waybill, vehicles),
    }
    return WaybillChecks(waybill.waybill_no, tuple(found[k].result(rules.rule(k)) for k in CHECK_KEYS))

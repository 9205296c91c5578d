"""Row → record builders for the four waste registries (ETL kinds ``waste_producers``,
``waste_records``, ``waste_manifests``, ``waste_facilities``; templates in ``data/templates/``).

A row is a mapping of the file's headers to cell values; ``cols`` maps each field to the header
present in the file (:data:`COLUMNS` lists the accepted headers, first = the template's, shape of
``etl.mapping.DEFAULT_COLUMNS``).  Every problem raises :class:`geo.cells.CellError` naming the
field in Chinese — the ETL's row error, so a bad row becomes one reject.

Manifests and producers arrive one detail row per line (a manifest's rows, a producer's plan per
code): :func:`manifest_line` / :func:`producer_line` build a line, :func:`assemble_manifests` /
:func:`assemble_producers` group them and refuse lines of one manifest (producer) that disagree.
"""

from __future__ import annotations

import datetime as dt
import re
from dataclasses import dataclass
from types import MappingProxyType
from typing import Any, Iterable, Mapping

from geo import credit_code as gb32100
from geo.cells import CellError, number, parse_date, text, tonnes
from geo.crs import CRSError, in_china, parse_crs, to_wgs84
from geo.waste.codes import WasteCodes
from geo.waste.manifest import check_number
from geo.waste.model import (DECISIONS, RECORD_KIND_INPUT, RECORD_KINDS, STATES, Facility, Manifest, ManifestRow,
                             WasteProducer, WasteRecord)
from geo.waste.rules import ManifestRules

COLUMNS: dict[str, dict[str, list[str]]] = {
    "waste_producers": {
        "credit_code": ["统一社会信用代码", "信用代码", "credit_code"],
        "name": ["单位名称", "企业名称", "name"],
        "plan_year": ["计划年度", "年度", "plan_year"],
        "waste_code": ["废物代码", "危废代码", "waste_code"],
        "waste_name": ["废物名称", "waste_name"],
        "planned": ["计划产生量", "年计划产生量", "planned"],
        "unit": ["计量单位", "单位", "unit"],
        "storage_capacity_t": ["贮存能力（吨）", "贮存能力(吨)", "贮存能力t", "storage_capacity_t"],
        "lon": ["贮存场所经度", "经度", "lon"],
        "lat": ["贮存场所纬度", "纬度", "lat"],
        "crs": ["坐标系", "crs"],
    },
    "waste_records": {
        "credit_code": ["统一社会信用代码", "信用代码", "credit_code"],
        "date": ["日期", "记录日期", "date"],
        "kind": ["记录类型", "类型", "kind"],
        "waste_code": ["废物代码", "危废代码", "waste_code"],
        "waste_name": ["废物名称", "waste_name"],
        "quantity": ["数量", "quantity"],
        "unit": ["计量单位", "单位", "unit"],
    },
    "waste_manifests": {
        "manifest_no": ["联单编号", "ldbh", "manifest_no"],
        "transfer_date": ["转移日期", "transfer_date"],
        "generator_name": ["移出单位名称", "产生单位名称", "generator_name"],
        "generator_credit_code": ["移出单位统一社会信用代码", "产生单位统一社会信用代码", "generator_credit_code"],
        "generator_admin_code": ["移出地行政区划代码", "generator_admin_code"],
        "receiver_name": ["接受单位名称", "接收单位名称", "receiver_name"],
        "receiver_licence_no": ["接受单位危险废物经营许可证编号", "经营许可证编号", "receiver_licence_no"],
        "receiver_admin_code": ["接受地行政区划代码", "receiver_admin_code"],
        "carrier_name": ["承运单位名称", "运输单位名称", "carrier_name"],
        "carrier_permit_no": ["道路运输证号", "道路运输经营许可证号", "carrier_permit_no"],
        "route_cities": ["途经城市", "运输路线", "route_cities"],
        "waste_name": ["废物名称", "waste_name"],
        "hw_class": ["废物类别", "hw_class"],
        "waste_code": ["废物代码", "危废代码", "waste_code"],
        "disposal_method": ["利用处置方式", "disposal_method"],
        "quantity": ["转移数量", "数量", "quantity"],
        "unit": ["计量单位", "单位", "unit"],
        "received": ["接受数量", "接收数量", "received"],
        "receipt_date": ["接受日期", "接收日期", "receipt_date"],
        "decision": ["接受意见", "接收意见", "decision"],
        "major_discrepancy": ["是否存在重大差异", "重大差异", "major_discrepancy"],
        "state": ["联单状态", "状态", "state"],
        "waybill_no": ["电子运单号", "运单编号", "waybill_no"],
    },
    "waste_facilities": {
        "licence_no": ["危险废物经营许可证编号", "许可证编号", "licence_no"],
        "name": ["单位名称", "企业名称", "name"],
        "credit_code": ["统一社会信用代码", "信用代码", "credit_code"],
        "admin_code": ["行政区划代码", "admin_code"],
        "scope": ["经营范围", "核准经营危险废物类别", "scope"],
        "capacity_t_per_year": ["经营规模（吨/年）", "经营规模(吨/年)", "capacity_t_per_year"],
        "valid_from": ["有效期起", "发证日期", "valid_from"],
        "valid_until": ["有效期至", "valid_until"],
    },
}
KINDS = tuple(COLUMNS)
_SPLIT = re.compile(r"[、,，;；/|\s]+")
_YES = {"是": True, "否": False, "有": True, "无": False, "1": True, "0": False, "true": True, "false": False}
_DECISION_INPUT = {"接受": "接受", "接收": "接受", "部分接受": "部分接受", "部分接收": "部分接受",
                   "拒绝接受": "拒绝接受", "拒收": "拒绝接受", "不接受": "拒绝接受"}


def label(kind: str, fld: str) -> str:
    """The Chinese header of a field (the template's)."""
    return COLUMNS[kind][fld][0]


def template_columns(kind: str) -> dict[str, str]:
    """``cols`` for a file with the template's headers."""
    return {f: names[0] for f, names in COLUMNS[kind].items()}


class _Cells:
    """The cells of one row of one kind, read by field with Chinese errors."""

    def __init__(self, kind: str, values: Mapping[str, Any], cols: Mapping[str, str]):
        self.kind, self.values, self.cols = kind, values, cols

    def raw(self, fld: str) -> Any:
        return self.values.get(self.cols[fld]) if fld in self.cols else None

    def text(self, fld: str) -> str | None:
        return text(self.raw(fld)) or None

    def required(self, fld: str) -> str:
        v = text(self.raw(fld))
        if not v:
            lab = label(self.kind, fld)
            raise CellError(lab, "", f"必填字段“{lab}”为空" if fld in self.cols else f"缺少必填列“{lab}”")
        return v

    def date(self, fld: str, *, required: bool = False) -> dt.date | None:
        if required:
            self.required(fld)
        return parse_date(self.raw(fld), label(self.kind, fld))

    def credit_code(self, fld: str, *, required: bool = True) -> str | None:
        raw = self.required(fld) if required else self.text(fld)
        if raw is None:
            return None
        code = gb32100.normalise(raw)
        why = gb32100.validate(code)
        if why:
            raise CellError(label(self.kind, fld), raw, why)
        return code

    def admin_code(self, fld: str) -> str | None:
        v = self.text(fld)
        if v is not None and not re.fullmatch(r"\d{6}|\d{9}|\d{12}", v):
            raise CellError(label(self.kind, fld), v, f"{label(self.kind, fld)}应为6位（GB/T 2260）或9/12位统计用区划代码")
        return v

    def tonnes(self, fld: str, *, allow_zero: bool = False) -> float:
        unit = (self.text("unit") or "") if "unit" in self.cols else None
        return tonnes(self.raw(fld), unit, label=label(self.kind, fld), unit_label=label(self.kind, "unit"),
                      allow_zero=allow_zero)

    def optional_number(self, fld: str) -> float | None:
        if self.text(fld) is None:
            return None
        v = number(self.raw(fld), label(self.kind, fld))
        if v < 0:
            raise CellError(label(self.kind, fld), self.raw(fld), f"{label(self.kind, fld)}不能为负")
        return v

    def waste_code(self, codes: WasteCodes, *, hw_class: str | None = None) -> str:
        raw = self.required("waste_code")
        try:
            return codes.validate(raw, hw_class=hw_class).code
        except CellError as exc:
            raise CellError(label(self.kind, "waste_code"), raw, exc.reason) from None


@dataclass(frozen=True)
class ProducerPlanLine:
    credit_code: str
    name: str
    plan_year: int
    waste_code: str
    planned_t: float
    storage_capacity_t: float | None
    storage_point: tuple[float, float] | None
    line: int | None = None


def producer_line(values: Mapping[str, Any], cols: Mapping[str, str], *, codes: WasteCodes,
                  default_crs: str | None = None, line: int | None = None) -> ProducerPlanLine:
    """One line of ``waste_producers``: an enterprise's 管理计划 for one waste code and year.

    The storage place (optional) is converted to WGS-84 from its declared CRS (坐标系, else
    ``default_crs``) and must lie in China.
    """
    c = _Cells("waste_producers", values, cols)
    year_s = c.required("plan_year")
    if not re.fullmatch(r"(19|20)\d{2}", year_s):
        raise CellError(label(c.kind, "plan_year"), year_s, "计划年度应为四位年份，如 2025")
    return ProducerPlanLine(c.credit_code("credit_code"), c.required("name"), int(year_s), c.waste_code(codes),
                            c.tonnes("planned", allow_zero=True), c.optional_number("storage_capacity_t"),
                            _storage_point(c, default_crs), line)


def _storage_point(c: _Cells, default_crs: str | None) -> tuple[float, float] | None:
    lon_s, lat_s = c.text("lon"), c.text("lat")
    if lon_s is None and lat_s is None:
        return None
    if lon_s is None or lat_s is None:
        raise CellError(label(c.kind, "lon" if lon_s is None else "lat"), "", "贮存场所经纬度不完整：只填了一个坐标")
    x, y = number(lon_s, label(c.kind, "lon")), number(lat_s, label(c.kind, "lat"))
    declared = c.text("crs") or default_crs
    if not declared:
        raise CellError(label(c.kind, "crs"), "", "有坐标但未声明坐标系（该数据源也未配置默认坐标系）")
    try:
        lon, lat = to_wgs84(x, y, parse_crs(declared))
    except CRSError as exc:
        raise CellError(label(c.kind, "crs"), declared, str(exc)) from None
    if not in_china(lon, lat):
        raise CellError("贮存场所经度/纬度", f"{lon_s},{lat_s}", "坐标不在中国境内（请检查经纬度、是否填反或坐标系）")
    return lon, lat


def assemble_producers(lines: Iterable[ProducerPlanLine]) -> dict[str, WasteProducer]:
    """Producers by credit code; their lines must agree on name, capacity and storage place, and
    give each (year, code) once."""
    groups: dict[str, list[ProducerPlanLine]] = {}
    for ln in lines:
        groups.setdefault(ln.credit_code, []).append(ln)
    out = {}
    for code, lns in groups.items():
        first = lns[0]
        plans: dict[tuple[int, str], float] = {}
        for ln in lns:
            where = f"第{ln.line}行" if ln.line else ""
            for fld, lab in (("name", "单位名称"), ("storage_capacity_t", "贮存能力（吨）"), ("storage_point", "贮存场所经纬度")):
                if getattr(ln, fld) != getattr(first, fld):
                    raise CellError(lab, getattr(ln, fld), f"{where}单位 {code} 的{lab}与其他行不一致"
                                                            f"（“{getattr(first, fld)}”）")
            key = (ln.plan_year, ln.waste_code)
            if key in plans:
                raise CellError("废物代码", ln.waste_code, f"{where}单位 {code} {ln.plan_year} 年 {ln.waste_code} 的计划重复")
            plans[key] = ln.planned_t
        out[code] = WasteProducer(code, first.name, first.storage_capacity_t, MappingProxyType(plans),
                                  first.storage_point)
    return out


def record(values: Mapping[str, Any], cols: Mapping[str, str], *, codes: WasteCodes) -> WasteRecord:
    """One ``waste_records`` entry (台账: 产生 / 期初库存 / 自行利用 / 自行处置)."""
    c = _Cells("waste_records", values, cols)
    kind_s = c.required("kind")
    kind = RECORD_KIND_INPUT.get(kind_s)
    if kind is None:
        raise CellError(label(c.kind, "kind"), kind_s, f"未知记录类型“{kind_s}”（可用：{'、'.join(RECORD_KINDS.values())}）")
    return WasteRecord(c.credit_code("credit_code"), c.date("date", required=True), c.waste_code(codes), kind,
                       c.tonnes("quantity"))


def facility(values: Mapping[str, Any], cols: Mapping[str, str], *, codes: WasteCodes) -> Facility:
    """One licensed receiver (``waste_facilities``); scope = waste codes and/or classes HWNN."""
    c = _Cells("waste_facilities", values, cols)
    scope = set()
    for part in _SPLIT.split(c.required("scope")):
        if not part:
            continue
        p = part.upper()
        if re.fullmatch(r"HW\d{2}", p):
            if p not in codes.classes:
                raise CellError(label(c.kind, "scope"), part, f"经营范围中的类别 {p} 不是名录中的废物类别（{codes.class_ranges}）")
            scope.add(p)
        else:
            try:
                scope.add(codes.parse(part)[0])
            except CellError as exc:
                raise CellError(label(c.kind, "scope"), part, f"经营范围：{exc.reason}") from None
    valid_from, valid_until = c.date("valid_from"), c.date("valid_until", required=True)
    if valid_from and valid_from > valid_until:
        raise CellError(label(c.kind, "valid_from"), valid_from.isoformat(), "有效期起晚于有效期至")
    return Facility(c.required("licence_no"), c.required("name"), frozenset(scope), valid_until, valid_from,
                    c.credit_code("credit_code", required=False), c.admin_code("admin_code"),
                    c.optional_number("capacity_t_per_year"))


@dataclass(frozen=True)
class ManifestLine:
    """A manifest's header fields (as a :class:`Manifest` with one row) from one file line."""

    manifest: Manifest
    line: int | None = None


def manifest_line(values: Mapping[str, Any], cols: Mapping[str, str], *, codes: WasteCodes,
                  rules: ManifestRules, line: int | None = None) -> ManifestLine:
    """One line of ``waste_manifests``: the manifest's fields and one detail row.

    Checks: the number's structure (第十五条; digits 5–8 = the 移出地 province and city code when
    that is given), the 8-digit code against the list and the 废物类别 column, quantities and units,
    the state, the decision agreeing with the state, the receipt not before the transfer.
    """
    c = _Cells("waste_manifests", values, cols)
    no = check_number(c.required("manifest_no"), rules)
    gen_admin = c.admin_code("generator_admin_code")
    if gen_admin and no[4:8] != gen_admin[:4]:
        raise CellError(label(c.kind, "manifest_no"), no, f"联单编号第5–8位“{no[4:8]}”应为移出地省、市行政区划代码"
                                                          f"“{gen_admin[:4]}”（{rules.number_digits.basis}）")
    state = c.required("state")
    if state not in STATES:
        raise CellError(label(c.kind, "state"), state, f"未知联单状态“{state}”（可用：{'、'.join(STATES)}）")
    transfer = c.date("transfer_date", required=True)
    receipt = c.date("receipt_date")
    if receipt and receipt < transfer:
        raise CellError(label(c.kind, "receipt_date"), receipt.isoformat(), "接受日期早于转移日期")
    decision = _decision(c, state)
    hw_class = c.text("hw_class")
    code = c.waste_code(codes, hw_class=hw_class)
    qty = c.tonnes("quantity")
    received = c.tonnes("received", allow_zero=True) if c.text("received") is not None else None
    if received is None and state in rules.confirmed_states:
        if decision != "拒绝接受":
            raise CellError(label(c.kind, "received"), "", f"联单状态为“{state}”时须填写接受数量")
        received = 0.0
    disc_s = c.text("major_discrepancy")
    disc = _YES.get(disc_s.lower()) if disc_s else None
    if disc_s and disc is None:
        raise CellError(label(c.kind, "major_discrepancy"), disc_s, "应为 是/否")
    row = ManifestRow(c.required("waste_name"), "HW" + code[-2:], code, qty, c.text("disposal_method"), received)
    cities = tuple(p for p in _SPLIT.split(c.text("route_cities") or "") if p)
    m = Manifest(no, transfer, c.credit_code("generator_credit_code"), c.required("generator_name"),
                 c.required("receiver_name"), c.required("receiver_licence_no"), (row,), state, gen_admin,
                 c.admin_code("receiver_admin_code"), c.text("carrier_name"), c.text("carrier_permit_no"), cities,
                 receipt, decision, disc, c.text("waybill_no"))
    return ManifestLine(m, line)


def _decision(c: _Cells, state: str) -> str | None:
    raw = c.text("decision")
    if raw is None:
        return DECISIONS.get(state)
    d = _DECISION_INPUT.get(raw)
    if d is None:
        raise CellError(label(c.kind, "decision"), raw, "接受意见应为 接受/部分接受/拒绝接受")
    if state in DECISIONS and DECISIONS[state] != d:
        raise CellError(label(c.kind, "decision"), raw, f"接受意见“{raw}”与联单状态“{state}”不符（应为“{DECISIONS[state]}”）")
    return d


_HEADER = ("transfer_date", "generator_credit_code", "generator_name", "receiver_name", "receiver_licence_no", "state",
           "generator_admin_code", "receiver_admin_code", "carrier_name", "carrier_permit_no", "route_cities",
           "receipt_date", "receiver_decision", "major_discrepancy", "waybill_no")


def _header_label(fld: str) -> str:
    return label("waste_manifests", "decision" if fld == "receiver_decision" else fld)


def assemble_manifests(lines: Iterable[ManifestLine]) -> list[Manifest]:
    """Manifests from their lines (one per detail row), in first-seen order; a manifest's lines must
    agree on every header field."""
    groups: dict[str, list[ManifestLine]] = {}
    for ln in lines:
        groups.setdefault(ln.manifest.manifest_no, []).append(ln)
    out = []
    for no, lns in groups.items():
        first = lns[0].manifest
        for ln in lns[1:]:
            for fld in _HEADER:
                a, b = getattr(first, fld), getattr(ln.manifest, fld)
                if a != b:
                    where = f"第{ln.line}行" if ln.line else ""
                    raise CellError(_header_label(fld), b, f"{where}联单 {no} 的{_header_label(fld)}“{b}”与前面行的“{a}”不一致")
        out.append(Manifest(**{**{f: getattr(first, f) for f in _HEADER}, "manifest_no": no,
                               "rows": tuple(r for ln in lns for r in ln.manifest.rows)}))
    return out

"""Waste codes of 《国家危险废物名录（2025年版）》 (National Catalogue of Hazardous Wastes, 2025).

A waste code (废物代码) is 8 digits: the generating industry (3, per GB/T 4754-2017), a sequence
(3) and the waste class (2, the ``NN`` of ``HWNN``) — 名录正文 术语（三）.  Hazard properties
(危险特性): toxicity T, corrosivity C, ignitability I, reactivity R, infectivity In — 术语（四）.
A waste identified as hazardous by 鉴别 that fits no listed code takes ``900-000-NN`` (名录正文).

The data are ``data/reference/hw_classes.csv``, ``hw_codes.csv`` and ``hw_list.csv``.  Our copy of
the list may be incomplete (``hw_list.csv`` gives the list's total, 470): :meth:`WasteCodes.validate`
tells a malformed code (wrong structure or class — :class:`MalformedWasteCode`) from a well-formed
code missing from our copy (:class:`UnknownWasteCode`, whose message says the copy is incomplete).
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from pathlib import Path
from types import MappingProxyType
from typing import Mapping

from geo.cells import CellError, halfwidth
from geo.waste.files import STATUSES, WasteDataError, read_csv_rows

# 名录正文 术语（四）: the five hazard properties and their Chinese names
HAZARD_PROPERTIES = {"T": "毒性", "C": "腐蚀性", "I": "易燃性", "R": "反应性", "In": "感染性"}
FIELD = "废物代码"

_CODE = re.compile(r"(\d{3})-?(\d{3})-?(\d{2})")
_PREFIX = re.compile(r"HW(\d{2})[-_:：\s]*", re.IGNORECASE)
_CLASS = re.compile(r"HW\d{2}")


class MalformedWasteCode(CellError):
    """The code is not 8 digits of the list's structure, or its class is not a class of the list."""

    def __init__(self, code: str, reason: str):
        super().__init__(FIELD, code, reason)


class UnknownWasteCode(CellError):
    """A well-formed code that our copy of the list does not carry."""

    def __init__(self, code: str, reason: str):
        super().__init__(FIELD, code, reason)


@dataclass(frozen=True)
class HazardClass:
    """A waste class (废物类别) ``HWNN``; ``hazard_properties`` = the union over its codes."""

    code: str
    name: str
    hazard_properties: frozenset[str]
    name_status: str
    properties_status: str
    source: str

    @property
    def number(self) -> str:
        return self.code[2:]


@dataclass(frozen=True)
class WasteCode:
    """One row of the list: ``code`` as ``NNN-NNN-NN``; ``identified`` for ``900-000-NN``."""

    code: str
    hw_class: str
    industry_source: str
    description: str
    hazard_properties: frozenset[str]
    status: str
    source: str
    identified: bool = False

    @property
    def industry_code(self) -> str:
        return self.code[:3]

    @property
    def sequence(self) -> str:
        return self.code[4:7]


@dataclass(frozen=True)
class WasteCodes:
    """Our copy of the list: its classes, the codes it carries and how complete it is."""

    edition: str
    classes: Mapping[str, HazardClass]
    codes: Mapping[str, WasteCode]
    total_codes: int
    identified_sequence: str  # "900-000"
    source: str
    identified_source: str

    @property
    def class_ranges(self) -> str:
        """The classes as ranges, e.g. ``HW01–HW40、HW45–HW50``."""
        nums = sorted(int(c[2:]) for c in self.classes)
        runs: list[list[int]] = []
        for n in nums:
            if runs and n == runs[-1][-1] + 1:
                runs[-1].append(n)
            else:
                runs.append([n])
        return "、".join(f"HW{r[0]:02d}" if len(r) == 1 else f"HW{r[0]:02d}–HW{r[-1]:02d}" for r in runs)

    @property
    def complete(self) -> bool:
        return len(self.codes) >= self.total_codes

    @property
    def coverage_text(self) -> str:
        """How much of the list we carry, in Chinese (for messages and pages)."""
        if self.complete:
            return f"收录{self.edition}全部 {self.total_codes} 种"
        return f"本系统副本不完整：仅收录 {len(self.codes)}/{self.total_codes} 种"

    def parse(self, code: str, *, hw_class: str | None = None) -> tuple[str, str]:
        """``(normalised code NNN-NNN-NN, class HWNN)`` of a well-formed code, else :class:`MalformedWasteCode`.

        Accepts ``90024908``, ``900-249-08``, full-width digits and a leading ``HW08-`` (which must
        agree with the last two digits); ``hw_class`` (e.g. a manifest's 废物类别 column) must agree too.
        """
        raw = str(code or "")
        s = re.sub(r"\s+", "", halfwidth(raw))
        prefix = None
        m = _PREFIX.match(s)
        if m:
            prefix, s = m.group(1), s[m.end():]
        m = _CODE.fullmatch(s)
        if not m:
            raise MalformedWasteCode(raw, f"废物代码“{raw}”格式错误：应为8位数字（行业代码3位-顺序代码3位-"
                                          "类别代码2位，如 900-249-08；《国家危险废物名录》术语（三））")
        norm = f"{m.group(1)}-{m.group(2)}-{m.group(3)}"
        cls = "HW" + m.group(3)
        if cls not in self.classes:
            raise MalformedWasteCode(raw, f"废物代码“{norm}”的末两位“{m.group(3)}”不是名录中的废物类别"
                                          f"（{cls} 不存在；类别为 {self.class_ranges}）")
        if prefix is not None and "HW" + prefix != cls:
            raise MalformedWasteCode(raw, f"废物代码“{raw}”的前缀 HW{prefix} 与代码末两位类别 {cls} 不符")
        if hw_class is not None:
            given = halfwidth(str(hw_class)).strip().upper()
            given = _CLASS.match(given).group(0) if _CLASS.match(given) else given
            if given != cls:
                raise MalformedWasteCode(raw, f"废物代码“{norm}”属于 {cls}（末两位为类别代码），与所填废物类别"
                                              f"“{hw_class}”不符")
        return norm, cls

    def validate(self, code: str, *, hw_class: str | None = None) -> WasteCode:
        """The :class:`WasteCode` of ``code``; raises :class:`MalformedWasteCode` or :class:`UnknownWasteCode`.

        Both errors name the field 废物代码 and the code, in Chinese.
        """
        norm, cls = self.parse(code, hw_class=hw_class)
        found = self.codes.get(norm)
        if found is not None:
            return found
        if norm[:7] == self.identified_sequence:
            c = self.classes[cls]
            return WasteCode(norm, cls, "非特定行业",
                             f"经鉴别具有危险特性、无法按已有废物代码归类的{c.name}（名录正文，代码 {self.identified_sequence}-××）",
                             frozenset(), "verified", self.identified_source, identified=True)
        if self.complete:
            reason = f"废物代码“{norm}”不在《{self.edition}》中"
        else:
            reason = (f"废物代码“{norm}”（{cls} {self.classes[cls].name}）不在本系统收录的《{self.edition}》副本中"
                      f"（{self.coverage_text}，可能是漏录；请对照名录原文核实，或补充 data/reference/hw_codes.csv）")
        raise UnknownWasteCode(norm, reason)


def parse_properties(text: str) -> frozenset[str]:
    """``"T/C/I/R"``, ``"T,I"`` or ``"T/In"`` (the list's notation) → the set of property letters."""
    parts = [p.strip() for p in re.split(r"[,/，、;；\s]+", text) if p.strip()]
    bad = [p for p in parts if p not in HAZARD_PROPERTIES]
    if bad or not parts:
        raise ValueError(f"危险特性“{text}”应为 {'、'.join(HAZARD_PROPERTIES)} 的组合")
    return frozenset(parts)


def _status(path: Path, line: int, row: dict, key: str) -> str:
    if row[key] not in STATUSES:
        raise WasteDataError(f"{path.name} 第{line}行 {key} 应为 {'/'.join(STATUSES)}，实际“{row[key]}”")
    return row[key]


def _required(path: Path, line: int, row: dict, *keys: str) -> None:
    for k in keys:
        if not row[k]:
            raise WasteDataError(f"{path.name} 第{line}行 {k} 为空")


def _load_classes(path: Path) -> dict[str, HazardClass]:
    out: dict[str, HazardClass] = {}
    cols = ("hw_class", "name", "name_status", "hazard_properties", "properties_status", "source")
    for line, r in read_csv_rows(path, cols):
        _required(path, line, r, "hw_class", "name", "source")
        if not re.fullmatch(r"HW\d{2}", r["hw_class"]):
            raise WasteDataError(f"{path.name} 第{line}行 hw_class“{r['hw_class']}”应为 HW 加两位数字")
        if r["hw_class"] in out:
            raise WasteDataError(f"{path.name} 第{line}行 类别 {r['hw_class']} 重复")
        try:
            props = parse_properties(r["hazard_properties"])
        except ValueError as exc:
            raise WasteDataError(f"{path.name} 第{line}行 {exc}") from None
        out[r["hw_class"]] = HazardClass(r["hw_class"], r["name"], props, _status(path, line, r, "name_status"),
                                         _status(path, line, r, "properties_status"), r["source"])
    return out


def _load_list(path: Path) -> dict[str, tuple[str, str]]:
    rows = {r["key"]: (r["value"], r["source"]) for _, r in read_csv_rows(path, ("key", "value", "status", "source"))}
    for key in ("edition", "total_codes", "identified_code_sequence"):
        if not rows.get(key, ("", ""))[0]:
            raise WasteDataError(f"{path.name} 缺少 {key}")
    if not rows["total_codes"][0].isdigit() or int(rows["total_codes"][0]) <= 0:
        raise WasteDataError(f"{path.name} total_codes 应为正整数")
    if not re.fullmatch(r"\d{3}-\d{3}", rows["identified_code_sequence"][0]):
        raise WasteDataError(f"{path.name} identified_code_sequence 应为 NNN-NNN")
    return rows


def load_waste_codes(directory: Path) -> WasteCodes:
    """Read and check ``hw_classes.csv``, ``hw_codes.csv`` and ``hw_list.csv`` in ``directory``.

    Checks: class ids ``HWNN``; every code ``NNN-NNN-NN`` whose last two digits equal its
    ``hw_class`` number, of a known class; hazard properties among T/C/I/R/In and within its class's;
    no duplicates; every row with a status and a source; no more codes than the list's total.
    Raises :class:`WasteDataError` naming the file and row.
    """
    d = Path(directory)
    meta = _load_list(d / "hw_list.csv")
    classes = _load_classes(d / "hw_classes.csv")
    path = d / "hw_codes.csv"
    codes: dict[str, WasteCode] = {}
    cols = ("code", "hw_class", "industry_source", "description", "hazard_properties", "status", "source")
    for line, r in read_csv_rows(path, cols):
        _required(path, line, r, *cols)
        where = f"{path.name} 第{line}行（{r['code']}）"
        m = re.fullmatch(r"(\d{3})-(\d{3})-(\d{2})", r["code"])
        if not m:
            raise WasteDataError(f"{where}：代码应为 NNN-NNN-NN")
        if r["hw_class"] != "HW" + m.group(3):
            raise WasteDataError(f"{where}：末两位 {m.group(3)} 与废物类别 {r['hw_class']} 不符")
        if r["hw_class"] not in classes:
            raise WasteDataError(f"{where}：废物类别 {r['hw_class']} 不在 hw_classes.csv 中")
        if r["code"] in codes:
            raise WasteDataError(f"{where}：代码重复")
        if r["code"][:7] == meta["identified_code_sequence"][0]:
            raise WasteDataError(f"{where}：{meta['identified_code_sequence'][0]}-×× 为鉴别归类代码，不应列为条目")
        try:
            props = parse_properties(r["hazard_properties"])
        except ValueError as exc:
            raise WasteDataError(f"{where}：{exc}") from None
        extra = props - classes[r["hw_class"]].hazard_properties
        if extra:
            raise WasteDataError(f"{where}：危险特性 {'、'.join(sorted(extra))} 不在类别 {r['hw_class']} 的危险特性中")
        codes[r["code"]] = WasteCode(r["code"], r["hw_class"], r["industry_source"], r["description"], props,
                                     _status(path, line, r, "status"), r["source"])
    total = int(meta["total_codes"][0])
    if len(codes) > total:
        raise WasteDataError(f"{path.name} 有 {len(codes)} 个代码，多于名录总数 {total}（hw_list.csv）")
    return WasteCodes(meta["edition"][0], MappingProxyType(classes), MappingProxyType(codes), total,
                      meta["identified_code_sequence"][0], meta["edition"][1], meta["identified_code_sequence"][1])

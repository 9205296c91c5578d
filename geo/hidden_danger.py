"""The hidden-danger ledger (隐患台账): records, the 五落实 rule, state changes, 逾期, and what the
ledger tells the four-colour model.

A record (:class:`HiddenDanger`) names the enterprise (credit code), optionally the place, when and by
whom it was found, its source (自查/部门检查/双随机/举报/在线监测), a description, the grade (一般/重大)
and, for a 重大 hidden danger, the situation of 安监总管三〔2017〕121号《化工和危险化学品生产经营单位重大
生产安全事故隐患判定标准（试行）》 (items 1–20, ``data/reference/major_hidden_danger_2017_121.csv``).

Rectification follows the 五落实 the district's work plan requires (城政办发〔2023〕25号 六（二）：
“整改措施、责任、资金、时限和预案‘五落实’”): a 重大 hidden danger cannot leave 待整改 until all five
are recorded.  States move 待整改 → 整改中 → 待验收 → 已销号 (a failed acceptance returns 待验收 →
整改中); 逾期 is derived from the deadline and an as-of date, never stored.  A bad change raises
:class:`TransitionError` whose Chinese message names the rule.

:func:`guide_contribution` turns one enterprise's ledger into what the colour model can use: the
count of unrectified 重大 hidden dangers (the local item) and, through the 2017 items the data file
maps to guide criteria and direct-red conditions, positive findings for those.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, replace
from pathlib import Path

from geo.datafile import read_csv
from geo.errors import InvalidInput

FILE_NAME = "major_hidden_danger_2017_121.csv"
GRADES = ("一般", "重大")
SOURCES = ("自查", "部门检查", "双随机", "举报", "在线监测")
STATES = ("待整改", "整改中", "待验收", "已销号")
OPEN_STATES = ("待整改", "整改中", "待验收")
NEXT_STATES = {"待整改": ("整改中",), "整改中": ("待验收",), "待验收": ("已销号", "整改中"), "已销号": ()}
FIVE = (("measures", "措施"), ("responsible", "责任"), ("funds_yuan", "资金"), ("deadline", "时限"), ("plan", "预案"))
_CSV_COLUMNS = ("item", "text", "status", "source", "seen_in", "guide_criterion", "direct_red", "mapping_status",
                "mapping_note")


class TransitionError(InvalidInput):
    """A state change or record that breaks a ledger rule; ``rule`` names it (message in Chinese)."""

    def __init__(self, field: str, rule: str, message: str):
        super().__init__(field, message)
        self.rule = rule


class CriteriaFileError(ValueError):
    """``major_hidden_danger_2017_121.csv`` is malformed (the message names file and row)."""


@dataclass(frozen=True)
class MajorHiddenDangerItem:
    """One situation of 安监总管三〔2017〕121号 and the guide criterion / direct-red condition it shows."""

    item: int
    text: str
    status: str
    source: str
    guide_criterion: str | None
    direct_red: str | None
    mapping_note: str


@dataclass(frozen=True)
class MajorHiddenDangerTable:
    items: tuple[MajorHiddenDangerItem, ...]

    def item(self, n: int) -> MajorHiddenDangerItem:
        for i in self.items:
            if i.item == n:
                return i
        raise KeyError(n)


def load_major_hidden_danger_items(directory: str | Path) -> MajorHiddenDangerTable:
    """Read and check ``major_hidden_danger_2017_121.csv`` (items 1–20, each once) in ``directory``."""
    rows = read_csv(Path(directory) / FILE_NAME, _CSV_COLUMNS, error=CriteriaFileError, what="重大隐患判定标准文件")
    items = []
    for line, r in rows:
        where = f"{FILE_NAME} 第{line}行"
        try:
            n = int(r["item"])
        except ValueError:
            raise CriteriaFileError(f"{where}：item 应为整数（{r['item']!r}）") from None
        if r["status"] not in ("verified", "uncertain"):
            raise CriteriaFileError(f"{where}：status 应为 verified/uncertain")
        if not r["text"] or not r["source"]:
            raise CriteriaFileError(f"{where}：text 与 source 不能为空")
        if r["mapping_status"] != "local_policy":
            raise CriteriaFileError(f"{where}：mapping_status 应为 local_policy（对应关系是本地解读）")
        items.append(MajorHiddenDangerItem(n, r["text"], r["status"], r["source"], r["guide_criterion"] or None,
                                           r["direct_red"] or None, r["mapping_note"]))
    numbers = sorted(i.item for i in items)
    if numbers != list(range(1, 21)):
        raise CriteriaFileError(f"{FILE_NAME}：应恰好包含第1–20项各一次，实际 {numbers}")
    return MajorHiddenDangerTable(tuple(sorted(items, key=lambda i: i.item)))


@dataclass(frozen=True)
class Rectification:
    """五落实: measures (措施), responsible person (责任), funds in yuan (资金), deadline (时限), plan (预案)."""

    measures: str | None = None
    responsible: str | None = None
    funds_yuan: float | None = None
    deadline: dt.date | None = None
    plan: str | None = None

    def missing(self) -> tuple[str, ...]:
        """The Chinese names of the 五落实 not yet recorded."""
        out = []
        for attr, label in FIVE:
            v = getattr(self, attr)
            if v is None or (isinstance(v, str) and not v.strip()):
                out.append(label)
        return tuple(out)


@dataclass(frozen=True)
class HiddenDanger:
    """One ledger record.  ``location_wgs84``: (lon, lat) in WGS-84 degrees, optional.

    ``rectified_on``: the day it went to 待验收; ``accepted_on`` / ``reviewer``: the acceptance (验收)
    that closed it (已销号).
    """

    credit_code: str
    found_on: dt.date
    found_by: str
    source: str
    description: str
    grade: str
    major_item: int | None = None
    rectification: Rectification = Rectification()
    state: str = "待整改"
    place: str | None = None
    location_wgs84: tuple[float, float] | None = None
    rectified_on: dt.date | None = None
    accepted_on: dt.date | None = None
    reviewer: str | None = None

    def __post_init__(self) -> None:
        if self.source not in SOURCES:
            raise InvalidInput("来源", f"来源应为 {'/'.join(SOURCES)}，实际“{self.source}”")
        if self.grade not in GRADES:
            raise InvalidInput("隐患等级", f"隐患等级应为 一般/重大，实际“{self.grade}”")
        if self.state not in STATES:
            raise InvalidInput("状态", f"状态应为 {'/'.join(STATES)}，实际“{self.state}”")
        if self.grade == "重大" and self.major_item not in range(1, 21):
            raise InvalidInput("重大隐患判定项",
                               "重大隐患须注明安监总管三〔2017〕121号判定标准的第几项（1–20）")
        if self.grade == "一般" and self.major_item is not None:
            raise InvalidInput("重大隐患判定项", "一般隐患不填重大隐患判定项")
        if not self.description.strip():
            raise InvalidInput("隐患描述", "隐患描述不能为空")
        if not self.found_by.strip():
            raise InvalidInput("发现人", "发现人不能为空")
        _check_state_rules(self)


def _check_state_rules(hd: HiddenDanger) -> None:
    after = STATES.index(hd.state)
    if hd.grade == "重大" and after > 0 and hd.rectification.missing():
        raise TransitionError("五落实", "five_implementations",
                              "重大事故隐患须“五落实”（措施、责任、资金、时限、预案）齐全方可离开“待整改”，缺少："
                              + "、".join(hd.rectification.missing()))
    if hd.state == "已销号" and (hd.accepted_on is None or not (hd.reviewer or "").strip()):
        raise TransitionError("验收", "acceptance", "销号须有验收日期和验收人")
    for label, day in (("整改完成日期", hd.rectified_on), ("验收日期", hd.accepted_on),
                       ("整改时限", hd.rectification.deadline)):
        if day is not None and day < hd.found_on:
            raise TransitionError(label, "dates", f"{label}不能早于发现日期 {hd.found_on.isoformat()}")
    if hd.rectified_on and hd.accepted_on and hd.accepted_on < hd.rectified_on:
        raise TransitionError("验收日期", "dates", "验收日期不能早于整改完成日期")


def transition(hd: HiddenDanger, to_state: str, *, on: dt.date, reviewer: str | None = None,
               rectification: Rectification | None = None) -> HiddenDanger:
    """The record after moving it to ``to_state`` on day ``on`` (optionally updating the 五落实).

    Entering 待验收 records ``rectified_on = on``; entering 已销号 records the acceptance
    (``accepted_on = on``, ``reviewer`` required); returning to 整改中 clears ``rectified_on``.

    Raises
    ------
    TransitionError
        The change breaks a rule: the order of states, 五落实 for 重大, acceptance, dates.
    """
    if to_state not in STATES:
        raise TransitionError("状态", "state_order", f"未知状态“{to_state}”（可用：{'/'.join(STATES)}）")
    if to_state not in NEXT_STATES[hd.state]:
        allowed = "、".join(NEXT_STATES[hd.state]) or "无（已销号的隐患不能再变更）"
        raise TransitionError("状态", "state_order",
                              f"隐患状态按 待整改 → 整改中 → 待验收 → 已销号 推进（验收不通过退回整改中）："
                              f"不能从“{hd.state}”变为“{to_state}”，可变为：{allowed}")
    changes: dict = {"state": to_state}
    if rectification is not None:
        changes["rectification"] = rectification
    if to_state == "待验收":
        changes["rectified_on"] = on
    elif to_state == "整改中" and hd.state == "待验收":
        changes["rectified_on"] = None
    elif to_state == "已销号":
        changes["accepted_on"] = on
        changes["reviewer"] = reviewer
    return replace(hd, **changes)  # __post_init__ checks the rules on the new record


def overdue(hd: HiddenDanger, *, as_of: dt.date) -> bool:
    """逾期: not closed, past its deadline on ``as_of``, and not rectified by the deadline."""
    deadline = hd.rectification.deadline
    if hd.state == "已销号" or deadline is None or as_of <= deadline:
        return False
    return not (hd.rectified_on is not None and hd.rectified_on <= deadline)


def state_label(hd: HiddenDanger, *, as_of: dt.date) -> str:
    """The state as a page shows it, e.g. ``整改中（逾期）``."""
    return f"{hd.state}（逾期）" if overdue(hd, as_of=as_of) else hd.state


@dataclass(frozen=True)
class LedgerFinding:
    """A guide criterion or direct-red condition the ledger shows met: how many records, which."""

    code: str
    count: int
    evidence: str


@dataclass(frozen=True)
class LedgerContribution:
    """What one enterprise's ledger says on ``as_of``.

    ``open_major``: unrectified (not 已销号) 重大 hidden dangers; ``criteria`` / ``direct_red``:
    positive findings through the 2017 items mapped in the data file (each open record once).
    """

    as_of: dt.date
    open_major: int
    open_major_evidence: str
    criteria: tuple[LedgerFinding, ...] = ()
    direct_red: tuple[LedgerFinding, ...] = ()

    def criterion(self, code: str) -> LedgerFinding | None:
        return next((f for f in self.criteria if f.code == code), None)

    def condition(self, code: str) -> LedgerFinding | None:
        return next((f for f in self.direct_red if f.code == code), None)


def _describe(hd: HiddenDanger, item: MajorHiddenDangerItem, as_of: dt.date) -> str:
    return (f"{hd.found_on.isoformat()} {hd.source}发现（121号第{item.item}项，{state_label(hd, as_of=as_of)}）："
            f"{hd.description}")


def guide_contribution(dangers, *, table: MajorHiddenDangerTable, as_of: dt.date) -> LedgerContribution:
    """What the ledger records of one enterprise contribute to the guide's items on ``as_of``.

    Only 重大 hidden dangers found on or before ``as_of`` and not 已销号 count.
    """
    open_major = [hd for hd in dangers if hd.grade == "重大" and hd.state in OPEN_STATES and hd.found_on <= as_of]
    open_major.sort(key=lambda h: (h.found_on, h.major_item, h.description))
    criteria: dict[str, list[str]] = {}
    conditions: dict[str, list[str]] = {}
    for hd in open_major:
        item = table.item(hd.major_item)
        text = _describe(hd, item, as_of)
        if item.guide_criterion:
            criteria.setdefault(item.guide_criterion, []).append(text)
        if item.direct_red:
            conditions.setdefault(item.direct_red, []).append(text)
    return LedgerContribution(
        as_of=as_of, open_major=len(open_major),
        open_major_evidence="；".join(_describe(h, table.item(h.major_item), as_of) for h in open_major),
        criteria=tuple(LedgerFinding(c, len(t), "；".join(t)) for c, t in sorted(criteria.items())),
        direct_red=tuple(LedgerFinding(c, len(t), "；".join(t)) for c, t in sorted(conditions.items())))

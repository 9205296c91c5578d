"""Accidents counted in the windows of 应急〔2018〕19号, as of a date, with honest bounds.

The guide counts accidents "三年内" (重大, 较大, fatal and no-casualty deductions; 重大 and 2 较大 as
direct red), "近一年内" (2 fatal accidents: direct red) and "五年内" (the accident-free bonus).  The
inputs come in two shapes:

* :class:`AccidentHistory` — dated records (``date``, ``level`` 特别重大/重大/较大/一般, ``fatalities``)
  and the date from which the record is complete;
* :class:`AccidentCounts` — counts a registry holds over one window (三年内较大事故, 三年内死亡事故,
  三年内重大事故) plus, optionally, 近一年内亡人事故 (``fatal_1y``), ``None`` where a count is not registered.

:func:`count_in_window` gives a :class:`Bound` — ``low`` accidents certainly happened in the window,
at most ``high`` (``None`` = unknown).  A count over a longer window bounds a shorter one from above
(three-year counts below the threshold settle the one-year condition); it never says how many fell
inside the shorter window, so the one-year condition on a three-year count at or over the threshold
stays 未评估.

Windows: "N 年内" as of ``as_of`` is ``(as_of − N years, as_of]`` (same day N years earlier; 29 Feb → 28 Feb);
records after ``as_of`` are ignored.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

LEVELS = ("特别重大", "重大", "较大", "一般")  # 《生产安全事故报告和调查处理条例》第三条
KINDS = ("major", "larger", "larger_or_above", "fatal", "social_impact", "any")
KIND_LABEL = {"major": "重大及以上事故", "larger": "较大事故", "larger_or_above": "较大及以上事故",
              "fatal": "亡人一般事故", "social_impact": "有社会影响的无伤亡事故", "any": "生产安全事故"}


@dataclass(frozen=True)
class AccidentRecord:
    """One production-safety accident.  ``social_impact``: for an accident without fatalities,
    whether it was an explosion/fire/poisoning with social impact (``None`` = not recorded)."""

    date: dt.date
    level: str
    fatalities: int = 0
    social_impact: bool | None = None

    def __post_init__(self) -> None:
        if not isinstance(self.date, dt.date):
            raise ValueError(f"事故日期应为日期，实际 {self.date!r}")
        if self.level not in LEVELS:
            raise ValueError(f"事故等级应为 {'/'.join(LEVELS)}，实际 {self.level!r}")
        if isinstance(self.fatalities, bool) or not isinstance(self.fatalities, int) or self.fatalities < 0:
            raise ValueError(f"死亡人数应为非负整数，实际 {self.fatalities!r}")


@dataclass(frozen=True)
class AccidentHistory:
    """Dated accident records, complete from ``complete_since`` on (earlier records may be missing)."""

    records: tuple[AccidentRecord, ...]
    complete_since: dt.date

    def __post_init__(self) -> None:
        object.__setattr__(self, "records", tuple(self.records))


@dataclass(frozen=True)
class AccidentCounts:
    """Registered counts over the ``window_years`` before the as-of date; ``None`` = not registered.

    ``major``: 重大及以上; ``larger``: 较大; ``fatal``: 亡人一般事故; ``social_impact``: 有社会影响的无伤亡
    事故; ``fatalities``: deaths in all of them (shown, never scored).
    """

    window_years: int = 3
    major: int | None = None
    larger: int | None = None
    fatal: int | None = None
    social_impact: int | None = None
    fatalities: int | None = None
    fatal_1y: int | None = None  # 亡人一般事故 in the last year (the guide's 近一年内 window), if registered

    def __post_init__(self) -> None:
        for name in ("major", "larger", "fatal", "social_impact", "fatalities", "fatal_1y"):
            v = getattr(self, name)
            if v is not None and (isinstance(v, bool) or not isinstance(v, int) or v < 0):
                raise ValueError(f"事故计数 {name} 应为非负整数，实际 {v!r}")
        if self.window_years < 1:
            raise ValueError("事故计数的统计年限应至少为 1 年")
        if self.fatal_1y is not None and self.fatal is not None and self.fatal_1y > self.fatal:
            raise ValueError(f"近一年内亡人事故（{self.fatal_1y}）多于{self.window_years}年内亡人事故（{self.fatal}）")

    @property
    def registered(self) -> tuple[str, ...]:
        return tuple(k for k in ("major", "larger", "fatal", "social_impact") if getattr(self, k) is not None)


Accidents = AccidentHistory | AccidentCounts


@dataclass(frozen=True)
class Bound:
    """``low`` ≤ true count ≤ ``high`` (``high`` None: no upper bound known)."""

    low: int
    high: int | None

    @property
    def exact(self) -> bool:
        return self.high is not None and self.low == self.high


UNKNOWN = Bound(0, None)


def years_before(day: dt.date, years: int) -> dt.date:
    try:
        return day.replace(year=day.year - years)
    except ValueError:  # 29 February
        return day.replace(year=day.year - years, day=28)


def _matches(r: AccidentRecord, kind: str) -> bool | None:
    if kind == "any":
        return True
    if kind == "major":
        return r.level in ("特别重大", "重大")
    if kind == "larger":
        return r.level == "较大"
    if kind == "larger_or_above":
        return r.level in ("特别重大", "重大", "较大")
    if kind == "fatal":
        return r.level == "一般" and r.fatalities > 0
    if kind == "social_impact":
        if r.fatalities:
            return False
        return None if r.social_impact is None else r.social_impact
    raise ValueError(f"未知事故类别 {kind!r}")


def count_in_window(accidents: Accidents | None, *, kind: str, window_years: int, as_of: dt.date) -> Bound:
    """How many accidents of ``kind`` fell within ``window_years`` before ``as_of`` (bounds)."""
    if accidents is None:
        return UNKNOWN
    if isinstance(accidents, AccidentCounts):
        return _from_counts(accidents, kind, window_years)
    start = years_before(as_of, window_years)
    inside = [r for r in accidents.records if start < r.date <= as_of]
    flags = [_matches(r, kind) for r in inside]
    low = sum(1 for f in flags if f)
    complete = accidents.complete_since <= start + dt.timedelta(days=1) and all(f is not None for f in flags)
    return Bound(low, low if complete else None)


def _from_counts(c: AccidentCounts, kind: str, window_years: int) -> Bound:
    if kind == "larger_or_above":
        a, b = _from_counts(c, "major", window_years), _from_counts(c, "larger", window_years)
        return Bound(a.low + b.low, None if a.high is None or b.high is None else a.high + b.high)
    if kind == "any":
        parts = [_from_counts(c, k, window_years) for k in ("major", "larger", "fatal", "social_impact")]
        # a registry's counts do not cover every accident (no-fatality accidents without social impact)
        return Bound(sum(p.low for p in parts), None)
    n = getattr(c, kind)
    if kind == "fatal" and c.fatal_1y is not None:
        if window_years == 1:
            return Bound(c.fatal_1y, c.fatal_1y)
        if n is None:  # the last year's fatal accidents are inside any longer window
            return Bound(c.fatal_1y, None)
    if n is None:
        return UNKNOWN
    if c.window_years == window_years:
        return Bound(n, n)
    if c.window_years > window_years:
        return Bound(0, n)  # the shorter window holds at most the longer window's count
    return Bound(n, None)  # the longer window holds at least the shorter window's count


def fatalities_in_window(accidents: Accidents | None, *, window_years: int, as_of: dt.date) -> int | None:
    """Deaths in the fatal 一般 accidents of the window (shown with the deduction, never scored)."""
    if isinstance(accidents, AccidentCounts):
        return accidents.fatalities if accidents.window_years == window_years else None
    if accidents is None:
        return None
    start = years_before(as_of, window_years)
    return sum(r.fatalities for r in accidents.records if start < r.date <= as_of and _matches(r, "fatal"))

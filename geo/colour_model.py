"""The four-colour model of 应急〔2018〕19号 as a typed, frozen value.

:func:`load_colour_model` reads ``risk_model.toml`` from a directory (``data/rules/`` in the
checkout) and checks it; :func:`parse_colour_model` does the same on an already parsed document.
Every number and every Chinese label of the model — the guide's items, their caps and scoring
rows, the direct-red conditions, the colour bands, the colours' hex values and names — lives in
that file only; :mod:`geo.risk_color` holds the logic that applies it.

Model
-----
``GuideItem`` (评估项, with its cap ``max_deduction``) → ``groups`` (the reason lines a result
explains itself with) → ``Criterion`` (the guide's scoring rows).  The caps of the items with
``in_guide`` add up to the guide's 100 points; local refinements (``in_guide = false``,
status ``local_policy``) are scored but lie outside those 100 points.

Errors name the file and the key (``ColourModelError``, a ``ValueError``).
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from pathlib import Path

from geo.datafile import read_toml

FILE_NAME = "risk_model.toml"
SOURCES = ("registry", "hidden_danger_ledger", "gb18218", "conflicts", "consequence")  # data that can derive an item
STATUSES = ("verified", "local_policy", "uncertain")
PER = ("once", "each")
ACCIDENT_KINDS = ("major", "larger", "fatal")

# The codes the item functions of geo.risk_color read: the file must define exactly these.
ITEM_CODES = ("MAJOR_HAZARD", "SUBSTANCE", "PROCESSES", "FIRE", "SURROUNDINGS", "DESIGN", "EQUIPMENT",
              "CONTROLS", "PERSONNEL", "MANAGEMENT", "EMERGENCY", "PERFORMANCE", "HIDDEN_DANGER")
DIRECT_RED_CODES = ("DR_UNTESTED_PROCESS", "DR_NO_DESIGN", "DR_SPECIAL_WORKERS", "DR_ACCIDENTS")
COLOUR_CODES = ("red", "orange", "yellow", "blue")  # most to least severe


class ColourModelError(ValueError):
    """``risk_model.toml`` is malformed; the message names the file and the key."""


@dataclass(frozen=True)
class Colour:
    """One of the four colours: code, Chinese name (红色) and label (重大风险), hex, score band."""

    code: str
    name: str
    label: str
    band_label: str
    hex: str
    score_min_inclusive: float | None
    score_max_exclusive: float | None
    source: str

    def contains(self, score: float) -> bool:
        lo = -math.inf if self.score_min_inclusive is None else self.score_min_inclusive
        hi = math.inf if self.score_max_exclusive is None else self.score_max_exclusive
        return lo <= score < hi


@dataclass(frozen=True)
class Criterion:
    """A scoring row of the guide (评分标准): ``points`` once, or per counted thing (``each``)."""

    code: str
    label: str
    points: float
    per: str
    group: str
    derived_from: tuple[str, ...]
    status: str
    grade: int | None = None
    fire_class: str | None = None
    level: int | None = None
    window_years: int | None = None
    max_count: int | None = None
    note: str = ""

    @property
    def is_bonus(self) -> bool:
        return self.points > 0


@dataclass(frozen=True)
class Group:
    code: str
    label: str


@dataclass(frozen=True)
class GuideItem:
    """An item of the guide (评估项) with its cap and scoring rows."""

    code: str
    label: str
    category: str
    max_deduction: float
    in_guide: bool
    status: str
    source: str
    groups: tuple[Group, ...]
    criteria: tuple[Criterion, ...]

    def criterion(self, code: str) -> Criterion:
        for c in self.criteria:
            if c.code == code:
                return c
        raise KeyError(code)

    def group(self, code: str) -> Group:
        for g in self.groups:
            if g.code == code:
                return g
        raise KeyError(code)

    def in_group(self, group: str) -> tuple[Criterion, ...]:
        return tuple(c for c in self.criteria if c.group == group)

    @property
    def max_bonus(self) -> float:
        """The most an assessment of this item may add (Σ bonus rows × their max_count)."""
        per_group: dict[str, float] = {}
        for c in self.criteria:
            if c.is_bonus:
                best = c.points * (c.max_count or 1)
                per_group[c.group] = max(per_group.get(c.group, 0.0), best)  # rows of a group exclude each other
        return round(sum(per_group.values()), 2)


@dataclass(frozen=True)
class AccidentRule:
    """Part of the accident direct-red condition: ``min_count`` accidents of ``kind`` in the window."""

    kind: str
    min_count: int
    window_years: int


@dataclass(frozen=True)
class DirectRedCondition:
    code: str
    label: str
    status: str
    source: str
    derived_from: tuple[str, ...]
    accident_rules: tuple[AccidentRule, ...] = ()
    note: str = ""


@dataclass(frozen=True)
class Variant:
    """本地细化 for enterprises none of whose stages is in ``guide_stages``."""

    label: str
    source: str
    status: str
    guide_stages: frozenset[str]
    stages: frozenset[str]
    groups: frozenset[str]
    direct_red: frozenset[str]


@dataclass(frozen=True)
class ColourModel:
    version: str
    source: str
    score_base: float
    score_min: float
    score_max: float
    colours: tuple[Colour, ...]  # most to least severe
    items: tuple[GuideItem, ...]
    direct_red: tuple[DirectRedCondition, ...]
    variant: Variant

    def colour(self, code: str) -> Colour:
        for c in self.colours:
            if c.code == code:
                return c
        raise KeyError(code)

    def colour_for(self, score: float) -> str:
        """The colour band of a score (min inclusive, max exclusive)."""
        for c in self.colours:
            if c.contains(score):
                return c.code
        raise ValueError(f"分数 {score!r} 不在任何颜色区间内")

    def worse(self, a: str, b: str) -> str:
        """The more severe of two colour codes."""
        order = [c.code for c in self.colours]
        return a if order.index(a) <= order.index(b) else b

    @property
    def hex_by_colour(self) -> dict[str, str]:
        return {c.code: c.hex for c in self.colours}

    @property
    def label_by_colour(self) -> dict[str, str]:
        return {c.code: c.label for c in self.colours}

    def item(self, code: str) -> GuideItem:
        for i in self.items:
            if i.code == code:
                return i
        raise KeyError(code)

    def criterion(self, code: str) -> Criterion:
        for i in self.items:
            for c in i.criteria:
                if c.code == code:
                    return c
        raise KeyError(code)

    def item_of_criterion(self, code: str) -> GuideItem:
        for i in self.items:
            if any(c.code == code for c in i.criteria):
                return i
        raise KeyError(code)

    def condition(self, code: str) -> DirectRedCondition:
        for d in self.direct_red:
            if d.code == code:
                return d
        raise KeyError(code)

    @property
    def guide_points(self) -> float:
        return round(sum(i.max_deduction for i in self.items if i.in_guide), 2)


def load_colour_model(directory: str | Path) -> ColourModel:
    """Read and check ``risk_model.toml`` in ``directory``.

    Raises
    ------
    ColourModelError
        The file is missing, not TOML, or a key is missing or bad (the message names file and key).
    """
    return parse_colour_model(read_toml(Path(directory) / FILE_NAME, error=ColourModelError, what="四色模型文件"))


class _Reader:
    """Typed access to one TOML table, naming ``file → key`` in every error."""

    def __init__(self, table: dict, where: str, allowed: set[str]):
        if not isinstance(table, dict):
            raise ColourModelError(f"{FILE_NAME} {where} 应为表")
        unknown = set(table) - allowed
        if unknown:
            raise ColourModelError(f"{FILE_NAME} {where} 含未知键 {', '.join(sorted(unknown))}")
        self.t, self.where = table, where

    def _fail(self, key: str, why: str):
        raise ColourModelError(f"{FILE_NAME} {self.where}.{key}：{why}")

    def text(self, key: str, *, required: bool = True) -> str:
        v = self.t.get(key)
        if v is None and not required:
            return ""
        if not isinstance(v, str) or not v.strip():
            self._fail(key, "缺少或不是非空文本")
        return v

    def number(self, key: str, *, required: bool = True) -> float | None:
        v = self.t.get(key)
        if v is None and not required:
            return None
        if isinstance(v, bool) or not isinstance(v, (int, float)) or not math.isfinite(v):
            self._fail(key, "缺少或不是数字")
        return float(v)

    def integer(self, key: str, *, required: bool = False) -> int | None:
        v = self.t.get(key)
        if v is None and not required:
            return None
        if isinstance(v, bool) or not isinstance(v, int) or v < 0:
            self._fail(key, "应为非负整数")
        return v

    def boolean(self, key: str) -> bool:
        v = self.t.get(key)
        if not isinstance(v, bool):
            self._fail(key, "应为 true/false")
        return v

    def choice(self, key: str, allowed: tuple[str, ...], *, default: str | None = None) -> str:
        v = self.t.get(key, default)
        if v not in allowed:
            self._fail(key, f"应为 {'/'.join(allowed)}，实际 {v!r}")
        return v

    def strings(self, key: str, allowed: tuple[str, ...] | None = None) -> tuple[str, ...]:
        v = self.t.get(key)
        if not isinstance(v, list) or not all(isinstance(x, str) for x in v):
            self._fail(key, "应为文本列表")
        if allowed is not None:
            bad = [x for x in v if x not in allowed]
            if bad:
                self._fail(key, f"未知值 {bad[0]!r}（可用：{'/'.join(allowed)}）")
        return tuple(v)

    def tables(self, key: str) -> list[dict]:
        v = self.t.get(key)
        if not isinstance(v, list) or not v or not all(isinstance(x, dict) for x in v):
            self._fail(key, "应为非空的表数组")
        return v


_TOP = {"model_version", "rules_version", "source", "score", "colours", "items", "direct_red", "variant"}
_COLOUR = {"code", "name", "label", "band_label", "hex", "score_min_inclusive", "score_max_exclusive", "source"}
_ITEM = {"code", "label", "category", "max_deduction", "in_guide", "status", "source", "groups", "criteria"}
_CRITERION = {"code", "label", "points", "per", "group", "derived_from", "status", "grade", "fire_class", "level",
              "window_years", "max_count", "note"}
_CONDITION = {"code", "label", "status", "source", "derived_from", "accident_rules", "note"}
_VARIANT = {"label", "source", "status", "guide_stages", "stages", "groups", "direct_red"}


def parse_colour_model(doc: dict) -> ColourModel:
    """Build and check a :class:`ColourModel` from the parsed ``risk_model.toml`` document."""
    top = _Reader(doc, "顶层", _TOP)
    score = _Reader(doc.get("score", {}), "[score]", {"base", "min", "max"})
    lo, hi = score.number("min"), score.number("max")
    if not lo < hi:
        raise ColourModelError(f"{FILE_NAME} [score]：min 应小于 max")
    colours = tuple(_colour(t, i) for i, t in enumerate(top.tables("colours")))
    _check_colours(colours, lo, hi)
    items = tuple(_item(t, i) for i, t in enumerate(top.tables("items")))
    _check_codes([i.code for i in items], ITEM_CODES, "[[items]].code")
    codes = [c.code for i in items for c in i.criteria]
    dup = {c for c in codes if codes.count(c) > 1}
    if dup:
        raise ColourModelError(f"{FILE_NAME} [[items.criteria]].code 重复：{', '.join(sorted(dup))}")
    guide = round(sum(i.max_deduction for i in items if i.in_guide), 2)
    if guide != score.number("base"):
        raise ColourModelError(f"{FILE_NAME} [[items]].max_deduction：指南各项分值合计 {guide:g}，"
                               f"应等于 [score].base {score.number('base'):g}")
    conditions = tuple(_condition(t, i) for i, t in enumerate(top.tables("direct_red")))
    _check_codes([d.code for d in conditions], DIRECT_RED_CODES, "[[direct_red]].code")
    variant = _variant(doc.get("variant"), items, conditions)
    return ColourModel(top.text("model_version"), top.text("source"), score.number("base"), lo, hi,
                       colours, items, conditions, variant)


def _check_codes(found: list[str], expected: tuple[str, ...], where: str) -> None:
    missing = [c for c in expected if c not in found]
    extra = [c for c in found if c not in expected]
    dup = sorted({c for c in found if found.count(c) > 1})
    if missing or extra or dup:
        parts = ([f"缺少 {', '.join(missing)}"] if missing else []) + ([f"未知 {', '.join(extra)}"] if extra else []) \
            + ([f"重复 {', '.join(dup)}"] if dup else [])
        raise ColourModelError(f"{FILE_NAME} {where}：" + "；".join(parts))


def _colour(t: dict, i: int) -> Colour:
    r = _Reader(t, f"[[colours]] 第{i + 1}项", _COLOUR)
    hexv = r.text("hex")
    if len(hexv) != 7 or hexv[0] != "#" or any(ch not in "0123456789abcdefABCDEF" for ch in hexv[1:]):
        r._fail("hex", f"应为 #RRGGBB，实际 {hexv!r}")
    return Colour(r.choice("code", COLOUR_CODES), r.text("name"), r.text("label"), r.text("band_label"), hexv,
                  r.number("score_min_inclusive", required=False), r.number("score_max_exclusive", required=False),
                  r.text("source"))


def _check_colours(colours: tuple[Colour, ...], lo: float, hi: float) -> None:
    if tuple(c.code for c in colours) != COLOUR_CODES:
        raise ColourModelError(f"{FILE_NAME} [[colours]]：应按 {', '.join(COLOUR_CODES)} 的顺序各出现一次")
    bands = sorted(colours, key=lambda c: -math.inf if c.score_min_inclusive is None else c.score_min_inclusive)
    if bands[0].score_min_inclusive is not None and bands[0].score_min_inclusive > lo:
        raise ColourModelError(f"{FILE_NAME} [[colours]]：分数 {lo:g} 不在任何颜色区间内")
    for a, b in zip(bands, bands[1:]):
        if a.score_max_exclusive != b.score_min_inclusive:
            raise ColourModelError(f"{FILE_NAME} [[colours]]：{a.code} 与 {b.code} 的分数区间不衔接")
    if bands[-1].score_max_exclusive is not None and bands[-1].score_max_exclusive <= hi:
        raise ColourModelError(f"{FILE_NAME} [[colours]]：分数 {hi:g} 不在任何颜色区间内")


def _item(t: dict, i: int) -> GuideItem:
    r = _Reader(t, f"[[items]] 第{i + 1}项（{t.get('code', '无 code')}）", _ITEM)
    cap = r.number("max_deduction")
    if cap < 0:
        r._fail("max_deduction", "不能为负")
    groups = []
    for j, g in enumerate(r.tables("groups")):
        gr = _Reader(g, f"{r.where}.groups 第{j + 1}项", {"code", "label"})
        groups.append(Group(gr.text("code"), gr.text("label")))
    status = r.choice("status", STATUSES)
    criteria = tuple(_criterion(c, f"{r.where}.criteria 第{j + 1}项", status)
                     for j, c in enumerate(r.tables("criteria")))
    gcodes = [g.code for g in groups]
    for c in criteria:
        if c.group not in gcodes:
            raise ColourModelError(f"{FILE_NAME} {r.where}.criteria（{c.code}）.group：{c.group!r} 不在 groups 中")
    for g in gcodes:
        if not any(c.group == g for c in criteria):
            raise ColourModelError(f"{FILE_NAME} {r.where}.groups（{g}）：没有评分项属于此组")
    return GuideItem(r.text("code"), r.text("label"), r.text("category"), cap, r.boolean("in_guide"), status,
                     r.text("source"), tuple(groups), criteria)


def _criterion(t: dict, where: str, item_status: str) -> Criterion:
    r = _Reader(t, f"{where}（{t.get('code', '无 code')}）", _CRITERION)
    points = r.number("points")
    if points == 0:
        r._fail("points", "不能为 0")
    return Criterion(r.text("code"), r.text("label"), points, r.choice("per", PER), r.text("group"),
                     r.strings("derived_from", SOURCES), r.choice("status", STATUSES, default=item_status),
                     r.integer("grade"), r.text("fire_class", required=False) or None, r.integer("level"),
                     r.integer("window_years"), r.integer("max_count"), r.text("note", required=False))


def _condition(t: dict, i: int) -> DirectRedCondition:
    r = _Reader(t, f"[[direct_red]] 第{i + 1}项（{t.get('code', '无 code')}）", _CONDITION)
    rules = []
    for j, a in enumerate(t.get("accident_rules", [])):
        ar = _Reader(a, f"{r.where}.accident_rules 第{j + 1}项", {"kind", "min_count", "window_years"})
        rules.append(AccidentRule(ar.choice("kind", ACCIDENT_KINDS), ar.integer("min_count", required=True),
                                  ar.integer("window_years", required=True)))
    code = r.text("code")
    if (code == "DR_ACCIDENTS") != bool(rules):
        r._fail("accident_rules", "只有 DR_ACCIDENTS 有且必须有 accident_rules")
    return DirectRedCondition(code, r.text("label"), r.choice("status", STATUSES), r.text("source"),
                              r.strings("derived_from", SOURCES), tuple(rules), r.text("note", required=False))


def _variant(t, items: tuple[GuideItem, ...], conditions: tuple[DirectRedCondition, ...]) -> Variant:
    r = _Reader(t, "[variant]", _VARIANT)
    groups = r.strings("groups", tuple(g.code for i in items for g in i.groups))
    drs = r.strings("direct_red", tuple(d.code for d in conditions))
    return Variant(r.text("label"), r.text("source"), r.choice("status", STATUSES),
                   frozenset(r.strings("guide_stages")), frozenset(r.strings("stages")), frozenset(groups),
                   frozenset(drs))

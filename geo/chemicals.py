"""The chemical catalogue and the resolution of what registries type (name, alias, CAS).

Matching (after trimming whitespace, full-width → half-width, upper-casing Latin letters):

1. CAS number (validated, check digit included);
2. name or alias exactly;
3. else the name without its parenthetical qualifier (全角/半角 brackets: 汽油(乙醇汽油…) →
   汽油), including each part of a comma list in a Table-1 name (甲烷,天然气); a qualifier the
   user typed narrows the candidates (硝酸铵(含可燃物≤0.2%) → 表1第44项).

CAS + name together must agree and pick the entries both match.  Resolution never guesses
between GB 18218 Table-1 variants that really compete (the 硝化纤维素 and 硝酸铵 rows share
CAS numbers): it raises :class:`AmbiguousChemical` listing the candidates.

Concentration.  Entries that cover a concentration range only (甲醛(含量>90%) vs 甲醛溶液,
硝酸 >70% vs ≤70%, 过氧化氢溶液 >8%) carry it (:class:`geo.reference.Concentration`); a
concentration typed in the name (``甲醛溶液(37%)``, ``硝酸(含量65%)``, ``37%甲醛``) or given as
``concentration_pct`` keeps only the entries whose range contains it — a 37 % solution never
matches the > 90 % row — and none left is reported, never rounded to the nearest entry.  A
bare name shared by such entries (``甲醛``) without a concentration is ambiguous.
"""

from __future__ import annotations

import re
from collections import defaultdict

from geo.reference import Chemical, Concentration

_OPEN = "([【〔"
_CLOSE = ")]】〕"
_BRACKETS = re.compile("[" + re.escape(_OPEN) + "]")
_CAS_RE = re.compile(r"(\d{2,7})-(\d{2})-(\d)")
_DASHES = dict.fromkeys(map(ord, "‐‑‒–—―−"), "-")


class ChemicalError(ValueError):
    """Base class: a chemical could not be resolved to one catalogue entry."""

    def __init__(self, message: str):
        super().__init__(message)
        self.message = message


class ChemicalNotFound(ChemicalError):
    pass


class AmbiguousChemical(ChemicalError):
    def __init__(self, message: str, candidates: list[Chemical]):
        super().__init__(message)
        self.candidates = list(candidates)


def normalise(text: str) -> str:
    """Half-width, no whitespace, upper-case Latin, unified dashes and subscripts."""
    out = []
    for ch in str(text).strip():
        o = ord(ch)
        if 0xFF01 <= o <= 0xFF5E:
            ch = chr(o - 0xFEE0)
        if not ch.isspace():
            out.append(ch)
    s = "".join(out).translate(_DASHES)
    s = s.replace("₂", "2").replace("₄", "4").replace("₃", "3")
    return s.upper()


def bare(name: str) -> str:
    """The name without parenthetical qualifiers: 甲醛(含量>90%) → 甲醛."""
    return _BRACKETS.split(normalise(name), maxsplit=1)[0]


def _qualifier(name: str) -> str:
    """What follows the bare name, without brackets: 硝酸铵(含可燃物≤0.2%) → 含可燃物≤0.2%."""
    n = normalise(name)
    rest = n[len(bare(n)):]
    return "".join(ch for ch in rest if ch not in _OPEN + _CLOSE)


_CMP = {">": (False, None), ">=": (True, None), "≥": (True, None), "<": (None, False), "<=": (None, True),
        "≤": (None, True), "=": (True, True)}
_CONC_RE = re.compile(r"(含量|浓度|质量分数|含[\u4e00-\u9fff]{1,4}?)?(>=|<=|[<>≤≥=])?(\d+(?:\.\d+)?)%")
_CONC_WORDS = ("含量", "浓度", "质量分数")


def parse_concentration(text: str | None) -> Concentration | None:
    """``">90"``, ``"<=70"``, ``">=25;<=55"`` (``;``-joined, per cent) → :class:`Concentration`;
    ``""`` → None.  ValueError (Chinese) for anything else."""
    text = normalise(text or "")
    if not text:
        return None
    c = Concentration()
    for part in text.split(";"):
        m = re.fullmatch(r"(>=|<=|[<>≤≥=])?(\d+(?:\.\d+)?)%?", part)
        if not m:
            raise ValueError(f"浓度“{part}”无法解析（应为 >90、<=70、>=25;<=55 等，单位%）")
        c = _narrow(c, m.group(1) or "=", float(m.group(2)))
    if c.low > c.high:
        raise ValueError(f"浓度范围“{text}”为空")
    return c


def _narrow(c: Concentration, op: str, x: float) -> Concentration:
    lo_inc, hi_inc = _CMP[op]
    if not 0 <= x <= 100:
        raise ValueError(f"浓度 {x:g}% 应在 0–100% 之间")
    if lo_inc is not None and (x > c.low or (x == c.low and not lo_inc)):
        c = Concentration(x, lo_inc, c.high, c.high_inclusive)
    if hi_inc is not None and (x < c.high or (x == c.high and not hi_inc)):
        c = Concentration(c.low, c.low_inclusive, x, hi_inc)
    return c


def concentration_in_name(name: str) -> tuple[Concentration | None, str]:
    """The concentration typed in a name and the name without it.

    ``甲醛溶液(37%)`` → (37 %, 甲醛溶液); ``硝酸(含硝酸>70%)`` → (>70 %, 硝酸); a percentage that
    qualifies another component (``硝酸铵(含可燃物≤0.2%)``) is not a concentration of the
    chemical and is left in the name.
    """
    n = normalise(name)
    base = bare(n)
    conc, spans = Concentration(), []
    for m in _CONC_RE.finditer(n):
        word = m.group(1) or ""
        prev = n[m.start() - 1] if m.start() else ""
        own = (word in _CONC_WORDS or (word.startswith("含") and word[1:] and base.startswith(word[1:]))
               or (not word and (m.start() == 0 or prev in _OPEN + ",、;")) or
               (not word and m.end() == len(n) and not _BRACKETS.search(n[:m.start()])))
        if not own:
            continue
        conc = _narrow(conc, m.group(2) or "=", float(m.group(3)))
        spans.append(m.span())
    if not spans:
        return None, n
    rest = n
    for a, b in reversed(spans):
        rest = rest[:a] + rest[b:]
    rest = re.sub(r"[(\[【〔][,、;]*[)\]】〕]", "", rest).strip(",、;")
    return conc, rest


def valid_cas(cas: str) -> bool:
    """True for a well-formed CAS registry number with a correct check digit."""
    m = _CAS_RE.fullmatch(normalise(cas))
    if not m:
        return False
    digits = (m.group(1) + m.group(2))[::-1]
    return sum(i * int(d) for i, d in enumerate(digits, start=1)) % 10 == int(m.group(3))


def _strip_cas(cas: str) -> str:
    c = normalise(cas)
    for prefix in ("CASNO.", "CASNO", "CAS:", "CAS号:", "CAS号", "CAS"):
        if c.startswith(prefix):
            return c[len(prefix):].lstrip(":")
    return c


def _names(c: Chemical) -> list[str]:
    return [normalise(n) for n in (c.name, *c.aliases)]


class Catalogue:
    """Lookup by key, CAS, name, alias and bare name."""

    def __init__(self, chemicals: list[Chemical]):
        self._all = list(chemicals)
        self._by_key = {c.key: c for c in self._all}
        if len(self._by_key) != len(self._all):
            raise ValueError("化学品目录中 key 重复")
        self._by_cas: dict[str, list[Chemical]] = defaultdict(list)
        self._by_name: dict[str, list[Chemical]] = defaultdict(list)
        self._by_bare: dict[str, list[Chemical]] = defaultdict(list)

        def add(index: dict, k: str, c: Chemical) -> None:
            if k and c not in index[k]:
                index[k].append(c)

        for c in self._all:
            for cas in c.cas:
                add(self._by_cas, normalise(cas), c)
            for n in _names(c):
                add(self._by_name, n, c)
                add(self._by_bare, bare(n), c)
                # "甲烷,天然气": each comma-separated part is a name too (not "2,4,6-…")
                for part in re.split(r"(?<!\d),(?!\d)", bare(n)):
                    if part != bare(n):
                        add(self._by_bare, part, c)

    def __iter__(self):
        return iter(self._all)

    def __len__(self) -> int:
        return len(self._all)

    def __contains__(self, key: str) -> bool:
        return key in self._by_key

    def by_key(self, key: str) -> Chemical:
        try:
            return self._by_key[key]
        except KeyError:
            raise ChemicalNotFound(f"目录中没有编号为“{key}”的化学品") from None

    def table1(self, row: int) -> Chemical:
        return self.by_key(f"T1-{int(row):02d}")

    def _match_name(self, name: str) -> list[Chemical]:
        n = normalise(name)
        exact = self._by_name.get(n)
        if exact:
            return list(exact)
        found = list(self._by_bare.get(bare(n), []))
        q = _qualifier(n)
        if q and len(found) > 1:
            narrowed = [c for c in found if any(q in x for x in _names(c))]
            if narrowed:
                found = narrowed
        return found

    def _prefix_variants(self, name: str, found: list[Chemical]) -> list[Chemical]:
        """Table-1 rows next to the candidates, with no CAS of their own, whose bare name
        extends the input (硝酸铵 → 硝酸铵肥料, 表1第45项): listed as variants, never chosen."""
        b = bare(name)
        rows = {c.table1_row for c in found if c.table1_row is not None}
        cas = {x for c in found for x in c.cas}
        out: list[Chemical] = []
        grown = True
        while rows and grown:
            grown = False
            for c in self._all:
                r = c.table1_row
                if (r is not None and r not in rows and (r - 1 in rows or r + 1 in rows)
                        and set(c.cas) <= cas and any(bare(x).startswith(b) for x in _names(c))):
                    rows.add(r)
                    out.append(c)
                    grown = True
        return sorted(out, key=lambda c: c.table1_row)

    def resolve(self, *, name: str | None = None, cas: str | None = None,
                concentration_pct: float | str | None = None) -> Chemical:
        """Resolve a registry's chemical to one catalogue entry (see module docstring).

        ``concentration_pct``: the registry's concentration column (37, "37%", ">90"), if any.
        """
        name = name if name is not None and str(name).strip() else None
        cas = cas if cas is not None and str(cas).strip() else None
        label = "、".join(x for x in (name and f"“{str(name).strip()}”",
                                      cas and f"CAS {str(cas).strip()}") if x)
        conc = None
        if concentration_pct is not None and str(concentration_pct).strip():
            try:
                conc = parse_concentration(str(concentration_pct))
            except ValueError as e:
                raise ChemicalNotFound(f"{label or '化学品'}的浓度无效：{e}") from None
        if name is None and cas is None:
            raise ChemicalNotFound("未给出化学品名称或CAS号")
        by_cas = None
        if cas is not None:
            c = _strip_cas(cas)
            if not _CAS_RE.fullmatch(c):
                raise ChemicalNotFound(f"CAS号格式错误：{str(cas).strip()}")
            if not valid_cas(c):
                raise ChemicalNotFound(f"CAS号校验位错误：{str(cas).strip()}")
            by_cas = list(self._by_cas.get(c, []))
        by_name = None
        if name is not None:
            by_name = self._by_name.get(normalise(name))
            if by_name:
                by_name = list(by_name)
            else:
                in_name, rest = concentration_in_name(name)
                conc = conc or in_name
                by_name = self._match_name(rest if in_name is not None else name)

        if by_cas is not None and by_name is not None:
            both = [c for c in by_cas if c in by_name]
            if by_cas and by_name and not both:
                names = "；".join(f"{c.name}（{c.key}）" for c in by_cas)
                raise ChemicalNotFound(f"化学品名称与CAS号不一致：{label}（该CAS号对应：{names}）")
            candidates = both or by_cas or by_name
        else:
            candidates = by_cas if by_cas is not None else by_name
        if not candidates:
            raise ChemicalNotFound(f"化学品不在目录中：{label}")
        if conc is not None:
            within = [c for c in candidates if c.concentration is None or c.concentration.overlaps(conc)]
            if not within:
                ranges = "；".join(f"{c.name}（{c.concentration.label()}）" for c in candidates if c.concentration)
                raise ChemicalNotFound(f"化学品{label}浓度{conc.label()}不在目录条目的范围内：{ranges}")
            candidates = within
        if len(candidates) > 1:
            listed = list(candidates)
            if name is not None and by_cas is None:
                listed += [c for c in self._prefix_variants(name, listed) if c not in listed]
            names = "；".join(f"{c.name}（{c.key}）" for c in listed)
            hint = "浓度、" if any(c.concentration for c in listed) else ""
            raise AmbiguousChemical(
                f"化学品{label}对应多个目录条目，请写明全称（含{hint}限定条件）或CAS号：{names}", listed)
        return candidates[0]

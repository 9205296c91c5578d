"""The chemical catalogue and the resolution of what registries type (name, alias, CAS).

Resolution never guesses between GB 18218 Table-1 variants that really compete (the
硝化纤维素 and 硝酸铵 rows share CAS numbers): it raises :class:`AmbiguousChemical` listing
the candidates, and CAS + name together pick one.
"""

from __future__ import annotations

import re
from collections import defaultdict

from geo.reference import Chemical

_BRACKETS = re.compile(r"[（(\[【]")


class ChemicalError(ValueError):
    pass


class ChemicalNotFound(ChemicalError):
    pass


class AmbiguousChemical(ChemicalError):
    def __init__(self, message: str, candidates: list[Chemical]):
        super().__init__(message)
        self.candidates = candidates


def normalise(text: str) -> str:
    """Half-width, no spaces, unified brackets and commas."""
    out = []
    for ch in str(text).strip():
        o = ord(ch)
        if 0xFF01 <= o <= 0xFF5E:
            ch = chr(o - 0xFEE0)
        elif ch == "\u3000":
            continue
        if not ch.isspace():
            out.append(ch)
    s = "".join(out)
    return s.replace("，", ",").replace("₂", "2").replace("₄", "4")


def bare(name: str) -> str:
    """The name without parenthetical qualifiers: 甲醛(含量>90%) → 甲醛."""
    return _BRACKETS.split(normalise(name), maxsplit=1)[0]


class Catalogue:
    """Lookup by key, CAS, name, alias and bare name."""

    def __init__(self, chemicals: list[Chemical]):
        self._all = list(chemicals)
        self._by_key = {c.key: c for c in self._all}
        self._by_cas: dict[str, list[Chemical]] = defaultdict(list)
        self._by_name: dict[str, list[Chemical]] = defaultdict(list)
        self._by_bare: dict[str, list[Chemical]] = defaultdict(list)
        for c in self._all:
            for cas in c.cas:
                self._by_cas[cas].append(c)
            for n in (c.name, *c.aliases):
                self._by_name[normalise(n)].append(c)
                b = bare(n)
                if b and c not in self._by_bare[b]:
                    self._by_bare[b].append(c)
            # "甲烷,天然气": each comma-separated part is a name too
            for part in re.split(r"(?<!\d),(?!\d)", normalise(c.name)):
                if part and part != normalise(c.name) and not _BRACKETS.search(part):
                    self._by_bare[part].append(c)

    def __iter__(self):
        return iter(self._all)

    def __len__(self) -> int:
        return len(self._all)

    def by_key(self, key: str) -> Chemical:
        return self._by_key[key]

    def resolve(self, *, name: str | None = None, cas: str | None = None) -> Chemical:
        """Resolve a registry's chemical to one catalogue entry (see module docstring)."""
        name = normalise(name) if name else None
        cas = normalise(cas) if cas else None
        label = "、".join(x for x in (name, cas and f"CAS {cas}") if x)
        if cas and not re.fullmatch(r"\d{2,7}-\d{2}-\d", cas):
            raise ChemicalNotFound(f"CAS号格式错误：{cas}")
        by_cas = list(self._by_cas.get(cas, [])) if cas else None
        by_name = None
        if name:
            by_name = list(self._by_name.get(name, [])) or list(self._by_bare.get(bare(name), []))
        if by_cas is not None and by_name is not None:
            both = [c for c in by_cas if c in by_name]
            if by_cas and by_name and not both:
                raise ChemicalNotFound(f"化学品名称与CAS号不一致：{label}")
            candidates = both or by_cas or by_name
        else:
            candidates = by_cas if by_cas is not None else (by_name or [])
        if not candidates:
            raise ChemicalNotFound(f"化学品不在目录中：{label}")
        if len(candidates) > 1:
            names = "；".join(f"{c.name}（{c.key}）" for c in candidates)
            raise AmbiguousChemical(f"化学品“{label}”对应多个目录条目，请写明全称或CAS号：{names}",
                                    candidates)
        return candidates[0]

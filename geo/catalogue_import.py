"""Merge the official 《危险化学品目录》 spreadsheet into the cited chemical catalogue (pure).

The official list (序号, 品名, 别名, CAS号, 备注 — the 2015 edition and its 2022 adjustment) names
every hazardous chemical but carries no GB 18218 hazard class.  The project's catalogue
(``data/reference/chemicals.csv``) carries the cited classes for the chemicals it knows.  The
merge keeps every cited row as it is and:

* adds the official 品名 and 别名 as aliases of the row they name (matched by name or alias,
  brackets unified, else by a CAS number that exactly one row carries and that row covers the
  whole substance — not a concentration variant);
* sets 剧毒 where the official 备注 says so (the list is the authority for that flag);
* adds every official entry that matches no row as a new row ``ML-<序号>`` with
  ``class_status = unknown`` — a chemical the registries may hold, recognised by name and CAS,
  whose GB 18218 class is not recorded yet (the assessment says so; it is never guessed).

Rows of the spreadsheet that cannot be used (no 品名, a malformed CAS, a bad 序号) are listed
with their line and field, and left out.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field

from geo.chemicals import normalise, valid_cas

HEADERS = {"序号": "seq", "品名": "name", "别名": "aliases", "CAS号": "cas", "备注": "remark"}
_SPLIT = re.compile(r"[;；、\n]+")
_UNIFY = str.maketrans({"[": "(", "]": ")", "【": "(", "】": ")", "〔": "(", "〕": ")"})
LIST_NAME = "《危险化学品目录》"


@dataclass(frozen=True)
class OfficialEntry:
    line: int
    seq: int
    name: str
    aliases: tuple[str, ...] = ()
    cas: tuple[str, ...] = ()
    highly_toxic: bool = False


@dataclass(frozen=True)
class ImportProblem:
    line: int
    field: str
    value: str
    message: str  # Chinese

    def text(self) -> str:
        return f"第{self.line}行 {self.field}“{self.value}”：{self.message}"


@dataclass(frozen=True)
class MergeReport:
    matched: int = 0
    aliases_added: int = 0
    added: int = 0
    highly_toxic_set: int = 0
    problems: tuple[ImportProblem, ...] = field(default_factory=tuple)


def _key(name: str) -> str:
    return normalise(name).translate(_UNIFY)


def _text(v) -> str:
    if v is None:
        return ""
    if isinstance(v, float) and v.is_integer():
        v = int(v)
    return str(v).strip()


def parse_official_catalogue(rows, *, file_name: str = "") -> tuple[list[OfficialEntry], list[ImportProblem]]:
    """Entries of the official spreadsheet given as raw rows (lists of cell values).

    The header row is the first row naming 品名 and CAS号 (title rows above it are skipped);
    line numbers count from 1 as a spreadsheet shows them.  Raises ValueError (Chinese, naming
    the file) when no header row is found.
    """
    rows = [list(r) if r is not None else [] for r in rows]
    header_at, columns = None, {}
    for i, r in enumerate(rows):
        cells = [_text(c).replace(" ", "").replace("\u3000", "") for c in r]
        if "品名" in cells and any(c.upper() in ("CAS号", "CAS") for c in cells):
            header_at = i
            for k, c in enumerate(cells):
                c = "CAS号" if c.upper() in ("CAS号", "CAS") else c
                if c in HEADERS:
                    columns[HEADERS[c]] = k
            break
    if header_at is None:
        raise ValueError(f"{file_name or '文件'}中没有表头行（应含 序号、品名、别名、CAS号、备注）")
    entries, problems = [], []
    for i, r in enumerate(rows[header_at + 1:], start=header_at + 2):
        def cell(name):
            k = columns.get(name)
            return _text(r[k]) if k is not None and k < len(r) else ""

        values = {k: cell(k) for k in HEADERS.values()}
        if not any(values.values()):
            continue
        if not values["name"]:
            problems.append(ImportProblem(i, "品名", "", "品名为空，此行未导入"))
            continue
        try:
            seq = int(values["seq"])
        except ValueError:
            problems.append(ImportProblem(i, "序号", values["seq"], "序号应为整数，此行未导入"))
            continue
        cas = tuple(normalise(c) for c in _SPLIT.split(values["cas"]) if c.strip())
        bad = [c for c in cas if not valid_cas(c)]
        if bad:
            problems.append(ImportProblem(i, "CAS号", values["cas"], "CAS号格式或校验位错误，此行未导入"))
            continue
        aliases = tuple(a.strip() for a in _SPLIT.split(values["aliases"]) if a.strip())
        entries.append(OfficialEntry(i, seq, values["name"], aliases, cas, "剧毒" in values["remark"]))
    return entries, problems


def _split(v: str) -> list[str]:
    return [x for x in (v or "").split(";") if x]


def merge_catalogue(entries: list[OfficialEntry], rows: list[dict]) -> tuple[list[dict], MergeReport]:
    """Merge official entries into catalogue rows (dicts of ``chemicals.csv``; returned anew)."""
    rows = [dict(r) for r in rows]
    by_name: dict[str, list[int]] = {}
    by_cas: dict[str, list[int]] = {}

    def index(i: int) -> None:
        for n in [rows[i]["name"], *_split(rows[i]["aliases"])]:
            by_name.setdefault(_key(n), [])
            if i not in by_name[_key(n)]:
                by_name[_key(n)].append(i)
        for c in _split(rows[i]["cas"]):
            by_cas.setdefault(c, [])
            if i not in by_cas[c]:
                by_cas[c].append(i)

    for i in range(len(rows)):
        index(i)
    matched = aliases_added = added = toxic = 0
    problems = []
    for e in entries:
        hits = by_name.get(_key(e.name), [])
        if len(hits) != 1:
            cas_hits = sorted({i for c in e.cas for i in by_cas.get(c, [])})
            whole = [i for i in cas_hits if not rows[i].get("concentration")]
            hits = whole if len(cas_hits) == 1 and len(whole) == 1 else ([] if len(hits) != 1 else hits)
        if len(hits) == 1:
            i = hits[0]
            row = rows[i]
            known = {_key(n) for n in [row["name"], *_split(row["aliases"])]}
            new = [n for n in (e.name, *e.aliases) if _key(n) not in known]
            if new:
                row["aliases"] = ";".join(_split(row["aliases"]) + new)
                aliases_added += len(new)
                row["source"] = f"{row['source']}；别名补充：{LIST_NAME}序号{e.seq}"
            if e.cas and not row["cas"] and not row["key"].startswith("T1-"):
                row["cas"] = ";".join(e.cas)
            if e.highly_toxic and row["highly_toxic"] != "1":
                row["highly_toxic"] = "1"
                row["source"] = f"{row['source']}；剧毒：{LIST_NAME}序号{e.seq}备注"
                toxic += 1
            matched += 1
            index(i)
            continue
        key = f"ML-{e.seq}"
        if any(r["key"] == key for r in rows):
            problems.append(ImportProblem(e.line, "序号", str(e.seq), "序号重复，此行未导入"))
            continue
        rows.append({
            "key": key, "name": e.name, "aliases": ";".join(e.aliases), "cas": ";".join(e.cas),
            "table1_row": "", "hazard_classes": "", "highly_toxic": "1" if e.highly_toxic else "0",
            "explosive_precursor": "0", "key_supervised": "0", "toxic_inhalation": "0", "explosive": "0",
            "class_status": "unknown", "concentration": "",
            "source": (f"名称/别名/CAS：{LIST_NAME}序号{e.seq}（部署导入）；GB 18218危险类别未录入，"
                       f"须按GHS分类补充" + ("；剧毒：目录备注" if e.highly_toxic else "")),
        })
        index(len(rows) - 1)
        added += 1
    return rows, MergeReport(matched, aliases_added, added, toxic, tuple(problems))

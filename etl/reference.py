"""Load ``data/reference/`` (GB 18218 tables and the chemical catalogue) into plain values."""

from __future__ import annotations

import csv
from functools import lru_cache
from pathlib import Path

from geo.chemicals import Catalogue
from geo.reference import AlphaBand, Chemical, GradeBand, HazardClass, ReferenceTables

DEFAULT_DIR = Path(__file__).resolve().parent.parent / "data" / "reference"


class ReferenceDataError(ValueError):
    """A reference file is missing or malformed; the message names the file and row."""


def _rows(path: Path) -> list[tuple[int, dict]]:
    if not path.is_file():
        raise ReferenceDataError(f"参考数据文件缺失：{path}")
    with path.open(encoding="utf-8", newline="") as f:
        rows = list(csv.DictReader(f))
    for i, r in enumerate(rows, start=2):
        if not r.get("source"):
            raise ReferenceDataError(f"{path.name} 第{i}行缺少出处（source）")
    return list(enumerate(rows, start=2))


def _num(path: Path, line: int, row: dict, key: str, *, optional: bool = False) -> float | None:
    v = (row.get(key) or "").strip()
    if not v and optional:
        return None
    try:
        return float(v)
    except ValueError:
        raise ReferenceDataError(f"{path.name} 第{line}行 {key} 不是数字：{v!r}") from None


def _split(v: str | None) -> tuple[str, ...]:
    return tuple(x.strip() for x in (v or "").split(";") if x.strip())


def load_reference_from(directory: Path) -> ReferenceTables:
    d = Path(directory)
    t1q = {}
    p = d / "gb18218_table1_named.csv"
    for line, r in _rows(p):
        t1q[int(r["row"])] = _num(p, line, r, "critical_quantity_t")
    classes = {}
    p = d / "gb18218_table2_categories.csv"
    for line, r in _rows(p):
        classes[r["symbol"]] = HazardClass(r["symbol"], r["hazard_class"], r["criterion"],
                                           _num(p, line, r, "critical_quantity_t"),
                                           _num(p, line, r, "beta"))
    table3 = {}
    p = d / "gb18218_table3_beta_toxic_gases.csv"
    for line, r in _rows(p):
        table3[r["cas"]] = _num(p, line, r, "beta")
    p = d / "gb18218_table5_alpha.csv"
    alpha = tuple(AlphaBand(int(_num(p, line, r, "min_people")),
                            None if not r["max_people"] else int(_num(p, line, r, "max_people")),
                            _num(p, line, r, "alpha")) for line, r in _rows(p))
    p = d / "gb18218_table6_grades.csv"
    grades = tuple(GradeBand(int(r["grade"]), r["label"], _num(p, line, r, "r_min_inclusive"),
                             _num(p, line, r, "r_max_exclusive", optional=True))
                   for line, r in _rows(p))
    chems = []
    p = d / "chemicals.csv"
    for line, r in _rows(p):
        row = int(r["table1_row"]) if r["table1_row"] else None
        if row is not None and row not in t1q:
            raise ReferenceDataError(f"{p.name} 第{line}行 table1_row={row} 不在表1中")
        cls = _split(r["hazard_classes"])
        for c in cls:
            if c not in classes:
                raise ReferenceDataError(f"{p.name} 第{line}行 未知危险类别 {c}")
        chems.append(Chemical(
            key=r["key"], name=r["name"], aliases=_split(r["aliases"]), cas=_split(r["cas"]),
            table1_row=row, table1_q=t1q.get(row) if row else None, hazard_classes=cls,
            highly_toxic=r["highly_toxic"] == "1", explosive_precursor=r["explosive_precursor"] == "1",
            key_supervised=r["key_supervised"] == "1", toxic_inhalation=r["toxic_inhalation"] == "1",
            explosive=r["explosive"] == "1", class_status=r["class_status"], source=r["source"]))
    version = (d / "VERSION").read_text(encoding="utf-8").strip()
    return ReferenceTables(Catalogue(chems), classes, table3, alpha, grades, version)


@lru_cache(maxsize=1)
def load_reference() -> ReferenceTables:
    """The repository's reference tables (cached)."""
    return load_reference_from(DEFAULT_DIR)

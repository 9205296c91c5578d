"""Read ``data/reference/`` (GB 18218 tables and the chemical catalogue) into plain values.

The directory is always passed in (the shell finds the installed copy: :func:`hazmap.domain.data_dir`);
nothing here is cached or read at import.

Every file must give a ``source`` on every row; a malformed file raises
:class:`ReferenceDataError` naming the file, the line and the column.
"""

from __future__ import annotations

import csv
from pathlib import Path

from geo.chemicals import Catalogue, parse_concentration, valid_cas
from geo.fire_class import ORDER as FIRE_ORDER
from geo.reference import AlphaBand, Chemical, ChemicalProperties, GradeBand, HazardClass, ReferenceTables


_COLUMNS = {
    "gb18218_table1_named.csv": ("row", "name", "aliases", "cas", "critical_quantity_t", "source", "clause"),
    "gb18218_table2_categories.csv": ("symbol", "hazard_class", "criterion", "critical_quantity_t",
                                      "beta", "source", "clause"),
    "gb18218_table3_beta_toxic_gases.csv": ("gas", "cas", "beta", "source", "clause"),
    "gb18218_table5_alpha.csv": ("min_people", "max_people", "alpha", "source", "clause"),
    "gb18218_table6_grades.csv": ("grade", "label", "r_min_inclusive", "r_max_exclusive", "source",
                                  "clause"),
    "chemicals.csv": ("key", "name", "aliases", "cas", "table1_row", "hazard_classes", "highly_toxic",
                      "explosive_precursor", "key_supervised", "toxic_inhalation", "explosive",
                      "class_status", "concentration", "source"),
    "chemical_properties.csv": ("key", "name", "fire_class", "fire_item", "flash_point_c", "boiling_point_c",
                                "liquid_density_t_m3", "source", "status"),
}
CLASS_STATUS = ("standard", "uncertain", "unknown")


class ReferenceDataError(ValueError):
    """A reference file is missing or malformed; the message names the file and row."""


def _rows(path: Path) -> list[tuple[int, dict]]:
    """``(line number, row)`` pairs; checks the columns and that every row cites a source."""
    if not path.is_file():
        raise ReferenceDataError(f"参考数据文件缺失：{path}")
    with path.open(encoding="utf-8-sig", newline="") as f:
        reader = csv.DictReader(f)
        missing = [c for c in _COLUMNS[path.name] if c not in (reader.fieldnames or ())]
        if missing:
            raise ReferenceDataError(f"{path.name} 缺少列：{'、'.join(missing)}")
        rows = list(enumerate(reader, start=2))
    if not rows:
        raise ReferenceDataError(f"{path.name} 没有数据行")
    for line, r in rows:
        if None in r or any(v is None for v in r.values()):
            raise ReferenceDataError(f"{path.name} 第{line}行 列数与表头不一致")
        if not r["source"].strip():
            raise ReferenceDataError(f"{path.name} 第{line}行 缺少出处（source）")
    return rows


def _num(path: Path, line: int, row: dict, key: str, *, optional: bool = False) -> float | None:
    v = (row.get(key) or "").strip()
    if not v and optional:
        return None
    try:
        x = float(v)
    except ValueError:
        raise ReferenceDataError(f"{path.name} 第{line}行 {key} 不是数字：{v!r}") from None
    if x != x or x < 0:
        raise ReferenceDataError(f"{path.name} 第{line}行 {key} 应为非负数：{v!r}")
    return x


def _int(path: Path, line: int, row: dict, key: str, *, optional: bool = False) -> int | None:
    x = _num(path, line, row, key, optional=optional)
    if x is None:
        return None
    if x != int(x):
        raise ReferenceDataError(f"{path.name} 第{line}行 {key} 应为整数：{row[key]!r}")
    return int(x)


def _flag(path: Path, line: int, row: dict, key: str) -> bool:
    v = row[key].strip()
    if v not in ("0", "1"):
        raise ReferenceDataError(f"{path.name} 第{line}行 {key} 应为 0 或 1：{v!r}")
    return v == "1"


def _split(v: str | None) -> tuple[str, ...]:
    return tuple(x.strip() for x in (v or "").split(";") if x.strip())


def _cas_list(path: Path, line: int, v: str) -> tuple[str, ...]:
    out = _split(v)
    for c in out:
        if not valid_cas(c):
            raise ReferenceDataError(f"{path.name} 第{line}行 CAS号无效（格式或校验位）：{c}")
    return out


def load_reference_from(directory: Path | str) -> ReferenceTables:
    """Read the reference tables from ``directory`` (no caching)."""
    d = Path(directory)
    if not d.is_dir():
        raise ReferenceDataError(f"参考数据目录不存在：{d}")

    t1q: dict[int, float] = {}
    p = d / "gb18218_table1_named.csv"
    for line, r in _rows(p):
        row = _int(p, line, r, "row")
        if row in t1q:
            raise ReferenceDataError(f"{p.name} 第{line}行 序号 {row} 重复")
        _cas_list(p, line, r["cas"])
        t1q[row] = _num(p, line, r, "critical_quantity_t")

    classes: dict[str, HazardClass] = {}
    p = d / "gb18218_table2_categories.csv"
    for line, r in _rows(p):
        sym = r["symbol"].strip()
        if not sym or sym in classes:
            raise ReferenceDataError(f"{p.name} 第{line}行 类别符号为空或重复：{sym!r}")
        classes[sym] = HazardClass(sym, r["hazard_class"], r["criterion"],
                                   _num(p, line, r, "critical_quantity_t"), _num(p, line, r, "beta"))

    table3: dict[str, float] = {}
    p = d / "gb18218_table3_beta_toxic_gases.csv"
    for line, r in _rows(p):
        cas = _cas_list(p, line, r["cas"])
        if len(cas) != 1:
            raise ReferenceDataError(f"{p.name} 第{line}行 应有且仅有一个CAS号")
        table3[cas[0]] = _num(p, line, r, "beta")

    p = d / "gb18218_table5_alpha.csv"
    alpha = tuple(AlphaBand(_int(p, line, r, "min_people"),
                            _int(p, line, r, "max_people", optional=True),
                            _num(p, line, r, "alpha")) for line, r in _rows(p))
    p = d / "gb18218_table6_grades.csv"
    grades = tuple(GradeBand(_int(p, line, r, "grade"), r["label"].strip(),
                             _num(p, line, r, "r_min_inclusive"),
                             _num(p, line, r, "r_max_exclusive", optional=True))
                   for line, r in _rows(p))

    chems: list[Chemical] = []
    keys: set[str] = set()
    p = d / "chemicals.csv"
    for line, r in _rows(p):
        key, name = r["key"].strip(), r["name"].strip()
        if not key or not name:
            raise ReferenceDataError(f"{p.name} 第{line}行 key 或 name 为空")
        if key in keys:
            raise ReferenceDataError(f"{p.name} 第{line}行 key 重复：{key}")
        keys.add(key)
        row = _int(p, line, r, "table1_row", optional=True)
        if row is not None and row not in t1q:
            raise ReferenceDataError(f"{p.name} 第{line}行 table1_row={row} 不在表1中")
        cls = _split(r["hazard_classes"])
        for c in cls:
            if c not in classes:
                raise ReferenceDataError(f"{p.name} 第{line}行 未知危险类别 {c}（应为表2符号）")
        status = r["class_status"].strip() or "standard"
        if status not in CLASS_STATUS:
            raise ReferenceDataError(f"{p.name} 第{line}行 class_status 应为 {'/'.join(CLASS_STATUS)}：{status!r}")
        try:
            concentration = parse_concentration(r["concentration"])
        except ValueError as e:
            raise ReferenceDataError(f"{p.name} 第{line}行 concentration {e}") from None
        chems.append(Chemical(
            key=key, name=name, aliases=_split(r["aliases"]), cas=_cas_list(p, line, r["cas"]),
            table1_row=row, hazard_classes=cls,
            highly_toxic=_flag(p, line, r, "highly_toxic"),
            explosive_precursor=_flag(p, line, r, "explosive_precursor"),
            key_supervised=_flag(p, line, r, "key_supervised"),
            toxic_inhalation=_flag(p, line, r, "toxic_inhalation"),
            explosive=_flag(p, line, r, "explosive"),
            class_status=status, source=r["source"].strip(),
            table1_critical_quantity_t=t1q[row] if row is not None else None,
            concentration=concentration))
    missing = sorted(set(t1q) - {c.table1_row for c in chems})
    if missing:
        raise ReferenceDataError(f"{p.name} 缺少表1第{'、'.join(map(str, missing))}项")

    props: dict[str, ChemicalProperties] = {}
    p = d / "chemical_properties.csv"
    for line, r in _rows(p):
        key = r["key"].strip()
        if key not in keys or key in props:
            raise ReferenceDataError(f"{p.name} 第{line}行 key {key!r} 不在化学品目录中或重复")
        fc = r["fire_class"].strip() or None
        if fc is not None and fc not in FIRE_ORDER:
            raise ReferenceDataError(f"{p.name} 第{line}行 fire_class 应为 甲/乙/丙/丁/戊：{fc!r}")
        flash = (r["flash_point_c"] or "").strip()
        boil = (r["boiling_point_c"] or "").strip()
        try:
            flash_c = float(flash) if flash else None
            boil_c = float(boil) if boil else None
        except ValueError:
            raise ReferenceDataError(f"{p.name} 第{line}行 闪点或沸点不是数字") from None
        if r["status"].strip() not in ("standard", "verified-1src", "verified", "uncertain"):
            raise ReferenceDataError(f"{p.name} 第{line}行 status 无效：{r['status']!r}")
        props[key] = ChemicalProperties(
            key=key, name=r["name"].strip(), fire_class=fc, fire_item=_int(p, line, r, "fire_item", optional=True),
            flash_point_c=flash_c, boiling_point_c=boil_c,
            liquid_density_t_m3=_num(p, line, r, "liquid_density_t_m3", optional=True),
            source=r["source"].strip(), status=r["status"].strip())

    vfile = d / "VERSION"
    if not vfile.is_file() or not vfile.read_text(encoding="utf-8").strip():
        raise ReferenceDataError(f"参考数据版本文件缺失或为空：{vfile}")
    version = vfile.read_text(encoding="utf-8").strip()
    return ReferenceTables(Catalogue(chems), classes, table3, alpha, grades, version, properties=props)

"""Reading the waste wing's data files (``data/reference/hw_*.csv``, ``data/rules/waste_*.toml``).

A missing or malformed file raises :class:`WasteDataError` naming the file and the row or key.
"""

from __future__ import annotations

import csv
import tomllib
from dataclasses import dataclass
from pathlib import Path

STATUSES = ("cited", "verified", "local_policy", "uncertain")


class WasteDataError(ValueError):
    """A waste reference or rules file is missing or malformed; the message names file and row."""


def read_csv_rows(path: Path, columns: tuple[str, ...]) -> list[tuple[int, dict[str, str]]]:
    """``(line number, row)`` pairs of a UTF-8 CSV, every named column present and filled."""
    if not path.is_file():
        raise WasteDataError(f"数据文件缺失：{path}")
    with path.open(encoding="utf-8-sig", newline="") as f:
        reader = csv.DictReader(f)
        missing = [c for c in columns if c not in (reader.fieldnames or ())]
        if missing:
            raise WasteDataError(f"{path.name} 缺少列：{'、'.join(missing)}")
        rows = []
        for line, r in enumerate(reader, start=2):
            if None in r or any(v is None for v in r.values()):
                raise WasteDataError(f"{path.name} 第{line}行 列数与表头不一致")
            rows.append((line, {k: v.strip() for k, v in r.items()}))
    if not rows:
        raise WasteDataError(f"{path.name} 没有数据行")
    return rows


def read_toml(path: Path) -> dict:
    try:
        return tomllib.loads(path.read_text(encoding="utf-8"))
    except FileNotFoundError:
        raise WasteDataError(f"规则文件缺失：{path}") from None
    except tomllib.TOMLDecodeError as exc:
        raise WasteDataError(f"{path.name} 不是有效的 TOML：{exc}") from None


@dataclass(frozen=True)
class Param:
    """One policy number with its standing: ``cited`` (a clause), ``local_policy`` or ``uncertain``."""

    value: float
    status: str
    basis: str


def param(table: dict, key: str, where: str) -> Param:
    """``table[key]`` as a :class:`Param` (``{value, status, basis}``); ``where`` names file and section."""
    raw = table.get(key)
    if not isinstance(raw, dict):
        raise WasteDataError(f"{where} 缺少 {key} = {{ value, status, basis }}")
    value, status, basis = raw.get("value"), raw.get("status"), raw.get("basis")
    if isinstance(value, bool) or not isinstance(value, (int, float)):
        raise WasteDataError(f"{where} {key}.value 应为数字")
    if status not in STATUSES:
        raise WasteDataError(f"{where} {key}.status 应为 {'/'.join(STATUSES)}，实际 {status!r}")
    if not isinstance(basis, str) or not basis.strip():
        raise WasteDataError(f"{where} {key}.basis 为空（须写明依据或“本地政策”）")
    return Param(float(value), status, basis)

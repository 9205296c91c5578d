"""Reading the waste wing's data files (``data/reference/hw_*.csv``, ``data/rules/waste_*.toml``).

A missing or malformed file raises :class:`WasteDataError` naming the file and the row or key.
"""

from __future__ import annotations

import csv
import tomllib
from dataclasses import dataclass
from pathlib import Path

STATUSES = ("cited", "verified", "local_policy", "uncertain")
# how a finding names a policy number's standing and the number itself to the user (the file and key
# stay in the finding's data as ``rule_ref``)
STATUS_LABEL = {"cited": "引用条款", "verified": "已核实", "local_policy": "本地政策", "uncertain": "待核"}
RULE_FILE_LABEL = {"waste_stock.toml": "危险废物库存规则", "waste_manifest.toml": "危险废物联单规则"}
PARAM_LABEL = {"max_storage_days": "产生单位贮存期限", "operator_max_storage_days": "持证经营单位贮存期限",
               "plan_low_ratio": "低于管理计划比例", "plan_high_ratio": "超出管理计划比例",
               "max_open_days": "联单未闭环期限", "receipt_confirm_days": "送达后确认接受期限"}


def rule_label(file: str, key: str, p: Param) -> str:
    """The rule a finding applied, in Chinese: ``rule_label("waste_stock.toml", "max_storage_days", p)`` →
    ``危险废物库存规则“产生单位贮存期限”（本地政策）``."""
    return f"{RULE_FILE_LABEL[file]}“{PARAM_LABEL[key]}”（{STATUS_LABEL[p.status]}）"


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

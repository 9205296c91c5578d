"""The rejects report: one CSV row per rejected field, in Chinese, UTF-8 with BOM (Excel)."""

from __future__ import annotations

import csv
from dataclasses import dataclass
from pathlib import Path


@dataclass(frozen=True)
class Reject:
    file: str
    line: int
    field: str
    value: str
    reason: str


def write_rejects(path: Path, rejects: list[Reject]) -> Path:
    path.parent.mkdir(parents=True, exist_ok=True)
    with path.open("w", encoding="utf-8-sig", newline="") as f:
        w = csv.writer(f)
        w.writerow(["源文件", "行号", "字段", "值", "原因"])
        for r in rejects:
            w.writerow([r.file, r.line, r.field, r.value, r.reason])
    return path

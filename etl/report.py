"""The rejects report: one CSV row per rejected field, in Chinese, UTF-8 with BOM (Excel).

级别 says 错误 (the row was not loaded) or 警告 (loaded, with the correction the reason says —
e.g. a registered fire class the chemicals contradict).  Every cell goes through
:func:`hazmap.export.csv_safe`: a value from a source file that starts like a formula (``=``, ``+``,
``-``, ``@``, tab, CR) gets a leading ``'``, so a spreadsheet opening the report shows it as text
and never evaluates it (CSV injection)."""

from __future__ import annotations

import csv
from dataclasses import dataclass
from pathlib import Path

from hazmap.export import csv_safe


@dataclass(frozen=True)
class Reject:
    file: str
    line: int
    field: str
    value: str
    reason: str
    severity: str = "error"  # error: the row was not loaded | warning: loaded, but see the reason

    @property
    def is_error(self) -> bool:
        return self.severity != "warning"


SEVERITY_LABEL = {"error": "错误", "warning": "警告"}


def write_rejects(path: Path, rejects: list[Reject]) -> Path:
    path.parent.mkdir(parents=True, exist_ok=True)
    with path.open("w", encoding="utf-8-sig", newline="") as f:
        w = csv.writer(f)
        w.writerow(["源文件", "行号", "字段", "值", "原因", "级别"])
        for r in rejects:
            w.writerow([csv_safe(v) for v in (r.file, r.line, r.field, r.value, r.reason,
                                              SEVERITY_LABEL.get(r.severity, r.severity))])
    return path

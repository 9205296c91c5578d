"""Which departments supervise an enterprise (三管三必管): derived from its stages, chemicals and
facility type by ``data/rules/responsibility.csv``, united with the departments the registries name.

The table cites the district's work plan (城政办发〔2023〕25号 三（一）部门监管职责), quoting the clause per
row; rows that are the district's own assignment beyond what 三（一） says are ``local_policy``, and the
pipeline-protection authority, which the plan does not name, is ``uncertain``.  Triggers:

* ``stage`` — a stage code (production, storage, trade_storage, trade, transport, loading, use,
  waste, pipeline);
* ``chemical`` — a catalogue flag of any chemical it holds (``highly_toxic`` 剧毒,
  ``explosive_precursor`` 易制爆);
* ``facility_type`` — the registry's 设施类型 (加油站, 加气站 …).
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from geo.datafile import read_csv

FILE_NAME = "responsibility.csv"
TRIGGERS = ("stage", "chemical", "facility_type")
CHEMICAL_FLAGS = ("highly_toxic", "explosive_precursor")
STATUSES = ("work_plan", "local_policy", "uncertain")
STAGE_CODES = ("production", "trade_storage", "trade", "storage", "transport", "loading", "use", "waste", "pipeline")
_COLUMNS = ("rule_id", "trigger", "value", "department", "clause", "quote", "status", "note")


class ResponsibilityFileError(ValueError):
    """``responsibility.csv`` is malformed (the message names file and row)."""


@dataclass(frozen=True)
class ResponsibilityRule:
    rule_id: str
    trigger: str
    value: str
    department: str
    clause: str
    quote: str
    status: str
    note: str = ""


@dataclass(frozen=True)
class ResponsibilityTable:
    rules: tuple[ResponsibilityRule, ...]


@dataclass(frozen=True)
class Assignment:
    """A supervising department and why: the table rules that derive it, and/or the registry."""

    department: str
    rules: tuple[ResponsibilityRule, ...]
    registered: bool

    @property
    def basis(self) -> str:
        """Chinese: where the assignment comes from, e.g. ``登记数据；城政办发〔2023〕25号 三（一）2``."""
        parts = (["登记数据"] if self.registered else []) + [
            r.clause + ("（本地分工）" if r.status == "local_policy" else "（待确认）" if r.status == "uncertain" else "")
            for r in self.rules]
        return "；".join(dict.fromkeys(parts))


def load_responsibility(directory: str | Path) -> ResponsibilityTable:
    """Read and check ``responsibility.csv`` in ``directory``."""
    rows = read_csv(Path(directory) / FILE_NAME, _COLUMNS, error=ResponsibilityFileError, what="职责分工文件")
    rules, ids = [], set()
    for line, r in rows:
        where = f"{FILE_NAME} 第{line}行（{r['rule_id'] or '无 rule_id'}）"
        if not r["rule_id"] or r["rule_id"] in ids:
            raise ResponsibilityFileError(f"{where}：rule_id 为空或重复")
        ids.add(r["rule_id"])
        if r["trigger"] not in TRIGGERS:
            raise ResponsibilityFileError(f"{where}：trigger 应为 {'/'.join(TRIGGERS)}")
        if r["trigger"] == "stage" and r["value"] not in STAGE_CODES:
            raise ResponsibilityFileError(f"{where}：未知环节 {r['value']!r}")
        if r["trigger"] == "chemical" and r["value"] not in CHEMICAL_FLAGS:
            raise ResponsibilityFileError(f"{where}：chemical 应为 {'/'.join(CHEMICAL_FLAGS)}")
        if r["status"] not in STATUSES:
            raise ResponsibilityFileError(f"{where}：status 应为 {'/'.join(STATUSES)}")
        if not (r["value"] and r["department"] and r["clause"]):
            raise ResponsibilityFileError(f"{where}：value、department、clause 均不能为空")
        if not r["quote"] and r["status"] != "uncertain":
            raise ResponsibilityFileError(f"{where}：须引用工作方案条款原文（quote）")
        if r["status"] != "work_plan" and not r["note"]:
            raise ResponsibilityFileError(f"{where}：local_policy/uncertain 须在 note 说明依据")
        rules.append(ResponsibilityRule(r["rule_id"], r["trigger"], r["value"], r["department"], r["clause"],
                                        r["quote"], r["status"], r["note"]))
    return ResponsibilityTable(tuple(rules))


def departments(*, stages, chemicals=(), facility_type: str | None = None, registered=(),
                table: ResponsibilityTable) -> tuple[Assignment, ...]:
    """The enterprise's departments: the registry's (first, in their order) united with the derived ones.

    ``chemicals``: catalogue entries (anything with ``highly_toxic`` / ``explosive_precursor``);
    ``registered``: department names the registries hold for it.
    """
    flags = {f for f in CHEMICAL_FLAGS if any(getattr(c, f, False) for c in chemicals)}
    stage_set = set(stages)

    def applies(rule: ResponsibilityRule) -> bool:
        if rule.trigger == "stage":
            return rule.value in stage_set
        if rule.trigger == "chemical":
            return rule.value in flags
        return facility_type is not None and rule.value == facility_type.strip()

    order: list[str] = []
    by_dept: dict[str, list[ResponsibilityRule]] = {}
    for name in registered:
        name = name.strip()
        if name and name not in order:
            order.append(name)
    for rule in table.rules:
        if applies(rule):
            if rule.department not in order:
                order.append(rule.department)
            by_dept.setdefault(rule.department, []).append(rule)
    reg = {n.strip() for n in registered}
    return tuple(Assignment(d, tuple(by_dept.get(d, ())), d in reg) for d in order)

"""A waste finding: what a check found, naming its rule and the data it used (Chinese text)."""

from __future__ import annotations

from dataclasses import dataclass, field
from types import MappingProxyType
from typing import Any, Mapping

# finding code → Chinese title (order = order of the colour reasons)
FINDING_TITLES = {
    "WASTE_LONG_STORED": "超期贮存",
    "WASTE_OVER_CAPACITY": "贮存量超过贮存能力",
    "WASTE_NEGATIVE_BALANCE": "出量大于入量",
    "WASTE_BELOW_PLAN": "产生量明显低于管理计划",
    "WASTE_ABOVE_PLAN": "产生量超出管理计划",
    "WASTE_NOT_IN_PLAN": "产生未列入管理计划的废物",
    "WASTE_MAJOR_DISCREPANCY": "联单存在重大差异",
    "WASTE_MANIFEST_OPEN": "联单长期未闭环",
    "WASTE_RECEIPT_LATE": "送达后超期未确认接受",
    "WASTE_LICENCE_SCOPE": "接受单位许可范围不含该废物",
    "WASTE_LICENCE_EXPIRED": "接受单位许可证不在有效期内",
    "WASTE_LICENCE_UNKNOWN": "接受单位许可证未登记（未评估）",
    "WASTE_WAYBILL_MISMATCH": "联单与电子运单不一致",
}


@dataclass(frozen=True)
class Finding:
    """``code`` one of :data:`FINDING_TITLES`; ``rule`` names the rule (file/key or rule id and its basis)."""

    code: str
    credit_code: str
    text: str
    rule: str
    waste_code: str | None = None
    manifest_no: str | None = None
    data: Mapping[str, Any] = field(default_factory=lambda: MappingProxyType({}))

    def __post_init__(self) -> None:
        if self.code not in FINDING_TITLES:
            raise ValueError(f"未知的危险废物问题代码 {self.code!r}")

    @property
    def title(self) -> str:
        return FINDING_TITLES[self.code]

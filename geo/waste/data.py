"""The waste wing's part of the domain bundle: the waste codes and the waste rules, read once.

Built by :func:`geo.domain.build_domain` (``domain.waste``) from the same data directories as
the rest; the ETL, the refresh step and the API take it from there.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from geo.waste.codes import WasteCodes, load_waste_codes
from geo.waste.rules import WasteRules, load_waste_rules


@dataclass(frozen=True)
class WasteData:
    codes: WasteCodes  # data/reference/hw_*.csv
    rules: WasteRules  # data/rules/waste_manifest.toml + waste_stock.toml


def load_waste_data(reference_dir: Path, rules_dir: Path) -> WasteData:
    """Read and check the waste codes and rules (raises ``WasteDataError`` naming file and row)."""
    return WasteData(load_waste_codes(Path(reference_dir)), load_waste_rules(Path(rules_dir)))

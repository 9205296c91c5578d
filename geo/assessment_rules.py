"""The data files the assessment wing reads, as one frozen bundle on the domain
(:attr:`geo.domain.Domain.assessment`): the 2017-121 major-hidden-danger criteria
(``data/reference/major_hidden_danger_2017_121.csv``), the 三管三必管 responsibility table
(``data/rules/responsibility.csv``) and the 双随机 draw rules (``data/rules/inspection_draw.toml``).
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from geo.hidden_danger import MajorHiddenDangerTable, load_major_hidden_danger_items
from geo.inspection_draw import DrawRules, load_draw_rules
from geo.responsibility import ResponsibilityTable, load_responsibility


@dataclass(frozen=True)
class AssessmentRules:
    major_hidden_dangers: MajorHiddenDangerTable
    responsibility: ResponsibilityTable
    draw: DrawRules


def load_assessment_rules(reference_dir: str | Path, rules_dir: str | Path) -> AssessmentRules:
    """Read the three files (each loader names file and row when one is malformed)."""
    return AssessmentRules(load_major_hidden_danger_items(reference_dir), load_responsibility(rules_dir),
                           load_draw_rules(rules_dir))

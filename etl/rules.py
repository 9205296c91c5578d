"""Load ``data/rules/`` (separation rules, four-colour model, pipeline and area parameters)."""

from __future__ import annotations

import csv
import tomllib
from collections import defaultdict
from functools import lru_cache
from pathlib import Path

from geo.separation import RuleSet, SeparationRule

DEFAULT_DIR = Path(__file__).resolve().parent.parent / "data" / "rules"


class RulesError(ValueError):
    """A rules file is malformed; the message names the file and row."""


def _csv(path: Path) -> list[tuple[int, dict]]:
    with path.open(encoding="utf-8", newline="") as f:
        return list(enumerate(csv.DictReader(f), start=2))


def load_ruleset_from(d: Path) -> RuleSet:
    rules = []
    p = d / "separation_rules.csv"
    for line, r in _csv(p):
        try:
            dist = float(r["distance_m"])
        except ValueError:
            raise RulesError(f"{p.name} 第{line}行 distance_m 不是数字") from None
        if not (r["standard"] or r["status"] == "local_policy"):
            raise RulesError(f"{p.name} 第{line}行 既无出处也未标注为本地政策")
        rules.append(SeparationRule(r["rule_id"], r["source_class"], r["source_condition"],
                                    r["target_class"], dist, r["kind"], r["standard"], r["clause"],
                                    r["status"], r["note"]))
    tclasses = defaultdict(list)
    for _, r in _csv(d / "target_classes.csv"):
        tclasses[r["category"]].append(r["target_class"])
    fclasses = {r["facility_type"]: r["source_class"] for _, r in _csv(d / "source_classes.csv")}
    version = tomllib.loads((d / "risk_model.toml").read_text(encoding="utf-8"))["rules_version"]
    return RuleSet(tuple(rules), {k: tuple(v) for k, v in tclasses.items()}, fclasses, version)


@lru_cache(maxsize=1)
def load_ruleset() -> RuleSet:
    return load_ruleset_from(DEFAULT_DIR)


@lru_cache(maxsize=1)
def load_model() -> dict:
    """The four-colour model, pipeline HCA and area-risk parameters (``risk_model.toml``)."""
    return tomllib.loads((DEFAULT_DIR / "risk_model.toml").read_text(encoding="utf-8"))

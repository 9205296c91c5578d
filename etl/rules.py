"""Load ``data/rules/`` — the file I/O for the pure modules in :mod:`geo`.

* ``separation_rules.csv`` + ``target_classes.csv`` + ``source_classes.csv`` → :class:`geo.separation.RuleSet`
* ``risk_model.toml`` → its versions (the typed model: :func:`geo.colour_model.load_colour_model`)
* ``pipeline_hca.toml`` → params for :mod:`geo.pipelines`
* ``area_risk.toml`` → params for :func:`geo.area_risk.area_index`

The default loads are cached (``load_ruleset()``, ``load_model()``, …); the ``*_from(dir)``
variants read another directory (tests, a deployment's copy).  Malformed files raise
:class:`RulesError` naming the file and row.
"""

from __future__ import annotations

import csv
import tomllib
from collections import defaultdict
from functools import lru_cache
from pathlib import Path

from geo.colour_model import ColourModelError, parse_colour_model
from geo.separation import KINDS, STATUS_RANK, RuleSet, SeparationRule

DEFAULT_DIR = Path(__file__).resolve().parent.parent / "data" / "rules"
RULE_COLUMNS = ("rule_id", "source_class", "source_condition", "target_class", "distance_m", "kind",
                "standard", "clause", "status", "note")


class RulesError(ValueError):
    """A rules file is malformed; the message names the file and row."""


def _csv(path: Path, required: tuple[str, ...]) -> list[tuple[int, dict]]:
    try:
        with path.open(encoding="utf-8", newline="") as f:
            reader = csv.DictReader(f)
            missing = set(required) - set(reader.fieldnames or ())
            if missing:
                raise RulesError(f"{path.name} 缺少列 {', '.join(sorted(missing))}")
            return [(i, {k: (v or "").strip() for k, v in row.items() if k is not None})
                    for i, row in enumerate(reader, start=2)]
    except FileNotFoundError:
        raise RulesError(f"规则文件不存在：{path}") from None


def _toml(path: Path) -> dict:
    try:
        return tomllib.loads(path.read_text(encoding="utf-8"))
    except FileNotFoundError:
        raise RulesError(f"规则文件不存在：{path}") from None
    except tomllib.TOMLDecodeError as e:
        raise RulesError(f"{path.name} 不是有效的 TOML：{e}") from None


def load_ruleset_from(d: Path) -> RuleSet:
    d = Path(d)
    p = d / "separation_rules.csv"
    rules = []
    for line, r in _csv(p, RULE_COLUMNS):
        where = f"{p.name} 第{line}行（{r['rule_id'] or '无 rule_id'}）"
        if not r["rule_id"]:
            raise RulesError(f"{where}：rule_id 为空")
        try:
            dist = float(r["distance_m"])
        except ValueError:
            raise RulesError(f"{where}：distance_m 不是数字（{r['distance_m']!r}）") from None
        if r["kind"] not in KINDS:
            raise RulesError(f"{where}：kind 应为 {'/'.join(KINDS)}")
        if r["status"] not in STATUS_RANK:
            raise RulesError(f"{where}：status 应为 {'/'.join(STATUS_RANK)}")
        if not (r["standard"] and (r["clause"] or r["status"] == "local_policy")):
            raise RulesError(f"{where}：须注明标准与条款，或标注为 local_policy")
        rules.append(SeparationRule(r["rule_id"], r["source_class"], r["source_condition"], r["target_class"],
                                    dist, r["kind"], r["standard"], r["clause"], r["status"], r.get("note", ""),
                                    r.get("applies_when", "")))
    tclasses: dict[str, list[str]] = defaultdict(list)
    for _, r in _csv(d / "target_classes.csv", ("category", "target_class", "source")):
        tclasses[r["category"]].append(r["target_class"])
    fclasses = {r["facility_type"]: r["source_class"]
                for _, r in _csv(d / "source_classes.csv", ("facility_type", "source_class"))}
    version = _toml(d / "risk_model.toml")["rules_version"]
    try:
        return RuleSet(tuple(rules), {k: tuple(v) for k, v in tclasses.items()}, fclasses, version)
    except ValueError as e:
        raise RulesError(f"{p.name}：{e}") from None


def load_risk_model_from(d: Path) -> dict:
    """The raw ``risk_model.toml`` (versions), checked by :func:`geo.colour_model.parse_colour_model`."""
    m = _toml(Path(d) / "risk_model.toml")
    try:
        parse_colour_model(m)
    except ColourModelError as e:
        raise RulesError(str(e)) from None
    if "rules_version" not in m:
        raise RulesError("risk_model.toml 缺少 rules_version")
    return m


def load_pipeline_params_from(d: Path) -> dict:
    return _toml(Path(d) / "pipeline_hca.toml")


def load_area_params_from(d: Path) -> dict:
    return _toml(Path(d) / "area_risk.toml")


def load_model_from(d: Path) -> dict:
    """The four-colour model with the pipeline (``["pipeline"]``) and area (``["area"]``) parameters."""
    m = dict(load_risk_model_from(d))
    m["pipeline"] = load_pipeline_params_from(d)
    m["area"] = load_area_params_from(d)
    return m


@lru_cache(maxsize=1)
def load_ruleset() -> RuleSet:
    return load_ruleset_from(DEFAULT_DIR)


@lru_cache(maxsize=1)
def load_model() -> dict:
    """The four-colour model, pipeline HCA and area-risk parameters (cached)."""
    return load_model_from(DEFAULT_DIR)


@lru_cache(maxsize=1)
def load_pipeline_params() -> dict:
    return load_pipeline_params_from(DEFAULT_DIR)


@lru_cache(maxsize=1)
def load_area_params() -> dict:
    return load_area_params_from(DEFAULT_DIR)

"""Read ``data/rules/`` — the file I/O for the pure modules in :mod:`geo`.

* ``separation_rules.csv`` + ``target_classes.csv`` + ``source_classes.csv`` + ``size_basis.csv``
  → :class:`geo.separation.RuleSet`
* ``risk_model.toml`` → its versions (the typed model: :func:`geo.colour_model.load_colour_model`)
* ``pipeline_hca.toml`` → params for :mod:`geo.pipelines`
* ``area_risk.toml`` → params for :func:`geo.area_risk.area_index`
* ``siting_policy.toml`` → :class:`geo.siting_policy.SitingPolicy`

The directory is always passed in (the shell finds the installed copy); nothing is cached.
Malformed files raise :class:`RulesError` naming the file and row.
"""

from __future__ import annotations

import csv
import tomllib
from collections import defaultdict
from pathlib import Path

from geo.colour_model import ColourModelError, parse_colour_model
from geo.facility_size import SizeBasis, SizeParameter
from geo.separation import KINDS, STATUS_RANK, RuleSet, SeparationRule, TargetClassRule
from geo.siting_policy import SitingPolicy, SitingPolicyError, parse_policy
from geo.vocabulary import STAGE_LABEL

RULE_COLUMNS = ("rule_id", "source_class", "source_condition", "target_class", "distance_m", "kind",
                "term", "standard", "clause", "status", "note", "applies_when", "bound_note")


class RulesError(ValueError):
    """A rules file is malformed; the message names the file and row."""


def read_csv_rows(path: Path, required: tuple[str, ...]) -> list[tuple[int, dict]]:
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


def read_toml(path: Path) -> dict:
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
    for line, r in read_csv_rows(p, RULE_COLUMNS):
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
        rules.append(SeparationRule(**{k: r[k] for k in RULE_COLUMNS if k != "distance_m"}, distance_m=dist))
    tclasses = []
    p_t = d / "target_classes.csv"
    for line, r in read_csv_rows(p_t, ("category", "target_class", "source", "note", "applies_when", "lower_bound")):
        if not (r["category"] and r["target_class"] and r["source"]) or r["lower_bound"] not in ("0", "1"):
            raise RulesError(f"{p_t.name} 第{line}行：category/target_class/source 不能为空，lower_bound 应为 0 或 1")
        tclasses.append(TargetClassRule(r["category"], r["target_class"], r["source"], r["applies_when"],
                                        r["note"], r["lower_bound"] == "1"))
    fclasses = {r["facility_type"]: r["source_class"]
                for _, r in read_csv_rows(d / "source_classes.csv", ("facility_type", "source_class"))}
    size = []
    p_s = d / "size_basis.csv"
    for line, r in read_csv_rows(p_s, ("source_class", "parameter", "value", "unit", "source", "status", "note")):
        try:
            value = float(r["value"])
        except ValueError:
            raise RulesError(f"{p_s.name} 第{line}行：value 不是数字（{r['value']!r}）") from None
        if not (value > 0 and r["source"] and r["status"] in STATUS_RANK):
            raise RulesError(f"{p_s.name} 第{line}行：value 应为正数，须有 source，status 应为 {'/'.join(STATUS_RANK)}")
        size.append(SizeParameter(r["source_class"], r["parameter"], value, r["unit"], r["source"],
                                  r["status"], r["note"]))
    version = read_toml(d / "risk_model.toml")["rules_version"]
    try:
        return RuleSet(tuple(rules), tuple(tclasses), fclasses, version, SizeBasis(tuple(size)))
    except ValueError as e:
        raise RulesError(f"{p.name}：{e}") from None


def load_risk_model_from(d: Path) -> dict:
    """The raw ``risk_model.toml`` (versions), checked by :func:`geo.colour_model.parse_colour_model`."""
    m = read_toml(Path(d) / "risk_model.toml")
    try:
        parse_colour_model(m)
    except ColourModelError as e:
        raise RulesError(str(e)) from None
    if "rules_version" not in m:
        raise RulesError("risk_model.toml 缺少 rules_version")
    return m


def load_pipeline_params_from(d: Path) -> dict:
    return read_toml(Path(d) / "pipeline_hca.toml")


def load_area_params_from(d: Path) -> dict:
    return read_toml(Path(d) / "area_risk.toml")


def load_siting_policy_from(d: Path, *, facility_types) -> SitingPolicy:
    """``siting_policy.toml``: the external-distance method and the 化工园区 findings (:mod:`geo.siting_policy`)."""
    try:
        return parse_policy(read_toml(Path(d) / "siting_policy.toml"), facility_types=facility_types,
                            stages=STAGE_LABEL)
    except SitingPolicyError as e:
        raise RulesError(str(e)) from None


def load_model_from(d: Path) -> dict:
    """The four-colour model with the pipeline (``["pipeline"]``) and area (``["area"]``) parameters."""
    m = dict(load_risk_model_from(d))
    m["pipeline"] = load_pipeline_params_from(d)
    m["area"] = load_area_params_from(d)
    return m

"""The domain bundle: every table, rule and model the engine needs, built once and passed on.

A :class:`Domain` is built by the shell (:func:`hazmap.domain.load_domain` from the settings)
and handed explicitly to the refresh, the siting check, the feasible zone and the ETL; nothing
in :mod:`geo` reads a data file or a setting on its own.  ``versions`` identifies what a result
was computed from — stamped on every run and export.  The rules version includes a digest of
the deployment's overrides, so two deployments with different overrides never share a version.
"""

from __future__ import annotations

import hashlib
import json
from dataclasses import dataclass
from pathlib import Path

from geo.assessment_rules import AssessmentRules
from geo.colour_model import ColourModel
from geo.reference import ReferenceTables
from geo.separation import RuleSet
from geo.siting_policy import SitingPolicy
from geo.vocabulary import Colour, Vocabulary


@dataclass(frozen=True)
class Versions:
    reference: str  # data/reference/VERSION
    rules: str  # separation rules (+ digest of the overrides)
    model: str  # four-colour model

    def as_json(self) -> dict:
        return {"reference": self.reference, "rules": self.rules, "model": self.model}


@dataclass(frozen=True)
class Domain:
    reference: ReferenceTables
    rules: RuleSet  # overrides applied
    colour_model: ColourModel  # data/rules/risk_model.toml
    pipeline: dict  # data/rules/pipeline_hca.toml
    area: dict  # data/rules/area_risk.toml
    siting: SitingPolicy  # data/rules/siting_policy.toml
    vocabulary: Vocabulary
    versions: Versions
    waste: object = None  # geo.waste.data.WasteData (hazardous-waste codes and rules)
    consequence: object = None  # geo.consequence.tables.ConsequenceTables (data/rules/consequence), None = not loaded
    assessment: "AssessmentRules | None" = None  # issue 12: 2017-121 criteria, responsibility, draw rules
    transport: object = None  # geo.transport.rules.TransportRules (issue 15)


def overrides_version(base: str, overrides) -> str:
    """``base`` unchanged without overrides, else ``base+ov-<digest>`` of their content."""
    overrides = list(overrides or ())
    if not overrides:
        return base
    digest = hashlib.sha256(json.dumps(overrides, sort_keys=True, ensure_ascii=False).encode()).hexdigest()
    return f"{base}+ov{len(overrides)}-{digest[:8]}"


def build_domain(reference_dir: Path, rules_dir: Path, *, overrides=()) -> Domain:
    """Read the data directories and apply a deployment's rule overrides.

    Raises :class:`geo.reference_files.ReferenceDataError` or :class:`geo.rules_files.RulesError`
    naming the file and row when a file is malformed, and ``RulesError`` for a bad override.
    """
    from geo.reference_files import load_reference_from
    from geo.colour_model import ColourModelError, load_colour_model
    from geo.rules_files import (RulesError, load_area_params_from, load_pipeline_params_from, load_ruleset_from,
                                 load_siting_policy_from)

    reference = load_reference_from(reference_dir)
    base = load_ruleset_from(rules_dir)
    try:
        rules = base.with_overrides(overrides)
    except ValueError as exc:
        raise RulesError(f"[rules.overrides] {exc}") from None
    from dataclasses import replace

    rules = replace(rules, version=overrides_version(base.version, overrides))
    try:
        model = load_colour_model(rules_dir)
    except ColourModelError as exc:
        raise RulesError(str(exc)) from None
    vocabulary = Vocabulary(tuple(Colour(c.code, c.label, c.hex) for c in model.colours))
    consequence = None
    if (rules_dir / "consequence").is_dir():
        from geo.consequence.tables import ConsequenceDataError, load_consequence_tables

        try:
            consequence = load_consequence_tables(rules_dir / "consequence")
        except ConsequenceDataError as exc:
            raise RulesError(str(exc)) from None
    return Domain(reference=reference, rules=rules, colour_model=model,
                  pipeline=load_pipeline_params_from(rules_dir), area=load_area_params_from(rules_dir),
                  siting=load_siting_policy_from(rules_dir, facility_types=rules.facility_classes),
                  vocabulary=vocabulary,
                  versions=Versions(reference.version, rules.version, model.version),
                  waste=_waste(reference_dir, rules_dir), consequence=consequence,
                  assessment=_assessment_rules(reference_dir, rules_dir),
                  transport=_transport(reference_dir, rules_dir))


def _transport(reference_dir: Path, rules_dir: Path):
    """The transport wing's rules, when the data directory has them (a trimmed test directory may not)."""
    if not (rules_dir / "transport_checks.toml").is_file():
        return None
    from geo.transport.rules import load_transport_rules

    return load_transport_rules(rules_dir, reference_dir)


def _assessment_rules(reference_dir: Path, rules_dir: Path):
    from geo.assessment_rules import load_assessment_rules
    from geo.rules_files import RulesError

    try:
        return load_assessment_rules(reference_dir, rules_dir)
    except ValueError as exc:
        raise RulesError(str(exc)) from None


def _waste(reference_dir: Path, rules_dir: Path):
    from geo.rules_files import RulesError
    from geo.waste.data import load_waste_data
    from geo.waste.files import WasteDataError

    try:
        return load_waste_data(reference_dir, rules_dir)
    except WasteDataError as exc:
        raise RulesError(str(exc)) from None

"""Wiring between the SQL engine and the pure domain modules.

The engine calls these small functions; they bind the domain functions to the loaded
reference tables, rules and model (loaded once by :mod:`etl.reference` / :mod:`etl.rules` —
the file I/O stays there) and to a deployment's rule overrides from its settings.
"""

from __future__ import annotations

import datetime as dt
from functools import lru_cache

from geo import area_risk, major_hazard, pipelines, risk_color, separation
from geo.accidents import AccidentCounts
from geo.colour_model import ColourModel, load_colour_model


def reference():
    from etl.reference import load_reference

    return load_reference()


def model() -> dict:
    from etl.rules import load_model

    return load_model()


@lru_cache(maxsize=1)
def colour_model() -> ColourModel:
    from etl.rules import DEFAULT_DIR

    return load_colour_model(DEFAULT_DIR)


@lru_cache(maxsize=16)
def _ruleset(overrides_key: str):
    import json

    from etl.rules import load_ruleset

    return load_ruleset().with_overrides(json.loads(overrides_key))


def ruleset(settings):
    import json

    overrides = list(getattr(settings, "rules_overrides", ()) or ())
    return _ruleset(json.dumps(overrides, sort_keys=True, ensure_ascii=False))


def versions() -> dict:
    m = model()
    return {"reference": reference().version, "rules": m["rules_version"], "model": m["model_version"]}


def assess(lines, *, exposed_people: float):
    return major_hazard.assess_unit(lines, exposed_people=exposed_people, tables=reference())


def assessment_json(a) -> dict:
    return {
        "S": a.S, "R": a.R if a.is_major else round(a.R, 3), "alpha": a.alpha,
        "exposed_people": a.exposed_people, "is_major": a.is_major, "grade": a.grade,
        "chemicals": [{"key": t.key, "name": t.name, "quantity_t": t.quantity_t,
                       "Q": t.critical_quantity_t, "Q_source": t.q_source, "beta": t.beta,
                       "beta_source": t.beta_source, "q_over_Q": round(t.ratio, 6)} for t in a.terms],
        "notes": list(a.notes),
    }


def hazard_types(chemicals) -> frozenset[str]:
    out = set()
    for c in chemicals:
        for cls in c.hazard_classes:
            if cls.startswith("J"):
                out.add("toxic")
            elif cls.startswith("W1"):
                out.add("explosive")
            else:
                out.add("flammable")
    return frozenset(out)


def source_profile(*, stages, facility_type, major_grade, chemicals, fire_classes):
    return separation.SourceProfile(facility_type=facility_type, stages=tuple(stages),
                                    major_hazard_grade=major_grade,
                                    hazard_types=hazard_types(chemicals),
                                    fire_classes=frozenset(fire_classes))


def requirements(profile, settings) -> dict:
    return separation.requirements(profile, ruleset(settings))


def facts(*, stages, major_grades, chemicals, in_chemical_park, conflicts, larger_accidents=None,
          fatal_accidents=None, major_hidden_dangers=None, standardisation_level=None,
          fire_classes=()):
    """The registry and engine results as :class:`geo.risk_color.DerivedFacts`.

    ``fire_classes``: one fire class per 甲/乙 site (每处); the refresh still passes one per class.
    """
    unique = {c.key: c for c in chemicals}.values()
    substances = risk_color.SubstanceCounts(
        explosive=sum(1 for c in unique if c.explosive),
        toxic_inhalation=sum(1 for c in unique if c.toxic_inhalation),
        key_supervised=sum(1 for c in unique if c.key_supervised and not c.explosive and not c.toxic_inhalation))
    accidents = None
    if larger_accidents is not None or fatal_accidents is not None:
        accidents = AccidentCounts(window_years=3, larger=larger_accidents, fatal=fatal_accidents)
    sites = tuple(risk_color.FireSite(str(i), c) for i, c in enumerate(sorted(fire_classes)))
    return risk_color.DerivedFacts(
        stages=tuple(stages), major_hazard_grades=tuple(major_grades), substances=substances, fire_sites=sites,
        in_chemical_park=in_chemical_park, external_distance_conflicts=conflicts, accidents=accidents,
        safety_standardisation_level=standardisation_level, major_hidden_dangers=major_hidden_dangers)


def grade(f) -> dict:
    r = risk_color.assess_enterprise(f, (), model=colour_model(), as_of=dt.date.today())
    return r.as_dict()


def area_index(members, *, exposed_people):
    return area_risk.area_index(members, exposed_people=exposed_people, params=model()["area"])


def impact_radius(*, diameter_mm, maop_mpa) -> float:
    p = model()["pipeline"]
    return pipelines.impact_radius_m(diameter_mm=diameter_mm, maop_mpa=maop_mpa,
                                     coefficient=p["impact_radius_coefficient"])


def hca_corridor_m() -> float:
    return model()["pipeline"]["corridor_m"]


def hca_grade(**kw):
    return pipelines.hca_grade(params=model()["pipeline"], **kw)

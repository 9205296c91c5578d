"""What the engine derives for one enterprise (or a candidate site) from its hazard units.

Shared by the refresh and the siting check so both describe a source the same way: the
GB 18218 result of each unit as stored/returned, the separation-rule profile of the source and
the facts the four-colour grading reads.  Pure: every table comes from the :class:`geo.domain.Domain`.
"""

from __future__ import annotations

from geo import major_hazard, risk_color, separation
from geo.accidents import AccidentCounts


def unit_result(lines, *, exposed_people: float, domain, conditions=None, exposure_basis: str = "counted") -> dict:
    """GB 18218 assessment of one unit as stored and returned: S, R, α, grade, per-chemical terms.
    ``conditions``: the unit's registered operating conditions (:class:`geo.major_hazard.ProcessConditions`,
    表2 W5.1/W5.2); None → the 常温常压 default, said in the notes.  ``exposure_basis`` says where
    ``exposed_people`` came from (geo.major_hazard.EXPOSURE_BASES)."""
    a = major_hazard.assess_unit(lines, exposed_people=exposed_people, tables=domain.reference,
                                 conditions=conditions, exposure_basis=exposure_basis)
    return {
        "S": a.S, "R": a.R if a.is_major else round(a.R, 3), "alpha": a.alpha,
        "exposed_people": a.exposed_people, "exposure_basis": a.exposure_basis,
        "is_major": a.is_major, "grade": a.grade,
        "chemicals": [{"key": t.key, "name": t.name, "quantity_t": t.quantity_t,
                       "Q": t.critical_quantity_t, "Q_source": t.q_source, "beta": t.beta,
                       "beta_source": t.beta_source, "q_over_Q": round(t.ratio, 6)} for t in a.terms],
        "notes": list(a.notes),
    }


def hazard_types(chemicals) -> frozenset[str]:
    """toxic / explosive / flammable from the chemicals' GB 18218 表2 classes (J → toxic, W1 → explosive)."""
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


def source_profile(*, stages, facility_type, major_grade, chemicals, fire_classes, sizes=None,
                   lines=(), domain=None, units=()) -> separation.SourceProfile:
    """What the separation rules need of a source.  ``sizes``: registered or declared numbers
    (``tank_volume_m3``, ``station_grade``, … of :data:`geo.separation.SOURCE_FIELDS`); with
    ``lines`` ((Chemical, quantity_t) stored) and ``domain``, the missing ones are derived from the
    quantities (:func:`geo.source_profile.with_derived_sizes`, lower bounds, said how).  ``units``
    (``(name, kind, tank_volume_m3, lines)`` per hazard unit) give the tank farms of a facility that is
    not itself a tank farm (:func:`geo.source_profile.tank_farms`)."""
    profile = separation.SourceProfile(facility_type=facility_type, stages=tuple(stages),
                                       major_hazard_grade=major_grade, hazard_types=hazard_types(chemicals),
                                       fire_classes=frozenset(fire_classes), **(sizes or {}))
    if lines and domain is not None:
        from geo.source_profile import with_derived_sizes

        profile = with_derived_sizes(profile, lines, ruleset=domain.rules, properties=domain.reference.properties)
    if units and domain is not None:
        from dataclasses import replace

        from geo.source_profile import tank_farms

        farms = tank_farms(units, facility_classes=separation.source_classes(profile, domain.rules),
                           ruleset=domain.rules, properties=domain.reference.properties)
        if farms:
            profile = replace(profile, tank_farms=farms)
    return profile


def colour_facts(*, stages, major_grades, chemicals, in_chemical_park, conflicts, larger_accidents=None,
                 fatal_accidents=None, major_accidents=None, fatal_accidents_1y=None, major_hidden_dangers=None,
                 standardisation_level=None, fire_sites=()) -> risk_color.DerivedFacts:
    """The facts the four-colour grading reads, from the registry and the engine's results.

    Accident counts, ``None`` = not registered: ``larger_accidents`` 三年内较大事故, ``fatal_accidents``
    三年内死亡（亡人一般）事故, ``major_accidents`` 三年内重大及以上事故, ``fatal_accidents_1y`` 近一年内亡人事故.

    ``fire_sites``: ``(unit key, fire class)`` of every hazard unit with a fire class (每处).
    """
    unique = {c.key: c for c in chemicals}.values()
    substances = risk_color.SubstanceCounts(
        explosive=sum(1 for c in unique if c.explosive),
        toxic_inhalation=sum(1 for c in unique if c.toxic_inhalation),
        key_supervised=sum(1 for c in unique if c.key_supervised and not c.explosive and not c.toxic_inhalation))
    accidents = None
    if any(v is not None for v in (larger_accidents, fatal_accidents, major_accidents, fatal_accidents_1y)):
        accidents = AccidentCounts(window_years=3, larger=larger_accidents, fatal=fatal_accidents,
                                   major=major_accidents, fatal_1y=fatal_accidents_1y)
    return risk_color.DerivedFacts(
        stages=tuple(stages), major_hazard_grades=tuple(major_grades), substances=substances,
        fire_sites=_sites(fire_sites),
        in_chemical_park=in_chemical_park, external_distance_conflicts=conflicts, accidents=accidents,
        safety_standardisation_level=standardisation_level, major_hidden_dangers=major_hidden_dangers)


def _sites(fire_sites) -> tuple:
    """The fire sites with their unit keys numbered 1, 2, … in key order: only "which sites are one"
    matters to the grading (每处), so enterprises alike in every other way get equal facts."""
    order = {k: str(i + 1) for i, k in enumerate(sorted({str(k) for k, _ in fire_sites}))}
    return tuple(sorted((risk_color.FireSite(order[str(k)], c) for k, c in fire_sites),
                        key=lambda s: (s.key, s.fire_class)))


def colour(facts, *, domain, as_of, assessed=(), extra_reasons=()) -> dict:
    """The four colours of one enterprise; ``extra_reasons`` (a wing's local refinement, e.g. waste
    findings, each ``{code, text, points, category}`` marked local policy) are added to the score."""
    return risk_color.assess_enterprise(facts, assessed, model=domain.colour_model, as_of=as_of,
                                        extra_reasons=extra_reasons).as_dict()

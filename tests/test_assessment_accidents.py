"""Accidents in the guide's own windows: 3 years for 重大/较大, 1 year for two fatal accidents, 5 years for the bonus."""

import datetime as dt
from pathlib import Path

import pytest

from geo.accidents import AccidentCounts, AccidentHistory, AccidentRecord, count_in_window, years_before
from geo.colour_model import load_colour_model
from geo.risk_color import DerivedFacts, SubstanceCounts, assess_enterprise

ROOT = Path(__file__).resolve().parent.parent
AS_OF = dt.date(2026, 11, 28)
SINCE = dt.date(2019, 1, 1)  # the record is complete from here: every window below is fully covered


@pytest.fixture(scope="module")
def model():
    return load_colour_model(ROOT / "data" / "rules")


def _grade(model, accidents):
    f = DerivedFacts(stages=("production",), major_hazard_grades=(), substances=SubstanceCounts(), fire_sites=(),
                     in_chemical_park=True, external_distance_conflicts=0, accidents=accidents)
    return assess_enterprise(f, model=model, as_of=AS_OF)


def _dr(r):
    found = {d.code: "met" for d in r.direct_red} | {d.code: "unevaluated" for d in r.direct_red_unevaluated}
    return found.get("DR_ACCIDENTS", "not_met")


def test_two_fatal_accidents_within_one_year_are_direct_red(model):
    h = AccidentHistory((AccidentRecord(dt.date(2026, 3, 1), "一般", 1), AccidentRecord(dt.date(2026, 9, 20), "一般", 2)),
                        complete_since=SINCE)
    r = _grade(model, h)
    assert _dr(r) == "met" and r.risk_color == "red"
    assert "一年内亡人一般事故 2 起" in r.reasons[0].text
    # deduction: 2 fatal accidents × −8 = −16 → capped at 10 → 90 (still red by the condition)
    acc = next(x for x in r.reasons if x.code == "ACCIDENTS")
    assert acc.points == -10 and "死亡 3 人" in acc.text


def test_the_same_two_spread_over_three_years_are_not(model):
    h = AccidentHistory((AccidentRecord(dt.date(2024, 2, 1), "一般", 1), AccidentRecord(dt.date(2026, 9, 20), "一般", 2)),
                        complete_since=SINCE)
    r = _grade(model, h)
    # within one year: only the 2026-09-20 accident (2025-11-28 < d ≤ 2026-11-28) → 1 < 2 → not met
    assert _dr(r) == "not_met" and not r.direct_red
    assert r.risk_color != "red"
    assert next(x.points for x in r.reasons if x.code == "ACCIDENTS") == -10  # both within three years


def test_three_year_counts_leave_the_one_year_condition_unevaluated(model):
    r = _grade(model, AccidentCounts(major=0, larger=0, fatal=2, social_impact=0))
    assert _dr(r) == "unevaluated" and not r.direct_red and r.risk_color_worst == "red"
    text = next(d.text for d in r.direct_red_unevaluated if d.code == "DR_ACCIDENTS")
    assert "一年内亡人一般事故" in text and "至多 2 起" in text


def test_a_three_year_count_below_the_threshold_settles_the_one_year_condition(model):
    # one fatal accident in three years cannot be two within one
    r = _grade(model, AccidentCounts(major=0, larger=1, fatal=1, social_impact=0))
    assert _dr(r) == "not_met"


def test_a_registered_one_year_count_settles_what_three_year_counts_cannot(model):
    # 2 fatal in three years, of them 0 / 2 in the last year (the registry's 一年内亡人事故)
    assert _dr(_grade(model, AccidentCounts(major=0, larger=0, fatal=2, fatal_1y=0, social_impact=0))) == "not_met"
    r = _grade(model, AccidentCounts(major=0, larger=0, fatal=2, fatal_1y=2, social_impact=0))
    assert _dr(r) == "met" and r.risk_color == "red" and "一年内亡人一般事故 2 起" in r.reasons[0].text
    # the one-year count alone bounds the three-year one from below: 2 in the last year → red
    assert _dr(_grade(model, AccidentCounts(major=0, larger=0, fatal_1y=2))) == "met"
    assert count_in_window(AccidentCounts(fatal_1y=1), kind="fatal", window_years=3, as_of=AS_OF) == \
        type(count_in_window(None, kind="fatal", window_years=3, as_of=AS_OF))(1, None)
    with pytest.raises(ValueError):
        AccidentCounts(fatal=1, fatal_1y=2)  # one year is inside three


@pytest.mark.parametrize("counts, expected", [
    (AccidentCounts(major=1), "met"),
    (AccidentCounts(larger=2), "met"),
    (AccidentCounts(larger=1, fatal=0, major=0), "not_met"),
    (AccidentCounts(larger=1, fatal=0), "unevaluated"),  # 重大 not registered
])
def test_three_year_conditions_from_counts(model, counts, expected):
    assert _dr(_grade(model, counts)) == expected


def test_incomplete_records_give_lower_bounds(model):
    # complete only since 2025-06-01: the three-year window (from 2023-11-29) is not covered
    partial = AccidentHistory((), complete_since=dt.date(2025, 6, 1))
    assert _dr(_grade(model, partial)) == "unevaluated"
    # … but a 重大 accident on record is enough, whatever is missing
    major = AccidentHistory((AccidentRecord(dt.date(2025, 8, 1), "重大", 12),), complete_since=dt.date(2025, 6, 1))
    assert _dr(_grade(model, major)) == "met"


def test_window_edges_and_leap_days():
    rec = (AccidentRecord(dt.date(2023, 11, 28), "较大", 3), AccidentRecord(dt.date(2023, 11, 29), "较大", 4),
           AccidentRecord(dt.date(2026, 12, 1), "较大", 3))  # the last one is after as_of
    h = AccidentHistory(rec, complete_since=SINCE)
    # "三年内" as of 2026-11-28 is (2023-11-28, 2026-11-28]: only the 2023-11-29 accident counts
    b = count_in_window(h, kind="larger", window_years=3, as_of=AS_OF)
    assert (b.low, b.high) == (1, 1)
    assert years_before(dt.date(2028, 2, 29), 1) == dt.date(2027, 2, 28)


def test_five_accident_free_years_earn_the_bonus_only_from_complete_records(model):
    clean = _grade(model, AccidentHistory((), complete_since=dt.date(2021, 1, 1)))
    assert next(x.points for x in clean.reasons if x.code == "ACCIDENT_FREE_5Y") == 5
    # registry counts cover three years only: the bonus stays 未评估
    counts = _grade(model, AccidentCounts(major=0, larger=0, fatal=0, social_impact=0))
    assert "五年内无事故（加分）" in counts.not_assessed


def test_a_no_casualty_accident_without_the_social_impact_flag_is_not_guessed(model):
    h = AccidentHistory((AccidentRecord(dt.date(2026, 5, 5), "一般", 0),), complete_since=SINCE)
    r = _grade(model, h)
    perf = next(i for i in r.items if i.code == "PERFORMANCE")
    assert perf.status == "unassessed" and perf.worst_points == -10
    flagged = AccidentHistory((AccidentRecord(dt.date(2026, 5, 5), "一般", 0, social_impact=True),), complete_since=SINCE)
    assert next(x.points for x in _grade(model, flagged).reasons if x.code == "ACCIDENTS") == -5


@pytest.mark.parametrize("kw", [{"level": "特大"}, {"fatalities": -1}])
def test_bad_records_raise(kw):
    with pytest.raises(ValueError):
        AccidentRecord(**{"date": dt.date(2026, 1, 1), "level": "一般", **kw})

"""Waste findings as four-colour reasons: shape, points from the rules file, caps, and the effect on a
waste site's colour."""

from pathlib import Path

import pytest

import datetime as dt

from geo.colour_model import load_colour_model
from geo.risk_color import DerivedFacts, assess_enterprise
from geo.waste.colour import colour_reasons
from geo.waste.findings import Finding
from geo.waste.rules import load_waste_rules

RULES_DIR = Path(__file__).resolve().parents[1] / "data" / "rules"
RULES = load_waste_rules(RULES_DIR).colour


def f(code, text="…"):
    return Finding(code, "A", text=text, rule="r")


def test_reason_shape_and_points():
    found = [f("WASTE_OVER_CAPACITY", "在库 2.1 t 超过 1.5 t"), f("WASTE_LONG_STORED", "900-041-49 已贮存 537 天"),
             f("WASTE_LICENCE_UNKNOWN")]
    reasons = colour_reasons(found, rules=RULES)
    # one reason per code, in the order of FINDING_TITLES; points from waste_manifest.toml
    assert [(r["code"], r["points"]) for r in reasons] == [("WASTE_LONG_STORED", -12.0), ("WASTE_OVER_CAPACITY", -5.0),
                                                           ("WASTE_LICENCE_UNKNOWN", 0.0)]
    for r in reasons:
        assert set(r) == {"code", "text", "points", "category"}
        assert r["category"] == "危险废物管理（本地细化）" and "本地政策" in r["text"] and "本地政策：本地政策" not in r["text"]
    assert "超期贮存 1 项：900-041-49 已贮存 537 天" in reasons[0]["text"]


def test_per_code_cap():
    # 2 long-stored codes: 2 × −12 = −24, capped at −20
    (r,) = colour_reasons([f("WASTE_LONG_STORED"), f("WASTE_LONG_STORED")], rules=RULES)
    assert r["points"] == -20.0 and "本项最多扣20分" in r["text"] and "超期贮存 2 项" in r["text"]


def test_total_cap():
    # long stored −20 (2 × −12 capped) + licence scope 2 × −8 = −16 → total −36 > 30: the second reason gives −10
    reasons = colour_reasons([f("WASTE_LONG_STORED")] * 2 + [f("WASTE_LICENCE_SCOPE")] * 2, rules=RULES)
    assert [r["points"] for r in reasons] == [-20.0, -10.0]
    assert "危险废物各项合计最多扣30分" in reasons[1]["text"]


def test_texts_beyond_three_are_counted():
    (r,) = colour_reasons([f("WASTE_MANIFEST_OPEN", f"联单{i}") for i in range(5)], rules=RULES)
    assert "联单0；联单1；联单2等 5 项" in r["text"] and "联单3" not in r["text"]
    assert r["points"] == -6.0  # 5 × −2 = −10, capped at −6


def test_long_stored_stock_takes_a_waste_site_out_of_blue():
    model = load_colour_model(RULES_DIR)
    base = assess_enterprise(DerivedFacts(stages=("waste",), external_distance_conflicts=0), model=model,
                             as_of=dt.date(2026, 11, 28))
    assert base.variant and base.risk_score == 100.0 and base.risk_color == "blue"  # nothing known against it
    extra = colour_reasons([f("WASTE_LONG_STORED")], rules=RULES)
    score = base.risk_score + sum(r["points"] for r in extra)
    assert score == 88.0 and model.colour_for(score) == "yellow"  # 100 − 12 = 88 < 90 (蓝 ≥ 90)


def test_no_findings_no_reasons():
    assert colour_reasons([], rules=RULES) == []


def test_unknown_finding_code_is_refused():
    with pytest.raises(ValueError, match="未知的危险废物问题代码"):
        Finding("WASTE_SOMETHING", "A", text="", rule="")

"""Area risk index (local method, data/rules/area_risk.toml)."""

import math

import pytest

from geo.area_risk import area_index
from geo.rules_files import load_area_params_from
from hazmap.domain import data_dir
from tests.helpers import domain


@pytest.fixture(scope="module")
def params():
    return load_area_params_from(data_dir("rules"))


def test_params_file_is_local_policy_and_is_what_the_engine_uses(params):
    assert params["status"] == "local_policy" and "非国家标准" in params["source"]
    assert params["weights"] == {"red": 10.0, "orange": 4.0, "yellow": 1.0, "blue": 0.2}
    assert (params["red"], params["orange"], params["yellow"], params["people_scale"]) == (40.0, 20.0, 8.0, 1000.0)
    assert domain().area == params  # the engine sees the same numbers


def test_example(params):
    # red with a grade-1 major hazard (10 + 4) + yellow (1) + blue (0.2) = 15.2; 5000 people exposed
    # → 15.2 × (1 + log10(6)) = 27.028 → 橙 (20 ≤ index < 40)
    idx, colour, counts = area_index([("red", 1), ("yellow", None), ("blue", None)], exposed_people=5000,
                                     params=params)
    assert idx == pytest.approx(15.2 * (1 + math.log10(6)), abs=1e-3) and idx == pytest.approx(27.028, abs=1e-3)
    assert colour == "orange"
    assert counts == {"red": 1, "orange": 0, "yellow": 1, "blue": 1, "major_hazards": 1}


def test_thresholds(params):
    assert area_index([], exposed_people=100000, params=params)[:2] == (0.0, "blue")
    assert area_index([("red", None)] * 4, exposed_people=0, params=params)[:2] == (40.0, "red")
    assert area_index([("orange", None)] * 5, exposed_people=0, params=params)[:2] == (20.0, "orange")
    assert area_index([("yellow", None)] * 8, exposed_people=0, params=params)[:2] == (8.0, "yellow")
    assert area_index([("yellow", None)] * 7, exposed_people=0, params=params)[1] == "blue"
    # people raise the index: 7 yellow with 1000 people → 7 × (1 + log10 2) ≈ 9.107 → yellow
    assert area_index([("yellow", None)] * 7, exposed_people=1000, params=params)[1] == "yellow"


@pytest.mark.parametrize("ents, people", [([("purple", None)], 0), ([("red", 5)], 0), ([], -1),
                                          ([], float("nan"))])
def test_bad_input(ents, people, params):
    with pytest.raises(ValueError):
        area_index(ents, exposed_people=people, params=params)

"""Pipeline potential impact radius and GB 32167 high-consequence-area grading."""

import math

import pytest

from geo.pipelines import hca_grade, impact_radius_m, location_class
from geo.rules_files import load_pipeline_params_from
from hazmap.domain import data_dir
from tests.helpers import domain


@pytest.fixture(scope="module")
def params():
    return load_pipeline_params_from(data_dir("rules"))


def test_params_file_marks_status_and_matches_defaults(params):
    assert params["status"] == "uncertain" and "GB 32167-2015" in params["source"]
    assert params["number_status"]["impact_radius_coefficient"] == "uncertain"
    assert params["impact_radius_coefficient"] == 0.099 and params["corridor_m"] == 200.0
    assert domain().pipeline == params  # the engine sees the same numbers


def test_impact_radius_610mm_10mpa(params):
    r = impact_radius_m(diameter_mm=610, maop_mpa=10, coefficient=params["impact_radius_coefficient"])
    assert r == pytest.approx(0.099 * math.sqrt(610 ** 2 * 10)) and r == pytest.approx(190.96, abs=0.01)
    assert impact_radius_m(diameter_mm=610, maop_mpa=10, coefficient=0.1) == pytest.approx(192.9, abs=0.01)
    with pytest.raises(ValueError):
        impact_radius_m(diameter_mm=0, maop_mpa=10, coefficient=0.099)


def school(d, **kw):
    return {"category": "school", "name": "城区小学", "distance_m": d, **kw}


def test_gas_large_line_special_site_in_r_is_grade2(params):
    g, why = hca_grade(medium="gas", diameter_mm=813, maop_mpa=10, targets=[school(150)], params=params)
    assert g == 2 and "Ⅱ级" in why[0] and "城区小学" in why[0]
    # r(813, 10) ≈ 254.5 m: a school at 300 m is outside r → not graded by the large-line rule
    assert hca_grade(medium="gas", diameter_mm=813, maop_mpa=10, targets=[school(300)], params=params) == (None, [])


def test_gas_small_line_special_site_in_r_is_grade1(params):
    r = impact_radius_m(diameter_mm=219, maop_mpa=1.2, coefficient=0.099)  # ≈ 23.7 m
    assert hca_grade(medium="gas", diameter_mm=219, maop_mpa=1.2, targets=[school(20)], params=params)[0] == 1
    assert hca_grade(medium="gas", diameter_mm=219, maop_mpa=1.2, targets=[school(r + 5)], params=params)[0] is None


def test_gas_other_line_special_site_within_200m_is_grade1(params):
    g, why = hca_grade(medium="gas", diameter_mm=610, maop_mpa=6.3, targets=[school(180)], params=params)
    assert g == 1 and "200 m" in why[0]
    assert hca_grade(medium="gas", diameter_mm=610, maop_mpa=6.3, targets=[school(250)], params=params)[0] is None


def test_gas_location_classes(params):
    homes = [{"category": "residential", "households": 60, "distance_m": 100},
             {"category": "residential", "households": 50, "distance_m": 150}]
    g, why = hca_grade(medium="gas", diameter_mm=610, maop_mpa=6.3, targets=homes, params=params)
    assert g == 2 and "三级地区" in why[0]
    tall = [{"category": "residential", "households": 120, "storeys": 6, "distance_m": 80}]
    assert hca_grade(medium="gas", diameter_mm=610, maop_mpa=6.3, targets=tall, params=params)[0] == 3
    assert location_class(homes[:1], params=params)[0] == 2
    # GB 50251 §4.2.2: ≤ 15 户 一级, 15 < n < 100 二级 — the boundary read from pipeline_hca.toml
    at = lambda n, p=params: location_class([{"category": "residential", "households": n, "distance_m": 10}], params=p)
    assert at(15)[0] == 1 and "≤15户" in at(15)[1] and at(16)[0] == 2
    assert at(16, {**params, "class1_max_households": 20})[0] == 1  # one copy of the number: the file's
    assert hca_grade(medium="gas", diameter_mm=610, maop_mpa=6.3, targets=[], location_class=4,
                     params=params)[0] == 3
    flam = [{"category": "flammable_site", "name": "加油站", "distance_m": 120}]
    assert hca_grade(medium="gas", diameter_mm=610, maop_mpa=6.3, targets=flam, params=params)[0] == 2


def test_oil_lines(params):
    def g(targets, **kw):
        return hca_grade(medium="oil", diameter_mm=273, maop_mpa=8, targets=targets, params=params, **kw)[0]

    assert g([{"category": "residential", "households": 55, "distance_m": 150}]) == 2  # village ≥50 户
    assert g([{"category": "residential", "households": 30, "distance_m": 150}]) is None
    assert g([{"category": "residential", "households": 55, "distance_m": 250}]) is None  # outside 200 m
    assert g([{"category": "residential", "households": 60, "distance_m": 50},
              {"category": "residential", "households": 45, "distance_m": 90}]) == 2  # ≥100 户 三级地区
    assert g([{"category": "residential", "households": 150, "storeys": 5, "distance_m": 50}]) == 3
    assert g([{"category": "expressway", "distance_m": 40}]) == 1
    assert g([{"category": "railway", "distance_m": 60}]) is None  # only within 50 m
    assert g([{"category": "river", "name": "沁河", "distance_m": 180}]) == 3
    assert g([{"category": "wetland", "distance_m": 180}]) == 2
    assert g([school(30)]) is None  # 特定场所 are a gas-line criterion


def test_unknown_medium_and_class_rejected(params):
    with pytest.raises(ValueError):
        hca_grade(medium="water", diameter_mm=273, maop_mpa=8, targets=[], params=params)
    with pytest.raises(ValueError):
        hca_grade(medium="gas", diameter_mm=273, maop_mpa=8, targets=[], location_class=5, params=params)

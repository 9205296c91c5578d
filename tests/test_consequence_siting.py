"""The siting check's consequence tier: the same models on a candidate's inventory, targets in each
zone and contour with people counted, GB 36894 checks on the new-installation column."""

from __future__ import annotations

import pytest
import sqlalchemy as sa

from geo.consequence import assess
from geo.consequence.scenarios import HazardUnitInput, InventoryItem
from geo.consequence.screening import screen_unit
from geo.postgis.consequence import consequence_findings
from geo.postgis.siting import parse_inventory
from hazmap.db.session import get_engine
from tests.helpers import domain
from tests.test_consequence_refresh import GEOD, LAT, LON, _east, _step_models


def _targets(conn, rows):
    for key, name, category, cls, pop, metres in rows:
        conn.execute(sa.text("""
            insert into protection_target (target_key, name, category, gb36894_class, population, geom)
            values (:k, :n, :c, :cls, :p, ST_SetSRID(ST_MakePoint(:lon, :lat), 4326))"""),
            {"k": key, "n": name, "c": category, "cls": cls, "p": pop, "lon": _east(metres), "lat": LAT})


def test_targets_inside_zones_with_people(fresh_db_url):
    d = domain()
    unit = HazardUnitInput("x", LON, LAT, "wgs84", (InventoryItem("T1-57", "苯", "71-43-2", 200.0),), "new")
    heat = next(z for z in screen_unit(unit, tables=d.consequence).zones if z.endpoint == "heat_5kw")
    with get_engine(fresh_db_url).begin() as conn:
        _targets(conn, [("in", "近处小学", "school", "高敏感", 120, heat.distance_m / 2),
                        ("in2", "近处住户", "residential", None, None, heat.distance_m * 0.8),
                        ("out", "远处村庄", "residential", "一般一类", 300, heat.distance_m * 2)])
        units = parse_inventory([{"chemical": "苯", "quantity_t": 200}], d.reference.catalogue)
        res = consequence_findings(conn, {"lon": LON, "lat": LAT, "units": units}, d)
    [u] = res["units"]
    z = next(z for z in u["threat_zones"] if z["endpoint"] == "heat_5kw")
    assert z["distance_m"] == pytest.approx(heat.distance_m, abs=0.1)
    assert [t["name"] for t in z["targets"]] == ["近处小学", "近处住户"]
    assert z["people"] == 120 and z["people_unknown"] == 1  # the house has no population registered
    assert z["targets"][0]["distance_m"] == pytest.approx(heat.distance_m / 2, abs=0.5)
    assert u["installation"] == "new" and u["scenarios"] > 0 and res["crs"] == "EPSG:4326"


def test_contours_and_checks_use_the_new_installation_criterion(fresh_db_url, monkeypatch):
    monkeypatch.setattr(assess, "unit_models", _step_models)
    d = domain()
    with get_engine(fresh_db_url).begin() as conn:
        # IR = 2e-5/a within 200 m (the step stand-in): a 一般三类 house at 150 m meets the existing-plant
        # criterion 3e-5 but not the new-installation one 1e-5; a school at 300 m is outside every contour
        _targets(conn, [("house", "散户", "residential", "一般三类", 5, 150.0),
                        ("school", "小学", "school", "高敏感", 300, 300.0)])
        # 氢 10 t (S = 2, a flammable gas): the QRA decides
        units = parse_inventory([{"chemical": "氢", "quantity_t": 10}], d.reference.catalogue)
        res = consequence_findings(conn, {"lon": LON, "lat": LAT, "units": units}, d)
    [u] = res["units"]
    assert u["method"] == "qra" and u["gas_s"] == pytest.approx(2.0)
    by = {c["level_per_year"]: c for c in u["contours"]}
    assert by[3e-5]["targets"] == [] and [t["name"] for t in by[1e-5]["targets"]] == ["散户"]
    assert by[3e-7]["people"] == 5
    [check] = u["checks"]  # only the house is within the 200 m reach
    assert check["criterion_per_year"] == 1e-5 and not check["met"]
    assert check["required_m"] == pytest.approx(200.0, abs=0.5)
    assert res["status"] == "not_met" and "GB 36894" in res["text"]
    assert GEOD.inv(LON, LAT, _east(150.0), LAT)[2] == pytest.approx(150.0)


def test_the_siting_check_runs_the_consequence_tier_when_asked(fresh_db_url, monkeypatch):
    """Issue 17: the siting check uses the threat zones and IR checks (opt-in: 10–30 s for a real unit)."""
    from geo.postgis.siting import SitingArea, check_site

    monkeypatch.setattr(assess, "unit_models", _step_models)
    d = domain()
    area = SitingArea("晋城市城区", (112.70, 35.38, 113.00, 35.66), 1000.0)
    # a 一般三类 house 175 m east: beyond the 150 m the separation rules require of this storage for housing
    # (S-flammable-4-res), but inside the stand-in's 200 m where IR = 2e-5/a exceeds the new-installation 1e-5/a
    with get_engine(fresh_db_url).begin() as conn:
        _targets(conn, [("house", "散户", "residential", "一般三类", 5, 175.0)])
    body = {"location": {"lon": LON, "lat": LAT, "crs": "wgs84"}, "facility_type": "危化品仓库", "stage": "storage",
            "inventory": [{"chemical": "氢", "quantity_t": 10, "unit": "storage"}]}
    with get_engine(fresh_db_url).connect() as conn:
        plain = check_site(conn, body, d, area=area)
        asked = check_site(conn, {**body, "consequence": True}, d, area=area)
    assert plain["consequence"]["status"] == "not_requested"
    assert plain["method"]["code"] == "qra"  # Σq/Q = 2 ≥ 1 of a flammable gas: the QRA decides, not computed
    assert any("未计算后果与个人风险" in c for c in plain["verdict"]["caveats"])
    assert asked["consequence"]["status"] == "not_met" and "GB 36894" in asked["consequence"]["text"]
    [u] = asked["consequence"]["units"]
    assert [c["name"] for c in u["checks"] if not c["met"]] == ["散户"]
    assert asked["conflicts"] == []  # the individual risk alone makes the shortfall
    assert asked["verdict"]["decision"] == "shortfall" and asked["verdict"]["rule"] == "GB 36894-2018"
    assert plain["verdict"]["decision"] == "no_shortfall_found"

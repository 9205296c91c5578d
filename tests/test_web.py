"""Flask client tests for every page and API endpoint, on the demo database."""

from __future__ import annotations

from tests.helpers import as_user

import re

import pytest
from html.parser import HTMLParser


def test_pages_are_chinese_offline_and_small(demo_app):
    c = demo_app.test_client()
    for path, title in [("/", "危险化学品安全风险分布图"), ("/siting", "选址核查"), ("/dashboard", "统计看板")]:
        r = c.get(path)
        assert r.status_code == 200
        html = r.get_data(as_text=True)
        assert title in html and 'lang="zh-CN"' in html
        assert len(r.data) < 500_000
        refs = re.findall(r'(?:src|href)="([^"]+)"', html)
        assert refs and all((u.startswith("/") and not u.startswith("//")) or u == "data:," for u in refs), refs
        assert "cdn." not in html and "unpkg" not in html and "googleapis" not in html
        for u in refs:
            if u.startswith("/static/"):
                with c.get(u) as asset:
                    assert asset.status_code == 200, u


def test_map_page_does_not_inline_features(demo_app):
    html = demo_app.test_client().get("/").get_data(as_text=True)
    assert "FeatureCollection" not in html and len(html) < 20_000


def test_enterprises_filters_paging_bbox(demo_app):
    c = demo_app.test_client()
    fc = c.get("/api/v1/enterprises?limit=5").get_json()
    assert fc["type"] == "FeatureCollection" and fc["numberReturned"] == 5 and fc["numberMatched"] >= 150
    p = fc["features"][0]["properties"]
    for key in ("id", "name", "credit_code", "stages", "town", "department", "risk_color", "risk_score",
                "reasons", "major_hazard_grade", "data_as_of"):
        assert key in p
    assert "crs" not in fc and "WGS-84" in fc["crs_note"]
    page2 = c.get("/api/v1/enterprises?limit=5&offset=5").get_json()
    assert {f["id"] for f in page2["features"]}.isdisjoint({f["id"] for f in fc["features"]})
    red = c.get("/api/v1/enterprises?risk=red,orange&limit=500").get_json()
    assert red["features"] and all(f["properties"]["risk_color"] in ("red", "orange") for f in red["features"])
    trans = c.get("/api/v1/enterprises?stage=运输&limit=500").get_json()
    assert trans["features"] and all("transport" in f["properties"]["stages"] for f in trans["features"])
    town = c.get("/api/v1/enterprises?town=开发区街道&limit=500").get_json()
    assert town["features"] and all(f["properties"]["town"] == "开发区街道" for f in town["features"])
    box = c.get("/api/v1/enterprises?bbox=112.84,35.49,112.86,35.51&limit=500").get_json()
    assert all(112.84 <= f["geometry"]["coordinates"][0] <= 112.86 for f in box["features"])
    assert box["numberMatched"] < fc["numberMatched"]
    q = c.get("/api/v1/enterprises?q=加油站&limit=500").get_json()
    assert q["features"] and all("加油站" in f["properties"]["name"] for f in q["features"])


@pytest.mark.parametrize("query, field", [
    ("risk=purple", "risk"), ("bbox=1,2,3", "bbox"), ("bbox=0,0,90,60", "bbox"), ("limit=abc", "limit"),
    ("limit=100000", "limit"), ("offset=-1", "offset"), ("stage=飞行", "stage"),
])
def test_bad_parameters_are_400_naming_the_field(demo_app, query, field):
    r = demo_app.test_client().get("/api/v1/enterprises?" + query)
    assert r.status_code == 400 and r.get_json()["error"]["field"] == field


@pytest.mark.parametrize("value", ["' or 1=1 --", "1); drop table enterprise; --", "%", "_"])
def test_sql_injection_strings_change_nothing(demo_app, value):
    c = demo_app.test_client()
    before = c.get("/api/v1/enterprises?limit=1").get_json()["numberMatched"]
    for param in ("town", "department", "q", "category"):
        r = c.get(f"/api/v1/enterprises?{param}={value}")
        assert r.status_code in (200, 400)
    assert c.get("/api/v1/enterprises?limit=1").get_json()["numberMatched"] == before
    assert c.get(f"/api/v1/enterprises?q={value}").get_json()["numberMatched"] in (0, before)


def test_enterprise_detail_and_404(demo_app):
    c = demo_app.test_client()
    hu = c.get("/api/v1/hazard-units?grade=1").get_json()
    assert hu["features"] and all(f["properties"]["grade"] == 1 for f in hu["features"])
    eid = hu["features"][0]["properties"]["enterprise_id"]
    f = c.get(f"/api/v1/enterprises/{eid}").get_json()
    units = f["properties"]["hazard_units"]
    assert units and units[0]["inventory"] and "S" in units[0]
    # the item's properties have the list's types: a count, and the list under its own name
    assert isinstance(f["properties"]["conflicts"], int) and isinstance(f["properties"]["conflict_list"], list)
    assert f["properties"]["conflicts"] == len(f["properties"]["conflict_list"])
    r = c.get("/api/v1/enterprises/999999")
    assert r.status_code == 404 and "不存在" in r.get_json()["error"]["message"]


def test_targets_conflicts_areas_pipelines_stats_runs(demo_app):
    c = demo_app.test_client()
    schools = c.get("/api/v1/targets?category=school&limit=500").get_json()
    assert schools["features"] and all(f["properties"]["category"] == "school" for f in schools["features"])
    conf = c.get("/api/v1/conflicts?limit=500").get_json()
    assert conf["features"]
    p = conf["features"][0]["properties"]
    assert p["deficit_m"] == pytest.approx(p["required_m"] - p["distance_m"], abs=0.11)
    assert conf["features"][0]["geometry"]["type"] == "LineString"
    # per-target view from the same data
    tid = p["target_id"]
    t = c.get(f"/api/v1/targets/{tid}").get_json()
    assert any(s["enterprise_id"] == p["enterprise_id"] for s in t["properties"]["sources"])
    towns = c.get("/api/v1/areas?level=town").get_json()
    assert len(towns["features"]) == 9 and all(f["properties"]["risk_color"] for f in towns["features"])
    assert c.get("/api/v1/areas?level=grid").get_json()["features"]
    assert c.get("/api/v1/areas?level=county").status_code == 400
    pl = c.get("/api/v1/pipelines").get_json()
    assert len(pl["features"]) == 2 and {"medium", "diameter_mm", "maop_mpa", "hca_segments"} <= set(pl["features"][0]["properties"])
    s = c.get("/api/v1/stats").get_json()
    # no demo enterprise is red until the demo ships assessments: its only red was the 1-year
    # fatal-accident condition misread on a 3-year count (issue 12)
    assert {"orange", "yellow", "blue"} <= set(s["by_colour"]) <= {"red", "orange", "yellow", "blue"}
    assert sum(s["by_colour"].values()) >= 150 and s["by_town"] and s["by_department"] and s["by_stage"]
    runs = c.get("/api/v1/runs").get_json()["runs"]
    assert runs and runs[0]["status"] == "succeeded" and "enterprises" in runs[0]["counts"]


def test_siting_endpoint(demo_app):
    c = demo_app.test_client()
    r = c.post("/api/v1/siting/check", json={"location": {"lon": 112.85, "lat": 35.50, "crs": "wgs84"}, "facility_type": "危化品仓库", "stage": "storage",
                                              "inventory": [{"chemical": "液氯", "quantity_t": 20, "unit": "storage"}]})
    assert r.status_code == 200
    body = r.get_json()
    assert body["verdict"]["decision"] in ("shortfall", "no_shortfall_found") and body["units"][0]["S"] == pytest.approx(4.0)
    bad = c.post("/api/v1/siting/check", data="not json", content_type="application/json")
    assert bad.status_code == 400
    bad = c.post("/api/v1/siting/check", json={"location": {"lon": 112.85, "lat": 35.5}, "facility_type": "危化品仓库", "stage": "storage", "inventory": [{"chemical": "X", "quantity_t": 1}]})
    assert bad.status_code == 400 and bad.get_json()["error"]["field"] == "inventory[0].chemical"


def test_feasible_zone_for_a_facility_class(demo_app):
    c = demo_app.test_client()
    station = c.get("/api/v1/siting/feasible?facility_type=加油站").get_json()
    plant = c.get("/api/v1/siting/feasible?facility_type=化工厂&major_grade=1&hazard=toxic").get_json()
    assert station["geometry"]["type"] in ("Polygon", "MultiPolygon")
    # a grade-1 toxic plant needs far more room than a fuel station: less of the district is feasible
    assert 0 < plant["properties"]["feasible_share"] < station["properties"]["feasible_share"] < 1
    assert any(r["category"] == "school" for r in station["properties"]["requirements"])
    bad = c.get("/api/v1/siting/feasible?major_grade=2")
    assert bad.status_code == 400 and bad.get_json()["error"]["field"] == "hazard"


def test_gcj02_basemap_is_declared_to_the_page(demo_db):
    """A configured GCJ-02 tile layer makes the page shift what it draws (never the data)."""
    from dataclasses import replace

    from hazmap.config import load_settings
    from webmap import create_app

    s = load_settings(overrides={"database_url": demo_db[0]})
    s = replace(s, map=replace(s.map, tile_url="http://127.0.0.1:9/{z}/{x}/{y}.png", tile_datum="gcj02"))
    html = as_user(create_app(settings=s)).test_client().get("/").get_data(as_text=True)
    assert '"datum": "gcj02"' in html and "127.0.0.1:9" in html  # in the page's JSON data block
    api = as_user(create_app(settings=s)).test_client().get("/api/v1/enterprises?limit=1").get_json()
    assert "WGS-84" in api["crs_note"]  # the data stay WGS-84

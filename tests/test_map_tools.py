"""The map's read endpoints: per-view summary, search, "within X m", coordinate conversion."""

from __future__ import annotations

import math

import pytest

from tests.test_web_api import client, web_db  # noqa: F401 - fixtures

pytestmark = pytest.mark.postgis


def test_summary_counts_the_view_and_filter(client):  # noqa: F811
    s = client.get("/api/v1/map/summary?zoom=13&bbox=112.8,35.45,112.92,35.56").get_json()
    # seed: one enterprise per colour + one without result; enterprise 1 is a 三级 major hazard with
    # one conflict and a licence that expired 2020-01-01
    assert s["total"] == 5 and s["by_colour"] == {"red": 1, "orange": 1, "yellow": 1, "blue": 1, "none": 1}
    assert (s["major_hazards"], s["conflicts"], s["expired_licences"]) == (1, 1, 1)
    assert s["aggregated"] is False and s["cells"] == [] and s["run_id"] == 2
    only = client.get("/api/v1/map/summary?zoom=13&risk=red,orange&town=东街街道").get_json()
    assert only["total"] == 2 and only["by_colour"]["red"] == 1 and only["by_colour"]["orange"] == 1
    west = client.get("/api/v1/map/summary?zoom=13&bbox=112.80,35.45,112.86,35.56").get_json()
    assert west["total"] == 3  # enterprises 1, 2 (x < 112.86) and 4 (112.83)
    assert client.get("/api/v1/map/summary?stage=飞行").status_code == 400


def test_summary_cells_hold_the_colour_mix(web_db):  # noqa: F811
    from dataclasses import replace

    from hazmap.config import load_settings
    from webmap import create_app
    from tests.helpers import as_user

    s = load_settings(env={}, overrides={"database_url": web_db})
    s = replace(s, map=replace(s.map, max_markers=2))
    c = as_user(create_app({"TESTING": True}, settings=s)).test_client()
    r = c.get("/api/v1/map/summary?zoom=2&bbox=112.8,35.45,112.92,35.56").get_json()
    # zoom 2: a cell is 360/4·64/256 = 22.5° wide, so all five enterprises fall in one cell
    assert r["aggregated"] is True and len(r["cells"]) == 1
    cell = r["cells"][0]
    assert cell["count"] == 5 and cell["by_colour"] == {"red": 1, "orange": 1, "yellow": 1, "blue": 1, "none": 1}
    assert cell["major_hazards"] == 1
    # the cell sits at the mean of its enterprises: lon (112.85+112.855+112.87+112.83+112.88)/5 = 112.857
    assert cell["lon"] == pytest.approx(112.857, abs=1e-6) and cell["lat"] == pytest.approx(35.507, abs=1e-6)


def test_search_by_name_address_credit_code_and_place(client):  # noqa: F811
    r = client.get("/api/v1/search?q=91140502MA0000003C").get_json()
    assert r["results"][0]["kind"] == "enterprise" and r["results"][0]["name"] == "黄河危货运输有限公司"
    r = client.get("/api/v1/search?q=东街").get_json()
    kinds = {(x["kind"], x["name"]) for x in r["results"]}
    assert ("target", "东街第一小学") in kinds and ("target", "东街小区") in kinds and ("area", "东街街道") in kinds
    area = next(x for x in r["results"] if x["kind"] == "area")
    assert area["bbox"] == [112.8, 35.45, 112.86, 35.56] and area["kind_label"] == "行政区"
    assert client.get("/api/v1/search?q=%25").get_json()["results"] == []  # % is literal, not a wildcard
    bad = client.get("/api/v1/search?q=")
    assert bad.status_code == 400 and bad.get_json()["error"]["field"] == "q"


def test_nearby_lists_what_lies_within_the_radius(client):  # noqa: F811
    r = client.get("/api/v1/nearby?lon=112.85&lat=35.50&radius_m=200").get_json()
    assert [e["id"] for e in r["enterprises"]] == [1] and r["enterprises"][0]["distance_m"] == 0
    # 东街第一小学 at (112.851, 35.501): Δx = 0.001°·cos 35.5°·111.32 km ≈ 90.6 m, Δy ≈ 110.9 m → ≈ 143 m
    assert [t["id"] for t in r["targets"]] == [1] and 140 < r["targets"][0]["distance_m"] < 146
    assert r["people_in_targets"] == 800 and r["targets"][0]["lon"] == 112.851
    # how known the colour is, said: the stored result's own flags
    import sqlalchemy as sa

    from hazmap.db.session import get_engine

    with get_engine(client.application.config["HAZMAP_SETTINGS"].database_url).connect() as conn:
        stored = conn.execute(sa.text("select provisional, risk_color_worst from enterprise_risk where enterprise_id = 1 "
                                      "order by run_id desc limit 1")).one()
    e = r["enterprises"][0]
    assert (e["provisional"], e["risk_color_worst"]) == tuple(stored)
    wide = client.get("/api/v1/nearby?lon=112.85&lat=35.50&radius_m=1000").get_json()
    assert {e["id"] for e in wide["enterprises"]} == {1, 2}  # enterprise 2 is ≈ 716 m away
    assert client.get("/api/v1/nearby?lon=112.85&lat=35.5&radius_m=50000").status_code == 400
    assert client.get("/api/v1/nearby?lon=0&lat=0&radius_m=10").get_json()["error"]["field"] == "location"


def _meridian_arc_m(lat_deg: float) -> float:
    """Meridian arc from the equator on the CGCS2000 ellipsoid (a = 6 378 137 m, f = 1/298.257222101),
    M = ∫ a(1−e²)/(1−e²sin²φ)^{3/2} dφ by Simpson's rule — independent of PROJ."""
    a, f = 6378137.0, 1 / 298.257222101
    e2 = f * (2 - f)
    n, phi = 2000, math.radians(lat_deg)
    h = phi / n
    g = lambda t: a * (1 - e2) / (1 - e2 * math.sin(t) ** 2) ** 1.5  # noqa: E731
    return h / 3 * (g(0) + g(phi) + sum((4 if i % 2 else 2) * g(i * h) for i in range(1, n)))


def test_coordinates_in_gauss_kruger_and_dms(client):  # noqa: F811
    # on the central meridian of EPSG:4547 (114°E) the easting is the false easting and the
    # northing is the meridian arc (scale factor 1 on CGCS2000 3° zones)
    r = client.get("/api/v1/coordinates?x=114&y=35.5").get_json()
    gk = r["gauss_kruger"]["EPSG:4547"]
    assert gk["x"] == 500000.0 and gk["y"] == pytest.approx(_meridian_arc_m(35.5), abs=0.01)
    r = client.get("/api/v1/coordinates?x=112.85&y=35.5").get_json()
    assert r["dms"] == {"lon": "112°51′00.00″E", "lat": "35°30′00.00″N"}
    x, y = r["gauss_kruger"]["EPSG:4547"]["x"], r["gauss_kruger"]["EPSG:4547"]["y"]
    assert x < 500000  # west of 114°E
    back = client.get(f"/api/v1/coordinates?x={x}&y={y}&crs=EPSG:4547").get_json()["wgs84"]
    assert back["lon"] == pytest.approx(112.85, abs=1e-7) and back["lat"] == pytest.approx(35.5, abs=1e-7)
    bad = client.get("/api/v1/coordinates?x=1&y=2&crs=mars")
    assert bad.status_code == 400 and bad.get_json()["error"]["field"] == "crs"
    assert set(r["gauss_kruger"]) == {"EPSG:4547", "EPSG:4546"}  # the [area] gauss_kruger_epsg default


def test_the_gauss_kruger_zones_follow_the_setting(client):  # noqa: F811
    from dataclasses import replace

    app = client.application
    s = app.config["HAZMAP_SETTINGS"]
    app.config["HAZMAP_SETTINGS"] = replace(s, area=replace(s.area, gauss_kruger_epsg=(4548,)))
    try:
        r = client.get("/api/v1/coordinates?x=117&y=35.5").get_json()
        # on the central meridian of EPSG:4548 (117°E): the false easting
        assert set(r["gauss_kruger"]) == {"EPSG:4548"} and r["gauss_kruger"]["EPSG:4548"]["x"] == 500000.0
        assert r["gauss_kruger_labels"] == {"EPSG:4548": "CGCS2000 高斯-克吕格 3° 带 中央经线 117°（EPSG:4548）"}
        html = client.get("/").get_data(as_text=True)
        assert '<option value="EPSG:4548">CGCS2000 高斯-克吕格 3° 带 中央经线 117°（EPSG:4548）</option>' in html
        assert "EPSG:4547" not in html
    finally:
        app.config["HAZMAP_SETTINGS"] = s

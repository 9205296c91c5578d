"""Vector tiles /tiles/{collection}/{z}/{x}/{y}.mvt read back with a real MVT decoder (mapbox-vector-tile),
and their OGC API – Tiles discovery."""

from __future__ import annotations

import math

import mapbox_vector_tile
import pytest

from tests.helpers import make_user


def _tile_of(lon: float, lat: float, z: int) -> tuple[int, int]:
    """The WebMercatorQuad tile (column, row) holding a point (the slippy-map formula)."""
    n = 2**z
    x = int((lon + 180.0) / 360.0 * n)
    y = int((1.0 - math.asinh(math.tan(math.radians(lat))) / math.pi) / 2.0 * n)
    return x, y


def _bounds(x: int, y: int, z: int) -> tuple[float, float, float, float]:
    n = 2**z

    def lat(row):
        return math.degrees(math.atan(math.sinh(math.pi * (1 - 2 * row / n))))

    return x / n * 360 - 180, lat(y + 1), (x + 1) / n * 360 - 180, lat(y)


def _decode(data: bytes) -> dict:
    return mapbox_vector_tile.decode(data, default_options={"y_coord_down": True})


def test_a_tile_holds_the_collection_features_in_its_bounds(demo_app):
    c = demo_app.test_client()
    z = 13
    x, y = _tile_of(112.85, 35.50, z)
    r = c.get(f"/tiles/enterprises/{z}/{x}/{y}.mvt")
    assert r.status_code == 200 and r.mimetype == "application/vnd.mapbox-vector-tile"
    layer = _decode(r.data)["enterprises"]
    assert layer["extent"] == 4096
    ids = {f["id"] for f in layer["features"]}
    x0, y0, x1, y1 = _bounds(x, y, z)
    inside = {f["id"] for f in c.get(f"/api/v1/enterprises?bbox={x0},{y0},{x1},{y1}&limit=5000").get_json()["features"]}
    # the tile also carries the 64/4096 buffer around its edge
    bx, by = (x1 - x0) * 64 / 4096, (y1 - y0) * 64 / 4096
    near = {f["id"] for f in c.get(f"/api/v1/enterprises?bbox={x0 - bx},{y0 - by},{x1 + bx},{y1 + by}&limit=5000")
            .get_json()["features"]}
    assert inside and inside <= ids <= near
    f = next(f for f in layer["features"] if f["id"] in inside)
    api = c.get(f"/api/v1/enterprises/{f['id']}").get_json()["properties"]
    for key in ("name", "risk_color", "risk_label", "town", "major_hazard_grade", "conflicts"):
        assert f["properties"].get(key) == api[key], key
    assert f["geometry"]["type"] == "Point"
    px, py = f["geometry"]["coordinates"]  # tile pixels, y down: the point's position inside the tile
    lon, lat = c.get(f"/api/v1/enterprises/{f['id']}").get_json()["geometry"]["coordinates"]
    assert px == pytest.approx((lon - x0) / (x1 - x0) * 4096, abs=1.5)
    merc = lambda la: math.asinh(math.tan(math.radians(la)))  # noqa: E731
    assert py == pytest.approx((merc(y1) - merc(lat)) / (merc(y1) - merc(y0)) * 4096, abs=1.5)


def test_tile_filters_lines_polygons_and_limits(demo_app):
    c = demo_app.test_client()
    z = 11
    x, y = _tile_of(112.85, 35.50, z)
    lon, lat = c.get("/api/v1/enterprises?risk=orange&limit=1").get_json()["features"][0]["geometry"]["coordinates"]
    rx, ry = _tile_of(lon, lat, z)
    one = _decode(c.get(f"/tiles/enterprises/{z}/{rx}/{ry}.mvt?risk=orange").data)["enterprises"]["features"]
    every = _decode(c.get(f"/tiles/enterprises/{z}/{rx}/{ry}.mvt").data)["enterprises"]["features"]
    assert one and {f["properties"]["risk_color"] for f in one} == {"orange"} and len(every) > len(one)
    areas = _decode(c.get(f"/tiles/target-areas/{z}/{x}/{y}.mvt").data)["target-areas"]["features"]
    assert areas and {f["geometry"]["type"] for f in areas} <= {"Polygon", "MultiPolygon"}
    towns = _decode(c.get(f"/tiles/areas/{z}/{x}/{y}.mvt").data)["areas"]["features"]
    assert towns and all("id" in f["properties"] for f in towns)  # string keys travel as a property
    assert c.get("/tiles/enterprises/13/0/0.mvt").status_code == 204  # nothing there: empty tile
    assert c.get("/tiles/enterprises/23/0/0.mvt").status_code == 400
    assert c.get("/tiles/enterprises/2/9/0.mvt").status_code == 404
    assert c.get("/tiles/nope/0/0/0.mvt").status_code == 404
    r = c.get(f"/tiles/enterprises/{z}/{x}/{y}.mvt?risk=purple")
    assert r.status_code == 400 and r.get_json()["error"]["field"] == "risk"


def test_tiles_discovery_and_access(demo_app, demo_db):
    c = demo_app.test_client()
    tms = c.get("/ogc/tileMatrixSets/WebMercatorQuad").get_json()
    # OGC 17-083r4 Annex D (WebMercatorQuad): zoom 0 scale denominator 559 082 264.028 717 8, cell 156 543.033 928 m
    assert tms["tileMatrices"][0]["scaleDenominator"] == pytest.approx(559082264.0287178, rel=1e-12)
    assert tms["tileMatrices"][0]["cellSize"] == pytest.approx(156543.0339280410, rel=1e-12)
    assert tms["tileMatrices"][13]["matrixWidth"] == 8192
    sets = c.get("/ogc/collections/enterprises/tiles").get_json()["tilesets"]
    template = next(link["href"] for link in sets[0]["links"] if link["rel"] == "item")
    assert sets[0]["dataType"] == "vector" and template.endswith("/tiles/enterprises/{tileMatrix}/{tileCol}/{tileRow}.mvt")
    x, y = _tile_of(112.85, 35.50, 13)
    url = template.replace("{tileMatrix}", "13").replace("{tileCol}", str(x)).replace("{tileRow}", str(y))
    assert c.get(url.replace("http://localhost", "")).status_code == 200
    from webmap import create_app

    anonymous = create_app({"TESTING": True, "DATABASE_URL": demo_db[0]}).test_client()
    r = anonymous.get(f"/tiles/enterprises/13/{x}/{y}.mvt")
    assert r.status_code == 401 and r.is_json
    leader = make_user(demo_db[0], "leader")["token"]  # tiles follow the API's read rule: the map's users
    assert anonymous.get(f"/tiles/enterprises/13/{x}/{y}.mvt", headers={"Authorization": f"Bearer {leader}"}).status_code == 200

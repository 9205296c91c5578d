"""Exports: GeoJSON (RFC 7946, schema-valid), CSV (Excel-friendly Chinese), GeoPackage with its CRS,
crs=gcj02 labelled, the same filters as the API, and the CLI mirroring it."""

from __future__ import annotations

import io
import json
from pathlib import Path

import jsonschema
import pandas as pd
import pyogrio
import pytest
from click.testing import CliRunner

from geo import crs

SCHEMA = json.loads((Path(__file__).parent / "fixtures" / "geojson-schema" / "FeatureCollection.json").read_text())


def _get(client, url):
    r = client.get(url)
    data = r.get_data()
    r.close()
    return r, data


@pytest.mark.parametrize("layer", ["enterprises", "hazard-units", "targets", "conflicts", "areas", "pipelines"])
def test_geojson_export_is_rfc7946_and_versioned(demo_app, layer):
    r, data = _get(demo_app.test_client(), f"/api/v1/{layer}?format=geojson")
    assert r.status_code == 200 and "attachment" in r.headers["Content-Disposition"]
    fc = json.loads(data)
    jsonschema.validate(fc, SCHEMA)
    assert "crs" not in fc and "WGS-84" in fc["crs_note"]
    assert fc["run_id"] and fc["rules_version"] and fc["generated_at"]
    assert len(fc["features"]) == fc["numberMatched"] > 0
    if layer == "enterprises":
        p = fc["features"][0]["properties"]
        assert p["risk_color_hex"].startswith("#") and isinstance(p["reasons"], list)


def test_export_keeps_the_api_filters_and_exceeds_the_page_size(demo_app):
    c = demo_app.test_client()
    _, data = _get(c, "/api/v1/enterprises?format=geojson&risk=blue")
    fc = json.loads(data)
    page = c.get("/api/v1/enterprises?risk=blue&limit=5").get_json()
    assert fc["numberMatched"] == page["numberMatched"] == len(fc["features"]) > 100
    assert {f["properties"]["risk_color"] for f in fc["features"]} == {"blue"}


def test_csv_opens_in_pandas_with_chinese_intact(demo_app):
    r, data = _get(demo_app.test_client(), "/api/v1/enterprises?format=csv")
    assert r.status_code == 200 and data.startswith("\ufeff".encode("utf-8"))
    df = pd.read_csv(io.BytesIO(data), encoding="utf-8-sig")
    assert len(df) >= 150 and {"lon", "lat", "crs", "risk_color", "risk_color_hex", "reasons_text",
                               "run_id", "rules_version", "generated_at"} <= set(df.columns)
    assert df["name"].str.contains("晋城").any() and (df["crs"] == "EPSG:4326 (WGS-84)").all()
    assert df["lon"].between(112.7, 113.0).all()


def test_gpkg_opens_in_gdal_with_its_crs(demo_app, tmp_path):
    r, data = _get(demo_app.test_client(), "/api/v1/conflicts?format=gpkg")
    assert r.status_code == 200
    path = tmp_path / "c.gpkg"
    path.write_bytes(data)
    info = pyogrio.read_info(path)
    assert info["crs"] == "EPSG:4326" and info["features"] > 0
    df = pyogrio.read_dataframe(path)
    assert {"distance_m", "required_m", "deficit_m", "rule", "run_id"} <= set(df.columns)


def test_gcj02_output_is_shifted_and_labelled(demo_app):
    c = demo_app.test_client()
    wgs = json.loads(_get(c, "/api/v1/enterprises?format=geojson&q=加油站")[1])
    gcj = json.loads(_get(c, "/api/v1/enterprises?q=加油站&crs=gcj02")[1])
    assert "GCJ-02" in gcj["crs_note"] and "非标准" in gcj["crs_note"]
    a = wgs["features"][0]["geometry"]["coordinates"]
    b = gcj["features"][0]["geometry"]["coordinates"]
    # 7 decimals in every output (≈ 1 cm), GCJ-02 too
    assert b == pytest.approx(list(crs.wgs84_to_gcj02(*a)), abs=5e-8)
    assert all(len(str(v).split(".")[1]) <= 7 for v in b)


def test_export_limits_and_bad_format(demo_app, monkeypatch):
    c = demo_app.test_client()
    assert c.get("/api/v1/enterprises?format=shp").status_code == 400
    assert c.get("/api/v1/enterprises?crs=bd09").status_code == 400
    from dataclasses import replace

    s = demo_app.config["HAZMAP_SETTINGS"]
    demo_app.config["HAZMAP_SETTINGS"] = replace(s, limits=replace(s.limits, max_export_features=10))
    try:
        r = c.get("/api/v1/enterprises?format=csv")
        assert r.status_code == 400 and "max_export_features" in r.get_json()["error"]["message"]
        assert c.get("/api/v1/enterprises?format=csv&limit=10").status_code == 200
    finally:
        demo_app.config["HAZMAP_SETTINGS"] = s


def test_cli_export_mirrors_the_api(demo_db, tmp_path, monkeypatch):
    from hazmap.cli import cli

    monkeypatch.setenv("DATABASE_URL", demo_db[0])
    monkeypatch.delenv("HAZMAP_CONFIG", raising=False)
    res = CliRunner().invoke(cli, ["export", "enterprises", "--risk", "red,orange", "-o", "-"])
    assert res.exit_code == 0, res.output
    fc = json.loads(res.stdout)
    jsonschema.validate(fc, SCHEMA)
    assert fc["features"] and {f["properties"]["risk_color"] for f in fc["features"]} <= {"red", "orange"}
    out = tmp_path / "t.gpkg"
    res = CliRunner().invoke(cli, ["export", "targets", "--format", "gpkg", "--category", "school", "-o", str(out)])
    assert res.exit_code == 0, res.output
    # targets mix points and polygons: the GeoPackage has one layer per geometry type
    assert {name for name, _ in pyogrio.list_layers(out)} == {"target_points", "target_areas"}
    df = pyogrio.read_dataframe(out, layer="target_points")
    assert len(df) > 0 and set(df["category"]) == {"school"}
    bad = CliRunner().invoke(cli, ["export", "enterprises", "--risk", "purple"])
    assert bad.exit_code == 2 and "risk" in bad.output


def test_gdal_opens_geojson_and_csv_exports(demo_app, tmp_path):
    c = demo_app.test_client()
    gj = tmp_path / "e.geojson"
    gj.write_bytes(_get(c, "/api/v1/enterprises?format=geojson")[1])
    df = pyogrio.read_dataframe(gj)
    assert len(df) >= 150 and df.crs.to_epsg() == 4326 and "risk_color" in df.columns
    cs = tmp_path / "e.csv"
    cs.write_bytes(_get(c, "/api/v1/conflicts?format=csv")[1])
    info = pyogrio.read_info(cs)
    assert info["features"] > 0 and "geometry_wkt" in list(info["fields"])

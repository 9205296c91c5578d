"""Exports: GeoJSON (RFC 7946, schema-valid), CSV (Excel-friendly Chinese), GeoPackage with its CRS,
crs=gcj02 labelled, the same filters as the API, and the CLI mirroring it."""

from __future__ import annotations

import io
import re
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


# ---- every collection, every format; lossless and typed ---------------------------------------------

def _exported() -> list[str]:
    """Every collection ``/api/v1`` serves, from the registry (a new collection is tested without editing here)."""
    from geo.postgis.collections import registry

    return [cid for cid, c in registry().items() if c.api]


EXPORTED = _exported()


def _signed_area(ring) -> float:
    return sum(x0 * y1 - x1 * y0 for (x0, y0), (x1, y1) in zip(ring, ring[1:])) / 2


@pytest.mark.parametrize("layer", EXPORTED)
def test_every_collection_exports_as_rfc7946_with_right_hand_rings_and_7_decimals(demo_app, layer):
    c = demo_app.test_client()
    r, data = _get(c, f"/api/v1/{layer}?format=geojson")
    assert r.status_code == 200 and r.headers["Content-Type"] == "application/geo+json"
    fc = json.loads(data)
    jsonschema.validate(fc, SCHEMA)
    assert len(fc["features"]) == fc["numberMatched"] == c.get(f"/api/v1/{layer}?limit=1").get_json()["numberMatched"]
    for f in fc["features"]:
        g = f["geometry"]
        if g is None:  # a record without a location (a hidden danger, a licence holder) is a null geometry
            continue
        polygons = [g["coordinates"]] if g["type"] == "Polygon" else g["coordinates"] if g["type"] == "MultiPolygon" else []
        for poly in polygons:  # RFC 7946 §3.1.6: exterior counterclockwise, holes clockwise
            assert _signed_area(poly[0]) > 0 and all(_signed_area(h) < 0 for h in poly[1:])
        assert all(len(v.split(".")[1]) <= 7 for v in re.findall(r"-?\d+\.\d+", json.dumps(g["coordinates"])))


def test_structured_fields_keep_their_form_and_flat_companions_agree(demo_app):
    c = demo_app.test_client()
    ents = json.loads(_get(c, "/api/v1/enterprises?format=geojson")[1])["features"]
    graded = [f["properties"] for f in ents if f["properties"]["reasons"]]
    assert graded
    for p in graded:
        codes = {r["code"] for r in p["reasons"]}
        assert set(p["reason_codes"].split(",")) == codes
        mh = [r["points"] for r in p["reasons"] if r["code"] == "MAJOR_HAZARD"]
        assert p["pts_major_hazard"] == (mh[0] if mh else None)
        shown = [r for r in p["reasons"] if r["points"] != 0 or r["code"] == "DIRECT_RED"]
        assert (p["reasons_text"] or "").count("；") == max(len(shown) - 1, 0)
    pipes = json.loads(_get(c, "/api/v1/pipelines?format=geojson")[1])["features"]
    for f in pipes:
        segs = f["properties"]["hca_segments"]
        assert isinstance(segs, list) and f["properties"]["hca_count"] == len(segs)
        assert f["properties"]["hca_max_grade"] == (max(s["grade"] for s in segs) if segs else None)


def test_gpkg_columns_are_typed_with_ids_and_versions(demo_app, tmp_path):
    import sqlite3

    c = demo_app.test_client()
    for layer, expected in [
        ("enterprises", {"id": "INTEGER", "major_hazard_grade": "INTEGER", "risk_score": "REAL", "licence_expiry": "DATE",
                         "licence_expired": "BOOLEAN", "data_as_of": "DATETIME", "pts_major_hazard": "REAL",
                         "reasons": "TEXT", "reasons_text": "TEXT", "rules_version": "TEXT", "model_version": "TEXT"}),
        ("conflicts", {"id": "INTEGER", "enterprise_id": "INTEGER", "distance_m": "REAL", "run_id": "INTEGER"}),
    ]:
        path = tmp_path / f"{layer}.gpkg"
        path.write_bytes(_get(c, f"/api/v1/{layer}?format=gpkg")[1])
        with sqlite3.connect(path) as db:
            cols = {row[1]: row[2] for row in db.execute(f"pragma table_info('{layer}')")}
        assert {k: cols.get(k) for k in expected} == expected, layer
        df = pyogrio.read_dataframe(path)
        assert df["rules_version"].notna().all() and len(df) > 0
        if layer == "enterprises":
            assert df["licence_expired"].dtype == bool and df["major_hazard_grade"].dropna().between(1, 4).all()


def test_csv_booleans_chinese_titles_one_charset_and_no_formulas(demo_app):
    c = demo_app.test_client()
    r, data = _get(c, "/api/v1/enterprises?format=csv")
    assert r.headers["Content-Type"] == "text/csv; charset=utf-8"  # one charset
    df = pd.read_csv(io.BytesIO(data), encoding="utf-8-sig", dtype=str)
    assert set(df["licence_expired"]) <= {"是", "否"} and "是" in set(df["licence_expired"])
    assert df["geometry_wkt"].str.startswith("POINT").all()
    zh = pd.read_csv(io.BytesIO(_get(c, "/api/v1/enterprises?format=csv&labels=zh")[1]), encoding="utf-8-sig", dtype=str)
    assert list(zh.columns[:3]) == ["编号", "企业名称", "统一社会信用代码"] and "经度" in zh.columns and len(zh) == len(df)
    zgj = json.loads(_get(c, "/api/v1/conflicts?format=geojson&labels=zh")[1])
    assert {"实际距离（米）", "所需距离（米）", "规则编号"} <= set(zgj["features"][0]["properties"])


def test_csv_cells_that_look_like_formulas_are_neutralised(fresh_db_url, tmp_path):
    import sqlalchemy as sa

    from tests.test_web_api import make_app, seed

    seed(fresh_db_url)
    engine = sa.create_engine(fresh_db_url)
    with engine.begin() as conn:
        conn.execute(sa.text("update enterprise set name = '=HYPERLINK(\"http://x\")', address = '+1', department = '@a' "
                             "where id = 1"))
    engine.dispose()
    data = make_app(fresh_db_url).test_client().get("/api/v1/enterprises?format=csv").get_data()
    row = next(r for r in pd.read_csv(io.BytesIO(data), encoding="utf-8-sig", dtype=str).to_dict("records") if r["id"] == "1")
    assert (row["name"], row["address"], row["department"]) == ("'=HYPERLINK(\"http://x\")", "'+1", "'@a")
    assert float(row["risk_score"]) == 52.0  # numbers are not touched


@pytest.mark.parametrize("fmt", ["geojson", "csv", "gpkg"])
def test_debian_ogr2ogr_converts_every_export_to_gpkg_and_shapefile(demo_app, tmp_path, fmt):
    """The README recipes, with Debian's GDAL 3.6: every export → GPKG and Shapefile, no error, no lost feature.

    A Shapefile holds one geometry type: the mixed ``targets`` go to Shapefile as their GeoPackage's two
    layers (or as ``target-points`` / ``target-areas``); lists (``stages``) become text (``-mapFieldType``).
    """
    import shutil
    import subprocess

    assert shutil.which("ogr2ogr"), "install Debian's gdal-bin (scripts/setup.sh does)"
    from geo.postgis.collections import registry

    c = demo_app.test_client()
    csv_oo = ["-oo", "GEOM_POSSIBLE_NAMES=geometry_wkt", "-oo", "KEEP_GEOM_COLUMNS=NO", "-a_srs", "EPSG:4326"]
    declared = registry()
    for layer in EXPORTED:
        src = tmp_path / f"{layer}.{fmt}"
        src.write_bytes(_get(c, f"/api/v1/{layer}?format={fmt}")[1])
        expected = c.get(f"/api/v1/{layer}?limit=1").get_json()["numberMatched"]
        col = declared[layer]
        mixed = col.geometry_type == "Geometry"
        parts = [p.replace("-", "_") for p in col.parts] if fmt == "gpkg" and mixed else [None]
        for out_fmt, ext in (("GPKG", "gpkg"), ("ESRI Shapefile", "shp")):
            if ext == "shp" and mixed and fmt != "gpkg":
                continue  # mixed points and polygons are never one Shapefile
            total = 0
            for part in parts:
                dst = tmp_path / f"out_{layer}_{part or 'all'}_{fmt}.{ext}"
                args = ["ogr2ogr", "-f", out_fmt, *(csv_oo if fmt == "csv" else []), str(dst), str(src)]
                args += [part] if part else []
                args += ["-lco", "ENCODING=UTF-8", "-mapFieldType", "StringList=String"] if ext == "shp" else []
                if ext == "shp" and fmt == "csv" and not mixed:
                    # a CSV's WKT column has no declared type: name the collection's (the README recipe)
                    args += ["-nlt", col.geometry_type.upper()]
                out = subprocess.run(args, capture_output=True, text=True, timeout=300)
                assert out.returncode == 0 and "ERROR" not in out.stderr, (layer, fmt, ext, out.stderr[:400])
                total += pyogrio.read_info(dst)["features"]
            assert total == expected, (layer, fmt, ext)

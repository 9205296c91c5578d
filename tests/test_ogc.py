"""OGC API – Features at /ogc: GDAL (pyogrio's OAPIF driver) lists the collections, reads features
with a bbox, and the collection extents are right."""

from __future__ import annotations

import os
import socket
import subprocess
import sys
import time
import urllib.request

import pyogrio
import pytest


@pytest.fixture(scope="module")
def ogc_url(demo_db):
    """The app served by ``hazmap serve`` in its own process: GDAL's HTTP calls hold this
    process's GIL, so an in-process server thread could not answer them."""
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]
    env = dict(os.environ, DATABASE_URL=demo_db[0])
    env.pop("HAZMAP_CONFIG", None)
    proc = subprocess.Popen([sys.executable, "-c", "from hazmap.cli import main; main()", "serve",
                             "--port", str(port)], env=env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    url = f"http://127.0.0.1:{port}/ogc"
    try:
        for _ in range(100):
            try:
                urllib.request.urlopen(url, timeout=1).close()
                break
            except OSError:
                time.sleep(0.1)
        yield url
    finally:
        proc.terminate()
        proc.wait(timeout=10)


def test_core_documents(demo_app):
    c = demo_app.test_client()
    landing = c.get("/ogc").get_json()
    assert {link["rel"] for link in landing["links"]} >= {"service-desc", "conformance", "data"}
    assert any(x.endswith("/conf/core") for x in c.get("/ogc/conformance").get_json()["conformsTo"])
    cols = c.get("/ogc/collections").get_json()["collections"]
    ent = next(x for x in cols if x["id"] == "enterprises")
    x0, y0, x1, y1 = ent["extent"]["spatial"]["bbox"][0]
    all_points = c.get("/api/v1/enterprises?limit=5000").get_json()["features"]
    lons = [f["geometry"]["coordinates"][0] for f in all_points]
    lats = [f["geometry"]["coordinates"][1] for f in all_points]
    assert x0 == pytest.approx(min(lons), abs=1e-5) and x1 == pytest.approx(max(lons), abs=1e-5)
    assert y0 == pytest.approx(min(lats), abs=1e-5) and y1 == pytest.approx(max(lats), abs=1e-5)
    items = c.get("/ogc/collections/enterprises/items?limit=10").get_json()
    assert items["numberReturned"] == 10 and any(link["rel"] == "next" for link in items["links"])
    assert c.get("/ogc/collections/nope/items").status_code == 404
    assert c.get("/ogc/api").get_json()["openapi"].startswith("3.")


def test_gdal_lists_collections_and_reads_a_bbox(ogc_url, demo_db, request):
    from tests.helpers import make_user

    # GDAL sends the analyst's token with every request (GDAL_HTTP_AUTH=BEARER, as a user would set it)
    token = make_user(demo_db[0], "analyst")["token"]
    pyogrio.set_gdal_config_options({"GDAL_HTTP_AUTH": "BEARER", "GDAL_HTTP_BEARER": token})
    request.addfinalizer(lambda: pyogrio.set_gdal_config_options({"GDAL_HTTP_AUTH": None, "GDAL_HTTP_BEARER": None}))
    layers = {name for name, _ in pyogrio.list_layers(f"OAPIF:{ogc_url}")}
    assert {"enterprises", "targets", "conflicts", "areas", "pipelines", "hazard-units"} <= layers
    everything = pyogrio.read_dataframe(f"OAPIF:{ogc_url}", layer="enterprises")
    box = (112.84, 35.49, 112.87, 35.52)
    inside = pyogrio.read_dataframe(f"OAPIF:{ogc_url}", layer="enterprises", bbox=box)
    assert 0 < len(inside) < len(everything) and len(everything) >= 150
    assert inside.geometry.x.between(box[0], box[2]).all() and inside.geometry.y.between(box[1], box[3]).all()
    assert "risk_color" in inside.columns

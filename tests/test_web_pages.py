"""The pages (``/``, ``/dashboard``, ``/siting``) and the error pages, on the seeded database.

What matters here: Chinese, offline (every script/stylesheet/image the page loads is served by
the app itself — no CDN, no external URL), small whatever the data size (layers load by
viewport from the API, nothing inlined), and bad input never a 500.
"""

from __future__ import annotations

from tests.helpers import as_user

import os

from dataclasses import replace
from html.parser import HTMLParser
from urllib.parse import urlsplit

import pytest
import sqlalchemy as sa

from tests.test_web_api import client, make_app, seed, web_db  # noqa: F401 - fixtures

pytestmark = pytest.mark.postgis

PAGES = [("/", "危险化学品安全风险分布图"), ("/dashboard", "统计看板"), ("/siting", "选址核查")]


class _Refs(HTMLParser):
    """Every URL the browser would fetch on load: script src, link href, img/iframe/source src."""

    def __init__(self):
        super().__init__()
        self.refs: list[tuple[str, str]] = []

    def handle_starttag(self, tag, attrs):
        a = dict(attrs)
        if tag == "script" and a.get("src"):
            self.refs.append((tag, a["src"]))
        elif tag == "link" and a.get("href"):
            self.refs.append((tag, a["href"]))
        elif tag in ("img", "iframe", "source", "embed") and a.get("src"):
            self.refs.append((tag, a["src"]))


def _refs(html: str) -> list[tuple[str, str]]:
    p = _Refs()
    p.feed(html)
    return p.refs


def _same_origin(url: str) -> bool:
    if url.startswith("data:"):
        return True
    u = urlsplit(url)
    return not u.scheme and not u.netloc and url.startswith("/")


@pytest.mark.parametrize("path, title", PAGES)
def test_page_is_chinese_offline_and_small(client, path, title):  # noqa: F811
    r = client.get(path)
    assert r.status_code == 200 and r.mimetype == "text/html"
    html = r.get_data(as_text=True)
    assert title in html and 'lang="zh-CN"' in html and "<title>" in html
    assert len(r.data) < 500_000
    refs = _refs(html)
    assert any(tag == "script" for tag, _ in refs)
    bad = [u for _, u in refs if not _same_origin(u)]
    assert bad == [], f"external assets in {path}: {bad}"
    for needle in ("cdn.jsdelivr", "unpkg.com", "cdnjs", "googleapis", "bootstrapcdn", "code.jquery",
                   "//", "http://", "https://"):
        if needle in ("//",):
            continue  # comments and JS regexes may contain "//"; URLs are checked above
        assert needle not in html, (path, needle)
    for _, u in refs:
        if u.startswith("/"):
            asset = client.get(u)
            assert asset.status_code == 200, u
            asset.close()


def test_map_uses_vendored_leaflet_and_markercluster(client):  # noqa: F811
    srcs = [u for tag, u in _refs(client.get("/").get_data(as_text=True)) if tag == "script"]
    assert "/static/vendor/leaflet/leaflet.js" in srcs
    assert "/static/vendor/markercluster/leaflet.markercluster.js" in srcs
    assert "/static/hazmap.js" in srcs
    dash = [u for tag, u in _refs(client.get("/dashboard").get_data(as_text=True)) if tag == "script"]
    assert "/static/vendor/chartjs/chart.umd.js" in dash


def test_vendored_assets_need_nothing_external(client):  # noqa: F811
    """The stylesheets the app serves load their images from the app too."""
    for path in ("/static/vendor/leaflet/leaflet.css", "/static/vendor/markercluster/MarkerCluster.css",
                 "/static/vendor/markercluster/MarkerCluster.Default.css", "/static/hazmap.css"):
        with client.get(path) as r:
            css = r.get_data(as_text=True)
        assert "url(http" not in css and "@import" not in css, path
    for path in ("/static/hazmap.js", "/static/dashboard.js"):
        with client.get(path) as r:
            js = r.get_data(as_text=True)
        assert "http://" not in js and "https://" not in js, path


def test_map_page_declares_run_and_no_tiles_by_default(client):  # noqa: F811
    html = client.get("/").get_data(as_text=True)
    assert '"dataAsOf": "2026-02-01' in html and '"runId": 2' in html
    assert '"tileDatum": "wgs84"' in html and "tileLayer" not in html
    assert "#E02020" in html and "#2F80ED" in html  # the four colours come from geo.risk_color


def test_map_html_does_not_grow_with_the_data(fresh_db_url):
    seed(fresh_db_url)
    c = make_app(fresh_db_url).test_client()
    before = len(c.get("/").data)
    eng = sa.create_engine(fresh_db_url)
    with eng.begin() as conn:  # 3000 more enterprises with results in the current run
        conn.execute(sa.text("""
            insert into enterprise (credit_code, name, stages, town_code, department, geocode_precision, geom)
            select 'B' || lpad(g::text, 17, '0'), '批量企业' || g, array['storage'], '140502001', '应急管理局', 'source',
                   ST_SetSRID(ST_MakePoint(112.80 + (g % 100) * 0.001, 35.46 + (g / 100) * 0.001), 4326)
            from generate_series(1, 3000) g"""))
        conn.execute(sa.text("""
            insert into enterprise_risk (run_id, enterprise_id, risk_color, risk_score, reasons, model_version)
            select 2, id, 'yellow', 80, '[]', 'v1' from enterprise where name like '批量企业%'"""))
    eng.dispose()
    r = c.get("/")
    assert r.status_code == 200 and len(r.data) - before < 100  # the same page, not 3000 markers inlined
    assert "批量企业" not in r.get_data(as_text=True) and "FeatureCollection" not in r.get_data(as_text=True)
    fc = c.get("/api/v1/enterprises?bbox=112.79,35.45,112.91,35.50&limit=5000").get_json()
    assert fc["numberMatched"] > 3000  # the data are there, fetched by viewport


def test_dashboard_and_siting_pages_name_their_parts(client):  # noqa: F811
    dash = client.get("/dashboard").get_data(as_text=True)
    for text in ("四色分级", "按属地", "按监管部门", "按全流程环节", "风险最高", "上次", "数据新鲜度"):
        assert text in dash, text
    # freshness per source: the newest succeeded run that read each kind, with its file and time
    assert "涉危企业" in dash and "enterprises.csv" in dash and "2026-02-01 09:10" in dash and "#2" in dash
    siting = client.get("/siting").get_data(as_text=True)
    assert '"page": "siting"' in siting


def test_error_pages_are_chinese_html_outside_the_api(client):  # noqa: F811
    r = client.get("/no-such-page")
    assert r.status_code == 404 and r.mimetype == "text/html"
    html = r.get_data(as_text=True)
    assert "未找到" in html and 'lang="zh-CN"' in html
    r = client.post("/")
    assert r.status_code == 405 and r.mimetype == "text/html"
    api = client.get("/api/v1/no-such-thing")
    assert api.status_code == 404 and api.is_json


def test_gcj02_basemap_shifts_the_display_not_the_data(web_db):  # noqa: F811
    from hazmap.config import load_settings
    from webmap import create_app

    s = load_settings(env={}, overrides={"database_url": web_db})
    s = replace(s, map=replace(s.map, tile_url="/tiles/{z}/{x}/{y}.png", tile_datum="gcj02",
                               tile_attribution="本地瓦片"))
    c = as_user(create_app({"TESTING": True}, settings=s)).test_client()
    html = c.get("/").get_data(as_text=True)
    assert '"tileDatum": "gcj02"' in html and "/tiles/{z}/{x}/{y}.png" in html
    f = c.get("/api/v1/enterprises/1").get_json()
    assert f["geometry"]["coordinates"] == [112.85, 35.5]  # stored WGS-84, unshifted


def test_app_factory_layers_settings_and_test_config(web_db):  # noqa: F811
    from webmap import create_app

    app = create_app({"TESTING": True, "DATABASE_URL": web_db, "SECRET_KEY": "t"})
    assert app.config["TESTING"] and app.config["SECRET_KEY"] == "t"
    assert app.config["HAZMAP_SETTINGS"].database_url == web_db
    assert {bp for bp in app.blueprints} >= {"api", "riskmap", "dashboard", "siting"}
    assert app.test_client().get("/api/v1/enterprises?limit=1").status_code == 401  # no login, no data
    assert as_user(app).test_client().get("/api/v1/enterprises?limit=1").status_code == 200


def test_display_shift_in_the_browser_matches_geo_crs():
    """hazmap.js shifts drawn data for a GCJ-02 basemap; it must agree with geo.crs (the one truth)."""
    import json
    import shutil
    import subprocess
    from pathlib import Path

    from geo.crs import wgs84_to_gcj02

    node = shutil.which("node")
    if node is None:  # Node.js runs the page's own JS here; CI machines have it
        if os.environ.get("CI") == "true":
            pytest.fail("node not installed (apt-get install nodejs)", pytrace=False)
        pytest.skip("node not installed")
    js = Path(__file__).resolve().parent.parent / "webmap" / "static" / "hazmap.js"
    points = [(112.85, 35.50), (112.70, 35.38), (113.00, 35.66), (116.39, 39.91), (87.6, 43.8), (110.3, 20.0)]
    script = (f"global.window = {{}}; require({json.dumps(str(js))});"
              f"console.log(JSON.stringify({json.dumps(points)}.map(function (p) {{"
              f" return window.hazmap.gcj(p[1], p[0]); }})));")
    out = json.loads(subprocess.run([node, "-e", script], check=True, capture_output=True, text=True).stdout)
    for (lon, lat), (jlat, jlon) in zip(points, out):
        plon, plat = wgs84_to_gcj02(lon, lat)
        assert abs(plon - jlon) < 1e-9 and abs(plat - jlat) < 1e-9, (lon, lat)

"""The pages (map, dashboard, siting, console) and the error pages, on the seeded database.

What matters here: Chinese only, offline (every asset served by the app), no inline script
(the Content-Security-Policy forbids it and every value from the data reaches scripts only
through the escaped JSON data block), small whatever the data size, each role's menu showing
only what it may open, and bad input never a 500.
"""

from __future__ import annotations

import json
import os
import shutil
import subprocess
from dataclasses import replace
from pathlib import Path
from urllib.parse import urlsplit

import pytest
import sqlalchemy as sa

from tests.helpers import as_user, domain, make_user
from tests.pages_helpers import Page, foreign_words
from tests.test_web_api import client, make_app, seed, web_db  # noqa: F401 - fixtures
from webmap.riskmap import OVERLAY_SCRIPTS

pytestmark = pytest.mark.postgis

PAGES = [("/", "危险化学品安全风险分布图"), ("/dashboard", "统计看板"), ("/siting", "选址核查"),
         ("/console", "数据运行"), ("/console/users", "用户管理"), ("/console/audit", "审计日志")]
STATIC = Path(__file__).resolve().parent.parent / "webmap" / "static"


def _same_origin(url: str) -> bool:
    if url.startswith("data:"):
        return True
    u = urlsplit(url)
    return not u.scheme and not u.netloc and url.startswith("/")


@pytest.mark.parametrize("path, title", PAGES)
def test_page_is_chinese_offline_small_and_has_no_inline_script(client, path, title):  # noqa: F811
    r = client.get(path)
    assert r.status_code == 200 and r.mimetype == "text/html"
    html = r.get_data(as_text=True)
    assert title in html and 'lang="zh-CN"' in html and 'name="viewport"' in html
    assert len(r.data) < 100_000
    page = Page(html)
    # every script is a file of the app or the JSON data block: nothing for the CSP to refuse
    assert all(s["src"] or s["type"] == "application/json" for s in page.scripts), page.scripts
    assert "<inline handler" not in " ".join(page.text)
    bad = [u for _, u in page.refs if not _same_origin(u)]
    assert bad == [], f"external assets in {path}: {bad}"
    for needle in ("cdn.jsdelivr", "unpkg.com", "cdnjs", "googleapis", "http://", "https://"):
        assert needle not in html, (path, needle)
    for _, u in page.refs:
        if u.startswith("/"):
            with client.get(u) as asset:
                assert asset.status_code == 200, u
    user = page.data_block()["user"]["name"]
    assert foreign_words(page.visible_text(), ignore=(user,)) == [], path


def test_map_page_loads_its_own_scripts_and_the_data_block(client):  # noqa: F811
    page = Page(client.get("/").get_data(as_text=True))
    srcs = [s["src"] for s in page.scripts if s["src"]]
    from webmap.riskmap import OVERLAY_SCRIPTS

    # the wings' overlay scripts come just before map.js (they register with hz.overlay before it runs)
    assert srcs == ["/static/common.js", "/static/vendor/leaflet/leaflet.js",
                    "/static/vendor/markercluster/leaflet.markercluster.js", "/static/basemap.js", "/static/runs.js",
                    *(f"/static/{s}" for s in OVERLAY_SCRIPTS), "/static/map.js"]  # the wings' overlays before map.js
    opts = page.data_block()
    assert opts["runId"] == 2 and opts["dataAsOf"].startswith("2026-02-01")
    # every vocabulary comes from the server: colours from data/rules/risk_model.toml, stages from geo.vocabulary
    assert opts["vocabulary"]["colour_hex"]["red"] == "#E02020" and opts["vocabulary"]["colour_hex"]["blue"] == "#2F80ED"
    assert opts["vocabulary"]["stages"]["trade_storage"] == "经营（带储存）"  # full-width, as the pages write
    assert opts["labels"]["precision"]["address_point"] == "门牌地址" and opts["labels"]["grades"]["3"] == "三级"
    # no tiles configured: the basemap is drawn from the data, WGS-84
    assert opts["map"] == {"kind": "data", "url": "/api/v1/basemap", "datum": "wgs84",
                           "attribution": "本系统数据绘制", "reviewNumber": "", "centre": [112.85, 35.505], "zoom": 12.0}


def test_scripts_keep_no_copy_of_the_vocabularies():
    """Labels such as 经营（带储存）, 门牌地址 or 幼儿园 live on the server only."""
    for js in STATIC.glob("*.js"):
        text = js.read_text(encoding="utf-8")
        for label in ("经营（带储存）", "门牌地址", "幼儿园", "重大风险", "运维人员", "新增用户"):
            assert label not in text, (js.name, label)
        assert "http://" not in text and "https://" not in text, js.name


def test_vendored_stylesheets_need_nothing_external(client):  # noqa: F811
    for path in ("/static/vendor/leaflet/leaflet.css", "/static/vendor/markercluster/MarkerCluster.css",
                 "/static/hazmap.css"):
        with client.get(path) as r:
            css = r.get_data(as_text=True)
        assert "url(http" not in css and "@import" not in css, path


def test_security_headers(client):  # noqa: F811
    page = client.get("/")
    csp = page.headers["Content-Security-Policy"]
    directives = dict(d.strip().split(" ", 1) for d in csp.split(";"))
    assert directives["script-src"] == "'self'"  # no 'unsafe-inline', no 'unsafe-eval'
    assert directives["frame-ancestors"] == "'none'" and directives["object-src"] == "'none'"
    assert page.headers["X-Content-Type-Options"] == "nosniff" and page.headers["X-Frame-Options"] == "DENY"
    for path in ("/", "/api/v1/enterprises?limit=1", "/api/v1/search?q=东街", "/print/map.pdf"):
        assert client.get(path).headers["Cache-Control"] == "no-store", path
    with client.get("/static/common.js") as r:
        assert r.headers.get("Cache-Control") != "no-store"


def test_data_block_cannot_be_closed_by_a_hostile_name(web_db):  # noqa: F811
    from hazmap import users
    from webmap import create_app
    from hazmap.db.session import get_engine

    hostile = "</script><script>alert(1)</script>"
    with get_engine(web_db).begin() as conn:
        token = users.add_user(conn, hostile, "operator")["token"]
    app = create_app({"TESTING": True, "DATABASE_URL": web_db})
    html = app.test_client().get("/", headers={"Authorization": f"Bearer {token}"}).get_data(as_text=True)
    page = Page(html)
    assert [s["src"] for s in page.scripts if not s["src"]] == [None]  # still one block, no injected script
    assert page.data_block()["user"]["name"] == hostile  # the JSON carries the value intact, escaped
    assert "<script>alert(1)" not in html


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
    assert r.status_code == 200 and len(r.data) - before < 100
    assert "批量企业" not in r.get_data(as_text=True) and "FeatureCollection" not in r.get_data(as_text=True)
    # the view's summary aggregates: 3005 enterprises > max_markers (500) → grid cells, counts per colour
    s = c.get("/api/v1/map/summary?zoom=12&bbox=112.79,35.45,112.91,35.56").get_json()
    assert s["total"] == 3005 and s["aggregated"] is True
    assert s["by_colour"] == {"red": 1, "orange": 1, "yellow": 3001, "blue": 1, "none": 1}
    assert sum(cell["count"] for cell in s["cells"]) == 3005
    assert len(json.dumps(s)) < 100_000


def test_dashboard_and_siting_pages_name_their_parts(client):  # noqa: F811
    dash = client.get("/dashboard").get_data(as_text=True)
    for text in ("四色分级", "按属地", "按监管部门", "按全流程环节", "风险最高", "趋势", "任选两次运行对比", "数据新鲜度"):
        assert text in dash, text
    assert "涉危企业" in dash and "enterprises.csv" in dash and "2026-02-01 09:10" in dash and "#2" in dash
    siting = Page(client.get("/siting").get_data(as_text=True))
    opts = siting.data_block()
    assert opts["page"] == "siting"
    # the facility types come from data/rules/source_classes.csv through the domain
    # the classes of data/rules/source_classes.csv, in the file's order
    assert opts["facilityTypes"] == list(domain().rules.facility_classes) and "加油站" in opts["facilityTypes"]
    assert "液化石油气充装站" in opts["facilityTypes"] and "其他" in opts["facilityTypes"]


@pytest.mark.parametrize("role, visible, hidden", [
    ("leader", ["风险地图", "统计看板"], ["选址核查", "数据运行", "用户管理", "审计日志"]),
    ("analyst", ["风险地图"], ["统计看板", "选址核查", "数据运行", "用户管理", "审计日志"]),
    ("planner", ["风险地图", "统计看板", "选址核查"], ["数据运行", "用户管理", "审计日志"]),
    ("operator", ["风险地图", "统计看板", "选址核查", "数据运行", "用户管理", "审计日志"], []),
])
def test_each_roles_menu_shows_only_what_it_may_open(web_db, role, visible, hidden):  # noqa: F811
    c = as_user(make_app(web_db), role).test_client()
    html = c.get("/").get_data(as_text=True)
    nav = html[html.index('<nav class="hz-menu"'):html.index("</nav>")]
    for label in visible:
        assert label in nav, (role, label)
    for label in hidden:
        assert label not in nav, (role, label)
    # and what is hidden answers a Chinese 403 page
    for path, label in (("/siting", "选址核查"), ("/console", "数据运行"), ("/console/users", "用户管理"), ("/dashboard", "统计看板")):
        r = c.get(path)
        if label in hidden:
            assert r.status_code == 403 and r.mimetype == "text/html", (role, path)
            text = Page(r.get_data(as_text=True)).visible_text()
            assert "无权访问" in text and foreign_words(text) == []
        else:
            assert r.status_code == 200, (role, path)


@pytest.mark.parametrize("role, may_export", [("operator", True), ("planner", True), ("analyst", True),
                                              ("leader", False), ("inspector", False)])
def test_map_export_links_only_for_roles_that_may_download(web_db, role, may_export):  # noqa: F811
    """The map's CSV / GeoJSON / GeoPackage links (enterprises and conflicts) are shown to the
    roles whose downloads the API answers (README "roles": operator, planner, analyst), and the
    API agrees: the others get 403 for the same link."""
    c = as_user(make_app(web_db), role).test_client()
    html = c.get("/").get_data(as_text=True)
    page = Page(html)
    assert page.data_block()["canExport"] is may_export
    links = [f'id="hz-export-{layer}-{fmt}"' for layer in ("enterprises", "conflicts") for fmt in ("csv", "geojson", "gpkg")]
    assert all((link in html) is may_export for link in links), role
    assert ("导出数据" in page.visible_text()) is may_export
    for layer in ("enterprises", "conflicts"):
        with c.get(f"/api/v1/{layer}?format=csv&labels=zh&risk=red") as r:
            assert r.status_code == (200 if may_export else 403), (role, layer)
            assert r.data.startswith("\ufeff".encode()) is may_export  # the CSV itself (UTF-8 with BOM)


def test_error_pages_are_chinese_html_outside_the_api(client, web_db):  # noqa: F811
    r = client.get("/no-such-page")
    assert r.status_code == 404 and r.mimetype == "text/html"
    text = Page(r.get_data(as_text=True)).visible_text()
    assert "未找到" in text and foreign_words(text) == []
    r = client.post("/")
    assert r.status_code == 405 and r.mimetype == "text/html" and "请求方法不支持" in r.get_data(as_text=True)
    api = client.get("/api/v1/no-such-thing")
    assert api.status_code == 404 and api.is_json
    # an unexpected fault: a Chinese 500 page, not a traceback
    from webmap import create_app

    app = as_user(create_app({"DATABASE_URL": web_db}))
    app.add_url_rule("/boom", "boom", lambda: 1 / 0)
    r = app.test_client().get("/boom")
    text = Page(r.get_data(as_text=True)).visible_text()
    assert r.status_code == 500 and "服务器内部错误" in text and "ZeroDivisionError" not in text and foreign_words(text) == []


def test_expired_session_leads_to_the_login_page_with_a_message(client):  # noqa: F811
    from webmap import create_app

    anonymous = create_app({"TESTING": True, "DATABASE_URL": client.application.config["HAZMAP_SETTINGS"].database_url}).test_client()
    r = anonymous.get("/dashboard")
    assert r.status_code == 302 and r.headers["Location"].startswith("/login")
    page = anonymous.get("/login?expired=1&next=/dashboard").get_data(as_text=True)
    text = Page(page).visible_text()
    assert "登录已过期" in text and foreign_words(text) == []
    assert "hazmap user add" not in page


def test_gcj02_basemap_shifts_the_display_not_the_data(web_db):  # noqa: F811
    from hazmap.config import load_settings
    from webmap import create_app

    s = load_settings(env={}, overrides={"database_url": web_db})
    s = replace(s, map=replace(s.map, tile_url="http://tiles.intranet.example/{z}/{x}/{y}.png", tile_datum="gcj02",
                               tile_attribution="天地图（内网代理）", review_number="GS(2024)0650号"))
    c = as_user(create_app({"TESTING": True}, settings=s)).test_client()
    r = c.get("/")
    opts = Page(r.get_data(as_text=True)).data_block()
    assert opts["map"] == {"kind": "tiles", "url": "http://tiles.intranet.example/{z}/{x}/{y}.png", "datum": "gcj02",
                           "attribution": "天地图（内网代理）", "reviewNumber": "GS(2024)0650号", "centre": [112.85, 35.505], "zoom": 12.0}
    assert "img-src 'self' data: blob: http://tiles.intranet.example;" in r.headers["Content-Security-Policy"]
    f = c.get("/api/v1/enterprises/1").get_json()
    assert f["geometry"]["coordinates"] == [112.85, 35.5]  # stored WGS-84, unshifted


def test_mbtiles_basemap_is_served_with_the_tms_row_flip(web_db, tmp_path):  # noqa: F811
    import sqlite3

    from hazmap.config import load_settings
    from webmap import create_app

    path = tmp_path / "base.mbtiles"
    with sqlite3.connect(path) as db:  # MBTiles 1.3: tiles(zoom_level, tile_column, tile_row TMS, tile_data)
        db.execute("create table metadata (name text, value text)")
        db.execute("create table tiles (zoom_level integer, tile_column integer, tile_row integer, tile_data blob)")
        db.execute("insert into metadata values ('format', 'png')")
        # XYZ (12, 3335, 1626) is TMS row 2^12 - 1 - 1626 = 2469
        db.execute("insert into tiles values (12, 3335, 2469, ?)", (b"\x89PNG-tile-12-3335-1626",))
    toml = tmp_path / "hazmap.toml"
    toml.write_text('[map]\nbasemap_file = "base.mbtiles"\ntile_attribution = "城区底图"\nreview_number = "晋S(2025)001号"\n',
                    encoding="utf-8")
    s = replace(load_settings(path=toml, env={}), database_url=web_db)
    assert s.map.basemap_file == str(tmp_path / "base.mbtiles")  # relative to the config file
    c = as_user(create_app({"TESTING": True}, settings=s)).test_client()
    r = c.get("/basemap/12/3335/1626")
    assert r.status_code == 200 and r.mimetype == "image/png" and r.data == b"\x89PNG-tile-12-3335-1626"
    assert c.get("/basemap/12/3335/1627").status_code == 204
    assert c.get("/basemap/1/5/0").status_code == 404
    opts = Page(c.get("/").get_data(as_text=True)).data_block()
    assert opts["map"]["kind"] == "mbtiles" and opts["map"]["url"] == "/basemap/{z}/{x}/{y}"
    assert opts["map"]["reviewNumber"] == "晋S(2025)001号"
    # a vector MBTiles (pbf) would be drawn as blank images: refused at start, in Chinese; so is a non-MBTiles file
    from hazmap.config import ConfigError

    with sqlite3.connect(path) as db:
        db.execute("update metadata set value = 'pbf' where name = 'format'")
    with pytest.raises(ConfigError, match="只支持栅格 MBTiles"):
        load_settings(path=toml, env={})
    path.write_bytes(b"not a database at all, just text" * 10)
    with pytest.raises(ConfigError, match="不是可读的 MBTiles"):
        load_settings(path=toml, env={})


def test_app_factory_registers_one_blueprint_per_area(web_db):  # noqa: F811
    from webmap import create_app

    app = create_app({"TESTING": True, "DATABASE_URL": web_db, "SECRET_KEY": "t"})
    assert app.config["TESTING"] and app.config["SECRET_KEY"] == "t"
    assert set(app.blueprints) >= {"api", "riskmap", "dashboard", "siting", "console", "printing", "tools",
                                   "history", "basemap"}
    assert app.test_client().get("/api/v1/enterprises?limit=1").status_code == 401
    assert as_user(app).test_client().get("/api/v1/enterprises?limit=1").status_code == 200


def _node() -> str:
    """Node.js for the page-script tests: required under CI, a skip only on a laptop without it."""
    node = shutil.which("node")
    if node is None:
        if os.environ.get("CI") == "true":
            pytest.fail("node not installed (apt-get install nodejs)", pytrace=False)
        pytest.skip("node not installed")
    return node


def test_display_shift_in_the_browser_matches_geo_crs():
    """common.js shifts drawn data for a GCJ-02 basemap; it must agree with geo.crs (the one truth)."""
    from geo.crs import wgs84_to_gcj02

    node = _node()
    points = [(112.85, 35.50), (112.70, 35.38), (113.00, 35.66), (116.39, 39.91), (87.6, 43.8), (110.3, 20.0)]
    script = (f"global.window = {{}}; require({json.dumps(str(STATIC / 'common.js'))});"
              f"console.log(JSON.stringify({json.dumps(points)}.map(function (p) {{"
              f" return window.hz.gcj(p[1], p[0]); }})));")
    out = json.loads(subprocess.run([node, "-e", script], check=True, capture_output=True, text=True).stdout)
    for (lon, lat), (jlat, jlon) in zip(points, out):
        plon, plat = wgs84_to_gcj02(lon, lat)
        assert abs(plon - jlon) < 1e-9 and abs(plat - jlat) < 1e-9, (lon, lat)


def test_page_helpers_in_node_format_fields_numbers_and_dms():
    node = _node()
    from webmap.labels import FIELD_LABEL

    script = (f"global.window = {{}}; global.document = {{getElementById: function () {{ return {{textContent: "
              f"{json.dumps(json.dumps({'labels': {'fields': FIELD_LABEL}}))}}}; }}}};"
              f"require({json.dumps(str(STATIC / 'common.js'))}); var hz = window.hz;"
              "console.log(JSON.stringify([hz.fieldLabel('inventory[0].quantity_t'), hz.fieldLabel('location.lon'),"
              " hz.num(35014.899999999994), hz.dms(112.85, 'E', 'W'), hz.parseDMS('112°51′00″E'),"
              " hz.parseDMS('35 30 36'), hz.parseDMS('112°61′'), hz.esc('<img src=x onerror=1>'),"
              " hz.textOn('#2F80ED'), hz.textOn('#F2C94C'), hz.sci(2.64e-8), hz.sci(3e-6, 1), hz.sci(0)]));")
    out = json.loads(subprocess.run([node, "-e", script], check=True, capture_output=True, text=True).stdout)
    assert out[0] == "化学品清单第 1 行的数量（吨）" and out[1] == "位置的经度（或横坐标）"
    assert out[2] == "35,014.9"  # grouped, one decimal, never 35014.899999999994
    assert out[3] == "112°51′00.00″E"  # 0.85° = 51′ exactly
    assert abs(out[4] - 112.85) < 1e-12 and abs(out[5] - (35 + 30 / 60 + 36 / 3600)) < 1e-12 and out[6] is None
    assert out[7] == "&lt;img src=x onerror=1&gt;"
    # WCAG contrast: white on #2F80ED is 4.0:1, black 5.2:1 → black; on yellow #F2C94C black (13.3:1)
    assert out[8] == "#000000" and out[9] == "#000000"
    # frequencies as the server's per_year writes them (2.64×10⁻⁸), never 2.64e-8
    from geo.consequence.risk import per_year

    assert out[10] == "2.64×10⁻⁸" == per_year(2.64e-8).removesuffix("/年")
    assert out[11] == "3.0×10⁻⁶" and out[12] == "0"


def test_page_helpers_in_node_say_network_failures_and_limits_in_chinese():
    """fetch's own English (TypeError: Failed to fetch) never reaches a page: hz.getJSON and hz.post
    reject with a Chinese message (an abort stays an abort, a server's message stays the server's);
    a limit's setting name given as the error's field is not put in front of the message."""
    node = _node()
    from webmap.labels import FIELD_LABEL

    script = (f"global.window = {{}}; global.document = {{getElementById: function () {{ return {{textContent: "
              f"{json.dumps(json.dumps({'labels': {'fields': FIELD_LABEL}}))}}}; }}, querySelector: function () {{ return null; }}}};"
              f"require({json.dumps(str(STATIC / 'common.js'))}); var hz = window.hz, out = [];"
              """
              var answers = [
                function () { return Promise.reject(new TypeError('Failed to fetch')); },
                function () { var e = new Error('The user aborted a request.'); e.name = 'AbortError'; return Promise.reject(e); },
                function () { return Promise.resolve({status: 400, ok: false, headers: {get: function () { return 'application/json'; }},
                  json: function () { return Promise.resolve({error: {field: 'bbox', message: '查询范围面积超过上限 25 平方度，请缩小范围'}}); }}); }
              ];
              var n = 0;
              global.fetch = function () { return answers[n++ % answers.length](); };
              var seen = function (e) { out.push({name: e.name, message: e.message, network: !!e.network}); };
              hz.getJSON('/api/v1/enterprises').catch(seen)
                .then(function () { return hz.getJSON('/api/v1/enterprises').catch(seen); })
                .then(function () { return hz.getJSON('/api/v1/enterprises').catch(seen); })
                .then(function () { return hz.post('/api/v1/siting/check', {}).catch(seen); })
                .then(function () {
                  out.push(hz.errorText({field: 'siting_checks_per_minute', message: '选址核查过于频繁：每人每分钟最多 60 次，请 12 秒后再试'}));
                  out.push(hz.errorText({field: 'location.lon', message: '应在 73 到 136 之间'}));
                  console.log(JSON.stringify(out));
                });""")
    out = json.loads(subprocess.run([node, "-e", script], check=True, capture_output=True, text=True).stdout)
    net, abort, server, posted, limit, field = out
    assert net == {"name": "Error", "message": "网络连接失败，请检查网络后重试", "network": True}
    assert abort["name"] == "AbortError" and not abort["network"]  # the sequences still drop aborts silently
    assert server == {"name": "Error", "message": "查询范围面积超过上限 25 平方度，请缩小范围", "network": False}
    assert posted == net  # hz.post the same (fetch's 4th answer: the network failure again)
    assert limit == "选址核查过于频繁：每人每分钟最多 60 次，请 12 秒后再试" and foreign_words(limit) == []
    assert field.startswith("（位置的经度") and field.endswith("应在 73 到 136 之间")


def test_consequence_overlay_popups_link_the_enterprise_file_and_escape_names():
    """The threat-zone, contour and IR-check popups name the enterprise as a link to its file (一企一档);
    a hostile name stays text."""
    node = _node()
    props = {"enterprise_id": 7, "enterprise": "<img src=x onerror=1>化工", "unit_name": "储罐", "label": "1×10⁻⁵",
             "area_m2": 1, "cell_m": 10, "targets_inside": 0, "people_inside": 0, "source": "GB 36894", "status": "standard",
             "consequence_version": "v", "chemical": "氯", "endpoint_label": "AEGL-2", "distance_m": 100,
             "target": "小学", "category": "school", "individual_risk_per_year": 1e-6, "criterion_per_year": 3e-7,
             "met": False, "installation": "new", "level_per_year": 1e-5}
    script = (f"global.window = {{}}; global.document = {{getElementById: function () {{ return null; }}}};"
              f"require({json.dumps(str(STATIC / 'common.js'))}); var hz = window.hz; global.hz = hz;"
              "var got = []; hz.overlay = function (o) { got.push(o); };"
              f"require({json.dumps(str(STATIC / 'overlays_consequence.js'))});"
              f"var f = {{properties: {json.dumps(props, ensure_ascii=False)}}};"
              "console.log(JSON.stringify(got.map(function (o) { return o.popup(f); })));")
    out = json.loads(subprocess.run([node, "-e", script], check=True, capture_output=True, text=True).stdout)
    assert len(out) == 3
    for html in out:
        assert "<a href='/enterprises/7'>&lt;img src=x onerror=1&gt;化工</a>" in html and "<img" not in html


def test_a_viewed_past_run_rides_on_every_api_read_but_the_run_lists():
    """hz.withRun: a page opened on run N sends run=N with its /api/v1 reads (so the server pins them), never
    with the run list, trends, comparisons or histories (they are about runs), nor off the API."""
    node = _node()
    script = ("global.window = {}; global.document = {getElementById: function () { return {textContent: "
              + json.dumps(json.dumps({"viewRun": 7})) + "}; }};"
              f"require({json.dumps(str(STATIC / 'common.js'))}); var hz = window.hz;"
              "console.log(JSON.stringify(['/api/v1/enterprises?risk=red', '/api/v1/stats', '/api/v1/enterprises/5',"
              " '/api/v1/trends?limit=100', '/api/v1/runs', '/api/v1/changes?from=1&to=2', '/api/v1/enterprises/5/history',"
              " '/basemap/1/2/3'].map(hz.withRun)));")
    out = json.loads(subprocess.run([node, "-e", script], check=True, capture_output=True, text=True).stdout)
    assert out == ["/api/v1/enterprises?risk=red&run=7", "/api/v1/stats?run=7", "/api/v1/enterprises/5?run=7",
                   "/api/v1/trends?limit=100", "/api/v1/runs", "/api/v1/changes?from=1&to=2",
                   "/api/v1/enterprises/5/history", "/basemap/1/2/3"]

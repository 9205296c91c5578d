"""The pages in real headless Chromium, with only 127.0.0.1 reachable: the map (four colours,
counts, legend, popups, the race between a slow and a newer request, search, print PDF), the
siting page, the dashboard, the console, phone layout, a Chinese-only scan of every page and of
the 403/404/500 pages, and hostile names from the data that must never run script.

Fails (never skips) when Chromium is missing in CI (``CI=true`` or ``REQUIRE_BROWSER=1``).
Screenshots are saved under ``tests/output/``.
"""

from __future__ import annotations

import base64
import getpass
import io
import os
import shutil
import threading
import time
from pathlib import Path

import pytest

from tests.pages_helpers import foreign_words

pytestmark = pytest.mark.browser
OUT = Path(__file__).resolve().parent / "output"
CHROMIUM = shutil.which("chromium") or "/usr/bin/chromium"
DRIVER = shutil.which("chromedriver") or "/usr/bin/chromedriver"
PASSWORD = "测试密码-123"


def _require_browser():
    missing = [p for p in (CHROMIUM, DRIVER) if not Path(p).exists()]
    if missing:
        msg = f"Chromium/ChromeDriver not installed: {missing} (apt-get install chromium chromium-driver)"
        if os.environ.get("CI") == "true" or os.environ.get("REQUIRE_BROWSER") == "1":
            pytest.fail(msg, pytrace=False)
        pytest.skip(msg)


def _serve(url: str):
    from werkzeug.serving import make_server

    from hazmap.config import load_settings
    from webmap import create_app

    # plain http on loopback, as `hazmap serve` runs it: the session cookie is not Secure here
    settings = load_settings(env={}, overrides={"database_url": url, "secure_cookies": False})
    app = create_app(settings=settings)

    def boom():
        raise RuntimeError("deliberate fault for the 500 page")

    app.add_url_rule("/_test/boom", "boom", boom)
    srv = make_server("127.0.0.1", 0, app, threaded=True)
    threading.Thread(target=srv.serve_forever, daemon=True).start()
    return srv, f"http://127.0.0.1:{srv.server_port}"


@pytest.fixture(scope="module")
def server(demo_db):
    srv, base = _serve(demo_db[0])
    yield base
    srv.shutdown()


def _driver(size: str = "1366,768"):
    _require_browser()
    from selenium import webdriver
    from selenium.webdriver.chrome.service import Service

    opts = webdriver.ChromeOptions()
    opts.binary_location = CHROMIUM
    for flag in ("--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking",
                 "--no-first-run", "--disable-component-update", "--disable-sync", f"--window-size={size}",
                 # only 127.0.0.1 resolves: a page that needs the internet fails here
                 "--host-resolver-rules=MAP * ~NOTFOUND , EXCLUDE 127.0.0.1"):
        opts.add_argument(flag)
    opts.set_capability("goog:loggingPrefs", {"browser": "ALL"})
    drv = webdriver.Chrome(service=Service(DRIVER), options=opts)
    drv.set_page_load_timeout(60)
    return drv


@pytest.fixture(scope="module")
def browser():
    drv = _driver()
    yield drv
    drv.quit()


def _wait(drv, js: str, timeout: float = 30.0):
    end = time.time() + timeout
    while time.time() < end:
        v = drv.execute_script(js)
        if v:
            return v
        time.sleep(0.2)
    raise AssertionError(f"timed out waiting for: {js}")


def _errors(drv, allow: tuple[str, ...] = ()) -> list[str]:
    return [e["message"] for e in drv.get_log("browser") if e["level"] == "SEVERE"
            and not any(a in e["message"] for a in allow)]


def _forget_failed_logins(url: str) -> None:
    """Other tests on the shared demo database fail logins from 127.0.0.1 on purpose; their
    per-address backoff must not slow this browser's login (it is the same address)."""
    import sqlalchemy as sa

    from hazmap.db.session import get_engine

    with get_engine(url).begin() as conn:
        conn.execute(sa.text("delete from login_throttle"))


def _login(drv, base: str, url: str, role: str = "operator") -> dict:
    from tests.helpers import make_user

    user = make_user(url, role, password=PASSWORD)
    _forget_failed_logins(url)
    # leave the previous page first: a late response of its requests would set its session cookie again
    # over the login page's (whose CSRF token the form carries) and the login would answer 400
    drv.get("about:blank")
    drv.get(base + "/login")  # the cookies of this origin can be deleted only from a page of it
    drv.delete_all_cookies()
    drv.get_log("browser")  # the console of earlier tests (their deliberate 4xx/5xx) is theirs: drained
    drv.get(base + "/login")
    _wait(drv, "return document.getElementById('login-submit') !== null")
    drv.find_element("name", "name").send_keys(user["name"])
    drv.find_element("name", "password").send_keys(PASSWORD)
    drv.find_element("id", "login-submit").click()
    _wait(drv, "return location.pathname === '/' ? true : null")
    return user


MAP_READY = "return window.hazmap && hazmap.layers && hazmap.layers.enterprises.getLayers().length > 0 && " \
            "document.getElementById('hz-loading').hidden ? true : null"
COLOURS_JS = """
var seen = {};
hazmap.layers.enterprises.getLayers().forEach(function (m) {
  var c = m.feature.properties.risk_color || 'none'; seen[c] = (seen[c] || 0) + 1; });
return seen;
"""


@pytest.fixture(scope="module")
def logged_in(server, browser, demo_db):
    return _login(browser, server, demo_db[0])


def test_anonymous_visitor_sees_only_the_login_page(server, browser):
    browser.delete_all_cookies()
    browser.get(server + "/dashboard")
    _wait(browser, "return location.pathname === '/login' ? true : null")
    assert "登录" in browser.title
    browser.find_element("name", "name").send_keys("不存在的用户")
    browser.find_element("name", "password").send_keys("wrong")
    browser.find_element("id", "login-submit").click()
    assert "用户名或密码错误" in _wait(browser, "var e = document.getElementById('login-error'); return e ? e.innerText : null;")
    assert _errors(browser) == []


def test_risk_map_colours_counts_legend_basemap_and_popup(server, browser, logged_in):
    OUT.mkdir(exist_ok=True)
    browser.get(server + "/")
    _wait(browser, MAP_READY)
    seen = browser.execute_script(COLOURS_JS)
    # every colour the demo's grades give is drawn (red appears once the demo's assessments say so)
    assert {"orange", "yellow", "blue"} <= set(seen) <= {"red", "orange", "yellow", "blue"}
    top = "red" if "red" in seen else "orange"
    # the counts panel says what is drawn: total and per colour (read in one go: the panel re-renders
    # whenever a response lands, so element handles can go stale between two reads)
    panel = _wait(browser, """
        var t = document.getElementById('hz-total'); if (!t) { return null; }
        var out = {total: t.textContent}; document.querySelectorAll('#hz-count li[data-colour]').forEach(function (li) {
          out[li.getAttribute('data-colour')] = li.textContent; }); return out;""")
    assert int(panel["total"].replace(",", "")) == sum(seen.values())
    for c, n in seen.items():
        assert f"{n} 家" in panel[c], (c, panel[c])
    legend = browser.find_element("id", "hz-legend").text
    for label in ("重大风险", "较大风险", "一般风险", "低风险", "重大危险源", "距离冲突", "高后果区"):
        assert label in legend, label
    # the legend's ring sample uses the colour model's hexes (not a copy in the stylesheet)
    sample = browser.execute_script("var e = document.querySelector('.hz-ring-sample'); return e && e.style.background;")
    hexes = browser.execute_script("return window.hz.colourHex('orange') + ' ' + window.hz.colourHex('yellow');")
    for hx in hexes.split():
        r, g, b = (int(hx[i:i + 2], 16) for i in (1, 3, 5))
        assert f"rgb({r}, {g}, {b})" in sample, (hx, sample)
    # a basemap drawn from the data: town names always labelled, roads drawn, metric scale in Chinese
    labels = browser.execute_script("return Array.prototype.map.call(document.querySelectorAll('.hz-place-label'), "
                                    "function (e) { return e.textContent; })")
    assert "开发区街道" in labels and len(labels) == 9
    assert browser.execute_script("return document.querySelectorAll('.hz-road-label').length") > 5
    scale = browser.find_element("css selector", ".leaflet-control-scale").text
    assert ("米" in scale or "千米" in scale) and "mi" not in scale and "ft" not in scale
    attribution = browser.find_element("css selector", ".leaflet-control-attribution").text
    assert attribution.startswith("底图：") and "Leaflet" not in attribution
    # clusters show the colour mix: a conic-gradient ring with more than one colour somewhere
    rings = browser.execute_script("return Array.prototype.map.call(document.querySelectorAll('.hz-ring-outer'), "
                                   "function (e) { return e.style.background; })")
    assert rings and any(r.count("deg") >= 4 for r in rings)
    browser.save_screenshot(str(OUT / "map.png"))
    # the popup of a most severe enterprise
    browser.execute_script("""
        var want = arguments[0];
        var top = hazmap.layers.enterprises.getLayers().filter(function (m) {
          return m.feature.properties.risk_color === want; })[0];
        hazmap.layers.enterprises.zoomToShowLayer(top, function () { top.openPopup(); });""", top)
    popup = _wait(browser, "var p = document.querySelector('.hz-popup'); return p ? p.innerText : null;")
    for text in ({"red": "重大风险", "orange": "较大风险"}[top], "评分", "环节：", "监管部门：", "属地：", "定位：", "距离冲突："):
        assert text in popup, (text, popup)
    browser.save_screenshot(str(OUT / "map-popup.png"))
    assert _errors(browser) == []


def test_a_slow_earlier_response_never_overwrites_a_newer_one(server, browser, logged_in):
    browser.get(server + "/")
    _wait(browser, MAP_READY)
    # delay every unfiltered summary/enterprise response by 2 s and ignore its abort signal, so the
    # old response really arrives after the newer one — only the sequence check can drop it
    browser.execute_script("""
        var orig = window.fetch;
        window.__slow = 0;
        window.fetch = function (url, opts) {
          var u = String(url);
          if ((u.indexOf('/map/summary') >= 0 || u.indexOf('/enterprises?') >= 0) && u.indexOf('risk=') < 0) {
            window.__slow += 1;
            return new Promise(function (r) { setTimeout(r, 2000); }).then(function () {
              return orig(url, {credentials: 'same-origin'});
            }).then(function (resp) { window.__slow -= 1; return resp; });
          }
          return orig(url, opts);
        };
        hazmap.reload(true);                                   // slow: all colours
        var f = document.getElementById('hz-filters');
        f.risk.value = 'orange'; f.dispatchEvent(new Event('change'));  // newer: orange only""")
    _wait(browser, "return window.__slow > 0 ? true : null", timeout=5)
    _wait(browser, "return window.__slow === 0 ? true : null", timeout=15)
    time.sleep(0.5)
    seen = browser.execute_script(COLOURS_JS)
    assert set(seen) == {"orange"}, seen
    assert int(browser.find_element("id", "hz-total").text) == seen["orange"]
    assert browser.find_element("id", "f-risk").get_attribute("value") == "orange"
    # the conflict lines follow the filter: each belongs to a drawn (orange) enterprise
    assert browser.execute_script("""
        var ids = {}; hazmap.layers.enterprises.getLayers().forEach(function (m) { ids[m.feature.id] = 1; });
        var ok = true; hazmap.layers.conflicts.eachLayer(function (g) { g.eachLayer(function (l) {
          if (!ids[l.feature.properties.enterprise_id]) { ok = false; } }); });
        return ok;""")
    browser.save_screenshot(str(OUT / "map-one-colour.png"))


def test_search_lists_results_and_zooms_to_one(server, browser, logged_in):
    browser.get(server + "/")
    _wait(browser, MAP_READY)
    box = browser.find_element("id", "s-q")
    box.send_keys("加油站")
    browser.execute_script("document.getElementById('hz-search').requestSubmit();")
    first = _wait(browser, "var b = document.querySelector('#hz-search-results button'); return b ? b.innerText : null;")
    assert "加油站" in first and "企业" in first
    browser.execute_script("document.querySelector('#hz-search-results button').click();")
    assert _wait(browser, "return hazmap.map.getZoom() >= 16 ? true : null")
    assert browser.execute_script("return hazmap.layers.tools.getLayers().length") == 1


def test_print_link_carries_the_filters_and_the_pdf_reads_in_chinese(server, browser, logged_in):
    from pypdf import PdfReader

    browser.get(server + "/?risk=red,orange")
    _wait(browser, MAP_READY)
    href = browser.find_element("id", "hz-pdf").get_attribute("href")
    assert "risk=red%2Corange" in href and "bbox=" in href
    b64 = browser.execute_async_script("""
        var done = arguments[arguments.length - 1];
        fetch(document.getElementById('hz-pdf').href, {credentials: 'same-origin'}).then(function (r) { return r.arrayBuffer(); })
          .then(function (buf) { var s = '', a = new Uint8Array(buf); for (var i = 0; i < a.length; i++) { s += String.fromCharCode(a[i]); }
            done(btoa(s)); });""")
    text = "".join(p.extract_text() for p in PdfReader(io.BytesIO(base64.b64decode(b64))).pages).replace(" ", "").replace("\n", "")
    for t in ("危险化学品安全风险分布图", "风险：重大风险、较大风险", "审图号", "数据版本", "北"):
        assert t in text, t


PRINT_PROBE = """
    // after the page's own print handlers (registered first): what Leaflet believes and what the print layout gives
    var d = L.latLngBounds(arguments[0]);
    window.__printed = null;
    matchMedia('print').addEventListener('change', function (e) {
      if (!e.matches) { return; }
      var m = hazmap.map, el = m.getContainer(), s = m.getSize(), c = m.latLngToContainerPoint(d.getCenter());
      window.__printed = {width: el.clientWidth, height: el.clientHeight, leaflet: [s.x, s.y], centre: [c.x, c.y],
        contains: m.getBounds().contains(d)};
    });"""


def test_export_links_carry_the_maps_filters_and_view(server, browser, logged_in):
    """An operator's export links: the enterprise list request's filters and bbox (what the counts
    panel counts), CSV with Chinese column titles; conflicts by risk, town and view only; the
    GeoJSON download holds the enterprises the panel counts."""
    import json
    from urllib.parse import parse_qs, urlsplit

    browser.get(server + "/?risk=red,orange,yellow&stage=storage")
    _wait(browser, MAP_READY)
    # one list request of a settled map, to compare the links with
    browser.execute_script("performance.clearResourceTimings(); hazmap.reload(true);")
    listed = _wait(browser, """var u = performance.getEntriesByType('resource').map(function (e) { return e.name; })
        .filter(function (n) { return n.indexOf('/api/v1/enterprises?') >= 0; }); return u.length === 1 ? u[0] : null;""")
    want = {k: v for k, v in parse_qs(urlsplit(listed).query).items() if k != "limit"}
    links = {}
    for layer in ("enterprises", "conflicts"):
        for fmt in ("csv", "geojson", "gpkg"):
            links[layer, fmt] = parse_qs(urlsplit(browser.find_element("id", f"hz-export-{layer}-{fmt}").get_attribute("href")).query)
    for fmt in ("csv", "geojson", "gpkg"):
        e = links["enterprises", fmt]
        assert e.pop("format") == [fmt] and e.pop("labels", None) == (["zh"] if fmt == "csv" else None)
        assert e == want and e["risk"] == ["red,orange,yellow"] and e["stage"] == ["storage"] and "bbox" in e, (fmt, e)
        k = links["conflicts", fmt]
        assert k["risk"] == ["red,orange,yellow"] and k["bbox"] == want["bbox"] and "stage" not in k
    assert browser.find_element("id", "hz-export-note").is_displayed()  # says the stage filter is not the conflicts'
    # a filter changed on the page moves the links with it
    browser.execute_script("var f = document.getElementById('hz-filters'); f.risk.value = 'orange'; f.stage.value = ''; "
                           "f.dispatchEvent(new Event('change'));")
    _wait(browser, "return document.getElementById('hz-export-enterprises-geojson').href.indexOf('risk=orange&') > 0 "
                   "|| /risk=orange$/.test(document.getElementById('hz-export-enterprises-geojson').href) ? true : null")
    _wait(browser, MAP_READY)
    total = int(_wait(browser, "var t = document.getElementById('hz-total'); return t ? t.textContent : null;").replace(",", ""))
    body = browser.execute_async_script("""var done = arguments[arguments.length - 1];
        fetch(document.getElementById('hz-export-enterprises-geojson').href, {credentials: 'same-origin'})
          .then(function (r) { return r.text(); }).then(done);""")
    fc = json.loads(body)
    assert len(fc["features"]) == total and {f["properties"]["risk_color"] for f in fc["features"]} == {"orange"}
    assert not browser.find_element("id", "hz-export-note").is_displayed()
    assert _errors(browser) == []


def test_browser_print_is_one_a4_sheet_with_the_district_centred(server, browser, logged_in):
    """The browser's own print of the map (Chromium's print to PDF, as 打印当前地图 does): one A4
    landscape page, the title once, 审图号 and the north arrow; Leaflet measures the sheet's map
    (beforeprint / the print media query) and fits the district into it, centred; the screen view
    comes back afterwards."""
    from pypdf import PdfReader

    browser.get(server + "/")
    _wait(browser, MAP_READY)
    district = browser.execute_async_script("""var done = arguments[arguments.length - 1];
        hz.basemapReady.then(function (b) { var x = b.bounds; done([[x.getSouth(), x.getWest()], [x.getNorth(), x.getEast()]]); });""")
    screen = browser.execute_script("var s = hazmap.map.getSize(), c = hazmap.map.getCenter(); "
                                    "return [s.x, s.y, hazmap.map.getZoom(), c.lat, c.lng];")
    browser.execute_script(PRINT_PROBE, district)
    pdf = base64.b64decode(browser.execute_cdp_cmd("Page.printToPDF", {"printBackground": True,
                                                                       "preferCSSPageSize": True})["data"])
    OUT.mkdir(exist_ok=True)
    (OUT / "map-print.pdf").write_bytes(pdf)
    reader = PdfReader(io.BytesIO(pdf))
    assert len(reader.pages) == 1
    box = reader.pages[0].mediabox
    assert abs(float(box.width) - 841.9) < 3 and abs(float(box.height) - 595.3) < 3  # A4 landscape, in points
    text = reader.pages[0].extract_text().replace(" ", "").replace("\n", "")
    assert text.count("危险化学品安全风险分布图") == 1  # the print header's, not the panel's again
    for t in ("审图号", "▲北", "数据版本", "图例", "重大风险", "坐标：WGS-84"):
        assert t in text, t
    p = browser.execute_script("return window.__printed")
    assert p, "the print media query never changed"
    # Leaflet was told the sheet's size (a stale screen size draws the district off-centre and clipped)
    assert abs(p["leaflet"][0] - p["width"]) <= 1 and abs(p["leaflet"][1] - p["height"]) <= 1, p
    assert p["width"] < screen[0] - 50 and p["height"] > screen[1] + 30, (p, screen)  # really another size
    # the whole district is on the sheet, centred
    assert p["contains"], p
    assert abs(p["centre"][0] - p["width"] / 2) < 0.03 * p["width"], p
    assert abs(p["centre"][1] - p["height"] / 2) < 0.03 * p["height"], p
    after = browser.execute_script("var s = hazmap.map.getSize(), c = hazmap.map.getCenter(); "
                                   "return [s.x, s.y, hazmap.map.getZoom(), c.lat, c.lng];")
    assert after[:3] == screen[:3] and abs(after[3] - screen[3]) < 1e-3 and abs(after[4] - screen[4]) < 1e-3
    assert not browser.execute_script("return document.documentElement.classList.contains('hz-printing')")
    assert _errors(browser) == []


def test_network_failure_reads_in_chinese(server, browser, logged_in):
    """With the network gone (Chromium offline), the map's counts, list and search say so in Chinese —
    never fetch's own "Failed to fetch"."""
    browser.get(server + "/")
    _wait(browser, MAP_READY)
    browser.execute_cdp_cmd("Network.enable", {})
    try:
        browser.execute_cdp_cmd("Network.emulateNetworkConditions", {"offline": True, "latency": 0,
                                                                     "downloadThroughput": -1, "uploadThroughput": -1})
        browser.execute_script("hazmap.reload(true);")
        count = _wait(browser, "var t = document.getElementById('hz-count').innerText; return t.indexOf('失败') >= 0 ? t : null;")
        assert count == "统计失败：网络连接失败，请检查网络后重试", count
        browser.execute_script("var f = document.getElementById('hz-search'); f.q.value = '加油站'; f.requestSubmit();")
        found = _wait(browser, "var e = document.querySelector('#hz-search-results .hz-error'); return e ? e.innerText : null;")
        assert found == "网络连接失败，请检查网络后重试"
        text = browser.execute_script("return document.body.innerText")
        assert "Failed to fetch" not in text and "NetworkError" not in text and "TypeError" not in text
    finally:
        browser.execute_cdp_cmd("Network.emulateNetworkConditions", {"offline": False, "latency": 0,
                                                                     "downloadThroughput": -1, "uploadThroughput": -1})
        browser.execute_cdp_cmd("Network.disable", {})
        browser.get_log("browser")  # the failed requests' console lines are this test's, on purpose
    browser.execute_script("hazmap.reload(true);")
    _wait(browser, "var t = document.getElementById('hz-total'); return t ? true : null;")  # back once the network is


def test_planner_tools_buffer_and_gauss_kruger_entry(server, browser, logged_in):
    browser.get(server + "/")
    _wait(browser, MAP_READY)
    browser.execute_script("""
        document.getElementById('hz-tools').open = true;
        var f = document.getElementById('hz-goto'); f.crs.value = 'EPSG:4547'; f.crs.dispatchEvent(new Event('change'));
        f.x.value = '395658.90'; f.y.value = '3930673.60'; f.requestSubmit();""")
    out = _wait(browser, "var e = document.getElementById('hz-goto-wgs84'); return e ? e.innerText : null;")
    assert "112.850000, 35.500000" in out and "112°51′00.00″E" in out
    assert browser.find_element("id", "g-x-label").text == "横坐标 X（东，米）"
    browser.execute_script("""
        var f = document.getElementById('hz-buffer'); f.radius.value = '1000'; f.requestSubmit();
        hazmap.map.fire('click', {latlng: L.latLng(35.5, 112.85)});""")
    n = _wait(browser, "var e = document.getElementById('hz-buffer-enterprises'); return e ? e.innerText : null;")
    assert int(n) >= 1
    readout = browser.execute_script("hazmap.map.fire('mousemove', {latlng: L.latLng(35.5, 112.85)}); "
                                     "return document.getElementById('hz-readout').innerText;")
    assert "112.850000, 35.500000" in readout and "35°30′00.00″N" in readout


def test_siting_page_verdict_rings_and_lines(server, browser, logged_in):
    browser.get(server + "/siting")
    _wait(browser, "return window.hazmap && document.getElementById('hz-siting-form') !== null")
    facilities = browser.execute_script("return Array.prototype.map.call(document.getElementById('s-facility').options, "
                                        "function (o) { return o.value; })")
    assert "加油站" in facilities and "危化品仓库" in facilities
    browser.execute_script("""
        var f = document.getElementById('hz-siting-form');
        f.facility_type.value = '危化品仓库'; f.stage.value = 'storage'; f.lon.value = '112.85'; f.lat.value = '35.50'; f.crs.value = 'wgs84';
        f.requestSubmit();""")
    text = _wait(browser, "var v = document.getElementById('hz-verdict'); return v ? v.innerText : null;")
    assert "初筛发现距离不足" in text or "初筛未发现距离不足" in text
    assert "可以选址" not in text and "不予选址" not in text
    _wait(browser, "var n = 0; hazmap.layers.result.eachLayer(function (l) { if (l instanceof L.CircleMarker && "
                   "!(l instanceof L.Circle)) { n += 1; } }); return n > 0 ? true : null")
    kinds = browser.execute_script("""var k = {}; hazmap.layers.result.eachLayer(function (l) {
        var n = l instanceof L.Circle ? 'ring' : l instanceof L.CircleMarker ? 'point' : l instanceof L.Polyline ? 'line' : 'pin';
        k[n] = (k[n] || 0) + 1; }); return k;""")
    assert kinds.get("pin") == 1 and kinds.get("ring", 0) >= 1 and kinds.get("point", 0) >= 1
    if "初筛发现距离不足" in text:
        assert kinds.get("line", 0) >= 1  # a line to each conflicting target
    assert not browser.find_element("id", "hz-siting-pdf").get_attribute("disabled")
    # an input error names the field in Chinese (no developer path)
    browser.execute_script("""
        var f = document.getElementById('hz-siting-form'); f.lon.value = 'abc'; f.requestSubmit();""")
    err = _wait(browser, "var e = document.getElementById('hz-siting-error'); return e ? e.innerText : null;")
    assert "经度" in err and "location" not in err
    browser.execute_script("document.getElementById('hz-feasible').requestSubmit();")
    share = _wait(browser, "var r = document.getElementById('hz-feasible-result'); "
                           "return r && r.innerText.indexOf('占全区') >= 0 ? r.innerText : null;")
    assert "%" in share
    browser.save_screenshot(str(OUT / "siting.png"))
    assert _errors(browser, allow=("siting/check - Failed to load resource: the server responded with a status of 400",)) == []


def test_dashboard_numbers_on_bars_and_drill_down(server, browser, logged_in):
    browser.get(server + "/dashboard")
    _wait(browser, "return document.querySelectorAll('#top tbody tr').length > 0")
    assert _wait(browser, "return window.Chart && Object.keys(Chart.instances).length >= 5")
    head = browser.find_element("id", "hz-headline").text
    assert "涉危企业" in head and "重大危险源企业" in head and "许可证过期" in head
    # the top list is ordered by colour, then score
    order = browser.execute_script("""return Array.prototype.map.call(document.querySelectorAll('#top tbody tr'),
        function (tr) { return tr.cells[2].innerText; });""")
    ranks = [["重大风险", "较大风险", "一般风险", "低风险"].index(c) for c in order]
    assert ranks == sorted(ranks)
    browser.save_screenshot(str(OUT / "dashboard.png"))
    # clicking a bar opens the map with that filter
    browser.execute_script("""
        var ch = Chart.getChart('c-town'), meta = ch.getDatasetMeta(3), el = meta.data[0];
        ch.options.onClick({}, [{datasetIndex: 3, index: 0, element: el}]);""")
    _wait(browser, "return location.pathname === '/' && location.search.indexOf('town=') >= 0 ? true : null")
    assert "risk=blue" in browser.current_url
    _wait(browser, MAP_READY)
    assert set(browser.execute_script(COLOURS_JS)) == {"blue"}


def test_every_page_and_error_page_reads_in_chinese_only(server, browser, logged_in, demo_db):
    for path in ("/", "/dashboard", "/siting", "/console", "/console/users", "/console/audit", "/no-such-page",
                 "/_test/boom"):
        browser.get(server + path)
        time.sleep(1.5)
        text = browser.execute_script("return document.body.innerText")
        # account names are data: the demo account, the test's, the system account that ran the ETL
        assert foreign_words(text, ignore=(logged_in["name"], "demo", getpass.getuser())) == [], path
    assert "服务器内部错误" in text
    leader = _login(browser, server, demo_db[0], "leader")
    browser.get(server + "/siting")
    text = browser.execute_script("return document.body.innerText")
    assert "无权访问" in text and foreign_words(text, ignore=(leader["name"],)) == []
    assert "选址核查" not in browser.find_element("id", "hz-main").text.replace("无权访问", "")
    browser.get(server + "/")
    nav = browser.find_element("css selector", "nav.hz-menu").text
    assert "选址核查" not in nav and "统计看板" in nav
    _login(browser, server, demo_db[0])  # back to the operator for the module's other tests


def test_expired_session_leads_to_login_with_a_message(server, browser, demo_db):
    import sqlalchemy as sa

    user = _login(browser, server, demo_db[0])
    _wait(browser, MAP_READY)
    # the session expires on the server (as its lifetime ends): the cookie stays, the server stops honouring it.
    # (Deleting the cookie instead is not enough: a late response of the first load sets it again.)
    eng = sa.create_engine(demo_db[0])
    try:
        with eng.begin() as conn:
            ended = conn.execute(sa.text("""update app_session set expires_at = now() - interval '1 second'
                                            where user_id = (select id from app_user where name = :n)"""),
                                 {"n": user["name"]}).rowcount
    finally:
        eng.dispose()
    assert ended >= 1
    # any request now answers 401 (a late one of the first load may already have): the page goes to the login.
    # Leaflet drops a setZoom that arrives during a running zoom animation (the page's own fit to the district),
    # so the map is moved until it asks the server again
    end = time.time() + 30
    while time.time() < end and browser.execute_script("return location.pathname") != "/login":
        browser.execute_script("if (window.hazmap && !hazmap.map._animatingZoom) { hazmap.map.panBy([40, 0]); }")
        time.sleep(1.0)
    _wait(browser, "return location.pathname === '/login' ? true : null")
    assert "登录已过期" in browser.find_element("id", "login-expired").text
    _login(browser, server, demo_db[0])


def test_phone_layout_drawer_and_collapsible_siting_panel(server, demo_db):
    drv = _driver("390,844")
    try:
        _login(drv, server, demo_db[0])
        _wait(drv, MAP_READY)
        width = drv.execute_script("return document.getElementById('hz-map').getBoundingClientRect().width")
        assert width >= 380  # controls live in a drawer: the map has the whole width
        panel = "return document.getElementById('hz-panel').getBoundingClientRect().right"
        assert drv.execute_script(panel) <= 0
        drv.find_element("id", "hz-drawer-toggle").click()
        time.sleep(0.5)
        assert drv.execute_script(panel) > 300
        assert drv.find_element("id", "hz-drawer-toggle").get_attribute("aria-expanded") == "true"
        drv.save_screenshot(str(OUT / "phone-drawer.png"))
        drv.get(server + "/siting")
        _wait(drv, "return document.getElementById('hz-siting-panel') !== null")
        drv.execute_script("document.getElementById('hz-siting-panel').open = false;")
        h = drv.execute_script("return document.getElementById('hz-siting-panel').getBoundingClientRect().height")
        assert h <= 60
        drv.save_screenshot(str(OUT / "phone-siting.png"))
        assert _errors(drv) == []
    finally:
        drv.quit()


def test_wide_screen_layout_and_legible_colour_chips(server, demo_db):
    """A leader's 1920×1080 screen: the map takes the room beside the panel, nothing scrolls sideways,
    and the text on each of the model's four colours (hz.textOn) has a WCAG contrast of at least 4.5."""
    drv = _driver("1920,1080")
    try:
        _login(drv, server, demo_db[0], "leader")
        _wait(drv, MAP_READY)
        box = drv.execute_script("var r = document.getElementById('hz-map').getBoundingClientRect();"
                                 "return {w: r.width, h: r.height, scroll: document.documentElement.scrollWidth,"
                                 " inner: window.innerWidth};")
        assert box["w"] >= 1300 and box["h"] >= 700 and box["scroll"] <= box["inner"], box
        ratios = drv.execute_script("""
            function lum(hex) { var h = hex.replace('#', ''); return [0, 2, 4].map(function (i) {
                var v = parseInt(h.substr(i, 2), 16) / 255;
                return v <= 0.03928 ? v / 12.92 : Math.pow((v + 0.055) / 1.055, 2.4); })
              .reduce(function (a, c, i) { return a + [0.2126, 0.7152, 0.0722][i] * c; }, 0); }
            var out = {};
            ['red', 'orange', 'yellow', 'blue'].forEach(function (c) {
              var bg = hz.colourHex(c), fg = hz.textOn(bg), a = lum(bg), b = lum(fg);
              out[c] = (Math.max(a, b) + 0.05) / (Math.min(a, b) + 0.05); });
            return out;""")
        assert set(ratios) == {"red", "orange", "yellow", "blue"}
        assert all(r >= 4.5 for r in ratios.values()), ratios
        drv.save_screenshot(str(OUT / "wide-map.png"))
        assert _errors(drv) == []
    finally:
        drv.quit()


HOSTILE = '<img src=x onerror="window.__xss=1">'
SCRIPT = "<script>window.__xss=2</script>"


@pytest.fixture(scope="module")
def hostile_server(postgis_available):
    """The seeded test database with names an attacker could put in the departments' files."""
    import sqlalchemy as sa

    from hazmap.db.init import init_database
    from tests.helpers import drop_database, scratch_url
    from tests.test_web_api import seed

    url = scratch_url("hazmap_xss")
    init_database(url)
    seed(url)
    eng = sa.create_engine(url)
    with eng.begin() as c:
        c.execute(sa.text("update admin_area set name = :n where level = 'town'"), {"n": "东街" + HOSTILE})
        c.execute(sa.text("update area_risk set name = :n"), {"n": "网格" + HOSTILE})
        c.execute(sa.text("update enterprise set name = :n, department = :d, address = :n"),
                  {"n": "化工" + HOSTILE + SCRIPT, "d": "应急" + HOSTILE})
        c.execute(sa.text("update protection_target set name = :n"), {"n": "小学" + HOSTILE})
        c.execute(sa.text("update pipeline set name = :n, medium_label = :n"), {"n": "管道" + HOSTILE})
        c.execute(sa.text("update conflict set rule_text = :n"), {"n": "规则" + HOSTILE})
    eng.dispose()
    srv, base = _serve(url)
    yield base, url
    srv.shutdown()
    drop_database(url)


def test_hostile_names_never_run_script(hostile_server, browser):
    base, url = hostile_server
    _login(browser, base, url)
    _wait(browser, MAP_READY)
    browser.execute_script("""
        ['targets', 'towns', 'grid'].forEach(function (k) { var cb = document.getElementById('layer-' + k);
          if (cb) { cb.click(); } });""")
    time.sleep(1.5)
    # open every popup and tooltip that shows a name from the data
    browser.execute_script("""
        hazmap.map.eachLayer(function (l) {
          try { if (l.openPopup && l.getPopup && l.getPopup()) { l.openPopup(); } } catch (e) {}
          try { if (l.openTooltip && l.getTooltip && l.getTooltip()) { l.openTooltip(); } } catch (e) {}
        });
        var f = document.getElementById('s-q'); f.value = '化工'; document.getElementById('hz-search').requestSubmit();""")
    _wait(browser, "return document.querySelectorAll('#hz-search-results button').length > 0 ? true : null")
    time.sleep(1.5)
    assert browser.execute_script("return window.__xss === undefined")
    assert browser.execute_script("return document.querySelectorAll('img[src=\"x\"]').length") == 0
    assert "<img src=x" in browser.execute_script("return document.body.innerText")  # shown as text
    # the enterprise file (一企一档: its sections and the wings' sections load the names again), the console's
    # runs and the waste clearance list
    for path in ("/dashboard", "/siting", "/console/audit", "/console", "/enterprises/1", "/waste/clearance"):
        browser.get(base + path)
        time.sleep(2)
        assert browser.execute_script("return window.__xss === undefined"), path
        assert browser.execute_script("return document.querySelectorAll('img[src=\"x\"]').length") == 0, path
        if path.startswith("/enterprises/"):  # the file shows the hostile name, as text
            assert "化工<img src=x" in browser.execute_script("return document.body.innerText")
    assert [e for e in _errors(browser) if "Content Security Policy" in e] == []


def test_enterprise_file_lists_items_and_an_inspector_records_one(server, browser, demo_db):
    """一企一档 (issue 12 item 8): the file reads in Chinese; an inspector records an item and a hidden danger
    through its forms."""
    import sqlalchemy as sa

    from hazmap.db.session import get_engine

    url = demo_db[0]
    with get_engine(url).connect() as conn:
        eid, licence, credit = conn.execute(sa.text(
            "select e.id, coalesce(e.licence_no, ''), e.credit_code from enterprise_risk er join enterprise e on e.id = er.enterprise_id "
            "where run_id = (select max(run_id) from enterprise_risk) and er.provisional "
            "and exists (select 1 from hidden_danger h where h.enterprise_id = e.id) order by e.id limit 1")).one()
        # the waybill numbers its waste manifests cite are data, as the licence number and the credit code
        waybills = tuple(conn.execute(sa.text("select distinct waybill_no from waste_manifest where generator_credit_code = :c "
                                              "and waybill_no is not null"), {"c": credit}).scalars())
    inspector = _login(browser, server, url, "inspector")
    try:
        browser.get(server + f"/enterprises/{eid}")
        _wait(browser, "return document.querySelectorAll('#hz-ef-items table').length > 0 && "
                       "!document.getElementById('hz-ef-form').hidden ? true : null")
        _wait(browser, "return document.querySelector('#hz-ef-history table') ? true : null")
        # the wing sections too: the demo's first such enterprise (景和润化工, a phosgene plant) has threat zones,
        # IR checks and F–N, and long-stored waste with findings — the scan below would catch a model name, a
        # rule file's key or a code coming back as reading text
        _wait(browser, "return document.querySelector('#hz-cq-units table') && "
                       "document.querySelector('#hz-ent-waste-body h3') ? true : null")
        cq = browser.find_element("id", "hz-consequence").text
        assert "威胁区" in cq and "重气扩散模型" in cq and "×10⁻" in cq and "SLAB" not in cq
        assert "问题（" in browser.find_element("id", "hz-ent-waste-body").text
        assert "SLAB" in browser.execute_script("return document.querySelector('#hz-cq-units details').textContent")
        # the whole body is scanned.  The model descriptions (package, literature, parameters), model/data versions
        # and input hashes sit in closed <details> ("模型与数据版本", "事故场景…") and in the model cell's title:
        # innerText leaves closed details out, and each opens with one click — the information is there, in its
        # original form, for whoever checks the computation
        text = browser.execute_script("return document.body.innerText")
        assert "一企一档" in text and "初步分级" in text and "评估覆盖率" in text and "隐患台账" in text
        # the licence number and the credit code are data; rule texts of data/rules write metres as "m"
        words = foreign_words(text, ignore=(inspector["name"], licence, credit) + waybills)
        assert [w for w in words if w != "m"] == []
        form = browser.find_element("id", "hz-ef-form")
        browser.execute_script("arguments[0].code.value = 'PERSONNEL'; arguments[0].points.value = '-3';", form)
        form.find_element("name", "evidence").send_keys("浏览器测试：1名主要负责人未取得考核合格证")
        form.find_element("css selector", "button[type=submit]").click()
        msg = _wait(browser, "var m = document.getElementById('hz-ef-form-msg'); "
                             "return m && m.className === 'hz-ef-msg' ? m.innerText : null;")
        assert "下次重新计算" in msg
        _wait(browser, "return document.body.innerText.indexOf('浏览器测试：1名主要负责人') >= 0 ? true : null")
        hd = browser.find_element("id", "hz-ef-hd-form")
        hd.find_element("name", "description").send_keys("浏览器测试：消防器材过期")
        hd.find_element("css selector", "button[type=submit]").click()
        assert "已登记（待整改）" in _wait(browser, "var m = document.getElementById('hz-ef-hd-msg'); "
                                                "return m && m.className === 'hz-ef-msg' ? m.innerText : null;")
        _wait(browser, "return document.getElementById('hz-ef-dangers').innerText.indexOf('浏览器测试：消防器材过期') >= 0 "
                       "? true : null")
        # …and later fills in its 五落实 and moves it on (待整改 → 整改中), through the update form
        up = _wait(browser, """var f = document.getElementById('hz-ef-hd-update'); if (!f || f.hidden) { return null; }
            var o = Array.prototype.find.call(f.id.options, function (x) { return x.text.indexOf('浏览器测试：消防器材过期') >= 0; });
            if (!o) { return null; } f.id.value = o.value; f.id.dispatchEvent(new Event('change')); return o.value;""")
        states = browser.execute_script("return Array.prototype.map.call(document.getElementById('hz-ef-hd-update').state.options, "
                                        "function (o) { return o.text; });")
        assert states == ["不变更", "整改中"]  # the ledger's next state from 待整改, from the server
        browser.execute_script("""var f = document.getElementById('hz-ef-hd-update');
            f.measures.value = '更换灭火器'; f.responsible.value = '王五'; f.funds_yuan.value = '800';
            f.deadline.value = '2027-01-31'; f.plan.value = '消防应急预案'; f.state.value = '整改中';""")
        browser.find_element("css selector", "#hz-ef-hd-update button[type=submit]").click()
        done = _wait(browser, "var m = document.getElementById('hz-ef-hdu-msg'); "
                              "return m && m.className === 'hz-ef-msg' ? m.innerText : null;")
        assert "整改中" in done and "五落实齐全" in done, done
        with get_engine(url).connect() as conn:
            row = conn.execute(sa.text("select state, measures, responsible, funds_yuan, plan from hidden_danger "
                                       "where id = :i"), {"i": int(up)}).one()
        assert tuple(row) == ("整改中", "更换灭火器", "王五", 800, "消防应急预案")
        _wait(browser, "return ['hz-ef-dangers', 'hz-ef-inspections'].every(function (i) { return "
                       "document.getElementById(i).innerText.indexOf('加载中') < 0; }) ? true : null")
        browser.save_screenshot(str(OUT / "enterprise-file.png"))
        assert _errors(browser) == []
    finally:
        with get_engine(url).begin() as conn:  # the demo database stays as the other tests expect it
            conn.execute(sa.text("delete from assessment_item where evidence like '浏览器测试：%'"))
            conn.execute(sa.text("delete from hidden_danger where description like '浏览器测试：%'"))
        browser.get("about:blank")  # no request of this page left in flight when the module's server stops
        _login(browser, server, url)
        _wait(browser, MAP_READY)

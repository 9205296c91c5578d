"""The waste wing in a real browser on the demo: the map layer coloured by storage age with its
legend and popup, the dashboard card and the 动态清零 page (headless Chromium, as test_browser)."""

from __future__ import annotations

import pytest

from tests.test_browser import MAP_READY, _errors, _login, _wait, browser, server  # noqa: F401 - fixtures

pytestmark = pytest.mark.postgis


def test_waste_layer_card_and_clearance_page(server, browser, demo_db):  # noqa: F811
    _login(browser, server, demo_db[0])
    browser.get(server + "/")
    _wait(browser, MAP_READY)
    browser.execute_script("var cb = document.getElementById('layer-waste'); cb.checked = true;"
                           "cb.dispatchEvent(new Event('change'));")
    bands = _wait(browser, """var seen = {}; var n = 0;
        hazmap.layers.waste.eachLayer(function (g) { g.eachLayer(function (m) {
          n += 1; seen[m.feature.properties.age_band] = m.options.fillColor; }); });
        return n > 0 ? seen : null;""")
    assert bands["over"] == "#d7301f"  # the demo's long-stored oil, red against the 365-day limit
    legend = _wait(browser, "var t = document.getElementById('hz-legend').innerText;"
                            "return t.indexOf('超过贮存期限') >= 0 ? t : null;")
    assert "危险废物（按贮存天数）" in legend and "本地政策" in legend
    popup = _wait(browser, """var m = null; hazmap.layers.waste.eachLayer(function (g) { g.eachLayer(function (x) {
          if (x.feature.properties.age_band === 'over') { m = x; } }); });
        if (!m) { return null; } m.openPopup(); var p = document.querySelector('.leaflet-popup-content');
        return p ? p.innerText : null;""")
    assert "超过贮存期限" in popup and "最早一批已贮存" in popup and "动态清零清单" in popup

    browser.get(server + "/dashboard")
    head = _wait(browser, "var t = document.getElementById('hz-waste-head').innerText;"
                          "return t.indexOf('超期贮存') >= 0 ? t : null;")
    assert "动态清零清单" in head
    assert "未闭环联单" in browser.find_element("id", "hz-waste-open").text
    browser.find_element("css selector", "#hz-waste-card a[href='/waste/clearance']").click()
    _wait(browser, "return location.pathname === '/waste/clearance' ? true : null")
    rows = _wait(browser, "var r = document.querySelectorAll('#hz-clear tbody tr'); return r.length ? r.length : null;")
    first = browser.execute_script("return document.querySelector('#hz-clear tbody tr').innerText")
    assert rows >= 5 and first.startswith("1") and "900-249-08" in first
    # a demo with one run: the dashboard's change box is told (200, first_run) there is nothing to compare yet
    assert _errors(browser) == []

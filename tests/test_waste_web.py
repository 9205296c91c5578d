"""The waste collections, the enterprise file's waste section, the dashboard card's summary, the map
legend and the 动态清零 page on the hand-computed data of ``test_waste_refresh`` (as of 2026-06-30)."""

from __future__ import annotations

import json

import pytest
import sqlalchemy as sa

from tests.helpers import as_user
from tests.pages_helpers import Page, foreign_words
from tests.test_waste_etl import GEN, LIC
from tests.test_waste_refresh import loaded, refresh  # noqa: F401 - fixture

pytestmark = pytest.mark.postgis


@pytest.fixture
def app(loaded):  # noqa: F811
    refresh(loaded)
    from webmap import create_app

    return create_app({"TESTING": True, "DATABASE_URL": loaded})


def test_collections_answer_the_refreshed_values(app):
    c = as_user(app, "analyst").test_client()
    prod = c.get("/api/v1/waste-producers").get_json()
    assert prod["numberMatched"] == 1
    p = prod["features"][0]["properties"]
    assert p["credit_code"] == GEN and p["on_site_t"] == 3.9 and p["oldest_age_days"] == 486
    assert p["age_band"] == "over" and p["age_band_label"] == "超过贮存期限" and p["long_stored_codes"] == 1
    assert p["findings_count"] == 7 and p["as_of"] == "2026-06-30" and p["located"] is True
    assert prod["features"][0]["geometry"] == {"type": "Point", "coordinates": [112.85, 35.5]}

    clear = c.get("/api/v1/waste-clearance").get_json()
    assert [(f["properties"]["rank"], f["properties"]["waste_code"], f["properties"]["tonne_days"])
            for f in clear["features"]] == [(1, "900-249-08", 869.4)]  # 0.9 × 486 + 2 × 171 + 1 × 90
    item = c.get(f"/api/v1/waste-stock/{GEN}:900-041-49").get_json()["properties"]
    assert item["stock_t"] == -0.15 and item["age_band"] == "none" and item["clearance_rank"] is None

    mans = {f["properties"]["manifest_no"]: f["properties"] for f in c.get("/api/v1/waste-manifests").get_json()["features"]}
    assert mans["20261405000003"]["major_discrepancy"] is True
    assert [x["code"] for x in mans["20261405000003"]["findings"]] == ["WASTE_MAJOR_DISCREPANCY"]
    assert mans["20261405000003"]["quantity_t"] == 0.2 and mans["20261405000003"]["received_t"] == 0.15
    assert mans["20261405000001"]["waybill_status"] == "not_found" and "未核查" in mans["20261405000001"]["waybill_note"]
    one = c.get("/api/v1/waste-manifests?state=运输中").get_json()
    assert [f["properties"]["manifest_no"] for f in one["features"]] == ["20261405000002"]

    fac = c.get(f"/api/v1/waste-facilities/{LIC}").get_json()["properties"]
    assert fac["scope"] == ["900-041-49", "HW08"] and fac["located"] is False
    found = c.get("/api/v1/waste-findings?code=WASTE_LONG_STORED").get_json()["features"]
    assert len(found) == 1 and found[0]["properties"]["rule"] == "危险废物库存规则“产生单位贮存期限”（本地政策）"
    assert found[0]["properties"]["data"]["oldest_age_days"] == 486
    assert found[0]["properties"]["data"]["rule_ref"] == "waste_stock.toml max_storage_days"

    # the OGC side and an export of the same collection
    assert c.get("/ogc/collections/waste-clearance/items").get_json()["numberMatched"] == 1
    csv = c.get("/api/v1/waste-findings?format=csv&labels=zh")
    assert csv.status_code == 200 and "依据规则" in csv.get_data(as_text=True)
    gj = json.loads(c.get("/api/v1/waste-stock?format=geojson").get_data())
    assert len(gj["features"]) == 2


def test_enterprise_section_summary_legend_and_page(app, loaded):  # noqa: F811
    from hazmap.db.session import get_engine

    with get_engine(loaded).connect() as conn:
        ids = dict(conn.execute(sa.text("select credit_code, id from enterprise")).all())
    c = as_user(app, "leader").test_client()
    w = c.get(f"/api/v1/enterprises/{ids[GEN]}/waste").get_json()
    assert w["producer"]["on_site_t"] == 3.9 and len(w["stock"]) == 2 and len(w["findings"]) == 7
    assert {m["manifest_no"] for m in w["manifests"]} == {f"2026140500000{i}" for i in range(1, 6)}
    assert w["notes"] == ["部分联单未与电子运单核对（未核查），原因见各联单的运单核对说明"]
    none = c.get(f"/api/v1/enterprises/{ids['91140502MA0K1B2C41']}/waste").get_json()
    assert none["producer"] is None and none["notes"] == ["本企业无危险废物登记（产生单位、台账、联单均无）：未评估"]
    assert c.get("/api/v1/enterprises/999999/waste").status_code == 404

    s = c.get("/api/v1/waste/summary").get_json()
    assert s["long_stored"] == 1 and s["over_limit_t"] == 0.9 and s["clearance"] == 1 and s["as_of"] == "2026-06-30"
    assert s["stock_by_town"] == [{"town": "未归属镇街", "on_site_t": 3.9, "long_stored": 1}]
    # open: 已提交 (4), 运输中 (2)
    assert s["open_manifests"] == 2 and s["open_by_state"]["已提交"] == 1 and s["open_by_state"]["运输中"] == 1
    legend = c.get("/api/v1/waste/legend").get_json()
    assert [b["code"] for b in legend["bands"]] == ["over", "near", "ok", "none"] and "365 天" in legend["note"]

    page = c.get("/waste/clearance")
    assert page.status_code == 200
    html = page.get_data(as_text=True)
    assert "危险废物动态清零清单" in html and "下载清单" not in html  # leaders do not export
    assert foreign_words(Page(html).visible_text(), ignore=(Page(html).data_block()["user"]["name"],)) == []
    dash = c.get("/dashboard").get_data(as_text=True)
    assert "危险废物（底数与动态清零）" in dash and "/static/dashboard_waste.js" in dash and "/waste/clearance" in dash
    assert "/static/overlays_waste.js" in c.get("/").get_data(as_text=True)
    assert as_user(app, "operator").test_client().get("/waste/clearance").get_data(as_text=True).count("下载清单") == 1
    assert as_user(app, "analyst").test_client().get("/waste/clearance").status_code == 403

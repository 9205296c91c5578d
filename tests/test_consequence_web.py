"""The consequence tier on the web: its collections (threat-zones, risk-contours, ir-checks), the
conflicts' basis, and ``GET /api/v1/enterprises/<id>/consequence`` for the enterprise file."""

from __future__ import annotations

import pytest
import sqlalchemy as sa

from geo.consequence import assess
from hazmap.config import load_settings
from hazmap.db.session import get_engine
from hazmap.refresh import run_refresh
from tests.helpers import as_user
from tests.test_consequence_refresh import _seed, _step_models


@pytest.fixture
def app(fresh_db_url, monkeypatch):
    from webmap import create_app

    monkeypatch.setenv("DATABASE_URL", fresh_db_url)
    monkeypatch.delenv("HAZMAP_CONFIG", raising=False)
    monkeypatch.setattr(assess, "unit_models", _step_models)
    monkeypatch.setattr(assess, "cached", lambda h: None)
    with get_engine(fresh_db_url).begin() as conn:
        ids = _seed(conn, chemical_key="T1-51", quantity_t=10.0, targets=[
            ("school", "测试小学", "school", "高敏感", 300, 100.0),
            ("house", "散户", "residential", None, 5, 150.0)])
    run_refresh(load_settings())
    a = as_user(create_app({"TESTING": True, "DATABASE_URL": fresh_db_url}))
    a.config["IDS"] = ids
    return a


def test_collections_serve_contours_zones_and_checks(app):
    c, ids = app.test_client(), app.config["IDS"]
    contours = c.get("/api/v1/risk-contours").get_json()
    # the step source: three non-empty levels (3e-5 is never reached and not served)
    assert sorted(f["properties"]["level_per_year"] for f in contours["features"]) == [3e-7, 3e-6, 1e-5]
    f = contours["features"][0]["properties"]
    assert f["enterprise_id"] == ids["plant"] and f["targets_inside"] == 2 and f["people_inside"] == 305
    failed = c.get("/api/v1/ir-checks?met=false").get_json()["features"]
    assert [k["properties"]["target_id"] for k in failed] == [ids["school"]]
    # the house has no registered GB 36894 class → checked against the least strict (一般三类, existing
    # 3e-5): 2e-5 meets it, and the note says the "met" is provisional
    [house] = c.get("/api/v1/ir-checks?met=true").get_json()["features"]
    house = house["properties"]
    assert house["target_id"] == ids["house"] and house["target_class"] == "general_3"
    assert "未登记" in house["class_note"] and "满足待核" in house["class_note"]
    conflicts = c.get("/api/v1/conflicts").get_json()["features"]
    assert {x["properties"]["basis"] for x in conflicts} >= {"individual_risk"}
    zones = c.get("/api/v1/threat-zones").get_json()
    assert zones["numberMatched"] == 0  # the stand-in model has no screening zones
    assert c.get("/api/v1/ir-checks?format=csv").status_code == 200


def test_enterprise_file_endpoint(app):
    c, ids = app.test_client(), app.config["IDS"]
    d = c.get(f"/api/v1/enterprises/{ids['plant']}/consequence").get_json()
    assert d["external_distance"]["status"] == "not_met" and d["crs"] == "EPSG:4326"
    assert d["fn"]["points"] == [{"n": 305.0, "f_per_year": pytest.approx(2e-5)}]
    assert {ln["line"] for ln in d["fn"]["lines"]} == {"unacceptable", "negligible"}
    [u] = d["units"]
    assert u["scenario_count"] == 1 and u["inputs"]["items"][0]["source"].startswith("登记数据")
    assert len(u["contours"]) == 4 and len(u["checks"]) == 2
    # every model named in Chinese next to its stored description (the enterprise file shows the name)
    assert all("model_label" in z and "model" in z for z in u["threat_zones"])
    assert all(o["model_label"] and not o["model_label"].isascii() for s in u["scenarios"] for o in s["outcomes"])
    assert c.get("/api/v1/enterprises/999999/consequence").status_code == 404
    with get_engine(app.config["HAZMAP_SETTINGS"].database_url).begin() as conn:
        other = conn.execute(sa.text("""insert into enterprise (credit_code, name, stages, geocode_precision, geom)
            values ('91140502TESTCONSQ2', '无危险源企业', '{use}', 'source', ST_SetSRID(ST_MakePoint(112.9, 35.5), 4326))
            returning id""")).scalar_one()
    d = c.get(f"/api/v1/enterprises/{other}/consequence").get_json()
    assert d["external_distance"] is None and "不适用" in d["text"] and d["units"] == []

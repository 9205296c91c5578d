"""The siting check: contract shape, conversions, counted or given people, verdicts, 400s."""

from __future__ import annotations

import json

import pytest
import sqlalchemy as sa
from click.testing import CliRunner

from geo import crs
from geo.errors import InvalidInput
from geo.postgis.siting import check_site
from hazmap.config import load_settings
from hazmap.db.session import get_engine
from tests.helpers import domain

LON, LAT = 112.85, 35.50


@pytest.fixture
def site_db(fresh_db_url, monkeypatch):
    monkeypatch.setenv("DATABASE_URL", fresh_db_url)
    monkeypatch.delenv("HAZMAP_CONFIG", raising=False)
    with get_engine(fresh_db_url).begin() as conn:
        conn.execute(sa.text("""
            insert into protection_target (target_key, name, category, population, geom) values
            ('S1', '选址测试小学', 'school', 1200, ST_SetSRID(ST_MakePoint(:lon, :lat), 4326)),
            ('R1', '远处小区', 'residential', 50, ST_SetSRID(ST_MakePoint(:lon + 0.05, :lat), 4326))
        """), {"lon": LON, "lat": LAT + 300 / 110_900})
    return fresh_db_url


def _check(url, payload):
    with get_engine(url).connect() as conn:
        return check_site(conn, payload, domain())


def test_contract_example_counts_people_and_advises_against(site_db):
    res = _check(site_db, {"location": {"lon": LON, "lat": LAT, "crs": "wgs84"},
                           "inventory": [{"chemical": "液氯", "quantity_t": 20, "unit": "storage"},
                                         {"cas": "7664-41-7", "quantity_t": 5, "unit": "storage"}],
                           "exposed_people": None})
    assert res["location"] == {"lon": LON, "lat": LAT, "crs": "wgs84"}
    unit = res["units"][0]
    # S = 20/5 + 5/10 = 4.5 ; R = α·(4·4 + 2·0.5) = 2·17 = 34 with 1200 people → 三级 (the contract's example)
    assert unit["S"] == pytest.approx(4.5) and unit["alpha"] == 2.0 and unit["R"] == pytest.approx(34.0)
    assert unit["grade"] == 3 and res["major_hazard_grade"] == 3
    assert res["exposed_people"] == pytest.approx(1200)
    school = [c for c in res["conflicts"] if c["category"] == "school"]
    assert school and 290 < school[0]["distance_m"] < 310 and school[0]["deficit_m"] > 0
    assert res["verdict"]["decision"] == "advise_against"
    assert "选址测试小学" in res["verdict"]["text"] and res["verdict"]["rule"]
    assert res["risk_color"] in {"red", "orange", "yellow", "blue"}
    assert 100 + sum(r["points"] for r in res["reasons"]) == pytest.approx(res["risk_score"])


def test_given_people_and_gcj02_input(site_db):
    gx, gy = crs.wgs84_to_gcj02(LON + 0.1, LAT)
    res = _check(site_db, {"location": {"lon": gx, "lat": gy, "crs": "gcj02"},
                           "inventory": [{"chemical": "甲醇", "quantity_t": 100, "unit": "storage"}],
                           "exposed_people": 0})
    assert res["location"]["lon"] == pytest.approx(LON + 0.1, abs=1e-7)
    assert res["units"][0]["alpha"] == 0.5 and res["units"][0]["grade"] is None
    assert res["conflicts"] == [] and res["verdict"]["decision"] == "acceptable"


@pytest.mark.parametrize("payload, field", [
    ({"location": {"lon": LON, "lat": LAT}, "inventory": [{"chemical": "神秘溶剂X", "quantity_t": 1}]}, "inventory[0].chemical"),
    ({"location": {"lon": LON, "lat": LAT}, "inventory": [{"chemical": "硝酸铵", "quantity_t": 1}]}, "inventory[0].chemical"),
    ({"location": {"lon": LON, "lat": LAT}, "inventory": [{"chemical": "液氯", "quantity_t": -3}]}, "inventory[0].quantity_t"),
    ({"location": {"lon": LON, "lat": LAT}, "inventory": [{"chemical": "液氯", "quantity_t": 1, "unit": "tank"}]}, "inventory[0].unit"),
    ({"location": {"lon": LON, "lat": LAT, "crs": "mars"}, "inventory": [{"chemical": "液氯", "quantity_t": 1}]}, "location.crs"),
    ({"location": {"lon": 12.85, "lat": LAT}, "inventory": [{"chemical": "液氯", "quantity_t": 1}]}, "location"),
    ({"location": {"lon": "NaN", "lat": LAT}, "inventory": [{"chemical": "液氯", "quantity_t": 1}]}, "location.lon"),
    ({"location": {"lon": LON, "lat": LAT}, "inventory": []}, "inventory"),
    ([1, 2], "body"),
])
def test_bad_input_names_the_field(site_db, payload, field):
    with pytest.raises(InvalidInput) as err:
        _check(site_db, payload)
    assert err.value.field == field and err.value.message


def test_cli_siting_check(site_db, tmp_path):
    from hazmap.cli import cli

    inv = tmp_path / "inv.json"
    inv.write_text(json.dumps([{"chemical": "液氯", "quantity_t": 20, "unit": "storage"}], ensure_ascii=False),
                   encoding="utf-8")
    bx, by = crs.wgs84_to_bd09(LON, LAT)
    res = CliRunner().invoke(cli, ["siting", "check", "--lon", str(bx), "--lat", str(by), "--crs", "bd09",
                                   "--inventory", str(inv)])
    assert res.exit_code == 0, res.output
    out = json.loads(res.output)
    assert out["location"]["crs"] == "wgs84" and abs(out["location"]["lon"] - LON) < 1e-6
    bad = CliRunner().invoke(cli, ["siting", "check", "--lon", "200", "--lat", "35", "--inventory", str(inv)])
    assert bad.exit_code == 2 and "location" in bad.output and "Traceback" not in bad.output

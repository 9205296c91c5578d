"""The siting check: contract shape, the declared facility and size, the area, the method and the
policy findings, verdict wording, conversions, counted or given people, 400s.

Expected numbers are worked by hand from the rules files (clauses in the comments)."""

from __future__ import annotations

import json

import pytest
import sqlalchemy as sa
from click.testing import CliRunner

from geo import crs
from geo.errors import InvalidInput
from geo.postgis.siting import SitingArea, check_site
from hazmap.db.session import get_engine
from tests.helpers import domain

LON, LAT = 112.85, 35.50  # the contract's example
FS = (112.90, 35.45)  # the filling-station candidate: a 800-pupil school 34 m east
LPG = (112.80, 35.60)  # the LPG depot candidate
M_PER_DEG_LON = 111_320 * 0.8141  # cos 35.5° — offsets below are ± 0.5 m, far inside every test's slack
M_PER_DEG_LAT = 110_900
AREA = SitingArea("晋城市城区", (112.70, 35.38, 113.00, 35.66), 1000.0)  # the default settings


@pytest.fixture
def site_db(fresh_db_url, monkeypatch):
    monkeypatch.setenv("DATABASE_URL", fresh_db_url)
    monkeypatch.delenv("HAZMAP_CONFIG", raising=False)
    with get_engine(fresh_db_url).begin() as conn:
        conn.execute(sa.text("""
            insert into protection_target (target_key, name, category, population, geom) values
            ('S1', '选址测试小学', 'school', 1200, ST_SetSRID(ST_MakePoint(:lon, :lat + 300 / 110900.0), 4326)),
            ('R1', '远处小区', 'residential', 50, ST_SetSRID(ST_MakePoint(:lon + 0.05, :lat), 4326)),
            ('S2', '加油站旁小学', 'school', 800, ST_SetSRID(ST_MakePoint(:fx + 34 / :mlon, :fy), 4326)),
            ('S3', '加油站西侧小学', 'school', 300, ST_SetSRID(ST_MakePoint(:fx - 34 / :mlon, :fy), 4326))
        """), {"lon": LON, "lat": LAT, "fx": FS[0], "fy": FS[1], "mlon": M_PER_DEG_LON})
    return fresh_db_url


def _check(url, payload, area=AREA):
    with get_engine(url).connect() as conn:
        return check_site(conn, payload, domain(), area=area)


def _body(location, facility_type, stage, inventory, **extra):
    return {"location": {"lon": location[0], "lat": location[1], "crs": "wgs84"}, "facility_type": facility_type,
            "stage": stage, "inventory": inventory, **extra}


def test_contract_example_counts_people_and_finds_the_shortfall(site_db):
    res = _check(site_db, _body((LON, LAT), "危化品仓库", "storage",
                                [{"chemical": "液氯", "quantity_t": 20, "unit": "storage"},
                                 {"cas": "7664-41-7", "quantity_t": 5, "unit": "storage"}], exposed_people=None))
    assert res["location"] == {"lon": LON, "lat": LAT, "crs": "wgs84"}
    unit = res["units"][0]
    # S = 20/5 + 5/10 = 4.5 ; R = α·(4·4 + 2·0.5) = 2·17 = 34 with 1200 people → 三级 (the contract's example)
    assert unit["S"] == pytest.approx(4.5) and unit["alpha"] == 2.0 and unit["R"] == pytest.approx(34.0)
    assert unit["grade"] == 3 and res["major_hazard_grade"] == 3
    assert res["exposed_people"] == pytest.approx(1200)
    assert res["exposure_text"] == "500 米内暴露人数 1,200 人（据 1 个已登记防护目标统计）"
    school = [c for c in res["conflicts"] if c["category"] == "school"]
    # 三级重大危险源(有毒) → 高敏感防护目标: the local screening distance 500 m (S-toxic-3-hs)
    assert school and 290 < school[0]["distance_m"] < 310 and school[0]["required_m"] == 500
    assert res["verdict"]["decision"] == "shortfall" and res["verdict"]["label"] == "初筛发现距离不足"
    assert "选址测试小学" in res["verdict"]["text"] and res["verdict"]["rule"] == "S-toxic-3-hs"
    assert "本地" in res["verdict"]["text"]  # a local screening distance says so where it decides
    assert res["risk_color"] in {"red", "orange", "yellow", "blue"}
    assert 100 + sum(r["points"] for r in res["reasons"]) == pytest.approx(res["risk_score"])
    # 氯 and 氨 are GB 18218 表3 toxic gases: Σq/Q = 20/5 + 5/10 = 4.5 ≥ 1 → QRA (GB/T 37243 第4章)
    assert res["method"]["code"] == "qra" and "4.5" in res["method"]["because"]
    assert res["area"] == {"inside": True, "distance_m": 0.0, "against": res["area"]["against"], "margin_m": 1000.0,
                           "outside": False}


def test_filling_station_34_m_from_a_school_is_a_shortfall(site_db):
    """The review's case, through the request the page sends (no size declared): GB 50156 附录B
    B.0.1 makes a school of more than 500 pupils a 重要公共建筑物; 表4.0.4 (埋地油罐) requires 50 m
    without vapour recovery, 40 m with 卸油 and 35 m with 卸油和加油油气回收 at every grade.  Vapour
    recovery not declared → the smallest, 35 m, said as a lower bound; the school is 34 m away."""
    res = _check(site_db, _body(FS, "加油站", "trade_storage",
                                [{"chemical": "汽油", "quantity_t": 30}, {"chemical": "柴油", "quantity_t": 30}]))
    school = [c for c in res["conflicts"] if c["name"] == "加油站旁小学"]
    assert school and school[0]["required_m"] == 35 and 33.5 < school[0]["distance_m"] < 34.5
    assert school[0]["lower_bound"] and "下限" in school[0]["rule_text"]
    assert res["verdict"]["decision"] == "shortfall" and "加油站旁小学" in res["verdict"]["text"]
    assert "安全间距" in school[0]["rule_text"] and "防火间距" not in school[0]["rule_text"]
    # 300 pupils: B.0.2 → 一类保护物, 三级站 at most 16 m (表4.0.4) → 34 m complies
    assert not [c for c in res["conflicts"] if c["name"] == "加油站西侧小学"]
    # station grade from the stock: (30/0.78 + 0.5·30/0.86) / 1 = 55.9 m³ ≤ 90 → 三级 (GB 50156 表3.0.9)
    assert res["size"]["station_grade"] == 3 and "55.9" in res["size_basis"]["station_grade"]
    assert res["method"]["code"] == "design_codes"  # flammable liquids go to the design codes
    # declared without vapour recovery → the exact 表4.0.4 row, 50 m, no longer a lower bound
    exact = _check(site_db, _body(FS, "加油站", "trade_storage", [{"chemical": "汽油", "quantity_t": 30}],
                                  size={"vapour_recovery": 0}))
    school = [c for c in exact["conflicts"] if c["name"] == "加油站旁小学"]
    assert school and school[0]["required_m"] == 50 and school[0]["rule"] == "FS-G3-V0-IPB"
    assert not school[0]["lower_bound"] and school[0]["deficit_m"] == pytest.approx(16, abs=0.6)


def test_the_same_station_without_a_facility_type_is_refused(site_db):
    payload = _body(FS, "加油站", "trade_storage", [{"chemical": "汽油", "quantity_t": 30}])
    for missing, field in (("facility_type", "facility_type"), ("stage", "stage")):
        body = {k: v for k, v in payload.items() if k != missing}
        with pytest.raises(InvalidInput) as err:
            _check(site_db, body)
        assert err.value.field == field and "缺少" in err.value.message
    with pytest.raises(InvalidInput) as err:
        _check(site_db, {**payload, "facility_type": "加油的地方"})
    assert err.value.field == "facility_type" and "加油站" in err.value.message  # lists the choices


def test_lpg_band_from_1250_t(site_db):
    """1250 t LPG → V = 1250 / (0.58 · 0.95) = 2268.6 m³ (size_basis.csv) → GB 50016 表4.4.1
    1000 < V ≤ 2500: 110 m to 重要公共建筑 (a mall here), 65 m to 民用建筑 (an office) — not the 45 m
    of the smallest band."""
    res = _check(site_db, _body(LPG, "液化石油气储配站", "storage",
                                [{"chemical": "液化石油气", "quantity_t": 1250}], exposed_people=0))
    assert res["size"]["tank_volume_m3"] == pytest.approx(2268.6, abs=0.1)
    req = {d["category"]: d for d in res["required_distances"]}
    assert req["mall"]["required_m"] == 110 and req["mall"]["rule"] == "R023"
    assert "2268.6" in req["mall"]["rule_text"] and "1000<V≤2500" in req["mall"]["rule_text"]
    assert req["office"]["required_m"] == 65
    # a declared volume wins over the derived one: 400 m³ → 200 < V ≤ 500 → 70 m (R019)
    declared = _check(site_db, _body(LPG, "液化石油气储配站", "storage", [{"chemical": "液化石油气", "quantity_t": 1250}],
                                     exposed_people=0, size={"tank_volume_m3": 400}))
    assert {d["category"]: d["required_m"] for d in declared["required_distances"]}["mall"] == 70
    assert "tank_volume_m3" not in declared["size_basis"]
    # LPG is a flammable gas: Σq/Q = 1250/50 = 25 → QRA
    assert res["method"]["code"] == "qra" and "25" in res["method"]["because"]


def test_unknown_size_is_a_lower_bound_said_in_the_verdict(site_db):
    # an oil depot without its 库级 → the 五级库 rows, said as a lower bound
    res = _check(site_db, _body(LPG, "油库", "storage", [{"chemical": "柴油", "quantity_t": 100}]))
    assert res["verdict"]["decision"] == "no_shortfall_found" and res["verdict"]["label"] == "初筛未发现距离不足"
    assert "可能不全" in res["verdict"]["text"]
    lower = [d for d in res["required_distances"] if d["lower_bound"]]
    assert lower and any("下限" in c for c in res["verdict"]["caveats"])


@pytest.mark.parametrize("inventory, method", [
    ([{"chemical": "2,4,6-三硝基甲苯", "quantity_t": 2}], "explosive"),  # W1 → 事故后果法
    ([{"chemical": "液氯", "quantity_t": 1}], "design_codes"),  # toxic gas but Σq/Q = 1/5 < 1
    ([{"chemical": "液氯", "quantity_t": 5}], "qra"),  # Σq/Q = 5/5 = 1 ≥ 1
    ([{"chemical": "甲醇", "quantity_t": 1000}], "design_codes"),  # a flammable liquid, however much
])
def test_method_follows_the_substance(site_db, inventory, method):
    res = _check(site_db, _body((LON, LAT), "危化品仓库", "storage", inventory, exposed_people=0))
    assert res["method"]["code"] == method and res["method"]["basis"].startswith("GB/T 37243-2019")


@pytest.mark.parametrize("facility, stage, park, codes", [
    ("化工厂", "production", False, ["PARK_PRODUCTION"]),
    ("化工厂", "production", True, []),
    ("化工厂", "production", None, ["PARK_PRODUCTION"]),
    ("危化品仓库", "storage", False, ["PARK_STORAGE"]),
    ("加油站", "trade_storage", False, []),  # filling stations belong in town
])
def test_chemical_park_finding(site_db, facility, stage, park, codes):
    res = _check(site_db, _body((LON + 0.1, LAT), facility, stage, [{"chemical": "甲醇", "quantity_t": 10}],
                                exposed_people=0, in_chemical_park=park))
    assert [f["code"] for f in res["findings"]] == codes
    for f in res["findings"]:
        assert f["basis"] and f["status"] in ("unverified", "local_policy")
        assert f["text"].startswith("未说明" if park is None else "拟建点不在化工园区内")
        assert any(f["text"] in c for c in res["verdict"]["caveats"])
    if codes == ["PARK_PRODUCTION"]:
        assert "厅字〔2020〕3号" in res["findings"][0]["basis"]


def test_beijing_is_refused_unless_asked_and_then_said(site_db):
    body = _body((116.397, 39.909), "加油站", "trade_storage", [{"chemical": "汽油", "quantity_t": 30}])
    with pytest.raises(InvalidInput) as err:
        _check(site_db, body)
    assert err.value.field == "location" and "allow_outside_area" in err.value.message and "千米" in err.value.message
    res = _check(site_db, {**body, "allow_outside_area": True})
    assert res["area"]["outside"] and res["area"]["distance_m"] > 400_000
    assert any("辖区外" in c or "外" in c and "千米" in c for c in res["verdict"]["caveats"])


def test_the_district_boundary_with_its_margin(site_db):
    """With a district boundary loaded it decides (not the bbox): 500 m outside passes (margin 1000 m),
    3 km outside is refused."""
    x0, y0, x1, y1 = 112.84, 35.49, 112.86, 35.51
    with get_engine(site_db).begin() as conn:
        conn.execute(sa.text("""insert into admin_area (code, name, level, geom) values
            ('140502', '城区', 'district', ST_Multi(ST_MakeEnvelope(:x0, :y0, :x1, :y1, 4326)))"""),
            {"x0": x0, "y0": y0, "x1": x1, "y1": y1})
    inv = [{"chemical": "甲醇", "quantity_t": 10}]
    near = _check(site_db, _body((x1 + 500 / M_PER_DEG_LON, LAT), "危化品仓库", "storage", inv, exposed_people=0))
    assert near["area"]["inside"] is False and near["area"]["outside"] is False
    assert 495 < near["area"]["distance_m"] < 505 and "区界" in near["area"]["against"]
    with pytest.raises(InvalidInput) as err:
        _check(site_db, _body((x1 + 3000 / M_PER_DEG_LON, LAT), "危化品仓库", "storage", inv, exposed_people=0))
    assert err.value.field == "location" and "区界外 3.0 千米" in err.value.message


def test_given_people_and_gcj02_input(site_db):
    gx, gy = crs.wgs84_to_gcj02(LON + 0.1, LAT)
    res = _check(site_db, {**_body((gx, gy), "危化品仓库", "storage", [{"chemical": "甲醇", "quantity_t": 100, "unit": "storage"}],
                                   exposed_people=0), "location": {"lon": gx, "lat": gy, "crs": "gcj02"}})
    assert res["location"]["lon"] == pytest.approx(LON + 0.1, abs=1e-7)
    assert res["units"][0]["alpha"] == 0.5 and res["units"][0]["grade"] is None
    assert res["conflicts"] == [] and res["verdict"]["decision"] == "no_shortfall_found"


BASE = {"facility_type": "危化品仓库", "stage": "storage"}


@pytest.mark.parametrize("payload, field", [
    ({**BASE, "location": {"lon": LON, "lat": LAT}, "inventory": [{"chemical": "神秘溶剂X", "quantity_t": 1}]}, "inventory[0].chemical"),
    ({**BASE, "location": {"lon": LON, "lat": LAT}, "inventory": [{"chemical": "硝酸铵", "quantity_t": 1}]}, "inventory[0].chemical"),
    ({**BASE, "location": {"lon": LON, "lat": LAT}, "inventory": [{"chemical": "液氯", "quantity_t": -3}]}, "inventory[0].quantity_t"),
    ({**BASE, "location": {"lon": LON, "lat": LAT}, "inventory": [{"chemical": "液氯", "quantity_t": 1, "unit": "tank"}]}, "inventory[0].unit"),
    ({**BASE, "location": {"lon": LON, "lat": LAT, "crs": "mars"}, "inventory": [{"chemical": "液氯", "quantity_t": 1}]}, "location.crs"),
    ({**BASE, "location": {"lon": 12.85, "lat": LAT}, "inventory": [{"chemical": "液氯", "quantity_t": 1}]}, "location"),
    ({**BASE, "location": {"lon": "NaN", "lat": LAT}, "inventory": [{"chemical": "液氯", "quantity_t": 1}]}, "location.lon"),
    ({**BASE, "location": {"lon": LON, "lat": LAT}, "inventory": []}, "inventory"),
    ({**BASE, "stage": "炼丹", "location": {"lon": LON, "lat": LAT}, "inventory": [{"chemical": "液氯", "quantity_t": 1}]}, "stage"),
    ({**BASE, "size": {"tanks": 3}, "location": {"lon": LON, "lat": LAT}, "inventory": [{"chemical": "液氯", "quantity_t": 1}]}, "size.tanks"),
    ({**BASE, "size": {"station_grade": 4}, "location": {"lon": LON, "lat": LAT}, "inventory": [{"chemical": "液氯", "quantity_t": 1}]}, "size.station_grade"),
    ({**BASE, "size": {"station_grade": 1.5}, "location": {"lon": LON, "lat": LAT}, "inventory": [{"chemical": "液氯", "quantity_t": 1}]}, "size.station_grade"),
    ({**BASE, "size": {"tank_volume_m3": -1}, "location": {"lon": LON, "lat": LAT}, "inventory": [{"chemical": "液氯", "quantity_t": 1}]}, "size.tank_volume_m3"),
    ({**BASE, "size": [1], "location": {"lon": LON, "lat": LAT}, "inventory": [{"chemical": "液氯", "quantity_t": 1}]}, "size"),
    ({**BASE, "in_chemical_park": "是", "location": {"lon": LON, "lat": LAT}, "inventory": [{"chemical": "液氯", "quantity_t": 1}]}, "in_chemical_park"),
    ({**BASE, "allow_outside_area": 1, "location": {"lon": LON, "lat": LAT}, "inventory": [{"chemical": "液氯", "quantity_t": 1}]}, "allow_outside_area"),
    ([1, 2], "body"),
])
def test_bad_input_names_the_field(site_db, payload, field):
    with pytest.raises(InvalidInput) as err:
        _check(site_db, payload)
    assert err.value.field == field and err.value.message


def test_cli_siting_check(site_db, tmp_path):
    from hazmap.cli import cli

    inv = tmp_path / "inv.json"
    inv.write_text(json.dumps([{"chemical": "汽油", "quantity_t": 30, "unit": "storage"}], ensure_ascii=False),
                   encoding="utf-8")
    bx, by = crs.wgs84_to_bd09(*FS)
    res = CliRunner().invoke(cli, ["siting", "check", "--lon", str(bx), "--lat", str(by), "--crs", "bd09",
                                   "--facility-type", "加油站", "--stage", "经营(带储存)", "--inventory", str(inv),
                                   "--size", "vapour_recovery=0", "--outside-chemical-park"])
    assert res.exit_code == 0, res.output
    out = json.loads(res.output)
    assert out["location"]["crs"] == "wgs84" and abs(out["location"]["lon"] - FS[0]) < 1e-6
    assert out["stage"] == "trade_storage" and out["size"]["vapour_recovery"] == 0
    assert out["verdict"]["decision"] == "shortfall"
    base = ["siting", "check", "--lat", "35", "--inventory", str(inv), "--facility-type", "加油站", "--stage", "储存"]
    bad = CliRunner().invoke(cli, [*base, "--lon", "200"])
    assert bad.exit_code == 2 and "location" in bad.output and "Traceback" not in bad.output
    far = CliRunner().invoke(cli, [*base[:2], "--lon", "116.397", "--lat", "39.909", *base[4:]])
    assert far.exit_code == 2 and "allow_outside_area" in far.output
    ok = CliRunner().invoke(cli, [*base[:2], "--lon", "116.397", "--lat", "39.909", *base[4:], "--allow-outside-area"])
    assert ok.exit_code == 0 and json.loads(ok.output)["area"]["outside"] is True
    nosize = CliRunner().invoke(cli, [*base, "--lon", "112.9", "--size", "tank_volume_m3"])
    assert nosize.exit_code == 2 and "--size" in nosize.output


# ---- the expert's cases through the HTTP request the page sends --------------------------------------

@pytest.fixture
def planner_client(site_db):
    from tests.helpers import as_user
    from webmap import create_app

    return as_user(create_app({"TESTING": True, "DATABASE_URL": site_db}), "planner").test_client()


def _post(client, body):
    r = client.post("/api/v1/siting/check", json=body)
    return r.status_code, r.get_json()


XYLENE = [{"chemical": "二甲苯", "quantity_t": 60, "unit": "production"}]


@pytest.mark.parametrize("case", ["filling_station_school", "lpg_1250_t", "co_by_cas", "formaldehyde_37",
                                  "formaldehyde_95", "w5_2_pressure", "beijing"])
def test_expert_cases_over_http(planner_client, case):
    """Each case worked by hand (GB 50156 表4.0.4, GB 50016 表4.4.1, GB 18218-2018 表1/表2/表3, 表5 α)."""
    if case == "filling_station_school":  # 35 m lower bound (vapour recovery undeclared), school at 34 m
        code, res = _post(planner_client, _body(FS, "加油站", "trade_storage", [{"chemical": "汽油", "quantity_t": 30}]))
        school = [c for c in res["conflicts"] if c["name"] == "加油站旁小学"]
        assert code == 200 and res["verdict"]["decision"] == "shortfall" and school[0]["required_m"] == 35
    elif case == "lpg_1250_t":  # V = 1250 / (0.58·0.95) = 2268.6 m³ → 1000 < V ≤ 2500: 110 m (R023), 65 m
        code, res = _post(planner_client, _body(LPG, "液化石油气储配站", "storage",
                                                [{"chemical": "液化石油气", "quantity_t": 1250}], exposed_people=0))
        req = {d["category"]: d for d in res["required_distances"]}
        assert code == 200 and req["mall"]["required_m"] == 110 and req["mall"]["rule"] == "R023"
        assert req["office"]["required_m"] == 65
    elif case == "co_by_cas":  # 表1第13项 Q = 20 t, 表3 β = 2: S = 40/20 = 2, R = 0.5·2·2 = 2 → 四级; QRA
        code, res = _post(planner_client, _body(LPG, "化工厂", "production",
                                                [{"cas": "630-08-0", "quantity_t": 40, "unit": "production"}],
                                                exposed_people=0))
        term = res["units"][0]["chemicals"][0]
        assert code == 200 and term["name"] == "一氧化碳" and (term["Q"], term["beta"]) == (20, 2)
        assert res["units"][0]["S"] == pytest.approx(2) and res["units"][0]["R"] == pytest.approx(2)
        assert res["major_hazard_grade"] == 4 and res["method"]["code"] == "qra"
    elif case == "formaldehyde_37":  # a 37 % solution is not 表1第8项 甲醛(含量>90%): no Q, not a major hazard
        code, res = _post(planner_client, _body(LPG, "危化品仓库", "storage",
                                                [{"chemical": "甲醛", "concentration_pct": 37, "quantity_t": 10}],
                                                exposed_people=0))
        assert code == 200 and res["major_hazard_grade"] is None
        assert all(t["name"] != "甲醛(含量>90%)" for u in res["units"] for t in u["chemicals"])
        code, err = _post(planner_client, _body(LPG, "危化品仓库", "storage",
                                                [{"chemical": "甲醛", "concentration_pct": 137, "quantity_t": 10}]))
        assert code == 400 and err["error"]["field"] == "inventory[0].concentration_pct"
    elif case == "formaldehyde_95":  # 表1第8项 Q = 5 t: S = 10/5 = 2 ≥ 1 → a major hazard
        code, res = _post(planner_client, _body(LPG, "危化品仓库", "storage",
                                                [{"chemical": "甲醛", "concentration_pct": 95, "quantity_t": 10}],
                                                exposed_people=0))
        assert code == 200 and res["units"][0]["chemicals"][0]["Q"] == 5 and res["units"][0]["S"] == pytest.approx(2)
        assert res["major_hazard_grade"] is not None
    elif case == "w5_2_pressure":  # 二甲苯 W5.4 Q 5000 t at 常温常压; at 2.0 MPa > 1.6 MPa W5.2 Q 50 t: S = 60/50
        code, plain = _post(planner_client, _body(LPG, "化工厂", "production", XYLENE, exposed_people=0))
        assert code == 200 and plain["units"][0]["S"] == pytest.approx(60 / 5000) and plain["major_hazard_grade"] is None
        code, hot = _post(planner_client, _body(LPG, "化工厂", "production", XYLENE, exposed_people=0,
                                                conditions={"temperature_c": 80, "pressure_mpa": 2.0}))
        assert code == 200 and hot["units"][0]["S"] == pytest.approx(1.2) and hot["major_hazard_grade"] is not None
        assert hot["units"][0]["chemicals"][0]["Q_source"] == "GB 18218-2018 表2 W5.2"
        code, err = _post(planner_client, _body(LPG, "化工厂", "production", XYLENE, conditions={"pressure": 2}))
        assert code == 400 and err["error"]["field"] == "conditions.pressure"
    else:  # Beijing: refused, naming the field, unless asked for
        body = _body((116.397, 39.909), "加油站", "trade_storage", [{"chemical": "汽油", "quantity_t": 30}])
        code, err = _post(planner_client, body)
        assert code == 400 and err["error"]["field"] == "location" and "千米" in err["error"]["message"]
        code, res = _post(planner_client, {**body, "allow_outside_area": True})
        assert code == 200 and res["area"]["outside"]


def test_cli_siting_check_lpg_and_co(site_db, tmp_path):
    from hazmap.cli import cli

    for inventory, facility, stage, check in (
        ([{"chemical": "液化石油气", "quantity_t": 1250}], "液化石油气储配站", "储存",
         lambda out: {d["category"]: d["required_m"] for d in out["required_distances"]}["mall"] == 110),
        ([{"cas": "630-08-0", "quantity_t": 40, "unit": "production"}], "化工厂", "生产",
         lambda out: out["units"][0]["S"] == pytest.approx(2) and out["method"]["code"] == "qra"),
    ):
        inv = tmp_path / "inv.json"
        inv.write_text(json.dumps(inventory, ensure_ascii=False), encoding="utf-8")
        res = CliRunner().invoke(cli, ["siting", "check", "--lon", str(LPG[0]), "--lat", str(LPG[1]),
                                       "--facility-type", facility, "--stage", stage, "--inventory", str(inv),
                                       "--exposed-people", "0"])
        assert res.exit_code == 0, res.output
        assert check(json.loads(res.output)), facility
    inv.write_text(json.dumps(XYLENE, ensure_ascii=False), encoding="utf-8")
    hot = CliRunner().invoke(cli, ["siting", "check", "--lon", str(LPG[0]), "--lat", str(LPG[1]), "--facility-type",
                                   "化工厂", "--stage", "生产", "--inventory", str(inv), "--exposed-people", "0",
                                   "--pressure-mpa", "2.0"])
    assert hot.exit_code == 0, hot.output
    assert json.loads(hot.output)["units"][0]["S"] == pytest.approx(1.2)


def test_no_registered_target_is_said_as_a_lower_bound_not_as_nobody(site_db):
    res = _check(site_db, _body(LPG, "危化品仓库", "storage", [{"chemical": "液氯", "quantity_t": 20}]))
    assert res["exposure"] == [] and res["exposed_people"] == 0
    assert "未登记防护目标" in res["exposure_text"] and "下限" in res["exposure_text"] and "0 人" not in res["exposure_text"]
    assert res["units"][0]["exposure_basis"] == "none_registered" and res["units"][0]["alpha"] == 0.5
    given = _check(site_db, _body(LPG, "危化品仓库", "storage", [{"chemical": "液氯", "quantity_t": 20}], exposed_people=30))
    assert given["exposure_text"] == "500 米内暴露人数 30 人（按申请人填写）"

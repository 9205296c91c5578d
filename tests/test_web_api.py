"""Flask client tests of ``/api/v1`` on a small database seeded here with SQL.

Independent of the ETL and the demo data: the seed writes a few enterprises, targets, areas and
a pipeline, plus four ``run`` rows so that "the current run" is tested too — run 1 (older,
succeeded), run 2 (newest succeeded *with* results → current), run 3 (newer, failed) and run 4
(newer, succeeded but without enterprise results yet).
"""

from __future__ import annotations

import json
from dataclasses import replace

import pytest
import sqlalchemy as sa

from tests.helpers import as_user, scratch_url, drop_database

pytestmark = pytest.mark.postgis

TOWN_A, TOWN_B = "140502001", "140502002"

# (id, name, credit_code, stages, town, department, lon, lat, precision, licence_expiry)
ENTERPRISES = [
    (1, "城区红星化工有限公司", "91140502MA0000001A", ["production", "storage"], TOWN_A, "应急管理局",
     112.850, 35.500, "source", "2020-01-01"),
    (2, "晋城市橙光加油站", "91140502MA0000002B", ["trade_storage"], TOWN_A, "应急管理局",
     112.855, 35.505, "address_point", "2099-12-31"),
    (3, "黄河危货运输有限公司", "91140502MA0000003C", ["transport"], TOWN_B, "交通运输局",
     112.870, 35.520, "road", None),
    (4, "蓝天医药使用单位", "91140502MA0000004D", ["use"], TOWN_B, "卫生健康和体育局",
     112.830, 35.480, "poi", None),
    (5, "新登记储存企业", "91140502MA0000005E", ["storage"], TOWN_B, "应急管理局",
     112.880, 35.530, "town", None),
]
# current run (2): one of each colour; enterprise 5 has no result yet
RISK_RUN2 = {1: ("red", 52.0, 3), 2: ("orange", 70.0, None), 3: ("yellow", 80.0, None), 4: ("blue", 95.0, None)}


def _poly(x0, y0, x1, y1) -> str:
    return f"MULTIPOLYGON((({x0} {y0},{x1} {y0},{x1} {y1},{x0} {y1},{x0} {y0})))"


def seed(url: str, *, with_results: bool = True) -> None:
    eng = sa.create_engine(url)
    try:
        _seed(eng, with_results=with_results)
        with eng.begin() as c:  # explicit ids above: move the sequences past them
            for t in ("run", "admin_area", "enterprise", "protection_target", "pipeline", "hazard_unit",
                      "inventory", "conflict", "area_risk", "pipeline_hca"):
                c.execute(sa.text(f"select setval(pg_get_serial_sequence('{t}', 'id'), "
                                  f"coalesce((select max(id) from {t}), 0) + 1, false)"))
    finally:
        eng.dispose()


def _seed(eng, *, with_results: bool) -> None:
    with eng.begin() as c:
        x = lambda sql, **p: c.execute(sa.text(sql), p)  # noqa: E731
        x("""insert into admin_area (code, name, level, parent_code, synthetic, geom) values
             ('140502', '城区', 'district', null, true, ST_GeomFromText(:d, 4326)),
             (:a, '东街街道', 'town', '140502', true, ST_GeomFromText(:ga, 4326)),
             (:b, '西街街道', 'town', '140502', true, ST_GeomFromText(:gb, 4326))""",
          d=_poly(112.80, 35.45, 112.92, 35.56), a=TOWN_A, ga=_poly(112.80, 35.45, 112.86, 35.56),
          b=TOWN_B, gb=_poly(112.86, 35.45, 112.92, 35.56))
        for (i, name, code, stages, town, dept, lon, lat, prec, lic) in ENTERPRISES:
            x("""insert into enterprise (id, credit_code, name, stages, town_code, department, geocode_precision,
                                         licence_expiry, geom)
                 values (:i, :code, :name, :stages, :town, :dept, :prec, cast(:lic as date),
                         ST_SetSRID(ST_MakePoint(:lon, :lat), 4326))""",
              i=i, code=code, name=name, stages=stages, town=town, dept=dept, prec=prec, lic=lic, lon=lon, lat=lat)
        x("""insert into protection_target (id, target_key, name, category, gb36894_class, population, town_code, geom)
             values (1, 'T1', '东街第一小学', 'school', '高敏感', 800, :a, ST_SetSRID(ST_MakePoint(112.851, 35.501), 4326)),
                    (2, 'T2', '东街小区', 'residential', '一般一类', 1200, :a,
                     ST_GeomFromText('POLYGON((112.856 35.506,112.858 35.506,112.858 35.508,112.856 35.508,112.856 35.506))', 4326)),
                    (3, 'T3', '西街医院', 'hospital', '高敏感', 300, :b, ST_SetSRID(ST_MakePoint(112.90, 35.54), 4326))""",
          a=TOWN_A, b=TOWN_B)
        x("""insert into pipeline (id, pipeline_key, name, medium, medium_label, diameter_mm, maop_mpa, geom)
             values (1, 'P1', '城区天然气支线', 'gas', '天然气', 323.9, 4.0,
                     ST_GeomFromText('LINESTRING(112.81 35.47, 112.85 35.49, 112.91 35.55)', 4326))""")
        x("""insert into hazard_unit (id, unit_key, enterprise_id, name, kind)
             values (1, 'E1-storage', 1, '液氨罐区', 'storage')""")
        chem = x("select id from chemical where '7664-41-7' = any(cas) order by id limit 1").scalar_one()
        x("insert into inventory (hazard_unit_id, chemical_id, quantity_t, input_name) values (1, :c, 20, '液氨')", c=chem)
        if not with_results:
            x("""insert into run (id, kind, started_at, finished_at, status) values
                 (1, 'etl', '2026-01-01 08:00+08', '2026-01-01 08:05+08', 'failed')""")
            return
        x("""insert into run (id, kind, started_at, finished_at, status, files, counts, changes) values
             (1, 'etl', '2026-01-01 08:00+08', '2026-01-01 08:05+08', 'succeeded', '[]', '{"enterprises": 4}', '{}'),
             (2, 'refresh', '2026-02-01 09:00+08', '2026-02-01 09:10+08', 'succeeded',
              cast(:files as jsonb), '{"enterprises": 5}', cast(:changes as jsonb)),
             (3, 'etl', '2026-03-01 09:00+08', '2026-03-01 09:01+08', 'failed', '[]', '{}', '{}'),
             (4, 'etl', '2026-03-02 09:00+08', '2026-03-02 09:00+08', 'succeeded', '[]', '{}', '{}')""",
          files=json.dumps([{"kind": "enterprises", "file": "enterprises.csv", "rows": 5,
                             "modified": "2026-01-31T18:00:00+08:00"}], ensure_ascii=False),
          changes=json.dumps({"summary": {"colour_changed": 3, "conflicts_added": 1, "conflicts_removed": 1,
                                          "enterprises_added": 1, "enterprises_removed": 0},
                              "colour_changes": [{"enterprise_id": 1, "name": "城区红星化工有限公司",
                                                  "old_color": "blue", "new_color": "red"}]}, ensure_ascii=False))
        reasons = json.dumps([{"code": "MH_GRADE", "text": "三级重大危险源", "points": -6}], ensure_ascii=False)
        for eid in (1, 2, 3, 4):  # run 1: everybody blue (must never show)
            x("""insert into enterprise_risk values (1, :e, 'blue', 99, '[]', null, 'v1')""", e=eid)
        for eid, (col, score, grade) in RISK_RUN2.items():
            x("""insert into enterprise_risk values (2, :e, :c, :s, cast(:r as jsonb), :g, 'v1')""",
              e=eid, c=col, s=score, r=reasons, g=grade)
        x("""insert into hazard_unit_result (run_id, hazard_unit_id, s, r, alpha, exposed_people, is_major, grade)
             values (2, 1, 2.0, 30.0, 1.5, 60, true, 3)""")
        x("""insert into source_requirement values
             (2, 1, 'school', 500, 'R-TOXIC-SCHOOL', 'GB 36894 高敏感防护目标（本地政策）'),
             (2, 1, 'residential', 300, 'R-TOXIC-RES', 'GB 36894 一般防护目标')""")
        x("""insert into conflict (run_id, enterprise_id, hazard_unit_id, target_id, category, distance_m, required_m,
                                   deficit_m, rule_id, rule_text, geom) values
             (2, 1, 1, 1, 'school', 141.3, 500, 358.7, 'R-TOXIC-SCHOOL', 'GB 36894 高敏感防护目标',
              ST_GeomFromText('LINESTRING(112.850 35.500, 112.851 35.501)', 4326)),
             (1, 4, null, 3, 'hospital', 10, 50, 40, 'OLD', 'old run',
              ST_GeomFromText('LINESTRING(112.830 35.480, 112.90 35.54)', 4326))""")
        x("""insert into area_risk (run_id, level, area_code, name, risk_index, risk_color, counts, exposed_people, geom)
             values (2, 'town', :a, '东街街道', 72.5, 'red', '{"red": 1, "orange": 1}', 2000, ST_GeomFromText(:ga, 4326)),
                    (2, 'town', :b, '西街街道', 20.0, 'yellow', '{"yellow": 1, "blue": 1}', 300, ST_GeomFromText(:gb, 4326)),
                    (2, 'grid', 'G-1', '网格1', 50.0, 'orange', '{"red": 1}', 100, ST_GeomFromText(:gg, 4326))""",
          a=TOWN_A, b=TOWN_B, ga=_poly(112.80, 35.45, 112.86, 35.56), gb=_poly(112.86, 35.45, 112.92, 35.56),
          gg=_poly(112.845, 35.495, 112.855, 35.505))
        x("""insert into pipeline_hca (run_id, pipeline_id, grade, impact_radius_m, reasons, geom)
             values (2, 1, 2, 63.0, '["特定场所在潜在影响半径内"]',
                     ST_GeomFromText('LINESTRING(112.84 35.485, 112.85 35.49)', 4326))""")


@pytest.fixture(scope="module")
def web_db(postgis_available):
    """A database after ``db init`` with the seed above (module-wide, read-only)."""
    from hazmap.db.init import init_database

    url = scratch_url("hazmap_web")
    init_database(url)
    seed(url)
    yield url
    drop_database(url)


def make_app(url: str, **limits):
    from hazmap.config import load_settings
    from webmap import create_app

    s = load_settings(env={}, overrides={"database_url": url})
    if limits:
        s = replace(s, limits=replace(s.limits, **limits))
    return as_user(create_app({"TESTING": True}, settings=s))


@pytest.fixture(scope="module")
def client(web_db):
    return make_app(web_db).test_client()


def _ids(fc) -> list[int]:
    return [f["properties"]["id"] for f in fc["features"]]


# ---- enterprises --------------------------------------------------------------------------------

def test_enterprises_use_the_current_run_only(client):
    fc = client.get("/api/v1/enterprises").get_json()
    assert fc["type"] == "FeatureCollection" and fc["numberMatched"] == 5 and fc["numberReturned"] == 5
    assert fc["run_id"] == 2 and fc["data_as_of"].startswith("2026-02-01")
    assert "crs" not in fc and "EPSG:4326" in fc["crs_note"]
    by_id = {f["id"]: f["properties"] for f in fc["features"]}
    assert {i: by_id[i]["risk_color"] for i in by_id} == {1: "red", 2: "orange", 3: "yellow", 4: "blue", 5: None}
    p = by_id[1]
    for key in ("id", "name", "credit_code", "stages", "town", "department", "risk_color", "risk_color_hex",
                "risk_score", "reasons", "major_hazard_grade", "data_as_of", "run_id", "geocode_precision",
                "facility_type", "licence_expiry", "licence_expired"):
        assert key in p, key
    assert p["risk_color_hex"] == "#E02020" and by_id[4]["risk_color_hex"] == "#2F80ED"
    assert p["major_hazard_grade"] == 3 and p["reasons"][0] == {"code": "MH_GRADE", "text": "三级重大危险源", "points": -6}
    assert p["town"] == "东街街道" and p["stages"] == ["production", "storage"]
    assert p["licence_expired"] is True and by_id[2]["licence_expired"] is False
    assert by_id[5]["risk_color_hex"] is None and by_id[5]["risk_score"] is None
    assert fc["features"][0]["geometry"] == {"type": "Point", "coordinates": [112.85, 35.5]}


@pytest.mark.parametrize("query, expected", [
    ("risk=red", [1]), ("risk=red,blue", [1, 4]), ("risk=yellow,orange", [2, 3]),
    (f"town={TOWN_B}", [3, 4, 5]), ("town=东街街道", [1, 2]), ("town=不存在街道", []),
    ("stage=storage", [1, 5]), ("stage=运输", [3]), ("stage=经营(带储存)", [2]),
    ("department=应急管理局", [1, 2, 5]), ("department=交通运输局&risk=yellow", [3]),
    ("q=加油站", [2]), ("q=有限公司", [1, 3]),
    # a name substring is literal: "%" and "_" match names containing them (none here)
    ("q=%", []), ("q=_", []),
    ("bbox=112.845,35.495,112.860,35.510", [1, 2]), ("bbox=112.845,35.495,112.860,35.510&risk=orange", [2]),
    ("bbox=100,20,100.1,20.1", []),
])
def test_enterprise_filters(client, query, expected):
    fc = client.get("/api/v1/enterprises?" + query).get_json()
    assert sorted(_ids(fc)) == expected
    assert fc["numberMatched"] == len(expected) == fc["numberReturned"]


def test_enterprise_paging(client):
    pages = [client.get(f"/api/v1/enterprises?limit=2&offset={o}").get_json() for o in (0, 2, 4, 6)]
    assert [p["numberReturned"] for p in pages] == [2, 2, 1, 0]
    assert all(p["numberMatched"] == 5 for p in pages)
    assert sum((_ids(p) for p in pages), []) == [1, 2, 3, 4, 5]


@pytest.mark.parametrize("path, field", [
    ("/api/v1/enterprises?risk=purple", "risk"), ("/api/v1/enterprises?risk=red,", None),
    ("/api/v1/enterprises?bbox=1,2,3", "bbox"), ("/api/v1/enterprises?bbox=a,b,c,d", "bbox"),
    ("/api/v1/enterprises?bbox=112.9,35.4,112.8,35.6", "bbox"), ("/api/v1/enterprises?bbox=nan,1,2,3", "bbox"),
    ("/api/v1/enterprises?bbox=0,0,90,60", "bbox"), ("/api/v1/enterprises?limit=abc", "limit"),
    ("/api/v1/enterprises?limit=0", "limit"), ("/api/v1/enterprises?limit=5001", "limit"),
    ("/api/v1/enterprises?offset=-1", "offset"), ("/api/v1/enterprises?offset=99999999999999999999", "offset"),
    ("/api/v1/enterprises?stage=飞行", "stage"), ("/api/v1/enterprises?q=a%00b", "q"),
    ("/api/v1/enterprises?town=x%00", "town"), ("/api/v1/enterprises?q=" + "长" * 500, "q"),
    ("/api/v1/hazard-units?grade=5", "grade"), ("/api/v1/hazard-units?grade=一级", "grade"),
    ("/api/v1/targets?category=%00", "category"), ("/api/v1/targets?bbox=1,1,1,1", "bbox"),
    ("/api/v1/conflicts?risk=pink", "risk"), ("/api/v1/areas?level=county", "level"),
    ("/api/v1/pipelines?limit=-3", "limit"), ("/api/v1/runs?limit=x", "limit"),
    ("/api/v1/stats?department=%00", "department"),
])
def test_bad_input_is_400_naming_the_field_never_500(client, path, field):
    r = client.get(path)
    if field is None:  # tolerated (e.g. a trailing comma) — but never a server error
        assert r.status_code == 200
        return
    assert r.status_code == 400, (path, r.status_code, r.get_data(as_text=True)[:300])
    err = r.get_json()["error"]
    assert err["field"] == field and err["message"]


def test_named_limits_from_settings(web_db):
    c = make_app(web_db, max_features_per_response=3, max_bbox_area_deg2=0.001).test_client()
    r = c.get("/api/v1/enterprises?limit=4")
    assert r.status_code == 400 and r.get_json()["error"]["field"] == "limit"
    assert "max_features_per_response" in r.get_json()["error"]["message"]
    assert c.get("/api/v1/enterprises?limit=3").get_json()["numberReturned"] == 3
    # with no limit given the page is still within the cap
    assert c.get("/api/v1/enterprises").get_json()["numberReturned"] <= 3
    r = c.get("/api/v1/enterprises?bbox=112.8,35.4,112.9,35.6")
    assert r.status_code == 400 and r.get_json()["error"]["field"] == "bbox"
    # the limit said in Chinese for page users; the setting's name (max_bbox_area_deg2) is the README's
    msg = r.get_json()["error"]["message"]
    assert "查询范围面积超过上限 0.001 平方度" in msg and "max_bbox_area_deg2" not in msg
    assert c.get("/api/v1/enterprises?bbox=112.845,35.495,112.860,35.510").status_code == 200


@pytest.mark.parametrize("value", ["' or 1=1 --", "1); drop table enterprise; --", "东街街道' --"])
def test_sql_injection_strings_are_just_values(client, value):
    for param in ("town", "department", "q", "stage"):
        r = client.get("/api/v1/enterprises", query_string={param: value})
        assert r.status_code in (200, 400)
        if r.status_code == 200:
            assert r.get_json()["numberMatched"] == 0
    assert client.get("/api/v1/enterprises").get_json()["numberMatched"] == 5


def test_enterprise_detail(client):
    f = client.get("/api/v1/enterprises/1").get_json()
    assert f["type"] == "Feature" and f["id"] == 1 and "EPSG:4326" in f["crs_note"]
    p = f["properties"]
    assert p["risk_color"] == "red" and p["run_id"] == 2
    (u,) = p["hazard_units"]
    assert (u["kind"], u["S"], u["R"], u["alpha"], u["exposed_people"], u["grade"]) == ("storage", 2.0, 30.0, 1.5, 60, 3)
    assert u["inventory"][0]["quantity_t"] == 20 and u["inventory"][0]["chemical"]
    # the item has the list's properties with the same types: "conflicts" is the count, the list has its own name
    (cf,) = p["conflict_list"]
    assert p["conflicts"] == 1
    assert (cf["target_id"], cf["category"], cf["required_m"], cf["rule"]) == (1, "school", 500, "R-TOXIC-SCHOOL")
    assert {r["category"]: r["required_m"] for r in p["requirements"]} == {"school": 500, "residential": 300}
    # enterprise 4 had a conflict in the old run only
    p4 = client.get("/api/v1/enterprises/4").get_json()["properties"]
    assert p4["conflict_list"] == [] and p4["conflicts"] == 0


@pytest.mark.parametrize("path", ["/api/v1/enterprises/999", "/api/v1/targets/999", "/api/v1/nothing-here"])
def test_not_found_is_json_under_api(client, path):
    r = client.get(path)
    assert r.status_code == 404 and r.is_json and r.get_json()["error"]["message"]


# ---- other collections --------------------------------------------------------------------------

def test_hazard_units(client):
    fc = client.get("/api/v1/hazard-units").get_json()
    (f,) = fc["features"]
    p = f["properties"]
    assert (p["id"], p["enterprise_id"], p["kind"], p["S"], p["R"], p["alpha"], p["exposed_people"], p["grade"]) == \
        (1, 1, "storage", 2.0, 30.0, 1.5, 60, 3)
    assert f["geometry"]["coordinates"] == [112.85, 35.5]  # the enterprise's point
    assert client.get("/api/v1/hazard-units?grade=3").get_json()["numberMatched"] == 1
    assert client.get("/api/v1/hazard-units?grade=1").get_json()["numberMatched"] == 0
    assert client.get(f"/api/v1/hazard-units?town={TOWN_B}").get_json()["numberMatched"] == 0
    assert client.get("/api/v1/hazard-units?town=东街街道").get_json()["numberMatched"] == 1


def test_targets_and_per_target_view(client):
    fc = client.get("/api/v1/targets").get_json()
    assert fc["numberMatched"] == 3 and "crs_note" in fc
    assert {f["properties"]["category"] for f in fc["features"]} == {"school", "residential", "hospital"}
    for key in ("id", "name", "category", "population"):
        assert key in fc["features"][0]["properties"]
    assert _ids(client.get("/api/v1/targets?category=school").get_json()) == [1]
    assert _ids(client.get("/api/v1/targets?bbox=112.89,35.53,112.91,35.55").get_json()) == [3]
    t = client.get("/api/v1/targets/1").get_json()
    assert t["properties"]["name"] == "东街第一小学" and "crs_note" in t
    (s,) = t["properties"]["sources"]
    assert (s["enterprise_id"], s["risk_color"], s["required_m"], s["distance_m"]) == (1, "red", 500, 141.3)
    # the hospital's only conflict is in the old run: no sources now
    assert client.get("/api/v1/targets/3").get_json()["properties"]["sources"] == []


def test_conflicts(client):
    fc = client.get("/api/v1/conflicts").get_json()
    (f,) = fc["features"]  # the old run's conflict is not shown
    assert f["geometry"]["type"] == "LineString"
    assert f["geometry"]["coordinates"] == [[112.85, 35.5], [112.851, 35.501]]  # source → target
    p = f["properties"]
    assert (p["enterprise_id"], p["target_id"], p["distance_m"], p["required_m"], p["deficit_m"], p["rule"]) == \
        (1, 1, 141.3, 500, 358.7, "R-TOXIC-SCHOOL")
    assert client.get("/api/v1/conflicts?risk=red").get_json()["numberMatched"] == 1
    assert client.get("/api/v1/conflicts?risk=blue").get_json()["numberMatched"] == 0
    assert client.get("/api/v1/conflicts?town=西街街道").get_json()["numberMatched"] == 0
    assert client.get("/api/v1/conflicts?category=school").get_json()["numberMatched"] == 1
    assert client.get("/api/v1/conflicts?category=hospital").get_json()["numberMatched"] == 0


def test_areas(client):
    towns = client.get("/api/v1/areas?level=town").get_json()
    assert {f["properties"]["id"]: f["properties"]["risk_color"] for f in towns["features"]} == \
        {TOWN_A: "red", TOWN_B: "yellow"}
    p = towns["features"][0]["properties"]
    assert p["name"] == "东街街道" and p["risk_index"] == 72.5 and p["counts"] == {"red": 1, "orange": 1}
    assert client.get("/api/v1/areas").get_json()["numberMatched"] == 2  # town is the default level
    grid = client.get("/api/v1/areas?level=grid").get_json()
    assert _ids(grid) == ["G-1"] and grid["features"][0]["geometry"]["type"] == "MultiPolygon"


def test_pipelines_with_hca_segments(client):
    (f,) = client.get("/api/v1/pipelines").get_json()["features"]
    p = f["properties"]
    assert (p["name"], p["medium"], p["diameter_mm"], p["maop_mpa"]) == ("城区天然气支线", "gas", 323.9, 4.0)
    (seg,) = p["hca_segments"]
    assert seg["grade"] == 2 and seg["geometry"]["type"] == "LineString"


def test_boundaries(client):
    fc = client.get("/api/v1/boundaries").get_json()
    assert {f["properties"]["level"] for f in fc["features"]} == {"district", "town"}
    assert "EPSG:4326" in fc["crs_note"]


def test_stats(client):
    s = client.get("/api/v1/stats").get_json()
    assert s["by_colour"] == {"red": 1, "orange": 1, "yellow": 1, "blue": 1, "none": 1}
    assert s["by_town"]["东街街道"] == {"red": 1, "orange": 1}
    assert s["by_department"]["交通运输局"] == {"yellow": 1}
    assert s["by_stage"]["储存"] == {"red": 1, "none": 1}
    assert [t["id"] for t in s["top_risks"]] == [1, 2, 3, 4]  # colour, then score
    assert s["run_id"] == 2 and s["data_as_of"].startswith("2026-02-01")
    assert s["last_run"]["id"] == 2  # the run the figures come from: one run per response
    assert client.get("/api/v1/stats?town=西街街道").get_json()["by_colour"] == {"yellow": 1, "blue": 1, "none": 1}
    assert client.get("/api/v1/stats?department=交通运输局").get_json()["by_colour"] == {"yellow": 1}


def test_top_list_leads_with_a_direct_red_whatever_its_score(fresh_db_url):
    """The dashboard's top ten: colour first (red, orange, yellow, blue), then score.  A red decided
    directly (直接判定) keeps a high score; twelve yellows and oranges with lower scores must not push
    it off the list (the ten lowest scores would)."""
    seed(fresh_db_url)
    eng = sa.create_engine(fresh_db_url)
    try:
        with eng.begin() as c:
            c.execute(sa.text("update enterprise_risk set risk_score = 85 where run_id = 2 and enterprise_id = 1"))
            for i in range(12):  # ids 101…112: yellow (scores 60…65.5) and two oranges at 75, 76
                eid, colour, score = 101 + i, "orange" if i >= 10 else "yellow", 75.0 + (i - 10) if i >= 10 else 60.0 + i / 2
                c.execute(sa.text("""insert into enterprise (id, credit_code, name, stages, town_code, geocode_precision, geom)
                                     values (:i, :code, :name, array['storage'], :town, 'source',
                                             ST_SetSRID(ST_MakePoint(112.84, 35.49), 4326))"""),
                          {"i": eid, "code": f"91140502MA{eid:07d}X", "name": f"手工企业{eid}", "town": TOWN_A})
                c.execute(sa.text("insert into enterprise_risk values (2, :e, :c, :s, '[]', null, 'v1')"),
                          {"e": eid, "c": colour, "s": score})
    finally:
        eng.dispose()
    top = make_app(fresh_db_url).test_client().get("/api/v1/stats").get_json()["top_risks"]
    assert len(top) == 10
    assert [t["id"] for t in top] == [1, 2, 111, 112, 101, 102, 103, 104, 105, 106]
    assert (top[0]["risk_color"], top[0]["risk_score"]) == ("red", 85.0)
    rank = ["red", "orange", "yellow", "blue"]
    keys = [(rank.index(t["risk_color"]), t["risk_score"]) for t in top]
    assert keys == sorted(keys)


def test_runs(client):
    body = client.get("/api/v1/runs").get_json()
    runs = body["runs"]
    assert [r["id"] for r in runs] == [4, 3, 2, 1] and body["numberMatched"] == 4
    r2 = next(r for r in runs if r["id"] == 2)
    assert r2["kind"] == "refresh" and r2["status"] == "succeeded" and r2["counts"] == {"enterprises": 5}
    assert r2["started"].startswith("2026-02-01") and r2["finished"] and r2["changes"]["summary"]
    assert [r["status"] for r in runs if r["id"] == 3] == ["failed"]
    assert client.get("/api/v1/runs?limit=1").get_json()["runs"][0]["id"] == 4


# ---- no run yet ---------------------------------------------------------------------------------

def test_no_results_yet_is_empty_not_an_error(fresh_db_url):
    seed(fresh_db_url, with_results=False)  # enterprises loaded, only a failed run
    c = make_app(fresh_db_url).test_client()
    fc = c.get("/api/v1/enterprises").get_json()
    assert fc["numberMatched"] == 5 and fc["run_id"] is None and fc["data_as_of"] is None
    assert all(f["properties"]["risk_color"] is None for f in fc["features"])
    assert c.get("/api/v1/enterprises?risk=red").get_json()["features"] == []
    for path in ("/api/v1/conflicts", "/api/v1/areas?level=grid"):
        r = c.get(path)
        assert r.status_code == 200 and r.get_json()["features"] == [], path
    towns = c.get("/api/v1/areas?level=town").get_json()["features"]  # boundaries, no colour
    assert towns and all(f["properties"]["risk_color"] is None for f in towns)
    assert c.get("/api/v1/hazard-units").get_json()["features"][0]["properties"]["grade"] is None
    assert c.get("/api/v1/targets/1").get_json()["properties"]["sources"] == []
    assert c.get("/api/v1/pipelines").get_json()["features"][0]["properties"]["hca_segments"] == []
    s = c.get("/api/v1/stats").get_json()
    assert s["by_colour"] == {"none": 5} and s["top_risks"] == [] and s["last_run"] is None
    assert c.get("/api/v1/runs").get_json()["runs"][0]["status"] == "failed"
    for page in ("/", "/dashboard", "/siting"):
        assert c.get(page).status_code == 200
    assert '"dataAsOf": null' in c.get("/").get_data(as_text=True)
    assert "尚无成功的数据导入" in c.get("/dashboard").get_data(as_text=True)


# ---- siting -------------------------------------------------------------------------------------

def test_siting_check_route(client):
    ok = client.post("/api/v1/siting/check", json={
        "location": {"lon": 112.8505, "lat": 35.5005, "crs": "wgs84"}, "facility_type": "危化品仓库", "stage": "storage",
        "inventory": [{"cas": "7664-41-7", "quantity_t": 20, "unit": "storage"}], "exposed_people": None})
    assert ok.status_code == 200, ok.get_data(as_text=True)
    body = ok.get_json()
    assert body["location"]["crs"] == "wgs84" and body["units"][0]["S"] > 0
    assert body["risk_color"] in ("red", "orange", "yellow", "blue")
    assert any(c["target_id"] == 1 for c in body["conflicts"])  # the school is 140 m away
    assert body["verdict"]["decision"] == "shortfall" and body["verdict"]["label"] == "初筛发现距离不足"


@pytest.mark.parametrize("kwargs, field", [
    ({"data": "not json", "content_type": "application/json"}, "body"),
    ({"data": "{\"location\": ", "content_type": "application/json"}, "body"),
    ({"data": "x=1", "content_type": "application/x-www-form-urlencoded"}, "body"),
    ({"json": [1, 2]}, "body"),
    ({"json": "text"}, "body"),
    ({"json": {"inventory": []}}, "location"),
    ({"json": {"location": {"lon": 112.85, "lat": 35.5}, "inventory": [{"chemical": "液氯", "quantity_t": 1}]}},
     "facility_type"),
    ({"json": {"location": {"lon": 112.85, "lat": 35.5}, "facility_type": "危化品仓库",
               "inventory": [{"chemical": "液氯", "quantity_t": 1}]}}, "stage"),
    ({"json": {"location": {"lon": 116.397, "lat": 39.909}, "facility_type": "危化品仓库", "stage": "storage",
               "inventory": [{"chemical": "液氯", "quantity_t": 1}]}}, "location"),
    ({"json": {"location": {"lon": "abc", "lat": 35.5}, "inventory": [{"chemical": "液氯", "quantity_t": 1}]}},
     "location.lon"),
    ({"json": {"location": {"lon": 112.85, "lat": 35.5, "crs": "mars"}, "inventory": []}}, "location.crs"),
    ({"json": {"location": {"lon": 112.85, "lat": 35.5}, "facility_type": "危化品仓库", "stage": "storage",
               "inventory": [{"chemical": "液氯", "quantity_t": -1, "unit": "storage"}]}}, None),
    ({"json": {"location": {"lon": 112.85, "lat": 35.5}, "facility_type": "危化品仓库", "stage": "storage",
               "inventory": [{"chemical": "不存在的化学品", "quantity_t": 1, "unit": "storage"}]}}, None),
])
def test_siting_bad_input_is_400(client, kwargs, field):
    r = client.post("/api/v1/siting/check", **kwargs)
    assert r.status_code == 400, r.get_data(as_text=True)[:300]
    err = r.get_json()["error"]
    assert err["message"] and (field is None or err["field"] == field), err


def test_request_body_limit_is_413_json(web_db):
    c = make_app(web_db, max_request_body_bytes=100).test_client()
    r = c.post("/api/v1/siting/check", data="x" * 1000, content_type="application/json")
    assert r.status_code == 413 and r.get_json()["error"]["message"]


def test_get_on_post_endpoint_is_405_json(client):
    r = client.get("/api/v1/siting/check")
    assert r.status_code == 405 and r.get_json()["error"]


# ---- the registry: every collection alike -------------------------------------------------------

COUNTS = {"enterprises": 5, "hazard-units": 1, "targets": 3, "target-points": 2, "target-areas": 1, "conflicts": 1,
          "areas": 2, "grid-cells": 1, "pipelines": 1, "boundaries": 3}


@pytest.mark.parametrize("cid, total", COUNTS.items())
def test_number_matched_is_the_true_count_on_every_page(client, cid, total):
    first = client.get(f"/api/v1/{cid}?limit=1").get_json()
    past = client.get(f"/api/v1/{cid}?limit=1&offset=1000").get_json()
    assert first["numberMatched"] == past["numberMatched"] == total
    assert len(first["features"]) == 1 and past["features"] == [] and past["numberReturned"] == 0


def _kind(v):
    return "null" if v is None else type(v).__name__


@pytest.mark.parametrize("cid", COUNTS)
def test_an_item_has_the_list_properties_with_the_same_types(client, cid):
    for f in client.get(f"/api/v1/{cid}").get_json()["features"]:
        one = client.get(f"/api/v1/{cid}/{f['id']}")
        assert one.status_code == 200, (cid, f["id"], one.get_data(as_text=True)[:200])
        item = one.get_json()
        assert item["id"] == f["id"] and item["geometry"] == f["geometry"]
        for key, value in f["properties"].items():
            assert _kind(item["properties"][key]) == _kind(value) and item["properties"][key] == value, (cid, key)


def test_string_ids_answer_and_unknown_ids_are_404(client):
    assert client.get("/api/v1/areas/140502001").get_json()["properties"]["risk_color"] == "red"
    assert client.get("/api/v1/grid-cells/G-1").get_json()["properties"]["risk_index"] == 50.0
    assert client.get("/api/v1/boundaries/140502").get_json()["properties"]["level"] == "district"
    for path in ("/api/v1/areas/nope", "/api/v1/enterprises/abc", "/api/v1/enterprises/99999999999999999999"):
        r = client.get(path)
        assert r.status_code == 404 and r.get_json()["error"]["message"], path


@pytest.mark.parametrize("path, pages", [
    ("/api/v1/enterprises?limit=2", [[1, 2], [3, 4], [5]]),
    ("/api/v1/enterprises?limit=2&risk=red,orange,yellow", [[1, 2], [3]]),
    ("/api/v1/targets?limit=1", [[1], [2], [3]]),
    ("/api/v1/areas?level=grid&limit=1", [["G-1"]]),
])
def test_next_links_page_by_key(client, path, pages):
    seen, url = [], path
    while url:
        fc = client.get(url).get_json()
        seen.append([f["id"] for f in fc["features"]])
        assert fc["numberMatched"] == sum(len(p) for p in pages)
        nxt = [link["href"] for link in fc["links"] if link["rel"] == "next"]
        url = nxt[0].replace("http://localhost", "") if nxt else None
        assert not url or "after=" in url and "offset=" not in url
    assert seen == pages


def test_targets_are_also_served_by_geometry_type(client):
    points = client.get("/api/v1/target-points").get_json()["features"]
    areas = client.get("/api/v1/target-areas").get_json()["features"]
    assert [f["id"] for f in points] == [1, 3] and [f["id"] for f in areas] == [2]
    assert {f["geometry"]["type"] for f in points} == {"Point"} and areas[0]["geometry"]["type"] == "MultiPolygon"
    # RFC 7946 §3.1.6: the exterior ring is counterclockwise (positive shoelace area)
    ring = areas[0]["geometry"]["coordinates"][0][0]
    assert sum(x0 * y1 - x1 * y0 for (x0, y0), (x1, y1) in zip(ring, ring[1:])) > 0
    mixed = client.get("/api/v1/targets").get_json()["features"]
    assert sorted(f["id"] for f in mixed) == [1, 2, 3]
    assert client.get("/api/v1/target-areas?category=residential").get_json()["numberMatched"] == 1
    assert client.get("/api/v1/target-points?category=residential").get_json()["numberMatched"] == 0


def test_flat_companions_of_structured_fields(client):
    p = client.get("/api/v1/enterprises/1").get_json()["properties"]
    # seed: one reason MH_GRADE (-6 points) → text with its points, its code, no scored column matches it
    assert p["reasons_text"] == "三级重大危险源（-6）" and p["reason_codes"] == "MH_GRADE"
    assert p["pts_major_hazard"] is None and p["stage_labels"] == ["生产", "储存"]
    pipe = client.get("/api/v1/pipelines/1").get_json()["properties"]
    assert (pipe["hca_count"], pipe["hca_max_grade"]) == (1, 2)
    assert pipe["hca_text"] == "Ⅱ级（影响半径 63.0 m）：特定场所在潜在影响半径内"
    town = client.get("/api/v1/areas/140502001").get_json()["properties"]
    assert (town["n_red"], town["n_orange"], town["n_yellow"], town["n_blue"]) == (1, 1, 0, 0)


# ---- one run per response -----------------------------------------------------------------------

@pytest.mark.parametrize("path", ["/api/v1/enterprises", "/api/v1/stats", "/api/v1/enterprises?format=csv",
                                  "/ogc/collections/enterprises/items"])
def test_a_refresh_committing_between_two_reads_is_not_seen_by_the_response(fresh_db_url, path):
    """Run 5 (a new enterprise, every colour red) commits right after the response has read its run."""
    from sqlalchemy import event

    from hazmap.db.session import get_engine

    seed(fresh_db_url)
    app = make_app(fresh_db_url)
    engine = get_engine(fresh_db_url, app.config["HAZMAP_SETTINGS"].limits.statement_timeout_ms)
    other = sa.create_engine(fresh_db_url)
    fired = []

    def commit_a_refresh(conn, cursor, statement, *args):
        if fired or "from run" in statement or any(t in statement for t in (
                "app_user", "audit_log", "app_secret", "app_session", "login_throttle")):
            return  # the snapshot's run read, or the request's authentication and audit — not the data
        fired.append(statement)
        with other.begin() as c:
            c.execute(sa.text("""insert into enterprise (id, credit_code, name, stages, geocode_precision, geom)
                                 values (6, '91140502MA0000006F', '新企业', '{storage}', 'source',
                                         ST_SetSRID(ST_MakePoint(112.85, 35.5), 4326))"""))
            c.execute(sa.text("""insert into run (id, kind, started_at, finished_at, status)
                                 values (5, 'refresh', now(), now(), 'succeeded')"""))
            c.execute(sa.text("insert into enterprise_risk select 5, id, 'red', 10, '[]', null, 'v1' from enterprise"))

    event.listen(engine, "before_cursor_execute", commit_a_refresh)
    try:
        r = app.test_client().get(path)
        body = r.get_data(as_text=True)
    finally:
        event.remove(engine, "before_cursor_execute", commit_a_refresh)
        other.dispose()
    assert r.status_code == 200 and fired
    if path.endswith("format=csv"):
        import csv
        import io

        rows = list(csv.DictReader(io.StringIO(body.lstrip("\ufeff"))))
        assert sorted(int(x["id"]) for x in rows) == [1, 2, 3, 4, 5] and {x["run_id"] for x in rows} == {"2"}
        return
    doc = json.loads(body)
    if path == "/api/v1/stats":
        assert doc["run_id"] == 2 and doc["last_run"]["id"] == 2 and sum(doc["by_colour"].values()) == 5
        return
    assert doc["run_id"] == 2 and doc["numberMatched"] == 5
    assert sorted(f["id"] for f in doc["features"]) == [1, 2, 3, 4, 5]
    assert {f["properties"]["run_id"] for f in doc["features"]} == {2}
    # the next response sees the refresh whole
    after = make_app(fresh_db_url).test_client().get("/api/v1/enterprises").get_json()
    assert after["run_id"] == 5 and after["numberMatched"] == 6


# every collection of every wing, on the demo (which fills each): the count past the last page and
# the single item's property types, as for the core collections above
def _every_collection():
    from geo.postgis.collections import registry

    return [cid for cid, c in registry().items() if c.api]


@pytest.mark.parametrize("cid", _every_collection())
def test_every_wing_collection_counts_past_the_last_page_and_items_keep_their_types(demo_app, cid):
    c = demo_app.test_client()
    first = c.get(f"/api/v1/{cid}?limit=3").get_json()
    total = first["numberMatched"]
    past = c.get(f"/api/v1/{cid}?limit=1&offset={total + 10}").get_json()
    assert past["numberMatched"] == total and past["features"] == [] and past["numberReturned"] == 0, cid
    assert total > 0, f"the demo leaves {cid} empty: the drift check would check nothing"
    for f in first["features"]:
        one = c.get(f"/api/v1/{cid}/{f['id']}")
        assert one.status_code == 200, (cid, f["id"], one.get_data(as_text=True)[:200])
        item = one.get_json()
        assert item["id"] == f["id"] and item["geometry"] == f["geometry"], cid
        for key, value in f["properties"].items():
            assert _kind(item["properties"][key]) == _kind(value) and item["properties"][key] == value, (cid, key)

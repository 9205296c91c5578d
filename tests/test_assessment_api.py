"""The assessment API (issue 12 items 4–6): roles, validation naming the field, 五落实 and state rules
naming the rule, the colour following at the next refresh, reproducible 双随机 draws with caps and
recusal, inspection results, audit of every write."""

from __future__ import annotations

import datetime as dt
import hashlib

import pytest
import sqlalchemy as sa

from hazmap.config import load_settings
from hazmap.db.session import get_engine
from hazmap.refresh import run_refresh
from tests.helpers import as_user
from tests.test_refresh import _seed

from geo.credit_code import make

PLANT, STATION = make("91140502MA0PLANT1"), make("91140502MA0GAXTN1")  # valid codes (the API checks them)


@pytest.fixture
def env(fresh_db_url, monkeypatch):
    monkeypatch.setenv("DATABASE_URL", fresh_db_url)
    monkeypatch.delenv("HAZMAP_CONFIG", raising=False)
    with get_engine(fresh_db_url).begin() as conn:
        ids = _seed(conn)
        conn.execute(sa.text("update enterprise set credit_code = :c where id = :e"), {"c": PLANT, "e": ids["plant"]})
        conn.execute(sa.text("update enterprise set credit_code = :c where id = :e"), {"c": STATION, "e": ids["station"]})
        for key, name, dept, recused in (("I1", "张一", "区应急管理局", []), ("I2", "李二", "区应急管理局", []),
                                         ("I3", "王三", "区应急管理局", [PLANT]), ("I4", "赵四", "区公安分局", [])):
            conn.execute(sa.text("insert into inspector (inspector_key, name, department, recused_credit_codes) "
                                 "values (:k, :n, :d, :r)"), {"k": key, "n": name, "d": dept, "r": recused})
    run_refresh(load_settings())
    from webmap import create_app

    def client(role):
        return as_user(create_app({"TESTING": True, "DATABASE_URL": fresh_db_url}), role).test_client()
    return fresh_db_url, ids, client


def _risk(url, eid):
    with get_engine(url).connect() as conn:
        return conn.execute(sa.text("select * from enterprise_risk where enterprise_id = :e order by run_id desc "
                                    "limit 1"), {"e": eid}).one()


def _audits(url, action):
    with get_engine(url).connect() as conn:
        return conn.execute(sa.text("select count(*) from audit_log where action = :a"), {"a": action}).scalar()


def test_assessment_roles_validation_and_the_colour_follows(env):
    url, ids, client = env
    p = ids["plant"]
    item = {"code": "PROCESSES", "points": -4, "evidence": "氯化工艺 2 套（工艺流程图）", "assessed_on": "2026-10-15"}
    assert client("leader").post(f"/api/v1/enterprises/{p}/assessment", json={"items": [item]}).status_code == 403
    c = client("inspector")
    bad = c.post(f"/api/v1/enterprises/{p}/assessment", json={"items": [item, {**item, "points": -12}]})
    assert bad.status_code == 400 and bad.json["error"]["field"] == "items[1].points"
    assert "最多扣10分" in bad.json["error"]["message"]
    bad = c.post(f"/api/v1/enterprises/{p}/assessment", json={"items": [{**item, "evidence": ""}]})
    assert bad.status_code == 400 and bad.json["error"]["field"] == "items[0].evidence"
    bad = c.post(f"/api/v1/enterprises/{p}/assessment", json={"items": [{"code": "DR_NO_DESIGN", "evidence": "x"}]})
    assert bad.status_code == 400 and bad.json["error"]["field"] == "items[0].met"
    with get_engine(url).connect() as conn:
        assert conn.execute(sa.text("select count(*) from assessment_item")).scalar() == 0  # all or nothing
    ok = c.post(f"/api/v1/enterprises/{p}/assessment", json={"items": [
        item, {"code": "DR_NO_DESIGN", "met": False, "evidence": "设计诊断报告（2025）"}]})
    assert ok.status_code == 201 and len(ok.json["inserted"]) == 2
    assert _audits(url, "assessment_add") == 1
    before = _risk(url, p)
    run_refresh(load_settings())
    after = _risk(url, p)
    assert after.risk_score == before.risk_score - 4  # 88.5 → 84.5 (外部安全防护距离 met by QRA)
    assert after.assessment_coverage == before.assessment_coverage + 0.1
    got = c.get(f"/api/v1/enterprises/{p}/assessment").json
    assert got["current"]["risk_score"] == 84.5 and len(got["entries"]) == 2
    assert {i["code"] for i in got["model"]["items"]} >= {"PROCESSES", "PERSONNEL"}
    hist = c.get(f"/api/v1/enterprises/{p}/history").json["runs"]
    assert [h["risk_score"] for h in hist] == [88.5, 84.5]
    assert hist[-1]["assessment_coverage"] == 0.35


def test_hidden_danger_five_implementations_and_state_rules(env):
    url, ids, client = env
    c = client("inspector")
    base = {"enterprise_id": ids["plant"], "found_on": "2026-09-01", "source": "部门检查",
            "description": "液氯罐区未设紧急切断", "grade": "重大", "major_item": 5, "place": "罐区",
            "lon": 112.85, "lat": 35.5, "crs": "wgs84"}
    r = c.post("/api/v1/hidden-dangers", json={**base, "state": "整改中"})
    assert r.status_code == 400 and r.json["error"]["rule"] == "five_implementations"
    assert r.json["error"]["field"] == "五落实"
    r = c.post("/api/v1/hidden-dangers", json=base)
    assert r.status_code == 201 and r.json["state"] == "待整改" and r.json["found_by"].startswith("t-inspector")
    did = r.json["id"]
    r = c.patch(f"/api/v1/hidden-dangers/{did}", json={"state": "已销号", "reviewer": "赵验收"})
    assert r.status_code == 400 and r.json["error"]["rule"] == "state_order"
    r = c.patch(f"/api/v1/hidden-dangers/{did}", json={"state": "整改中", "measures": "加装紧急切断阀"})
    assert r.status_code == 400 and r.json["error"]["rule"] == "five_implementations"
    assert "责任" in r.json["error"]["message"] and "措施" not in r.json["error"]["message"].split("缺少：")[1]
    five = {"measures": "加装紧急切断阀", "responsible": "张安全", "funds_yuan": 86000, "deadline": "2026-10-31",
            "plan": "液氯泄漏专项应急预案"}
    r = c.patch(f"/api/v1/hidden-dangers/{did}", json={"state": "整改中", **five})
    assert r.status_code == 200 and r.json["state"] == "整改中" and r.json["missing_five"] == []
    assert c.patch(f"/api/v1/hidden-dangers/{did}", json={"state": "待验收", "on": "2026-10-20"}).status_code == 200
    r = c.patch(f"/api/v1/hidden-dangers/{did}", json={"state": "已销号", "on": "2026-10-25"})
    assert r.status_code == 400 and r.json["error"]["rule"] == "acceptance"
    r = c.patch(f"/api/v1/hidden-dangers/{did}", json={"state": "已销号", "on": "2026-10-25", "reviewer": "赵验收"})
    assert r.status_code == 200 and r.json["accepted_on"] == "2026-10-25" and r.json["reviewer"] == "赵验收"
    assert _audits(url, "hidden_danger_add") == 1 and _audits(url, "hidden_danger_update") == 3
    with get_engine(url).connect() as conn:
        h = conn.execute(sa.text("select state, ST_X(geom) as x, src_crs from hidden_danger")).one()
    assert (h.state, h.x, h.src_crs) == ("已销号", 112.85, "wgs84")
    assert client("planner").post("/api/v1/hidden-dangers", json=base).status_code == 403


def test_draw_is_reproducible_with_quotas_caps_and_recusal(env):
    url, ids, client = env
    c = client("operator")
    body = {"seed": "2026-Q4 公开摇号 7f3a", "period": "2026-Q4"}
    first = c.post("/api/v1/inspections/draw", json=body)
    assert first.status_code == 201, first.json
    d = first.json
    assert d["seed_sha256"] == hashlib.sha256(body["seed"].encode()).hexdigest()
    # defaults: yellow 25 %, blue 10 % of strata of one → ceil → one each
    assert {i["credit_code"] for i in d["inspections"]} == {PLANT, STATION}
    plant = next(i for i in d["inspections"] if i["credit_code"] == PLANT)
    team = {x["key"] for x in plant["inspectors"]}
    assert len(team) == 2 and team <= {"I1", "I2", "I4"}  # I3 declared a conflict with the plant
    station = next(i for i in d["inspections"] if i["credit_code"] == STATION)
    assert {x["key"] for x in station["inspectors"]} <= {"I1", "I2", "I3"}  # the station has no 公安 department
    again = c.post("/api/v1/inspections/draw", json=body).json
    assert [(i["credit_code"], [x["key"] for x in i["inspectors"]]) for i in again["inspections"]] == \
        [(i["credit_code"], [x["key"] for x in i["inspectors"]]) for i in d["inspections"]]
    # an explicit quota of 0 for the station's stratum
    q = c.post("/api/v1/inspections/draw", json={**body, "quotas": [
        {"colour": "blue", "standardisation": "未登记", "credit": "未评定", "quota": 0}]}).json
    assert [i["credit_code"] for i in q["inspections"]] == [PLANT]
    # Shanxi cap: 标准化一级 at most 2 a year; the plant has had 2 → not drawable
    with get_engine(url).begin() as conn:
        conn.execute(sa.text("update enterprise set standardisation_level = 1 where id = :e"), {"e": ids["plant"]})
        conn.execute(sa.text("delete from inspection"))
        for day in ("2026-03-01", "2026-06-01"):
            conn.execute(sa.text("insert into inspection (enterprise_id, status, inspected_on) values (:e, 'done', :d)"),
                         {"e": ids["plant"], "d": dt.date.fromisoformat(day)})  # the drawn period's year (2026-Q4)
    capped = c.post("/api/v1/inspections/draw", json=body).json
    assert PLANT not in {i["credit_code"] for i in capped["inspections"]}
    s = next(x for x in capped["strata"] if x["standardisation"] == "一级")
    assert s["capped"] == [PLANT] and s["drawn"] == 0
    assert any("超过年度检查上限 1 家" in n for n in capped["notes"])
    # the cap counts the drawn period's year: for 2027-Q1 the plant's two 2026 inspections do not count
    later = c.post("/api/v1/inspections/draw", json={**body, "period": "2027-Q1"}).json
    assert PLANT in {i["credit_code"] for i in later["inspections"]}
    bad = c.post("/api/v1/inspections/draw", json={"period": "2026-Q4"})
    assert bad.status_code == 400 and bad.json["error"]["field"] == "seed"
    assert _audits(url, "inspection_draw") == 5


def test_the_registrys_credit_class_and_recused_departments_reach_the_draw(env):
    """信用等级 makes the stratum (credit factor D = 2.0: ceil(0.25 × 2 × 1) = 1); 回避部门 keeps a whole
    department off the enterprise's team (《行政处罚法》第四十三条)."""
    url, ids, client = env
    with get_engine(url).begin() as conn:
        conn.execute(sa.text("update enterprise set credit_class = 'D', recused_departments = '{区应急管理局}' "
                             "where id = :e"), {"e": ids["plant"]})
    d = client("operator").post("/api/v1/inspections/draw", json={"seed": "s", "period": "2026-Q4"}).json
    (stratum,) = [x for x in d["strata"] if x["credit"] == "D"]  # the plant's own stratum, credit D
    assert stratum["population"] == 1 and stratum["quota"] == 1  # ceil(colour rate × 2.0 × 1) = 1
    # only 区公安分局's one inspector may go and a team needs two: the plant is drawn but cannot be staffed
    assert stratum["unstaffed"] == [PLANT] and PLANT not in {i["credit_code"] for i in d["inspections"]}


def test_inspection_result_links_hidden_dangers_and_items(env):
    url, ids, client = env
    c = client("inspector")
    d = c.post("/api/v1/inspections/draw", json={"seed": "s", "period": "2026-11"}).json
    iid = next(i["inspection_id"] for i in d["inspections"] if i["credit_code"] == PLANT)
    hd = c.post("/api/v1/hidden-dangers", json={"enterprise_id": ids["plant"], "found_on": "2026-11-02",
                                                 "source": "双随机", "description": "气体检测报警仪失效",
                                                 "grade": "一般", "inspection_id": iid}).json
    item = c.post(f"/api/v1/enterprises/{ids['plant']}/assessment", json={"inspection_id": iid, "items": [
        {"code": "CONTROLS", "points": -1, "evidence": "1 处可燃气体检测报警仪失效", "assessed_on": "2026-11-02"}]}).json
    bad = c.post(f"/api/v1/inspections/{iid}/result", json={"inspected_on": "2026-11-02", "result": "x",
                                                           "hidden_danger_ids": [999999]})
    assert bad.status_code == 400 and bad.json["error"]["field"] == "hidden_danger_ids"
    r = c.post(f"/api/v1/inspections/{iid}/result", json={
        "inspected_on": "2026-11-02", "result": "发现一般隐患 1 项", "hidden_danger_ids": [hd["id"]],
        "assessment_item_ids": item["inserted"]})
    assert r.status_code == 200 and r.json["status"] == "done"
    with get_engine(url).connect() as conn:
        row = conn.execute(sa.text("select status, result from inspection where id = :i"), {"i": iid}).one()
        linked = conn.execute(sa.text("select inspection_id from assessment_item")).scalar()
    assert row == ("done", "发现一般隐患 1 项") and linked == iid
    assert _audits(url, "inspection_result") == 1


def test_collections_list_the_ledger_inspections_items_and_the_new_enterprise_fields(env):
    url, ids, client = env
    c = client("inspector")
    p = ids["plant"]
    c.post("/api/v1/hidden-dangers", json={"enterprise_id": p, "found_on": "2026-01-05", "source": "自查",
                                           "description": "消防通道堵塞", "grade": "一般", "lon": 112.851,
                                           "lat": 35.501, "crs": "wgs84", "deadline": "2026-02-01"})
    c.post("/api/v1/hidden-dangers", json={"enterprise_id": ids["station"], "found_on": "2026-01-06", "source": "举报",
                                           "description": "卸油口无静电接地", "grade": "一般"})
    c.post(f"/api/v1/enterprises/{p}/assessment", json={"items": [
        {"code": "PERSONNEL", "points": -5, "evidence": "a", "assessed_on": "2026-01-01"},
        {"code": "PERSONNEL", "points": 0, "evidence": "b", "assessed_on": "2026-02-01"}]})
    c.post("/api/v1/inspections/draw", json={"seed": "s", "period": "2026-11"})
    fc = c.get(f"/api/v1/hidden-dangers?enterprise={p}").json
    assert fc["numberMatched"] == 1
    f = fc["features"][0]
    assert f["geometry"]["coordinates"] == [112.851, 35.501]
    assert f["properties"]["overdue"] is True and f["properties"]["state_label"] == "待整改（逾期）"
    assert f["properties"]["five_missing"] == ["措施", "责任", "资金", "预案"]
    other = c.get(f"/api/v1/hidden-dangers?enterprise={ids['station']}").json["features"][0]
    # no deadline, no place: drawn at its enterprise (never lost from the map), said by ``located``
    station = c.get(f"/api/v1/enterprises/{ids['station']}").json["geometry"]["coordinates"]
    assert other["geometry"]["coordinates"] == station and other["properties"]["located"] is False
    assert other["properties"]["overdue"] is False and f["properties"]["located"] is True
    items = c.get(f"/api/v1/assessment-items?enterprise={p}").json["features"]
    assert [(x["properties"]["points"], x["properties"]["current"]) for x in items] == [(0, True), (-5, False)]
    ins = c.get("/api/v1/inspections").json["features"]
    assert len(ins) == 2 and all(len(x["properties"]["inspectors"]) == 2 for x in ins)
    assert "（区" in ins[0]["properties"]["inspectors"][0]
    e = c.get(f"/api/v1/enterprises/{p}").json["properties"]
    assert e["assessment_coverage"] == 0.25 and e["provisional"] is True and e["risk_color_worst"] == "red"
    assert e["unassessed_points"] == 75 and e["direct_red_unevaluated_count"] == 4
    assert e["departments"] == ["区公安分局", "区应急管理局"]
    assert e["assessment_summary"][1].startswith("初步分级")
    by_dept = c.get("/api/v1/enterprises?department=区公安分局").json
    assert [x["id"] for x in by_dept["features"]] == [p]  # derived from 液氯 (剧毒), not registered


def test_enterprise_file_page_in_chinese_with_no_inline_script(env):
    url, ids, client = env
    c = client("inspector")
    r = c.get(f"/enterprises/{ids['plant']}")
    assert r.status_code == 200
    html = r.get_data(as_text=True)
    assert "一企一档：测试氯碱厂" in html and PLANT in html
    assert "初步分级：黄色（一般风险，88.5分），未评估 75 分" in html  # the deciding reason first, then this line
    assert "评估覆盖率</th><td>25%" in html and "区公安分局" in html and "3级" in html
    assert "enterprise.js" in html and '"canAssess": true' in html
    import re
    # α says what it was computed from (people counted from N targets, or none registered: a lower bound)
    assert "1.5<br><small class=\"hz-ef-basis\">500 m 内 60 人（1 个登记目标）</small>" in html  # α = 1.5 for 60 people
    assert re.findall(r"<script(?![^>]*\bsrc=)(?![^>]*application/json)[^>]*>", html) == []
    leader = client("leader").get(f"/enterprises/{ids['plant']}").get_data(as_text=True)
    assert '"canAssess": false' in leader
    assert c.get("/enterprises/999999").status_code == 404
    card = c.get("/api/v1/assessment/summary").json
    assert card["grading"]["provisional"] == 2 and card["grading"]["could_be_red"] == 2
    assert "评估完整度与隐患台账" in client("leader").get("/dashboard").get_data(as_text=True)

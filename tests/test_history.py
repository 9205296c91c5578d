"""Changes between runs (``GET /api/v1/changes?from=&to=``, the change report, ``/api/v1/trends``)
across three real refreshes, one of which follows the removal of an enterprise — which the
results tables forget (they cascade with the enterprise) and the run roster keeps."""

from __future__ import annotations

import pytest
import sqlalchemy as sa

from tests.helpers import as_user

pytestmark = pytest.mark.postgis


def _add(conn, code: str, name: str, lon: float, **facts) -> int:
    return conn.execute(sa.text("""
        insert into enterprise (credit_code, name, stages, facility_type, town_code, department, geocode_precision,
                                in_chemical_park, larger_accidents_3y, geom)
        values (:c, :n, array['storage'], '危化品仓库', '140502001', '应急管理局', 'source', true, :acc,
                ST_SetSRID(ST_MakePoint(:lon, 35.50), 4326)) returning id"""),
        {"c": code, "n": name, "lon": lon, "acc": facts.get("larger_accidents_3y")}).scalar_one()


def test_changes_between_any_two_runs_report_removed_enterprises(fresh_db_url):
    from hazmap.config import load_settings
    from hazmap.db.session import get_engine
    from hazmap.refresh import run_refresh
    from webmap import create_app

    settings = load_settings(env={}, overrides={"database_url": fresh_db_url})
    eng = get_engine(fresh_db_url)
    with eng.begin() as conn:
        conn.execute(sa.text("""insert into admin_area (code, name, level, synthetic, geom) values ('140502001', '东街街道',
            'town', true, ST_GeomFromText('MULTIPOLYGON(((112.8 35.45,112.9 35.45,112.9 35.55,112.8 35.55,112.8 35.45)))', 4326))"""))
        a = _add(conn, "91140502MA0000001A", "甲化工仓储", 112.82)
        b = _add(conn, "91140502MA0000002B", "乙化工仓储", 112.84)
        c = _add(conn, "91140502MA0000003C", "丙化工仓储", 112.86)
    r1 = run_refresh(settings)
    assert r1["changes"] == {"previous_run_id": None, "first_run": True}

    with eng.begin() as conn:  # B: two larger accidents in 3 years → directly red (应急〔2018〕19号); C: removed
        conn.execute(sa.text("update enterprise set larger_accidents_3y = 2 where id = :b"), {"b": b})
        conn.execute(sa.text("delete from enterprise where id = :c"), {"c": c})
    r2 = run_refresh(settings)
    ch = r2["changes"]
    assert ch["previous_run_id"] == r1["run_id"]
    assert ch["enterprises_removed"] == [c] and ch["summary"]["enterprises_removed"] == 1  # not "移除 0"
    assert ch["enterprises_added"] == [] and [x["id"] for x in ch["colour_changes"]] == [b]
    assert ch["colour_changes"][0]["new_color"] == "red"
    assert "移除 1 家" in __import__("geo.postgis.changes", fromlist=["describe"]).describe(ch)

    with eng.begin() as conn:
        d = _add(conn, "91140502MA0000004D", "丁化工仓储", 112.88)
    r3 = run_refresh(settings)
    assert r3["changes"]["enterprises_added"] == [d] and r3["changes"]["enterprises_removed"] == []

    client = as_user(create_app({"TESTING": True}, settings=settings), "leader").test_client()
    full = client.get(f"/api/v1/changes?from={r1['run_id']}&to={r3['run_id']}").get_json()
    assert [e["name"] for e in full["enterprises_added"]] == ["丁化工仓储"]
    assert [e["name"] for e in full["enterprises_removed"]] == ["丙化工仓储"]
    changed = {e["name"]: e for e in full["enterprises_changed"]}
    assert set(changed) == {"乙化工仓储"} and "risk_color" in changed["乙化工仓储"]["fields"]
    assert changed["乙化工仓储"]["new"]["risk_color"] == "red" and changed["乙化工仓储"]["old"]["risk_color"] != "red"
    assert full["summary"]["enterprises_added"] == 1 and full["summary"]["enterprises_removed"] == 1
    assert a not in [e["id"] for e in full["enterprises_changed"]]  # unchanged
    # default: the current run against the previous one
    latest = client.get("/api/v1/changes").get_json()
    assert (latest["from_run"], latest["to_run"]) == (r2["run_id"], r3["run_id"])
    assert latest["summary"]["enterprises_removed"] == 0 and latest["summary"]["enterprises_added"] == 1
    # trends: totals per run 3 → 2 → 3, red 0 → 1 → 1
    runs = client.get("/api/v1/trends").get_json()["runs"]
    assert [r["run_id"] for r in runs] == [r1["run_id"], r2["run_id"], r3["run_id"]]
    assert [r["total"] for r in runs] == [3, 2, 3] and [r["by_colour"]["red"] for r in runs] == [0, 1, 1]
    assert latest["first_run"] is False
    # the first run alone: nothing to compare with is said, not refused
    first = client.get(f"/api/v1/changes?to={r1['run_id']}")
    assert first.status_code == 200 and first.get_json()["first_run"] is True
    assert first.get_json()["to_run"] == r1["run_id"] and "首次计算" in first.get_json()["note"]
    bad = client.get(f"/api/v1/changes?from={r1['run_id']}&to=999")
    assert bad.status_code == 400 and bad.get_json()["error"]["field"] == "to"


def test_a_past_run_can_be_viewed_whole(fresh_db_url):
    """The time view's run selector: ``?run=N`` makes every read of a response — the collection, its single
    item, the map's counts, the dashboard's statistics, the page's own data block — run N's, whatever ran
    since; a run whose results are not stored is a 400 naming ``run`` (the page says so and shows the current)."""
    import json
    import re

    from hazmap.config import load_settings
    from hazmap.db.session import get_engine
    from hazmap.refresh import run_refresh
    from webmap import create_app

    settings = load_settings(env={}, overrides={"database_url": fresh_db_url})
    eng = get_engine(fresh_db_url)
    with eng.begin() as conn:
        a = _add(conn, "91140502MA0000001A", "甲化工仓储", 112.82)
    r1 = run_refresh(settings)["run_id"]
    with eng.begin() as conn:  # two larger accidents in three years → directly red in the second run
        conn.execute(sa.text("update enterprise set larger_accidents_3y = 2 where id = :a"), {"a": a})
    r2 = run_refresh(settings)["run_id"]
    c = as_user(create_app({"TESTING": True}, settings=settings), "leader").test_client()

    def colour(q=""):
        fc = c.get(f"/api/v1/enterprises{q}").get_json()
        return fc["run_id"], fc["features"][0]["properties"]["risk_color"]

    now_run, now_colour = colour()
    assert now_run == r2 and now_colour == "red"
    then_run, then_colour = colour(f"?run={r1}")
    assert then_run == r1 and then_colour != "red"
    item = c.get(f"/api/v1/enterprises/{a}?run={r1}").get_json()["properties"]
    assert item["risk_color"] == then_colour and item["run_id"] == r1
    summary = c.get(f"/api/v1/map/summary?run={r1}").get_json()
    assert summary["run_id"] == r1 and summary["by_colour"]["red"] == 0
    assert c.get("/api/v1/map/summary").get_json()["by_colour"]["red"] == 1
    stats = c.get(f"/api/v1/stats?run={r1}").get_json()
    assert stats["run_id"] == r1 and stats["by_colour"].get("red", 0) == 0
    for bad in ("999999", "abc", "0"):
        r = c.get(f"/api/v1/enterprises?run={bad}")
        assert r.status_code == 400 and r.get_json()["error"]["field"] == "run", bad
    page = c.get(f"/?run={r1}").get_data(as_text=True)
    block = json.loads(re.search(r'<script type="application/json" id="hz-page">(.*?)</script>', page, re.S).group(1))
    assert block["viewRun"] == r1 and block["runId"] == r1 and block["viewRunError"] is None
    gone = json.loads(re.search(r'<script type="application/json" id="hz-page">(.*?)</script>',
                                c.get("/?run=999999").get_data(as_text=True), re.S).group(1))
    assert gone["viewRun"] is None and gone["runId"] == r2 and "不存在" in gone["viewRunError"]

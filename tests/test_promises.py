"""Promises of the README kept (issue 19, items 7 and 9): no internals to users, audits of siting
checks, exports and large list pages, the feasible-zone rate limit, 405/429 headers, one charset."""

from __future__ import annotations

import getpass
import json
import re
from dataclasses import replace

import pytest
import sqlalchemy as sa
from click.testing import CliRunner

from hazmap.config import load_settings
from hazmap.db.session import get_engine
from tests.helpers import make_user

CJK = re.compile(r"[\u4e00-\u9fff]")
SITING = {"location": {"lon": 112.85, "lat": 35.5}, "facility_type": "危化品仓库", "stage": "storage",
          "inventory": [{"chemical": "甲醇", "quantity_t": 10}]}


def _app(url, **limits):
    from webmap import create_app

    s = load_settings(env={}, overrides={"database_url": url})
    return create_app({"TESTING": True}, settings=replace(s, limits=replace(s.limits, **limits)))


def _bearer(user):
    return {"Authorization": f"Bearer {user['token']}"}


def _audit(url, name, action):
    with get_engine(url).connect() as conn:
        return [r.detail for r in conn.execute(sa.text(
            "select detail from audit_log where user_name = :n and action = :a order by id"), {"n": name, "a": action})]


# ---- no internals (item 7) --------------------------------------------------------------------

RAW = ("ProgrammingError: (psycopg.errors.StringDataRightTruncation) value too long for type character varying(12)\n"
       "[SQL: insert into enterprise (credit_code, name) values (%(c)s, %(n)s)]\n"
       "[parameters: {'c': '91140502MA0XXXXX', 'n': '某某化工有限公司'}]")


def test_runs_show_a_chinese_summary_and_only_operators_the_raw_message(demo_db):
    url = demo_db[0]
    with get_engine(url).begin() as conn:
        run_id = conn.execute(sa.text("""insert into run (kind, status, message, files, finished_at)
            values ('etl', 'failed', :m, cast(:f as jsonb), now()) returning id"""),
            {"m": RAW, "f": json.dumps([{"kind": "enterprises", "file": "yingji.csv",
                                         "path": "/srv/hazmap/incoming/yingji.csv", "rows": 3}])}).scalar()
    try:
        app = _app(url)
        planner, operator = make_user(url, "planner"), make_user(url, "operator")
        seen = app.test_client().get("/api/v1/runs", headers=_bearer(planner)).get_json()["runs"]
        run = next(r for r in seen if r["id"] == run_id)
        text = json.dumps(run, ensure_ascii=False)
        assert "运行失败" in run["message"] and "数据未作任何修改" in run["message"]
        for secret in ("insert", "SQL", "varchar", "character varying", "某某化工", "91140502", "/srv/"):
            assert secret not in text, secret
        assert "detail" not in run and run["files"] == [{"kind": "enterprises", "file": "yingji.csv", "rows": 3}]
        mine = app.test_client().get("/api/v1/runs", headers=_bearer(operator)).get_json()["runs"]
        assert next(r for r in mine if r["id"] == run_id)["detail"] == RAW
    finally:
        with get_engine(url).begin() as conn:
            conn.execute(sa.text("delete from run where id = :i"), {"i": run_id})


def test_stats_name_files_not_server_paths(demo_app):
    last = demo_app.test_client().get("/api/v1/stats").get_json()["last_run"]
    assert last["files"], "the demo's ETL run read files"
    for f in last["files"]:
        assert "path" not in f and "/" not in f["file"] and f["file"].endswith((".csv", ".xlsx", ".geojson"))


# ---- audits (item 9) ----------------------------------------------------------------------------

def test_api_siting_checks_are_audited(demo_db):
    user = make_user(demo_db[0], "planner")
    r = _app(demo_db[0]).test_client().post("/api/v1/siting/check", json=SITING, headers=_bearer(user))
    assert r.status_code == 200
    [detail] = _audit(demo_db[0], user["name"], "siting_check")
    assert detail["via"] == "api" and detail["location"]["lon"] == 112.85
    assert detail["verdict"] == r.get_json()["verdict"]["decision"]


def test_cli_siting_checks_and_exports_are_audited(demo_db, monkeypatch, tmp_path):
    from hazmap.cli import cli

    monkeypatch.setenv("DATABASE_URL", demo_db[0])
    monkeypatch.delenv("HAZMAP_CONFIG", raising=False)
    inv = tmp_path / "inv.json"
    inv.write_text(json.dumps(SITING["inventory"], ensure_ascii=False), encoding="utf-8")
    who = f"cli:{getpass.getuser()}"
    before_checks, before_exports = len(_audit(demo_db[0], who, "siting_check")), len(_audit(demo_db[0], who, "export"))
    res = CliRunner().invoke(cli, ["siting", "check", "--lon", "112.85", "--lat", "35.5", "--facility-type", "危化品仓库",
                                   "--stage", "储存", "--inventory", str(inv)])
    assert res.exit_code == 0, res.output
    res = CliRunner().invoke(cli, ["export", "enterprises", "--risk", "red", "--format", "csv",
                                   "-o", str(tmp_path / "red.csv")])
    assert res.exit_code == 0, res.output
    checks, exports = _audit(demo_db[0], who, "siting_check"), _audit(demo_db[0], who, "export")
    assert len(checks) == before_checks + 1 and checks[-1]["via"] == "cli"
    assert len(exports) == before_exports + 1
    assert exports[-1]["filters"]["risk"] == "red" and exports[-1]["format"] == "csv"  # as the user typed it
    assert exports[-1]["output"].endswith("red.csv")


def test_large_list_pages_and_continued_listings_are_audited(demo_db):
    """Leaders may not export, but they may read every row page by page (the map needs the rows);
    such reading leaves a trace: big pages and every page after the first are audited."""
    leader = make_user(demo_db[0], "leader")
    c = _app(demo_db[0], audit_list_features=100).test_client()
    assert c.get("/api/v1/enterprises?format=csv", headers=_bearer(leader)).status_code == 403
    assert c.get("/api/v1/enterprises?limit=10", headers=_bearer(leader)).status_code == 200  # small: not audited
    big = c.get("/api/v1/enterprises?limit=5000", headers=_bearer(leader)).get_json()
    assert big["numberReturned"] >= 100  # the demo has ≈150 enterprises
    assert c.get("/api/v1/targets?limit=5&offset=5", headers=_bearer(leader)).status_code == 200
    pages = _audit(demo_db[0], leader["name"], "list_page")
    assert [(p["layer"], p["limit"], p["offset"]) for p in pages] == [("enterprises", 5000, 0), ("targets", 5, 5)]
    assert pages[0]["returned"] == big["numberReturned"]
    analyst = make_user(demo_db[0], "analyst")
    assert c.get("/ogc/collections/target-points/items?limit=3&offset=3", headers=_bearer(analyst)).status_code == 200
    assert [p["offset"] for p in _audit(demo_db[0], analyst["name"], "list_page")] == [3]


# ---- rate limits and HTTP details (item 9) ---------------------------------------------------------

def test_feasible_zone_is_rate_limited_like_the_check_with_retry_after(demo_db):
    user = make_user(demo_db[0], "planner")
    c = _app(demo_db[0], siting_checks_per_minute=2).test_client()
    codes = [c.get("/api/v1/siting/feasible?facility_type=加油站", headers=_bearer(user)).status_code for _ in range(3)]
    assert codes == [200, 200, 429]
    r = c.get("/api/v1/siting/feasible?facility_type=加油站", headers=_bearer(user))
    assert r.get_json()["error"]["field"] == "siting_checks_per_minute"
    assert 1 <= int(r.headers["Retry-After"]) <= 60
    # the check has its own count
    assert c.post("/api/v1/siting/check", json=SITING, headers=_bearer(user)).status_code == 200


def test_siting_check_429_carries_retry_after(demo_db):
    user = make_user(demo_db[0], "planner")
    c = _app(demo_db[0], siting_checks_per_minute=1).test_client()
    assert c.post("/api/v1/siting/check", json=SITING, headers=_bearer(user)).status_code == 200
    r = c.post("/api/v1/siting/check", json=SITING, headers=_bearer(user))
    assert r.status_code == 429 and 1 <= int(r.headers["Retry-After"]) <= 60 and "秒后再试" in r.get_json()["error"]["message"]
    # the PDF of the same check counts against the same limit (it is no way around it)
    r = c.post("/api/v1/siting/report.pdf", json=SITING, headers=_bearer(user))
    assert r.status_code == 429 and "Retry-After" in r.headers


@pytest.mark.parametrize("method, path, allow", [("DELETE", "/api/v1/stats", "GET"), ("GET", "/logout", "POST"),
                                                 ("PUT", "/api/v1/siting/check", "POST"), ("POST", "/dashboard", "GET"),
                                                 ("PATCH", "/ogc/collections", "GET")])
def test_405_names_the_allowed_methods_in_chinese(demo_app, method, path, allow):
    r = demo_app.test_client().open(path, method=method)
    assert r.status_code == 405 and allow in r.headers["Allow"]
    text = r.get_data(as_text=True)
    assert CJK.search(r.get_json()["error"]["message"] if r.is_json else text)


def test_one_charset_in_every_content_type(demo_app):
    c = demo_app.test_client()
    paths = ["/", "/dashboard", "/siting", "/audit", "/login", "/static/hazmap.js", "/api/v1/stats",
             "/api/v1/enterprises?limit=1", "/api/v1/enterprises?format=csv", "/api/v1/conflicts?format=geojson",
             "/api/v1/targets?format=gpkg", "/ogc/collections/target-points/items?limit=1", "/api/v1/openapi.json",
             "/api/v1/nope", "/nope"]
    for path in paths:
        with c.get(path) as r:
            ctype = r.headers["Content-Type"]
            assert ctype.lower().count("charset") <= 1, (path, ctype)
            r.get_data()
    with c.get("/api/v1/enterprises?format=csv") as r:
        assert r.headers["Content-Type"] == "text/csv; charset=utf-8"
        r.get_data()

"""Users, roles, logins, tokens, CSRF and the audit log."""

from __future__ import annotations

import re

import pytest
import sqlalchemy as sa
from click.testing import CliRunner

from hazmap.config import load_settings
from hazmap.db.session import get_engine
from tests.helpers import make_user


def _app(url, **over):
    from dataclasses import replace

    from webmap import create_app

    s = replace(load_settings(env={}, overrides={"database_url": url}), **over)
    return create_app({"TESTING": True}, settings=s)


def _bearer(token):
    return {"Authorization": f"Bearer {token}"}


def test_anonymous_sees_nothing_but_login_by_default(demo_db):
    c = _app(demo_db[0]).test_client()
    for path in ("/", "/dashboard", "/siting", "/audit"):
        r = c.get(path)
        assert r.status_code == 302 and "/login" in r.headers["Location"], path
    for path in ("/api/v1/enterprises", "/api/v1/stats", "/api/v1/runs", "/ogc/collections", "/api/v1/conflicts?format=csv"):
        r = c.get(path)
        assert r.status_code == 401 and r.headers["WWW-Authenticate"] == "Bearer", path
        assert "enterprise" not in r.get_data(as_text=True).lower() or "令牌" in r.get_json()["error"]["message"]
    assert c.get("/login").status_code == 200
    with c.get("/static/hazmap.css") as css:
        assert css.status_code == 200


def test_anonymous_access_setting_opens_the_map_read_only(demo_db):
    c = _app(demo_db[0], anonymous_access=True).test_client()
    assert c.get("/").status_code == 200
    assert c.get("/api/v1/enterprises?limit=1").status_code == 200
    assert c.get("/api/v1/enterprises?format=csv").status_code == 401
    assert c.post("/api/v1/siting/check", json={}).status_code == 401
    assert c.get("/ogc/collections").status_code == 401
    assert c.get("/dashboard").status_code == 302


@pytest.mark.parametrize("role, allowed, denied", [
    ("leader", ["/", "/dashboard", "/api/v1/stats"], ["/siting", "/api/v1/enterprises?format=csv", "/ogc/collections", "/audit"]),
    ("planner", ["/", "/siting", "/dashboard", "/api/v1/enterprises?format=csv"], ["/audit"]),
    ("analyst", ["/", "/api/v1/enterprises?format=csv", "/ogc/collections"], ["/siting", "/dashboard", "/audit"]),
    ("operator", ["/", "/siting", "/dashboard", "/audit", "/ogc/collections", "/api/v1/targets?format=csv"], []),
])
def test_roles(demo_db, role, allowed, denied):
    token = make_user(demo_db[0], role)["token"]
    c = _app(demo_db[0]).test_client()
    for path in allowed:
        r = c.get(path, headers=_bearer(token))
        assert r.status_code == 200, (role, path, r.status_code)
        r.close()
    for path in denied:
        assert c.get(path, headers=_bearer(token)).status_code == 403, (role, path)


def test_login_session_cookie_and_csrf(demo_db):
    user = make_user(demo_db[0], "planner", password="口令-Abc-123")
    c = _app(demo_db[0]).test_client()
    page = c.get("/login").get_data(as_text=True)
    csrf = re.search(r'name="csrf_token" value="([^"]+)"', page).group(1)
    bad = c.post("/login", data={"name": user["name"], "password": "wrong", "csrf_token": csrf})
    assert "用户名或密码错误" in bad.get_data(as_text=True)
    no_csrf = c.post("/login", data={"name": user["name"], "password": "口令-Abc-123"})
    assert "表单已过期" in no_csrf.get_data(as_text=True)
    ok = c.post("/login", data={"name": user["name"], "password": "口令-Abc-123", "csrf_token": csrf, "next": "/siting"})
    assert ok.status_code == 302 and ok.headers["Location"].endswith("/siting")
    cookie = ok.headers["Set-Cookie"]
    assert "HttpOnly" in cookie and "SameSite=Lax" in cookie and "Secure" in cookie
    # the session works; a cookie-authenticated POST needs the CSRF token
    assert c.get("/siting").status_code == 200
    body = {"location": {"lon": 112.85, "lat": 35.5}, "inventory": [{"chemical": "甲醇", "quantity_t": 10}]}
    assert c.post("/api/v1/siting/check", json=body).status_code == 400
    token = re.search(r'name="csrf-token" content="([^"]+)"', c.get("/siting").get_data(as_text=True)).group(1)
    assert c.post("/api/v1/siting/check", json=body, headers={"X-CSRF-Token": token}).status_code == 200
    # an open redirect is refused
    assert c.post("/login", data={"name": user["name"], "password": "口令-Abc-123", "csrf_token": token,
                                  "next": "//evil.example/"}).headers["Location"] == "/"


def test_disabled_user_loses_access_at_once_and_cli(demo_db, monkeypatch):
    from hazmap.cli import cli

    monkeypatch.setenv("DATABASE_URL", demo_db[0])
    monkeypatch.delenv("HAZMAP_CONFIG", raising=False)
    res = CliRunner().invoke(cli, ["user", "add", "王科长", "--role", "analyst"])
    assert res.exit_code == 0, res.output
    token = re.search(r"API 令牌（仅显示一次）：(\S+)", res.output).group(1)
    assert "密码（仅显示一次）" in res.output
    c = _app(demo_db[0]).test_client()
    assert c.get("/api/v1/stats", headers=_bearer(token)).status_code == 200
    assert "王科长\tanalyst\t启用" in CliRunner().invoke(cli, ["user", "list"]).output
    assert CliRunner().invoke(cli, ["user", "disable", "王科长"]).exit_code == 0
    assert c.get("/api/v1/stats", headers=_bearer(token)).status_code == 401
    again = CliRunner().invoke(cli, ["user", "add", "王科长", "--role", "analyst"])
    assert again.exit_code == 2 and "已存在" in again.output
    with get_engine(demo_db[0]).connect() as conn:
        stored = conn.execute(sa.text("select password_hash, token_hash from app_user where name = '王科长'")).one()
    assert token not in stored.token_hash and stored.password_hash.startswith(("scrypt:", "pbkdf2:"))


def test_audit_log_records_logins_exports_siting_and_etl(demo_db):
    op = make_user(demo_db[0], "operator", password="pw-123456")
    c = _app(demo_db[0]).test_client()
    csrf = re.search(r'name="csrf_token" value="([^"]+)"', c.get("/login").get_data(as_text=True)).group(1)
    c.post("/login", data={"name": op["name"], "password": "pw-123456", "csrf_token": csrf})
    with c.get("/api/v1/enterprises?format=csv&risk=red", headers=_bearer(op["token"])) as r:
        assert r.status_code == 200
    with get_engine(demo_db[0]).connect() as conn:
        rows = conn.execute(sa.text("select user_name, action, detail from audit_log order by id")).all()
    actions = [(r.user_name, r.action) for r in rows]
    assert (op["name"], "login") in actions and (op["name"], "export") in actions
    assert any(a == "etl_run" for _, a in actions)  # the demo's ETL run, from the CLI
    export = [r for r in rows if r.action == "export" and r.user_name == op["name"]][-1]
    assert export.detail["filters"]["risk"] == ["red"] and export.detail["format"] == "csv"
    page = c.get("/audit").get_data(as_text=True)
    assert "审计日志" in page and op["name"] in page and "export" in page

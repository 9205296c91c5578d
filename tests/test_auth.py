"""Users, roles, logins, tokens, CSRF and the audit log."""

from __future__ import annotations

import re
import uuid

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
    body = {"location": {"lon": 112.85, "lat": 35.5}, "facility_type": "危化品仓库", "stage": "storage", "inventory": [{"chemical": "甲醇", "quantity_t": 10}]}
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


# ---- sessions (issue 19, item 2) -------------------------------------------------------------

def _auth_app(url, **auth):
    from dataclasses import replace

    s = load_settings(env={}, overrides={"database_url": url})
    return _app(url, auth=replace(s.auth, **auth))


def _client(app, address=None):
    """A test client from its own client address (the login throttle counts per address)."""
    c = app.test_client()
    c.environ_base["REMOTE_ADDR"] = address or f"10.{uuid.uuid4().int % 250}.{uuid.uuid4().int % 250}.7"
    return c


def _csrf(c, path="/login"):
    page = c.get(path).get_data(as_text=True)
    return re.search(r'name="csrf_token" value="([^"]+)"', page).group(1)


def _login(c, name, password, **extra):
    return c.post("/login", data={"name": name, "password": password, "csrf_token": _csrf(c), **extra})


PW = "口令-Abc-123-长一点"


def test_two_workers_without_a_configured_key_accept_each_others_sessions(demo_db):
    """Two app instances (two gunicorn workers, or a restart) on one database, no secret_key."""
    user = make_user(demo_db[0], "operator", password=PW)
    first, second = _auth_app(demo_db[0]), _auth_app(demo_db[0])
    assert first.config["SECRET_KEY"] is None and second.config["SECRET_KEY"] is None
    a = _client(first)
    assert _login(a, user["name"], PW).status_code == 302
    b = _client(second)
    b.set_cookie("hazmap_session", a.get_cookie("hazmap_session").value)
    assert b.get("/dashboard").status_code == 200  # logged in on the other worker
    with get_engine(demo_db[0]).connect() as conn:
        assert conn.execute(sa.text("select count(*) from app_secret")).scalar() == 1


def test_logout_ends_the_session_for_every_copy_of_the_cookie(demo_db):
    user = make_user(demo_db[0], "operator", password=PW)
    app = _auth_app(demo_db[0])
    c = _client(app)
    _login(c, user["name"], PW)
    stolen = c.get_cookie("hazmap_session").value
    assert c.get("/dashboard").status_code == 200
    token = re.search(r'name="csrf-token" content="([^"]+)"', c.get("/").get_data(as_text=True)).group(1)
    assert c.post("/logout", data={"csrf_token": token}).status_code == 302
    other = _client(app)
    other.set_cookie("hazmap_session", stolen)
    r = other.get("/dashboard")
    assert r.status_code == 302 and "/login" in r.headers["Location"]
    assert other.get("/api/v1/stats").status_code == 401


def test_session_lifetime_is_a_setting_and_expiry_is_checked_by_the_server(demo_db):
    user = make_user(demo_db[0], "operator", password=PW)
    app = _auth_app(demo_db[0], session_lifetime_hours=2.0)
    c = _client(app)
    ok = _login(c, user["name"], PW)
    assert "Expires=" in ok.headers["Set-Cookie"]
    with get_engine(demo_db[0]).begin() as conn:
        lifetime = conn.execute(sa.text("""select extract(epoch from s.expires_at - s.created_at)
            from app_session s join app_user u on u.id = s.user_id where u.name = :n"""), {"n": user["name"]}).scalar()
        assert float(lifetime) == 2 * 3600  # 2 h × 3600 s
        assert c.get("/dashboard").status_code == 200
        conn.execute(sa.text("""update app_session set expires_at = now() - interval '1 second'
                                where user_id = (select id from app_user where name = :n)"""), {"n": user["name"]})
    assert c.get("/dashboard").status_code == 302  # the cookie is still there; the session is not


def test_disabling_a_user_ends_their_sessions(demo_db):
    from hazmap import users

    user = make_user(demo_db[0], "operator", password=PW)
    c = _client(_auth_app(demo_db[0]))
    _login(c, user["name"], PW)
    with get_engine(demo_db[0]).begin() as conn:
        users.set_disabled(conn, user["name"], True)
        assert conn.execute(sa.text("""select count(*) from app_session s join app_user u on u.id = s.user_id
                                       where u.name = :n"""), {"n": user["name"]}).scalar() == 0
    assert c.get("/dashboard").status_code == 302


# ---- login abuse (issue 19, item 3) ----------------------------------------------------------

def _audit_actions(url, name):
    with get_engine(url).connect() as conn:
        return [r.action for r in conn.execute(sa.text(
            "select action from audit_log where user_name = :n order by id"), {"n": name})]


def test_backoff_after_failures_per_account_with_retry_after(demo_db):
    user = make_user(demo_db[0], "planner", password=PW)
    app = _auth_app(demo_db[0], login_backoff_after=2, login_lockout_account=50)
    c = _client(app)
    for _ in range(2):
        assert "用户名或密码错误" in _login(c, user["name"], "wrong").get_data(as_text=True)
    # failures = 2 = login_backoff_after → the next try waits 2^(2-2) = 1 s after the last failure
    r = _login(_client(app), user["name"], PW)  # another address, the same account
    assert r.status_code == 429 and r.headers["Retry-After"] == "1"
    assert "登录失败次数过多" in r.get_data(as_text=True)
    with get_engine(demo_db[0]).begin() as conn:  # the second passes (moved back instead of sleeping)
        conn.execute(sa.text("""update login_throttle set last_failure_at = last_failure_at - interval '2 seconds'
                                where scope = 'account' and subject = :n"""), {"n": user["name"]})
    assert _login(_client(app), user["name"], PW).status_code == 302
    with get_engine(demo_db[0]).connect() as conn:  # a successful login clears the account's count
        assert conn.execute(sa.text("select count(*) from login_throttle where scope = 'account' and subject = :n"),
                            {"n": user["name"]}).scalar() == 0


def test_lockout_per_account_refuses_even_the_right_password_and_is_audited(demo_db):
    user = make_user(demo_db[0], "planner", password=PW)
    app = _auth_app(demo_db[0], login_backoff_after=100, login_lockout_account=3, login_lockout_minutes=15)
    for _ in range(3):
        _login(_client(app), user["name"], "wrong")
    r = _login(_client(app), user["name"], PW)
    assert r.status_code == 429 and 15 * 60 - 5 <= int(r.headers["Retry-After"]) <= 15 * 60
    assert _audit_actions(demo_db[0], user["name"]) == ["login_failed"] * 3 + ["login_locked"]


def test_lockout_per_address_across_account_names(demo_db):
    user = make_user(demo_db[0], "planner", password=PW)
    app = _auth_app(demo_db[0], login_backoff_after=100, login_lockout_address=3)
    address = "10.250.0.9"
    for i in range(3):
        _login(_client(app, address), f"nobody-{uuid.uuid4().hex[:6]}", "guess")
    assert _login(_client(app, address), user["name"], PW).status_code == 429
    assert _login(_client(app), user["name"], PW).status_code == 302  # from elsewhere: fine


def test_unknown_disabled_and_known_names_cost_one_scrypt_check_each(demo_db, monkeypatch):
    from hazmap import users

    calls = []
    real = users.check_password_hash

    def counting(pwhash, password):
        calls.append(pwhash.split(":")[0])
        return real(pwhash, password)

    monkeypatch.setattr(users, "check_password_hash", counting)
    known = make_user(demo_db[0], "planner", password=PW)
    disabled = make_user(demo_db[0], "planner", password=PW)
    with get_engine(demo_db[0]).begin() as conn:
        users.set_disabled(conn, disabled["name"], True)
        for name, pw in [(f"nobody-{uuid.uuid4().hex[:6]}", PW), (disabled["name"], PW), (known["name"], "wrong")]:
            calls.clear()
            assert users.check_password(conn, name, pw) is None
            assert calls == ["scrypt"], name


def test_the_dummy_hash_is_built_when_the_app_starts(demo_db, monkeypatch):
    """Not at a process's first unknown name, which would then cost a hash generation as well."""
    from hazmap import users

    made = []
    real = users.generate_password_hash
    monkeypatch.setattr(users, "generate_password_hash", lambda password: made.append(1) or real(password))
    users._dummy_hash.cache_clear()
    _app(demo_db[0])
    assert made == [1]
    with get_engine(demo_db[0]).begin() as conn:
        assert users.check_password(conn, f"nobody-{uuid.uuid4().hex[:6]}", PW) is None
    assert made == [1]  # the first unknown name: one scrypt check, like any other


def test_security_md_proxy_block_sends_the_client_address_with_proxy_hops_1(tmp_path):
    """Pasted as shown, the nginx block and the setting next to it make the per-address login
    count see the client, not the proxy (else one address lock locks everyone out)."""
    from pathlib import Path

    text = (Path(__file__).resolve().parent.parent / "SECURITY.md").read_text(encoding="utf-8")
    blocks = re.findall(r"```(\w+)\n(.*?)```", text, re.S)
    i = next(i for i, (lang, _) in enumerate(blocks) if lang == "nginx")
    location = re.search(r"location / \{(.*?)\}", blocks[i][1], re.S).group(1)
    assert re.search(r"^\s*proxy_set_header X-Forwarded-For \$remote_addr;", location, re.M), location
    lang, toml = blocks[i + 1]
    assert lang == "toml"
    config = tmp_path / "hazmap.toml"
    config.write_text(toml, encoding="utf-8")
    assert load_settings(config, env={}).web.proxy_hops == 1


def test_password_checks_are_capped_across_processes_and_the_api_keeps_serving(demo_db):
    from hazmap import users

    user = make_user(demo_db[0], "planner", password=PW)
    app = _auth_app(demo_db[0], max_concurrent_password_checks=2)
    holder = get_engine(demo_db[0]).connect()  # another process busy hashing in both slots
    try:
        for k in range(2):
            assert holder.execute(sa.text("select pg_try_advisory_lock(:c, :k)"),
                                  {"c": users.HASH_SLOT_CLASS, "k": k}).scalar()
        r = _login(_client(app), user["name"], PW)
        assert r.status_code == 503 and r.headers["Retry-After"] == "2"
        assert "服务器正忙" in r.get_data(as_text=True)
        assert app.test_client().get("/api/v1/stats", headers=_bearer(user["token"])).status_code == 200
    finally:
        holder.execute(sa.text("select pg_advisory_unlock_all()"))
        holder.close()
    assert _login(_client(app), user["name"], PW).status_code == 302


@pytest.mark.parametrize("password, message", [("短密码-123", "至少应有 12 个字符"),
                                               ("x-密码审核员-2026-abc", "不能包含用户名")])
def test_password_policy_for_user_add(demo_db, monkeypatch, password, message):
    from hazmap.cli import cli

    monkeypatch.setenv("DATABASE_URL", demo_db[0])
    monkeypatch.delenv("HAZMAP_CONFIG", raising=False)
    res = CliRunner().invoke(cli, ["user", "add", "密码审核员", "--role", "analyst", "--password", password])
    assert res.exit_code == 2 and message in res.output and len(res.output.strip().splitlines()) == 1
    good = CliRunner().invoke(cli, ["user", "add", f"审核员{uuid.uuid4().int % 10000:04d}", "--role", "analyst",
                                    "--password", "一个足够长的口令-2026"])
    assert good.exit_code == 0, good.output


@pytest.mark.parametrize("nxt", ["/\t/evil.example/", "/\tevil.example", "//evil.example/", "https://evil.example/",
                                 "/\\evil.example", "\\evil.example", "/\nevil", "http:/evil.example", "evil.example",
                                 "/\u3000/evil.example", "/\x00x", " /x"])
def test_login_redirects_only_to_same_site_paths(demo_db, nxt):
    user = make_user(demo_db[0], "planner", password=PW)
    r = _login(_client(_auth_app(demo_db[0])), user["name"], PW, next=nxt)
    assert r.status_code == 302 and r.headers["Location"] == "/"


def test_same_site_paths_survive_the_login():
    from webmap.auth import safe_next

    for path in ("/siting", "/siting?town=开发区街道", "/dashboard?x=1&y=%2F%2Fa", "/%0a"):
        assert safe_next(path) == path  # a percent-escape is part of a path, not a control character


def test_login_and_logout_need_a_non_empty_valid_csrf_token(demo_db):
    user = make_user(demo_db[0], "planner", password=PW)
    app = _auth_app(demo_db[0])
    for token in (None, "", "forged"):
        c = _client(app)  # no session at all: no token to match
        data = {"name": user["name"], "password": PW, **({"csrf_token": token} if token is not None else {})}
        r = c.post("/login", data=data)
        assert r.status_code == 400 and "表单已过期" in r.get_data(as_text=True), token
    c = _client(app)
    _login(c, user["name"], PW)
    for token in (None, "", "forged"):
        r = c.post("/logout", data={"csrf_token": token} if token is not None else {})
        assert r.status_code == 400 and "CSRF" in r.get_data(as_text=True)
    assert c.get("/siting").status_code == 200  # still logged in: a cross-site logout did nothing

"""Credentials analysts' tools can send: HTTP Basic (username + API token, or password by setting) next
to Bearer, on /api/v1, /ogc and /tiles; and the OpenAPI documents declare them with their 401/403."""

from __future__ import annotations

import base64
from dataclasses import replace

import pytest
from openapi_spec_validator import validate

from hazmap.config import ConfigError, load_settings
from tests.helpers import make_user
from webmap import credentials


def _basic(name: str, secret: str) -> dict:
    return {"Authorization": "Basic " + base64.b64encode(f"{name}:{secret}".encode("utf-8")).decode()}


@pytest.mark.parametrize("header, expected", [
    ("Bearer hzm_abc", credentials.Credentials("bearer", "hzm_abc")),
    ("bearer   hzm_abc ", credentials.Credentials("bearer", "hzm_abc")),
    # RFC 7617 §2: base64 of "user-id:password", UTF-8 (张工:秘:密 — the secret may hold colons)
    ("Basic " + base64.b64encode("张工:秘:密".encode()).decode(), credentials.Credentials("basic", "秘:密", "张工")),
    ("Basic dXNlcjpwYXNz", credentials.Credentials("basic", "pass", "user")),  # "user:pass"
    ("Basic !!!", None), ("Basic " + base64.b64encode(b"nocolon").decode(), None),
    ("Basic " + base64.b64encode(b":secret").decode(), None), ("Basic " + base64.b64encode(b"\xff:x").decode(), None),
    ("Digest abc", None), ("", None), (None, None), ("Bearer", None),
])
def test_header_parsing(header, expected):
    assert credentials.parse(header) == expected


def _app(url, **over):
    from webmap import create_app

    return create_app({"TESTING": True}, settings=replace(load_settings(env={}, overrides={"database_url": url}), **over))


def test_basic_with_username_and_api_token_on_every_reading_surface(demo_db):
    user = make_user(demo_db[0], "analyst", password="口令-Abc-123")
    c = _app(demo_db[0]).test_client()
    ok = _basic(user["name"], user["token"])
    for path in ("/api/v1/enterprises?limit=1", "/api/v1/stats", "/ogc/collections", "/ogc/collections/enterprises/items",
                 "/api/v1/conflicts?format=csv", "/tiles/enterprises/0/0/0.mvt"):
        r = c.get(path, headers=ok)
        assert r.status_code == 200, (path, r.status_code)
        r.close()
    assert c.get("/api/v1/stats", headers={"Authorization": f"Bearer {user['token']}"}).status_code == 200
    other = make_user(demo_db[0], "analyst")
    for bad in (_basic(other["name"], user["token"]),  # someone else's token
                _basic(user["name"], "hzm_wrong"), _basic(user["name"], "口令-Abc-123"),  # password: off by default
                {"Authorization": "Basic garbage"}):
        r = c.get("/ogc/collections", headers=bad)
        assert r.status_code == 401 and "Basic" in r.get_json()["error"]["message"]


def test_basic_with_password_when_configured_and_disabled_users(demo_db, monkeypatch):
    from click.testing import CliRunner

    from hazmap.cli import cli

    user = make_user(demo_db[0], "analyst", password="口令-Abc-123")
    c = _app(demo_db[0], basic_password=True).test_client()
    # an address of its own: Basic passwords share the login form's per-address throttle
    c.environ_base["REMOTE_ADDR"] = "10.23.0.7"
    assert c.get("/ogc/collections", headers=_basic(user["name"], "口令-Abc-123")).status_code == 200
    assert c.get("/ogc/collections", headers=_basic(user["name"], "wrong")).status_code == 401
    monkeypatch.setenv("DATABASE_URL", demo_db[0])
    monkeypatch.delenv("HAZMAP_CONFIG", raising=False)
    assert CliRunner().invoke(cli, ["user", "disable", user["name"]]).exit_code == 0
    for secret in ("口令-Abc-123", user["token"]):
        assert c.get("/ogc/collections", headers=_basic(user["name"], secret)).status_code == 401
    # a fourth failure waits like the login form's (429 with Retry-After), never a 5xx
    r = c.get("/ogc/collections", headers=_basic(user["name"], "wrong"))
    assert r.status_code == 429 and int(r.headers["Retry-After"]) >= 1


def test_basic_is_for_reading_a_post_still_needs_bearer_or_the_session_csrf(demo_db):
    user = make_user(demo_db[0], "planner")
    c = _app(demo_db[0]).test_client()
    body = {"location": {"lon": 112.85, "lat": 35.5}, "facility_type": "危化品仓库", "stage": "storage", "inventory": [{"chemical": "甲醇", "quantity_t": 10}]}
    # a browser may replay cached Basic credentials cross-site: a Basic POST is checked like a cookie one
    assert c.post("/api/v1/siting/check", json=body, headers=_basic(user["name"], user["token"])).status_code == 400
    assert c.post("/api/v1/siting/check", json=body,
                  headers={"Authorization": f"Bearer {user['token']}"}).status_code == 200


def test_the_settings(tmp_path):
    cfg = tmp_path / "h.toml"
    cfg.write_text("[auth]\nbasic_password = true\n[web]\nproxy_hops = 2\n", encoding="utf-8")
    s = load_settings(cfg, env={})
    assert s.basic_password is True and s.web.proxy_hops == 2
    assert load_settings(env={}).basic_password is False and load_settings(env={}).web.proxy_hops == 0
    for bad in ("[auth]\nbasic_password = 1\n", "[web]\nproxy_hops = -1\n", "[web]\nproxies = 1\n"):
        cfg.write_text(bad, encoding="utf-8")
        with pytest.raises(ConfigError):
            load_settings(cfg, env={})


@pytest.mark.parametrize("path", ["/api/v1/openapi.json", "/ogc/api"])
def test_openapi_documents_declare_the_credentials_and_their_refusals(demo_app, path):
    doc = demo_app.test_client().get(path).get_json(force=True)
    validate(doc)
    schemes = doc["components"]["securitySchemes"]
    assert schemes["bearerAuth"] == {**schemes["bearerAuth"], "type": "http", "scheme": "bearer"}
    assert schemes["basicAuth"] == {**schemes["basicAuth"], "type": "http", "scheme": "basic"}
    assert {"bearerAuth": []} in doc["security"] and {"basicAuth": []} in doc["security"]
    operations = [op for item in doc["paths"].values() for op in item.values()]
    guarded = [op for op in operations if op.get("security") != []]
    assert guarded and all({"401", "403"} <= set(op["responses"]) for op in guarded)


def test_a_page_fetch_gets_no_basic_challenge_a_client_does(demo_db):
    """A Basic challenge makes a browser prompt for a password over the map; QGIS/GDAL need it."""
    c = _app(demo_db[0]).test_client()
    plain = c.get("/api/v1/stats")
    assert plain.status_code == 401 and plain.headers.getlist("WWW-Authenticate") == ["Bearer", credentials.CHALLENGE]
    page = c.get("/api/v1/stats", headers={"X-Requested-With": "hazmap-page"})
    assert page.status_code == 401 and page.headers.getlist("WWW-Authenticate") == ["Bearer"]

"""A bounded fuzz of every route of the app (issue 19, item 8): no 5xx, every error is Chinese.

The routes come from ``app.url_map`` (a route added later is fuzzed too), and every one is
reached: first one request per URL rule (round-robin, with one of its own methods, the default
Host and an operator's token), then a seeded generator (``HAZMAP_FUZZ_SEED`` to explore other
seeds) sends a few hundred random requests mixing hostile path values, query parameters
(including names that collide with ``url_for`` arguments), JSON and form bodies (wrong types,
huge numbers, lone surrogates, deep nesting, broken bytes), wrong methods and bad Host headers,
as an operator and anonymously.  Every answer must be < 500;
an error must say what is wrong in Chinese (JSON ``error.message`` or an HTML page); 405 names
``Allow``, 429/503 ``Retry-After``; a Content-Type carries at most one ``charset``.
"""

from __future__ import annotations

import json
import os
import random
import re
from dataclasses import replace
from urllib.parse import quote

from werkzeug.routing import IntegerConverter, PathConverter
from werkzeug.test import EnvironBuilder, run_wsgi_app
from werkzeug.wrappers import Response

from hazmap.config import load_settings
from tests.helpers import make_user

CJK = re.compile(r"[\u4e00-\u9fff]")
N_REQUESTS = 400

TEXT = ["", "0", "-1", "1", "4", "1e400", "NaN", "inf", "-0", "10" * 40, "9" * 5000, "red,blue", "red,,x",
        "开发区街道", "' or 1=1 --", "<script>alert(1)</script>", "😀", "\u202e", "a" * 1000, "%", "%zz", "\\",
        "../../etc/passwd", "112.8,35.4,112.9,35.5", "-180,-90,180,90", ",,,", "1,2,3,4,5", "1e308,0,1e308,1",
        "town", "storage", "储存", "加油站", "school", "geojson", "csv", "gpkg", "xml", "gcj02", "wgs84", "grid"]
RAW_QUERY = ["q=\xed\xa0\x80", "town=%ED%A0%80", "q=%00", "q=\xff\xfe", "bbox=%C0%AF", "%", "=&=&", "limit=%F0%9F"]
PARAMS = ["limit", "offset", "bbox", "risk", "town", "stage", "department", "q", "category", "grade", "level",
          "format", "crs", "facility_type", "major_grade", "hazard", "next", "cid", "_external", "_method",
          "endpoint", "_anchor", "_scheme", "values", "fid", "eid"]
INTS = ["0", "1", "2", "150", "2147483648", "9223372036854775808", "1" + "0" * 30]
STRINGS = ["enterprises", "targets", "conflicts", "areas", "nope", "%00", "a" * 300, "..", "😀", "%ED%A0%80"]
FILES = ["hazmap.js", "hazmap.css", "../../etc/passwd", "vendor/leaflet/leaflet.js", "nope.css", "%00", "a/" * 50]
HOSTS = [None, None, None, "localhost", "a..b", "x" * 64 + ".cn", "[::1]:80", "xn--a.cn", "localhost:99999",
         "evil.example", "a b", "." * 3, "a." * 130]
LEAVES = [None, True, [], {}, "", "x" * 5000, -5, 0, 1e308, 1e15, 1e16, "1e400", "NaN", [1, 2], {"a": 1},
          "甲醇", "液氯", "EPSG:4547", "bd09", "mars", 35.5, 112.85, 10**20]
RAW_BODIES = [b"", b"{", b"null", b"[]", b"1e400", b"\xff\xfe\x00", b"[" * 5000 + b"]" * 5000,
              b'{"location": {"lon": 1' + b"0" * 400 + b', "lat": 35.5}, "inventory": []}',
              b'{"location": {"lon": 112.85, "lat": 35.5}, "inventory": [{"chemical": "\\ud800", "quantity_t": 1}]}',
              b'{"inventory": [{"chemical": "\xe7\x94\xb2\xe9\x86\x87", "quantity_t": NaN}]}', b'{"a": "\\u0000"}']


def _siting_body(rng: random.Random):
    body = {"location": {"lon": 112.85, "lat": 35.5, "crs": "wgs84"},
            "inventory": [{"chemical": "甲醇", "quantity_t": 10, "unit": "storage"},
                          {"chemical": "液氯", "quantity_t": 20}],
            "exposed_people": None, "facility_type": "化工厂", "stage": "production", "in_chemical_park": False,
            "size": {"tank_volume_m3": 100}, "allow_outside_area": False}
    for _ in range(rng.randint(1, 3)):  # replace a few leaves (or whole branches) with hostile values
        key = rng.choice(["location", "inventory", "exposed_people", "facility_type", "stage", "size",
                          "allow_outside_area", "in_chemical_park", "lon",
                          "lat", "crs", "chemical", "quantity_t", "unit"])
        value = rng.choice(LEAVES)
        if key in body:
            body[key] = value
        elif key in ("lon", "lat", "crs") and isinstance(body["location"], dict):
            body["location"][key] = value
        elif isinstance(body["inventory"], list) and body["inventory"]:
            body["inventory"][0][key] = value
    return body


def _path(rule, rng: random.Random) -> str:
    out = rule.rule
    for name, conv in rule._converters.items():
        if isinstance(conv, IntegerConverter):
            value = rng.choice(INTS)
        elif isinstance(conv, PathConverter):
            value = "/".join(quote(p, safe="") for p in rng.choice(FILES).split("/"))
        else:
            value = quote(rng.choice(STRINGS), safe="%")
        out = re.sub(rf"<[^>]*:?{name}>", value, out)
    return out


def _query(rng: random.Random) -> str:
    if rng.random() < 0.1:
        return rng.choice(RAW_QUERY)
    pairs = [(rng.choice(PARAMS), rng.choice(TEXT)) for _ in range(rng.randint(0, 4))]
    return "&".join(f"{quote(k)}={quote(v)}" for k, v in pairs)


def _request(rule, rng: random.Random, *, reach: bool = False) -> dict:
    """A hostile request to ``rule``; ``reach``: with one of its own methods and the default Host,
    so it is routed to the rule's view (the values are still hostile)."""
    allowed = sorted(rule.methods - {"HEAD", "OPTIONS"})
    method = rng.choice(allowed) if reach or rng.random() < 0.85 else rng.choice(["PUT", "DELETE", "PATCH", "POST", "GET"])
    req = {"method": method, "path": _path(rule, rng), "query": _query(rng), "headers": {}}
    host = None if reach else rng.choice(HOSTS)
    if host is not None:
        req["headers"]["Host"] = host
    if method in ("POST", "PUT", "PATCH"):
        roll = rng.random()
        if rule.endpoint == "auth.login" or roll < 0.15:
            req["data"] = {k: rng.choice(TEXT) for k in ("name", "password", "csrf_token", "next") if rng.random() < 0.8}
        elif roll < 0.45:
            req["data"] = rng.choice(RAW_BODIES)
            req["content_type"] = rng.choice(["application/json", "text/plain", "application/x-www-form-urlencoded"])
        else:
            req["data"] = json.dumps(_siting_body(rng), ensure_ascii=rng.random() < 0.5)
            req["content_type"] = "application/json"
    return req


def _check(req: dict, r) -> None:
    where = f"{req['method']} {req['path']}?{req['query']!r} host={req['headers'].get('Host')!r} body={str(req.get('data'))[:200]!r}"
    body = r.get_data()
    assert r.status_code < 500, f"{r.status_code} for {where}: {body[:300]!r}"
    ctype = r.headers.get("Content-Type", "")
    assert ctype.lower().count("charset") <= 1, f"{ctype} for {where}"
    if r.status_code == 405:
        assert r.headers.get("Allow"), where
    if r.status_code in (429, 503):
        assert r.headers.get("Retry-After"), where
    if r.status_code >= 400:
        text = body.decode("utf-8")
        if "json" in ctype:
            message = json.loads(text)["error"]["message"]
            assert CJK.search(message), f"{message!r} for {where}"
        else:
            assert "text/html" in ctype and CJK.search(text), f"{text[:200]!r} for {where}"


def _send(app, req: dict, headers: dict) -> Response:
    """Straight to the WSGI app (the test client itself cannot build URLs for some hostile Hosts)."""
    kwargs = {"method": req["method"], "headers": headers, "data": req.get("data"),
              # an address of its own: the login throttle of other tests (127.0.0.1) stays untouched
              "environ_overrides": {"QUERY_STRING": req["query"], "REMOTE_ADDR": "10.19.8.1"}}
    if "content_type" in req:
        kwargs["content_type"] = req["content_type"]
    environ = EnvironBuilder(req["path"], **kwargs).get_environ()
    if "Host" in headers:
        environ["HTTP_HOST"] = headers["Host"]
    body, status, out_headers = run_wsgi_app(app, environ, buffered=True)
    return Response(b"".join(body), status=status, headers=out_headers)


def test_fuzz_every_route(demo_db):
    from webmap import create_app

    seed = int(os.environ.get("HAZMAP_FUZZ_SEED", "19"))
    rng = random.Random(seed)
    s = load_settings(env={}, overrides={"database_url": demo_db[0]})
    s = replace(s, limits=replace(s.limits, siting_checks_per_minute=10_000))  # reach the engine, not the limit
    app = create_app({"TESTING": True}, settings=s)
    rules = [r for r in app.url_map.iter_rules()]
    assert {r.endpoint for r in rules} >= {"api.siting_check", "ogc.items", "auth.login", "static", "api.enterprises_item", "tiles.tile"}
    token = make_user(demo_db[0], "operator")["token"]
    statuses = set()
    reached = set()  # the rules a request was routed to (one of its methods, the default Host)
    for i in range(len(rules) + N_REQUESTS):
        first_pass = i < len(rules)  # one request per rule first, so every route is reached whatever the seed
        k = i if first_pass else rng.randrange(len(rules))
        rule = rules[k]
        req = _request(rule, rng, reach=first_pass)
        who = "anonymous" if not first_pass and rng.random() < 0.25 else "operator"
        headers = dict(req["headers"])
        if who == "operator":
            headers["Authorization"] = f"Bearer {token}"
        r = _send(app, req, headers)
        try:
            _check(req, r)
        except AssertionError as exc:
            raise AssertionError(f"seed {seed}, request {i} ({who}): {exc}") from None
        finally:
            r.close()
        statuses.add(r.status_code)
        if req["method"] in rule.methods and "Host" not in req["headers"]:
            reached.add(k)
    missed = [f"{sorted(rules[k].methods - {'HEAD', 'OPTIONS'})} {rules[k].rule} ({rules[k].endpoint})"
              for k in range(len(rules)) if k not in reached]
    assert missed == [], f"seed {seed}: routes never reached: {missed}"
    assert {200, 400, 401, 404, 405} <= statuses  # the generator reached the engines and the guards

"""The seven root causes of 5xx on bad input (issue 19, item 8), each a named 400 now."""

from __future__ import annotations

import json
import re
from urllib.parse import parse_qs, urlsplit

import pytest
from click.testing import CliRunner
from werkzeug.test import EnvironBuilder, run_wsgi_app

from geo.errors import InvalidInput
from hazmap.jsonbody import MAX_JSON_NUMBER, loads_checked

BODY = {"location": {"lon": 112.85, "lat": 35.5, "crs": "wgs84"}, "facility_type": "危化品仓库", "stage": "storage",
        "inventory": [{"chemical": "甲醇", "quantity_t": 10, "unit": "storage"}]}
CJK = re.compile(r"[\u4e00-\u9fff]")


def _post(app, raw: bytes | str):
    return app.test_client().post("/api/v1/siting/check", data=raw, content_type="application/json")


def _error(r, status=400) -> dict:
    assert r.status_code == status, r.get_data(as_text=True)
    err = r.get_json()["error"]
    assert CJK.search(err["message"])
    return err


@pytest.mark.parametrize("value", [["加油站"], 5, {"a": 1}, True])
def test_facility_type_of_the_wrong_json_type(demo_app, value):
    err = _error(demo_app.test_client().post("/api/v1/siting/check", json={**BODY, "facility_type": value}))
    assert err["field"] == "facility_type" and "字符串" in err["message"]


def test_quantities_summing_to_infinity():
    """Each 1e308 t is finite; their sum is not (the engine's own check, behind the parser's bound)."""
    from geo.postgis.siting import parse_inventory
    from tests.helpers import domain

    with pytest.raises(InvalidInput) as err:
        parse_inventory([{"chemical": "甲醇", "quantity_t": 1e308}, {"chemical": "甲醇", "quantity_t": 1e308}],
                        domain().reference.catalogue)
    assert err.value.field == "inventory[1].quantity_t" and "超出范围" in err.value.message


def test_quantities_summing_to_infinity_through_the_api(demo_app):
    body = {**BODY, "inventory": [{"chemical": "甲醇", "quantity_t": 1e308}, {"chemical": "甲醇", "quantity_t": 1e308}]}
    assert "超出范围" in _error(_post(demo_app, json.dumps(body)))["message"]


@pytest.mark.parametrize("literal", ["1" + "0" * 400, "1e400", "-1e400", "1" + "0" * 5000, "1.5e16"])
def test_numbers_beyond_range(demo_app, literal):
    raw = json.dumps(BODY).replace('"quantity_t": 10', f'"quantity_t": {literal}')
    err = _error(_post(demo_app, raw))
    assert err["field"] == "body" and f"{MAX_JSON_NUMBER:g}" in err["message"]


def test_numbers_beyond_range_in_the_cli_inventory_file(demo_db, monkeypatch, tmp_path):
    from hazmap.cli import cli

    f = tmp_path / "inv.json"
    f.write_text('[{"chemical": "甲醇", "quantity_t": 1' + "0" * 400 + "}]", encoding="utf-8")
    monkeypatch.setenv("DATABASE_URL", demo_db[0])
    monkeypatch.delenv("HAZMAP_CONFIG", raising=False)
    res = CliRunner().invoke(cli, ["siting", "check", "--lon", "112.85", "--lat", "35.5", "--facility-type", "危化品仓库",
                                   "--stage", "储存", "--inventory", str(f)])
    assert res.exit_code == 2 and "超出范围" in res.output and len(res.output.strip().splitlines()) == 1


def test_lone_surrogates_in_json_strings(demo_app):
    raw = json.dumps(BODY, ensure_ascii=False).replace("甲醇", "\\ud800")  # the JSON escape of a lone high surrogate
    err = _error(_post(demo_app, raw))
    assert err["field"] == "inventory[0].chemical" and "代理项" in err["message"]
    raw = json.dumps({**BODY, "\\udc80": 1}).replace("\\\\udc80", "\\udc80")  # in a key
    assert "代理项" in _error(_post(demo_app, raw))["message"]


def test_query_strings_that_are_not_utf8(demo_app):
    c = demo_app.test_client()
    for qs in ("q=\xed\xa0\x80", "town=\xff", "\xc0\xaf=1"):  # the raw bytes of a surrogate, an 0xff, an overlong '/'
        err = _error(c.get("/api/v1/enterprises", environ_overrides={"QUERY_STRING": qs}))
        assert err["field"] == "query" and "UTF-8" in err["message"]
    page = c.get("/dashboard", environ_overrides={"QUERY_STRING": "x=\xff"})  # pages too: a Chinese page
    assert page.status_code == 400 and "UTF-8" in page.get_data(as_text=True)


@pytest.mark.parametrize("depth", [33, 5000, 100_000])
def test_json_nested_deeper_than_the_limit(demo_app, depth):
    err = _error(_post(demo_app, "[" * depth + "]" * depth))
    assert err["field"] == "body" and "max_json_depth" in err["message"]


def test_nesting_within_the_limit_and_brackets_in_strings_are_fine():
    nested = loads_checked("[" * 32 + "]" * 32, max_depth=32)
    for _ in range(31):
        nested = nested[0]
    assert nested == []
    with pytest.raises(InvalidInput):
        loads_checked("[" * 33 + "]" * 33, max_depth=32)
    assert loads_checked('{"a": "[[[[[[[[[[[[[[[[[["}', max_depth=2) == {"a": "[[[[[[[[[[[[[[[[[["}


@pytest.mark.parametrize("text, needle", [("NaN", "NaN"), ('{"a": Infinity}', "Infinity"), ('{"a": "x\\u0000"}', "NUL"),
                                          ('{"a": 1', "第 1 行"), ("", "缺少值")])
def test_json_parser_names_what_is_wrong(text, needle):
    with pytest.raises(InvalidInput) as err:
        loads_checked(text, max_depth=32)
    assert needle in err.value.message


def test_json_parser_names_the_byte_offset_of_bad_utf8():
    with pytest.raises(InvalidInput) as err:
        loads_checked(b'{"name": "\xe7\x94"}', max_depth=32)
    assert "第 10 字节" in err.value.message  # {"name": " is 10 bytes, the broken character starts there


@pytest.mark.parametrize("param", ["cid", "_external", "_method", "endpoint", "_anchor", "_scheme", "values"])
def test_ogc_parameters_that_collide_with_url_for_arguments(demo_app, param):
    # an unknown parameter is refused by name (OGC API – Features /req/core/query-param-unknown), never a 5xx
    r = demo_app.test_client().get(f"/ogc/collections/enterprises/items?limit=1&{param}=ftp")
    assert r.status_code == 400 and r.get_json()["error"]["field"] == param, r.get_data(as_text=True)
    # as a value of a known parameter the same word is just data: the next link keeps it and nothing else
    r = demo_app.test_client().get("/ogc/collections/enterprises/items", query_string={"limit": 1, "stage": "储存"})
    nxt = next(link["href"] for link in r.get_json()["links"] if link["rel"] == "next")
    parts = urlsplit(nxt)
    assert (parts.scheme, parts.path, parts.fragment) == ("http", "/ogc/collections/enterprises/items", "")
    assert parse_qs(parts.query)["stage"] == ["储存"] and "after" in parse_qs(parts.query)


def _with_host(app, host: str):
    token = app.config["TEST_TOKEN"]
    environ = EnvironBuilder("/ogc", headers={"Authorization": f"Bearer {token}"}).get_environ()
    environ["HTTP_HOST"] = host
    body, status, headers = run_wsgi_app(app, environ, buffered=True)
    return int(status.split()[0]), json.loads(b"".join(body))


@pytest.mark.parametrize("host", ["a..b", ".", "x" * 64 + ".example", "a." * 130, "xn--a.cn", "ab\u00e9.cn"])
def test_host_headers_with_empty_or_over_long_labels(demo_app, host):
    status, body = _with_host(demo_app, host)
    assert status == 400 and body["error"]["field"] == "Host" and "Host 无效" in body["error"]["message"]


@pytest.mark.parametrize("host", ["localhost", "localhost:8000", "127.0.0.1:8000", "[::1]:8000", "hazmap.example.gov.cn"])
def test_ordinary_hosts_still_work(demo_app, host):
    status, body = _with_host(demo_app, host)
    assert status == 200 and body["links"][0]["href"].startswith(f"http://{host}/ogc")

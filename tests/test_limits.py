"""Named limits: every one is documented, and going over one is a clear 4xx, never a 5xx."""

from __future__ import annotations

import dataclasses
import re
from pathlib import Path

from hazmap.config import Limits

README = (Path(__file__).resolve().parent.parent / "README.md").read_text(encoding="utf-8")


def test_every_limit_is_documented_with_its_default():
    table = README[README.index("### Limits"):]
    for f in dataclasses.fields(Limits):
        row = re.search(rf"^\| `{f.name}` \| ([^|]+) \|", table, re.M)
        assert row, f"limit {f.name} missing from README"
        assert row.group(1).strip().replace(",", "") == str(f.default).replace("_", ""), f.name


def test_siting_rate_limit_is_429_with_its_name(demo_app):
    from dataclasses import replace

    s = demo_app.config["HAZMAP_SETTINGS"]
    demo_app.config["HAZMAP_SETTINGS"] = replace(s, limits=replace(s.limits, siting_checks_per_minute=3))
    try:
        c = demo_app.test_client()
        body = {"location": {"lon": 112.85, "lat": 35.5}, "facility_type": "危化品仓库", "stage": "storage", "inventory": [{"chemical": "甲醇", "quantity_t": 1}]}
        codes = [c.post("/api/v1/siting/check", json=body).status_code for _ in range(4)]
        assert codes == [200, 200, 200, 429]
        err = c.post("/api/v1/siting/check", json=body).get_json()["error"]
        assert err["field"] == "siting_checks_per_minute" and "每人每分钟最多 3 次" in err["message"]
        assert "siting_checks_per_minute" not in err["message"]  # the page shows the message: no setting's name
    finally:
        demo_app.config["HAZMAP_SETTINGS"] = s


def test_request_body_limit_is_413(demo_app):
    r = demo_app.test_client().post("/api/v1/siting/check", data=b"x" * 1_100_000, content_type="application/json")
    assert r.status_code == 413 and "max_request_body_bytes" in r.get_json()["error"]["message"]


def test_statement_timeout_is_a_named_400(demo_db):
    from dataclasses import replace

    from hazmap.config import load_settings
    from tests.helpers import as_user
    from webmap import create_app

    s = load_settings(env={}, overrides={"database_url": demo_db[0]})
    s = replace(s, limits=replace(s.limits, statement_timeout_ms=1))
    c = as_user(create_app({"TESTING": True}, settings=s)).test_client()
    r = c.get("/api/v1/stats")
    assert r.status_code == 400, r.get_data(as_text=True)
    assert r.get_json()["error"]["field"] == "statement_timeout_ms"

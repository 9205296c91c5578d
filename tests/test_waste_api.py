"""The manifest life cycle through HTTP: allowed moves stored and audited, every refused edge a
400 naming the rule (and the states allowed next), roles, unknown manifests and bad bodies."""

from __future__ import annotations

import pytest
import sqlalchemy as sa

from tests.helpers import as_user
from tests.test_waste_etl import MANIFEST_H, manifest_row, run, write_csv

pytestmark = pytest.mark.postgis


@pytest.fixture
def waste_app(fresh_db_url, tmp_path):
    path = write_csv(tmp_path / "m.csv", MANIFEST_H, [
        manifest_row("20261405000001"), manifest_row("20261405000001", code="900-041-49", cls="HW49", qty="0.5"),
        manifest_row("20261405000002", state="草稿")])
    assert run(fresh_db_url, tmp_path, {"waste_manifests": path}).status == "succeeded"
    from webmap import create_app

    return create_app({"TESTING": True, "DATABASE_URL": fresh_db_url})


def patch(client, no, body):
    return client.patch(f"/api/v1/waste-manifests/{no}", json=body)


def test_life_cycle_edges_through_http(waste_app, fresh_db_url):
    c = as_user(waste_app, "operator").test_client()
    r = patch(c, "20261405000001", {"state": "已启运", "at": "2026-03-01T08:00"})
    assert r.status_code == 200, r.get_json()
    j = r.get_json()
    assert j["from_state"] == "已提交" and j["state"] == "已启运" and j["rule"]["id"] == "WM-T02"
    assert {x["state"] for x in j["allowed_next"]} == {"运输中", "已送达"}

    # after departure: no receipt before delivery, no voiding
    r = patch(c, "20261405000001", {"state": "已接收", "at": "2026-03-01T09:00"})
    assert r.status_code == 400
    err = r.get_json()["error"]
    assert err["field"] == "state" and "WM-T06" in err["message"] and "“运输中”（WM-T03）" in err["message"]
    r = patch(c, "20261405000001", {"state": "作废", "at": "2026-03-01T09:00"})
    assert r.status_code == 400 and "作废仅限启运前" in r.get_json()["error"]["message"]
    # a change dated before the last one
    r = patch(c, "20261405000001", {"state": "运输中", "at": "2026-03-01T07:00"})
    assert r.status_code == 400 and "早于上一次变更" in r.get_json()["error"]["message"]

    for state, at in (("运输中", "2026-03-01T09:00"), ("已送达", "2026-03-01T12:00")):
        assert patch(c, "20261405000001", {"state": state, "at": at}).status_code == 200
    # partial receipt needs the received quantities, one per detail row, at least one short
    r = patch(c, "20261405000001", {"state": "部分接收", "at": "2026-03-01T13:00"})
    assert r.status_code == 400 and r.get_json()["error"]["field"] == "received_t"
    r = patch(c, "20261405000001", {"state": "部分接收", "at": "2026-03-01T13:00", "received_t": [1.5]})
    assert r.status_code == 400 and "1 项与联单明细 2 行不一致" in r.get_json()["error"]["message"]
    r = patch(c, "20261405000001", {"state": "部分接收", "at": "2026-03-01T13:00", "received_t": [2.0, 0.5]})
    assert r.status_code == 400 and "全部接受请选“已接收”" in r.get_json()["error"]["message"]
    r = patch(c, "20261405000001", {"state": "部分接收", "at": "2026-03-01T13:00", "received_t": [1.5, 0.5],
                                    "major_discrepancy": True})
    assert r.status_code == 200
    j = r.get_json()
    assert j["receiver_decision"] == "部分接受" and j["receipt_date"] == "2026-03-01" and j["received_t"] == [1.5, 0.5]
    assert j["major_discrepancy"] is True and j["rule"]["id"] == "WM-T07"
    assert patch(c, "20261405000001", {"state": "退回", "at": "2026-03-02T08:00"}).status_code == 200
    r = patch(c, "20261405000001", {"state": "已接收", "at": "2026-03-02T09:00"})
    assert r.status_code == 400 and "无（已闭环）" in r.get_json()["error"]["message"]

    # a draft may be voided (WM-T11, local policy); an unknown state is named
    r = patch(c, "20261405000002", {"state": "已签收"})
    assert r.status_code == 400 and "未知联单状态“已签收”" in r.get_json()["error"]["message"]
    assert patch(c, "20261405000002", {"state": "作废"}).get_json()["rule"]["status"] == "local_policy"

    from hazmap.db.session import get_engine

    with get_engine(fresh_db_url).connect() as conn:
        m = conn.execute(sa.text("select state, receipt_date, receiver_decision, major_discrepancy, history "
                                 "from waste_manifest where manifest_no = '20261405000001'")).one()
        got = conn.execute(sa.text("select r.received_t from waste_manifest_row r join waste_manifest m "
                                   "on m.id = r.manifest_id where m.manifest_no = '20261405000001' "
                                   "order by r.line_no")).scalars().all()
        audit = conn.execute(sa.text("select detail from audit_log where action = 'waste_manifest_transition' "
                                     "order by id")).scalars().all()
    assert m.state == "退回" and m.receiver_decision == "部分接受" and m.major_discrepancy is True
    assert [e["rule_id"] for e in m.history] == ["WM-T02", "WM-T03", "WM-T05", "WM-T07", "WM-T10"]
    assert got == [1.5, 0.5]
    assert [(a["manifest_no"], a["from"], a["to"]) for a in audit][-2:] == [
        ("20261405000001", "部分接收", "退回"), ("20261405000002", "草稿", "作废")]
    assert len(audit) == 6  # refused moves change nothing and are not recorded as changes


def test_roles_unknown_manifest_and_bad_bodies(waste_app):
    analyst = as_user(waste_app, "analyst").test_client()
    assert patch(analyst, "20261405000001", {"state": "已启运"}).status_code == 403
    c = as_user(waste_app, "operator").test_client()
    r = patch(c, "20261405009999", {"state": "已启运"})
    assert r.status_code == 404 and "联单 20261405009999 不存在" in r.get_json()["error"]["message"]
    for body, field in (([], "body"), ({"state": ""}, "state"), ({"state": "已启运", "colour": 1}, "colour"),
                        ({"state": "已启运", "at": "明天"}, "at"), ({"state": "已启运", "at": "2999-01-01T00:00"}, "at"),
                        ({"state": "已启运", "major_discrepancy": True}, "major_discrepancy"),
                        ({"state": "已送达", "received_t": ["x"]}, "received_t")):
        r = patch(c, "20261405000001", body)
        assert r.status_code == 400 and r.get_json()["error"]["field"] == field, (body, r.get_json())

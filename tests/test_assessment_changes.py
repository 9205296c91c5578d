"""The change box (issue 12 item 9): ``period=changed`` keeps the last real change after a run that
changed nothing; ``period=7d`` compares with the run current a week before (here: the oldest, as all
runs are minutes old); across three runs with a removal, then a no-op run."""

from __future__ import annotations

import sqlalchemy as sa

from tests.helpers import as_user
from tests.test_history import _add


def test_a_no_op_run_does_not_wipe_the_last_change(fresh_db_url):
    from hazmap.config import load_settings
    from hazmap.db.session import get_engine
    from hazmap.refresh import run_refresh
    from webmap import create_app

    settings = load_settings(env={}, overrides={"database_url": fresh_db_url})
    eng = get_engine(fresh_db_url)
    with eng.begin() as conn:
        a = _add(conn, "91140502MA0000001A", "甲化工仓储", 112.82)
        b = _add(conn, "91140502MA0000002B", "乙化工仓储", 112.84)
    r1 = run_refresh(settings)
    with eng.begin() as conn:  # B removed
        conn.execute(sa.text("delete from enterprise where id = :b"), {"b": b})
    r2 = run_refresh(settings)
    with eng.begin() as conn:  # A: two larger accidents within three years → directly red
        conn.execute(sa.text("update enterprise set larger_accidents_3y = 2 where id = :a"), {"a": a})
    r3 = run_refresh(settings)
    r4 = run_refresh(settings)  # nothing changed
    assert r4["changes"]["summary"] == {"colour_changed": 0, "conflicts_added": 0, "conflicts_removed": 0,
                                        "enterprises_added": 0, "enterprises_removed": 0}
    client = as_user(create_app({"TESTING": True}, settings=settings), "leader").test_client()
    last = client.get("/api/v1/changes?period=last").get_json()
    assert (last["from_run"], last["to_run"]) == (r3["run_id"], r4["run_id"]) and last["enterprises_changed"] == []
    changed = client.get("/api/v1/changes?period=changed").get_json()
    assert (changed["from_run"], changed["to_run"], changed["quiet_runs_after"]) == (r2["run_id"], r3["run_id"], 1)
    assert [e["name"] for e in changed["enterprises_changed"]] == ["甲化工仓储"]
    assert changed["enterprises_changed"][0]["new"]["risk_color"] == "red"
    # the new grade says how known it is (from the to-run's stored result): red by a direct-red condition,
    # still provisional (the registry alone never covers the guide's 100 points), at worst red
    with eng.connect() as conn:
        stored = conn.execute(sa.text("select provisional, risk_color_worst from enterprise_risk "
                                      "where run_id = :r and enterprise_id = :a"), {"r": r3["run_id"], "a": a}).one()
    e = changed["enterprises_changed"][0]
    assert (e["provisional"], e["risk_color_worst"]) == tuple(stored) == (True, "red")
    week = client.get("/api/v1/changes?period=7d").get_json()
    assert (week["from_run"], week["to_run"]) == (r1["run_id"], r4["run_id"])
    assert week["summary"]["enterprises_removed"] == 1 and week["summary"]["colour_changed"] == 1
    bad = client.get("/api/v1/changes?period=year")
    assert bad.status_code == 400 and bad.get_json()["error"]["field"] == "period"

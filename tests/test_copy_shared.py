"""geo.postgis.copy.copy_rows_shared writes what copy_rows would: every row, each with its own
shared values (repeated, distinct and NULL), the other columns untouched."""

from __future__ import annotations

import json

import sqlalchemy as sa

from geo.postgis.copy import copy_rows, copy_rows_shared


COLUMNS = ("id", "colour", "reasons", "note")


def _rows():
    a = json.dumps([{"code": "major_hazard", "points": -10, "text": "一级重大危险源"}], ensure_ascii=False)
    b = json.dumps([{"code": "conflict", "points": -5, "text": "与学校距离不足"}], ensure_ascii=False)
    # ids 1–6: reasons a, b, a, NULL, a, b; note repeats too but is not shared
    return [(1, "red", a, "甲"), (2, "blue", b, "乙"), (3, "red", a, "甲"),
            (4, "yellow", None, None), (5, "orange", a, "丙"), (6, "blue", b, "乙")]


def test_shared_copy_writes_the_rows_plain_copy_writes(db_url):
    from hazmap.db.session import get_engine

    with get_engine(db_url).connect() as conn:
        with conn.begin():
            for t in ("_plain", "_shared"):
                conn.execute(sa.text(f"create temp table {t} (id int primary key, colour text, reasons jsonb, "
                                     "note text) on commit drop"))
            assert copy_rows(conn, "_plain", COLUMNS, _rows()) == 6
            assert copy_rows_shared(conn, "_shared", COLUMNS, iter(_rows()), ("reasons",)) == 6
            q = "select id, colour, reasons, note from {} order by id"
            plain = conn.execute(sa.text(q.format("_plain"))).all()
            shared = conn.execute(sa.text(q.format("_shared"))).all()
            assert shared == plain
            assert [r.reasons[0]["points"] if r.reasons else None for r in shared] == [-10, -5, -10, None, -10, -5]
            assert shared[3].reasons is None and shared[4].note == "丙"
            # its staging tables are gone: a second call in the same transaction works
            conn.execute(sa.text("truncate _shared"))
            assert copy_rows_shared(conn, "_shared", COLUMNS, _rows(), ("reasons", "note")) == 6
            assert conn.execute(sa.text(q.format("_shared"))).all() == plain

"""``COPY … FROM STDIN`` on a SQLAlchemy connection (psycopg 3): the one fast bulk write, shared
by the ETL's loads and the refresh's result tables."""

from __future__ import annotations

import sqlalchemy as sa


def copy_rows(conn: sa.Connection, table: str, columns: list[str] | tuple[str, ...], rows) -> int:
    """COPY ``rows`` (tuples in ``columns`` order) into ``table`` in the connection's transaction;
    returns how many were written.  Python lists go to arrays, dicts must be JSON text already."""
    raw = conn.connection.driver_connection
    n = 0
    with raw.cursor() as cur, cur.copy(f"copy {table} ({', '.join(columns)}) from stdin") as cp:
        for r in rows:
            cp.write_row(r)
            n += 1
    return n


def copy_rows_shared(conn: sa.Connection, table: str, columns: list[str] | tuple[str, ...], rows,
                     shared: list[str] | tuple[str, ...]) -> int:
    """COPY ``rows`` into ``table`` like :func:`copy_rows`, for tables where the ``shared`` columns
    (large JSON or text) repeat across many rows — e.g. the same grading reasons for thousands of
    enterprises alike in every fact.  Each distinct combination of the shared values is sent and
    parsed once (a staged table), the rows carry its number, and one ``insert … select … join`` writes
    the table: the server copies the parsed (and already compressed) values instead of parsing and
    compressing every repeat.  The table's contents are those :func:`copy_rows` would write."""
    own = [c for c in columns if c not in shared]
    where = [columns.index(c) for c in shared]
    keep = [columns.index(c) for c in own]
    ids: dict[tuple, int] = {}

    def staged():
        for r in rows:
            key = tuple(r[i] for i in where)
            n = ids.get(key)
            if n is None:
                n = ids[key] = len(ids) + 1
            yield (*(r[i] for i in keep), n)

    for name, cols in (("_shared_values", shared), ("_shared_rows", own)):
        conn.execute(sa.text(f"drop table if exists {name}"))
        conn.execute(sa.text(f"create temp table {name} on commit drop as select {', '.join(cols)} from {table} limit 0"))
    conn.execute(sa.text("alter table _shared_values add column shared_id int"))
    conn.execute(sa.text("alter table _shared_rows add column shared_id int"))
    n = copy_rows(conn, "_shared_rows", (*own, "shared_id"), staged())
    copy_rows(conn, "_shared_values", (*shared, "shared_id"), ((*key, i) for key, i in ids.items()))
    conn.execute(sa.text("analyze _shared_values"))
    conn.execute(sa.text(f"""insert into {table} ({', '.join(own)}, {', '.join(shared)})
        select {', '.join('r.' + c for c in own)}, {', '.join('v.' + c for c in shared)}
        from _shared_rows r join _shared_values v using (shared_id)"""))
    conn.execute(sa.text("drop table _shared_rows"))
    conn.execute(sa.text("drop table _shared_values"))
    return n

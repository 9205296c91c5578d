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

"""The app's database access: one cached engine per process (see hazmap.db.session)."""

from __future__ import annotations

from contextlib import contextmanager

from flask import current_app

from hazmap.db.session import get_engine


def settings():
    return current_app.config["HAZMAP_SETTINGS"]


def domain():
    """The app's :class:`geo.domain.Domain` (built once by the app factory)."""
    return current_app.config["HAZMAP_DOMAIN"]


@contextmanager
def connect():
    s = settings()
    with get_engine(s.database_url, s.limits.statement_timeout_ms, db=s.database).connect() as conn:
        yield conn

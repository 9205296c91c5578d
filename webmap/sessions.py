"""The session cookie's signing key when none is configured: one key shared through the database.

Without ``[auth] secret_key`` / ``HAZMAP_SECRET_KEY`` every gunicorn worker used to invent its
own key, so a cookie signed by one worker was refused by the next (18 of 20 logins failed with
four workers).  Now the first process to need a key generates it into ``app_secret`` and every
process — and every restart — reads the same one.  The key only signs the cookie; the session
itself lives in ``app_session``, so a forged cookie without a live session id gets nothing.
"""

from __future__ import annotations

import threading

import sqlalchemy as sa
from flask import request
from flask.sessions import SecureCookieSessionInterface

from hazmap import users
from webmap.db import connect

KEY_NAME = "session_signing_key"
_ERROR = "hazmap.session_key_error"


class SharedKeySessionInterface(SecureCookieSessionInterface):
    """Flask's signed-cookie sessions, signed with the key kept in ``app_secret``."""

    def __init__(self) -> None:
        self._lock = threading.Lock()

    def _ensure_key(self, app) -> None:
        with self._lock:
            if app.secret_key:
                return
            with connect() as conn:  # the request's app context is active here
                key = users.shared_secret(conn, KEY_NAME)
                conn.commit()
            app.config["SECRET_KEY"] = key

    def open_session(self, app, req):
        try:
            self._ensure_key(app)
        except sa.exc.SQLAlchemyError as exc:  # the database is down: no session; the request says 503
            req.environ[_ERROR] = exc
            return self.null_session_class()
        return super().open_session(app, req)


def raise_key_error() -> None:
    """``before_request``: a request whose session could not be opened fails like any database error."""
    exc = request.environ.get(_ERROR)
    if exc is not None and request.endpoint != "static":
        raise exc


def register(app) -> None:
    """Use the shared key unless the settings configure one."""
    if not app.config.get("SECRET_KEY"):
        app.session_interface = SharedKeySessionInterface()
        app.before_request_funcs.setdefault(None, []).insert(0, raise_key_error)

"""Credentials in the ``Authorization`` header: Bearer (scripts) and HTTP Basic (QGIS, GDAL 3.6, OWSLib).

* ``Authorization: Bearer <API token>`` (RFC 6750).
* ``Authorization: Basic base64(username:secret)`` (RFC 7617, UTF-8): the secret is the user's
  API token; with the setting ``[auth] basic_password = true`` the account password is accepted
  too (each such request costs a password hash, and goes through the login check).

Header-borne credentials authenticate one request; they never open a session.
"""

from __future__ import annotations

import base64
import binascii
from dataclasses import dataclass

from hazmap import users

CHALLENGE = 'Basic realm="hazmap", charset="UTF-8"'


@dataclass(frozen=True)
class Credentials:
    scheme: str  # bearer | basic
    secret: str
    username: str | None = None


def parse(header: str | None) -> Credentials | None:
    """The credentials in an ``Authorization`` header value; None when absent or malformed."""
    scheme, _, value = (header or "").strip().partition(" ")
    value = value.strip()
    if scheme.lower() == "bearer" and value:
        return Credentials("bearer", value)
    if scheme.lower() == "basic" and value:
        try:
            decoded = base64.b64decode(value, validate=True).decode("utf-8")
        except (binascii.Error, UnicodeDecodeError, ValueError):
            return None
        name, sep, secret = decoded.partition(":")
        if sep and name and secret:
            return Credentials("basic", secret, name)
    return None


def user_for(conn, cred: Credentials, *, password_check=None) -> dict | None:
    """The active user these credentials prove (``{name, role}``), or None.

    ``password_check(conn, name, password)``: how a Basic password is checked when passwords are
    accepted (``[auth] basic_password``) — the login form's throttled check; None: tokens only."""
    if cred.scheme == "bearer":
        return users.by_token(conn, cred.secret)
    user = users.by_token(conn, cred.secret)
    if user is not None:
        return user if user["name"] == cred.username else None
    if password_check is not None:
        return password_check(conn, cred.username, cred.secret)
    return None

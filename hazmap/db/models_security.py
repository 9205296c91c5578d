"""Security tables: server-side login sessions, the shared session-signing key, login throttling.

* ``app_session`` — one row per login; the cookie carries a random session id whose SHA-256 is
  the key here.  Every request looks its row up (with the user), so logout (row deleted),
  expiry (``expires_at``) and a disabled user end a session at once, in every server process.
* ``app_secret`` — the session-signing key generated once when no ``[auth] secret_key`` is
  configured, so every worker and every restart signs cookies with the same key.
* ``login_throttle`` — failed logins counted per account name and per client address, for the
  backoff and the lockout (README "Logins and sessions").
"""

from __future__ import annotations

from sqlalchemy import (
    CheckConstraint, Column, DateTime, ForeignKey, Index, Integer, PrimaryKeyConstraint, String, Table, Text, func,
)

from hazmap.db.models import metadata

app_session = Table(
    "app_session", metadata,
    Column("sid_hash", String(64), primary_key=True),  # sha256 of the session id; the id itself is never stored
    Column("user_id", Integer, ForeignKey("app_user.id", ondelete="CASCADE"), nullable=False),
    Column("created_at", DateTime(timezone=True), nullable=False, server_default=func.now()),
    Column("expires_at", DateTime(timezone=True), nullable=False),
    Column("ip", String(64)),
    Index("ix_app_session_user", "user_id"),
    Index("ix_app_session_expires", "expires_at"),
)

app_secret = Table(
    "app_secret", metadata,
    Column("name", String(32), primary_key=True),
    Column("value", Text, nullable=False),
    Column("created_at", DateTime(timezone=True), nullable=False, server_default=func.now()),
)

login_throttle = Table(
    "login_throttle", metadata,
    Column("scope", String(8), nullable=False),  # account | address
    Column("subject", String(128), nullable=False),  # the name typed in, or the client address
    Column("failures", Integer, nullable=False),
    Column("last_failure_at", DateTime(timezone=True), nullable=False),
    Column("locked_until", DateTime(timezone=True)),
    PrimaryKeyConstraint("scope", "subject", name="pk_login_throttle"),
    CheckConstraint("scope in ('account','address')", name="ck_login_throttle_scope"),
    Index("ix_login_throttle_last_failure", "last_failure_at"),
)

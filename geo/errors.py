"""Typed errors shared by the core, the CLI and the web app.

The web layer maps them to HTTP in one place: :class:`InvalidInput` → 400 with
``{"error": {"field": ..., "message": ...}}``, :class:`NotFound` → 404,
:class:`LimitExceeded` → its ``status`` (400/413/429).  Messages are Chinese, for users.
"""

from __future__ import annotations


class HazmapError(Exception):
    """Base class of the errors users can cause or see."""

    status = 500

    def __init__(self, message: str):
        super().__init__(message)
        self.message = message


class InvalidInput(HazmapError):
    """Bad input from a user: names the field."""

    status = 400

    def __init__(self, field: str, message: str):
        super().__init__(message)
        self.field = field

    def to_dict(self) -> dict:
        return {"error": {"field": self.field, "message": self.message}}


class NotFound(HazmapError):
    status = 404


class LimitExceeded(HazmapError):
    """A named limit was exceeded (status 400, 413, 429 or 503).

    ``retry_after_s``: when trying again may succeed (sent as ``Retry-After`` with 429/503).
    """

    def __init__(self, limit: str, message: str, status: int = 400, *, retry_after_s: int | None = None):
        super().__init__(message)
        self.limit = limit
        self.status = status
        self.retry_after_s = retry_after_s

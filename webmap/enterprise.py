"""``/enterprises/<id>``: the enterprise file (一企一档)."""

from __future__ import annotations

from flask import Blueprint

bp = Blueprint("enterprise", __name__)

# The wings' sections of the enterprise file: (template partial under templates/enterprise/, script under
# static/), rendered in order; each partial fetches its own endpoint GET /api/v1/enterprises/<id>/<wing>.
# A wing adds its section here, one line.
ENTERPRISE_SECTIONS: tuple[tuple[str, str], ...] = ()

"""``/dashboard``: counts by colour × town × department × stage, top risks, changes, freshness."""

from __future__ import annotations

from flask import Blueprint, render_template

bp = Blueprint("dashboard", __name__)


@bp.get("/dashboard")
def dashboard():
    return render_template("dashboard.html")

"""Logins, API tokens and role-based access — one guard for every blueprint.

* The web UI logs in at ``/login`` (password hashed with werkzeug/scrypt; a signed, HttpOnly,
  SameSite=Lax session cookie, Secure unless served on loopback for development; a CSRF token
  on the form and on every cookie-authenticated POST).
* Scripts send ``Authorization: Bearer <token>`` (``hazmap user add`` prints the token once).
* What anonymous visitors may see is the setting ``[auth] anonymous_access``: by default nothing
  but ``/login``; when true, the map and the read-only API (no exports, no siting, no OGC).

Roles: operator (everything, ETL, users, audit), planner (map, siting, exports), leader (map,
dashboard), analyst (API, exports, OGC).
"""

from __future__ import annotations

import secrets

from flask import Blueprint, abort, g, jsonify, redirect, render_template, request, session, url_for

from hazmap import users
from webmap.db import connect, settings

bp = Blueprint("auth", __name__)

ALL = {"operator", "planner", "leader", "analyst"}
RULES = {  # endpoint → roles allowed; API reads not listed here are open to every role
    "riskmap.risk_map": ALL,
    "dashboard.dashboard": {"operator", "leader", "planner"},
    "siting.siting": {"operator", "planner"},
    "api.siting_check": {"operator", "planner"},
    "api.siting_feasible": {"operator", "planner"},
    "basemap.tile": ALL, "basemap.vector": ALL, "tools.search": ALL, "tools.nearby": ALL,
    "tools.coordinates": ALL, "tools.map_summary": ALL, "history.changes": ALL, "history.trends": ALL,
    "printing.map_pdf": ALL, "siting.report_pdf": {"operator", "planner"},
}
EXPORT_ROLES = {"operator", "planner", "analyst"}
ANONYMOUS_ENDPOINTS = {  # plus API reads, when anonymous_access is on
    "riskmap.risk_map", "basemap.tile", "basemap.vector", "tools.search", "tools.nearby", "tools.coordinates",
    "tools.map_summary", "history.changes", "history.trends"}
PUBLIC = {"static", "auth.login", "auth.logout", "api.openapi"}  # the API description is not data


def csrf_token() -> str:
    if "csrf" not in session:
        session["csrf"] = secrets.token_urlsafe(24)
    return session["csrf"]


def _is_export() -> bool:
    return bool(request.args.get("format") or request.args.get("crs"))


def _roles_for(endpoint: str) -> set[str]:
    if endpoint.startswith("ogc.") or (endpoint.startswith("api.") and _is_export()):
        return EXPORT_ROLES
    if endpoint in RULES:
        return RULES[endpoint]
    if endpoint.startswith("api."):
        return ALL
    return {"operator"}


def may_open(role: str | None, endpoint: str) -> bool:
    """Whether a user of ``role`` may open ``endpoint`` (the pages' menus read this table)."""
    return role in _roles_for(endpoint)


def _anonymous_ok(endpoint: str) -> bool:
    if not settings().anonymous_access:
        return False
    if endpoint in ANONYMOUS_ENDPOINTS:
        return True
    return endpoint.startswith("api.") and endpoint not in RULES and not _is_export()


def _current_user() -> dict | None:
    header = request.headers.get("Authorization", "")
    if header.startswith("Bearer "):
        with connect() as conn:
            return users.by_token(conn, header[7:].strip())
    name = session.get("user")
    if name:
        with connect() as conn:
            return users.active(conn, name)  # a disabled user loses access at once
    return None


def guard():
    endpoint = request.endpoint or ""
    if endpoint in PUBLIC:
        return None
    g.user = _current_user()
    g.via_token = request.headers.get("Authorization", "").startswith("Bearer ")
    if g.user is None and not _anonymous_ok(endpoint):
        if request.path.startswith(("/api/", "/ogc")):
            resp = jsonify({"error": {"field": None, "message": "需要登录或 API 令牌（Authorization: Bearer …）"}})
            resp.status_code = 401
            resp.headers["WWW-Authenticate"] = "Bearer"
            return resp
        return redirect(url_for("auth.login", next=request.full_path if request.query_string else request.path))
    if g.user is not None and g.user["role"] not in _roles_for(endpoint):
        abort(403)
    if request.method == "POST" and not g.via_token and g.user is not None:
        sent = request.headers.get("X-CSRF-Token") or request.form.get("csrf_token")
        if not sent or sent != session.get("csrf"):
            abort(400, description="CSRF 校验失败，请刷新页面后重试")
    return None


@bp.route("/login", methods=["GET", "POST"])
def login():
    error = None
    nxt = request.values.get("next") or "/"
    if not nxt.startswith("/") or nxt.startswith("//"):
        nxt = "/"
    if request.method == "POST":
        if request.form.get("csrf_token") != session.get("csrf"):
            error = "表单已过期，请重试"
        else:
            name = request.form.get("name", "").strip()
            with connect() as conn:
                user = users.check_password(conn, name, request.form.get("password", ""))
                users.audit(conn, "login" if user else "login_failed", user=user or {"name": name},
                            ip=request.remote_addr)
                conn.commit()
            if user:
                session.clear()
                session["user"] = user["name"]
                csrf_token()
                return redirect(nxt)
            error = "用户名或密码错误"
    return render_template("login.html", error=error, next=nxt, csrf=csrf_token())


@bp.post("/logout")
def logout():
    session.clear()
    return redirect(url_for("auth.login"))


def record(action: str, detail: dict) -> None:
    """Audit an action of the current request's user (exports, siting checks)."""
    with connect() as conn:
        users.audit(conn, action, user=getattr(g, "user", None), detail=detail, ip=request.remote_addr)
        conn.commit()


def register(app) -> None:
    app.before_request(guard)
    app.jinja_env.globals["csrf_token"] = csrf_token

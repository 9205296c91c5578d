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
from webmap import credentials
from webmap.db import connect, settings

bp = Blueprint("auth", __name__)

ALL = {"operator", "planner", "leader", "analyst"}
RULES = {  # endpoint → roles allowed; API reads not listed here are open to every role
    "riskmap.risk_map": ALL,
    "dashboard.dashboard": {"operator", "leader", "planner"},
    "siting.siting": {"operator", "planner"},
    "api.siting_check": {"operator", "planner"},
    "api.siting_feasible": {"operator", "planner"},
    "auth.audit_page": {"operator"},
}
EXPORT_ROLES = {"operator", "planner", "analyst"}
ANONYMOUS_ENDPOINTS = {"riskmap.risk_map"}  # plus API reads, when anonymous_access is on
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
    if endpoint.startswith(("api.", "tiles.")):
        return ALL
    return {"operator"}


def _anonymous_ok(endpoint: str) -> bool:
    if not settings().anonymous_access:
        return False
    if endpoint in ANONYMOUS_ENDPOINTS:
        return True
    return endpoint.startswith(("api.", "tiles.")) and endpoint not in RULES and not _is_export()


def _current_user() -> dict | None:
    cred = credentials.parse(request.headers.get("Authorization"))  # Bearer token, or Basic (QGIS, GDAL)
    if cred is not None:
        with connect() as conn:
            return credentials.user_for(conn, cred, basic_password=settings().basic_password)
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
        if request.path.startswith(("/api/", "/ogc", "/tiles/")):
            resp = jsonify({"error": {"field": None, "message": "需要登录或 API 令牌（Authorization: Bearer 令牌，或 Basic 用户名:令牌）"}})
            resp.status_code = 401
            resp.headers["WWW-Authenticate"] = "Bearer"
            resp.headers.add("WWW-Authenticate", credentials.CHALLENGE)
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


@bp.get("/audit")
def audit_page():
    with connect() as conn:
        rows = users.recent_audit(conn)
    return render_template("audit.html", rows=rows)


def record(action: str, detail: dict) -> None:
    """Audit an action of the current request's user (exports, siting checks)."""
    with connect() as conn:
        users.audit(conn, action, user=getattr(g, "user", None), detail=detail, ip=request.remote_addr)
        conn.commit()


def register(app) -> None:
    app.before_request(guard)
    app.jinja_env.globals["csrf_token"] = csrf_token

"""Logins, API tokens and role-based access — one guard for every blueprint.

* The web UI logs in at ``/login`` (password hashed with werkzeug/scrypt).  A login creates a
  server-side session (``app_session``); the signed, HttpOnly, SameSite=Lax cookie carries only
  its random id and the CSRF token.  Every request looks the session up, so logout, expiry
  (``[auth] session_lifetime_hours``) and disabling a user end it at once in every process.
* Scripts send ``Authorization: Bearer <token>`` (``hazmap user add`` prints the token once).
* Login abuse: failures are counted per account and per client address (backoff, then a
  lockout, audited); password checks run at most ``max_concurrent_password_checks`` at a time
  across all processes (over it: 503 with ``Retry-After``), so a burst of bad logins cannot
  occupy every worker; unknown, disabled and known names cost the same (one scrypt check).
* Login and logout, like every cookie-authenticated POST, need the session's CSRF token.
* What anonymous visitors may see is the setting ``[auth] anonymous_access``: by default nothing
  but ``/login``; when true, the map and the read-only API (no exports, no siting, no OGC).

Roles: operator (everything, ETL, users, audit), planner (map, siting, exports), leader (map,
dashboard), analyst (API, exports, OGC), inspector (检查员: map, enterprise files, and records
assessments, hidden dangers, draws and inspection results).
"""

from __future__ import annotations

import hmac
import secrets
import unicodedata
from urllib.parse import urlsplit

from flask import Blueprint, abort, g, jsonify, redirect, render_template, request, session, url_for

from hazmap import users
from webmap import credentials
from webmap.db import connect, settings

bp = Blueprint("auth", __name__)

ALL = {"operator", "planner", "leader", "analyst", "inspector"}
ASSESSORS = {"operator", "inspector"}  # issue 12: who records assessments, hidden dangers and inspections
RULES = {  # endpoint → roles allowed; API reads not listed here are open to every role
    "riskmap.risk_map": ALL,
    "dashboard.dashboard": {"operator", "leader", "planner"},
    "siting.siting": {"operator", "planner"},
    "api.siting_check": {"operator", "planner"},
    "api.siting_feasible": {"operator", "planner"},
    "basemap.tile": ALL, "basemap.vector": ALL, "tools.search": ALL, "tools.nearby": ALL,
    "tools.coordinates": ALL, "tools.map_summary": ALL, "history.changes": ALL, "history.trends": ALL,
    "printing.map_pdf": ALL, "siting.report_pdf": {"operator", "planner"},
    "consequence.enterprise_consequence": ALL,
    "assessment.enterprise_assessment": ALL, "assessment.assessment_summary": ALL, "assessment.enterprise_history": ALL, "enterprise.enterprise_page": ALL,
    "assessment.enterprise_assessment_post": ASSESSORS, "assessment.hidden_danger_post": ASSESSORS,
    "assessment.hidden_danger_patch": ASSESSORS, "assessment.inspection_draw": ASSESSORS,
    "assessment.inspection_result": ASSESSORS,
}
RULES |= {"waste.manifest_transition": {"operator"}, "waste.enterprise_waste": ALL,  # hazardous waste (issue 16)
          "waste.clearance": {"operator", "leader", "planner"}, "waste.summary": ALL, "waste.legend": ALL}
RULES.update({"transport.summary": {"operator", "leader", "planner"}, "transport.enterprise_transport": ALL})
EXPORT_ROLES = {"operator", "planner", "analyst"}
ANONYMOUS_ENDPOINTS = {  # plus API reads, when anonymous_access is on
    "riskmap.risk_map", "basemap.tile", "basemap.vector", "tools.search", "tools.nearby", "tools.coordinates",
    "tools.map_summary", "history.changes", "history.trends"}
PUBLIC = {"static", "auth.login", "auth.logout", "api.openapi"}  # the API description is not data
SAFE_METHODS = {"GET", "HEAD", "OPTIONS"}
HASH_BUSY_RETRY_S = 2  # what a 503 "too many password checks at once" suggests


def csrf_token() -> str:
    if "csrf" not in session:
        session["csrf"] = secrets.token_urlsafe(24)
    return session["csrf"]


def csrf_ok(sent: str | None) -> bool:
    """The request carries this session's CSRF token (both non-empty and equal)."""
    expected = session.get("csrf")
    return bool(sent) and bool(expected) and hmac.compare_digest(str(sent), str(expected))


def safe_next(value: str | None) -> str:
    """Where to go after login: a same-site relative path, else ``/``.

    Browsers drop tabs and newlines from URLs and read ``\\`` as ``/``, so ``/\\t/evil.example/``
    and ``/\\evil.example`` would leave the site: any control, space or backslash character, a
    leading ``//``, or a scheme or host refuses the value.
    """
    if not value or not value.startswith("/") or value.startswith("//"):
        return "/"
    if any(c == "\\" or c.isspace() or unicodedata.category(c).startswith("C") for c in value):
        return "/"
    parts = urlsplit(value)
    if parts.scheme or parts.netloc:
        return "/"
    return value


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


def may_open(role: str | None, endpoint: str) -> bool:
    """Whether a user of ``role`` may open ``endpoint`` (the pages' menus read this table)."""
    return role in _roles_for(endpoint)


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
            return credentials.user_for(conn, cred, password_check=_throttled_password if settings().basic_password
                                        else None)
    sid = session.get("sid")
    if sid:
        with connect() as conn:
            return users.session_user(conn, sid)  # ended, expired or disabled → None at once
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
            if request.headers.get("X-Requested-With") != "hazmap-page":  # a page's own fetch: no browser prompt
                resp.headers.add("WWW-Authenticate", credentials.CHALLENGE)
            return resp
        return redirect(url_for("auth.login", next=request.full_path if request.query_string else request.path))
    if g.user is not None and g.user["role"] not in _roles_for(endpoint):
        abort(403)
    if request.method not in SAFE_METHODS and not g.via_token and g.user is not None:
        if not csrf_ok(request.headers.get("X-CSRF-Token") or request.form.get("csrf_token")):
            abort(400, description="CSRF 校验失败，请刷新页面后重试")
    return None


def client_address() -> str:
    return request.remote_addr or "?"


def _login_page(error: str | None, nxt: str, status: int = 200, headers: dict | None = None):
    return render_template("login.html", error=error, next=nxt, csrf=csrf_token()), status, headers or {}


def _throttled_password(conn, name: str, password: str) -> dict | None:
    """A password check of HTTP Basic under the login form's throttle and hashing cap (429/503)."""
    from geo.errors import LimitExceeded

    auth = settings().auth
    subjects = {"account": name, "address": client_address()}
    wait = users.login_wait_s(conn, subjects, auth)
    if wait:
        raise LimitExceeded("login_backoff", f"登录失败次数过多，请 {wait} 秒后再试", 429, retry_after_s=wait)
    if not users.take_hash_slot(conn, auth.max_concurrent_password_checks):
        raise LimitExceeded("max_concurrent_password_checks", "登录请求过多，服务器正忙，请稍后重试", 503,
                            retry_after_s=HASH_BUSY_RETRY_S)
    user = users.check_password(conn, name, password)
    if user:
        users.clear_login_failures(conn, name)
    else:
        for lock in users.record_login_failure(conn, subjects, auth):
            users.audit(conn, "login_locked", user={"name": name[:64]}, detail=lock, ip=client_address())
        users.audit(conn, "login_failed", user={"name": name[:64]}, detail={"via": "basic"}, ip=client_address())
    conn.commit()  # the count and the hashing slot, whatever the request does next
    return user


@bp.route("/login", methods=["GET", "POST"])
def login():
    nxt = safe_next(request.values.get("next"))
    if request.method != "POST":
        return _login_page(None, nxt)
    if not csrf_ok(request.form.get("csrf_token")):
        return _login_page("表单已过期，请重试", nxt, 400)
    auth = settings().auth
    name = request.form.get("name", "").strip()
    subjects = {"account": name, "address": client_address()}
    with connect() as conn:
        wait = users.login_wait_s(conn, subjects, auth)
        if wait:
            return _login_page(f"登录失败次数过多，请 {wait} 秒后再试", nxt, 429, {"Retry-After": str(wait)})
        if not users.take_hash_slot(conn, auth.max_concurrent_password_checks):
            return _login_page("登录请求过多，服务器正忙，请稍后重试", nxt, 503,
                               {"Retry-After": str(HASH_BUSY_RETRY_S)})
        user = users.check_password(conn, name, request.form.get("password", ""))
        if user:
            users.clear_login_failures(conn, name)
            sid = users.start_session(conn, user["name"], lifetime_hours=auth.session_lifetime_hours,
                                      ip=client_address())
            users.audit(conn, "login", user=user, ip=client_address())
        else:
            locks = users.record_login_failure(conn, subjects, auth)
            users.audit(conn, "login_failed", user={"name": name[:64]}, ip=client_address())
            for lock in locks:
                users.audit(conn, "login_locked", user={"name": name[:64]}, detail=lock, ip=client_address())
        conn.commit()  # ends the transaction: the hashing slot is free again
    if not user:
        return _login_page("用户名或密码错误", nxt)
    session.clear()
    session.permanent = True  # the cookie lasts as long as the server-side session
    session["sid"] = sid
    csrf_token()
    return redirect(nxt)


@bp.post("/logout")
def logout():
    if not csrf_ok(request.form.get("csrf_token") or request.headers.get("X-CSRF-Token")):
        abort(400, description="CSRF 校验失败，请刷新页面后重试")
    sid = session.get("sid")
    if sid:
        with connect() as conn:
            users.end_session(conn, sid)  # the old cookie stops working now, wherever it is
            conn.commit()
    session.clear()
    return redirect(url_for("auth.login"))


def record(action: str, detail: dict) -> None:
    """Audit an action of the current request's user (exports, siting checks)."""
    with connect() as conn:
        users.audit(conn, action, user=getattr(g, "user", None), detail=detail, ip=client_address())
        conn.commit()


def register(app) -> None:
    users.prepare_dummy_hash()  # equal timing from the first login on
    app.before_request(guard)
    app.jinja_env.globals["csrf_token"] = csrf_token

"""Users, roles, API tokens and the audit log (framework-neutral; used by the CLI and the app).

Passwords are hashed with werkzeug.security (scrypt); API tokens are random, shown once, and
stored only as their SHA-256.
"""

from __future__ import annotations

import hashlib
import json
import secrets

import sqlalchemy as sa
from werkzeug.security import check_password_hash, generate_password_hash

from geo.errors import InvalidInput

ROLES = ("operator", "planner", "leader", "analyst")
ROLE_LABEL = {"operator": "运维（ETL、配置、用户）", "planner": "规划（地图、选址、导出）",
              "leader": "领导（地图、看板）", "analyst": "分析（API、导出）"}


def _token_hash(token: str) -> str:
    return hashlib.sha256(token.encode("utf-8")).hexdigest()


def add_user(conn: sa.Connection, name: str, role: str, password: str | None = None, *,
             by: dict | None = None) -> dict:
    """Create a user; returns its password (generated if not given) and API token — shown once."""
    name = (name or "").strip()
    if not name or len(name) > 64:
        raise InvalidInput("name", "用户名应为 1–64 个字符")
    if role not in ROLES:
        raise InvalidInput("role", f"未知角色 {role}（可用：{'、'.join(ROLES)}）")
    if conn.execute(sa.text("select 1 from app_user where name = :n"), {"n": name}).first():
        raise InvalidInput("name", f"用户 {name} 已存在")
    password = password or secrets.token_urlsafe(12)
    token = "hzm_" + secrets.token_urlsafe(32)
    conn.execute(sa.text("""insert into app_user (name, role, password_hash, token_hash)
                            values (:n, :r, :p, :t)"""),
                 {"n": name, "r": role, "p": generate_password_hash(password), "t": _token_hash(token)})
    audit(conn, "user_add", user=by, detail={"name": name, "role": role})
    return {"name": name, "role": role, "password": password, "token": token}


def list_users(conn: sa.Connection) -> list[dict]:
    return [dict(r._mapping) for r in conn.execute(sa.text(
        "select name, role, disabled, created_at, last_login_at from app_user order by name"))]


def set_disabled(conn: sa.Connection, name: str, disabled: bool = True, *, by: dict | None = None) -> None:
    n = conn.execute(sa.text("update app_user set disabled = :d where name = :n"), {"d": disabled, "n": name}).rowcount
    if not n:
        raise InvalidInput("name", f"用户 {name} 不存在")
    audit(conn, "user_disable" if disabled else "user_enable", user=by, detail={"name": name})


def enable_user(conn: sa.Connection, name: str, *, by: dict | None = None) -> None:
    """Let a disabled user log in again (password and token as before)."""
    set_disabled(conn, name, False, by=by)


def reset_token(conn: sa.Connection, name: str, *, by: dict | None = None) -> str:
    """A new API token for ``name`` (the old one stops working at once); returned once."""
    token = "hzm_" + secrets.token_urlsafe(32)
    n = conn.execute(sa.text("update app_user set token_hash = :t where name = :n"),
                     {"t": _token_hash(token), "n": name}).rowcount
    if not n:
        raise InvalidInput("name", f"用户 {name} 不存在")
    audit(conn, "user_reset_token", user=by, detail={"name": name})
    return token


def check_password(conn: sa.Connection, name: str, password: str) -> dict | None:
    r = conn.execute(sa.text("select name, role, password_hash, disabled from app_user where name = :n"),
                     {"n": name}).first()
    if r is None or r.disabled or not check_password_hash(r.password_hash, password or ""):
        return None
    conn.execute(sa.text("update app_user set last_login_at = now() where name = :n"), {"n": name})
    return {"name": r.name, "role": r.role}


def by_token(conn: sa.Connection, token: str) -> dict | None:
    r = conn.execute(sa.text("select name, role from app_user where token_hash = :t and not disabled"),
                     {"t": _token_hash(token)}).first()
    return {"name": r.name, "role": r.role} if r else None


def active(conn: sa.Connection, name: str) -> dict | None:
    r = conn.execute(sa.text("select name, role from app_user where name = :n and not disabled"), {"n": name}).first()
    return {"name": r.name, "role": r.role} if r else None


def audit(conn: sa.Connection, action: str, *, user: dict | None, detail: dict | None = None,
          ip: str | None = None) -> None:
    conn.execute(sa.text("""insert into audit_log (user_name, role, action, detail, ip)
                            values (:u, :r, :a, cast(:d as jsonb), :ip)"""),
                 {"u": (user or {}).get("name"), "r": (user or {}).get("role"), "a": action,
                  "d": json.dumps(detail or {}, ensure_ascii=False, default=str), "ip": ip})


def search_audit(conn: sa.Connection, *, text: str | None = None, action: str | None = None,
                 user_name: str | None = None, limit: int = 50, offset: int = 0) -> tuple[list[dict], int]:
    """A page of the audit log, newest first, and the number of matching entries.

    ``text`` matches the user, the address or any value in the details (literal substring)."""
    where, p = "true", {"l": limit, "o": offset}
    if text:
        where += " and (strpos(coalesce(user_name, ''), :q) > 0 or strpos(coalesce(ip, ''), :q) > 0" \
                 " or strpos(detail::text, :q) > 0)"
        p["q"] = text
    if action:
        where += " and action = :a"
        p["a"] = action
    if user_name:
        where += " and user_name = :u"
        p["u"] = user_name
    rows = [dict(r._mapping) for r in conn.execute(sa.text(
        f"select at, user_name, role, action, detail, ip, count(*) over () as total from audit_log "
        f"where {where} order by id desc limit :l offset :o"), p)]
    total = rows[0]["total"] if rows else conn.execute(sa.text(f"select count(*) from audit_log where {where}"), p).scalar()
    return rows, total

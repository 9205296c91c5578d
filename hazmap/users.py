"""Users, roles, API tokens, login sessions and the audit log (framework-neutral; used by the CLI
and the app).

Passwords are hashed with werkzeug.security (scrypt); API tokens and session ids are random,
given out once, and stored only as their SHA-256.  A password check does the same work whether
the name is unknown, disabled or known (one scrypt verification each), so its duration does not
tell which names exist.
"""

from __future__ import annotations

import datetime as dt
import functools
import hashlib
import json
import secrets

import sqlalchemy as sa
from werkzeug.security import check_password_hash, generate_password_hash

from geo.errors import InvalidInput

ROLES = ("operator", "planner", "leader", "analyst", "inspector")
ROLE_LABEL = {"operator": "运维（ETL、配置、用户）", "planner": "规划（地图、选址、导出）",
              "leader": "领导（地图、看板）", "analyst": "分析（API、导出）"}


def _token_hash(token: str) -> str:
    return hashlib.sha256(token.encode("utf-8")).hexdigest()


def check_password_policy(name: str, password: str, *, min_length: int) -> None:
    """The password policy for chosen passwords: at least ``min_length`` characters, and not the
    user name (nor containing it).  Raises :class:`InvalidInput` naming ``password``."""
    if len(password) < min_length:
        raise InvalidInput("password", f"密码至少应有 {min_length} 个字符（实际 {len(password)} 个）")
    if name and name.strip().casefold() in password.casefold():
        raise InvalidInput("password", "密码不能是用户名，也不能包含用户名")


def add_user(conn: sa.Connection, name: str, role: str, password: str | None = None, *,
             min_password_length: int | None = None, by: dict | None = None) -> dict:
    """Create a user; returns its password (generated if not given) and API token — shown once.

    A given password is checked against :func:`check_password_policy` when
    ``min_password_length`` is set (``hazmap user add`` passes ``[auth] min_password_length``).
    """
    name = (name or "").strip()
    if not name or len(name) > 64:
        raise InvalidInput("name", "用户名应为 1–64 个字符")
    if role not in ROLES:
        raise InvalidInput("role", f"未知角色 {role}（可用：{'、'.join(ROLES)}）")
    if password is not None and min_password_length is not None:
        check_password_policy(name, password, min_length=min_password_length)
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
    if disabled:  # their sessions end now (the guard would refuse them anyway)
        conn.execute(sa.text("delete from app_session where user_id = (select id from app_user where name = :n)"),
                     {"n": name})
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


@functools.cache
def _dummy_hash() -> str:
    """A hash of a random password, made like the real ones: unknown names cost one scrypt check too."""
    return generate_password_hash(secrets.token_urlsafe(16))


def prepare_dummy_hash() -> None:
    """Build the dummy hash now (the web app does at registration), so a process's first unknown
    name costs one scrypt check like every other login, not a hash generation as well."""
    _dummy_hash()


def check_password(conn: sa.Connection, name: str, password: str) -> dict | None:
    """The user when ``password`` is theirs and they are enabled; None otherwise (same work either way)."""
    r = conn.execute(sa.text("select name, role, password_hash, disabled from app_user where name = :n"),
                     {"n": name}).first()
    ok = check_password_hash(r.password_hash if r is not None else _dummy_hash(), password or "")
    if r is None or r.disabled or not ok:
        return None
    conn.execute(sa.text("update app_user set last_login_at = now() where name = :n"), {"n": name})
    return {"name": r.name, "role": r.role}


# ---- server-side sessions -------------------------------------------------------------------

def start_session(conn: sa.Connection, name: str, *, lifetime_hours: float, ip: str | None = None) -> str:
    """Record a new login session of user ``name``; returns the session id for the cookie (once)."""
    sid = secrets.token_urlsafe(32)
    conn.execute(sa.text("delete from app_session where expires_at < now()"))  # expired ones, as we go
    conn.execute(sa.text("""insert into app_session (sid_hash, user_id, expires_at, ip)
                            select :h, id, now() + make_interval(secs => :s), :ip from app_user where name = :n"""),
                 {"h": _token_hash(sid), "s": float(lifetime_hours) * 3600.0, "ip": ip, "n": name})
    return sid


def session_user(conn: sa.Connection, sid: str) -> dict | None:
    """The enabled user of a live (not ended, not expired) session, else None."""
    r = conn.execute(sa.text("""select u.name, u.role from app_session s join app_user u on u.id = s.user_id
                                where s.sid_hash = :h and s.expires_at > now() and not u.disabled"""),
                     {"h": _token_hash(sid)}).first()
    return {"name": r.name, "role": r.role} if r else None


def end_session(conn: sa.Connection, sid: str) -> None:
    conn.execute(sa.text("delete from app_session where sid_hash = :h"), {"h": _token_hash(sid)})


def shared_secret(conn: sa.Connection, name: str) -> str:
    """A random secret generated once and kept in ``app_secret`` (the same for every process)."""
    conn.execute(sa.text("insert into app_secret (name, value) values (:n, :v) on conflict (name) do nothing"),
                 {"n": name, "v": secrets.token_hex(32)})
    return conn.execute(sa.text("select value from app_secret where name = :n"), {"n": name}).scalar_one()


# ---- login throttling -----------------------------------------------------------------------

def login_wait_s(conn: sa.Connection, subjects: dict[str, str], auth) -> int:
    """Seconds before another login may be tried for these ``{scope: subject}`` (0: now).

    A locked subject waits until its lock ends; after ``auth.login_backoff_after`` recent
    failures each further try waits 1, 2, 4 … s (at most ``auth.login_backoff_max_s``) after the
    last failure.  Failures older than ``auth.login_lockout_minutes`` no longer count.
    """
    rows = conn.execute(sa.text("""
        select failures, last_failure_at, locked_until, now() as now from login_throttle
        where (scope, subject) in (select * from unnest(cast(:scopes as text[]), cast(:subjects as text[])))"""),
        {"scopes": list(subjects), "subjects": [v[:128] for v in subjects.values()]}).all()
    wait = 0.0
    window = dt.timedelta(minutes=auth.login_lockout_minutes)
    for r in rows:
        if r.locked_until and r.locked_until > r.now:
            wait = max(wait, (r.locked_until - r.now).total_seconds())
        elif r.now - r.last_failure_at < window and r.failures >= auth.login_backoff_after:
            delay = min(2.0 ** (r.failures - auth.login_backoff_after), auth.login_backoff_max_s)
            wait = max(wait, (r.last_failure_at + dt.timedelta(seconds=delay) - r.now).total_seconds())
    return int(-(-wait // 1)) if wait > 0 else 0  # whole seconds, rounded up


def record_login_failure(conn: sa.Connection, subjects: dict[str, str], auth) -> list[dict]:
    """Count a failed login for each ``{scope: subject}``; returns the locks it started (to audit)."""
    thresholds = {"account": auth.login_lockout_account, "address": auth.login_lockout_address}
    conn.execute(sa.text("""delete from login_throttle where last_failure_at < now() - make_interval(mins => :w)
                            and (locked_until is null or locked_until < now())"""),
                 {"w": auth.login_lockout_minutes})
    locks = []
    for scope, subject in subjects.items():
        r = conn.execute(sa.text("""
            insert into login_throttle as t (scope, subject, failures, last_failure_at)
            values (:scope, :subject, 1, now())
            on conflict (scope, subject) do update set
                failures = case when t.last_failure_at < now() - make_interval(mins => :w) then 1
                                else t.failures + 1 end,
                last_failure_at = now()
            returning failures"""), {"scope": scope, "subject": subject[:128], "w": auth.login_lockout_minutes}).one()
        if r.failures >= thresholds[scope]:
            until = conn.execute(sa.text("""
                update login_throttle set locked_until = now() + make_interval(mins => :w)
                where scope = :scope and subject = :subject returning locked_until"""),
                {"scope": scope, "subject": subject[:128], "w": auth.login_lockout_minutes}).scalar_one()
            locks.append({"scope": scope, "subject": subject[:128], "failures": r.failures,
                          "locked_until": until.isoformat(timespec="seconds")})
    return locks


def clear_login_failures(conn: sa.Connection, name: str) -> None:
    """A successful login clears its account's count (an address's count runs out by itself)."""
    conn.execute(sa.text("delete from login_throttle where scope = 'account' and subject = :s"), {"s": name[:128]})


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


# advisory-lock class of the password-hashing slots ("hzl"); the run lock uses the one-key form
HASH_SLOT_CLASS = 0x687A6C


def take_hash_slot(conn: sa.Connection, slots: int) -> bool:
    """Take one of ``slots`` password-hashing slots until this transaction ends; False if all are busy.

    The slots are PostgreSQL advisory locks, so the cap holds across every server process (a
    gunicorn sync worker hashing a password serves nothing else meanwhile).
    """
    start = secrets.randbelow(slots)
    for i in range(slots):
        if conn.execute(sa.text("select pg_try_advisory_xact_lock(:c, :k)"),
                        {"c": HASH_SLOT_CLASS, "k": (start + i) % slots}).scalar():
            return True
    return False

"""The operator console: runs with per-file counts and their rejected rows (viewed in the
browser, downloaded as CSV), user management (add, disable, enable, reset token — POST forms
with the CSRF token) and the audit log (searchable, paged, Beijing time, Chinese action names
and readable details).  Operators only (the access table in :mod:`webmap.auth`).
"""

from __future__ import annotations

import csv
import io
import json
from pathlib import Path
from zoneinfo import ZoneInfo

import sqlalchemy as sa
from flask import Blueprint, Response, g, redirect, request, url_for

from geo import params
from geo.errors import InvalidInput, NotFound
from hazmap import users
from hazmap.export import csv_safe
from geo.postgis.runs import run_lock_held
from webmap import labels
from webmap.db import connect, domain
from webmap.pages import render_page

bp = Blueprint("console", __name__)
BEIJING = ZoneInfo("Asia/Shanghai")
PAGE_SIZE = 50
REJECT_COLUMNS = ("源文件", "行号", "字段", "值", "原因", "级别")  # 级别 错误/警告 (older files: none)
COUNT_LABEL = {"read": "读取", "inserted": "新增", "updated": "更新", "unchanged": "未变", "removed": "移除",
               "rejected": "拒收", "warnings": "警告", "expired_licences": "许可证过期"}


def beijing(ts) -> str:
    return ts.astimezone(BEIJING).strftime("%Y-%m-%d %H:%M:%S") if ts else "—"


def _run(conn, run_id: int):
    r = conn.execute(sa.text("select * from run where id = :id"), {"id": run_id}).first()
    if r is None:
        raise NotFound(f"运行 #{run_id} 不存在")
    return r


def read_rejects(path: str | None) -> list[dict]:
    """The rows of a run's rejects file (UTF-8 with BOM; 源文件, 行号, 字段, 值, 原因)."""
    if not path or not Path(path).is_file():
        return []
    with open(path, encoding="utf-8-sig", newline="") as f:
        return [dict(row) for row in csv.DictReader(f)]


def _file_rows(r, rejects: list[dict]) -> list[dict]:
    files = r.files if isinstance(r.files, list) else []
    counts = r.counts if isinstance(r.counts, dict) else {}
    by_file: dict[str, int] = {}
    for row in rejects:
        if row.get("级别") == "警告":  # loaded with a warning, not rejected
            continue
        by_file[row.get("源文件", "")] = by_file.get(row.get("源文件", ""), 0) + 1
    out = []
    for f in files:
        kind_counts = counts.get(f.get("kind"), {}) if isinstance(counts.get(f.get("kind")), dict) else {}
        out.append({"kind": labels.KIND_LABEL.get(f.get("kind"), f.get("kind") or "—"), "file": f.get("file"),
                    "rows": f.get("rows"), "rejected": by_file.get(f.get("file"), 0),
                    "kind_counts": "；".join(f"{label} {kind_counts[k]:,}" for k, label in COUNT_LABEL.items()
                                            if isinstance(kind_counts.get(k), int))})
    return out


@bp.get("/console")
def runs():
    page = params.integer(request.args.get("page"), "page", default=1, minimum=1, maximum=100_000)
    with connect() as conn:
        rows = conn.execute(sa.text("select *, count(*) over () as total from run order by id desc limit :l offset :o"),
                            {"l": PAGE_SIZE, "o": (page - 1) * PAGE_SIZE}).all()
        live = any(r.status == "running" for r in rows) and run_lock_held(conn)
    out = []
    for r in rows:
        rejects = read_rejects(r.rejects_path)
        status = "interrupted" if r.status == "running" and not live else r.status  # no process behind it
        refresh = (r.counts or {}).get("refresh") if isinstance(r.counts, dict) else None
        out.append({"id": r.id, "kind": labels.RUN_KIND_LABEL.get(r.kind, r.kind),
                    "status": labels.RUN_STATUS_LABEL.get(status, status), "status_code": status,
                    "started": beijing(r.started_at), "finished": beijing(r.finished_at),
                    "files": _file_rows(r, rejects), "rejects": len(rejects),
                    "message": r.message if r.status == "succeeded" else _failure_text(r),
                    "refresh": "；".join(f"{label} {refresh[k]:,}" for k, label in labels.REFRESH_COUNT_LABEL.items()
                                         if isinstance(refresh.get(k), int)) if isinstance(refresh, dict) else None})
    total = rows[0].total if rows else 0
    return render_page("console_runs.html", page="console", title="数据运行 — 运维控制台", runs=out, page_no=page,
                       pages=max(1, -(-total // PAGE_SIZE)), total=total)


def _failure_text(r) -> str | None:
    """A failed run's message for the page: its first line, never SQL or row data."""
    if not r.message:
        return None
    first = str(r.message).splitlines()[0]
    return first if not any(w in first.lower() for w in ("select ", "insert ", "update ", "sqlstate", "traceback")) \
        else "运行失败（详情见服务器日志）"


@bp.get("/console/runs/<int:run_id>/rejects")
def rejects(run_id: int):
    page = params.integer(request.args.get("page"), "page", default=1, minimum=1, maximum=1_000_000)
    with connect() as conn:
        r = _run(conn, run_id)
    rows = read_rejects(r.rejects_path)
    part = rows[(page - 1) * PAGE_SIZE: page * PAGE_SIZE]
    return render_page("console_rejects.html", page="console", title=f"运行 #{run_id} 的拒收记录", run_id=run_id,
                       rows=part, total=len(rows), page_no=page, pages=max(1, -(-len(rows) // PAGE_SIZE)),
                       columns=REJECT_COLUMNS)


@bp.get("/console/runs/<int:run_id>/rejects.csv")
def rejects_csv(run_id: int):
    with connect() as conn:
        r = _run(conn, run_id)
        users.audit(conn, "rejects_download", user=g.user, detail={"run_id": run_id}, ip=request.remote_addr)
        conn.commit()
    buf = io.StringIO()
    buf.write("\ufeff")
    w = csv.writer(buf, lineterminator="\r\n")
    w.writerow(REJECT_COLUMNS)
    for row in read_rejects(r.rejects_path):
        w.writerow([csv_safe(row.get(c)) for c in REJECT_COLUMNS])
    return Response(buf.getvalue(), content_type="text/csv; charset=utf-8",
                    headers={"Content-Disposition": f"attachment; filename=rejects-{run_id}.csv"})


@bp.get("/console/users")
def users_page(created: dict | None = None, token: dict | None = None, error: str | None = None):
    with connect() as conn:
        rows = users.list_users(conn)
    for u in rows:
        u["role_label"] = labels.ROLE_LABEL.get(u["role"], u["role"])
        u["created"] = beijing(u["created_at"])
        u["last_login"] = beijing(u["last_login_at"])
    return render_page("console_users.html", page="console", title="用户管理 — 运维控制台", users=rows,
                       roles=labels.ROLE_LABEL, created=created, token=token, error=error)


@bp.post("/console/users")
def add_user():
    try:
        with connect() as conn:
            created = users.add_user(conn, request.form.get("name", ""), request.form.get("role", ""), by=g.user)
            conn.commit()
    except InvalidInput as exc:
        return users_page(error=exc.message), 400
    return users_page(created=created)


@bp.post("/console/users/<name>/<action>")
def user_action(name: str, action: str):
    if action not in ("disable", "enable", "reset-token"):
        raise NotFound("不支持的操作")
    if action == "disable" and name == g.user["name"]:
        return users_page(error="不能停用当前登录的账号"), 400
    try:
        with connect() as conn:
            token = None
            if action == "disable":
                users.set_disabled(conn, name, True, by=g.user)
            elif action == "enable":
                users.enable_user(conn, name, by=g.user)
            else:
                token = users.reset_token(conn, name, by=g.user)
            conn.commit()
    except InvalidInput as exc:
        return users_page(error=exc.message), 400
    if token:
        return users_page(token={"name": name, "token": token})
    return redirect(url_for("console.users_page"), code=303)


def _value(key: str, v) -> str:
    if isinstance(v, bool):
        return labels.DETAIL_VALUE_LABEL.get(key, {}).get(v, "是" if v else "否")
    if isinstance(v, dict):
        if key == "location" and "lon" in v:
            return f"经度 {v['lon']}，纬度 {v.get('lat')}"
        return "，".join(f"{labels.DETAIL_KEY_LABEL.get(k, k)} {_value(k, x)}" for k, x in v.items() if x not in (None, "", [], {}))
    if isinstance(v, list):
        return "、".join(_value(key, x) for x in v)
    if isinstance(v, str):
        if key in ("risk", "risk_color"):
            return domain().vocabulary.colour_label.get(v, v)
        return labels.DETAIL_VALUE_LABEL.get(key, {}).get(v, v)
    return f"{v:,}" if isinstance(v, int) and not isinstance(v, bool) else str(v)


def detail_text(detail) -> str:
    """Audit details as a readable Chinese line: ``图层：涉危企业；格式：CSV 表格；筛选条件：风险颜色 重大风险``."""
    if not isinstance(detail, dict):
        return ""
    return "；".join(f"{labels.DETAIL_KEY_LABEL.get(k, k)}：{_value(k, v)}" for k, v in detail.items()
                    if v not in (None, "", [], {}))


def user_text(name: str | None) -> str:
    """``cli:root`` (a command run on the server) → ``命令行（root）``."""
    if name and name.startswith("cli:"):
        return f"命令行（{name[4:]}）"
    return name or "—"


@bp.get("/console/audit")
@bp.get("/audit")  # the address operators know from before
def audit():
    a = request.args
    page = params.integer(a.get("page"), "page", default=1, minimum=1, maximum=1_000_000)
    q = params.text(a.get("q"), "q", max_len=100)
    action = params.text(a.get("action"), "action", max_len=32)
    with connect() as conn:
        rows, total = users.search_audit(conn, text=q, action=action, limit=PAGE_SIZE, offset=(page - 1) * PAGE_SIZE)
    for r in rows:
        r["when"] = beijing(r["at"])
        r["action_label"] = labels.AUDIT_ACTION_LABEL.get(r["action"], r["action"])
        r["role_label"] = labels.ROLE_LABEL.get(r["role"], r["role"] or "")
        r["detail_text"] = detail_text(r["detail"])
        r["user_text"] = user_text(r["user_name"])
    return render_page("console_audit.html", page="console", title="审计日志 — 运维控制台", rows=rows, total=total,
                       page_no=page, pages=max(1, -(-total // PAGE_SIZE)), q=q or "", action=action or "",
                       actions=labels.AUDIT_ACTION_LABEL)

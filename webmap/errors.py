"""The one place that maps errors to HTTP: JSON under /api and /ogc, a Chinese page elsewhere.

Every error body is Chinese; 405 carries ``Allow``, 429 and 503 carry ``Retry-After``.  A
database that is down, slow to connect, or whose pool is exhausted is a 503 (try again), never
a 500; a statement over ``statement_timeout_ms`` is a named 400 (ask for less).
"""

from __future__ import annotations

import logging
import re

import sqlalchemy as sa
from flask import Flask, g, jsonify, render_template, request
from werkzeug.exceptions import HTTPException

from geo.errors import HazmapError, InvalidInput

log = logging.getLogger("hazmap.web")

_TITLES = {400: "请求有误", 401: "需要登录", 403: "无权访问", 404: "未找到", 405: "请求方法不支持",
           413: "请求过大", 429: "请求过于频繁", 500: "服务器错误", 503: "服务暂不可用"}
_MESSAGES = {400: "请求有误", 401: "需要登录",
             403: "您的账号无权打开此页面或执行此操作；如确需使用，请联系系统运维人员开通。", 404: "请求的资源不存在",
             405: "不支持该请求方法", 413: "请求体超过上限（max_request_body_bytes）",
             414: "请求地址过长", 415: "不支持的请求内容类型", 429: "请求过于频繁，请稍后重试",
             431: "请求头过大", 500: "服务器处理请求时出错，请稍后重试；如反复出现请联系系统运维人员。",
             503: "服务暂不可用，请稍后重试"}
_CJK = re.compile(r"[\u4e00-\u9fff]")
DB_RETRY_AFTER_S = 5  # what a 503 for an unavailable database suggests


def respond(status: int, field: str | None, message: str, headers: dict | None = None):
    """An error response: JSON under /api and /ogc, a Chinese page elsewhere."""
    if request.path.startswith(("/api/", "/ogc", "/tiles/")):
        resp = jsonify({"error": {"field": field, "message": message}})
    else:
        resp = _page(status, message)
    return resp, status, headers or {}


def _page(status: int, message: str) -> str:
    """The Chinese error page; a bare one when the request is too broken to build links (a
    refused Host header leaves no URL adapter, so neither the menu nor the static links exist)."""
    from markupsafe import escape
    from werkzeug.routing import BuildError

    from webmap.pages import menu

    title = _TITLES.get(status, "错误")
    try:
        return render_template("error.html", title=title, message=message, menu=menu(getattr(g, "user", None)))
    except (AttributeError, RuntimeError, BuildError):
        return (f'<!doctype html><html lang="zh-CN"><meta charset="utf-8"><title>{escape(title)}</title>'
                f"<h1>{escape(title)}</h1><p>{escape(message)}</p></html>")


def _timed_out(exc) -> bool:
    return "statement timeout" in str(exc) or "canceling statement" in str(exc)


def _timeout():
    # a named limit, like the others: a clear 400 asking for a smaller request, never a 5xx
    return respond(400, "statement_timeout_ms", "查询超过时间上限（statement_timeout_ms），请缩小范围或增加筛选条件")


def _unavailable(exc, what: str):
    log.warning("database unavailable (%s): %s", what, exc)
    return respond(503, None, "数据库暂不可用，请稍后重试", {"Retry-After": str(DB_RETRY_AFTER_S)})


def register(app: Flask) -> None:
    @app.errorhandler(InvalidInput)
    def _invalid(exc: InvalidInput):
        return respond(400, exc.field, exc.message)

    @app.errorhandler(HazmapError)
    def _hazmap(exc: HazmapError):
        headers = {}
        retry = getattr(exc, "retry_after_s", None)
        if exc.status in (429, 503):
            headers["Retry-After"] = str(retry or 60)
        return respond(exc.status, getattr(exc, "limit", None), exc.message, headers)

    @app.errorhandler(HTTPException)
    def _http(exc: HTTPException):
        code = exc.code or 500
        description = exc.description or ""
        msg = description if _CJK.search(description) else _MESSAGES.get(code, "请求无法处理")
        headers = {k: v for k, v in exc.get_headers() if k in ("Allow", "Retry-After", "WWW-Authenticate")}
        if code in (429, 503) and "Retry-After" not in headers:
            headers["Retry-After"] = "60"
        return respond(code, None, msg, headers)

    @app.errorhandler(sa.exc.TimeoutError)
    def _pool_exhausted(exc):
        # every pooled connection busy for longer than [database] pool_timeout_s
        return _unavailable(exc, "pool exhausted")

    @app.errorhandler(sa.exc.OperationalError)
    def _db_down(exc):
        if _timed_out(exc):  # psycopg's QueryCanceled is an OperationalError too
            return _timeout()
        return _unavailable(exc, "operational error")

    @app.errorhandler(sa.exc.DataError)
    def _bad_value(exc):
        # a value PostgreSQL refuses (out of range, bad encoding…) came from the request: bad input,
        # not a server fault.  The parsers should catch these first; this is the safety net.
        log.warning("value refused by the database: %s", exc.orig)
        return respond(400, None, "参数值无效或超出范围")

    @app.errorhandler(sa.exc.DBAPIError)
    def _db_error(exc):
        if _timed_out(exc):
            return _timeout()
        if exc.connection_invalidated or isinstance(exc, sa.exc.InterfaceError):
            return _unavailable(exc, "connection lost")
        log.exception("database error")
        return respond(500, None, "数据库错误")

    @app.errorhandler(Exception)
    def _unexpected(exc):
        # a bug: logged with its traceback for the operators, a Chinese line for the user
        log.exception("unhandled error")
        return respond(500, None, "服务器内部错误")

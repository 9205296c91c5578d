"""The one place that maps errors to HTTP: JSON under /api, a Chinese page elsewhere."""

from __future__ import annotations

import logging

import sqlalchemy as sa
from flask import Flask, jsonify, render_template_string, request
from werkzeug.exceptions import HTTPException

from geo.errors import HazmapError, InvalidInput

log = logging.getLogger("hazmap.web")

_PAGE = """<!doctype html><html lang="zh-CN"><meta charset="utf-8"><title>{{ title }}</title>
<body style="font-family:sans-serif;padding:2em"><h1>{{ title }}</h1><p>{{ message }}</p>
<p><a href="/">返回风险地图</a></p></body></html>"""

_TITLES = {400: "请求有误", 404: "未找到", 413: "请求过大", 429: "请求过于频繁", 500: "服务器错误",
           503: "服务暂不可用"}


def _respond(status: int, field: str | None, message: str):
    if request.path.startswith(("/api/", "/ogc", "/tiles/")):
        body = {"error": {"field": field, "message": message}}
        return jsonify(body), status
    return render_template_string(_PAGE, title=_TITLES.get(status, "错误"), message=message), status


def _timed_out(exc) -> bool:
    return "statement timeout" in str(exc) or "canceling statement" in str(exc)


def _timeout():
    # a named limit, like the others: a clear 400 asking for a smaller request, never a 5xx
    return _respond(400, "statement_timeout_ms", "查询超过时间上限（statement_timeout_ms），请缩小范围或增加筛选条件")


def register(app: Flask) -> None:
    @app.errorhandler(InvalidInput)
    def _invalid(exc: InvalidInput):
        return _respond(400, exc.field, exc.message)

    @app.errorhandler(HazmapError)
    def _hazmap(exc: HazmapError):
        return _respond(exc.status, getattr(exc, "limit", None), exc.message)

    @app.errorhandler(HTTPException)
    def _http(exc: HTTPException):
        msg = {404: "请求的资源不存在", 405: "不支持该请求方法", 413: "请求体超过上限（max_request_body_bytes）"}.get(
            exc.code, exc.description or "")
        return _respond(exc.code or 500, None, msg)

    @app.errorhandler(sa.exc.OperationalError)
    def _db_down(exc):
        if _timed_out(exc):  # psycopg's QueryCanceled is an OperationalError too
            return _timeout()
        log.warning("database unavailable: %s", exc)
        return _respond(503, None, "数据库暂不可用，请稍后重试")

    @app.errorhandler(sa.exc.DataError)
    def _bad_value(exc):
        # a value PostgreSQL refuses (out of range, bad encoding…) came from the request: bad input,
        # not a server fault.  The parsers should catch these first; this is the safety net.
        log.warning("value refused by the database: %s", exc.orig)
        return _respond(400, None, "参数值无效或超出范围")

    @app.errorhandler(sa.exc.DBAPIError)
    def _db_error(exc):
        if _timed_out(exc):
            return _timeout()
        log.exception("database error")
        return _respond(500, None, "数据库错误")

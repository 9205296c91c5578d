"""Request input checked once, at the root: one JSON parser for every body, one guard for every
query string and Host header.  Bad input is a 400 naming what is wrong, never a 5xx.

* JSON bodies: the app's JSON provider parses with :func:`hazmap.jsonbody.loads_checked`, so
  every ``request.get_json()`` refuses non-UTF-8 text, nesting beyond ``[limits] max_json_depth``,
  ``NaN``/``Infinity``, out-of-range numbers, lone surrogates and NUL.
* Query strings (:func:`check_query`): valid UTF-8 (werkzeug decodes them strictly), no NUL.
* Host (:func:`check_host`): DNS labels of 1–63 characters, at most 253 in all, valid IDNA —
  external links (OGC ``links``) are built from it.
"""

from __future__ import annotations

from flask import request
from flask.json.provider import DefaultJSONProvider

from geo.errors import InvalidInput
from hazmap.jsonbody import loads_checked


class CheckedJSONProvider(DefaultJSONProvider):
    """Flask's JSON provider, parsing with :func:`loads_checked` (``request.get_json`` everywhere)."""

    def loads(self, s: str | bytes, **kwargs):
        return loads_checked(s, max_depth=self._app.config["HAZMAP_SETTINGS"].limits.max_json_depth)


def check_query() -> None:
    """``before_request``: the query string is valid UTF-8 and holds no NUL (one check for all routes)."""
    try:
        args = request.args
    except UnicodeDecodeError as exc:
        raise InvalidInput("query", f"查询参数不是有效的 UTF-8（第 {exc.start} 字节）") from None
    for name, value in args.items(multi=True):
        if "\x00" in value or "\x00" in name:
            raise InvalidInput(name, f"参数 {name} 含非法字符（NUL）")


def check_host() -> None:
    """``before_request``: a Host header, when sent, is a valid host name (or address) and port."""
    raw = request.headers.get("Host")
    if raw is None:
        return
    host = request.host  # werkzeug: "" when the header holds characters a host cannot have
    name = host.rsplit(":", 1)[0] if not host.startswith("[") else ""
    ok = bool(host) and len(name) <= 253
    if ok and name:
        labels = name.removesuffix(".").split(".")
        ok = all(1 <= len(label) <= 63 for label in labels)
        try:
            name.encode("idna").decode("idna")
        except UnicodeError:
            ok = False
    if not ok:
        raise InvalidInput("Host", "请求头 Host 无效（主机名每段 1–63 个字符，总长不超过 253）")


def register(app) -> None:
    app.json = CheckedJSONProvider(app)
    app.json.ensure_ascii = False
    funcs = app.before_request_funcs.setdefault(None, [])
    funcs[:0] = [check_host, check_query]  # before the access guard, which reads the query

"""The hazmap web app (Flask): the four-colour risk map, the dashboard, the siting page, the
operator console and the ``/api/v1`` JSON API.  Views are thin adapters: they parse the request,
call :mod:`geo.postgis` or the core in :mod:`geo`, and render (pages: :mod:`webmap.pages`).
Every JS/CSS asset is served by the app itself (``static/vendor``), so the pages work with no
internet; security headers come from :mod:`webmap.security`.
"""

from __future__ import annotations

from flask import Flask

from hazmap.config import Settings, load_settings


def create_app(test_config: dict | None = None, *, settings: Settings | None = None) -> Flask:
    """App factory: defaults → ``hazmap.config.load_settings()`` → ``test_config``."""
    app = Flask(__name__)
    s = settings or load_settings()
    if test_config:
        from dataclasses import replace

        if "DATABASE_URL" in test_config:
            s = replace(s, database_url=test_config["DATABASE_URL"])
        if "ANONYMOUS_ACCESS" in test_config:
            s = replace(s, anonymous_access=bool(test_config["ANONYMOUS_ACCESS"]))
    from datetime import timedelta

    app.config.update(HAZMAP_SETTINGS=s, JSON_AS_ASCII=False,
                      MAX_CONTENT_LENGTH=s.limits.max_request_body_bytes,
                      SECRET_KEY=s.secret_key,  # None → one key shared through the database (webmap.sessions)
                      PERMANENT_SESSION_LIFETIME=timedelta(hours=s.auth.session_lifetime_hours),
                      SESSION_COOKIE_HTTPONLY=True, SESSION_COOKIE_SAMESITE="Lax",
                      SESSION_COOKIE_SECURE=s.secure_cookies, SESSION_COOKIE_NAME="hazmap_session")
    app.json.ensure_ascii = False
    app.config.setdefault("COMPRESS_STREAMS", False)
    from hazmap.domain import load_domain

    app.config["HAZMAP_DOMAIN"] = load_domain(s)  # built once per process, read by every view
    if test_config:
        app.config.update({k: v for k, v in test_config.items() if k != "DATABASE_URL"})

    from webmap import (api, assessment, auth, basemap, console, consequence, dashboard, enterprise, errors, history,
                        inputs, ogc, printing, riskmap, security, sessions, siting, tiles, tools, transport, waste)

    for module in (auth, api, ogc, tiles, riskmap, dashboard, siting, basemap, tools, history, console, printing,
                   assessment, enterprise, consequence, waste, transport):
        app.register_blueprint(module.bp)  # one blueprint per area (wings: assessment, consequence, waste, transport)
    auth.register(app)  # one access guard for every blueprint
    sessions.register(app)  # the signing key (configured, or shared through the database); checked before the guard
    inputs.register(app)  # one JSON parser, one query-string and Host guard, before everything else
    errors.register(app)
    security.register(app)
    from flask_compress import Compress

    Compress(app)  # gzip/brotli for pages, scripts, styles and JSON (streamed exports are left alone)
    if s.web.proxy_hops:  # behind reverse proxies: the client address (login throttling, audit), scheme, host, prefix
        from werkzeug.middleware.proxy_fix import ProxyFix

        n = s.web.proxy_hops
        app.wsgi_app = ProxyFix(app.wsgi_app, x_for=n, x_proto=n, x_host=n, x_port=n, x_prefix=n)
    return app

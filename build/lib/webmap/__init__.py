"""The hazmap web app (Flask): the four-colour risk map, the dashboard, the siting page and
the ``/api/v1`` JSON API.  Views are thin adapters: they parse the request, call
:mod:`geo.postgis.collections` or the core in :mod:`geo`, and render.  Every JS/CSS asset is served by
the app itself (``static/vendor``), so the pages work with no internet.
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
    import secrets

    # Without a configured secret key sessions last as long as the process (and a warning says so).
    if not s.secret_key:
        app.logger.warning("未配置 [auth] secret_key / HAZMAP_SECRET_KEY：登录会话在服务重启后失效")
    app.config.update(HAZMAP_SETTINGS=s, JSON_AS_ASCII=False,
                      MAX_CONTENT_LENGTH=s.limits.max_request_body_bytes,
                      SECRET_KEY=s.secret_key or secrets.token_hex(32),
                      SESSION_COOKIE_HTTPONLY=True, SESSION_COOKIE_SAMESITE="Lax",
                      SESSION_COOKIE_SECURE=s.secure_cookies, SESSION_COOKIE_NAME="hazmap_session")
    app.json.ensure_ascii = False
    from hazmap.domain import load_domain

    app.config["HAZMAP_DOMAIN"] = load_domain(s)  # built once per process, read by every view
    if test_config:
        app.config.update({k: v for k, v in test_config.items() if k != "DATABASE_URL"})

    from webmap import api, auth, dashboard, errors, ogc, riskmap, siting, tiles

    for module in (auth, api, ogc, tiles, riskmap, dashboard, siting):  # one blueprint per area
        app.register_blueprint(module.bp)
    auth.register(app)  # one access guard for every blueprint
    errors.register(app)
    if s.web.proxy_hops:  # behind a reverse proxy: links use the forwarded scheme, host and prefix
        from werkzeug.middleware.proxy_fix import ProxyFix

        n = s.web.proxy_hops
        app.wsgi_app = ProxyFix(app.wsgi_app, x_for=n, x_proto=n, x_host=n, x_port=n, x_prefix=n)
    return app

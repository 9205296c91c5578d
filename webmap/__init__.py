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
    if test_config and "DATABASE_URL" in test_config:
        from dataclasses import replace

        s = replace(s, database_url=test_config["DATABASE_URL"])
    app.config.update(HAZMAP_SETTINGS=s, JSON_AS_ASCII=False,
                      MAX_CONTENT_LENGTH=s.limits.max_request_body_bytes,
                      SECRET_KEY=s.secret_key or "hazmap-dev-only")
    app.json.ensure_ascii = False
    if test_config:
        app.config.update({k: v for k, v in test_config.items() if k != "DATABASE_URL"})

    from webmap import api, dashboard, errors, ogc, riskmap, siting

    for module in (api, ogc, riskmap, dashboard, siting):  # one blueprint per area
        app.register_blueprint(module.bp)
    errors.register(app)
    return app

"""gunicorn settings for hazmap (README "Deployment"); gunicorn reads ./gunicorn.conf.py by itself:

    cd /srv/hazmap && .venv/bin/gunicorn        # the same as: gunicorn -c gunicorn.conf.py

* ``timeout`` is above ``[limits] statement_timeout_ms``: PostgreSQL cancels a slow statement
  (the user gets a named 400) before gunicorn would kill the worker — a killed worker's
  statement keeps running on the server for nobody.
* ``gthread`` workers: a long streamed export (``format=csv`` of 200 000 rows takes minutes)
  keeps its thread while the worker's main loop keeps telling gunicorn it is alive; sync workers
  are killed after ``timeout`` whatever they are doing.
"""

from hazmap.config import ConfigError, load_settings

try:
    _settings = load_settings()  # HAZMAP_CONFIG and DATABASE_URL, as the app reads them
except ConfigError as _exc:
    raise SystemExit(f"配置错误：{_exc}") from None
_statement_s = _settings.limits.statement_timeout_ms / 1000

wsgi_app = "webmap:create_app()"
bind = ["127.0.0.1:8000"]  # loopback: TLS and the public address belong to the reverse proxy (SECURITY.md)
workers = 4
worker_class = "gthread"
threads = 4  # per worker; below [database] pool_size + max_overflow (5 + 5)
timeout = int(_statement_s) + 30
graceful_timeout = int(_statement_s) + 5

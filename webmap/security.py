"""Security headers on every response (issue 19 item 1).

* ``Content-Security-Policy``: scripts only from the app's own files — no inline script, no
  ``eval`` — so a value from the data that slipped into HTML unescaped still cannot run; styles
  may be inline (Leaflet and the colour chips set them; a style cannot run script); images from
  the app, ``data:`` URIs and, when configured, the origin of ``[map] tile_url``; nothing may
  frame the pages (``frame-ancestors 'none'``, with ``X-Frame-Options: DENY`` for old browsers).
* ``X-Content-Type-Options: nosniff`` and ``Referrer-Policy: same-origin`` everywhere.
* ``Cache-Control: no-store`` on everything but the static assets: data, exports, PDFs and the
  pages (which carry a CSRF token and the user's name) are never kept by a browser or proxy.
"""

from __future__ import annotations

from urllib.parse import urlsplit

from flask import Flask, request


def content_security_policy(tile_url: str | None) -> str:
    img = ["'self'", "data:", "blob:"]
    if tile_url:
        u = urlsplit(tile_url)
        if u.scheme and u.netloc:
            img.append(f"{u.scheme}://{u.netloc}")
    return ("default-src 'self'; script-src 'self'; object-src 'none'; base-uri 'self'; form-action 'self'; "
            f"frame-ancestors 'none'; img-src {' '.join(img)}; style-src 'self' 'unsafe-inline'; "
            "connect-src 'self'; font-src 'self'")


def register(app: Flask) -> None:
    csp = content_security_policy(app.config["HAZMAP_SETTINGS"].map.tile_url)

    @app.after_request
    def _headers(resp):
        resp.headers.setdefault("Content-Security-Policy", csp)
        resp.headers.setdefault("X-Content-Type-Options", "nosniff")
        resp.headers.setdefault("X-Frame-Options", "DENY")
        resp.headers.setdefault("Referrer-Policy", "same-origin")
        if request.endpoint != "static" and request.endpoint != "basemap.tile":
            resp.headers["Cache-Control"] = "no-store"
        return resp

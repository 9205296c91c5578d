"""The folium page shared by ``/`` (risk map) and ``/siting`` (siting check).

The map is a folium/Leaflet map whose JS/CSS come from ``/static/vendor`` (folium's CDN
defaults are replaced), with no tile server by default: the district and town boundaries are
the base.  Layers load by viewport from the API (``static/hazmap.js``), so the page's HTML
stays small whatever the data size.
"""

from __future__ import annotations

import json

import folium
from branca.element import MacroElement
from flask import Response, g, url_for
from folium.elements import Element
from jinja2 import Template

from geo.postgis import collections as queries
from geo.postgis.domain import colour_model
from webmap.db import connect, settings

class _Init(MacroElement):
    """Calls ``hazmap.init(map, opts)`` in the page script, after folium has created the map."""

    _template = Template("""
        {% macro script(this, kwargs) %}
        hazmap.init({{ this._parent.get_name() }}, {{ this.opts }});
        {% endmacro %}
    """)

    def __init__(self, opts: dict):
        super().__init__()
        self._name = "HazmapInit"
        self.opts = json.dumps(opts, ensure_ascii=False)

CENTRE = (35.505, 112.85)


def _vendor(path: str) -> str:
    return url_for("static", filename=f"vendor/{path}")


def base_map(title: str, page: str) -> folium.Map:
    m = folium.Map(location=CENTRE, zoom_start=12, tiles=None, prefer_canvas=True, control_scale=True)
    m.default_js = [("leaflet", _vendor("leaflet/leaflet.js")),
                    ("markercluster", _vendor("markercluster/leaflet.markercluster.js"))]
    m.default_css = [("leaflet_css", _vendor("leaflet/leaflet.css")),
                     ("markercluster_css", _vendor("markercluster/MarkerCluster.css")),
                     ("markercluster_default_css", _vendor("markercluster/MarkerCluster.Default.css")),
                     ("hazmap_css", url_for("static", filename="hazmap.css"))]
    s = settings()
    if s.map.tile_url:
        folium.TileLayer(tiles=s.map.tile_url, attr=s.map.tile_attribution or "本地瓦片", name="底图").add_to(m)
    root = m.get_root()
    from webmap.auth import csrf_token

    root.header.add_child(Element(f'<meta charset="utf-8"><title>{title}</title>'
                                  '<link rel="icon" href="data:,">'
                                  f'<meta name="csrf-token" content="{csrf_token()}">'))
    with connect() as conn:
        info = queries.run_info(conn)
    opts = {"page": page, "api": "/api/v1", "dataAsOf": info["data_as_of"], "runId": info["run_id"],
            "colours": colour_model().hex_by_colour, "labels": colour_model().label_by_colour, "tileDatum": s.map.tile_datum if s.map.tile_url else "wgs84",
            "title": title, "maxFeatures": s.limits.max_features_per_response,
            "maxBboxArea": s.limits.max_bbox_area_deg2, "user": getattr(g, "user", None)}
    root.html.add_child(Element(f'<script src="{url_for("static", filename="hazmap.js")}"></script>'))
    m.add_child(_Init(opts))
    return m


def render(m: folium.Map) -> Response:
    html = m.get_root().render()
    html = html.replace("<html>", '<html lang="zh-CN">', 1)
    return Response(html, mimetype="text/html")

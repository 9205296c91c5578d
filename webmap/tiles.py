"""Vector tiles: ``GET /tiles/{collection}/{z}/{x}/{y}.mvt`` (Mapbox Vector Tile 2.1, PostGIS ``ST_AsMVT``).

Tiles are in the OGC WebMercatorQuad tile matrix set (EPSG:3857, OGC 17-083r4 Annex D): z is
the tile matrix, x the column, y the row from the top.  One MVT layer per tile, named after the
collection, with the collection's scalar properties (the same names and values as in
``/api/v1``) and, for integer keys, the feature id.  The ``/api/v1`` filters of the collection
apply (``?risk=red``).  Discovery follows OGC API – Tiles: ``/ogc/collections/{id}/tiles``.
QGIS (“矢量瓦片”连接) and the web map show province-scale data this way without downloading it.
"""

from __future__ import annotations

import math

from flask import Blueprint, Response, request, url_for

from geo.errors import InvalidInput, NotFound
from geo.postgis import collections as registry
from geo.postgis.collections import arguments
from webmap.reading import reading

bp = Blueprint("tiles", __name__, url_prefix="/tiles")

MVT = "application/vnd.mapbox-vector-tile"
TMS_ID = "WebMercatorQuad"
TMS_URI = "http://www.opengis.net/def/tilematrixset/OGC/1.0/WebMercatorQuad"
EPSG3857 = "http://www.opengis.net/def/crs/EPSG/0/3857"
MAX_ZOOM = 22
# OGC 17-083r4 Annex D: WebMercatorQuad — sphere radius 6 378 137 m, 256-pixel tiles, 0.28 mm pixels
_RADIUS_M = 6378137.0
_TILE_PX = 256
_PIXEL_M = 0.00028


def tile_matrix_set_doc() -> dict:
    """The WebMercatorQuad tile matrix set (OGC 2D-TMS JSON), derived from its defining constants."""
    half = math.pi * _RADIUS_M
    matrices = []
    for z in range(MAX_ZOOM + 1):
        cell = 2 * half / _TILE_PX / 2**z
        matrices.append({"id": str(z), "scaleDenominator": cell / _PIXEL_M, "cellSize": cell,
                         "cornerOfOrigin": "topLeft", "pointOfOrigin": [-half, half], "tileWidth": _TILE_PX,
                         "tileHeight": _TILE_PX, "matrixWidth": 2**z, "matrixHeight": 2**z})
    return {"id": TMS_ID, "title": "Google Maps Compatible / Web Mercator", "uri": TMS_URI, "crs": EPSG3857,
            "orderedAxes": ["E", "N"], "tileMatrices": matrices}


def tileset_doc(c) -> dict:
    """An OGC API – Tiles tileset description of collection ``c`` (vector, WebMercatorQuad)."""
    template = url_for("tiles.tile", cid=c.id, z=0, x=0, y=0, _external=True).replace(
        "/0/0/0.mvt", "/{tileMatrix}/{tileCol}/{tileRow}.mvt")
    dimension = {"Point": 0, "MultiPoint": 0, "LineString": 1, "MultiLineString": 1}.get(c.geometry_type, 2)
    return {"title": c.title, "dataType": "vector", "crs": EPSG3857, "tileMatrixSetURI": TMS_URI,
            "layers": [{"id": c.id, "dataType": "vector", "geometryDimension": dimension,
                        "minTileMatrix": str(c.tile_min_zoom), "maxTileMatrix": str(MAX_ZOOM)}],
            "links": [
                {"href": url_for("ogc.tileset", cid=c.id, tms=TMS_ID, _external=True), "rel": "self",
                 "type": "application/json"},
                {"href": url_for("ogc.tile_matrix_set", tms=TMS_ID, _external=True),
                 "rel": "http://www.opengis.net/def/rel/ogc/1.0/tiling-scheme", "type": "application/json"},
                {"href": template, "rel": "item", "type": MVT, "templated": True, "title": "矢量瓦片（MVT）"}]}


@bp.get("/<cid>/<int:z>/<int:x>/<int:y>.mvt")
def tile(cid: str, z: int, x: int, y: int):
    c = registry.get(cid)
    if z > MAX_ZOOM:
        raise InvalidInput("z", f"缩放级别应为 0–{MAX_ZOOM}")
    if x >= 2**z or y >= 2**z:
        raise NotFound(f"瓦片 {z}/{x}/{y} 超出范围")
    sel = registry.Selection(filters=arguments.named_filters(c, request.args.to_dict(flat=True)))
    with reading() as (conn, _, base):
        data = registry.tile(conn, c, sel, base, z=z, x=x, y=y, layer=c.id)
    if not data:
        return Response(status=204)
    return Response(data, mimetype=MVT)

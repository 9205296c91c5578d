"""The offline basemap: a raster MBTiles file configured as ``[map] basemap_file`` served at
``/basemap/{z}/{x}/{y}``, or — with no file and no ``tile_url`` — ``GET /api/v1/basemap``, a
basemap drawn from the data the deployment holds (:mod:`geo.postgis.basemap`).

MBTiles (the MBTiles 1.3 specification) stores tiles in TMS order: row = 2^z − 1 − y.
The file is opened read-only per request (SQLite is safe for concurrent readers).
"""

from __future__ import annotations

import sqlite3
from pathlib import Path

from flask import Blueprint, Response, jsonify

from geo.errors import NotFound
from geo.postgis.basemap import basemap
from webmap.db import connect, settings

bp = Blueprint("basemap", __name__)

_FORMATS = {"png": "image/png", "jpg": "image/jpeg", "jpeg": "image/jpeg", "webp": "image/webp"}


def read_tile(path: str, z: int, x: int, y: int) -> tuple[bytes, str] | None:
    """The tile at XYZ (z, x, y) of the MBTiles file at ``path`` and its MIME type, or None."""
    uri = Path(path).resolve().as_uri() + "?mode=ro"
    with sqlite3.connect(uri, uri=True) as db:
        row = db.execute("select tile_data from tiles where zoom_level = ? and tile_column = ? and tile_row = ?",
                         (z, x, (1 << z) - 1 - y)).fetchone()
        fmt = db.execute("select value from metadata where name = 'format'").fetchone()
    if row is None:
        return None
    return row[0], _FORMATS.get((fmt[0] if fmt else "png").lower(), "image/png")


@bp.get("/basemap/<int:z>/<int:x>/<int:y>")
def tile(z: int, x: int, y: int):
    path = settings().map.basemap_file
    if not path or z > 22 or x >= (1 << z) or y >= (1 << z):
        raise NotFound("底图瓦片不存在")
    found = read_tile(path, z, x, y)
    if found is None:
        return Response(status=204)
    data, mime = found
    return Response(data, mimetype=mime, headers={"Cache-Control": "public, max-age=86400"})


@bp.get("/api/v1/basemap")
def vector():
    with connect() as conn:
        return jsonify(basemap(conn))

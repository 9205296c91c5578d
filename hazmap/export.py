"""Exports of the API collections as GeoJSON, CSV or GeoPackage — the same data and filters
as ``/api/v1``, for analysts' GIS tools.

Features are read page by page (``EXPORT_PAGE`` at a time) and written as they come, so an
export runs in constant memory whatever its size.  Every export carries the data version
(run id), the rules/reference/model versions and the generation time, and says its CRS:

* GeoJSON — RFC 7946, WGS-84 lon/lat, no ``crs`` member; versions as foreign members;
* CSV — UTF-8 with BOM (Excel shows the Chinese), ``lon``/``lat`` columns (point, or a point on
  the surface for lines and polygons), a ``crs`` column, the geometry as WKT;
* GeoPackage — with its CRS (EPSG:4326), one layer named after the collection.

``crs="gcj02"`` shifts every coordinate to GCJ-02 for overlay on Amap-based tools; it is not a
standard CRS, and the file says so (``crs_note`` / ``crs`` column / GeoPackage without EPSG).
"""

from __future__ import annotations

import csv
import datetime as dt
import io
import json
from collections.abc import Iterator
from pathlib import Path

import numpy as np
import shapely

from geo import crs as crs_mod
from geo.errors import InvalidInput
from geo.postgis import collections

EXPORT_PAGE = 2000
LAYERS = {
    "enterprises": collections.enterprises,
    "hazard-units": collections.hazard_units,
    "targets": collections.targets,
    "conflicts": collections.conflicts,
    "areas": collections.areas,
    "pipelines": collections.pipelines,
}
FORMATS = ("geojson", "csv", "gpkg")
CRS_LABEL = {"wgs84": "EPSG:4326 (WGS-84)",
             "gcj02": "GCJ-02（非标准坐标系，仅用于与高德等 GCJ-02 底图叠加）"}


def check(layer: str, fmt: str, out_crs: str) -> None:
    if layer not in LAYERS:
        raise InvalidInput("layer", f"未知图层 {layer}（可用：{'、'.join(LAYERS)}）")
    if fmt not in FORMATS:
        raise InvalidInput("format", f"未知格式 {fmt}（可用：geojson、csv、gpkg）")
    if out_crs not in CRS_LABEL:
        raise InvalidInput("crs", "输出坐标系应为 wgs84 或 gcj02")


def features(conn, layer: str, filters: dict, *, vocabulary, max_features: int, limit: int | None = None,
             offset: int = 0) -> tuple[dict, Iterator[dict]]:
    """(metadata, feature iterator) for ``layer`` with the API's filters, page by page."""
    fn = LAYERS[layer]
    first = fn(conn, **filters, limit=min(EXPORT_PAGE, limit or EXPORT_PAGE), offset=offset, vocabulary=vocabulary)
    total = first["numberMatched"]
    wanted = min(total - offset, limit) if limit is not None else total - offset
    if wanted > max_features:
        raise InvalidInput("limit", f"导出 {wanted} 条要素，超过上限 {max_features}（max_export_features），"
                                    "请加筛选条件或 bbox")
    meta = {k: v for k, v in first.items() if k not in ("features", "numberReturned", "limit", "offset")}
    meta["numberMatched"] = max(wanted, 0)
    meta["colour_hex"] = vocabulary.colour_hex

    def it() -> Iterator[dict]:
        page, done, off = first, 0, offset
        while True:
            for f in page["features"]:
                if done >= wanted:
                    return
                yield f
                done += 1
            if done >= wanted or len(page["features"]) == 0:
                return
            off += len(page["features"])
            page = fn(conn, **filters, limit=EXPORT_PAGE, offset=off, vocabulary=vocabulary)

    return meta, it()


def _shift(geometry: dict, out_crs: str) -> dict:
    if out_crs == "wgs84":
        return geometry
    g = shapely.geometry.shape(geometry)
    g = shapely.transform(g, lambda xy: np.array([crs_mod.wgs84_to_gcj02(x, y) for x, y in xy]) if len(xy) else xy)
    return json.loads(shapely.to_geojson(g))


def _stamp(meta: dict, out_crs: str) -> dict:
    versions = meta.get("versions") or {}
    return {"run_id": meta.get("run_id"), "data_as_of": meta.get("data_as_of"),
            "rules_version": versions.get("rules"), "reference_version": versions.get("reference"),
            "model_version": versions.get("model"),
            "generated_at": dt.datetime.now(dt.timezone.utc).isoformat(timespec="seconds"),
            "crs": CRS_LABEL[out_crs]}


def _with_hex(props: dict, meta: dict) -> dict:
    if "risk_color" in props and "risk_color_hex" not in props:
        props = {**props, "risk_color_hex": meta["colour_hex"].get(props["risk_color"])}
    return props


def geojson_chunks(meta: dict, feats: Iterator[dict], *, out_crs: str = "wgs84") -> Iterator[str]:
    stamp = _stamp(meta, out_crs)
    # RFC 7946: no "crs" member; the CRS is stated in the foreign member "crs_note"
    head = {"type": "FeatureCollection", "numberMatched": meta["numberMatched"],
            **{k: v for k, v in stamp.items() if k != "crs"}, "crs_note": stamp["crs"]}
    text = json.dumps(head, ensure_ascii=False)
    yield text[:-1] + ', "features": ['
    sep = ""
    for f in feats:
        g = {"type": "Feature", "id": f.get("id"), "geometry": _shift(f["geometry"], out_crs),
             "properties": {**_with_hex(f["properties"], meta), "run_id": stamp["run_id"]}}
        yield sep + json.dumps(g, ensure_ascii=False)
        sep = ",\n"
    yield "]}\n"


def _flat(v):
    if isinstance(v, (list, dict)):
        return json.dumps(v, ensure_ascii=False)
    return v


def _reasons_text(props: dict) -> str | None:
    rs = props.get("reasons")
    if not isinstance(rs, list):
        return None
    return "；".join(f"{r.get('text')}（{r.get('points')}）" for r in rs if r.get("points"))


FORMULA_PREFIXES = ("=", "+", "-", "@", "\t", "\r")  # what Excel/LibreOffice would evaluate (OWASP CSV injection)


def csv_safe(value):
    """A CSV cell that a spreadsheet shows as text: a string starting like a formula gets a ``'``
    (numbers are left alone — a negative number is data, not a formula)."""
    if isinstance(value, str) and value.startswith(FORMULA_PREFIXES):
        return "'" + value
    return value


def csv_chunks(meta: dict, feats: Iterator[dict], *, out_crs: str = "wgs84") -> Iterator[str]:
    stamp = _stamp(meta, out_crs)
    buf = io.StringIO()
    w = None
    yield "\ufeff"
    for f in feats:
        geom = _shift(f["geometry"], out_crs)
        g = shapely.geometry.shape(geom)
        p = g if g.geom_type == "Point" else g.point_on_surface()
        props = _with_hex(f["properties"], meta)
        row = {"id": f.get("id"), **{k: _flat(v) for k, v in props.items()},
               "reasons_text": _reasons_text(props), "lon": round(p.x, 7), "lat": round(p.y, 7),
               "crs": stamp["crs"], "geometry_wkt": shapely.to_wkt(g, rounding_precision=7),
               "run_id": stamp["run_id"], "rules_version": stamp["rules_version"],
               "model_version": stamp["model_version"], "generated_at": stamp["generated_at"]}
        if w is None:
            w = csv.DictWriter(buf, fieldnames=list(row), extrasaction="ignore", lineterminator="\r\n")
            w.writeheader()
        w.writerow({k: csv_safe(v) for k, v in row.items()})
        if buf.tell() > 1 << 16:
            yield buf.getvalue()
            buf.seek(0)
            buf.truncate()
    if w is None:  # no features: still a header
        buf.write("id,lon,lat,crs,run_id,generated_at\r\n")
    yield buf.getvalue()


def write_gpkg(path: Path, layer: str, meta: dict, feats: Iterator[dict], *, out_crs: str = "wgs84") -> int:
    """Write a GeoPackage in chunks (append); returns the number of features written."""
    import geopandas as gpd
    import pyogrio

    stamp = _stamp(meta, out_crs)
    n, chunk, first = 0, [], True

    def flush(rows):
        nonlocal first
        if not rows:
            return
        gdf = gpd.GeoDataFrame(rows, geometry="geometry", crs="EPSG:4326" if out_crs == "wgs84" else None)
        pyogrio.write_dataframe(gdf, path, layer=layer.replace("-", "_"), driver="GPKG", append=not first,
                                metadata={k: str(v) for k, v in stamp.items()} if first else None)
        first = False

    columns: list[str] | None = None
    for f in feats:
        props = {k: _flat(v) for k, v in _with_hex(f["properties"], meta).items()}
        if columns is None:
            columns = list(props)
        row = {k: props.get(k) for k in columns}
        row.update(reasons_text=_reasons_text(f["properties"]), run_id=stamp["run_id"],
                   rules_version=stamp["rules_version"], generated_at=stamp["generated_at"],
                   crs_note=stamp["crs"], geometry=shapely.geometry.shape(_shift(f["geometry"], out_crs)))
        chunk.append(row)
        n += 1
        if len(chunk) >= EXPORT_PAGE:
            flush(chunk)
            chunk = []
    flush(chunk)
    if n == 0:
        gpd.GeoDataFrame({"run_id": []}, geometry=[], crs="EPSG:4326").to_file(
            path, layer=layer.replace("-", "_"), driver="GPKG")
    return n

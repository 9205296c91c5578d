"""Exports of the registry's collections as GeoJSON, CSV or GeoPackage — the same data and
filters as ``/api/v1``, for analysts' GIS tools, streamed from one server-side cursor.

One statement reads the whole selection inside the response's snapshot (one run); rows are
written as they arrive, so memory stays flat whatever the size.  PostgreSQL renders the
GeoJSON and CSV cells itself (the C-speed path); the GeoPackage gets typed columns through
Arrow (INTEGER, REAL, TEXT, BOOLEAN, DATE, DATETIME).  Every file carries the data version
(run id), the rules/reference/model versions and the generation time, and says its CRS:

* GeoJSON — RFC 7946: WGS-84 lon/lat, 7 decimals, exterior rings counterclockwise, no ``crs``
  member; versions as foreign members; structured ``reasons``/``hca_segments`` kept, with
  their flat companions (``reasons_text``, ``reason_codes``, ``pts_<code>``, ``hca_text`` …);
* CSV — UTF-8 with BOM (Excel shows the Chinese), booleans 是/否, ``lon``/``lat`` (the point, or a
  point on the surface of a line or polygon) and ``geometry_wkt`` (QGIS reads either), a ``crs``
  column; text cells starting with ``= + - @`` are prefixed with ``'`` (no formula injection);
* GeoPackage — EPSG:4326, one layer per collection (a mixed collection: one layer per
  geometry type), the versions in columns and in the dataset metadata.

``labels="zh"`` names the columns by their Chinese titles.  ``crs="gcj02"`` shifts every
coordinate to GCJ-02 for overlay on Amap-based tools; it is not a standard CRS, and the file
says so (``crs_note`` / ``crs`` column / a GeoPackage without EPSG code).
"""

from __future__ import annotations

import datetime as dt
import json
import warnings
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import numpy as np
import shapely

from geo import crs as crs_mod
from geo.errors import InvalidInput
from geo.postgis import collections as registry
from geo.postgis.collections import queries
from geo.postgis.collections.model import Collection

FORMATS = ("geojson", "csv", "gpkg")
LABELS = ("en", "zh")
CRS_LABEL = {"wgs84": "EPSG:4326 (WGS-84)",
             "gcj02": "GCJ-02（非标准坐标系，仅用于与高德等 GCJ-02 底图叠加）"}
BATCH = 2000  # rows per fetch and per written chunk: bounds the export's memory
# columns every export adds after the properties: (name, Chinese title)
STAMP = (("rules_version", "规则版本"), ("reference_version", "参考数据版本"), ("model_version", "模型版本"),
         ("generated_at", "生成时间"))
GEOMETRY_COLUMNS = (("lon", "经度"), ("lat", "纬度"), ("crs", "坐标系"), ("geometry_wkt", "几何（WKT）"))


def layers() -> dict[str, Collection]:
    """The exportable collections (every registered collection), by id."""
    return registry.registry()


def check(layer: str, fmt: str, out_crs: str, labels: str = "en") -> Collection:
    known = layers()
    if layer not in known:
        raise InvalidInput("layer", f"未知图层 {layer}（可用：{'、'.join(known)}）")
    if fmt not in FORMATS:
        raise InvalidInput("format", f"未知格式 {fmt}（可用：geojson、csv、gpkg）")
    if out_crs not in CRS_LABEL:
        raise InvalidInput("crs", "输出坐标系应为 wgs84 或 gcj02")
    if labels not in LABELS:
        raise InvalidInput("labels", "labels 应为 en 或 zh（中文列名）")
    return known[layer]


@dataclass(frozen=True)
class Export:
    """One export's selection, read in one snapshot: its collection, run, count and stamp."""

    collection: Collection
    selection: queries.Selection
    base: dict
    run: registry.RunInfo
    number: int  # features the file will hold
    limit: int | None
    offset: int
    out_crs: str
    labels: str

    @property
    def stamp(self) -> dict:
        versions = self.run.versions or {}
        return {"run_id": self.run.run_id, "data_as_of": self.run.data_as_of,
                "rules_version": versions.get("rules"), "reference_version": versions.get("reference"),
                "model_version": versions.get("model"), "crs": CRS_LABEL[self.out_crs],
                "generated_at": dt.datetime.now(dt.timezone.utc).isoformat(timespec="seconds")}

    def name(self, column: str, title: str) -> str:
        return title if self.labels == "zh" else column


def prepare(conn, c: Collection, selection: queries.Selection, *, vocabulary, max_features: int,
            limit: int | None = None, offset: int = 0, out_crs: str = "wgs84", labels: str = "en") -> Export:
    """Open the export's snapshot on ``conn`` and check its size against ``max_export_features``."""
    run = registry.read_snapshot(conn)
    base = registry.base_params(run, vocabulary)
    total = registry.count(conn, c, selection, base)
    wanted = max(min(total - offset, limit) if limit is not None else total - offset, 0)
    if wanted > max_features:
        raise InvalidInput("limit", f"导出 {wanted} 条要素，超过上限 {max_features}（max_export_features），"
                                    "请加筛选条件或 bbox")
    return Export(c, selection, base, run, wanted, limit, offset, out_crs, labels)


def _rows(conn, ex: Export, projection: str, c: Collection | None = None):
    sql, params = queries.stream_sql(c or ex.collection, ex.selection, ex.base, projection, limit=ex.limit,
                                     offset=ex.offset)
    return queries.stream(conn, sql, params, batch=BATCH)


def _ident(name: str) -> str:
    return '"' + name.replace('"', '""') + '"'


# ---- geometry ----------------------------------------------------------------------------------

def _to_gcj02(geoms: np.ndarray) -> np.ndarray:
    """Shift WGS-84 geometries to GCJ-02 (geo.crs), coordinates rounded to 7 decimals."""
    def shift(xy):
        out = np.array([crs_mod.wgs84_to_gcj02(x, y) for x, y in xy]) if len(xy) else xy
        return np.round(out, queries.PRECISION)

    return shapely.transform(geoms, shift)


def _wkb_geoms(rows, index: int) -> np.ndarray:
    return shapely.from_wkb(np.array([bytes(r[index]) if r[index] is not None else None for r in rows], dtype=object))


# ---- GeoJSON -----------------------------------------------------------------------------------

def _props_json(ex: Export, alias: str = "s") -> str:
    names = {p.name: ex.name(p.name, p.title) for p in ex.collection.properties}
    return queries.properties_json_sql(ex.collection, alias, names)


def geojson_chunks(conn, ex: Export) -> Iterator[str]:
    """The FeatureCollection, as text chunks."""
    stamp = ex.stamp
    head = {"type": "FeatureCollection", "numberMatched": ex.number,
            **{k: v for k, v in stamp.items() if k != "crs"}, "crs_note": stamp["crs"]}
    yield json.dumps(head, ensure_ascii=False)[:-1] + ', "features": [\n'
    sep = ""
    if ex.out_crs == "wgs84" and ex.labels == "en":
        for batch in _batches(_rows(conn, ex, f"{queries.feature_json_sql(ex.collection)} as f")):
            text = ",\n".join(r.f for r in batch)
            yield sep + text
            sep = ",\n"
    else:
        geom = "ST_AsBinary(s.__g)" if ex.out_crs == "gcj02" else f"ST_AsGeoJSON(s.__g, {queries.PRECISION})"
        for batch in _batches(_rows(conn, ex, f"s.__k as k, {_props_json(ex)} as p, {geom} as g")):
            if ex.out_crs == "gcj02":
                shapes = _to_gcj02(_wkb_geoms(batch, 2))
                geoms = [shapely.to_geojson(g) if g is not None else "null" for g in shapes]
            else:
                geoms = [r.g or "null" for r in batch]
            text = ",\n".join(f'{{"type": "Feature", "id": {json.dumps(r.k)}, "geometry": {g}, "properties": {r.p}}}'
                              for r, g in zip(batch, geoms))
            yield sep + text
            sep = ",\n"
    yield "\n]}\n"


def _batches(rows, size: int = BATCH):
    batch = []
    for r in rows:
        batch.append(r)
        if len(batch) >= size:
            yield batch
            batch = []
    if batch:
        yield batch


# ---- CSV ---------------------------------------------------------------------------------------

FORMULA_PREFIXES = ("=", "+", "-", "@", "\t", "\r")  # what Excel/LibreOffice would evaluate (OWASP CSV injection)


def csv_safe(value):
    """A CSV cell written from Python (e.g. the rejects download) that a spreadsheet shows as text:
    a string starting like a formula gets a ``'`` (numbers are data, left alone) — as :func:`_csv_text` does in SQL."""
    if isinstance(value, str) and value.startswith(FORMULA_PREFIXES):
        return "'" + value
    return value


def _csv_text(expr: str) -> str:
    """A quoted CSV cell of a text expression; a leading = + - @ (a formula in Excel) gets a '."""
    return (f"coalesce('\"' || replace(case when left({expr}, 1) in ('=', '+', '-', '@', E'\\t', E'\\r') "
            f"then '''' || {expr} else {expr} end, '\"', '\"\"') || '\"', '')")


def _csv_cell(kind: str, expr: str) -> str:
    if kind == "string":
        return _csv_text(expr)
    if kind == "boolean":
        return f"(case when {expr} then '是' when not {expr} then '否' else '' end)"
    if kind == "datetime":
        return f"coalesce(to_json({expr}) #>> '{{}}', '')"
    if kind in ("array", "object"):
        return _csv_text(f"(to_json({expr})::text)")
    return f"coalesce(({expr})::text, '')"


def _csv_quote(value) -> str:
    text = "" if value is None else str(value)
    return '"' + text.replace('"', '""') + '"' if any(ch in text for ch in ',"\r\n') else text


def csv_chunks(conn, ex: Export) -> Iterator[str]:
    """UTF-8 CSV with BOM, one row per feature, as text chunks."""
    c = ex.collection
    stamp = ex.stamp
    header = [ex.name(p.name, p.title) for p in c.properties] + [ex.name(n, t) for n, t in GEOMETRY_COLUMNS + STAMP]
    yield "\ufeff" + ",".join(_csv_quote(h) for h in header) + "\r\n"
    cells = " || ',' || ".join(_csv_cell(p.type, f"s.{_ident(p.name)}") for p in c.properties)
    suffix = "," + ",".join(_csv_quote(stamp[n]) for n, _ in STAMP)
    crs_cell = _csv_quote(stamp["crs"])
    if ex.out_crs == "wgs84":
        point = "ST_PointOnSurface(s.__g)"
        projection = (f"{cells} || ',' || coalesce(round(ST_X({point})::numeric, 7)::text, '') || ',' || "
                      f"coalesce(round(ST_Y({point})::numeric, 7)::text, '') as line, "
                      f"{_csv_text(f'ST_AsText(s.__g, {queries.PRECISION})')} as wkt")
        for batch in _batches(_rows(conn, ex, projection)):
            yield "".join(f"{r.line},{crs_cell},{r.wkt}{suffix}\r\n" for r in batch)
        return
    for batch in _batches(_rows(conn, ex, f"{cells} as line, ST_AsBinary(s.__g) as g")):
        shapes = _to_gcj02(_wkb_geoms(batch, 1))
        out = []
        for r, g in zip(batch, shapes):
            if g is None:
                lon = lat = wkt = ""
            else:
                p = g if g.geom_type == "Point" else g.point_on_surface()
                lon, lat = f"{round(p.x, 7)}", f"{round(p.y, 7)}"
                wkt = _csv_quote(shapely.to_wkt(g, rounding_precision=queries.PRECISION, trim=True))
            out.append(f"{r.line},{lon},{lat},{crs_cell},{wkt}{suffix}\r\n")
        yield "".join(out)


# ---- GeoPackage --------------------------------------------------------------------------------

def _arrow_type(kind: str):
    import pyarrow as pa

    return {"integer": pa.int64(), "number": pa.float64(), "string": pa.string(), "boolean": pa.bool_(),
            "date": pa.date32(), "datetime": pa.timestamp("us", tz="UTC"), "array": pa.string(),
            "object": pa.string()}[kind]


def _gpkg_column(kind: str, expr: str) -> str:
    return f"(to_json({expr})::text)" if kind in ("array", "object") else expr


def write_gpkg(conn, ex: Export, path: Path) -> int:
    """Write the GeoPackage (one layer per homogeneous part); returns the features written."""
    parts = [registry.get(p) for p in ex.collection.parts] or [ex.collection]
    written = 0
    for i, part in enumerate(parts):
        written += _write_layer(conn, ex, part, Path(path), append=i > 0)
    return written


def _write_layer(conn, ex: Export, c: Collection, path: Path, *, append: bool) -> int:
    import pyarrow as pa
    import pyogrio

    stamp = ex.stamp
    props = list(c.properties)
    columns = [pa.field(ex.name(p.name, p.title), _arrow_type(p.type)) for p in props]
    extra = [pa.field(ex.name(n, t), pa.string()) for n, t in STAMP + (("crs_note", "坐标系"),)]
    schema = pa.schema(columns + extra + [pa.field("geometry", pa.binary(),
                                                   metadata={b"ARROW:extension:name": b"geoarrow.wkb"})])
    constants = [stamp[n] for n, _ in STAMP] + [stamp["crs"]]
    projection = ", ".join(_gpkg_column(p.type, f"s.{_ident(p.name)}") for p in props) + ", ST_AsBinary(s.__g)"
    count = 0

    def batches():
        nonlocal count
        for batch in _batches(_rows(conn, ex, projection, c)):
            n = len(props)
            if ex.out_crs == "gcj02":
                wkb = shapely.to_wkb(_to_gcj02(_wkb_geoms(batch, n))).tolist()
            else:  # WGS-84: PostGIS's WKB as it comes
                wkb = [bytes(r[n]) if r[n] is not None else None for r in batch]
            values = list(zip(*batch))
            arrays = [pa.array(values[j], type=f.type) for j, f in enumerate(columns)]
            arrays += [pa.array([v] * len(batch), type=pa.string()) for v in constants]
            arrays.append(pa.array(wkb, type=pa.binary()))
            count += len(batch)
            yield pa.record_batch(arrays, schema=schema)

    reader = pa.RecordBatchReader.from_batches(schema, batches())
    geometry_type = "Unknown" if c.geometry_type == "Geometry" else c.geometry_type
    with warnings.catch_warnings():  # GCJ-02 has no EPSG code: a layer without CRS is intended (and labelled)
        warnings.filterwarnings("ignore", message="'crs' was not provided")
        pyogrio.write_arrow(reader, path, layer=c.id.replace("-", "_"), driver="GPKG", geometry_name="geometry",
                            geometry_type=geometry_type, crs="EPSG:4326" if ex.out_crs == "wgs84" else None,
                            append=append, metadata={k: str(v) for k, v in stamp.items()} if not append else None)
    return count


def file_name(layer: str, fmt: str, out_crs: str) -> str:
    return f"hazmap-{layer}{'-gcj02' if out_crs == 'gcj02' else ''}.{fmt}"

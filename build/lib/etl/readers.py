"""Read a department's file into rows: CSV (UTF-8, UTF-8 with BOM, GB18030), XLSX,
GeoJSON, GeoPackage, Shapefile.  Each row keeps its source file and row number (the
spreadsheet line: header = 1) so every rejection can name it."""

from __future__ import annotations

import csv
import datetime as dt
import hashlib
import io
import math
import warnings
from dataclasses import dataclass, field
from pathlib import Path


class ReadError(ValueError):
    """The file cannot be read at all (missing, wrong format, undecodable)."""


@dataclass
class Row:
    file: str  # basename, as reported
    line: int
    values: dict
    geometry: object = None  # shapely geometry for spatial formats
    file_crs: str | None = None
    extra: dict = field(default_factory=dict)


def sha256(path: Path) -> str:
    h = hashlib.sha256()
    with open(path, "rb") as f:
        for chunk in iter(lambda: f.read(1 << 20), b""):
            h.update(chunk)
    return h.hexdigest()


def _blank(v) -> bool:
    return v is None or (isinstance(v, str) and not v.strip()) or (isinstance(v, float) and math.isnan(v))


def decode_csv(data: bytes) -> tuple[str, str]:
    """Decode CSV bytes: UTF-8 (with or without BOM), else GB18030. Returns (text, encoding)."""
    if data.startswith(b"\xef\xbb\xbf"):
        return data[3:].decode("utf-8"), "utf-8-sig"
    try:
        return data.decode("utf-8"), "utf-8"
    except UnicodeDecodeError:
        pass
    try:
        return data.decode("gb18030"), "gb18030"
    except UnicodeDecodeError as exc:
        raise ReadError(f"无法识别文件编码（支持 UTF-8、GB18030）：{exc}") from None


def _clean_header(h) -> str:
    return str(h or "").strip().replace("\ufeff", "").replace("\u3000", "")


def read_csv(path: Path) -> list[Row]:
    text, _ = decode_csv(path.read_bytes())
    try:
        reader = csv.reader(io.StringIO(text, newline=""))
        rows = list(reader)
    except csv.Error as exc:
        raise ReadError(f"CSV 格式错误：{exc}") from None
    if not rows:
        raise ReadError("文件为空")
    headers = [_clean_header(h) for h in rows[0]]
    out = []
    for i, r in enumerate(rows[1:], start=2):
        if all(_blank(v) for v in r):
            continue
        out.append(Row(path.name, i, {h: (r[k].strip() if k < len(r) else "") for k, h in enumerate(headers) if h}))
    return out


def read_xlsx(path: Path) -> list[Row]:
    from openpyxl import load_workbook

    try:
        wb = load_workbook(path, read_only=True, data_only=True)
    except Exception as exc:  # openpyxl raises many kinds for a bad file
        raise ReadError(f"无法读取 Excel 文件：{type(exc).__name__}") from None
    try:
        ws = wb.worksheets[0]
        it = ws.iter_rows(values_only=True)
        try:
            headers = [_clean_header(h) for h in next(it)]
        except StopIteration:
            raise ReadError("工作表为空") from None
        out = []
        for i, r in enumerate(it, start=2):
            if r is None or all(_blank(v) for v in r):
                continue
            vals = {}
            for k, h in enumerate(headers):
                if not h:
                    continue
                v = r[k] if k < len(r) else None
                if isinstance(v, dt.datetime):
                    v = v.date()
                vals[h] = v.strip() if isinstance(v, str) else v
            out.append(Row(path.name, i, vals))
        return out
    finally:
        wb.close()


def read_spatial(path: Path) -> list[Row]:
    import pyogrio

    try:
        # GDAL reports malformed geometries as RuntimeWarnings from a C callback; the rows they
        # affect come back without a geometry and are rejected by validation with a reason.
        with warnings.catch_warnings():
            warnings.simplefilter("ignore", RuntimeWarning)
            df = pyogrio.read_dataframe(path)
    except Exception as exc:  # pyogrio raises DataSourceError and friends
        raise ReadError(f"无法读取空间数据文件：{str(exc).splitlines()[0][:200]}") from None
    file_crs = df.crs.to_string() if df.crs is not None else None
    out = []
    for i, (_, rec) in enumerate(df.iterrows(), start=1):
        vals = {_clean_header(k): (None if _blank(v) else v) for k, v in rec.items() if k != "geometry"}
        out.append(Row(path.name, i, vals, geometry=rec.geometry, file_crs=file_crs))
    return out


def read_rows(path: str | Path) -> list[Row]:
    p = Path(path)
    if not p.is_file():
        raise ReadError(f"文件不存在：{p}")
    ext = p.suffix.lower()
    if ext in (".csv", ".txt"):
        return read_csv(p)
    if ext in (".xlsx", ".xlsm"):
        return read_xlsx(p)
    if ext in (".geojson", ".json", ".gpkg", ".shp", ".zip"):
        return read_spatial(p)
    raise ReadError(f"不支持的文件类型：{ext}（支持 CSV、XLSX、GeoJSON、GeoPackage、Shapefile）")

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


ENCODINGS = {"utf-8": "utf-8", "utf8": "utf-8", "utf-8-sig": "utf-8", "gb18030": "gb18030", "gbk": "gb18030",
             "gb2312": "gb18030"}


def _bad_bytes(exc: UnicodeDecodeError, label: str) -> ReadError:
    bad = exc.object[exc.start:exc.start + 4].hex(" ")
    return ReadError(f"文件不是有效的 {label} 编码：第 {exc.start} 字节起（{bad}）无法解码")


def decode_csv(data: bytes, declared: str | None = None) -> tuple[str, str]:
    """Decode CSV bytes: the declared encoding, else UTF-8 (with or without BOM), else GB18030.

    Returns (text, encoding); a file that is not valid in its (declared or detected) encoding
    raises :class:`ReadError` naming the byte offset."""
    if declared:
        enc = ENCODINGS.get(declared.lower())
        if enc is None:
            raise ReadError(f"不支持的编码 {declared}（可用：UTF-8、GB18030）")
        body = data[3:] if enc == "utf-8" and data.startswith(b"\xef\xbb\xbf") else data
        try:
            return body.decode(enc), enc
        except UnicodeDecodeError as exc:
            raise _bad_bytes(exc, declared.upper()) from None
    if data.startswith(b"\xef\xbb\xbf"):
        try:
            return data[3:].decode("utf-8"), "utf-8-sig"
        except UnicodeDecodeError as exc:
            exc.start += 3
            raise _bad_bytes(exc, "UTF-8（带 BOM）") from None
    try:
        return data.decode("utf-8"), "utf-8"
    except UnicodeDecodeError:
        pass
    try:
        return data.decode("gb18030"), "gb18030"
    except UnicodeDecodeError as exc:
        raise _bad_bytes(exc, "UTF-8 或 GB18030") from None


def _clean_header(h) -> str:
    return str(h or "").strip().replace("\ufeff", "").replace("\u3000", "")


def read_csv(path: Path, limits, encoding: str | None = None) -> list[Row]:
    text, _ = decode_csv(path.read_bytes(), encoding)
    try:
        reader = csv.reader(io.StringIO(text, newline=""))
        rows = list(reader)
    except csv.Error as exc:
        raise ReadError(f"CSV 格式错误：{exc}") from None
    if not rows:
        raise ReadError("文件为空")
    headers = [_clean_header(h) for h in rows[0]]
    _check_shape(len(rows) - 1, len(headers), limits)
    out = []
    for i, r in enumerate(rows[1:], start=2):
        if all(_blank(v) for v in r):
            continue
        out.append(Row(path.name, i, {h: (r[k].strip() if k < len(r) else "") for k, h in enumerate(headers) if h}))
    return out


def _check_shape(n_rows: int, n_columns: int, limits) -> None:
    if n_rows > limits.max_input_rows:
        raise ReadError(f"共 {n_rows} 行，超过上限 {limits.max_input_rows}（max_input_rows）")
    if n_columns > limits.max_input_columns:
        raise ReadError(f"共 {n_columns} 列，超过上限 {limits.max_input_columns}（max_input_columns）")


def read_xlsx(path: Path, limits) -> list[Row]:
    import zipfile

    from openpyxl import load_workbook

    try:  # refuse a "zip bomb" before openpyxl inflates it
        with zipfile.ZipFile(path) as z:
            size = sum(i.file_size for i in z.infolist())
    except (zipfile.BadZipFile, OSError):
        raise ReadError("无法读取 Excel 文件：不是有效的 XLSX（zip）文件") from None
    if size > limits.max_xlsx_uncompressed_bytes:
        raise ReadError(f"解压后 {size} 字节，超过上限 {limits.max_xlsx_uncompressed_bytes}"
                        "（max_xlsx_uncompressed_bytes）")
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
        _check_shape(max(0, (ws.max_row or 1) - 1), len(headers), limits)
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


def read_spatial(path: Path, limits, crs: str | None = None) -> list[Row]:
    import pyogrio

    try:
        info = pyogrio.read_info(path)
    except Exception as exc:  # pyogrio raises DataSourceError and friends
        raise ReadError(f"无法读取空间数据文件：{str(exc).splitlines()[0][:200]}") from None
    _check_shape(int(info.get("features") or 0), len(info.get("fields", ())), limits)
    if info.get("crs") is None and not crs and path.suffix.lower() in (".shp", ".zip"):
        raise ReadError("Shapefile 没有 .prj（坐标系未知）：请在数据源配置中声明 crs，"
                        "例如 { path = \"…\", crs = \"cgcs2000\" }")
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


def read_rows(path: str | Path, limits, *, encoding: str | None = None, crs: str | None = None) -> list[Row]:
    """The rows of one file; ``limits`` (:class:`hazmap.config.Limits`-like) bound its size,
    ``encoding`` is the source's declared encoding (CSV), ``crs`` its declared CRS."""
    p = Path(path)
    if not p.is_file():
        raise ReadError(f"文件不存在：{p}")
    size = p.stat().st_size
    if size > limits.max_input_file_bytes:
        raise ReadError(f"文件 {size} 字节，超过上限 {limits.max_input_file_bytes}（max_input_file_bytes）")
    ext = p.suffix.lower()
    if ext in (".csv", ".txt"):
        return read_csv(p, limits, encoding)
    if ext in (".xlsx", ".xlsm"):
        return read_xlsx(p, limits)
    if ext in (".geojson", ".json", ".gpkg", ".shp", ".zip"):
        return read_spatial(p, limits, crs)
    raise ReadError(f"不支持的文件类型：{ext}（支持 CSV、XLSX、GeoJSON、GeoPackage、Shapefile）")

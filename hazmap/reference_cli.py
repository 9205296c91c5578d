"""``hazmap reference import-catalogue FILE``: merge the official 《危险化学品目录》 spreadsheet
into the chemical catalogue that ``hazmap db init`` loads (``data/reference/chemicals.csv``).

The merge itself is pure (:mod:`geo.catalogue_import`); this command reads the spreadsheet
(XLSX: first sheet; CSV: UTF-8 or GB18030), writes the merged ``chemicals.csv`` and a new
``VERSION`` (the old one plus ``+ml<sha256 of the file, 8 hex>``) into the reference directory,
checks that the directory still loads, and prints what it did and every row it left out.
Rebuilding with ``data/reference/build_chemicals.py`` discards an import: import again after it.
"""

from __future__ import annotations

import csv
import hashlib
import io
import os
from pathlib import Path

import click


def _raw_rows(path: Path) -> list[list]:
    """The spreadsheet's cells, row by row; ValueError (Chinese, naming the file) if unreadable."""
    from etl.readers import ReadError, decode_csv

    ext = path.suffix.lower()
    if ext in (".xlsx", ".xlsm"):
        from openpyxl import load_workbook

        try:
            wb = load_workbook(path, read_only=True, data_only=True)
        except Exception as exc:  # openpyxl raises many kinds for a bad file
            raise ValueError(f"无法读取 Excel 文件 {path.name}：{type(exc).__name__}") from None
        try:
            return [list(r) for r in wb.worksheets[0].iter_rows(values_only=True)]
        finally:
            wb.close()
    if ext in (".csv", ".txt"):
        try:
            text, _ = decode_csv(path.read_bytes())
        except ReadError as exc:
            raise ValueError(f"{path.name}：{exc}") from None
        return list(csv.reader(io.StringIO(text, newline="")))
    raise ValueError(f"不支持的文件类型 {path.suffix}（应为 .xlsx 或 .csv）")


@click.group()
def reference() -> None:
    """参考数据：化学品目录."""


@reference.command("import-catalogue")
@click.argument("file", type=click.Path(dir_okay=False, path_type=Path))
@click.option("--reference-dir", type=click.Path(file_okay=False, path_type=Path), default=None,
              help="参考数据目录（默认：db init 加载的 data/reference）")
def import_catalogue(file: Path, reference_dir: Path | None) -> None:
    """导入官方《危险化学品目录》表格（序号、品名、别名、CAS号、备注），与已注明出处的危险类别合并."""
    from geo.catalogue_import import merge_catalogue, parse_official_catalogue
    from geo.reference_files import ReferenceDataError, load_reference_from
    from hazmap.cli_support import fail
    from hazmap.domain import data_dir

    d = reference_dir or data_dir("reference")
    if not file.is_file():
        fail(f"文件不存在：{file}")
    target = d / "chemicals.csv"
    if not target.is_file():
        fail(f"参考数据目录中没有 chemicals.csv：{d}")
    try:
        entries, problems = parse_official_catalogue(_raw_rows(file), file_name=file.name)
    except ValueError as exc:
        fail(str(exc))
    if not entries:
        fail(f"{file.name} 中没有可导入的行")
    with target.open(encoding="utf-8", newline="") as f:
        reader = csv.DictReader(f)
        fields, rows = list(reader.fieldnames or ()), list(reader)
    merged, report = merge_catalogue(entries, rows)
    digest = hashlib.sha256(file.read_bytes()).hexdigest()[:8]
    vfile = d / "VERSION"
    old = vfile.read_text(encoding="utf-8").strip().split("+ml")[0] if vfile.is_file() else "ref"
    backup = {p: p.read_bytes() for p in (target, vfile) if p.is_file()}
    tmp = target.with_suffix(".csv.tmp")
    with tmp.open("w", encoding="utf-8", newline="") as f:
        w = csv.DictWriter(f, fieldnames=fields, lineterminator="\n")
        w.writeheader()
        w.writerows(merged)
    os.replace(tmp, target)
    vfile.write_text(f"{old}+ml{digest}\n", encoding="utf-8")
    try:
        load_reference_from(d)
    except ReferenceDataError as exc:
        for p, data in backup.items():
            p.write_bytes(data)
        fail(f"合并后的目录无法加载，已恢复原文件：{exc}")
    for p in list(problems) + list(report.problems):
        click.echo(f"未导入：{file.name} {p.text()}", err=True)
    click.echo(f"已导入 {file.name}：{len(entries)} 行可用，匹配已有条目 {report.matched} 条（新增别名 {report.aliases_added} 个，"
               f"补充剧毒标记 {report.highly_toxic_set} 条），新增条目 {report.added} 条（GB 18218危险类别未录入），"
               f"未导入 {len(problems) + len(report.problems)} 行；版本 {old}+ml{digest}；写入 {target}")

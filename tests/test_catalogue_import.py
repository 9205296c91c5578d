"""`hazmap reference import-catalogue`: the official 《危险化学品目录》 layout merged with the cited catalogue."""

from __future__ import annotations

import shutil

import pytest
from click.testing import CliRunner
from openpyxl import Workbook

from geo.reference_files import load_reference_from
from hazmap.domain import data_dir

DEFAULT_DIR = data_dir("reference")
from geo.catalogue_import import merge_catalogue, parse_official_catalogue
from geo.major_hazard import assess_unit
from hazmap.cli import cli

ROWS = [
    ["危险化学品目录（2015版）", None, None, None, None],  # a title row above the header, as published
    ["序号", "品名", "别名", "CAS号", "备注"],
    [2, "氨", "液氨;氨气", "7664-41-7", None],
    [1070, "甲醛溶液", "福尔马林；甲醛水溶液", "50-00-0", None],
    [1686, "氰化钠", "山奈;山奈钠", "143-33-9", "剧毒"],
    [2000, "1,2-二氯乙烷", "亚乙基二氯;二氯化乙烯", "107-06-2", None],
    [2001, "氟乙酸钠", None, "62-74-8", "剧毒"],
    [2002, None, "无名", "75-09-2", None],           # line 8: no 品名
    [2003, "某物", None, "107-06-3", None],           # line 9: bad check digit
    ["x", "某物二", None, None, None],                 # line 10: bad 序号
]


@pytest.fixture
def refdir(tmp_path):
    d = tmp_path / "reference"
    shutil.copytree(DEFAULT_DIR, d, ignore=shutil.ignore_patterns("*.py", "__pycache__"))
    return d


@pytest.fixture
def xlsx(tmp_path):
    wb = Workbook()
    ws = wb.active
    for r in ROWS:
        ws.append(r)
    p = tmp_path / "危险化学品目录.xlsx"
    wb.save(p)
    return p


def test_parser_finds_the_header_and_reports_bad_rows():
    entries, problems = parse_official_catalogue(ROWS, file_name="目录.xlsx")
    assert [e.seq for e in entries] == [2, 1070, 1686, 2000, 2001]
    assert entries[1].aliases == ("福尔马林", "甲醛水溶液") and entries[2].highly_toxic
    assert [(p.line, p.field) for p in problems] == [(8, "品名"), (9, "CAS号"), (10, "序号")]
    assert problems[1].text() == "第9行 CAS号“107-06-3”：CAS号格式或校验位错误，此行未导入"
    with pytest.raises(ValueError, match="没有表头行"):
        parse_official_catalogue([["a", "b"]], file_name="x.csv")


def test_merge_keeps_cited_rows_and_adds_the_rest_as_unclassified():
    import csv
    with (DEFAULT_DIR / "chemicals.csv").open(encoding="utf-8", newline="") as f:
        rows = list(csv.DictReader(f))
    entries, _ = parse_official_catalogue(ROWS)
    merged, report = merge_catalogue(entries, rows)
    # 氨, 甲醛溶液, 氰化钠 match cited rows; 1,2-二氯乙烷 and 氟乙酸钠 are new
    assert (report.matched, report.added, report.aliases_added) == (3, 2, 1)  # 山奈钠 is the one new alias
    by_key = {r["key"]: r for r in merged}
    assert by_key["T1-01"]["hazard_classes"] == "J3;W2"  # cited classes untouched
    assert "山奈钠" in by_key["CAS-143-33-9"]["aliases"].split(";")
    new = by_key["ML-2000"]
    assert (new["class_status"], new["hazard_classes"], new["cas"]) == ("unknown", "", "107-06-2")
    assert by_key["ML-2001"]["highly_toxic"] == "1" and "剧毒" in by_key["ML-2001"]["source"]
    again, report2 = merge_catalogue(entries, merged)  # idempotent
    assert (report2.added, report2.aliases_added, len(again)) == (0, 0, len(merged))


def test_cli_writes_where_db_init_loads_from(refdir, xlsx):
    res = CliRunner().invoke(cli, ["reference", "import-catalogue", str(xlsx), "--reference-dir", str(refdir)])
    assert res.exit_code == 0, res.output
    assert "新增条目 2 条" in res.output and "未导入 3 行" in res.output
    assert "第8行 品名" in res.output and "第10行 序号" in res.output
    ref = load_reference_from(refdir)
    assert ref.version.startswith("ref-") and "+ml" in ref.version
    dce = ref.catalogue.resolve(cas="107-06-2")
    assert dce.name == "1,2-二氯乙烷" and ref.catalogue.resolve(name="二氯化乙烯").key == "ML-2000"
    assert ref.catalogue.resolve(name="山奈钠").key == "CAS-143-33-9"
    a = assess_unit([(dce, 10)], exposed_people=0, tables=ref)
    assert a.excluded == ("ML-2000",) and "GB 18218危险类别未录入，未计入S与R" in a.notes[0]
    # importing the same file again changes nothing but keeps one version suffix
    res2 = CliRunner().invoke(cli, ["reference", "import-catalogue", str(xlsx), "--reference-dir", str(refdir)])
    assert res2.exit_code == 0 and "新增条目 0 条" in res2.output
    assert load_reference_from(refdir).version.count("+ml") == 1


def test_cli_reads_gb18030_csv_and_refuses_a_file_without_header(refdir, tmp_path):
    p = tmp_path / "目录.csv"
    p.write_bytes('序号,品名,别名,CAS号,备注\n2000,"1,2-二氯乙烷",二氯化乙烯,107-06-2,\n'.encode("gb18030"))
    res = CliRunner().invoke(cli, ["reference", "import-catalogue", str(p), "--reference-dir", str(refdir)])
    assert res.exit_code == 0 and "新增条目 1 条" in res.output, res.output
    assert load_reference_from(refdir).catalogue.resolve(name="二氯化乙烯").cas == ("107-06-2",)
    q = tmp_path / "bad.csv"
    q.write_text("名称,数量\n液氯,5\n", encoding="utf-8")
    res = CliRunner().invoke(cli, ["reference", "import-catalogue", str(q), "--reference-dir", str(refdir)])
    assert res.exit_code == 2 and "没有表头行" in res.output


def test_cli_names_an_unreadable_file(refdir, tmp_path):
    bad = tmp_path / "目录.xlsx"
    bad.write_bytes(b"not a workbook")
    res = CliRunner().invoke(cli, ["reference", "import-catalogue", str(bad), "--reference-dir", str(refdir)])
    assert res.exit_code == 2 and "无法读取 Excel 文件 目录.xlsx" in res.output
    before = (DEFAULT_DIR / "chemicals.csv").read_bytes()
    assert (refdir / "chemicals.csv").read_bytes() == before  # nothing written

"""data/reference/ and its loader: values carried exactly, citations, clear errors."""

from __future__ import annotations

import csv
import shutil
from pathlib import Path

import pytest

from geo.reference_files import ReferenceDataError, load_reference_from
from hazmap.domain import data_dir
from tests.helpers import domain

DEFAULT_DIR = data_dir("reference")


def load_reference(path=None):
    return domain().reference if path is None else load_reference_from(path)
from geo.reference import Chemical

# the transcription of the standards as received (shared/reference), kept verbatim
SHARED = Path(__file__).resolve().parent / "fixtures" / "reference_transcription"
TABLES = ["gb18218_table1_named.csv", "gb18218_table2_categories.csv",
          "gb18218_table3_beta_toxic_gases.csv", "gb18218_table5_alpha.csv",
          "gb18218_table6_grades.csv"]


@pytest.fixture(scope="module")
def ref():
    return load_reference()


def _read(path: Path) -> list[dict]:
    with path.open(encoding="utf-8", newline="") as f:
        return list(csv.DictReader(f))


@pytest.mark.parametrize("name", TABLES + ["chemicals.csv", "chemical_properties.csv"])
def test_every_row_cites_source(name):
    rows = _read(DEFAULT_DIR / name)
    assert rows
    for r in rows:
        assert r["source"].strip()
        if name == "chemical_properties.csv" and r["fire_class"]:
            assert "GB 50016-2014(2018) 表3.1.3" in r["source"], r["key"]
        elif name != "chemicals.csv" and name != "chemical_properties.csv":
            assert r["source"] == "GB 18218-2018"
            assert r["clause"].startswith(("表", "4.2.4"))


@pytest.mark.parametrize("name", TABLES)
def test_values_match_the_transcription_exactly(name):
    ours, theirs = _read(DEFAULT_DIR / name), _read(SHARED / name)
    assert len(ours) == len(theirs)
    for a, b in zip(ours, theirs):
        for k, v in b.items():
            if k != "source":
                assert a[k] == v, (name, k)


def test_version(ref):
    assert ref.version == (DEFAULT_DIR / "VERSION").read_text(encoding="utf-8").strip()
    assert ref.version.startswith("ref-")


def test_table_counts(ref):
    assert sorted({c.table1_row for c in ref.catalogue if c.table1_row}) == list(range(1, 86))
    # one Table-1 row holds two entries: 13 煤气 and its component 一氧化碳 (CAS 630-08-0, 表3 β)
    assert sorted(c.key for c in ref.catalogue if c.table1_row == 13) == ["T1-13", "T1-13-CO"]
    assert len(ref.classes) == 24
    assert len(ref.table3_beta) == 14
    assert [b.alpha for b in ref.alpha_bands] == [2.0, 1.5, 1.2, 1.0, 0.5]
    assert [(g.grade, g.label) for g in ref.grade_bands] == [(1, "一级"), (2, "二级"), (3, "三级"), (4, "四级")]


@pytest.mark.parametrize("row,q", [(12, 5), (1, 10), (66, 200), (6, 0.3), (4, 20), (30, 0.75),
                                   (52, 50), (49, 50), (46, 1000), (45, 200), (13, 20), (74, 1)])
def test_table1_critical_quantities(ref, row, q):
    c = ref.catalogue.table1(row)
    assert c.table1_row == row and c.key == f"T1-{row:02d}"
    assert c.table1_q == q


def test_table2_and_table4(ref):
    w54 = ref.classes["W5.4"]
    assert (w54.hazard_class, w54.critical_quantity_t, w54.beta) == ("易燃液体", 5000, 1)
    assert (ref.classes["J1"].critical_quantity_t, ref.classes["J1"].beta) == (5, 4)
    assert (ref.classes["W1.1"].critical_quantity_t, ref.classes["W1.1"].beta) == (1, 2)
    assert (ref.classes["W5.1"].critical_quantity_t, ref.classes["W5.1"].beta) == (10, 1.5)


def test_table3(ref):
    assert ref.table3_beta["75-44-5"] == 20  # 碳酰氯 / 光气
    assert ref.table3_beta["7782-50-5"] == 4  # 氯
    assert ref.table3_beta["7446-09-5"] == 2  # 二氧化硫
    assert ref.table3_beta["630-08-0"] == 2  # 一氧化碳


def test_chemical_dataclass_is_frozen_with_tuples(ref):
    c = ref.catalogue.table1(12)
    assert isinstance(c, Chemical)
    assert c.aliases == ("液氯", "氯气") and c.cas == ("7782-50-5",)
    assert c.hazard_classes == ("J3", "W4")
    with pytest.raises(AttributeError):
        c.name = "x"  # type: ignore[misc]


def test_every_catalogue_row_has_classes_or_is_plainly_without(ref):
    for c in ref.catalogue:
        assert c.source.strip(), c.key
        if c.table1_row:
            assert c.hazard_classes, f"{c.key} needs a class symbol so β is known"
            assert f"表1第{c.table1_row}项" in c.source
        assert ("危险类别" in c.source), c.key
        if not c.hazard_classes:
            assert "无GB 18218-2018 表2危险类别" in c.source
        if c.key_supervised:
            assert "重点监管的危险化学品名录" in c.source
        if c.highly_toxic:
            assert "剧毒" in c.source
        if c.explosive_precursor:
            assert "易制爆" in c.source


def test_required_non_table1_chemicals(ref):
    cat = ref.catalogue
    expect = {"柴油": ("W5.4",), "二甲苯": ("W5.4",), "2-丁酮": ("W5.3",), "甲乙酮": ("W5.3",),
              "乙酸丁酯": ("W5.4",), "氰化钠": ("J2",), "过氧化氢溶液": ("W9.2",), "双氧水": ("W9.2",),
              "硫酸": (), "盐酸": (), "氢氧化钠": ()}
    for name, classes in expect.items():
        c = cat.resolve(name=name)
        assert c.table1_row is None and c.key.startswith("CAS-")
        assert c.hazard_classes == classes, name
    assert cat.resolve(name="氰化钠").highly_toxic


def test_chemical_properties(ref):
    p = ref.properties
    assert all(k in ref.catalogue for k in p)
    assert (p["T1-64"].fire_class, p["T1-64"].fire_item, p["T1-64"].boiling_point_c) == ("甲", 1, 110.6)
    assert p["T1-52"].liquid_density_t_m3 == 0.58 and p["T1-52"].status == "uncertain"
    assert p["CAS-7647-01-0"].fire_class == "戊"
    assert p["CAS-68334-30-5"].fire_class is None  # flash point decides 乙/丙; not registered


def test_flags(ref):
    cat = ref.catalogue
    assert cat.resolve(name="氯气").toxic_inhalation and cat.resolve(name="光气").toxic_inhalation
    assert cat.resolve(name="TNT").explosive
    assert cat.resolve(name="氯酸钾").explosive_precursor
    assert cat.resolve(name="汽油").key_supervised
    assert not cat.resolve(name="硫酸").key_supervised


def _copy(tmp_path: Path) -> Path:
    d = tmp_path / "ref"
    shutil.copytree(DEFAULT_DIR, d, ignore=shutil.ignore_patterns("*.py", "__pycache__"))
    return d


def test_load_from_a_copy(tmp_path):
    r = load_reference(_copy(tmp_path))
    assert len(r.catalogue) == len(load_reference().catalogue)


def _edit(path: Path, line: int, column: str, value: str) -> None:
    with path.open(encoding="utf-8", newline="") as f:
        rows = list(csv.DictReader(f))
        fields = list(rows[0].keys())
    rows[line - 2][column] = value
    with path.open("w", encoding="utf-8", newline="") as f:
        w = csv.DictWriter(f, fieldnames=fields, lineterminator="\n")
        w.writeheader()
        w.writerows(rows)


@pytest.mark.parametrize("name,line,column,value,message", [
    ("gb18218_table1_named.csv", 13, "critical_quantity_t", "five", "gb18218_table1_named.csv 第13行 critical_quantity_t"),
    ("gb18218_table2_categories.csv", 3, "source", "", "gb18218_table2_categories.csv 第3行 缺少出处"),
    ("chemicals.csv", 5, "hazard_classes", "W99", "chemicals.csv 第5行 未知危险类别 W99"),
    ("chemicals.csv", 7, "cas", "7782-50-4", "chemicals.csv 第7行 CAS号无效"),
    ("chemicals.csv", 9, "highly_toxic", "yes", "chemicals.csv 第9行 highly_toxic"),
    ("chemicals.csv", 10, "key", "T1-01", "chemicals.csv 第10行 key 重复"),
    ("chemicals.csv", 11, "concentration", "many", "chemicals.csv 第11行 concentration"),
    ("chemical_properties.csv", 3, "fire_class", "A", "chemical_properties.csv 第3行 fire_class"),
    ("chemical_properties.csv", 4, "key", "T1-99", "chemical_properties.csv 第4行 key"),
    ("gb18218_table5_alpha.csv", 2, "alpha", "", "gb18218_table5_alpha.csv 第2行 alpha"),
])
def test_malformed_files_name_file_and_row(tmp_path, name, line, column, value, message):
    d = _copy(tmp_path)
    _edit(d / name, line, column, value)
    with pytest.raises(ReferenceDataError, match=message):
        load_reference(d)


def test_missing_file_and_version(tmp_path):
    d = _copy(tmp_path)
    (d / "gb18218_table3_beta_toxic_gases.csv").unlink()
    with pytest.raises(ReferenceDataError, match="gb18218_table3_beta_toxic_gases.csv"):
        load_reference(d)
    d2 = _copy(tmp_path / "b")
    (d2 / "VERSION").write_text("", encoding="utf-8")
    with pytest.raises(ReferenceDataError, match="VERSION"):
        load_reference(d2)


def test_missing_table1_row_in_catalogue(tmp_path):
    d = _copy(tmp_path)
    lines = (d / "chemicals.csv").read_text(encoding="utf-8").splitlines(keepends=True)
    (d / "chemicals.csv").write_text("".join(l for l in lines if not l.startswith("T1-45,")),
                                     encoding="utf-8")
    with pytest.raises(ReferenceDataError, match="缺少表1第45项"):
        load_reference(d)

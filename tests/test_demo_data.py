"""The demo generator is deterministic and the committed demo files are what it writes."""

from __future__ import annotations

import csv
import io
import subprocess
import sys
from pathlib import Path

import pytest

from geo import credit_code

REPO = Path(__file__).resolve().parent.parent
DEMO = REPO / "data" / "demo"


def _generate(out: Path, seed: int = 20230720) -> None:
    subprocess.run([sys.executable, str(REPO / "data" / "generate_demo.py"), "--seed", str(seed),
                    "--out", str(out)], check=True, capture_output=True)


@pytest.fixture(scope="module")
def generated(tmp_path_factory):
    a, b = tmp_path_factory.mktemp("a"), tmp_path_factory.mktemp("b")
    _generate(a)
    _generate(b)
    return a, b


def test_same_seed_gives_identical_files_and_matches_the_committed_demo(generated):
    a, b = generated
    names = sorted(p.name for p in a.iterdir())
    assert names == sorted(p.name for p in b.iterdir()) == sorted(p.name for p in DEMO.iterdir())
    for n in names:
        assert (a / n).read_bytes() == (b / n).read_bytes(), n
        assert (a / n).read_bytes() == (DEMO / n).read_bytes(), f"{n}: regenerate data/demo"


def test_other_seed_differs(tmp_path, generated):
    _generate(tmp_path, seed=7)
    assert (tmp_path / "hazard_units.csv").read_bytes() != (generated[0] / "hazard_units.csv").read_bytes()


def _enterprise_rows():
    from openpyxl import load_workbook

    rows = []
    for name, enc in [("enterprises_yingji.csv", "utf-8-sig"), ("enterprises_jiaotong_gb18030.csv", "gb18030"),
                      ("enterprises_gongxin.csv", "utf-8")]:
        rows += list(csv.DictReader(io.StringIO((DEMO / name).read_bytes().decode(enc))))
    wb = load_workbook(DEMO / "enterprises_shengtai.xlsx", read_only=True)
    it = wb.worksheets[0].iter_rows(values_only=True)
    head = next(it)
    rows += [dict(zip(head, r)) for r in it]
    wb.close()
    return rows


def test_counts_encodings_and_credit_codes():
    rows = _enterprise_rows()
    assert len({r["统一社会信用代码"] for r in rows}) >= 150
    stages = {s for r in rows for s in str(r["环节"]).split("、")}
    assert stages >= {"生产", "经营(带储存)", "经营(不带储存)", "储存", "运输", "装卸", "使用", "废弃处置", "长输管道"}
    invalid = [r for r in rows if not credit_code.is_valid(r["统一社会信用代码"])]
    assert [r["企业名称"] for r in invalid] == ["晋城市校验位错误化学品经营部"]
    assert {r["坐标系"] for r in rows if r["坐标系"]} >= {"wgs84", "cgcs2000", "gcj02", "bd09"}
    assert sum(1 for r in rows if not r["经度"]) >= 8  # address only
    raw = (DEMO / "enterprises_jiaotong_gb18030.csv").read_bytes()
    with pytest.raises(UnicodeDecodeError):
        raw.decode("utf-8")
    assert (DEMO / "enterprises_yingji.csv").read_bytes().startswith(b"\xef\xbb\xbf")
    units = list(csv.DictReader(io.StringIO((DEMO / "hazard_units.csv").read_text(encoding="utf-8"))))
    assert len({u["单元编号"] for u in units}) >= 40
    assert any(u["化学品名称"] == "神秘溶剂X" for u in units)
    assert any(float(u["设计最大量"]) < 0 for u in units)

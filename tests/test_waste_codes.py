"""Waste codes of 《国家危险废物名录（2025年版）》: structure, classes, malformed vs not in our copy."""

import dataclasses
import shutil
from pathlib import Path

import pytest

from geo.cells import CellError
from geo.waste.codes import MalformedWasteCode, UnknownWasteCode, load_waste_codes, parse_properties
from geo.waste.files import WasteDataError

REF = Path(__file__).resolve().parents[1] / "data" / "reference"


@pytest.fixture(scope="module")
def codes():
    return load_waste_codes(REF)


def test_the_copy_has_the_lists_46_classes_and_says_how_complete_it_is(codes):
    # 名录: HW01–HW40 and HW45–HW50 (HW41–HW44 not used since the 2016 edition) = 40 + 6 = 46
    assert len(codes.classes) == 46
    assert codes.class_ranges == "HW01–HW40、HW45–HW50"
    assert codes.total_codes == 470  # 2025 edition: 470 kinds (hw_list.csv, cited)
    assert not codes.complete
    assert codes.coverage_text == f"本系统副本不完整：仅收录 {len(codes.codes)}/470 种"
    # every carried row is marked uncertain (transcribed, not checked word by word against the 2025 text)
    assert {c.status for c in codes.codes.values()} == {"uncertain"}


@pytest.mark.parametrize("raw", ["900-249-08", "90024908", "HW08-900-249-08", "hw08 900-249-08", "９００-２４９-０８",
                                 " 900 249 08 "])
def test_good_code_in_its_spellings(codes, raw):
    c = codes.validate(raw)
    assert (c.code, c.hw_class, c.industry_code, c.sequence) == ("900-249-08", "HW08", "900", "249")
    assert c.industry_source == "非特定行业"
    assert c.hazard_properties == frozenset({"T", "I"})


def test_class_column_must_agree_with_the_last_two_digits(codes):
    assert codes.validate("900-041-49", hw_class="HW49").code == "900-041-49"
    assert codes.validate("900-041-49", hw_class="HW49 其他废物").code == "900-041-49"
    with pytest.raises(MalformedWasteCode) as e:
        codes.validate("900-041-49", hw_class="HW08")
    assert e.value.field == "废物代码" and "属于 HW49" in e.value.reason and "HW08" in e.value.reason


def test_wrong_hw_suffix_is_malformed(codes):
    with pytest.raises(MalformedWasteCode) as e:
        codes.validate("900-249-44")  # HW44 is not a class of the list
    assert "900-249-44" in str(e.value) and "HW44 不存在" in str(e.value)
    with pytest.raises(MalformedWasteCode) as e:
        codes.validate("HW49-900-249-08")  # prefix and suffix disagree
    assert "前缀 HW49" in str(e.value) and "HW08" in str(e.value)


@pytest.mark.parametrize("raw", ["", "900-249-8", "9002490801", "900-24A-08", "HW08", "废矿物油"])
def test_malformed_code(codes, raw):
    with pytest.raises(MalformedWasteCode) as e:
        codes.validate(raw)
    assert e.value.field == "废物代码" and "格式错误" in e.value.reason and "8位数字" in e.value.reason
    assert isinstance(e.value, CellError)  # the ETL's row error: becomes one reject naming 废物代码


def test_unknown_code_names_it_and_says_the_copy_may_be_incomplete(codes):
    # well formed, HW08 exists, but 900-123-08 is not a row of our copy
    with pytest.raises(UnknownWasteCode) as e:
        codes.validate("900-123-08")
    msg = str(e.value)
    assert "900-123-08" in msg and "HW08 废矿物油与含矿物油废物" in msg
    assert "副本不完整" in msg and f"{len(codes.codes)}/470" in msg and "可能是漏录" in msg


def test_unknown_code_against_a_complete_copy_is_plainly_not_in_the_list(codes):
    full = dataclasses.replace(codes, total_codes=len(codes.codes))
    with pytest.raises(UnknownWasteCode) as e:
        full.validate("900-123-08")
    assert str(e.value) == "废物代码“900-123-08”不在《国家危险废物名录（2025年版）》中"


def test_identified_waste_takes_900_000_and_its_class(codes):
    c = codes.validate("900-000-49")
    assert c.identified and c.hw_class == "HW49" and c.hazard_properties == frozenset()
    assert "900-000" in c.source
    with pytest.raises(MalformedWasteCode):
        codes.validate("900-000-43")  # no class HW43


def test_hazard_property_notation():
    assert parse_properties("T/C/I/R") == {"T", "C", "I", "R"}
    assert parse_properties("T/In") == {"T", "In"}
    assert parse_properties("C,T") == {"C", "T"}
    with pytest.raises(ValueError):
        parse_properties("T/X")
    with pytest.raises(ValueError):
        parse_properties("")


def test_every_code_has_properties_within_its_class(codes):
    for c in codes.codes.values():
        assert c.hazard_properties <= codes.classes[c.hw_class].hazard_properties
        assert c.code[-2:] == codes.classes[c.hw_class].number


def _copy(tmp_path: Path) -> Path:
    d = tmp_path / "ref"
    d.mkdir()
    for name in ("hw_classes.csv", "hw_codes.csv", "hw_list.csv"):
        shutil.copy(REF / name, d / name)
    return d


def _edit(path: Path, old: str, new: str) -> None:
    text = path.read_text(encoding="utf-8")
    assert old in text
    path.write_text(text.replace(old, new, 1), encoding="utf-8")


@pytest.mark.parametrize("file, old, new, expect", [
    ("hw_codes.csv", "900-249-08,HW08", "900-249-08,HW09", "末两位 08 与废物类别 HW09 不符"),
    ("hw_codes.csv", "900-249-08,HW08", "900-249-8,HW08", "代码应为 NNN-NNN-NN"),
    ("hw_codes.csv", "900-220-08,HW08,非特定行业,变压器维护、更换和拆解过程中产生的废变压器油,T,",
     "900-220-08,HW08,非特定行业,变压器维护、更换和拆解过程中产生的废变压器油,T/C,", "危险特性 C 不在类别 HW08"),
    ("hw_codes.csv", "900-221-08,", "900-220-08,", "代码重复"),
    ("hw_codes.csv", "900-221-08,", "900-000-08,", "鉴别归类代码"),
    ("hw_codes.csv", ",uncertain,", ",maybe,", "status 应为"),
    ("hw_classes.csv", "HW02,", "HW2,", "应为 HW 加两位数字"),
    ("hw_list.csv", "total_codes,470", "total_codes,50", "多于名录总数 50"),
])
def test_loader_refuses_a_bad_file_naming_file_and_row(tmp_path, file, old, new, expect):
    d = _copy(tmp_path)
    _edit(d / file, old, new)
    with pytest.raises(WasteDataError) as e:
        load_waste_codes(d)
    assert expect in str(e.value)
    if file == "hw_codes.csv" and "多于" not in expect:
        assert "hw_codes.csv 第" in str(e.value)


def test_loader_refuses_a_missing_file(tmp_path):
    d = _copy(tmp_path)
    (d / "hw_list.csv").unlink()
    with pytest.raises(WasteDataError, match="数据文件缺失"):
        load_waste_codes(d)

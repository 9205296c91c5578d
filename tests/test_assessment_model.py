"""The model file and the 2017 criteria file are checked on load (errors name file and key) and agree."""

import copy
import tomllib
from pathlib import Path

import pytest

from geo.colour_model import ColourModelError, load_colour_model, parse_colour_model
from geo.hidden_danger import CriteriaFileError, load_major_hidden_danger_items

ROOT = Path(__file__).resolve().parent.parent
RULES, REFERENCE = ROOT / "data" / "rules", ROOT / "data" / "reference"
DOC = tomllib.loads((RULES / "risk_model.toml").read_text(encoding="utf-8"))


def _broken(change):
    doc = copy.deepcopy(DOC)
    change(doc)
    with pytest.raises(ColourModelError) as e:
        parse_colour_model(doc)
    return str(e.value)


def test_the_shipped_model_loads():
    m = load_colour_model(RULES)
    assert m.guide_points == 100 and [c.code for c in m.colours] == ["red", "orange", "yellow", "blue"]


@pytest.mark.parametrize("change, words", [
    (lambda d: d["colours"][0].update(hex="red"), ("risk_model.toml", "hex")),
    (lambda d: d["colours"][1].update(score_min_inclusive=61.0), ("risk_model.toml", "不衔接")),
    (lambda d: d["items"][0].update(max_deduction=12.0), ("risk_model.toml", "合计 102")),
    (lambda d: d["items"][0].update(colour="x"), ("risk_model.toml", "MAJOR_HAZARD", "未知键 colour")),
    (lambda d: d["items"][1]["criteria"][0].update(group="NOPE"), ("SUBSTANCE_EXPLOSIVE", "group")),
    (lambda d: d["items"][1]["criteria"][0].update(derived_from=["rumour"]), ("derived_from", "rumour")),
    (lambda d: d["items"][1]["criteria"][0].update(points="-2"), ("SUBSTANCE_EXPLOSIVE", "points")),
    (lambda d: d["items"].pop(2), ("[[items]].code", "缺少 PROCESSES")),
    (lambda d: d["direct_red"][3].pop("accident_rules"), ("DR_ACCIDENTS", "accident_rules")),
    (lambda d: d["variant"].update(groups=["NOPE"]), ("[variant]", "groups", "NOPE")),
])
def test_a_bad_model_file_names_file_and_key(change, words):
    message = _broken(change)
    assert all(w in message for w in words), message


def test_a_missing_model_file_is_named(tmp_path):
    with pytest.raises(ColourModelError, match="四色模型文件不存在"):
        load_colour_model(tmp_path)


def test_the_2017_items_and_their_mapping_agree_with_the_model():
    model = load_colour_model(RULES)
    table = load_major_hidden_danger_items(REFERENCE)
    assert [i.item for i in table.items] == list(range(1, 21))
    assert all(i.status == "verified" for i in table.items if i.item <= 14)  # 1–14 seen in sources
    mapped = set()
    for i in table.items:
        if i.guide_criterion:
            assert "hidden_danger_ledger" in model.criterion(i.guide_criterion).derived_from, i.item
            mapped.add(i.guide_criterion)
        if i.direct_red:
            assert "hidden_danger_ledger" in model.condition(i.direct_red).derived_from, i.item
            mapped.add(i.direct_red)
    # every criterion or condition the model says the ledger derives is reachable from some 2017 item
    ledger_derived = {c.code for it in model.items if it.in_guide for c in it.criteria
                      if "hidden_danger_ledger" in c.derived_from}
    ledger_derived |= {d.code for d in model.direct_red if "hidden_danger_ledger" in d.derived_from}
    assert ledger_derived == mapped


def test_a_bad_2017_file_names_file_and_row(tmp_path):
    text = (REFERENCE / "major_hidden_danger_2017_121.csv").read_text(encoding="utf-8")
    (tmp_path / "major_hidden_danger_2017_121.csv").write_text(text.replace("\n20,", "\n19,", 1), encoding="utf-8")
    with pytest.raises(CriteriaFileError, match="第1–20项各一次"):
        load_major_hidden_danger_items(tmp_path)
    (tmp_path / "major_hidden_danger_2017_121.csv").write_text(text.replace(",verified,", ",maybe,", 1),
                                                              encoding="utf-8")
    with pytest.raises(CriteriaFileError, match="第2行"):
        load_major_hidden_danger_items(tmp_path)

"""A hazard-unit file's validated lines → the units that are loaded: whole units only, each one's
registered fire class checked against its chemicals (issue 11)."""

from __future__ import annotations

from etl.records import whole_units
from etl.report import Reject
from geo.fire_class import check_fire_class


def checked_units(lc, lines: list[dict], keep: set[str]) -> list[dict]:
    """Whole units only (:func:`etl.records.whole_units`), each unit's registered fire class checked
    against its chemicals (:func:`geo.fire_class.check_fire_class`, GB 50016 表3.1.1/表3.1.3): a
    contradiction is a **warning** in the rejects (the unit is loaded) and the derived class is the
    one stored in ``fire_class`` (``fire_class_registered`` keeps what the registry said)."""
    good = whole_units(lc, _agreeing(lc, lines, keep), keep)
    by_unit: dict[str, list[dict]] = {}
    for ln in good:
        by_unit.setdefault(ln["unit_key"], []).append(ln)
    catalogue = lc.ctx.catalogue
    for key, unit_lines in by_unit.items():
        registered = unit_lines[0]["fire_class_registered"]
        if registered is None:
            continue
        chems = [catalogue.by_key(ln["chemical_key"]) for ln in unit_lines]
        check = check_fire_class(registered, chems, properties=lc.ctx.properties)
        if check.warning:
            head = unit_lines[0]
            lc.rejects.append(Reject(head["_file"], head["_line"], head.get("_fire_label") or "登记火灾危险性",
                                     registered, f"单元 {key}：{check.warning}", severity="warning"))
        for ln in unit_lines:
            ln["fire_class"] = check.effective
    return good


# a unit's own fields, repeated on each of its inventory lines: they must agree (field → header)
UNIT_FIELDS = {"name": "单元名称", "kind": "单元类型", "fire_class_registered": "登记火灾危险性",
               "operating_temperature_c": "操作温度℃", "operating_pressure_mpa": "操作压力MPa",
               "tank_volume_m3": "储罐容积m3", "footprint": "占地范围WKT"}


def _agreeing(lc, lines: list[dict], keep: set[str]) -> list[dict]:
    """Lines whose unit states its own fields the same on every line that states them (a blank
    cell repeats nothing; the value given on any line holds for the unit); a unit whose lines
    disagree is rejected whole (which value is right cannot be guessed), its stored record kept."""
    given: dict[str, dict] = {}
    bad: set[str] = set()
    for ln in lines:
        key = ln["unit_key"]
        seen = given.setdefault(key, {})
        for fld, label in UNIT_FIELDS.items():
            v = ln.get(fld)
            if v is None:
                continue
            if fld not in seen:
                seen[fld] = (v, ln["_line"])
            elif seen[fld][0] != v and key not in bad:
                bad.add(key)
                lc.rejects.append(Reject(ln["_file"], ln["_line"], label, str(v)[:60],
                                         f"同一单元 {key} 各行的{label}不一致"
                                         f"（第{seen[fld][1]}行为“{str(seen[fld][0])[:30]}”），整个单元未导入"))
    keep |= bad
    out = [ln for ln in lines if ln["unit_key"] not in bad]
    for ln in out:  # every line carries what any line of its unit said
        for fld, (v, _) in given[ln["unit_key"]].items():
            ln[fld] = v
            if fld == "fire_class_registered" and ln.get("fire_class") is None:
                ln["fire_class"] = v
    return out

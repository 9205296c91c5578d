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
    good = whole_units(lc, lines, keep)
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

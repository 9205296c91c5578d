"""The ETL kinds ``assessments`` and ``hidden_dangers`` (templates in ``data/templates/``).

Rows are checked by :mod:`geo.assessment_records` (every field, the points against the colour
model, the 五落实 and the state of a ledger record); a bad field rejects the row naming the field.
Loads: assessed items are appended (an entry already stored is not stored twice — history is
never rewritten); ledger records are inserted or updated by their key (隐患编号, or the
enterprise, found date and description).  Neither kind removes anything.
"""

from __future__ import annotations


from etl.validate import RowError, text
from geo.assessment_records import ASSESSMENT_HEADERS, HIDDEN_DANGER_HEADERS, assessment_from_row, hidden_danger_from_row
from geo import cells
from geo.errors import InvalidInput
from geo.postgis import ledger

# field → accepted headers; the first is the template's header (what geo.assessment_records reads)
ASSESSMENT_COLUMNS = {
    "credit_code": ["统一社会信用代码", "信用代码", "credit_code"],
    "item_code": ["评估项代码", "item_code"],
    "item_label": ["评估项", "item"],
    "points": ["扣分/得分", "分值", "points"],
    "status": ["状态", "status"],
    "source": ["来源", "source"],
    "evidence": ["证据", "evidence"],
    "assessed_by": ["评估人", "assessed_by"],
    "assessed_on": ["评估日期", "assessed_on"],
}
HIDDEN_DANGER_COLUMNS = {
    "danger_key": ["隐患编号", "danger_key"],
    "credit_code": ["统一社会信用代码", "信用代码", "credit_code"],
    "place": ["隐患地点", "place"],
    "lon": ["经度", "lon"],
    "lat": ["纬度", "lat"],
    "crs": ["坐标系", "crs"],
    "found_on": ["发现日期", "found_on"],
    "found_by": ["发现人", "found_by"],
    "source": ["来源", "source"],
    "description": ["隐患描述", "description"],
    "grade": ["隐患等级", "grade"],
    "major_item": ["重大隐患判定项", "major_item"],
    "measures": ["整改措施", "measures"],
    "responsible": ["整改责任人", "responsible"],
    "funds_yuan": ["整改资金(元)", "整改资金（元）", "整改资金", "funds_yuan"],
    "deadline": ["整改时限", "deadline"],
    "plan": ["应急预案", "plan"],
    "state": ["状态", "state"],
    "rectified_on": ["整改完成日期", "rectified_on"],
    "accepted_on": ["验收日期", "accepted_on"],
    "reviewer": ["验收人", "reviewer"],
}
assert [v[0] for v in ASSESSMENT_COLUMNS.values()] == list(ASSESSMENT_HEADERS)
assert [v[0] for v in HIDDEN_DANGER_COLUMNS.values()][1:] == list(HIDDEN_DANGER_HEADERS)


def _values(row, cols: dict, columns: dict) -> dict:
    """The row under the template's headers, whatever headers the file used."""
    return {names[0]: row.values.get(cols[f]) for f, names in columns.items() if f in cols}


def _rules(lc):
    def make():
        from hazmap.domain import load_domain

        return load_domain(lc.settings)
    return lc._cached("domain", make)


def _enterprise(lc, code: str) -> int:
    eid = lc.enterprise_ids().get(code)
    if eid is None:
        raise RowError("统一社会信用代码", code, "该统一社会信用代码的企业未登记（请先导入企业）")
    return eid


def _row_error(exc: InvalidInput, values: dict) -> RowError:
    return RowError(exc.field, values.get(exc.field, ""), exc.message)


def assessment(row, cols, lc, src) -> dict:
    values = _values(row, cols, ASSESSMENT_COLUMNS)
    try:
        r = assessment_from_row(values, model=_rules(lc).colour_model, today=lc.ctx.today)
    except RowError:
        raise
    except InvalidInput as exc:
        raise _row_error(exc, values) from None
    return {"enterprise_id": _enterprise(lc, r.credit_code), "item_code": r.assessed.code, "_entry": r.assessed}


def hidden_danger(row, cols, lc, src) -> dict:
    values = _values(row, cols, HIDDEN_DANGER_COLUMNS)
    domain = _rules(lc)
    try:
        hd = hidden_danger_from_row(values, table=domain.assessment.major_hidden_dangers, today=lc.ctx.today)
    except RowError:
        raise
    except InvalidInput as exc:
        raise _row_error(exc, values) from None
    key = text(values.get("隐患编号")) or ledger.danger_key(hd)
    src_xy = None
    if hd.location_wgs84 is not None:
        src_xy = (cells.number(values.get("经度"), "经度"), cells.number(values.get("纬度"), "纬度"),
                  text(values.get("坐标系")) or None)
    return {"danger_key": key, "enterprise_id": _enterprise(lc, hd.credit_code), "place": hd.place,
            "description": hd.description, "reviewer": hd.reviewer, "found_by": hd.found_by,
            "measures": hd.rectification.measures, "responsible": hd.rectification.responsible,
            "plan": hd.rectification.plan, "_hd": hd, "_src": src_xy}


def load_assessments(lc, records: list[dict], files: list[str], keep_keys: set[str]) -> dict:
    inserted = 0
    for rec in records:
        inserted += len(ledger.insert_assessed(lc.conn, rec["enterprise_id"], [rec["_entry"]], recorded_by=None,
                                               source_file=rec["_file"]))
    return {"inserted": inserted, "updated": 0, "unchanged": len(records) - inserted, "removed": 0}


def load_hidden_dangers(lc, records: list[dict], files: list[str], keep_keys: set[str]) -> dict:
    counts = {"inserted": 0, "updated": 0, "unchanged": 0, "removed": 0}
    for rec in records:
        what, _ = ledger.save_hidden_danger(lc.conn, rec["enterprise_id"], rec["_hd"], key=rec["danger_key"],
                                            src=rec["_src"], source_file=rec["_file"])
        counts[what] += 1
    return counts




# ---- inspectors (the 双随机 pool) --------------------------------------------------------------

INSPECTOR_COLUMNS = {
    "inspector_key": ["人员编号", "执法证号", "inspector_key"],
    "name": ["姓名", "name"],
    "department": ["所属部门", "部门", "department"],
    "recused_credit_codes": ["回避企业信用代码", "回避企业", "recused"],
}


def inspector(row, cols, lc, src) -> dict:
    from etl.validate import required

    codes = [c.strip() for c in text(row.values.get(cols.get("recused_credit_codes", ""))).replace("，", ",")
             .replace("、", ",").replace(";", ",").split(",") if c.strip()]
    return {"inspector_key": required(row, cols, "inspector_key", "人员编号"), "name": required(row, cols, "name", "姓名"),
            "department": required(row, cols, "department", "所属部门"), "recused_credit_codes": codes}


def load_inspectors(lc, records: list[dict], files: list[str], keep_keys: set[str]) -> dict:
    import sqlalchemy as sa

    counts = {"inserted": 0, "updated": 0, "unchanged": 0, "removed": 0}
    for rec in records:
        old = lc.conn.execute(sa.text("select name, department, recused_credit_codes from inspector "
                                      "where inspector_key = :inspector_key"), rec).first()
        if old is None:
            lc.conn.execute(sa.text("insert into inspector (inspector_key, name, department, recused_credit_codes) "
                                    "values (:inspector_key, :name, :department, :recused_credit_codes)"), rec)
            counts["inserted"] += 1
        elif tuple(old) == (rec["name"], rec["department"], rec["recused_credit_codes"]):
            counts["unchanged"] += 1
        else:
            lc.conn.execute(sa.text("update inspector set name = :name, department = :department, "
                                    "recused_credit_codes = :recused_credit_codes, active = true "
                                    "where inspector_key = :inspector_key"), rec)
            counts["updated"] += 1
    return counts

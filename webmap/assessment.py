"""The assessment wing's API (issue 12): assessed items, the hidden-danger ledger, 双随机 draws and
inspection results, an enterprise's assessment and colour history.  Writes are for the roles
``inspector`` (检查员) and ``operator`` (see :data:`webmap.auth.RULES`) and every write is audited.

* ``GET  /api/v1/enterprises/<id>/assessment`` — the current run's items, coverage and worst case,
  every stored entry (history), and the model's items and conditions (for the entry form);
* ``POST /api/v1/enterprises/<id>/assessment`` — ``{"items": [{code, points | met, evidence,
  source?, assessed_on?, assessed_by?}], "inspection_id"?}`` → 201; counted at the next refresh;
* ``GET  /api/v1/enterprises/<id>/history`` — colour, score, worst case and coverage per run;
* ``GET  /api/v1/assessment/summary`` — the dashboard card's counts (assessed vs provisional,
  could-be-red/orange, the ledger, inspections);
* ``POST /api/v1/hidden-dangers`` — a ledger record (the template's fields in English keys);
  ``PATCH /api/v1/hidden-dangers/<id>`` — ``{"state"?, "on"?, "reviewer"?, 五落实 fields?}``, a bad
  change → 400 naming the rule (``error.rule``);
* ``POST /api/v1/inspections/draw`` — ``{"seed", "period", "quotas"?: [{colour, standardisation,
  credit, quota}]}`` → the draw (seed SHA-256 published, strata, inspections with inspectors);
* ``POST /api/v1/inspections/<id>/result`` — ``{"inspected_on", "result", "hidden_danger_ids"?,
  "assessment_item_ids"?}``.
"""

from __future__ import annotations

import datetime as dt

from flask import Blueprint, g, jsonify, request

from geo import assessment_input
from geo import cells as cells_mod
from geo.assessment_records import hidden_danger_from_row
from geo.errors import InvalidInput, NotFound
from geo.hidden_danger import TransitionError, state_label, transition
from geo.postgis import assessment_queries as queries
from geo.postgis import inspections as inspections_mod
from geo.postgis import ledger
from geo.postgis.runs import current_run_id
from hazmap import users
from webmap.auth import client_address
from webmap.db import connect, domain

bp = Blueprint("assessment", __name__, url_prefix="/api/v1")


def _body() -> dict:
    body = request.get_json(silent=True)
    if not isinstance(body, dict):
        raise InvalidInput("body", "请求体应为 JSON 对象（Content-Type: application/json）")
    return body


def _user() -> dict | None:
    return getattr(g, "user", None)


def _user_name() -> str:
    return (_user() or {}).get("name") or "?"


def _audit(conn, action: str, detail: dict) -> None:
    users.audit(conn, action, user=_user(), detail=detail, ip=client_address())


def _enterprise(conn, eid: int):
    r = queries.enterprise(conn, eid)
    if r is None:
        raise NotFound(f"企业 {eid} 不存在")
    return r


def _inspection_id(conn, body: dict) -> int | None:
    v = body.get("inspection_id")
    if v is None:
        return None
    if isinstance(v, bool) or not isinstance(v, int) or not queries.inspection_exists(conn, v):
        raise InvalidInput("inspection_id", f"检查 {v} 不存在")
    return v


# ---- assessment ----------------------------------------------------------------------------------


@bp.get("/enterprises/<int:eid>/assessment")
def enterprise_assessment(eid: int):
    model = domain().colour_model
    with connect() as conn:
        e = _enterprise(conn, eid)
        run = current_run_id(conn)
        risk = queries.current_grade(conn, run, eid)
        entries = queries.entries(conn, eid)
    return jsonify({
        "enterprise_id": e.id, "name": e.name, "run_id": run,
        "current": risk,
        "entries": entries,
        "model": {"version": model.version,
                  "items": [{"code": i.code, "label": i.label, "category": i.category, "max_deduction": i.max_deduction,
                             "max_bonus": i.max_bonus, "in_guide": i.in_guide} for i in model.items],
                  "conditions": [{"code": d.code, "label": d.label, "clause": d.source} for d in model.direct_red]},
    })


@bp.post("/enterprises/<int:eid>/assessment")
def enterprise_assessment_post(eid: int):
    body = _body()
    entries = assessment_input.entries_from_json(body.get("items"), model=domain().colour_model, by=_user_name(),
                                                 today=dt.date.today())
    with connect() as conn:
        _enterprise(conn, eid)
        inspection = _inspection_id(conn, body)
        ids = ledger.insert_assessed(conn, eid, entries, recorded_by=_user_name(), inspection_id=inspection)
        labels = {i.code: i.label for i in domain().colour_model.items} | {
            d.code: d.label for d in domain().colour_model.direct_red}
        _audit(conn, "assessment_add", {"enterprise_id": eid, "items": [labels[e.code] for e in entries],
                                        "inserted": len(ids), "inspection_id": inspection})
        conn.commit()
    return jsonify({"enterprise_id": eid, "inserted": ids, "unchanged": len(entries) - len(ids),
                    "note": "已记录；下次重新计算时计入风险颜色（同一评估项以最新评估为准，历史保留）"}), 201


@bp.get("/enterprises/<int:eid>/history")
def enterprise_history(eid: int):
    with connect() as conn:
        e = _enterprise(conn, eid)
        out = queries.grade_history(conn, eid, e.credit_code)
    return jsonify({"enterprise_id": eid, "credit_code": e.credit_code, "runs": out})


@bp.get("/assessment/summary")
def assessment_summary():
    from geo.postgis.assessment import summary

    with connect() as conn:
        return jsonify(summary(conn, current_run_id(conn)))


# ---- hidden dangers ------------------------------------------------------------------------------


def _danger_json(row, hd, today: dt.date) -> dict:
    return {"id": row.id, "danger_key": row.danger_key, "enterprise_id": row.enterprise_id, "grade": hd.grade,
            "major_item": hd.major_item, "state": hd.state, "state_label": state_label(hd, as_of=today),
            "description": hd.description, "found_on": hd.found_on.isoformat(), "found_by": hd.found_by,
            "source": hd.source, "place": hd.place, "deadline": hd.rectification.deadline.isoformat()
            if hd.rectification.deadline else None, "missing_five": list(hd.rectification.missing()),
            "rectified_on": hd.rectified_on.isoformat() if hd.rectified_on else None,
            "accepted_on": hd.accepted_on.isoformat() if hd.accepted_on else None, "reviewer": hd.reviewer,
            "location_wgs84": list(hd.location_wgs84) if hd.location_wgs84 else None}


def _transition_error(exc: TransitionError):
    return jsonify({"error": {"field": exc.field, "message": exc.message, "rule": exc.rule}}), 400


@bp.post("/hidden-dangers")
def hidden_danger_post():
    body = _body()
    today = dt.date.today()
    cells = assessment_input.danger_cells(body)
    with connect() as conn:
        if body.get("enterprise_id") is not None and not cells.get("统一社会信用代码"):
            eid = body["enterprise_id"]
            if isinstance(eid, bool) or not isinstance(eid, int):
                raise InvalidInput("enterprise_id", "enterprise_id 应为整数")
            cells["统一社会信用代码"] = _enterprise(conn, eid).credit_code
        cells["发现人"] = cells.get("发现人") or _user_name()
        try:
            hd = hidden_danger_from_row(cells, table=domain().assessment.major_hidden_dangers, today=today)
        except TransitionError as exc:
            return _transition_error(exc)
        eid = queries.enterprise_id(conn, hd.credit_code)
        if eid is None:
            raise InvalidInput("credit_code", f"统一社会信用代码 {hd.credit_code} 的企业未登记")
        inspection = _inspection_id(conn, body)
        src = ((cells_mod.number(body["lon"], "lon"), cells_mod.number(body["lat"], "lat"), str(body.get("crs") or ""))
               if hd.location_wgs84 else None)
        key = body.get("danger_key")
        if key is not None and (not isinstance(key, str) or not key.strip() or len(key) > 64):
            raise InvalidInput("danger_key", "隐患编号应为 1–64 个字符的文本")
        what, did = ledger.save_hidden_danger(conn, eid, hd, key=key, src=src, inspection_id=inspection,
                                              recorded_by=_user_name())
        _audit(conn, "hidden_danger_add", {"id": did, "enterprise_id": eid, "grade": hd.grade, "state": hd.state,
                                           "result": what})
        row, hd = ledger.hidden_danger(conn, did)
        conn.commit()
    return jsonify({**_danger_json(row, hd, today), "result": what}), 201 if what == "inserted" else 200


@bp.patch("/hidden-dangers/<int:did>")
def hidden_danger_patch(did: int):
    body = _body()
    unknown = sorted(set(body) - {"state", "on", "reviewer", *assessment_input.RECTIFICATION_KEYS})
    if unknown:
        raise InvalidInput(unknown[0], f"未知字段 {unknown[0]}（可改：状态 state、日期 on、验收人 reviewer、五落实各项）")
    today = dt.date.today()
    with connect() as conn:
        found = ledger.hidden_danger(conn, did)
        if found is None:
            raise NotFound(f"隐患 {did} 不存在")
        row, hd = found
        rect = assessment_input.rectification_update(hd.rectification, body)
        on = assessment_input.date_field(body.get("on"), "on", today=today)
        reviewer = body.get("reviewer")
        if reviewer is not None and not isinstance(reviewer, str):
            raise InvalidInput("reviewer", "验收人应为文本")
        try:
            if body.get("state") is not None:
                new = transition(hd, body["state"], on=on, reviewer=(reviewer or "").strip() or None,
                                 rectification=rect)
            else:
                from dataclasses import replace

                new = replace(hd, rectification=rect)
        except TransitionError as exc:
            return _transition_error(exc)
        ledger.update_hidden_danger(conn, did, new, recorded_by=_user_name())
        _audit(conn, "hidden_danger_update", {"id": did, "from": hd.state, "to": new.state})
        row, new = ledger.hidden_danger(conn, did)
        conn.commit()
    return jsonify(_danger_json(row, new, today))


# ---- inspections ---------------------------------------------------------------------------------


@bp.post("/inspections/draw")
def inspection_draw():
    body = _body()
    with connect() as conn:
        result = inspections_mod.draw_and_store(conn, body, rules=domain().assessment.draw, by=_user_name())
        _audit(conn, "inspection_draw", {"draw_id": result["draw_id"], "period": result["period"],
                                         "inspections": len(result["inspections"])})
        conn.commit()
    return jsonify(result), 201


@bp.post("/inspections/<int:iid>/result")
def inspection_result(iid: int):
    body = _body()
    with connect() as conn:
        out = inspections_mod.record_result(conn, iid, body, by=_user_name(), today=dt.date.today())
        _audit(conn, "inspection_result", {"inspection_id": iid, "hidden_dangers": out["hidden_danger_ids"],
                                           "assessment_items": out["assessment_item_ids"]})
        conn.commit()
    return jsonify(out)

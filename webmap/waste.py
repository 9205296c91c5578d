"""The waste wing's HTTP: a manifest's life cycle, an enterprise's waste file section and the
动态清零 page.

* ``PATCH /api/v1/waste-manifests/<no>`` (operator): body ``{"state": "已启运", "at": "2026-03-02T10:00",
  "received_t": [1.9], "major_discrepancy": false}`` — ``at`` (Beijing time, default now) and the
  rest optional; the move is checked against ``data/rules/waste_manifest.toml`` (a refusal is a
  400 naming the rule and the states allowed next), stored with its history and audited.  Stock
  and findings follow at the next refresh (the answer says so).
* ``GET /api/v1/enterprises/<id>/waste``: stock, the 动态清零 rows, findings and manifests of one
  enterprise (current run), for the enterprise file's waste section.
* ``GET /waste/clearance``: the 动态清零 list page (from the ``waste-clearance`` collection).
"""

from __future__ import annotations

import datetime as dt
from zoneinfo import ZoneInfo

from flask import Blueprint, g, jsonify, request

from geo.errors import InvalidInput, NotFound
from geo.postgis import waste_queries, waste_store
from geo.waste.manifest import TransitionRefused, transition
from webmap.db import connect, domain

bp = Blueprint("waste", __name__)
BEIJING = ZoneInfo("Asia/Shanghai")
_BODY_FIELDS = ("state", "at", "received_t", "major_discrepancy")


def _at(raw) -> dt.datetime:
    now = dt.datetime.now(BEIJING).replace(tzinfo=None, microsecond=0)
    if raw is None:
        return now
    if not isinstance(raw, str):
        raise InvalidInput("at", "at 应为时间字符串（如 2026-03-02T10:00，北京时间）")
    try:
        at = dt.datetime.fromisoformat(raw.replace("Z", "+00:00"))
    except ValueError:
        raise InvalidInput("at", f"at 应为时间（如 2026-03-02T10:00，北京时间），实际“{raw[:40]}”") from None
    if at.tzinfo is not None:
        at = at.astimezone(BEIJING).replace(tzinfo=None)
    if at > now + dt.timedelta(minutes=5):
        raise InvalidInput("at", f"状态变更时间 {at:%Y-%m-%d %H:%M} 晚于当前时间")
    return at


def _received(raw, n_rows: int) -> list[float] | None:
    if raw is None:
        return None
    if not isinstance(raw, list) or any(isinstance(x, bool) or not isinstance(x, (int, float)) for x in raw):
        raise InvalidInput("received_t", f"received_t 应为每一明细行的接受量（吨）列表，共 {n_rows} 项")
    return [float(x) for x in raw]


def _body() -> dict:
    body = request.get_json(silent=True)
    if not isinstance(body, dict):
        raise InvalidInput("body", "请求体应为 JSON 对象，如 {\"state\": \"已启运\"}")
    unknown = [k for k in body if k not in _BODY_FIELDS]
    if unknown:
        raise InvalidInput(unknown[0], f"未知字段 {unknown[0]}（可用：{'、'.join(_BODY_FIELDS)}）")
    if not isinstance(body.get("state"), str) or not body["state"].strip():
        raise InvalidInput("state", "state 为必填，应为联单状态（如 已启运）")
    disc = body.get("major_discrepancy")
    if disc is not None and not isinstance(disc, bool):
        raise InvalidInput("major_discrepancy", "major_discrepancy 应为 true 或 false")
    return body


@bp.patch("/api/v1/waste-manifests/<no>")
def manifest_transition(no: str):
    from hazmap import users
    from webmap.auth import client_address

    body = _body()
    rules = domain().waste.rules.manifest
    to_state = body["state"].strip()
    with connect() as conn:
        m = waste_store.manifest(conn, no, for_update=True)
        if m is None:
            raise NotFound(f"联单 {no} 不存在")
        received = _received(body.get("received_t"), len(m.rows))
        disc = body.get("major_discrepancy")
        if disc is not None and to_state not in ("已接收", "部分接收", "拒收"):
            raise InvalidInput("major_discrepancy", "是否存在重大差异仅在接受人确认（已接收、部分接收、拒收）时填写")
        user = getattr(g, "user", None) or {}
        try:
            moved = transition(m, to_state, at=_at(body.get("at")), by=user.get("name") or "", rules=rules,
                               received_t=received)
        except TransitionRefused as exc:
            raise InvalidInput("received_t" if "接受量" in exc.reason else "state", exc.reason) from None
        if disc is not None:
            from dataclasses import replace

            moved = replace(moved, major_discrepancy=disc)
        waste_store.store_transition(conn, moved)
        event = moved.history[-1]
        users.audit(conn, "waste_manifest_transition", user=user, ip=client_address(),
                    detail={"manifest_no": m.manifest_no, "from": event.from_state, "to": event.to_state,
                            "rule": event.rule_id})
        conn.commit()
    rule = rules.transitions[(event.from_state, event.to_state)]
    return jsonify({
        "manifest_no": moved.manifest_no, "state": moved.state, "from_state": event.from_state,
        "rule": {"id": rule.rule_id, "status": rule.status, "basis": rule.basis},
        "receipt_date": moved.receipt_date.isoformat() if moved.receipt_date else None,
        "receiver_decision": moved.receiver_decision, "major_discrepancy": moved.major_discrepancy,
        "received_t": [r.received_t for r in moved.rows],
        "allowed_next": [{"state": t.to_state, "rule": t.rule_id} for t in rules.allowed_from(moved.state)],
        "history": [{"from_state": e.from_state, "to_state": e.to_state, "at": e.at.isoformat(timespec="seconds"),
                     "by": e.by, "rule": e.rule_id} for e in moved.history],
        "note": "联单状态已更新；库存、超期与问题清单在下次数据导入或重新计算后更新",
    })


# ---- reads: an enterprise's waste section, the dashboard card, the map legend, the 动态清零 page ----

def _features(conn, cid: str, base: dict, equals: dict, limit: int = 1000) -> list[dict]:
    import json

    from geo.postgis import collections as registry

    page = registry.page(conn, registry.get(cid), registry.Selection(equals=equals), base, limit=limit)
    return [json.loads(f)["properties"] for f in page.features]


@bp.get("/api/v1/enterprises/<int:eid>/waste")
def enterprise_waste(eid: int):
    """One enterprise's waste file section (一企一档): producer totals, stock per code with FIFO age,
    the findings (each with its rule), manifests it sent, and its licence when it is a receiver."""
    from webmap.reading import reading

    with reading() as (conn, run, base):
        code = waste_queries.credit_code(conn, eid)
        if code is None:
            raise NotFound(f"企业 {eid} 不存在")
        producer = _features(conn, "waste-producers", base, {"credit_code": code}, 1)
        stock = _features(conn, "waste-stock", base, {"credit_code": code})
        findings = _features(conn, "waste-findings", base, {"credit_code": code})
        manifests = _features(conn, "waste-manifests", base, {"generator_credit_code": code})
        licences = _features(conn, "waste-facilities", base, {"credit_code": code})
    notes = []
    if not producer:
        notes.append("本企业未登记为危险废物产生单位（无管理计划），库存按台账与联单核算" if stock else
                     "本企业无危险废物登记（产生单位、台账、联单均无）：未评估")
    if any(m.get("waybill_status") in ("unchecked", "not_found") for m in manifests):
        notes.append("部分联单未与电子运单核对（未核查），原因见各联单的运单核对说明")
    return jsonify({"enterprise_id": eid, "credit_code": code, **run.as_json(),
                    "producer": producer[0] if producer else None, "stock": stock, "findings": findings,
                    "manifests": manifests, "licences": licences, "notes": notes})


@bp.get("/api/v1/waste/summary")
def summary():
    """The dashboard card: on-site stock by town, long-stored count, open manifests by state."""
    from webmap.reading import reading

    open_states = sorted(domain().waste.rules.manifest.open_states)
    with reading() as (conn, run, base):
        card = waste_queries.dashboard(conn, base["run"], open_states)
    return jsonify({**run.as_json(), **card})


@bp.get("/api/v1/waste/legend")
def legend():
    """The waste layer's legend: the age bands (label and colour) and what they are measured against."""
    from geo.postgis.collections.waste import AGE_BANDS

    s = domain().waste.rules.stock
    return jsonify({"bands": [{"code": c, "label": t, "hex": h} for c, t, h in AGE_BANDS],
                    "note": f"按最早一批在库危险废物的贮存天数（先进先出）对照贮存期限：产生单位 {s.max_storage_days.value:g} 天"
                            f"（本地政策），持证经营单位 {s.operator_max_storage_days.value:g} 天（固废法第八十一条）"})


@bp.get("/waste/clearance")
def clearance():
    from webmap.pages import render_page

    from webmap.auth import EXPORT_ROLES

    role = (getattr(g, "user", None) or {}).get("role")
    return render_page("waste_clearance.html", page="waste", title="危险废物动态清零清单", can_export=role in EXPORT_ROLES)


def openapi_paths(ok_json, get, param, errors: dict, not_found: dict) -> dict:
    """The waste endpoints for ``/api/v1/openapi.json`` (``webmap.openapi`` builds the rest)."""
    body = {"type": "object", "required": ["state"], "additionalProperties": False, "properties": {
        "state": {"type": "string", "description": "目标联单状态（草稿、已提交、已启运、运输中、已送达、已接收、部分接收、拒收、退回、作废）"},
        "at": {"type": "string", "description": "变更时间（北京时间，默认当前）"},
        "received_t": {"type": "array", "items": {"type": "number", "minimum": 0}, "description": "每一明细行的接受量（吨）"},
        "major_discrepancy": {"type": "boolean", "description": "是否存在重大差异（确认接受时填写）"}}}
    return {
        "patch": {"summary": "变更联单状态（运维角色；按 data/rules/waste_manifest.toml 的流转规则校验并审计）",
                  "parameters": [param("key", "联单编号", {"type": "string"}, "path", True)],
                  "requestBody": {"required": True, "content": {"application/json": {"schema": body}}},
                  "responses": {"200": ok_json("变更后的联单状态、依据规则与可变为的状态"), **errors, **not_found}},
    }, {
        "/api/v1/enterprises/{eid}/waste": get(
            "一企一档：危险废物（库存、问题、联单、许可证）", [param("eid", "企业编号", {"type": "integer"}, "path", True)],
            ok_json(), extra=not_found),
        "/api/v1/waste/summary": get("危险废物看板：按属地在库量、超期数、未闭环联单", [], ok_json()),
        "/api/v1/waste/legend": get("危险废物图层图例（贮存期限状态）", [], ok_json()),
    }

"""``/siting``: the planners' siting check page; the check itself for ``POST /api/v1/siting/check``
(JSON, or ``?format=pdf``) and ``POST /api/v1/siting/report.pdf`` (the 选址初筛意见 PDF)."""

from __future__ import annotations

import math
import threading
import time

from flask import Blueprint, Response, g, request

from geo.errors import InvalidInput, LimitExceeded
from webmap.db import connect, domain, settings
from webmap.pages import render_page

bp = Blueprint("siting", __name__)

_siting_calls: dict[tuple[str, str], list[float]] = {}  # (caller, what) → times of their calls in the last minute
_siting_lock = threading.Lock()


def rate_limit_siting(what: str) -> None:
    """``siting_checks_per_minute`` per user (or per address) and kind of call, in this process → 429."""
    per_minute = settings().limits.siting_checks_per_minute
    who = ((getattr(g, "user", None) or {}).get("name") or request.remote_addr or "?", what)
    now = time.monotonic()
    with _siting_lock:
        calls = [t for t in _siting_calls.get(who, []) if now - t < 60.0]
        if len(calls) >= per_minute:
            _siting_calls[who] = calls
            retry = max(1, math.ceil(60.0 - (now - calls[0])))  # when the oldest call leaves the minute
            # page users read the message: it says the limit in Chinese; the setting's name is the
            # error's field (and the README's), for operators and API clients
            raise LimitExceeded("siting_checks_per_minute",
                                f"选址核查过于频繁：每人每分钟最多 {per_minute} 次，请 {retry} 秒后再试", 429,
                                retry_after_s=retry)
        calls.append(now)
        _siting_calls[who] = calls


def facility_types() -> list[str]:
    """The facility classes a candidate may be declared as (``data/rules/source_classes.csv``)."""
    return list(domain().rules.facility_classes)


@bp.get("/siting")
def siting():
    return render_page("siting.html", page="siting", title="选址核查 — 危险化学品安全风险",
                       options={"facilityTypes": facility_types()})


def request_payload() -> dict:
    payload = request.get_json(silent=True)
    if payload is None:
        raise InvalidInput("body", "请求体应为 JSON（Content-Type: application/json）")
    if not isinstance(payload, dict):
        raise InvalidInput("body", "请求体应为 JSON 对象（含 location、facility_type、stage 与 inventory）")
    return payload


def run_check(payload: dict, *, via: str, fmt: str) -> dict:
    """The siting check of ``payload``, audited."""
    from geo.postgis.siting import check_site
    from hazmap.domain import siting_area
    from webmap.auth import record

    with connect() as conn:
        result = check_site(conn, payload, domain(), area=siting_area(settings()))
    record("siting_check", {"via": via, "format": fmt, "location": result["location"],
                            "facility_type": result["facility_type"], "stage": result["stage"],
                            "verdict": result["verdict"]["decision"], "risk_color": result["risk_color"],
                            "outside_area": result["area"]["outside"]})
    return result


def pdf_response(result: dict, payload: dict) -> Response:
    from webmap.printing import siting_pdf

    return Response(siting_pdf(result, user=g.user, request_body=payload), mimetype="application/pdf",
                    headers={"Content-Disposition": "attachment; filename=siting-opinion.pdf"})


@bp.post("/api/v1/siting/report.pdf")
def report_pdf():
    rate_limit_siting("check")  # the PDF runs the same check (and costs more): the same limit
    payload = request_payload()
    return pdf_response(run_check(payload, via="page", fmt="pdf"), payload)

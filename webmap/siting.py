"""``/siting``: the planners' siting check page; the check itself for ``POST /api/v1/siting/check``
(JSON, or ``?format=pdf``) and ``POST /api/v1/siting/report.pdf`` (the 选址初筛意见 PDF)."""

from __future__ import annotations

from flask import Blueprint, Response, g, request

from geo.errors import InvalidInput
from webmap.db import connect, domain, settings
from webmap.pages import render_page

bp = Blueprint("siting", __name__)


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
    payload = request_payload()
    return pdf_response(run_check(payload, via="page", fmt="pdf"), payload)

"""``/siting``: the planners' siting check (same engine as ``POST /api/v1/siting/check``), and
``POST /api/v1/siting/report.pdf``: the same check rendered as a 选址初筛意见 PDF."""

from __future__ import annotations

from flask import Blueprint, Response, g, request

from geo.errors import InvalidInput
from webmap.db import connect, domain
from webmap.pages import render_page

bp = Blueprint("siting", __name__)


def facility_types() -> list[str]:
    """The facility classes a candidate may be declared as (``data/rules/source_classes.csv``)."""
    return list(domain().rules.facility_classes)


@bp.get("/siting")
def siting():
    return render_page("siting.html", page="siting", title="选址核查 — 危险化学品安全风险",
                       options={"facilityTypes": facility_types()})


@bp.post("/api/v1/siting/report.pdf")
def report_pdf():
    from geo.postgis.siting import check_site
    from webmap.auth import record
    from webmap.printing import siting_pdf

    payload = request.get_json(silent=True)
    if not isinstance(payload, dict):
        raise InvalidInput("body", "请求体应为 JSON 对象（含 location 与 inventory）")
    with connect() as conn:
        result = check_site(conn, payload, domain())
    record("siting_check", {"location": result["location"], "facility_type": payload.get("facility_type"),
                            "decision": result["verdict"]["decision"], "format": "pdf"})
    return Response(siting_pdf(result, user=g.user, request_body=payload), mimetype="application/pdf",
                    headers={"Content-Disposition": "attachment; filename=siting-opinion.pdf"})

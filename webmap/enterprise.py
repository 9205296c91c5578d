"""``/enterprises/<id>``: the enterprise file (一企一档) in Chinese.

The page renders what the enterprises collection holds for the enterprise (identity, credit code,
address, licence and expiry, stages, departments, town and village, hazard units with S/R/α/grade
and inventory, conflicts with rule and clause, the current colour with its coverage, worst case and
deciding reasons) on the server; one script (``static/enterprise.js``) fills the assessment items
(with the entry form for inspectors), the hidden dangers, the inspections and the colour and score
history from their endpoints.  Other wings add sections through :data:`ENTERPRISE_SECTIONS`.
"""

from __future__ import annotations

from flask import Blueprint, g

from geo.errors import NotFound
from geo.postgis import collections as registry
from webmap import labels
from webmap.db import domain
from geo.hidden_danger import NEXT_STATES
from webmap.pages import render_page
from webmap.reading import reading

bp = Blueprint("enterprise", __name__)

# The wings' sections of the enterprise file: (template partial under templates/enterprise/, script under
# static/), rendered in order after the core sections; each partial fetches its own endpoint
# GET /api/v1/enterprises/<id>/<wing> (the enterprise id is in the page's data block, opts.enterpriseId).
# A wing adds its section here, one line.
ENTERPRISE_SECTIONS: tuple[tuple[str, str], ...] = (
    ("consequence.html", "enterprise_consequence.js"),  # threat zones, IR, F–N (issue 17)
    ("waste.html", "enterprise_waste.js"),  # hazardous waste (issue 16)
    ("transport.html", "enterprise_transport.js"),  # waybills failing 五必查 as loader or carrier (issue 15)
)

ASSESSORS = ("operator", "inspector")


@bp.get("/enterprises/<int:eid>")
def enterprise_page(eid: int):
    c = registry.get("enterprises")
    with reading() as (conn, _, base):
        f = registry.feature(conn, c, eid, base)
    if f is None:
        raise NotFound(f"企业 {eid} 不存在")
    p = f["properties"]
    model = domain().colour_model
    role = (getattr(g, "user", None) or {}).get("role")
    return render_page("enterprise.html", page="enterprise", title=f"一企一档 — {p['name']}",
                       options={"enterpriseId": eid, "canAssess": role in ASSESSORS,
                                "conditions": [d.code for d in model.direct_red],
                                # the ledger's state machine (geo.hidden_danger), for the update form
                                "nextStates": {k: list(v) for k, v in NEXT_STATES.items()}},
                       e=p, geometry=f.get("geometry"), sections=ENTERPRISE_SECTIONS, enterprise_id=eid,
                       unit_kind_label=domain().vocabulary.as_json().get("unit_kinds", {}),
                       precision_label=labels.PRECISION_LABEL)

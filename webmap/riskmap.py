"""``/``: the four-colour safety-risk distribution map (安全风险分布图)."""

from __future__ import annotations

from flask import Blueprint

from webmap.pages import render_page

bp = Blueprint("riskmap", __name__)

# The wings' overlay scripts (static/overlays_<wing>.js, each calling hz.overlay(...) for its
# collections); a wing adds its script here, one line.
OVERLAY_SCRIPTS: tuple[str, ...] = ("overlays_assessment.js",  # hidden dangers (issue 12)
                                   "overlays_consequence.js",  # threat zones and IR contours (issue 17)
                                   "overlays_waste.js",  # hazardous waste (issue 16)
                                   "overlays_transport.js")  # transport (issue 15)


@bp.get("/")
def risk_map():
    return render_page("map.html", page="map", title="危险化学品安全风险分布图", overlay_scripts=OVERLAY_SCRIPTS)

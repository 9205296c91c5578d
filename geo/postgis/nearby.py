"""The one candidate box for "within N metres" searches on lon/lat geometry.

A geography ``ST_DWithin`` probe is exact but slow to drive an index scan at scale (each
candidate pays a spheroidal distance).  The planar GiST index on ``geom`` (EPSG:4326 degrees)
is twice as fast to probe with a box, provided the box is certain to contain every point
within the distance.  :func:`metric_box` builds that box: latitude is widened by the metres
over the shortest meridian degree (110 574 m, at the equator), longitude by the metres over
the shortest parallel degree at the most poleward latitude the widened box reaches
(111 320 m · cos φ, φ capped at 89°), both with 2 % headroom.  The exact spheroidal distance
is still computed for every candidate; the box only chooses candidates, so results equal the
geography probe (``tests/test_conflicts_engines.py`` compares the two on the same data).
"""

from __future__ import annotations

# Metres per degree, the conservative (smallest) values on the WGS-84 ellipsoid.
METRES_PER_DEGREE_LATITUDE = 110_574.0   # meridian degree at the equator (the shortest)
METRES_PER_DEGREE_LONGITUDE = 111_320.0  # equatorial parallel degree, scaled by cos φ
HEADROOM = 1.02


def metric_box(geom: str, metres: str) -> str:
    """SQL expression: the EPSG:4326 box of ``geom`` widened by ``metres`` (SQL expressions)."""
    dlat = f"(({metres}) * {HEADROOM} / {METRES_PER_DEGREE_LATITUDE})"
    pole = (f"least(89.0, greatest(abs(ST_YMin({geom})), abs(ST_YMax({geom}))) + {dlat})")
    dlon = f"(({metres}) * {HEADROOM} / ({METRES_PER_DEGREE_LONGITUDE} * cos(radians({pole}))))"
    return f"ST_Expand({geom}, {dlon}, {dlat})"

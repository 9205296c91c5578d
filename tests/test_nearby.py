"""The candidate box of "within N metres": every point at that spheroidal distance lies inside it."""

from __future__ import annotations

import pytest
import sqlalchemy as sa
from pyproj import Geod

from geo.postgis.nearby import metric_box
from hazmap.db.session import get_engine

GEOD = Geod(ellps="WGS84")
BOX = sa.text(f"""
    select ST_XMin(b), ST_XMax(b), ST_YMin(b), ST_YMax(b)
    from (select {metric_box("ST_SetSRID(ST_MakePoint(:lon, :lat), 4326)", ":m")} as b) q""")


@pytest.mark.parametrize("lon, lat, metres", [
    (112.85, 35.49, 800.0),    # Jincheng, a filling-station distance
    (126.63, 45.75, 3000.0),   # Harbin
    (122.53, 53.48, 5000.0),   # Mohe: the widest longitude span in China
    (110.33, 20.03, 50.0),     # Haikou, a short distance
    (87.62, 43.82, 12000.0),   # Urumqi, a consequence-scale distance
])
def test_every_point_at_the_distance_lies_inside_the_box(schema_db_url, lon, lat, metres):
    with get_engine(schema_db_url).connect() as conn:
        xmin, xmax, ymin, ymax = conn.execute(BOX, {"lon": lon, "lat": lat, "m": metres}).one()
    for azimuth in range(0, 360, 5):
        x, y, _ = GEOD.fwd(lon, lat, azimuth, metres)
        assert xmin < x < xmax and ymin < y < ymax, (azimuth, x, y)
    # ... and the box is no more than the headroom wider than needed (east and north reach)
    east = GEOD.fwd(lon, lat, 90, metres)[0] - lon
    north = GEOD.fwd(lon, lat, 0, metres)[1] - lat
    assert (xmax - lon) < east * 1.05 and (ymax - lat) < north * 1.05

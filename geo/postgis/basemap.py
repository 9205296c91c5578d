"""The basemap drawn from the data the deployment holds, when no tiles are configured.

District and town boundaries with a label point inside each (town and village names are
always labelled, not on hover), and road lines reconstructed from the gazetteer: each road
entry (precision ``road``) joined to the address points that carry its name, ordered along
the road's principal direction — the demo's roads and any deployment's gazetteer alike.
WGS-84 lon/lat (EPSG:4326); simplified for display only.
"""

from __future__ import annotations

import json

import sqlalchemy as sa

_AREAS = sa.text("""
    select code, name, level, synthetic,
           ST_AsGeoJSON(ST_SimplifyPreserveTopology(geom, 0.0002), 6) as g,
           ST_X(ST_PointOnSurface(geom)) as lx, ST_Y(ST_PointOnSurface(geom)) as ly
    from admin_area where geom is not null order by level, code
""")

# a road = its gazetteer entry + the address points "<road>NNN号"; ordered along the longer
# side of their extent (the demo's and most districts' streets run roughly straight)
_ROADS = sa.text("""
    with road as (
        select r.id, regexp_replace(r.address, '^.*(区|县|市)', '') as name, r.address, r.geom
        from gazetteer_entry r where r.precision = 'road'
    ), pts as (
        select road.id, road.name, p.geom from road
        join gazetteer_entry p on p.precision = 'address_point' and strpos(p.address, road.address) = 1
        union all select id, name, geom from road
    ), ext as (
        select id, name, count(*) as n,
               ST_XMax(ST_Extent(geom)) - ST_XMin(ST_Extent(geom)) >= ST_YMax(ST_Extent(geom)) - ST_YMin(ST_Extent(geom)) as along_x
        from pts group by id, name
    )
    select ext.name, ST_AsGeoJSON(ST_MakeLine(pts.geom order by
               case when ext.along_x then ST_X(pts.geom) else ST_Y(pts.geom) end), 6) as g
    from ext join pts on pts.id = ext.id where ext.n >= 2
    group by ext.id, ext.name, ext.along_x order by ext.name
""")


def basemap(conn) -> dict:
    """A FeatureCollection: areas (``layer`` district/town/village), their label points
    (``layer`` label) and roads (``layer`` road), each with a ``name``."""
    feats = []
    for r in conn.execute(_AREAS):
        feats.append({"type": "Feature", "geometry": json.loads(r.g),
                      "properties": {"layer": r.level, "code": r.code, "name": r.name, "synthetic": r.synthetic}})
        if r.level != "district":
            feats.append({"type": "Feature", "geometry": {"type": "Point", "coordinates": [round(r.lx, 6), round(r.ly, 6)]},
                          "properties": {"layer": "label", "level": r.level, "code": r.code, "name": r.name}})
    for r in conn.execute(_ROADS):
        feats.append({"type": "Feature", "geometry": json.loads(r.g), "properties": {"layer": "road", "name": r.name}})
    return {"type": "FeatureCollection", "features": feats, "crs_note": "WGS-84 (EPSG:4326) 经纬度，RFC 7946"}

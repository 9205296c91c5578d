"""Area risk (安全风险分布图): per town/street and per 500 m grid cell.

Enterprises and protection targets are attributed to a town by their ``town_code`` (from the
registry) or, when it is missing, by the town polygon that contains their point (a point on the
surface for polygons) — one statement, :func:`attribute_towns`, run by the load and the refresh.  Grid cells are 500 m squares in
the UTM zone of the data's centre (a metric grid for drawing and aggregation, not for
distances), returned to WGS-84 for storage.
"""

from __future__ import annotations

import sqlalchemy as sa

GRID_SIZE_M = 500.0

TOWN_TABLES = ("enterprise", "protection_target")
# set-based: each town polygon probes the rows' geometry index (``&&``), then the exact test on a
# point on the surface; rows outside every town keep town_code null and cost only the index probe
_ATTRIBUTE_TOWN_SQL = """
    update {table} x set town_code = a.code
    from (select code, geom from admin_area where level = 'town' order by code) a
    where x.town_code is null and a.geom && x.geom and ST_Intersects(a.geom, ST_PointOnSurface(x.geom))
"""

ENTERPRISE_TOWN_SQL = sa.text("select id, town_code from enterprise")

TOWNS_SQL = sa.text("""
    select code, name, ST_AsEWKB(geom) as geom from admin_area where level = 'town' order by code
""")

UTM_SRID_SQL = sa.text("""
    select case when ST_Y(c) >= 0 then 32600 else 32700 end
           + least(60, greatest(1, floor((ST_X(c) + 180) / 6)::int + 1))
    from (select ST_Centroid(ST_Extent(geom)::geometry) as c from enterprise) s
""")

ENTERPRISE_CELL_SQL = sa.text("""
    select e.id, floor(ST_X(p) / :size)::bigint as i, floor(ST_Y(p) / :size)::bigint as j
    from (select id, ST_Transform(geom, :srid) as p from enterprise) e
""")

def attribute_towns(conn: sa.Connection) -> None:
    """Fill the missing ``town_code`` of enterprises and targets from the town polygons."""
    for table in TOWN_TABLES:
        conn.execute(sa.text(_ATTRIBUTE_TOWN_SQL.format(table=table)))


def enterprise_towns(conn: sa.Connection) -> dict[int, str | None]:
    return {r.id: r.town_code for r in conn.execute(ENTERPRISE_TOWN_SQL)}


def towns(conn: sa.Connection) -> list:
    return list(conn.execute(TOWNS_SQL))


def enterprise_cells(conn: sa.Connection, *, size_m: float = GRID_SIZE_M) -> tuple[int | None, dict]:
    """``(utm_srid, {enterprise_id: (i, j)})`` for the metric grid."""
    srid = conn.execute(UTM_SRID_SQL).scalar()
    if srid is None:
        return None, {}
    cells = {r.id: (r.i, r.j) for r in conn.execute(ENTERPRISE_CELL_SQL, {"srid": srid, "size": size_m})}
    return srid, cells


_INSERT_TOWNS = sa.text("""
    insert into area_risk (run_id, level, area_code, name, risk_index, risk_color, counts, exposed_people, geom)
    select :run_id, 'town', a.code, a.name, g.idx, g.color, cast(g.counts as jsonb), g.people, a.geom
    from unnest(cast(:codes as text[]), cast(:idx as float8[]), cast(:colors as text[]), cast(:counts as text[]),
                cast(:people as float8[])) as g(code, idx, color, counts, people)
    join admin_area a on a.code = g.code
""")

_INSERT_CELLS = sa.text("""
    insert into area_risk (run_id, level, area_code, name, risk_index, risk_color, counts, exposed_people, geom)
    select :run_id, 'grid', :srid || ':' || g.i || ':' || g.j, '网格 ' || g.i || ',' || g.j, g.idx, g.color,
           cast(g.counts as jsonb), g.people,
           ST_Multi(ST_Transform(ST_MakeEnvelope(g.i * :size, g.j * :size, (g.i + 1) * :size, (g.j + 1) * :size,
                                                 :srid), 4326))
    from unnest(cast(:is as bigint[]), cast(:js as bigint[]), cast(:idx as float8[]), cast(:colors as text[]),
                cast(:counts as text[]), cast(:people as float8[])) as g(i, j, idx, color, counts, people)
""")


def insert_towns(conn: sa.Connection, run_id: int, rows: list[tuple]) -> int:
    """``rows``: (town code, index, colour, counts JSON, people) — one statement for every town."""
    if not rows:
        return 0
    cols = list(zip(*rows))
    return conn.execute(_INSERT_TOWNS, {"run_id": run_id, "codes": list(cols[0]), "idx": list(cols[1]),
                                        "colors": list(cols[2]), "counts": list(cols[3]),
                                        "people": list(cols[4])}).rowcount


def insert_cells(conn: sa.Connection, run_id: int, srid: int | None, rows: list[tuple]) -> int:
    """``rows``: ((i, j), index, colour, counts JSON, people) of the metric grid of ``srid``."""
    if not rows:
        return 0
    cols = list(zip(*rows))
    return conn.execute(_INSERT_CELLS, {"run_id": run_id, "srid": srid, "size": GRID_SIZE_M,
                                        "is": [k[0] for k in cols[0]], "js": [k[1] for k in cols[0]],
                                        "idx": list(cols[1]), "colors": list(cols[2]), "counts": list(cols[3]),
                                        "people": list(cols[4])}).rowcount


_EXTENT_SQL = sa.text("""
    select ST_XMin(e) x0, ST_YMin(e) y0, ST_XMax(e) x1, ST_YMax(e) y1
    from (select coalesce((select ST_Extent(geom) from admin_area where level = 'district'),
                          (select ST_Extent(geom) from enterprise)) as e) s
""")


def extent(conn: sa.Connection) -> tuple[float, float, float, float] | None:
    """The WGS-84 extent of the district boundary (else of the enterprises); None when neither is loaded."""
    r = conn.execute(_EXTENT_SQL).first()
    return (r.x0, r.y0, r.x1, r.y1) if r is not None and r.x0 is not None else None

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
_ATTRIBUTE_TOWN_SQL = """
    update {table} x set town_code = (
        select a.code from admin_area a
        where a.level = 'town' and ST_Intersects(a.geom, ST_PointOnSurface(x.geom))
        order by a.code limit 1)
    where x.town_code is null
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

CELL_GEOM_SQL = sa.text("""
    select ST_Multi(ST_Transform(ST_MakeEnvelope(:i * :size, :j * :size, (:i + 1) * :size,
                                                 (:j + 1) * :size, :srid), 4326))
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


def insert_area(conn: sa.Connection, *, run_id: int, level: str, code: str, name: str,
                index: float, color: str, counts: dict, exposed_people: float,
                geom_sql: str, params: dict) -> None:
    import json

    conn.execute(sa.text(f"""
        insert into area_risk (run_id, level, area_code, name, risk_index, risk_color, counts,
                               exposed_people, geom)
        values (:run_id, :level, cast(:code as text), :name, :index, :color, cast(:counts as jsonb), :people,
                ({geom_sql}))
    """), {"run_id": run_id, "level": level, "code": code, "name": name, "index": index,
           "color": color, "counts": json.dumps(counts), "people": exposed_people, **params})

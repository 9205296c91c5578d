"""Pipeline high-consequence areas (GB 32167-2015) along each stored pipeline.

Each pipeline is cut into 100 m pieces (``ST_LineSubstring``); for each piece the protection
targets within the search window — the larger of the potential impact radius and the 200 m
corridor of the oil-line rules — are found with an index-using ``ST_DWithin`` on geography,
graded by :func:`geo.pipelines.hca_grade`, and consecutive pieces of the same grade are
merged into one stored HCA segment with its reasons.
"""

from __future__ import annotations

import json
import math

import sqlalchemy as sa

from geo import pipelines as hca

PIECE_M = 100.0

PIPELINES_SQL = sa.text("""
    select id, name, medium, diameter_mm, maop_mpa, ST_Length(geog) as length_m
    from pipeline order by id
""")

NEAR_SQL = sa.text("""
    with p as (select geom, ST_Length(geog) as len from pipeline where id = :pid),
    piece as (
        select n, ST_LineSubstring(p.geom, least(1.0, n * :step / p.len),
                                   least(1.0, (n + 1) * :step / p.len)) as g
        from p, generate_series(0, greatest(0, ceil(p.len / :step)::int - 1)) as n
    )
    select piece.n, t.id as target_id, t.name, t.category, t.households, t.population,
           ST_Distance(t.geog, piece.g::geography) as distance_m
    from piece join protection_target t on ST_DWithin(t.geog, piece.g::geography, :window)
    order by piece.n, distance_m
""")

INSERT_SQL = sa.text("""
    insert into pipeline_hca (run_id, pipeline_id, grade, impact_radius_m, reasons, geom)
    select :run_id, :pid, :grade, :radius, cast(:reasons as jsonb),
           ST_LineSubstring(geom, least(1.0, :n0 * :step / ST_Length(geog)),
                            least(1.0, (:n1 + 1) * :step / ST_Length(geog)))
    from pipeline where id = :pid
""")


def refresh_hca(conn: sa.Connection, run_id: int, params: dict) -> int:
    """HCA segments of every pipeline for ``run_id``; ``params``: ``data/rules/pipeline_hca.toml``."""
    n_segments = 0
    for p in conn.execute(PIPELINES_SQL).all():
        radius = hca.impact_radius_m(diameter_mm=p.diameter_mm, maop_mpa=p.maop_mpa,
                                     coefficient=params["impact_radius_coefficient"])
        window = max(radius, params["corridor_m"])
        pieces: dict[int, list[dict]] = {}
        for r in conn.execute(NEAR_SQL, {"pid": p.id, "step": PIECE_M, "window": window}):
            pieces.setdefault(r.n, []).append({
                "target_id": r.target_id, "name": r.name, "category": r.category,
                "households": r.households, "population": r.population,
                "distance_m": float(r.distance_m)})
        graded = []
        for n in sorted(pieces):
            grade, reasons = hca.hca_grade(medium=p.medium, diameter_mm=p.diameter_mm,
                                           maop_mpa=p.maop_mpa, impact_radius_m=radius,
                                           targets=pieces[n], params=params)
            if grade:
                graded.append((n, grade, reasons))
        # merge consecutive pieces of the same grade
        run: list = []
        for item in graded + [(math.inf, None, None)]:
            if run and (item[0] != run[-1][0] + 1 or item[1] != run[-1][1]):
                reasons = []
                for _, _, rs in run:
                    reasons.extend(x for x in rs if x not in reasons)
                conn.execute(INSERT_SQL, {"run_id": run_id, "pid": p.id, "grade": run[0][1],
                                          "radius": radius, "step": PIECE_M,
                                          "reasons": json.dumps(reasons, ensure_ascii=False),
                                          "n0": run[0][0], "n1": run[-1][0]})
                n_segments += 1
                run = []
            if item[1] is not None:
                run.append(item)
    return n_segments

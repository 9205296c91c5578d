"""Where a source's separation distances are measured from (issue 11 item 2), one home.

The design codes measure 防火间距 / 安全间距 from the installation (outer wall, tank shell,
equipment).  So, per enterprise, in this order:

1. the union of its hazard units' footprints (``hazard_unit.footprint``), when registered —
   measured from the installations, as the standards do (no note);
2. else its site boundary (``enterprise.footprint``) — the installations are inside, so the
   distance is never more than the true one: said so (``自厂区边界计``);
3. else its point — said so (``以点位计``): the true distance may be larger or smaller.

:data:`SEPARATION_SOURCES` is the CTE body ``src(source_id, geom, geog, basis_note)`` used by
the conflict query (:mod:`geo.postgis.conflicts`) and the Dask export
(:mod:`geo.postgis.distributed`), so both engines measure from the same geometry.  The
``basis_note`` is appended to each conflict's rule text.  The GB 18218 500 m ring is drawn from
the site boundary (厂区边界), else the point (:mod:`geo.postgis.exposure`).
"""

from __future__ import annotations

NOTE_SITE_BOUNDARY = "；距离自厂区边界计（危险单元占地范围未登记，距离不大于实际）"
NOTE_POINT = "；距离以点位计（未登记占地范围）"
# said instead of a line when the target's polygon contains the source (point or footprint)
NOTE_INSIDE_POINT = "；源点位于目标范围内（距离0 m）"
NOTE_INSIDE_FOOTPRINT = "；源占地范围与目标范围相交（距离0 m）"

SEPARATION_SOURCES = f"""
    select e.id as source_id, x.geom, geography(x.geom) as geog, x.basis_note, x.is_point
    from enterprise e
    left join (select enterprise_id, ST_Multi(ST_Union(footprint)) as g from hazard_unit
               where footprint is not null and not ST_IsEmpty(footprint) group by enterprise_id) u
           on u.enterprise_id = e.id
    cross join lateral (select
        case when u.g is not null then u.g
             when e.footprint is not null and not ST_IsEmpty(e.footprint) then e.footprint
             else e.geom end as geom,
        case when u.g is not null then ''
             when e.footprint is not null and not ST_IsEmpty(e.footprint) then '{NOTE_SITE_BOUNDARY}'
             else '{NOTE_POINT}' end as basis_note,
        (u.g is null and (e.footprint is null or ST_IsEmpty(e.footprint))) as is_point) x
"""

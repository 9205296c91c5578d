"""The waste wing's reads for the API: an enterprise's credit code and the dashboard card (stock by
town, long-stored count, open manifests by state, findings by title) of one run.

The refresh's reads and writes are in :mod:`geo.postgis.waste` and :mod:`geo.postgis.waste_store`.
"""

from __future__ import annotations

import sqlalchemy as sa

_CREDIT_CODE = sa.text("select credit_code from enterprise where id = :i")
_BY_TOWN = sa.text("""
    select coalesce(a.name, '未归属镇街') as town, round(sum(greatest(s.on_site_t, 0))::numeric, 3)::float8 as on_site_t,
           count(*) filter (where s.oldest_age_days > s.storage_limit_days) as long_stored
    from waste_stock s left join enterprise e on e.credit_code = s.credit_code
    left join admin_area a on a.code = e.town_code
    where s.run_id = :run group by 1 order by 2 desc, 1""")
_OPEN_BY_STATE = sa.text("select state, count(*) from waste_manifest where state = any(:open) group by state")
_TOTALS = sa.text("""
    select count(*) filter (where s.oldest_age_days > s.storage_limit_days) as long_stored,
           round(coalesce(sum(s.over_limit_t), 0)::numeric, 3)::float8 as over_limit_t,
           count(*) filter (where s.clearance_rank is not null) as clearance,
           max(s.as_of) as as_of
    from waste_stock s where s.run_id = :run""")
_FINDINGS = sa.text("select title, count(*) from waste_finding where run_id = :run group by title order by 2 desc, 1")


def credit_code(conn: sa.Connection, enterprise_id: int) -> str | None:
    return conn.execute(_CREDIT_CODE, {"i": enterprise_id}).scalar()


def dashboard(conn: sa.Connection, run_id: int, open_states: list[str]) -> dict:
    """The waste dashboard card of ``run_id``; ``open_states``: the manifest states that are still open."""
    p = {"run": run_id, "open": open_states}
    towns = [dict(r._mapping) for r in conn.execute(_BY_TOWN, p)]
    by_state = dict(conn.execute(_OPEN_BY_STATE, p).all())
    totals = conn.execute(_TOTALS, p).one()
    findings = dict(conn.execute(_FINDINGS, p).all())
    return {"as_of": totals.as_of.isoformat() if totals.as_of else None,
            "stock_by_town": towns, "long_stored": totals.long_stored, "over_limit_t": totals.over_limit_t,
            "clearance": totals.clearance, "open_manifests": sum(by_state.values()),
            "open_by_state": {s: by_state.get(s, 0) for s in open_states}, "findings_by_title": findings}

"""Read queries of the transport wing beyond the collections: the dashboard card's summary and
the enterprise file's section (waybills failing 五必查 where the enterprise is loader or carrier).

Framework-neutral: plain inputs, plain dicts out (the web views are thin adapters).
"""

from __future__ import annotations

import sqlalchemy as sa

from geo.postgis.collections.transport import ALARM_KIND_LABEL

OUTCOME_LABEL = {"fail": "不通过", "not_checked": "未核查", "pass": "通过"}


def summary(conn, run_id: int | None) -> dict:
    """Trips in the 7 days up to the newest trip start, waybills by 五必查 outcome, failed checks by
    check, alarms by type and by town — all of ``run_id``."""
    p = {"run": run_id if run_id is not None else -1}
    newest = conn.execute(sa.text("select max(loaded_at) from trip where run_id = :run"), p).scalar()
    week = conn.execute(sa.text("""select count(*) as trips, coalesce(sum(tonnage_t), 0) as tonnage_t,
            count(*) filter (where not closed) as open from trip
            where run_id = :run and loaded_at > cast(:newest as timestamptz) - interval '7 days'"""),
        dict(p, newest=newest)).first() if newest else None
    outcomes = dict(conn.execute(sa.text(
        "select outcome, count(*) from waybill_result where run_id = :run group by 1"), p).all())
    failed_checks = [dict(r._mapping) for r in conn.execute(sa.text("""
        select c->>'key' as key, c->>'title' as title,
               count(*) filter (where c->>'outcome' = 'fail') as failed,
               count(*) filter (where c->>'outcome' = 'not_checked') as not_checked
        from waybill_result wr cross join lateral jsonb_array_elements(wr.checks) with ordinality x(c, n)
        where wr.run_id = :run group by 1, 2, x.n order by x.n"""), p)]
    by_kind = dict(conn.execute(sa.text(
        "select kind, count(*) from transport_alarm where run_id = :run group by 1"), p).all())
    by_town = [{"town": r.town or "区外或未归属", "count": r.n} for r in conn.execute(sa.text("""
        select aa.name as town, count(*) as n from transport_alarm a left join admin_area aa on aa.code = a.town_code
        where a.run_id = :run group by 1 order by 2 desc, 1"""), p)]
    return {
        "run_id": run_id,
        "week": {"until": newest.isoformat() if newest else None, "trips": week.trips if week else 0,
                 "open": week.open if week else 0, "tonnage_t": float(week.tonnage_t) if week else 0.0,
                 "note": "最近 7 天：截至最新一次装车时间（非当前日期）"},
        "waybills": {k: outcomes.get(k, 0) for k in OUTCOME_LABEL},
        "outcome_labels": OUTCOME_LABEL,
        "checks": failed_checks,
        "alarms_by_kind": [{"kind": k, "label": v, "count": by_kind.get(k, 0)} for k, v in ALARM_KIND_LABEL.items()],
        "alarms_by_town": by_town,
    }


def enterprise_waybills(conn, run_id: int | None, enterprise_id: int) -> dict | None:
    """The waybills failing 五必查 (and those 未核查) where the enterprise is the loader or the carrier."""
    e = conn.execute(sa.text("select id, name, credit_code from enterprise where id = :id"), {"id": enterprise_id}).first()
    if e is None:
        return None
    rows = conn.execute(sa.text("""
        select w.id, w.waybill_no, w.departure_date, w.vehicle_plate, w.loader, w.carrier,
               (w.loader_credit_code = :cc) as as_loader, (w.carrier_credit_code = :cc) as as_carrier,
               wr.outcome, wr.failed, wr.not_checked, wr.checks
        from waybill w join waybill_result wr on wr.waybill_id = w.id and wr.run_id = :run
        where (w.loader_credit_code = :cc or w.carrier_credit_code = :cc) and wr.outcome <> 'pass'
        order by (wr.outcome = 'fail') desc, w.departure_date desc, w.id"""),
        {"cc": e.credit_code, "run": run_id if run_id is not None else -1}).all()
    total = conn.execute(sa.text("""select count(*) from waybill w join waybill_result wr on wr.waybill_id = w.id
        and wr.run_id = :run where w.loader_credit_code = :cc or w.carrier_credit_code = :cc"""),
        {"cc": e.credit_code, "run": run_id if run_id is not None else -1}).scalar()
    out = []
    for r in rows:
        roles = [x for x, on in (("装货人", r.as_loader), ("承运人", r.as_carrier)) if on]
        out.append({"id": r.id, "waybill_no": r.waybill_no, "departure_date": r.departure_date.isoformat(),
                    "vehicle_plate": r.vehicle_plate, "roles": roles, "outcome": r.outcome,
                    "outcome_label": OUTCOME_LABEL[r.outcome], "failed": r.failed, "not_checked": r.not_checked,
                    "checks": [c for c in r.checks if c["outcome"] != "pass"]})
    return {"enterprise_id": e.id, "name": e.name, "credit_code": e.credit_code, "run_id": run_id,
            "waybills_total": total, "failing": sum(1 for w in out if w["outcome"] == "fail"),
            "not_checked": sum(1 for w in out if w["outcome"] == "not_checked"), "waybills": out,
            "departments": ["交通运输局", "公安分局"],
            "note": "列出该企业作为装货人或承运人、五必查不通过或未核查的运单（当前运行）"}

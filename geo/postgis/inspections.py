"""双随机一公开 draws from the stored registry, and inspection results (SQL side of
:mod:`geo.inspection_draw`).

The population is every enterprise graded by the current run: its colour, 标准化等级, credit class
(not registered yet → 未评定), its departments (``enterprise_department``, else the registry's
监管部门) and the inspections it has had this calendar year (done, or drawn and still planned).
Inspectors are the active rows of ``inspector`` unless the request lists its own.  The draw, its
seed and the seed's SHA-256, the strata and the drawn inspections are stored; the response
publishes the hash (the seed is kept for the record, so the draw can be re-checked).
"""

from __future__ import annotations

import datetime as dt
import re
import json

import sqlalchemy as sa

from geo import cells
from geo.errors import InvalidInput, NotFound
from geo.inspection_draw import DrawEnterprise, Inspector, Stratum, draw
from geo.postgis.runs import current_run_id

MAX_QUOTAS = 500
MAX_INSPECTORS = 5000

_POPULATION = sa.text("""
    select e.id, e.credit_code, e.name, e.standardisation_level, e.department, er.risk_color, e.credit_class,
           coalesce(e.recused_departments, '{}') as recused_departments,
           coalesce((select array_agg(d.department order by d.department) from enterprise_department d
                     where d.enterprise_id = e.id), '{}') as departments,
           (select count(*) from inspection i left join inspection_draw w on w.id = i.draw_id
            where i.enterprise_id = e.id
              and ((i.status = 'done' and extract(year from i.inspected_on) = :year)
                   or (i.status = 'planned' and extract(year from w.drawn_at) = :year))) as this_year
    from enterprise e join enterprise_risk er on er.enterprise_id = e.id and er.run_id = :run
    order by e.id""")


def _inspectors(conn, given) -> list[Inspector]:
    if given is None:
        return [Inspector(r.inspector_key, r.name, r.department, frozenset(r.recused_credit_codes))
                for r in conn.execute(sa.text("select * from inspector where active order by inspector_key"))]
    if not isinstance(given, list) or len(given) > MAX_INSPECTORS:
        raise InvalidInput("inspectors", f"inspectors 应为数组（至多 {MAX_INSPECTORS} 人）")
    out = []
    for i, x in enumerate(given):
        if not isinstance(x, dict) or not all(isinstance(x.get(k), str) and x[k].strip()
                                              for k in ("key", "name", "department")):
            raise InvalidInput(f"inspectors[{i}]", "每名检查人员须有 key、name、department（文本）")
        rec = x.get("recused", [])
        if not isinstance(rec, list) or not all(isinstance(c, str) for c in rec):
            raise InvalidInput(f"inspectors[{i}].recused", "recused 应为需回避企业的统一社会信用代码数组")
        out.append(Inspector(x["key"].strip(), x["name"].strip(), x["department"].strip(), frozenset(rec)))
    return out


def _quotas(given, rules) -> dict[Stratum, int]:
    if given is None:
        return {}
    if not isinstance(given, list) or len(given) > MAX_QUOTAS:
        raise InvalidInput("quotas", f"quotas 应为数组（至多 {MAX_QUOTAS} 个分层）")
    out = {}
    for i, q in enumerate(given):
        if not isinstance(q, dict):
            raise InvalidInput(f"quotas[{i}]", "每个分层应为对象 {colour, standardisation, credit, quota}")
        s = Stratum(str(q.get("colour", "")), str(q.get("standardisation", "")),
                    str(q.get("credit") or rules.unrated_credit))
        out[s] = q.get("quota")
    return out


def period_year(period: str, today: dt.date | None = None) -> int:
    """The calendar year a draw's period belongs to — its leading four-digit year ("2027-Q1", "2027年第一季度"),
    else this year: the annual cap (Shanxi 2/4/8/12 a year) counts the inspections of that year."""
    m = re.match(r"\s*((?:19|20)\d\d)(?!\d)", period)
    return int(m.group(1)) if m else (today or dt.date.today()).year


def population(conn, run_id: int, rules, year: int | None = None) -> list[tuple]:
    """``(DrawEnterprise, row)`` for every graded enterprise (key = credit code); ``this_year`` counts the
    inspections done or planned in ``year`` (default: this year)."""
    year = year or dt.date.today().year
    out = []
    for r in conn.execute(_POPULATION, {"run": run_id, "year": year}):
        depts = tuple(r.departments) or tuple(x for x in [(r.department or "").strip()] if x)
        credit = r.credit_class if r.credit_class in rules.credit_classes else None  # else 未评定
        out.append((DrawEnterprise(r.credit_code, r.risk_color, r.standardisation_level, credit, depts,
                                   int(r.this_year), tuple(r.recused_departments)), r))
    return out


def draw_and_store(conn: sa.Connection, body: dict, *, rules, by: str) -> dict:
    """Draw (``{"seed", "period", "quotas"?, "inspectors"?}``), store it, and return it as JSON."""
    run_id = current_run_id(conn)
    if run_id is None:
        raise InvalidInput("run", "尚无计算结果（风险颜色），请先运行 hazmap refresh")
    seed, period = body.get("seed"), body.get("period")
    if not isinstance(seed, str) or not seed.strip() or len(seed) > 200:
        raise InvalidInput("seed", "随机种子 seed 应为 1–200 个字符的文本")
    if not isinstance(period, str) or not period.strip() or len(period) > 40:
        raise InvalidInput("period", "抽查期间 period 应为 1–40 个字符的文本（如 2026-Q4）")
    unknown = sorted(set(body) - {"seed", "period", "quotas", "inspectors"})
    if unknown:
        raise InvalidInput(unknown[0], f"未知字段 {unknown[0]}（可用：seed、period、quotas、inspectors）")
    pop = population(conn, run_id, rules, period_year(period))
    rows = {e.key: r for e, r in pop}
    inspectors = _inspectors(conn, body.get("inspectors"))
    names = {i.key: i for i in inspectors}
    quotas = _quotas(body.get("quotas"), rules)
    d = draw([e for e, _ in pop], inspectors, seed=seed, period=period, rules=rules, quotas=quotas)
    strata = [{"colour": s.stratum.colour, "standardisation": s.stratum.standardisation, "credit": s.stratum.credit,
               "population": s.population, "quota": s.quota, "drawn": s.drawn, "capped": list(s.capped),
               "unstaffed": list(s.unstaffed)} for s in d.strata]
    draw_id = conn.execute(sa.text("""
        insert into inspection_draw (period, seed, seed_sha256, rules_version, quotas, strata, notes, run_id, drawn_by)
        values (:p, :s, :h, :v, cast(:q as jsonb), cast(:st as jsonb), cast(:n as jsonb), :r, :by) returning id"""),
        {"p": period, "s": seed, "h": d.seed_sha256, "v": d.rules_version,
         "q": json.dumps([{"colour": s.colour, "standardisation": s.standardisation, "credit": s.credit, "quota": q}
                          for s, q in quotas.items()], ensure_ascii=False),
         "st": json.dumps(strata, ensure_ascii=False), "n": json.dumps(list(d.notes), ensure_ascii=False),
         "r": run_id, "by": by}).scalar_one()
    out = []
    for ins in d.inspections:
        r = rows[ins.enterprise]
        stratum = {"colour": ins.stratum.colour, "standardisation": ins.stratum.standardisation,
                   "credit": ins.stratum.credit}
        iid = conn.execute(sa.text("""
            insert into inspection (draw_id, enterprise_id, stratum, rank, inspectors)
            values (:d, :e, cast(:s as jsonb), :rank, :i) returning id"""),
            {"d": draw_id, "e": r.id, "s": json.dumps(stratum, ensure_ascii=False), "rank": ins.rank,
             "i": list(ins.inspectors)}).scalar_one()
        out.append({"inspection_id": iid, "enterprise_id": r.id, "credit_code": r.credit_code, "name": r.name,
                    "stratum": stratum, "rank": ins.rank,
                    "inspectors": [{"key": k, "name": names[k].name, "department": names[k].department}
                                   for k in ins.inspectors]})
    return {"draw_id": draw_id, "period": period, "seed_sha256": d.seed_sha256, "rules_version": d.rules_version,
            "run_id": run_id, "strata": strata, "inspections": out, "notes": list(d.notes)}


def _ids(body: dict, key: str) -> list[int]:
    v = body.get(key, [])
    if not isinstance(v, list) or not all(isinstance(x, int) and not isinstance(x, bool) for x in v):
        raise InvalidInput(key, f"{key} 应为整数数组")
    return sorted(set(v))


def record_result(conn: sa.Connection, iid: int, body: dict, *, by: str, today: dt.date) -> dict:
    """Record an inspection's result and link the hidden dangers and assessed items it found."""
    ins = conn.execute(sa.text("select id, enterprise_id from inspection where id = :i"), {"i": iid}).first()
    if ins is None:
        raise NotFound(f"检查 {iid} 不存在")
    unknown = sorted(set(body) - {"inspected_on", "result", "hidden_danger_ids", "assessment_item_ids"})
    if unknown:
        raise InvalidInput(unknown[0], f"未知字段 {unknown[0]}（可用：inspected_on、result、hidden_danger_ids、"
                                       "assessment_item_ids）")
    try:
        on = cells.parse_date(body.get("inspected_on"), "检查日期")
    except cells.CellError as exc:
        raise InvalidInput("inspected_on", exc.reason) from None
    if on is None:
        raise InvalidInput("inspected_on", "须填写检查日期 inspected_on")
    if on > today:
        raise InvalidInput("inspected_on", f"检查日期 {on.isoformat()} 晚于今天")
    result = body.get("result")
    if not isinstance(result, str) or not result.strip() or len(result) > 4000:
        raise InvalidInput("result", "检查结果 result 应为 1–4000 字的文本")
    links = {}
    for key, table in (("hidden_danger_ids", "hidden_danger"), ("assessment_item_ids", "assessment_item")):
        ids = _ids(body, key)
        found = {r[0] for r in conn.execute(sa.text(
            f"select id from {table} where id = any(:ids) and enterprise_id = :e"), {"ids": ids, "e": ins.enterprise_id})}
        missing = [i for i in ids if i not in found]
        if missing:
            raise InvalidInput(key, f"{key} 中 {missing[0]} 不存在或不属于被检查企业")
        conn.execute(sa.text(f"update {table} set inspection_id = :i where id = any(:ids)"), {"i": iid, "ids": ids})
        links[key] = ids
    conn.execute(sa.text("""update inspection set status = 'done', inspected_on = :on, result = :res,
                            recorded_by = :by, recorded_at = now() where id = :i"""),
                 {"on": on, "res": result.strip(), "by": by, "i": iid})
    return {"inspection_id": iid, "status": "done", "inspected_on": on.isoformat(), **links}

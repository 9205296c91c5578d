"""Row builders and grouping of the four waste kinds, over :mod:`geo.waste.records`.

Every problem is a :class:`geo.cells.CellError` (the ETL's row error) naming the field in
Chinese: an unknown or malformed waste code, a bad manifest number, an unknown manifest state, a
decision that disagrees with the state.  Producers and manifests arrive one line per plan row /
detail row; a producer or manifest with any bad line is rejected whole (never a partial
manifest), and lines of one manifest that disagree on a header field reject it whole too.
"""

from __future__ import annotations

import json

from etl.report import Reject
from etl.validate import Context, check_area
from geo.cells import CellError
from geo.waste import records as wr


def waste_data(lc):
    """The waste codes and rules of this run (one read per run)."""

    def make():
        from hazmap.domain import data_dir
        from geo.waste.data import load_waste_data

        return load_waste_data(data_dir("reference"), data_dir("rules"))

    return lc._cached("waste_data", make)


def _default_crs(src, ctx: Context) -> str | None:
    return src.crs or ctx.default_crs


def producer(row, cols, lc, src) -> dict:
    ln = wr.producer_line(row.values, cols, codes=waste_data(lc).codes, default_crs=_default_crs(src, lc.ctx),
                          line=row.line)
    if ln.storage_point is not None:
        try:
            check_area(*ln.storage_point, lc.ctx)
        except CellError as exc:
            raise CellError("贮存场所经度/纬度", exc.value, exc.reason) from None
    return {"credit_code": ln.credit_code, "name": ln.name, "_plan": ln}


def record(row, cols, lc, src) -> dict:
    r = wr.record(row.values, cols, codes=waste_data(lc).codes)
    return {"credit_code": r.credit_code, "date": r.date, "kind": r.kind, "waste_code": r.waste_code,
            "quantity_t": r.quantity_t, "source_file": row.file, "source_row": row.line}


def manifest(row, cols, lc, src) -> dict:
    wd = waste_data(lc)
    ln = wr.manifest_line(row.values, cols, codes=wd.codes, rules=wd.rules.manifest, line=row.line)
    m = ln.manifest
    r = m.rows[0]
    return {"manifest_no": m.manifest_no, "generator_name": m.generator_name, "receiver_name": m.receiver_name,
            "receiver_licence_no": m.receiver_licence_no, "carrier_name": m.carrier_name,
            "carrier_permit_no": m.carrier_permit_no, "waybill_no": m.waybill_no, "route_cities": list(m.route_cities),
            "waste_name": r.waste_name, "disposal_method": r.disposal_method, "_manifest_line": ln}


def facility(row, cols, lc, src) -> dict:
    f = wr.facility(row.values, cols, codes=waste_data(lc).codes)
    return {"licence_no": f.licence_no, "name": f.name, "credit_code": f.credit_code, "admin_code": f.admin_code,
            "scope": sorted(f.scope), "capacity_t_per_year": f.capacity_t_per_year, "valid_from": f.valid_from,
            "valid_until": f.valid_until, "source_file": row.file}


def _whole(lc, lines: list[dict], keep: set[str], key: str, label: str, what: str, assemble) -> list:
    """Group ``lines`` by ``key``; a group with a rejected line, or that ``assemble`` refuses, is
    rejected whole (each of its lines gets a reject naming why)."""
    groups: dict[str, list[dict]] = {}
    for ln in lines:
        groups.setdefault(ln[key], []).append(ln)
    out = []
    for k, lns in groups.items():
        if k in keep:
            lc.rejects += [Reject(x["_file"], x["_line"], label, k, f"同一{what}的其他行有错误，整个{what}未导入")
                           for x in lns]
            continue
        try:
            out.append(assemble(k, lns))
        except CellError as exc:
            keep.add(k)
            lc.rejects += [Reject(x["_file"], x["_line"], exc.field, str(exc.value), exc.reason) for x in lns]
    return out


def _producer_record(code: str, lns: list[dict]) -> dict:
    p = wr.assemble_producers([x["_plan"] for x in lns])[code]
    plans = sorted(({"year": y, "waste_code": c, "planned_t": t} for (y, c), t in p.plans_t.items()),
                   key=lambda d: (d["year"], d["waste_code"]))
    pt = p.storage_point
    return {"credit_code": code, "name": p.name, "storage_capacity_t": p.storage_capacity_t,
            "plans": json.dumps(plans, ensure_ascii=False),
            "wkt": f"POINT({pt[0]!r} {pt[1]!r})" if pt else None,
            "source_file": lns[0]["_file"], "_file": lns[0]["_file"], "_line": lns[0]["_line"]}


def whole_producers(lc, lines: list[dict], keep: set[str]) -> list[dict]:
    return _whole(lc, lines, keep, "credit_code", "统一社会信用代码", "单位", _producer_record)


def _manifest_record(no: str, lns: list[dict]) -> dict:
    (m,) = wr.assemble_manifests([x["_manifest_line"] for x in lns])
    rows = [{"line_no": i, "waste_name": r.waste_name, "hw_class": r.hw_class, "waste_code": r.waste_code,
             "disposal_method": r.disposal_method, "quantity_t": r.quantity_t, "received_t": r.received_t}
            for i, r in enumerate(m.rows, start=1)]
    return {"manifest_no": no, "transfer_date": m.transfer_date, "generator_credit_code": m.generator_credit_code,
            "generator_name": m.generator_name, "generator_admin_code": m.generator_admin_code,
            "receiver_name": m.receiver_name, "receiver_licence_no": m.receiver_licence_no,
            "receiver_admin_code": m.receiver_admin_code, "carrier_name": m.carrier_name,
            "carrier_permit_no": m.carrier_permit_no, "route_cities": list(m.route_cities),
            "receipt_date": m.receipt_date, "receiver_decision": m.receiver_decision,
            "major_discrepancy": m.major_discrepancy, "state": m.state, "waybill_no": m.waybill_no,
            "source_file": lns[0]["_file"], "rows": rows, "_file": lns[0]["_file"], "_line": lns[0]["_line"]}


def whole_manifests(lc, lines: list[dict], keep: set[str]) -> list[dict]:
    return _whole(lc, lines, keep, "manifest_no", "联单编号", "联单", _manifest_record)

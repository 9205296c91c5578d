"""One ETL run: extract → validate → geocode → load → refresh, atomically.

The run is a recorded job (:mod:`hazmap.jobs`): all data changes — the load and the risk
engine's refresh — happen in ONE transaction, which also holds the advisory lock that keeps
runs (and ``hazmap refresh``) from overlapping; the run commits whole or the stored data stays
exactly as it was, and a failed or aborted run is recorded with its reason.
"""

from __future__ import annotations

import sys
from collections import defaultdict
from dataclasses import dataclass, field
from pathlib import Path

import sqlalchemy as sa

from etl import mapping, records
from etl.geocode import OfflineGeocoder
from etl.readers import ReadError, read_rows, sha256
from etl.report import Reject, write_rejects
from etl.validate import Context, RowError, reject_of
from geo.postgis.areas import attribute_towns
from hazmap.db.session import get_engine
from hazmap.jobs import JobAborted, RunLocked, run_job


class EtlAborted(JobAborted):
    """The run was aborted; nothing changed. The message says why (Chinese)."""


@dataclass
class Source:
    kind: str
    path: Path
    crs: str | None = None


@dataclass
class RunResult:
    run_id: int | None
    status: str  # succeeded | aborted | failed | dry_run
    counts: dict
    rejects: list[Reject]
    rejects_path: Path | None
    changes: dict = field(default_factory=dict)
    message: str = ""
    expired_licences: int = 0

    @property
    def exit_code(self) -> int:
        return 0 if self.status in ("succeeded", "dry_run") else 2


def sources_from(settings, cli_sources: list[str] | tuple = ()) -> list[Source]:
    out = []
    for kind, entries in settings.sources.items():
        if kind not in mapping.KINDS:
            raise EtlAborted(f"未知数据类型 [sources] {kind}（可用：{'、'.join(mapping.KINDS)}）")
        out += [Source(kind, Path(e["path"]), e.get("crs")) for e in entries]
    for spec in cli_sources:
        if "=" not in spec:
            raise EtlAborted(f"--source 应为 KIND=PATH，实际 {spec!r}")
        kind, path = spec.split("=", 1)
        if kind not in mapping.KINDS:
            raise EtlAborted(f"未知数据类型 {kind}（可用：{'、'.join(mapping.KINDS)}）")
        out.append(Source(kind, Path(path)))
    if not out:
        raise EtlAborted("没有数据源：用 --source KIND=PATH 或配置文件 [sources] 指定")
    return out


def _progress(items, desc: str):
    if sys.stderr.isatty():
        from tqdm import tqdm

        return tqdm(items, desc=desc, leave=False)
    return items


def make_geocoder(settings, entries, areas):
    """The configured geocoder: offline (default) or 天地图 (``[etl] geocoder = "tianditu"``)."""
    if settings.etl.geocoder == "tianditu":
        from etl.geocode import TiandituGeocoder

        g = TiandituGeocoder(settings.etl.tianditu_key or "")
        g.min_score = settings.etl.geocoder_min_score
        return g
    return OfflineGeocoder(entries, areas, min_score=settings.etl.geocoder_min_score)


def run_etl(settings, sources: list[Source], *, dry_run: bool = False,
            rejects_path: Path | None = None, refresh: bool = True, domain=None, _hook=None) -> RunResult:
    """One ETL run (see the module docstring).

    Returns a :class:`RunResult` (status ``succeeded``, ``dry_run`` or ``aborted`` — an aborted
    run changed nothing).  Raises :class:`hazmap.jobs.RunLocked` when another run holds the lock
    and re-raises unexpected exceptions after recording the run as ``failed``.  ``refresh=False``
    skips the risk engine (tests); ``_hook(stage)`` is for fault-injection tests.
    Dry runs validate inside a transaction that is rolled back and record no run.
    """
    from hazmap.domain import load_domain

    domain = domain or load_domain(settings)
    engine = get_engine(settings.database_url)
    ctx = Context(settings.etl.default_crs, settings.etl.area_bbox, settings.etl.max_distance_km,
                  domain.reference.catalogue)
    rejects: list[Reject] = []
    counts: dict = {}
    job = None
    try:
        with run_job(engine, "etl", versions=domain.versions.as_json(), record=not dry_run) as job:
            job.counts = counts
            try:
                rows_by_kind = _extract(engine, job, sources)
                expired = _load_all(job.conn, job.run_id, settings, ctx, rows_by_kind, rejects, counts,
                                    _hook)["expired"]
            except EtlAborted:
                job.rejects_path = str(write_rejects(_rejects_file(settings, rejects_path, job.run_id), rejects))
                raise
            if dry_run:
                path = write_rejects(_rejects_file(settings, rejects_path, None), rejects)
                return RunResult(None, "dry_run", counts, rejects, path, expired_licences=expired,
                                 message="试运行：仅校验，未写入数据")
            if _hook:
                _hook("before_refresh")
            if refresh:
                from geo.postgis.changes import compare_runs
                from geo.postgis.refresh import refresh as do_refresh

                counts["refresh"] = do_refresh(job.conn, job.run_id, domain)
                job.changes = compare_runs(job.conn, job.run_id)
            counts["expired_licences"] = expired
            job.rejects_path = str(write_rejects(_rejects_file(settings, rejects_path, job.run_id), rejects))
    except RunLocked:
        raise
    except EtlAborted as exc:
        return RunResult(job.run_id, "aborted", counts, rejects, Path(job.rejects_path), message=str(exc))
    with engine.begin() as conn:
        for t in ("enterprise", "hazard_unit", "inventory", "protection_target", "pipeline", "admin_area"):
            conn.execute(sa.text(f"analyze {t}"))
    return RunResult(job.run_id, "succeeded", counts, rejects, Path(job.rejects_path), changes=job.changes,
                     expired_licences=counts.get("expired_licences", 0))


def _extract(engine, job, sources: list[Source]) -> dict[str, list]:
    """Read every source file (in load order); an unreadable file aborts the run."""
    rows_by_kind: dict[str, list] = defaultdict(list)
    files_meta = []
    try:
        for src in _progress(sorted(sources, key=lambda s: mapping.LOAD_ORDER.index(s.kind)), "读取"):
            try:
                rows = read_rows(src.path)
                digest = sha256(src.path)
            except (ReadError, OSError) as exc:
                raise EtlAborted(f"无法读取 {src.path.name}：{exc}") from None
            files_meta.append({"kind": src.kind, "file": src.path.name, "path": str(src.path),
                               "sha256": digest, "rows": len(rows)})
            rows_by_kind[src.kind].append((src, rows))
    finally:
        job.record_files(engine, files_meta)
    return rows_by_kind


def _rejects_file(settings, rejects_path, run_id) -> Path:
    if rejects_path:
        return Path(rejects_path)
    base = Path(settings.etl.rejects_dir)
    if not base.is_absolute() and settings.config_path:
        base = Path(settings.config_path).resolve().parent / base
    return (base / f"rejects-{run_id if run_id else 'dry-run'}.csv").resolve()


def _validate(kind, src, rows, fn, rejects, seen, key_field, keys_rejected):
    out = []
    ok = 0
    for row in rows:
        try:
            rec = fn(row)
        except RowError as exc:
            rejects.append(reject_of(row, exc))
            if key_field:
                k = row.values.get(_cols_cache[(kind, row.file)].get(key_field, ""))
                if k:
                    keys_rejected.add(str(k).strip())
            continue
        k = rec.get(key_field) if key_field else None
        if k is not None and k in seen:
            f0, l0 = seen[k]
            rejects.append(Reject(row.file, row.line, KEY_LABELS.get(key_field, key_field), k,
                                  f"重复记录：与 {f0} 第{l0}行重复"))
            continue
        if k is not None:
            seen[k] = (row.file, row.line)
        rec["_file"], rec["_line"] = row.file, row.line
        out.append(rec)
        ok += 1
    if rows and ok == 0:
        raise EtlAborted(f"{src.path.name} 的 {len(rows)} 行全部被拒绝，本次运行中止，数据未作任何修改")
    return out


_cols_cache: dict = {}


def _cols(kind, src, rows, settings):
    headers = set().union(*(r.values.keys() for r in rows)) if rows else set()
    cols = mapping.resolve_columns(kind, headers, settings.etl.columns.get(kind))
    for r in rows[:1]:
        _cols_cache[(kind, r.file)] = cols
    return cols


KEY_LABELS = {"credit_code": "统一社会信用代码", "target_key": "目标编号", "pipeline_key": "管道编号",
              "code": "code"}

KEYS = {"enterprises": "credit_code", "targets": "target_key", "pipelines": "pipeline_key",
        "areas": "code", "gazetteer": None}


def _load_all(conn, run_id, settings, ctx, rows_by_kind, rejects, counts, hook) -> dict:
    expired = 0
    # areas
    recs, files, keep = [], [], set()
    for src, rows in rows_by_kind.get("areas", []):
        cols = _cols("areas", src, rows, settings)
        recs += _validate("areas", src, rows, lambda r: records.area(r, cols, ctx, src.crs), rejects, {},
                          "code", keep)
    if recs:
        counts["areas"], _ = records_upsert(conn, "admin_area", "code", recs, run_id, [], keep)
    towns = {r.name: r.code for r in conn.execute(sa.text("select name, code from admin_area where level = 'town'"))}
    # gazetteer
    recs, files = [], []
    for src, rows in rows_by_kind.get("gazetteer", []):
        cols = _cols("gazetteer", src, rows, settings)
        recs += _validate("gazetteer", src, rows, lambda r: records.gazetteer(r, cols, ctx, src.crs),
                          rejects, {}, None, set())
        files.append(src.path.name)
    if files:
        from etl.load import load_gazetteer

        counts["gazetteer"] = load_gazetteer(conn, recs, files)
    entries = [(r.address, r.lon, r.lat, r.precision) for r in conn.execute(sa.text(
        "select address, ST_X(geom) as lon, ST_Y(geom) as lat, precision from gazetteer_entry"))]
    areas = [tuple(r) for r in conn.execute(sa.text(
        "select name, level, ST_X(ST_PointOnSurface(geom)), ST_Y(ST_PointOnSurface(geom)) "
        "from admin_area where geom is not null"))]
    geocoder = make_geocoder(settings, entries, areas)
    # enterprises
    recs, files, keep, seen = [], [], set(), {}
    for src, rows in _progress(rows_by_kind.get("enterprises", []), "企业"):
        cols = _cols("enterprises", src, rows, settings)
        recs += _validate("enterprises", src, rows,
                          lambda r: records.enterprise(r, cols, ctx, src.crs, geocoder, towns),
                          rejects, seen, "credit_code", keep)
        files.append(src.path.name)
    ent_ids = {r[0]: r[1] for r in conn.execute(sa.text("select credit_code, id from enterprise"))}
    if files:
        expired = sum(1 for r in recs if r["licence_expiry"] and r["licence_expiry"] < ctx.today)
        counts["enterprises"], ent_ids = records_upsert(conn, "enterprise", "credit_code", recs, run_id, files, keep)
        counts["enterprises"]["expired_licences"] = expired
    if hook:
        hook("after_enterprises")
    # hazard units
    lines, files, keep = [], [], set()
    chem_ids = {r[0]: r[1] for r in conn.execute(sa.text("select key, id from chemical"))}
    for src, rows in rows_by_kind.get("hazard_units", []):
        cols = _cols("hazard_units", src, rows, settings)
        files.append(src.path.name)
        good = []
        for row in rows:
            try:
                ln = records.inventory_line(row, cols, ctx)
                if ln["credit_code"] not in ent_ids:
                    raise RowError("统一社会信用代码", ln["credit_code"], "所属企业不存在或已被拒绝")
            except RowError as exc:
                rejects.append(reject_of(row, exc))
                k = str(row.values.get(cols.get("unit_key", ""), "") or "").strip()
                if k:
                    keep.add(k)
                continue
            ln["_file"], ln["_line"] = row.file, row.line
            good.append(ln)
        # a unit with any bad line is rejected whole (never load a partial inventory)
        good_units = [ln for ln in good if ln["unit_key"] not in keep]
        for ln in good:
            if ln["unit_key"] in keep:
                rejects.append(Reject(ln["_file"], ln["_line"], "单元编号", ln["unit_key"],
                                      "同一单元的其他行有错误，整个单元未导入"))
        if rows and not good_units:
            raise EtlAborted(f"{src.path.name} 的 {len(rows)} 行全部被拒绝，本次运行中止，数据未作任何修改")
        lines += good_units
    if files:
        from etl.load import load_units

        counts["hazard_units"] = load_units(conn, lines, run_id=run_id, files=files, keep_keys=keep,
                                            enterprise_ids=ent_ids, chemical_ids=chem_ids)
        counts["hazard_units"]["read"] = sum(len(r) for _, r in rows_by_kind.get("hazard_units", []))
    # targets, pipelines
    for kind, table, fn in (("targets", "protection_target", records.target),
                            ("pipelines", "pipeline", records.pipeline)):
        recs, files, keep, seen = [], [], set(), {}
        for src, rows in rows_by_kind.get(kind, []):
            cols = _cols(kind, src, rows, settings)
            recs += _validate(kind, src, rows, lambda r: fn(r, cols, ctx, src.crs), rejects, seen,
                              KEYS[kind], keep)
            files.append(src.path.name)
        if files:
            counts[kind], _ = records_upsert(conn, table, KEYS[kind], recs, run_id, files, keep)
    attribute_towns(conn)
    for kind, lst in rows_by_kind.items():
        read = sum(len(r) for _, r in lst)
        c = counts.setdefault(kind, {})
        c["read"] = read
        c["rejected"] = sum(1 for rj in rejects if any(rj.file == s.path.name for s, _ in lst))
    return {"expired": expired}


def records_upsert(conn, table, key, recs, run_id, files, keep):
    from etl.load import upsert

    for r in recs:
        r.pop("_file", None)
        r.pop("_line", None)
        r.pop("_town_name", None)
    return upsert(conn, table, key, recs, run_id=run_id, files=files, keep_keys=keep)


def summary_text(res: RunResult) -> str:
    from geo.postgis.changes import describe

    names = {"areas": "行政区", "gazetteer": "地名地址", "enterprises": "企业", "hazard_units": "危险单元",
             "targets": "防护目标", "pipelines": "管道"}
    lines = []
    head = {"succeeded": f"ETL 运行 {res.run_id} 已提交。", "dry_run": "试运行（未写入）。",
            "aborted": f"ETL 运行 {res.run_id or ''} 已中止，数据未作任何修改：{res.message}",
            "failed": f"ETL 运行失败：{res.message}"}[res.status]
    lines.append(head)
    for kind in mapping.LOAD_ORDER:
        c = res.counts.get(kind)
        if not c:
            continue
        lines.append(f"  {names[kind]}：读取 {c.get('read', 0)}，新增 {c.get('inserted', 0)}，更新 {c.get('updated', 0)}，"
                     f"未变 {c.get('unchanged', 0)}，移除 {c.get('removed', 0)}，拒绝 {c.get('rejected', 0)}")
    if res.expired_licences:
        lines.append(f"  许可证已过期的企业：{res.expired_licences} 家（已标记，未拒绝）")
    if res.rejects_path:
        lines.append(f"  拒绝行报告（{len(res.rejects)} 条）：{res.rejects_path}")
    if res.status == "succeeded" and res.changes is not None and "refresh" in res.counts:
        r = res.counts["refresh"]
        cl = r["colours"]
        lines.append(f"  风险重算：红 {cl.get('red', 0)} / 橙 {cl.get('orange', 0)} / 黄 {cl.get('yellow', 0)} / "
                     f"蓝 {cl.get('blue', 0)}；重大危险源 {r['major_hazards']} 个；冲突 {r['conflicts']} 处")
        lines.append("  " + describe(res.changes))
    return "\n".join(lines)

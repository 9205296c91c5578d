"""One ETL run: extract → validate → geocode → load → refresh, atomically.

The run is a recorded job (:mod:`hazmap.jobs`): all data changes — the load and the risk
engine's refresh — happen in ONE transaction, which also holds the advisory lock that keeps
runs (and ``hazmap refresh``) from overlapping; the run commits whole or the stored data stays
exactly as it was, and a failed or aborted run is recorded with its reason.

The rejects report is a by-product: a report that cannot be written where configured (a
directory the job's user may not create, a full disk) never undoes a run.  It goes to a file in
the system temporary directory instead, and the run's summary and recorded message
(``run.message``, shown in the console) say where; if even that fails, they say so.
"""

from __future__ import annotations

import errno
import os
import sys
import tempfile
from collections import defaultdict
from dataclasses import dataclass, field
from pathlib import Path

import sqlalchemy as sa

from etl import load
from etl.geocode import OfflineGeocoder
from etl.kinds import BY_NAME, ENTERPRISES, KINDS, Kind, resolve_columns
from etl.readers import ReadError, read_rows, sha256
from etl.report import Reject, write_rejects
from etl.validate import Context, RowError, column_checks, fits_columns, reject_of
from geo.postgis.areas import attribute_towns
from geo.postgis.refresh import colour_text
from hazmap.db.session import get_job_engine
from hazmap.jobs import JobAborted, RunLocked, run_job


class EtlAborted(JobAborted):
    """The run was aborted; nothing changed. The message says why (Chinese)."""


@dataclass
class Source:
    kind: str
    path: Path
    crs: str | None = None  # CRS of rows that declare none (and of a Shapefile without .prj)
    encoding: str | None = None  # declared encoding of a CSV (default: detected)


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
    warnings: list[str] = field(default_factory=list)  # e.g. where the rejects report went instead

    @property
    def exit_code(self) -> int:
        return 0 if self.status in ("succeeded", "dry_run") else 2


def sources_from(settings, cli_sources: list[str] | tuple = ()) -> list[Source]:
    out = []
    for kind, entries in settings.sources.items():
        if kind not in BY_NAME:
            raise EtlAborted(f"未知数据类型 [sources] {kind}（可用：{'、'.join(BY_NAME)}）")
        out += [Source(kind, Path(e["path"]), e.get("crs"), e.get("encoding")) for e in entries]
    for spec in cli_sources:
        if "=" not in spec:
            raise EtlAborted(f"--source 应为 KIND=PATH，实际 {spec!r}")
        kind, path = spec.split("=", 1)
        if kind not in BY_NAME:
            raise EtlAborted(f"未知数据类型 {kind}（可用：{'、'.join(BY_NAME)}）")
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
    return OfflineGeocoder(entries, areas, min_score=settings.etl.geocoder_min_score,
                           prefixes=settings.area.address_prefixes)


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
    engine = get_job_engine(settings.database_url, db=settings.database)  # [database] limits, no statement timeout
    ctx = Context(settings.etl.default_crs, settings.etl.area_bbox, settings.etl.max_distance_km,
                  domain.reference.catalogue, max_geometry_vertices=settings.limits.max_geometry_vertices,
                  address_prefixes=settings.area.address_prefixes,
                  properties=domain.reference.properties,
                  credit_classes=tuple(domain.assessment.draw.credit_classes) if domain.assessment else ())
    rejects: list[Reject] = []
    counts: dict = {}
    warnings: list[str] = []
    job = None

    def report(run_id):
        """Write the rejects report (never raises); record where it went and any warning on the job."""
        path = _write_rejects_safely(_rejects_file(settings, rejects_path, run_id), rejects, warnings)
        if job is not None:
            job.rejects_path = str(path) if path else None
            job.message = "\n".join(warnings) or None
        return path

    try:
        with run_job(engine, "etl", versions=domain.versions.as_json(), record=not dry_run,
                     db=settings.database) as job:
            job.counts = counts
            lc = LoadContext(job.conn, job.run_id, settings, ctx, rejects, counts)
            try:
                rows_by_kind = _extract(engine, job, sources, settings.limits)
                _load_all(lc, rows_by_kind, _hook)
                expired = lc.expired_licences
            except EtlAborted:
                report(job.run_id)
                raise
            if dry_run:
                path = report(None)
                return RunResult(None, "dry_run", counts, rejects, path, expired_licences=expired,
                                 message="试运行：仅校验，未写入数据", warnings=warnings)
            if _hook:
                _hook("before_refresh")
            if refresh:
                from geo.postgis.changes import compare_runs
                from geo.postgis.refresh import refresh as do_refresh

                counts["refresh"] = do_refresh(job.conn, job.run_id, domain, incremental=True)
                job.changes = compare_runs(job.conn, job.run_id)
            counts["expired_licences"] = expired
            report(job.run_id)
    except RunLocked:
        raise
    except EtlAborted as exc:
        return RunResult(job.run_id, "aborted", counts, rejects, _path_or_none(job.rejects_path), message=str(exc),
                         warnings=warnings)
    with engine.begin() as conn:
        load.analyze_registries(conn)
    return RunResult(job.run_id, "succeeded", counts, rejects, _path_or_none(job.rejects_path), changes=job.changes,
                     expired_licences=counts.get("expired_licences", 0), warnings=warnings)


def _path_or_none(path: str | None) -> Path | None:
    return Path(path) if path else None


_OS_ERROR_TEXT = {errno.EACCES: "没有写入权限", errno.EPERM: "没有写入权限", errno.EROFS: "只读文件系统",
                  errno.ENOSPC: "磁盘空间不足", errno.EDQUOT: "超出磁盘配额", errno.ENOTDIR: "路径中有一段不是目录",
                  errno.EISDIR: "该路径是一个目录", errno.ENAMETOOLONG: "路径过长"}


def _why(exc: BaseException) -> str:
    """A short Chinese reason a file could not be written (the errno's text when unknown)."""
    if isinstance(exc, OSError):
        return _OS_ERROR_TEXT.get(exc.errno, exc.strerror or type(exc).__name__)
    return f"{type(exc).__name__}: {exc}"


def _write_rejects_safely(path: Path, rejects: list[Reject], warnings: list[str]) -> Path | None:
    """The rejects report at ``path``, else in a new file in the temporary directory; never raises.

    Returns where it was written (None: nowhere) and appends a Chinese warning saying so."""
    try:
        return write_rejects(path, rejects)
    except Exception as exc:  # noqa: BLE001 — a report that cannot be written must never undo a run
        first = exc
    try:
        fd, name = tempfile.mkstemp(prefix=f"hazmap-{path.stem}-", suffix=".csv")  # private (0600), never reused
        os.close(fd)
        fallback = write_rejects(Path(name), rejects)
    except Exception as exc:  # noqa: BLE001
        warnings.append(f"拒绝行报告无法写入 {path}（{_why(first)}），临时目录也无法写入（{_why(exc)}）："
                        f"{len(rejects)} 条拒绝记录未保存；请检查 [etl] rejects_dir")
        return None
    warnings.append(f"拒绝行报告无法写入 {path}（{_why(first)}），已改写到 {fallback}；请检查 [etl] rejects_dir")
    return fallback


def _extract(engine, job, sources: list[Source], limits) -> dict[str, list]:
    """Read every source file (in load order); an unreadable file aborts the run."""
    rows_by_kind: dict[str, list] = defaultdict(list)
    files_meta = []
    try:
        for src in _progress(sorted(sources, key=lambda s: KINDS.index(BY_NAME[s.kind])), "读取"):
            try:
                rows = read_rows(src.path, limits, encoding=src.encoding, crs=src.crs)
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


@dataclass
class LoadContext:
    """What the kinds' builders and loaders share during ONE run (nothing outlives it)."""

    conn: sa.Connection
    run_id: int | None
    settings: object
    ctx: Context
    rejects: list[Reject]
    counts: dict
    expired_licences: int = 0
    _cache: dict = field(default_factory=dict)

    def _cached(self, name, make):
        if name not in self._cache:
            self._cache[name] = make()
        return self._cache[name]

    def forget(self, *names) -> None:
        """Drop lookups a kind's load has made stale (e.g. enterprise ids after enterprises)."""
        for n in names:
            self._cache.pop(n, None)

    def towns(self) -> dict[str, str]:
        return self._cached("towns", lambda: load.town_codes(self.conn))

    def geocoder(self):
        return self._cached("geocoder", lambda: make_geocoder(self.settings, *load.geocoder_entries(self.conn)))

    def enterprise_ids(self) -> dict[str, int]:
        return self._cached("enterprise_ids", lambda: load.credit_code_ids(self.conn))

    def chemical_ids(self) -> dict[str, int]:
        return self._cached("chemical_ids", lambda: load.chemical_ids(self.conn))


# which lookups a kind's load makes stale
_STALE_AFTER = {"areas": ("towns", "geocoder"), "gazetteer": ("geocoder",), "enterprises": ("enterprise_ids",)}


def _validate(lc: LoadContext, kind: Kind, src: Source, rows, cols, seen: dict, keep: set) -> list[dict]:
    """The rows of one file as records; rejected rows go to ``lc.rejects`` (their key is kept)."""
    out = []
    checks = lc._cached(("columns", kind.name), lambda: column_checks(kind.tables))
    label_of = lambda f: cols.get(f) or kind.field_label(f)  # noqa: E731
    for row in rows:
        try:
            rec = kind.build(row, cols, lc, src)
            fits_columns(rec, checks, label_of)
        except RowError as exc:
            lc.rejects.append(reject_of(row, exc))
            if kind.key:
                k = str(row.values.get(cols.get(kind.key, ""), "") or "").strip()
                if k:
                    keep.add(k)
            continue
        k = rec.get(kind.key) if kind.key and kind.unique else None
        if k is not None and k in seen:
            f0, l0 = seen[k]
            lc.rejects.append(Reject(row.file, row.line, kind.key_label, k, f"重复记录：与 {f0} 第{l0}行重复"))
            continue
        if k is not None:
            seen[k] = (row.file, row.line)
        rec["_file"], rec["_line"] = row.file, row.line
        out.append(rec)
    return out


def _load_kind(lc: LoadContext, kind: Kind, sources_rows: list) -> None:
    records_, files, keep, seen = [], [], set(), {}
    for src, rows in _progress(sources_rows, kind.label) if kind is ENTERPRISES else sources_rows:
        headers = set().union(*(r.values.keys() for r in rows)) if rows else set()
        cols = resolve_columns(kind, headers, lc.settings.etl.columns.get(kind.name))
        good = _validate(lc, kind, src, rows, cols, seen, keep)
        if kind.group:
            good = kind.group(lc, good, keep)
        if rows and not good:
            raise EtlAborted(f"{src.path.name} 的 {len(rows)} 行全部被拒绝，本次运行中止，数据未作任何修改")
        records_ += good
        files.append(src.path.name)
    lc.counts[kind.name] = kind.load(lc, records_, files, keep)
    lc.forget(*_STALE_AFTER.get(kind.name, ()))


def _load_all(lc: LoadContext, rows_by_kind: dict, hook) -> None:
    """Every kind of this run in load order, in the run's transaction."""
    for kind in KINDS:
        if kind.name in rows_by_kind:
            _load_kind(lc, kind, rows_by_kind[kind.name])
        if hook and kind is ENTERPRISES:
            hook("after_enterprises")
    attribute_towns(lc.conn)
    for name, lst in rows_by_kind.items():
        c = lc.counts.setdefault(name, {})
        c["read"] = sum(len(r) for _, r in lst)
        c["rejected"] = sum(1 for rj in lc.rejects if rj.is_error and any(rj.file == s.path.name for s, _ in lst))
        c["warnings"] = sum(1 for rj in lc.rejects if not rj.is_error and any(rj.file == s.path.name for s, _ in lst))


def summary_text(res: RunResult) -> str:
    from geo.postgis.changes import describe

    lines = []
    head = {"succeeded": f"ETL 运行 {res.run_id} 已提交。", "dry_run": "试运行（未写入）。",
            "aborted": f"ETL 运行 {res.run_id or ''} 已中止，数据未作任何修改：{res.message}",
            "failed": f"ETL 运行失败：{res.message}"}[res.status]
    lines.append(head)
    for kind in KINDS:
        c = res.counts.get(kind.name)
        if not c:
            continue
        lines.append(f"  {kind.label}：读取 {c.get('read', 0)}，新增 {c.get('inserted', 0)}，更新 {c.get('updated', 0)}，"
                     f"未变 {c.get('unchanged', 0)}，移除 {c.get('removed', 0)}，拒绝 {c.get('rejected', 0)}"
                     + (f"，警告 {c['warnings']}" if c.get("warnings") else ""))
    if res.expired_licences:
        lines.append(f"  许可证已过期的企业：{res.expired_licences} 家（已标记，未拒绝）")
    if res.rejects_path:
        lines.append(f"  拒绝行报告（{len(res.rejects)} 条）：{res.rejects_path}")
    lines += [f"  警告：{w}" for w in res.warnings]
    if res.status == "succeeded" and res.changes is not None and "refresh" in res.counts:
        r = res.counts["refresh"]
        lines.append(f"  风险重算：{colour_text(r)}；重大危险源 {r['major_hazards']} 个；冲突 {r['conflicts']} 处")
        lines.append("  " + describe(res.changes))
    return "\n".join(lines)

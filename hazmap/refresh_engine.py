"""Which engine computes a refresh's exposure and conflict steps: PostGIS, or a Dask cluster.

``hazmap refresh --engine dask [--scheduler ADDRESS] [--workdir DIR]`` runs those two steps
on Dask (:mod:`geo.postgis.distributed`) and everything else in PostGIS as usual; without
``--scheduler`` a ``LocalCluster`` is started on this machine for the run.  The CLI adds the
options with :func:`engine_options` and opens the engine around one refresh with
:func:`open_refresh_engine`; the refresh calls ``engine.exposed_people(conn, ids)`` and
``engine.insert_conflicts(conn, run_id, target_kind=…)`` where it called the PostGIS functions.
"""

from __future__ import annotations

import tempfile
from collections.abc import Callable
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

import click

from geo.postgis.conflicts import NO_KINDS, insert_conflicts
from geo.postgis.exposure import EXPOSURE_RADIUS_M, exposed_people_by_enterprise

ENGINES = ("postgis", "dask")


class EngineError(Exception):
    """An engine the user asked for cannot be used (Chinese message; the CLI exits 2)."""


@dataclass(frozen=True)
class RefreshEngine:
    """The two set-based steps of a refresh, as callables with the PostGIS functions' signatures."""

    name: str  # postgis | dask
    insert_conflicts: Callable  # (conn, run_id, *, target_kind="''") -> number of conflicts stored
    exposed_people: Callable  # (conn, enterprise_ids, *, radius_m=500.0) -> {id: {"people", "targets"}}
    scheduler: str | None = None  # the Dask scheduler's address


def engine_options(command):
    """Click options ``--engine``, ``--scheduler`` and ``--workdir`` for a refreshing command."""
    command = click.option("--workdir", default=None, type=click.Path(file_okay=False),
                           help="Dask 引擎的临时 GeoParquet 目录（远程 worker 必须都能读取，如 NFS 共享目录）")(command)
    command = click.option("--scheduler", default=None, metavar="ADDRESS",
                           help="Dask 调度器地址，如 tcp://10.0.0.5:8786；不给则在本机启动 LocalCluster")(command)
    return click.option("--engine", type=click.Choice(ENGINES), default="postgis", show_default=True,
                        help="冲突与暴露人数的计算引擎：postgis（单库）或 dask（集群，全国规模）")(command)


@contextmanager
def open_refresh_engine(engine: str = "postgis", scheduler: str | None = None, *,
                        workdir: str | None = None, n_workers: int | None = None,
                        connect_timeout_s: float = 10.0, rules=None):
    """Yield a :class:`RefreshEngine` for one refresh; a Dask client (and local cluster) is
    closed and the scratch files removed at exit.  ``rules`` (the refresh's
    :class:`geo.separation.RuleSet`, ``domain.rules``) gives the target kinds the exported targets carry,
    so the exposure and conflict steps share one export; without it the exposure step exports
    targets without kinds (people only) and the conflict step its own.  Raises :class:`EngineError` naming the
    option for a bad combination, a missing ``[scale]`` install or an unreachable scheduler.
    """
    if engine not in ENGINES:
        raise EngineError(f"--engine 应为 {' / '.join(ENGINES)}，实际 {engine!r}")
    if engine == "postgis":
        if scheduler or workdir:
            raise EngineError("--scheduler 与 --workdir 只用于 --engine dask")
        yield RefreshEngine("postgis", insert_conflicts, exposed_people_by_enterprise)
        return
    if scheduler and not workdir:
        raise EngineError("使用远程 Dask 调度器时须用 --workdir 指定所有 worker 都能读取的共享目录")
    try:
        from distributed import Client, LocalCluster

        from geo.postgis import distributed as dask_steps
    except ImportError as exc:
        raise EngineError(f"未安装 Dask 引擎（{exc.name}）：请 pip install -e '.[scale]'") from None
    if workdir and not Path(workdir).is_dir():
        raise EngineError(f"--workdir 目录不存在：{workdir}")
    cluster = None
    try:
        if scheduler:
            client = Client(scheduler, timeout=connect_timeout_s)
        else:
            cluster = LocalCluster(n_workers=n_workers, threads_per_worker=1, dashboard_address="127.0.0.1:0")
            client = Client(cluster)
    except (OSError, TimeoutError, ValueError) as exc:
        if cluster is not None:
            cluster.close()
        raise EngineError(f"无法连接 Dask 调度器 {scheduler or '（本机）'}：{exc}") from None
    try:
        with tempfile.TemporaryDirectory(prefix="hazmap-refresh-", dir=workdir) as scratch:
            # the targets are exported once and shared by both steps of this refresh, with the
            # target kinds of the refresh's rules (domain.rules)
            exported = {}
            default_kind = NO_KINDS
            if rules is not None:
                from geo.postgis.target_kinds import target_kind_sql

                default_kind = target_kind_sql(rules)

            def tiles(conn, target_kind=None):
                target_kind = target_kind or default_kind
                if target_kind not in exported:
                    exported[target_kind] = dask_steps.export_targets(
                        conn, Path(scratch) / f"targets-{len(exported)}", target_kind=target_kind)
                return exported[target_kind]

            def conflicts(conn, run_id, *, target_kind=NO_KINDS):
                return dask_steps.insert_conflicts_dask(conn, run_id, client, tiles=tiles(conn, target_kind),
                                                        workdir=scratch, target_kind=target_kind)

            def exposure(conn, enterprise_ids, *, radius_m=EXPOSURE_RADIUS_M):
                return dask_steps.exposed_people_dask(conn, enterprise_ids, client, radius_m=radius_m,
                                                      tiles=tiles(conn), workdir=scratch)

            yield RefreshEngine("dask", conflicts, exposure, client.scheduler.address)
    finally:
        client.close()
        if cluster is not None:
            cluster.close()

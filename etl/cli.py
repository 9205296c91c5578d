"""``hazmap etl run``."""

from __future__ import annotations

import sys
from pathlib import Path

import click


@click.group()
def etl() -> None:
    """ETL：从各部门台账导入数据."""


@etl.command()
@click.option("--config", "config", type=click.Path(dir_okay=False), default=None,
              help="ETL 配置 TOML（覆盖 HAZMAP_CONFIG）")
@click.option("--source", "sources", multiple=True, help="KIND=PATH，可重复")
@click.option("--dry-run", is_flag=True, help="只校验并输出报告，不写入")
@click.option("--rejects", type=click.Path(dir_okay=False), default=None, help="拒绝行报告路径")
@click.pass_context
def run(ctx: click.Context, config, sources, dry_run, rejects) -> None:
    """One ETL run: extract → validate → geocode → load → refresh."""
    from etl.run import run_etl, sources_from, summary_text
    from hazmap.config import ConfigError, load_settings
    from hazmap.jobs import JobAborted

    parent = ctx.find_root().obj or {}
    try:
        settings = load_settings(config or parent.get("config"))
    except ConfigError as exc:
        click.echo(f"配置错误：{exc}", err=True)
        sys.exit(2)
    try:
        res = run_etl(settings, sources_from(settings, sources), dry_run=dry_run,
                      rejects_path=Path(rejects) if rejects else None)
    except JobAborted as exc:
        click.echo(f"ETL 已中止，数据未作任何修改：{exc}", err=True)
        sys.exit(2)
    except Exception as exc:  # a crash: one line for the user, the run is recorded as failed
        from hazmap.cli_support import describe_failure  # database unreachable, missing, schema dropped …

        reason = describe_failure(exc, settings.database_url) or f"{type(exc).__name__}: {exc}"
        click.echo(" ".join(f"ETL 失败，数据未作任何修改：{reason}".split()), err=True)
        sys.exit(2)
    click.echo(summary_text(res))
    if res.run_id is not None:
        _audit(settings, res)
    sys.exit(res.exit_code)


def _audit(settings, res) -> None:
    """Record the run in the audit log (who ran it from which account on this machine)."""
    import getpass

    from hazmap import users
    from hazmap.db.session import get_engine

    with get_engine(settings.database_url).begin() as conn:
        users.audit(conn, "etl_run", user={"name": f"cli:{getpass.getuser()}", "role": "operator"},
                    detail={"run_id": res.run_id, "status": res.status, "rejected": len(res.rejects)})

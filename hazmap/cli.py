"""The ``hazmap`` command line (click, as shipped with Flask).

Commands follow the contract in the design notes (``interfaces.md``); errors a user can
cause print one Chinese line on stderr and exit with status 2 — never a traceback.
"""

from __future__ import annotations

import json
import sys
from pathlib import Path

import click

from hazmap.config import ConfigError, Settings, load_settings

REPO = Path(__file__).resolve().parent.parent
DEMO_CONFIG = REPO / "data" / "demo-etl.toml"


def _settings(ctx: click.Context, config: str | None = None) -> Settings:
    try:
        return load_settings(config or ctx.obj.get("config"))
    except ConfigError as exc:
        raise click.ClickException(f"配置错误：{exc}") from exc


class _Exit2(click.ClickException):
    exit_code = 2


def fail(message: str) -> None:
    raise _Exit2(message)


@click.group()
@click.option("--config", "config", envvar="HAZMAP_CONFIG", default=None,
              help="TOML 配置文件（默认取环境变量 HAZMAP_CONFIG）")
@click.pass_context
def cli(ctx: click.Context, config: str | None) -> None:
    """hazmap — 危险化学品全流程监管风险地图."""
    ctx.ensure_object(dict)
    ctx.obj["config"] = config
    # Validate settings at start: a bad setting fails here, naming it.
    try:
        load_settings(config)
    except ConfigError as exc:
        fail(f"配置错误：{exc}")


@cli.group()
def db() -> None:
    """数据库：创建、迁移."""


@db.command("init")
@click.pass_context
def db_init(ctx: click.Context) -> None:
    """Create the database if missing, enable PostGIS, migrate to head, load reference data."""
    from hazmap.db.init import DatabaseError, init_database

    s = _settings(ctx)
    try:
        done = init_database(s.database_url)
    except DatabaseError as exc:
        fail(str(exc))
    click.echo(("已创建数据库；" if done["created"] else "数据库已存在；")
               + "PostGIS 已启用；迁移到最新版本；参考数据："
               + "，".join(f"{k} {v}" for k, v in done["reference"].items()))


@db.command("downgrade")
@click.argument("revision")
@click.pass_context
def db_downgrade(ctx: click.Context, revision: str) -> None:
    """Migrate down to REVISION (e.g. ``base``)."""
    from hazmap.db.init import downgrade

    downgrade(_settings(ctx).database_url, revision)
    click.echo(f"已回退到 {revision}")


@cli.command()
@click.pass_context
def refresh(ctx: click.Context) -> None:
    """Recompute major hazards, conflicts, colours and area grades from what is stored."""
    from geo.postgis.runner import RunLocked, run_refresh

    s = _settings(ctx)
    try:
        summary = run_refresh(s)
    except RunLocked as exc:
        fail(str(exc))
    click.echo(summary["text"])


@cli.command()
@click.option("--host", default="127.0.0.1", show_default=True)
@click.option("--port", default=8000, show_default=True, type=int)
@click.pass_context
def serve(ctx: click.Context, host: str, port: int) -> None:
    """Serve the web app (development server; see README for gunicorn)."""
    from webmap import create_app

    app = create_app(settings=_settings(ctx))
    click.echo(f"风险地图：http://{host}:{port}/")
    app.run(host=host, port=port, threaded=True)


@cli.command()
@click.option("--no-serve", is_flag=True, help="只建库并导入演示数据，不启动服务")
@click.option("--host", default="127.0.0.1", show_default=True)
@click.option("--port", default=8000, show_default=True, type=int)
@click.pass_context
def demo(ctx: click.Context, no_serve: bool, host: str, port: int) -> None:
    """``db init`` + ETL of the bundled demo data + ``serve``."""
    ctx.invoke(db_init)
    from etl.cli import run as etl_run

    try:
        ctx.invoke(etl_run, config=str(DEMO_CONFIG), sources=(), dry_run=False, rejects=None)
    except SystemExit as exc:  # the ETL command exits explicitly with its status
        if exc.code not in (0, None):
            raise
    if not no_serve:
        ctx.invoke(serve, host=host, port=port)


@cli.group()
def siting() -> None:
    """选址核查."""


@siting.command("check")
@click.option("--lon", type=float, required=True)
@click.option("--lat", type=float, required=True)
@click.option("--crs", default="wgs84", show_default=True,
              help="wgs84 | cgcs2000 | gcj02 | bd09 | EPSG:NNNN")
@click.option("--inventory", "inventory_file", type=click.Path(dir_okay=False), required=True,
              help="JSON 文件：[{\"chemical\": \"液氯\", \"quantity_t\": 20, \"unit\": \"storage\"}, …]")
@click.option("--exposed-people", type=float, default=None, help="不填则按500 m内数据统计")
@click.pass_context
def siting_check(ctx, lon, lat, crs, inventory_file, exposed_people) -> None:
    """Run the siting check on a candidate site; JSON to stdout."""
    from geo.errors import InvalidInput
    from geo.postgis.siting import check_site
    from hazmap.db.session import get_engine

    s = _settings(ctx)
    try:
        inventory = json.loads(Path(inventory_file).read_text(encoding="utf-8-sig"))
    except (OSError, ValueError) as exc:
        fail(f"无法读取库存文件 {inventory_file}：{exc}")
    payload = {"location": {"lon": lon, "lat": lat, "crs": crs},
               "inventory": inventory, "exposed_people": exposed_people}
    try:
        with get_engine(s.database_url).connect() as conn:
            result = check_site(conn, payload, s)
    except InvalidInput as exc:
        fail(f"输入错误（{exc.field}）：{exc.message}")
    json.dump(result, sys.stdout, ensure_ascii=False, indent=2)
    sys.stdout.write("\n")


def _register_optional() -> None:
    """Attach command groups that live with their own packages."""
    from etl.cli import etl as etl_group

    cli.add_command(etl_group, "etl")


_register_optional()


def main() -> None:
    cli(prog_name="hazmap")

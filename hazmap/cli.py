"""The ``hazmap`` command line (click, as shipped with Flask).

Commands follow the contract in the design notes (``interfaces.md``); errors a user can
cause print one Chinese line on stderr and exit with status 2 — never a traceback.  One error
boundary (:class:`hazmap.cli_support.Guarded`, the top-level group) turns what no command handles itself — an
unreachable or missing database, a dropped schema, an unknown migration revision — into that
line (:func:`hazmap.cli_support.describe_failure`).
"""

from __future__ import annotations

import json
import sys
from pathlib import Path

import click
from sqlalchemy import text as sa_text

from hazmap.cli_support import Guarded, describe_failure, server_and_database
from hazmap.cli_support import domain_of as _domain
from hazmap.cli_support import fail
from hazmap.cli_support import settings_of as _settings
from hazmap.config import ConfigError, Settings, load_settings
from hazmap.refresh_engine import engine_options

REPO = Path(__file__).resolve().parent.parent
DEMO_CONFIG = REPO / "data" / "demo-etl.toml"


def _current_revision(url: str, db=None) -> str | None:
    """The database's migration revision (None: no hazmap schema there); ``db``: [database] settings."""
    from hazmap.db.session import get_engine

    with get_engine(url, db=db).connect() as conn:
        if conn.execute(sa_text("select to_regclass('alembic_version')")).scalar() is None:
            return None
        return conn.execute(sa_text("select version_num from alembic_version")).scalar()


def _audit_cli(s: Settings, action: str, detail: dict) -> None:
    """An audit line for something done from the command line (as ``cli:<login name>``)."""
    import getpass

    from hazmap import users
    from hazmap.db.session import get_engine

    with get_engine(s.database_url, db=s.database).begin() as conn:
        users.audit(conn, action, user={"name": f"cli:{getpass.getuser()}", "role": "operator"}, detail=detail)


@click.group(cls=Guarded)
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
        done = init_database(s.database_url, db=s.database)
    except DatabaseError as exc:
        fail((exc.__cause__ and describe_failure(exc.__cause__, s.database_url)) or str(exc))
    click.echo(("已创建数据库；" if done["created"] else "数据库已存在；")
               + "PostGIS 已启用；迁移到最新版本；参考数据："
               + "，".join(f"{k} {v}" for k, v in done["reference"].items()))


@db.command("downgrade")
@click.argument("revision")
@click.pass_context
def db_downgrade(ctx: click.Context, revision: str) -> None:
    """Migrate down to REVISION (e.g. ``base``)."""
    from hazmap.db.init import downgrade

    s = _settings(ctx)
    url = s.database_url
    if _current_revision(url, s.database) is None:
        fail(f"数据库 {server_and_database(url)[1]} 没有 hazmap 的表结构（未初始化或已被删除），无可回退：请先运行 hazmap db init")
    downgrade(url, revision, db=s.database)
    click.echo(f"已回退到 {revision}")


@cli.command()
@engine_options
@click.option("--full", is_flag=True, help="全量重算：不沿用上次运行的暴露人数与距离冲突（默认只重算变更所及的企业）")
@click.pass_context
def refresh(ctx: click.Context, engine: str, scheduler: str | None, workdir: str | None, full: bool) -> None:
    """Recompute major hazards, conflicts, colours and area grades from what is stored."""
    from hazmap.jobs import RunLocked
    from hazmap.refresh import run_refresh
    from hazmap.refresh_engine import EngineError, open_refresh_engine

    s = _settings(ctx)
    try:
        domain = _domain(s)
        with open_refresh_engine(engine, scheduler, workdir=workdir, rules=domain.rules) as eng:  # LocalCluster when no scheduler
            summary = run_refresh(s, domain=domain, engine=eng, incremental=not full)
    except (RunLocked, EngineError) as exc:
        fail(str(exc))
    click.echo(summary["text"])


@cli.command()
@click.option("--host", default="127.0.0.1", show_default=True)
@click.option("--port", default=8000, show_default=True, type=int)
@click.pass_context
def serve(ctx: click.Context, host: str, port: int) -> None:
    """Serve the web app (development server; see README for gunicorn)."""
    from webmap import create_app

    from dataclasses import replace

    s = _settings(ctx)
    if host in ("127.0.0.1", "localhost", "::1") and s.secure_cookies:
        # development on loopback has no TLS: a Secure cookie would never come back
        s = replace(s, secure_cookies=False)
    app = create_app(settings=s)
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

    extra = _demo_positions(_settings(ctx).database_url)
    try:
        ctx.invoke(etl_run, config=str(DEMO_CONFIG), sources=extra, dry_run=False, rejects=None)
    except SystemExit as exc:  # the ETL command exits explicitly with its status
        if exc.code not in (0, None):
            raise
    from hazmap import users
    from hazmap.db.session import get_engine

    with get_engine(_settings(ctx).database_url).begin() as conn:
        conn.execute(sa_text("delete from app_user where name = 'demo'"))
        demo_user = users.add_user(conn, "demo", "operator")
        from hazmap.demo_draws import make_demo_draws, record_demo_results  # issue 12: the demo's 双随机 draws

        draws = make_demo_draws(conn, DEMO_CONFIG.parent / "demo" / "inspection_draws.csv",
                                _domain(_settings(ctx)).assessment.draw)
        done = record_demo_results(conn, DEMO_CONFIG.parent / "demo" / "inspection_results.csv", draws)
    click.echo("演示双随机抽查：" + "；".join(f"{d['period']} 抽取 {len(d['inspections'])} 家（种子 SHA-256 "
                                          f"{d['seed_sha256'][:12]}…）" for d in draws) + f"；已录入检查结果 {done} 家")
    click.echo(f"演示账号（运维角色，本次运行有效）：登录 http://{host}:{port}/login ，用户名 demo，"
               f"密码 {demo_user['password']}；API 令牌 {demo_user['token']}")
    if not no_serve:
        ctx.invoke(serve, host=host, port=port)


DEMO_TRACKS = REPO / "data" / "demo" / "transport_tracks.csv"


def _demo_positions(database_url: str) -> tuple[str, ...]:
    """The demo's vehicle tracks through the real JT/T 808 listener (simulated terminals over TCP);
    if that cannot run here, the same tracks are imported as ETL kind ``positions`` (said so)."""
    from hazmap.transport.demo_feed import feed_demo_tracks

    try:
        c = feed_demo_tracks(database_url, DEMO_TRACKS)
    except Exception as exc:  # noqa: BLE001 - the demo goes on with the file import, and says why
        click.echo(f"JT/T 808 模拟接入未能运行（{exc}）：改为以平台导出文件导入演示轨迹（positions）")
        return (f"positions={DEMO_TRACKS}",)
    click.echo(f"JT/T 808 模拟接入：{c['terminals']} 个终端经本机 {c['port']} 端口注册、鉴权并上报 {c['sent']} 条定位，"
               f"平台确认并入库 {c['stored']} 条（WGS-84）")
    return ()


@cli.group()
def siting() -> None:
    """选址核查."""


@siting.command("check")
@click.option("--lon", type=float, required=True)
@click.option("--lat", type=float, required=True)
@click.option("--crs", default="wgs84", show_default=True,
              help="wgs84 | cgcs2000 | gcj02 | bd09 | EPSG:NNNN")
@click.option("--facility-type", required=True,
              help="设施类别（data/rules/source_classes.csv，如 加油站、危化品仓库、化工厂）")
@click.option("--stage", required=True, help="环节：生产、储存、经营(带储存)、使用 … 或其代码")
@click.option("--inventory", "inventory_file", type=click.Path(dir_okay=False), required=True,
              help="JSON 文件：[{\"chemical\": \"液氯\", \"quantity_t\": 20, \"unit\": \"storage\"}, …]")
@click.option("--size", "sizes", multiple=True, metavar="字段=数值",
              help="规模（可多次）：tank_volume_m3、station_grade、oil_depot_grade、vapour_recovery、"
                   "lpg_tank_buried、class_a_34_t、class_a_1256_t")
@click.option("--in-chemical-park/--outside-chemical-park", "in_park", default=None,
              help="拟建点是否位于化工园区（不填：未说明）")
@click.option("--allow-outside-area", is_flag=True, help="核查辖区外的地点（结论注明）")
@click.option("--exposed-people", type=float, default=None, help="不填则按500 m内数据统计")
@click.option("--temperature-c", type=float, default=None, help="操作温度 ℃（GB 18218 表2 W5.1；不填：常温常压）")
@click.option("--pressure-mpa", type=float, default=None, help="操作压力 MPa（表压；表2 W5.2）")
@click.option("--consequence", is_flag=True,
              help="同时计算后果与个人风险（GB/T 37243、GB 36894；有毒、液化烃等单元约需 10–30 秒）")
@click.pass_context
def siting_check(ctx, lon, lat, crs, facility_type, stage, inventory_file, sizes, in_park, allow_outside_area,
                 exposed_people, temperature_c, pressure_mpa, consequence) -> None:
    """Run the siting check on a candidate site; JSON to stdout (the API's result)."""
    from geo.errors import InvalidInput
    from geo.postgis.siting import check_site
    from hazmap.db.session import get_engine
    from hazmap.domain import siting_area
    from hazmap.jsonbody import loads_checked

    s = _settings(ctx)
    try:
        inventory = loads_checked(Path(inventory_file).read_bytes(), max_depth=s.limits.max_json_depth)
    except OSError as exc:
        fail(f"无法读取库存文件 {inventory_file}：{exc.strerror or exc}")
    except InvalidInput as exc:
        fail(f"库存文件 {inventory_file} 无效：{exc.message}")
    size = {}
    for item in sizes:
        key, sep, value = item.partition("=")
        if not sep:
            fail(f"--size 应为 字段=数值，实际“{item}”")
        size[key.strip()] = value.strip()
    payload = {"location": {"lon": lon, "lat": lat, "crs": crs}, "facility_type": facility_type, "stage": stage,
               "inventory": inventory, "size": size or None, "in_chemical_park": in_park,
               "allow_outside_area": allow_outside_area, "exposed_people": exposed_people,
               "consequence": consequence}
    if temperature_c is not None or pressure_mpa is not None:
        payload["conditions"] = {"temperature_c": temperature_c, "pressure_mpa": pressure_mpa}
    try:
        with get_engine(s.database_url, db=s.database).connect() as conn:
            result = check_site(conn, payload, _domain(s), area=siting_area(s))
    except InvalidInput as exc:
        fail(f"输入错误（{exc.field}）：{exc.message}")
    _audit_cli(s, "siting_check", {"via": "cli", "location": payload["location"], "facility_type": facility_type,
                                   "stage": result["stage"], "verdict": result["verdict"]["decision"],
                                   "risk_color": result["risk_color"], "outside_area": result["area"]["outside"]})
    json.dump(result, sys.stdout, ensure_ascii=False, indent=2)
    sys.stdout.write("\n")


def _export_command() -> click.Command:
    """``hazmap export LAYER``: layers, filter options and their help generated from the collections registry."""
    from geo.postgis.collections import registry

    layers = registry()
    by_filter: dict = {}
    for c in layers.values():
        for f in c.filters:
            by_filter.setdefault(f.name, (f, []))[1].append(c.id)
    options = [click.Option([f"--{name}"], default=None, help=f"{f.description}（{'、'.join(ids)}）")
               for name, (f, ids) in by_filter.items()]
    options += [
        click.Option(["--format", "fmt"], type=click.Choice(["geojson", "csv", "gpkg"]), default="geojson",
                     show_default=True),
        click.Option(["--bbox"], help="minlon,minlat,maxlon,maxlat（WGS-84）"),
        click.Option(["--limit"], type=int, default=None, help="最多导出条数"),
        click.Option(["--offset"], type=int, default=0),
        click.Option(["--crs", "out_crs"], type=click.Choice(["wgs84", "gcj02"]), default="wgs84", show_default=True,
                     help="gcj02：非标准，仅用于与高德底图叠加"),
        click.Option(["--labels"], type=click.Choice(["en", "zh"]), default="en", show_default=True,
                     help="zh：中文列名"),
        click.Option(["-o", "--output"], default=None, help="输出文件；“-” 表示标准输出（GeoJSON/CSV）"),
    ]

    @click.pass_context
    def export_cmd(ctx, layer, fmt, bbox, limit, offset, out_crs, labels, output, **filters) -> None:
        """Export LAYER with the same data and filters as the API (GeoJSON, CSV or GeoPackage)."""
        from geo.errors import InvalidInput
        from geo.postgis.collections import arguments
        from hazmap import export
        from hazmap.db.session import get_engine

        s = _settings(ctx)
        c = layers[layer]
        try:
            given = {k: v for k, v in filters.items() if v is not None}
            stray = sorted(set(given) - {f.name for f in c.filters})
            if stray:
                raise InvalidInput(stray[0], f"图层 {layer} 没有筛选条件 --{stray[0]}")
            export.check(layer, fmt, out_crs, labels)
            sel, _ = arguments.api_selection(c, {**given, "bbox": bbox}, limits=s.limits)
            if fmt == "gpkg" and output == "-":
                raise InvalidInput("output", "GeoPackage 不能写到标准输出，请用 -o 指定文件")
            if limit is not None and limit < 1 or offset < 0:
                raise InvalidInput("limit", "limit 应 ≥ 1，offset 应 ≥ 0")
            path = output or export.file_name(layer, fmt, out_crs)
            _audit_cli(s, "export", {"via": "cli", "layer": layer, "format": fmt, "crs": out_crs, "output": path,
                                     "filters": given, "limit": limit, "offset": offset})
            with get_engine(s.database_url, db=s.database).connect() as conn:
                ex = export.prepare(conn, c, sel, vocabulary=_domain(s).vocabulary,
                                    max_features=s.limits.max_export_features, limit=limit, offset=offset,
                                    out_crs=out_crs, labels=labels)
                if fmt == "gpkg":
                    n = export.write_gpkg(conn, ex, Path(path))
                else:
                    chunks = export.csv_chunks if fmt == "csv" else export.geojson_chunks
                    out = sys.stdout if path == "-" else open(path, "w", encoding="utf-8", newline="")
                    try:
                        for chunk in chunks(conn, ex):
                            out.write(chunk)
                    finally:
                        if out is not sys.stdout:
                            out.close()
                    n = ex.number
        except InvalidInput as exc:
            fail(f"输入错误（{exc.field}）：{exc.message}")
        if path != "-":
            click.echo(f"已导出 {n} 条要素到 {path}（{export.CRS_LABEL[out_crs]}）", err=True)

    return click.Command("export", callback=export_cmd, help=export_cmd.__doc__,
                         params=[click.Argument(["layer"], type=click.Choice(list(layers)))] + options)


cli.add_command(_export_command())


@cli.group()
def user() -> None:
    """用户与角色."""


@user.command("add")
@click.argument("name")
@click.option("--role", type=click.Choice(["operator", "planner", "leader", "analyst", "inspector"]), required=True)
@click.option("--password", default=None, help="不填则生成随机密码并显示一次")
@click.pass_context
def user_add(ctx, name, role, password) -> None:
    """Create a user; prints its API token (and a generated password) once."""
    from geo.errors import InvalidInput
    from hazmap import users
    from hazmap.db.session import get_engine

    s = _settings(ctx)
    try:
        with get_engine(s.database_url, db=s.database).begin() as conn:
            u = users.add_user(conn, name, role, password, min_password_length=s.auth.min_password_length)
    except InvalidInput as exc:
        fail(f"输入错误（{exc.field}）：{exc.message}")
    click.echo(f"已创建用户 {u['name']}（{u['role']}）")
    if not password:
        click.echo(f"密码（仅显示一次）：{u['password']}")
    click.echo(f"API 令牌（仅显示一次）：{u['token']}")


@user.command("list")
@click.pass_context
def user_list(ctx) -> None:
    """List users."""
    from hazmap import users
    from hazmap.db.session import get_engine

    with get_engine(_settings(ctx).database_url).connect() as conn:
        for u in users.list_users(conn):
            click.echo(f"{u['name']}\t{u['role']}\t{'停用' if u['disabled'] else '启用'}\t"
                       f"{u['last_login_at'] or '从未登录'}")


@user.command("disable")
@click.argument("name")
@click.pass_context
def user_disable(ctx, name) -> None:
    """Disable a user (password and token stop working at once)."""
    from geo.errors import InvalidInput
    from hazmap import users
    from hazmap.db.session import get_engine

    try:
        with get_engine(_settings(ctx).database_url).begin() as conn:
            users.set_disabled(conn, name, True)
    except InvalidInput as exc:
        fail(exc.message)
    click.echo(f"已停用 {name}")


def _register_optional() -> None:
    """Attach command groups that live with their own packages."""
    from etl.cli import etl as etl_group
    from hazmap.reference_cli import reference
    from hazmap.transport.cli import transport

    cli.add_command(etl_group, "etl")
    cli.add_command(reference, "reference")
    cli.add_command(transport, "transport")


_register_optional()


def main() -> None:
    cli(prog_name="hazmap")

"""``hazmap transport listen`` (JT/T 808 terminals → PostGIS) and ``hazmap transport simulate``."""

from __future__ import annotations

import asyncio
import datetime as dt
import gc
import logging
import signal

import click


@click.group()
def transport() -> None:
    """危险货物运输：JT/T 808 终端接入."""


@transport.command("listen")
@click.option("--host", default="127.0.0.1", show_default=True)
@click.option("--port", default=8808, show_default=True, type=int, help="0：由系统分配端口")
@click.pass_context
def listen_cmd(ctx: click.Context, host: str, port: int) -> None:
    """Accept JT/T 808 terminals and store their positions in ``vehicle_position``."""
    from hazmap.cli_support import fail, settings_of
    from hazmap.transport.listener import listen
    from hazmap.transport.sink import PostgisSink

    logging.basicConfig(level=logging.INFO, format="%(asctime)s %(levelname)s %(message)s")
    settings = settings_of(ctx)
    sink = PostgisSink(settings.database_url, db=settings.database)  # [database] timeouts and keepalives

    async def main() -> dict:
        try:
            await sink.check()
        except Exception as exc:  # noqa: BLE001 - unreachable database or missing table: one line, exit 2
            await sink.close()
            raise click.ClickException(str(exc)) from exc
        stop = asyncio.Event()
        loop = asyncio.get_running_loop()
        for sig in (signal.SIGINT, signal.SIGTERM):
            loop.add_signal_handler(sig, stop.set)

        def ready(bound) -> None:
            click.echo(f"JT/T 808 接入监听 {bound[0]}:{bound[1]}（位置写入 vehicle_position，WGS-84）")

        try:
            counters = await listen(sink, host=host, port=port, stop=stop, on_ready=ready)
        except BaseException:
            await sink.close()
            raise
        return counters.snapshot()

    gc.freeze()  # start-up objects out of the collector's way: shorter pauses under load
    try:
        snapshot = asyncio.run(main())
    except click.ClickException as exc:
        fail(f"无法启动 JT/T 808 接入：{exc.message}")
    except OSError as exc:
        fail(f"无法监听 {host}:{port}：{exc}")
    click.echo(f"已停止：{snapshot}")


@transport.command("simulate")
@click.option("--host", default="127.0.0.1", show_default=True)
@click.option("--port", default=8808, show_default=True, type=int)
@click.option("--terminals", "n", default=3, show_default=True, type=int, help="模拟终端数")
@click.option("--fixes", default=10, show_default=True, type=int, help="每个终端发送的定位数")
@click.option("--interval", default=1.0, show_default=True, type=float, help="定位间隔（秒），0 为尽快发送")
@click.option("--version-2019", is_flag=True, help="使用 2019 版消息头")
def simulate_cmd(host: str, port: int, n: int, fixes: int, interval: float, version_2019: bool) -> None:
    """Simulated terminals driving a short track in 城区 (WGS-84); prints what was acknowledged."""
    from hazmap.cli_support import fail
    from hazmap.transport.simulator import fixes_along, simulate, terminals

    track = [(112.8400 + 0.0008 * i, 35.4950 + 0.0005 * i) for i in range(30)]
    start = dt.datetime.now(dt.timezone.utc).replace(microsecond=0)
    specs = terminals(n, version_2019=version_2019)
    try:
        runs = asyncio.run(simulate(host, port, specs, [fixes_along(track, start=start, interval_s=interval or 10,
                                                                    count=fixes)] * n, interval_s=interval))
    except (OSError, asyncio.TimeoutError) as exc:
        fail(f"无法连接 JT/T 808 接入 {host}:{port}：{exc}")
    acked = sum(len(r.acked) for r in runs)
    click.echo(f"{n} 个终端共发送 {n * fixes} 条定位，平台确认入库 {acked} 条，"
               f"拒收 {sum(r.refused for r in runs)} 条，未应答 {sum(r.unanswered for r in runs)} 条")

"""The JT/T 808 listener with the terminal simulator: in memory, and end to end into PostGIS."""

from __future__ import annotations

import asyncio
import datetime as dt

import sqlalchemy as sa

from geo.transport import jt808
from hazmap.transport.listener import Listener
from hazmap.transport.simulator import TerminalSpec, fixes_along, run_terminal, simulate, terminals
from hazmap.transport.sink import MemorySink, PostgisSink

START = dt.datetime(2024, 5, 10, 0, 30, tzinfo=dt.timezone.utc)
TRACK = [(112.8400 + 0.0010 * i, 35.4900 + 0.0004 * i) for i in range(8)]


async def _exchange(port: int, *rounds: tuple[list[bytes], int]) -> list[jt808.Frame]:
    """On one connection, per round: send raw frames, then wait for that many answers; return all answers."""
    reader, writer = await asyncio.open_connection("127.0.0.1", port)
    splitter, got = jt808.FrameSplitter(), []
    for frames, expect in rounds:
        writer.write(b"".join(frames))
        want = len(got) + expect
        while len(got) < want:
            data = await asyncio.wait_for(reader.read(4096), 5)
            assert data, "connection closed before the answers arrived"
            got += [jt808.decode_frame(f) for f in splitter.feed(data)]
    writer.close()
    await writer.wait_closed()
    return got


def _run(coro):
    return asyncio.run(coro)


async def _with_listener(sink, body):
    server = Listener(sink, max_delay_s=0.005)
    _, port = await server.start("127.0.0.1", 0)
    try:
        return await body(server, port)
    finally:
        await server.close()


def _sent(runs) -> set[tuple]:
    return {(r.phone, loc.time, loc.lon, loc.lat, loc.speed_kmh, loc.direction_deg, loc.altitude_m)
            for r in runs for loc in r.acked}


def test_three_terminals_store_what_they_sent_2013_and_2019():
    sink = MemorySink()
    specs = terminals(2) + terminals(1, first_phone=13_812_345_678_901, version_2019=True)
    fixes = [fixes_along(TRACK, start=START + dt.timedelta(minutes=k), interval_s=10, count=6) for k in range(3)]

    async def body(server, port):
        return server, await simulate("127.0.0.1", port, specs, fixes, interval_s=0)

    server, runs = _run(_with_listener(sink, body))
    assert all(r.authenticated for r in runs) and [len(r.acked) for r in runs] == [6, 6, 6]
    stored = {(p.terminal_phone, p.device_time, p.lon, p.lat, p.speed_kmh, p.direction_deg, p.altitude_m)
              for p in sink.records}
    assert stored == _sent(runs) and len(sink.records) == 18
    assert {p.plate for p in sink.records} == {"晋ES0001", "晋ES0002"}  # plates from the registrations
    assert server.counters.stored == 18 and server.counters.dropped == {}
    assert {p.device_time.utcoffset() for p in sink.records} == {dt.timedelta(hours=8)}  # terminal clock, GMT+8


def test_bad_frames_and_unauthenticated_terminals_are_counted_and_the_server_keeps_serving():
    sink = MemorySink()
    good = terminals(1)[0]
    stranger = TerminalSpec(phone="13700000000", plate="晋E99999", authenticate=False)
    fixes = fixes_along(TRACK, start=START, interval_s=10, count=4)

    async def body(server, port):
        bad_check = bytearray(jt808.encode(jt808.Heartbeat(), phone="1", serial=1))
        bad_check[-2] ^= 0xFF
        # a garbage frame, a bad check code, and a frame with a bad escape, on one connection, then a heartbeat
        answers = await _exchange(port, ([b"\x7e\x01\x02\x03\x7e", bytes(bad_check), b"\x7e\x00\x02\x7d\x05\x7e",
                                          jt808.encode(jt808.Heartbeat(), phone="1", serial=9)], 1))
        assert answers[0].message == jt808.PlatformResponse(serial=9, msg_id=0x0002, result=jt808.RESULT_FAILURE)
        unauth = await run_terminal("127.0.0.1", port, stranger, fixes, interval_s=0)
        ok = await run_terminal("127.0.0.1", port, good, fixes, interval_s=0)
        return server, unauth, ok

    server, unauth, ok = _run(_with_listener(sink, body))
    assert (len(unauth.acked), unauth.refused) == (0, 4)  # answered with 0x8001 result 1
    assert len(ok.acked) == 4 and len(sink.records) == 4
    assert {p.terminal_phone for p in sink.records} == {good.phone}
    assert server.counters.dropped == {"bad_frame": 3, "unauthenticated": 4}


def test_wrong_auth_code_encrypted_fix_unknown_message_and_storage_failure():
    sink = MemorySink()
    phone = "13600000001"
    loc = jt808.make_location(lon=112.85, lat=35.5, time=START)
    secret = jt808.make_location(lon=112.85, lat=35.5, time=START, status=jt808.STATUS_LOCATED | jt808.STATUS_ENCRYPTED)

    async def body(server, port):
        enc = lambda m, s: jt808.encode(m, phone=phone, serial=s)  # noqa: E731
        wrong = await _exchange(port, ([enc(jt808.Registration(14, 502, "M", "X", "T", 2, "晋E00001"), 1),
                                        enc(jt808.Authentication("not-the-code"), 2)], 2))
        assert wrong[0].message.result == 0 and wrong[1].message.result == jt808.RESULT_FAILURE
        code = wrong[0].message.auth_code
        sink.fail_next = 1
        answers = await _exchange(port, ([enc(jt808.Registration(14, 502, "M", "X", "T", 2, "晋E00001"), 1),
                                          enc(jt808.Authentication(code), 2), enc(secret, 3),
                                          jt808.encode_frame(0x0900, b"\x01", phone=phone, serial=4), enc(loc, 5)], 5),
                                  ([enc(loc, 6)], 1))
        return server, {a.message.serial: a.message.result for a in answers if isinstance(a.message, jt808.PlatformResponse)}

    server, results = _run(_with_listener(sink, body))
    # serial 2 authenticated, 3 encrypted fix acknowledged (not stored), 4 unsupported, 5 storage failed, 6 stored
    assert results == {2: 0, 3: 0, 4: jt808.RESULT_UNSUPPORTED, 5: jt808.RESULT_FAILURE, 6: 0}
    assert len(sink.records) == 1 and sink.records[0].plate == "晋E00001"
    assert server.counters.dropped == {"auth_failed": 1, "encrypted": 1, "storage_error": 1}


def test_end_to_end_into_postgis(fresh_db_url):
    specs = terminals(3)
    fixes = [fixes_along(TRACK, start=START + dt.timedelta(hours=k), interval_s=10, count=5) for k in range(3)]
    stranger = TerminalSpec(phone="13700000000", plate="晋E99999", authenticate=False)

    async def main():
        server = Listener(PostgisSink(fresh_db_url), max_delay_s=0.005)
        _, port = await server.start("127.0.0.1", 0)
        try:
            runs = await simulate("127.0.0.1", port, specs, fixes, interval_s=0)
            await _exchange(port, ([b"\x7e\x01\x02\x03\x7e", jt808.encode(jt808.Heartbeat(), phone="1", serial=2)], 1))
            unauth = await run_terminal("127.0.0.1", port, stranger, fixes[0], interval_s=0)
            again = await run_terminal("127.0.0.1", port, specs[0], fixes[0][:1], interval_s=0)  # still serving
        finally:
            await server.close()
        return server, runs, unauth, again

    server, runs, unauth, again = asyncio.run(main())
    from hazmap.db.session import get_engine

    with get_engine(fresh_db_url).connect() as conn:
        rows = conn.execute(sa.text(
            "select terminal_phone, device_time, lon, lat, speed_kmh, direction_deg, altitude_m, plate, "
            "ST_X(geom), ST_Y(geom), ST_SRID(geom), receive_time >= device_time from vehicle_position")).all()
    stored = {(r[0], r[1], r[2], r[3], r[4], r[5], r[6]) for r in rows}
    assert stored == _sent(runs) | _sent([again]) and len(rows) == 15 + 1  # the duplicate fix is a second row
    assert all(r[8] == r[2] and r[9] == r[3] and r[10] == 4326 and r[11] for r in rows)
    assert {r[7] for r in rows} == {s.plate for s in specs}
    assert unauth.refused == 5 and server.counters.dropped == {"bad_frame": 1, "unauthenticated": 5}
    assert server.counters.stored == 16


def test_listen_command_refuses_a_database_without_the_table_in_one_line(scratch_db_url, monkeypatch):
    from click.testing import CliRunner

    from hazmap.cli import cli
    from hazmap.db.init import create_database_if_missing

    create_database_if_missing(scratch_db_url)  # exists, never migrated
    monkeypatch.setenv("DATABASE_URL", scratch_db_url)
    monkeypatch.delenv("HAZMAP_CONFIG", raising=False)
    result = CliRunner().invoke(cli, ["transport", "listen", "--port", "0"])
    assert result.exit_code == 2
    assert result.output.strip().splitlines()[-1] == (
        "无法启动 JT/T 808 接入：数据库中没有 vehicle_position 表，请先运行 hazmap db init")


def test_the_sink_connection_has_timeouts_and_keepalives(db_url):
    """The listener's long-lived COPY connection: a server that accepts TCP and never answers is an
    error after ``connect_timeout_s``, and a live connection carries the [database] keepalives and
    ``tcp_user_timeout`` (a vanished peer is dropped by the kernel, not waited on for hours)."""
    import socket
    import time

    import psycopg
    import pytest

    from hazmap.config import DatabaseSettings

    silent = socket.socket()
    silent.bind(("127.0.0.1", 0))
    silent.listen(8)  # the kernel completes the handshake; nobody ever answers
    port = silent.getsockname()[1]

    async def silent_check() -> float:
        sink = PostgisSink(f"postgresql+psycopg://postgres@127.0.0.1:{port}/hazmap", db=DatabaseSettings(connect_timeout_s=2))
        started = time.monotonic()
        try:
            with pytest.raises(psycopg.OperationalError, match="timeout"):
                await asyncio.wait_for(sink.check(), 30)  # bounded: without a connect timeout this never returns
        finally:
            await sink.close()
        return time.monotonic() - started

    try:
        assert _run(silent_check()) < 15
    finally:
        silent.close()

    async def parameters() -> dict:
        sink = PostgisSink(db_url, db=DatabaseSettings(keepalives_idle_s=11, tcp_user_timeout_ms=12_000))
        try:
            return (await sink._connection()).info.get_parameters()
        finally:
            await sink.close()

    params = _run(parameters())
    assert params["connect_timeout"] == "5" and params["keepalives"] == "1" and params["keepalives_idle"] == "11"
    assert params["keepalives_interval"] == "5" and params["keepalives_count"] == "3"
    assert params["tcp_user_timeout"] == "12000"

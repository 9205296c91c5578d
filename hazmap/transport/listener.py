"""JT/T 808 platform endpoint: an asyncio TCP server that registers, authenticates and stores positions.

Per connection the byte stream is split into frames (:class:`geo.transport.jt808.FrameSplitter`)
and each frame decoded and answered:

* registration 0x0100 → 0x8100 result 0 with an authentication code, generated once per
  terminal phone and remembered (in memory: after a restart terminals re-register, which
  JT/T 808 terminals do when authentication fails);
* authentication 0x0102 → 0x8001, result 0 when the code is the one issued to that phone,
  else 1; the connection is then bound to that phone;
* heartbeat 0x0002 → 0x8001 (result 1 when the connection is not authenticated);
* location 0x0200 and batch 0x0704 from the authenticated phone → stored through the
  :class:`~hazmap.transport.sink.Batcher`, then 0x8001 result 0 after the commit (1 if the
  write failed, so the terminal resends); fixes flagged by the codec (encrypted coordinates,
  not located, out of range, bad time) are counted and not stored;
* other message ids → 0x8001 result 3 (不支持); terminal responses 0x0001 need no answer.

Positions from an unregistered or unauthenticated connection and bad frames are counted in
``counters.dropped`` by reason and logged (once per connection and kind, so a misbehaving terminal
cannot flood the log); nothing a terminal sends stops the server.  The
positions are WGS-84 as the terminals send them, stored with the terminal's time and the
receive time.
"""

from __future__ import annotations

import asyncio
import datetime as dt
import logging
import secrets
import time
from collections import Counter
from dataclasses import dataclass, field

from geo.transport import jt808
from hazmap.transport.sink import Batcher, PositionRecord, Sink

log = logging.getLogger("hazmap.transport")


@dataclass
class Counters:
    """What the listener has seen since it started (``snapshot()`` for a plain dict)."""

    connections: int = 0
    frames: int = 0
    positions: int = 0
    stored: int = 0
    dropped: Counter = field(default_factory=Counter)

    def drop(self, reason: str, n: int = 1) -> None:
        self.dropped[reason] += n

    def snapshot(self) -> dict:
        return {"connections": self.connections, "frames": self.frames, "positions": self.positions,
                "stored": self.stored, "dropped": dict(sorted(self.dropped.items()))}

    def text(self) -> str:
        drops = "，".join(f"{k} {v}" for k, v in sorted(self.dropped.items())) or "无"
        return (f"连接 {self.connections}，帧 {self.frames}，位置 {self.positions}，已入库 {self.stored}；"
                f"丢弃：{drops}")


@dataclass
class TerminalRecord:
    auth_code: str
    plate: str | None


class TerminalRegistry:
    """Authentication codes issued per terminal phone, and the plate each registration gave."""

    def __init__(self) -> None:
        self._by_phone: dict[str, TerminalRecord] = {}

    def register(self, phone: str, plate: str | None) -> str:
        rec = self._by_phone.get(phone)
        if rec is None:
            rec = self._by_phone[phone] = TerminalRecord(secrets.token_hex(8), plate or None)
        elif plate:
            rec.plate = plate
        return rec.auth_code

    def authenticate(self, phone: str, code: str) -> bool:
        rec = self._by_phone.get(phone)
        return rec is not None and secrets.compare_digest(rec.auth_code, code)

    def plate(self, phone: str) -> str | None:
        rec = self._by_phone.get(phone)
        return rec.plate if rec else None


class _Connection(asyncio.Protocol):
    def __init__(self, server: "Listener"):
        self.server = server
        self.splitter = jt808.FrameSplitter()
        self.transport: asyncio.Transport | None = None
        self.phone: str | None = None  # set by a successful authentication
        self.serial = 0
        self.peer = "?"
        self.last_seen = time.monotonic()
        self._logged: set[str] = set()

    def first(self, key: str) -> bool:
        """True the first time ``key`` happens on this connection (log once, count always)."""
        if key in self._logged:
            return False
        self._logged.add(key)
        return True

    def connection_made(self, transport) -> None:
        self.transport = transport
        peer = transport.get_extra_info("peername")
        self.peer = f"{peer[0]}:{peer[1]}" if peer else "?"
        self.server._open(self)

    def connection_lost(self, exc) -> None:
        self.server._closed(self)
        self.transport = None

    def data_received(self, data: bytes) -> None:
        self.last_seen = time.monotonic()
        discarded, oversized = self.splitter.discarded_bytes, self.splitter.oversized
        for raw in self.splitter.feed(data):
            self.server._handle(self, raw)
        if self.splitter.oversized > oversized:
            self.server.counters.drop("bad_frame", self.splitter.oversized - oversized)
            log.warning("丢弃超长帧（%s）", self.peer)
        elif self.splitter.discarded_bytes > discarded:
            log.warning("丢弃帧外字节 %d 个（%s）", self.splitter.discarded_bytes - discarded, self.peer)

    def reply(self, message: jt808.Message, header: jt808.Header) -> None:
        if self.transport is None or self.transport.is_closing():
            return
        self.serial = (self.serial + 1) & 0xFFFF
        self.transport.write(jt808.encode(message, phone=header.phone, serial=self.serial,
                                          version_2019=header.version_2019,
                                          protocol_version=header.protocol_version or 1))


class Listener:
    """The server: ``await start(host, port)``, then ``await close()`` (flushes stored positions)."""

    def __init__(self, sink: Sink, *, registry: TerminalRegistry | None = None, max_batch: int = 5000,
                 max_delay_s: float = 0.002, max_pending: int = 200_000, idle_timeout_s: float = 600.0,
                 report_interval_s: float = 60.0):
        self.counters = Counters()
        self.registry = registry or TerminalRegistry()
        self.batcher = Batcher(sink, max_batch=max_batch, max_delay_s=max_delay_s, max_pending=max_pending)
        self.idle_timeout_s = idle_timeout_s
        self.report_interval_s = report_interval_s
        self._server: asyncio.AbstractServer | None = None
        self._connections: set[_Connection] = set()
        self._tasks: list[asyncio.Task] = []
        self._closing = False

    # -- lifecycle --------------------------------------------------------------------------
    async def start(self, host: str = "127.0.0.1", port: int = 8808) -> tuple[str, int]:
        self.batcher.start()
        loop = asyncio.get_running_loop()
        self._server = await loop.create_server(lambda: _Connection(self), host, port)
        self._tasks = [loop.create_task(self._sweep()), loop.create_task(self._report())]
        addr = self._server.sockets[0].getsockname()
        return addr[0], addr[1]

    async def close(self) -> None:
        self._closing = True
        if self._server is not None:
            self._server.close()
        for task in self._tasks:
            task.cancel()
        for task in self._tasks:
            try:
                await task
            except asyncio.CancelledError:
                pass
        await self.batcher.close()  # acknowledges what was queued before the connections go
        for conn in list(self._connections):
            if conn.transport is not None:
                conn.transport.close()
        if self._server is not None:
            await self._server.wait_closed()
        await self.batcher.sink.close()
        log.info("JT/T 808 接入已停止：%s", self.counters.text())

    def _open(self, conn: _Connection) -> None:
        self._connections.add(conn)
        self.counters.connections += 1

    def _closed(self, conn: _Connection) -> None:
        self._connections.discard(conn)

    async def _sweep(self) -> None:
        while True:
            await asyncio.sleep(max(1.0, self.idle_timeout_s / 4))
            now = time.monotonic()
            for conn in list(self._connections):
                if now - conn.last_seen > self.idle_timeout_s and conn.transport is not None:
                    log.info("关闭空闲连接 %s（终端 %s）", conn.peer, conn.phone or "未鉴权")
                    conn.transport.close()

    async def _report(self) -> None:
        while True:
            await asyncio.sleep(self.report_interval_s)
            log.info("JT/T 808 接入：%s", self.counters.text())

    # -- frames -----------------------------------------------------------------------------
    def _handle(self, conn: _Connection, raw: bytes) -> None:
        c = self.counters
        c.frames += 1
        try:
            f = jt808.decode_frame(raw)
        except jt808.DecodeError as exc:
            c.drop("bad_frame")
            if conn.first(f"bad:{exc.message}"):
                log.warning("丢弃坏帧（%s）：%s；帧首 %s（同一连接同类错误只记一次）", conn.peer, exc.message, raw[:24].hex())
            return
        h, m = f.header, f.message
        authed = conn.phone is not None and conn.phone == h.phone
        if isinstance(m, (jt808.Location, jt808.BatchLocation)):
            self._positions(conn, h, m.locations if isinstance(m, jt808.BatchLocation) else (m,), authed)
        elif isinstance(m, jt808.Registration):
            code = self.registry.register(h.phone, m.plate)
            log.info("终端 %s 注册（车牌 %s，%s）", h.phone, m.plate or "无", conn.peer)
            conn.reply(jt808.RegistrationResponse(serial=h.serial, result=0, auth_code=code), h)
        elif isinstance(m, jt808.Authentication):
            ok = self.registry.authenticate(h.phone, m.auth_code)
            if ok:
                conn.phone = h.phone
            else:
                c.drop("auth_failed")
                log.warning("终端 %s 鉴权失败（%s）：鉴权码不符或未注册", h.phone, conn.peer)
            conn.reply(self._ack(h, ok), h)
        elif isinstance(m, jt808.Heartbeat):
            conn.reply(self._ack(h, authed), h)
        elif isinstance(m, jt808.TerminalResponse):
            return
        else:
            conn.reply(jt808.PlatformResponse(serial=h.serial, msg_id=h.msg_id, result=jt808.RESULT_UNSUPPORTED), h)

    @staticmethod
    def _ack(h: jt808.Header, ok: bool) -> jt808.PlatformResponse:
        return jt808.PlatformResponse(serial=h.serial, msg_id=h.msg_id,
                                      result=jt808.RESULT_OK if ok else jt808.RESULT_FAILURE)

    def _positions(self, conn: _Connection, h: jt808.Header, locations, authed: bool) -> None:
        c = self.counters
        c.positions += len(locations)
        if not authed:
            c.drop("unauthenticated", len(locations))
            if conn.first(f"unauth:{h.phone}"):
                log.warning("丢弃未鉴权终端 %s 的位置（%s；此后同一连接不再逐条记录）", h.phone, conn.peer)
            conn.reply(self._ack(h, False), h)
            return
        received = dt.datetime.now(dt.timezone.utc)
        plate = self.registry.plate(h.phone)
        records = []
        for loc in locations:
            why = loc.rejection
            if why is None:
                records.append(PositionRecord.from_location(loc, phone=h.phone, plate=plate, received=received))
            else:
                c.drop(why)
                if conn.first(f"reject:{why}"):
                    log.warning("终端 %s 的位置不入库：%s（此后同一连接不再逐条记录）", h.phone, jt808.REJECTION_TEXT[why])
        if not records:
            conn.reply(self._ack(h, True), h)
            return

        def done(ok: bool) -> None:
            if ok:
                c.stored += len(records)
            else:
                c.drop("storage_error", len(records))
            conn.reply(self._ack(h, ok), h)

        if self._closing:
            c.drop("shutdown", len(records))
            conn.reply(self._ack(h, False), h)
        elif not self.batcher.submit(records, done):
            c.drop("overload", len(records))
            log.warning("写入队列已满（%d 条待写），拒收终端 %s 的位置", self.batcher.pending, h.phone)
            conn.reply(self._ack(h, False), h)


async def listen(sink: Sink, *, host: str, port: int, stop: asyncio.Event, on_ready=None, **options) -> Counters:
    """Run a :class:`Listener` until ``stop`` is set; returns the final counters."""
    server = Listener(sink, **options)
    bound = await server.start(host, port)
    if on_ready is not None:
        on_ready(bound)
    try:
        await stop.wait()
    finally:
        await server.close()
    return server.counters

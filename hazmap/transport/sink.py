"""Where received positions go: a small sink interface, a batching writer and the PostGIS sink.

:class:`Batcher` is a group commit: every handler submits its positions with a callback, one
writer task takes what has queued (at most ``max_batch`` positions, waiting at most
``max_delay_s`` for more) and writes it in **one** transaction; each callback learns whether its
positions are durably stored, so the terminal is acknowledged only after the commit.  Under
load the batches grow by themselves (positions queue while a write runs); there is never one
database round trip per position.

:class:`PostgisSink` writes a batch with ``COPY vehicle_position (…) FROM STDIN`` (psycopg 3
``cursor.copy``) on one asynchronous connection, reconnecting after a failure.  The connection is
long-lived, so it has the ``[database]`` connect timeout, TCP keepalives and ``tcp_user_timeout``
(:func:`hazmap.db.session.connect_args`): a silent server or a vanished peer is an error within
seconds, never a listener hanging on a dead socket.
"""

from __future__ import annotations

import asyncio
import datetime as dt
import json
import logging
from collections import deque
from collections.abc import Callable, Sequence
from typing import NamedTuple, Protocol

from geo.transport.jt808 import Location

log = logging.getLogger("hazmap.transport")


class PositionRecord(NamedTuple):
    """One usable fix as stored: WGS-84 lon/lat, the terminal's clock and the platform's (a tuple: cheap per fix)."""

    terminal_phone: str
    plate: str | None
    device_time: dt.datetime
    receive_time: dt.datetime
    lon: float
    lat: float
    speed_kmh: float
    direction_deg: int
    altitude_m: int
    alarm: int
    status: int
    extras: tuple[tuple[int, bytes], ...] = ()

    @classmethod
    def from_location(cls, loc: Location, *, phone: str, plate: str | None, received: dt.datetime) -> "PositionRecord":
        return cls(terminal_phone=phone, plate=plate, device_time=loc.time, receive_time=received, lon=loc.lon,
                   lat=loc.lat, speed_kmh=loc.speed_kmh, direction_deg=loc.direction_deg, altitude_m=loc.altitude_m,
                   alarm=loc.alarm, status=loc.status, extras=loc.extras)

    def extras_json(self) -> str:
        return json.dumps([[i, v.hex()] for i, v in self.extras])


class Sink(Protocol):
    """Stores a batch of positions in one transaction, or raises."""

    async def write(self, records: Sequence[PositionRecord]) -> None: ...

    async def close(self) -> None: ...


class MemorySink:
    """Keeps positions in a list (tests); ``fail_next`` makes the next writes raise."""

    def __init__(self) -> None:
        self.records: list[PositionRecord] = []
        self.batches = 0
        self.fail_next = 0

    async def write(self, records: Sequence[PositionRecord]) -> None:
        if self.fail_next:
            self.fail_next -= 1
            raise OSError("模拟的存储故障")
        self.records.extend(records)
        self.batches += 1

    async def close(self) -> None:
        return None


COPY_SQL = ("COPY vehicle_position (terminal_phone, plate, device_time, receive_time, lon, lat, speed_kmh, "
            "direction_deg, altitude_m, alarm, status, extras) FROM STDIN")


def libpq_url(sqlalchemy_url: str) -> str:
    """``postgresql+psycopg://…`` (the settings' form) → a libpq URL psycopg connects with."""
    from sqlalchemy.engine import make_url

    return make_url(sqlalchemy_url).set(drivername="postgresql").render_as_string(hide_password=False)


class PostgisSink:
    """Batches into ``vehicle_position`` with COPY over one async psycopg connection."""

    def __init__(self, database_url: str, db=None):
        from hazmap.db.session import connect_args

        self._url = libpq_url(database_url)
        self._conn = None
        self._connect_args = connect_args(db)  # libpq keywords; ``db``: the [database] settings (default: defaults)

    async def _connection(self):
        import psycopg

        if self._conn is None or self._conn.closed:
            self._conn = await psycopg.AsyncConnection.connect(self._url, **self._connect_args)
        return self._conn

    async def check(self) -> None:
        """Connect and check that the table exists (a clear error before accepting terminals)."""
        conn = await self._connection()
        async with conn.cursor() as cur:
            await cur.execute("select to_regclass('public.vehicle_position') is not null")
            (exists,) = await cur.fetchone()
        await conn.rollback()
        if not exists:
            raise RuntimeError("数据库中没有 vehicle_position 表，请先运行 hazmap db init")

    async def write(self, records: Sequence[PositionRecord]) -> None:
        conn = await self._connection()
        try:
            async with conn.cursor() as cur:
                async with cur.copy(COPY_SQL) as copy:
                    for r in records:
                        await copy.write_row((r.terminal_phone, r.plate, r.device_time, r.receive_time, r.lon, r.lat,
                                              r.speed_kmh, r.direction_deg, r.altitude_m, r.alarm, r.status,
                                              r.extras_json()))
            await conn.commit()
        except Exception:
            await self.close()
            raise

    async def close(self) -> None:
        if self._conn is not None:
            await self._conn.close()
            self._conn = None


Done = Callable[[bool], None]


class Batcher:
    """Group commit in front of a :class:`Sink` (see the module docstring)."""

    def __init__(self, sink: Sink, *, max_batch: int = 5000, max_delay_s: float = 0.002,
                 max_pending: int = 200_000):
        self.sink = sink
        self.max_batch = max_batch
        self.max_delay_s = max_delay_s
        self.max_pending = max_pending
        self._groups: deque[tuple[Sequence[PositionRecord], Done]] = deque()
        self._pending = 0
        self._wake = asyncio.Event()
        self._task: asyncio.Task | None = None
        self._closing = False
        self.batches = 0

    @property
    def pending(self) -> int:
        return self._pending

    def start(self) -> None:
        self._task = asyncio.get_running_loop().create_task(self._run())

    def submit(self, records: Sequence[PositionRecord], done: Done) -> bool:
        """Queue ``records`` (stored together); ``done(ok)`` is called after the commit. False = overloaded."""
        if self._closing or self._pending + len(records) > self.max_pending:
            return False
        self._groups.append((records, done))
        self._pending += len(records)
        self._wake.set()
        return True

    def _take(self) -> list[tuple[Sequence[PositionRecord], Done]]:
        taken, n = [], 0
        while self._groups and (not taken or n + len(self._groups[0][0]) <= self.max_batch):
            group = self._groups.popleft()
            taken.append(group)
            n += len(group[0])
        self._pending -= n
        return taken

    async def _run(self) -> None:
        while True:
            if not self._groups:
                if self._closing:
                    return
                self._wake.clear()
                await self._wake.wait()
                continue
            if self._pending < self.max_batch and not self._closing:
                await asyncio.sleep(self.max_delay_s)
            taken = self._take()
            records = [r for group, _ in taken for r in group]
            try:
                await self.sink.write(records)
                ok = True
                self.batches += 1
            except Exception as exc:  # noqa: BLE001 - any storage failure is reported to the terminals, never raised
                log.error("写入 %d 条位置失败：%s", len(records), exc)
                ok = False
            for _, done in taken:
                done(ok)

    async def close(self) -> None:
        """Write what is queued, then stop."""
        self._closing = True
        self._wake.set()
        if self._task is not None:
            await self._task
            self._task = None

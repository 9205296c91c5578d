"""JT/T 808 terminal simulator: N terminals over TCP, registration → authentication → positions.

Each simulated terminal opens one connection, registers (0x0100), authenticates with the code
the platform returned (0x0102), then sends its fixes as 0x0200 location reports, one every
``interval_s`` seconds, terminals staggered over one interval so the load is even; at most
``window`` frames per terminal wait for their 0x8001 (a terminal holds the rest back).  For
every fix it records the time from writing the frame to reading the platform's answer.  An
optional burst follows once every terminal has been answered for its steady fixes.

Built to load a listener, not itself: frames are encoded before the run, one scheduler task
paces every terminal (no timer per fix), and answers are read by an ``asyncio.Protocol``.

Fixes follow a given track (WGS-84 lon/lat); speed and direction come from the geodesic
between consecutive track points (pyproj ``Geod``, WGS-84 ellipsoid) and the interval.
"""

from __future__ import annotations

import asyncio
import datetime as dt
import heapq
import time
from collections import deque
from collections.abc import Sequence
from dataclasses import dataclass, field

from geo.transport import jt808

_TICK_S = 0.005


@dataclass(frozen=True)
class TerminalSpec:
    phone: str
    plate: str
    version_2019: bool = False
    authenticate: bool = True  # False: skip registration and authentication (an unauthenticated terminal)


@dataclass
class TerminalRun:
    phone: str
    authenticated: bool = False
    acked: list[jt808.Location] = field(default_factory=list)  # fixes acknowledged with result 0
    refused: int = 0  # fixes answered with another result
    unanswered: int = 0
    latencies_s: list[float] = field(default_factory=list)
    burst_latencies_s: list[float] = field(default_factory=list)
    burst_started: float | None = None  # perf_counter() when the burst began / this terminal's last burst answer
    burst_done: float | None = None


def fixes_along(track: Sequence[tuple[float, float]], *, start: dt.datetime, interval_s: float, count: int,
                altitude_m: int = 700) -> list[jt808.Location]:
    """``count`` fixes walking ``track`` (WGS-84 lon/lat) point by point, one every ``interval_s`` seconds."""
    from pyproj import Geod

    if len(track) < 2:
        raise ValueError("轨迹至少需要两个点")
    lons = [p[0] for p in track]
    lats = [p[1] for p in track]
    az, _, dist = Geod(ellps="WGS84").inv(lons[:-1], lats[:-1], lons[1:], lats[1:])
    step_s = interval_s if interval_s > 0 else 10.0
    out = []
    for i in range(count):
        k = i % len(track)
        seg = min(k, len(track) - 2)
        out.append(jt808.make_location(lon=lons[k], lat=lats[k], time=start + dt.timedelta(seconds=i * step_s),
                                       speed_kmh=round(dist[seg] / step_s * 3.6, 1), direction_deg=int(az[seg] % 360),
                                       altitude_m=altitude_m))
    return out


class _Client(asyncio.Protocol):
    """One terminal's connection: sends pre-encoded frames within its window, reads the answers."""

    def __init__(self, spec: TerminalSpec, run: TerminalRun, window: int):
        self.spec, self.run, self.window = spec, run, window
        self.splitter = jt808.FrameSplitter()
        self.transport: asyncio.Transport | None = None
        self.serial = 0
        self.sent: dict[int, tuple[float, jt808.Location | None, bool]] = {}  # serial → (time, fix, burst?)
        self.backlog: deque[tuple[int, bytes, jt808.Location, bool]] = deque()
        self.answers: dict[int, asyncio.Future] = {}  # serial → future, for registration / authentication
        self.closed = asyncio.get_running_loop().create_future()

    def connection_made(self, transport) -> None:
        self.transport = transport

    def connection_lost(self, exc) -> None:
        if not self.closed.done():
            self.closed.set_result(None)

    def frame(self, message: jt808.Message) -> tuple[int, bytes]:
        self.serial = (self.serial + 1) & 0xFFFF
        return self.serial, jt808.encode(message, phone=self.spec.phone, serial=self.serial,
                                         version_2019=self.spec.version_2019)

    def request(self, message: jt808.Message) -> asyncio.Future:
        serial, raw = self.frame(message)
        fut = asyncio.get_running_loop().create_future()
        self.answers[serial] = fut
        self.transport.write(raw)
        return fut

    def offer(self, serial: int, raw: bytes, fix: jt808.Location, burst: bool) -> None:
        if len(self.sent) < self.window and not self.backlog:
            self._write(serial, raw, fix, burst)
        else:
            self.backlog.append((serial, raw, fix, burst))

    def _write(self, serial: int, raw: bytes, fix: jt808.Location, burst: bool) -> None:
        self.sent[serial] = (time.perf_counter(), fix, burst)
        if self.transport is not None and not self.transport.is_closing():
            self.transport.write(raw)

    @property
    def outstanding(self) -> int:
        return len(self.sent) + len(self.backlog)

    def data_received(self, data: bytes) -> None:
        now = time.perf_counter()
        for raw in self.splitter.feed(data):
            try:
                m = jt808.decode_frame(raw).message
            except jt808.DecodeError:
                continue
            if isinstance(m, jt808.RegistrationResponse):
                fut = self.answers.pop(m.serial, None)
            elif isinstance(m, jt808.PlatformResponse):
                fut = self.answers.pop(m.serial, None)
                if fut is None:
                    self._answered(m, now)
                    continue
            else:
                continue
            if fut is not None and not fut.done():
                fut.set_result(m)

    def _answered(self, m: jt808.PlatformResponse, now: float) -> None:
        entry = self.sent.pop(m.serial, None)
        if entry is None:
            return
        t0, fix, burst = entry
        (self.run.burst_latencies_s if burst else self.run.latencies_s).append(now - t0)
        if burst:
            self.run.burst_done = now
        if m.result == jt808.RESULT_OK:
            self.run.acked.append(fix)
        else:
            self.run.refused += 1
        while self.backlog and len(self.sent) < self.window:
            self._write(*self.backlog.popleft())


async def _drain(clients: Sequence[_Client], timeout_s: float) -> None:
    deadline = time.monotonic() + timeout_s
    while any(c.outstanding for c in clients) and time.monotonic() < deadline:
        await asyncio.sleep(_TICK_S)


async def _paced(clients: Sequence[_Client], schedule: list[tuple[float, int, int, bytes, jt808.Location]],
                 burst: bool) -> None:
    """Offer every scheduled frame at its time (``schedule``: (due, client index, serial, frame, fix))."""
    heapq.heapify(schedule)
    loop = asyncio.get_running_loop()
    t0 = loop.time()
    while schedule:
        now = loop.time() - t0
        while schedule and schedule[0][0] <= now:
            _, k, serial, raw, fix = heapq.heappop(schedule)
            clients[k].offer(serial, raw, fix, burst)
        if schedule:
            await asyncio.sleep(max(0.0, min(_TICK_S, schedule[0][0] - now)))


async def simulate(host: str, port: int, specs: Sequence[TerminalSpec], fixes: Sequence[Sequence[jt808.Location]], *,
                   interval_s: float, window: int = 32, timeout_s: float = 30.0,
                   bursts: Sequence[Sequence[jt808.Location]] | None = None,
                   burst_interval_s: float = 0.0) -> list[TerminalRun]:
    """Run every terminal concurrently: ``fixes[k]`` for ``specs[k]`` every ``interval_s`` (``0``: at once).

    With ``bursts``, once every terminal's steady fixes are answered, ``bursts[k]`` follow, one
    fix every ``burst_interval_s`` (``0``: all at once, within the window).
    """
    loop = asyncio.get_running_loop()
    runs = [TerminalRun(s.phone) for s in specs]
    clients: list[_Client] = []
    try:
        for spec, run in zip(specs, runs, strict=True):
            _, client = await loop.create_connection(lambda s=spec, r=run: _Client(s, r, window), host, port)
            clients.append(client)

        async def login(c: _Client) -> None:
            if not c.spec.authenticate:
                return
            reg = await asyncio.wait_for(c.request(jt808.Registration(14, 502, "HZSIM", "HZ-SIM", c.spec.phone[-7:],
                                                                      2, c.spec.plate)), timeout_s)
            ack = await asyncio.wait_for(c.request(jt808.Authentication(reg.auth_code)), timeout_s)
            c.run.authenticated = ack.result == jt808.RESULT_OK

        await asyncio.gather(*(login(c) for c in clients))
        n = max(1, len(clients))

        def schedule(per_client: Sequence[Sequence[jt808.Location]], step_s: float):
            out = []
            for k, (c, batch) in enumerate(zip(clients, per_client, strict=True)):
                offset = step_s * k / n
                for i, fix in enumerate(batch):
                    serial, raw = c.frame(fix)
                    out.append((offset + i * step_s, k, serial, raw, fix))
            return out

        await _paced(clients, schedule(fixes, interval_s), burst=False)
        await _drain(clients, timeout_s)
        if bursts:
            plan = schedule(bursts, burst_interval_s)
            started = time.perf_counter()
            for r in runs:
                r.burst_started = started
            await _paced(clients, plan, burst=True)
            await _drain(clients, timeout_s)
    finally:
        for c in clients:
            c.run.unanswered += c.outstanding
            if c.transport is not None:
                c.transport.close()
        for c in clients:
            await c.closed
    return runs


async def run_terminal(host: str, port: int, spec: TerminalSpec, fixes: Sequence[jt808.Location], *,
                       interval_s: float, window: int = 32, timeout_s: float = 30.0) -> TerminalRun:
    """One terminal's session (see :func:`simulate`)."""
    (run,) = await simulate(host, port, [spec], [fixes], interval_s=interval_s, window=window, timeout_s=timeout_s)
    return run


def terminals(n: int, *, first_phone: int = 13_900_000_000, version_2019: bool = False) -> list[TerminalSpec]:
    """``n`` terminal specs with consecutive phones and plates 晋E·S0001…"""
    return [TerminalSpec(phone=str(first_phone + k), plate=f"晋ES{k + 1:04d}", version_2019=version_2019)
            for k in range(n)]

"""JT/T 808 terminal simulator: N terminals over TCP, registration → authentication → positions.

Each simulated terminal opens one connection, registers (0x0100), authenticates with the code
the platform returned (0x0102), then sends its fixes as 0x0200 location reports, one every
``interval_s`` seconds (``0`` = as fast as acknowledgements come back, at most ``window``
unacknowledged), and records for every fix the time from sending the frame to receiving the
platform's 0x8001.  Terminals start staggered over one interval so the load is even.

Fixes follow a given track (WGS-84 lon/lat); speed and direction come from the geodesic
between consecutive track points (pyproj ``Geod``, WGS-84 ellipsoid) and the interval.
"""

from __future__ import annotations

import asyncio
import datetime as dt
import time
from collections.abc import Sequence
from dataclasses import dataclass, field

from geo.transport import jt808


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
    refused: int = 0  # fixes acknowledged with another result
    unanswered: int = 0
    latencies_s: list[float] = field(default_factory=list)


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


async def run_terminal(host: str, port: int, spec: TerminalSpec, fixes: Sequence[jt808.Location], *,
                       interval_s: float, delay_s: float = 0.0, window: int = 32,
                       timeout_s: float = 30.0) -> TerminalRun:
    """One terminal's session; returns what was acknowledged and the frame→ack times."""
    run = TerminalRun(spec.phone)
    reader, writer = await asyncio.open_connection(host, port)
    loop = asyncio.get_running_loop()
    pending: dict[int, tuple[float, asyncio.Future]] = {}
    registered: asyncio.Future = loop.create_future()
    serial = 0

    def send(message: jt808.Message) -> int:
        nonlocal serial
        serial = (serial + 1) & 0xFFFF
        writer.write(jt808.encode(message, phone=spec.phone, serial=serial, version_2019=spec.version_2019))
        return serial

    def expect(s: int) -> asyncio.Future:
        fut = loop.create_future()
        pending[s] = (time.perf_counter(), fut)
        return fut

    async def read_loop() -> None:
        splitter = jt808.FrameSplitter()
        while data := await reader.read(65536):
            for raw in splitter.feed(data):
                m = jt808.decode_frame(raw).message
                if isinstance(m, jt808.RegistrationResponse) and not registered.done():
                    registered.set_result(m)
                elif isinstance(m, jt808.PlatformResponse) and m.serial in pending:
                    t0, fut = pending.pop(m.serial)
                    if not fut.done():
                        fut.set_result((m.result, time.perf_counter() - t0))

    reading = loop.create_task(read_loop())
    try:
        await asyncio.sleep(delay_s)
        if spec.authenticate:
            send(jt808.Registration(14, 502, "HZSIM", "HZ-SIM", spec.phone[-7:], 2, spec.plate))
            reg = await asyncio.wait_for(registered, timeout_s)
            s = send(jt808.Authentication(reg.auth_code))
            result, _ = await asyncio.wait_for(expect(s), timeout_s)
            run.authenticated = result == jt808.RESULT_OK
        slots = asyncio.Semaphore(window)
        waiting: list[asyncio.Task] = []

        async def await_ack(loc: jt808.Location, fut: asyncio.Future) -> None:
            try:
                result, latency = await asyncio.wait_for(fut, timeout_s)
            except asyncio.TimeoutError:
                run.unanswered += 1
            else:
                run.latencies_s.append(latency)
                if result == jt808.RESULT_OK:
                    run.acked.append(loc)
                else:
                    run.refused += 1
            finally:
                slots.release()

        t_start = loop.time()
        for i, loc in enumerate(fixes):
            if interval_s > 0:
                await asyncio.sleep(max(0.0, t_start + i * interval_s - loop.time()))
            await slots.acquire()
            s = send(loc)
            waiting.append(loop.create_task(await_ack(loc, expect(s))))
        await asyncio.gather(*waiting)
    finally:
        reading.cancel()
        try:
            await reading
        except (asyncio.CancelledError, jt808.DecodeError):
            pass
        writer.close()
        try:
            await writer.wait_closed()
        except OSError:
            pass
    return run


async def simulate(host: str, port: int, specs: Sequence[TerminalSpec], fixes: Sequence[Sequence[jt808.Location]], *,
                   interval_s: float, window: int = 32, timeout_s: float = 30.0) -> list[TerminalRun]:
    """Run every terminal concurrently (``fixes[k]`` for ``specs[k]``), staggered over one interval."""
    n = max(1, len(specs))
    return list(await asyncio.gather(*(
        run_terminal(host, port, spec, fx, interval_s=interval_s, delay_s=interval_s * k / n, window=window,
                     timeout_s=timeout_s)
        for k, (spec, fx) in enumerate(zip(specs, fixes, strict=True)))))


def terminals(n: int, *, first_phone: int = 13_900_000_000, version_2019: bool = False) -> list[TerminalSpec]:
    """``n`` terminal specs with consecutive phones and plates 晋E·S0001…"""
    return [TerminalSpec(phone=str(first_phone + k), plate=f"晋ES{k + 1:04d}", version_2019=version_2019)
            for k in range(n)]

"""``hazmap demo``'s positions: the demo tracks sent through the real JT/T 808 listener over TCP.

The tracks file (``data/demo/transport_tracks.csv``: terminal phone, plate, Beijing time, WGS-84
lon/lat, speed, direction) becomes one simulated terminal per phone
(:mod:`hazmap.transport.simulator`), which registers (0x0100), authenticates (0x0102) and sends
its fixes as 0x0200 reports to a :class:`~hazmap.transport.listener.Listener` started on a free
loopback port; the listener stores them in ``vehicle_position`` through its COPY sink and
acknowledges each after the commit (0x8001).  The demo terminals' earlier positions are removed
first, so running the demo twice does not double them.
"""

from __future__ import annotations

import asyncio
import csv
import datetime as dt
from pathlib import Path

import sqlalchemy as sa

from geo.transport import jt808
from hazmap.transport.listener import Listener
from hazmap.transport.simulator import TerminalSpec, simulate
from hazmap.transport.sink import PostgisSink

BEIJING = dt.timezone(dt.timedelta(hours=8))


def read_tracks(path: Path) -> dict[str, tuple[str, list[jt808.Location]]]:
    """phone → (plate, fixes in time order) from a tracks CSV (WGS-84; times without a zone are Beijing time)."""
    out: dict[str, tuple[str, list[jt808.Location]]] = {}
    with Path(path).open(encoding="utf-8-sig", newline="") as f:
        for row in csv.DictReader(f):
            if row["坐标系"].strip().lower() not in ("wgs84", "epsg:4326"):
                raise ValueError(f"{Path(path).name}：JT/T 808 终端上报 WGS-84，轨迹文件的坐标系应为 wgs84")
            when = dt.datetime.fromisoformat(row["定位时间"])
            loc = jt808.make_location(lon=float(row["经度"]), lat=float(row["纬度"]),
                                      time=when if when.tzinfo else when.replace(tzinfo=BEIJING),
                                      speed_kmh=float(row["速度"]), direction_deg=int(row["方向"] or 0), altitude_m=700)
            out.setdefault(row["终端手机号"], (row["车牌号"], []))[1].append(loc)
    for _, fixes in out.values():
        fixes.sort(key=lambda x: x.time)
    return out


async def _feed(database_url: str, tracks: dict) -> dict:
    server = Listener(PostgisSink(database_url))
    host, port = await server.start("127.0.0.1", 0)
    try:
        specs = [TerminalSpec(phone=p, plate=plate) for p, (plate, _) in tracks.items()]
        runs = await simulate(host, port, specs, [fixes for _, fixes in tracks.values()], interval_s=0, timeout_s=30)
    finally:
        await server.close()
    return {"terminals": len(specs), "sent": sum(len(f) for _, f in tracks.values()),
            "acked": sum(len(r.acked) for r in runs), "stored": server.counters.stored,
            "authenticated": sum(1 for r in runs if r.authenticated), "port": port}


def feed_demo_tracks(database_url: str, path: Path) -> dict:
    """Remove the demo terminals' earlier positions, then send the tracks through the listener; returns counts."""
    from hazmap.db.session import get_engine

    tracks = read_tracks(path)
    with get_engine(database_url).begin() as conn:
        conn.execute(sa.text("delete from vehicle_position where source = 'jt808' and terminal_phone = any(:p)"),
                     {"p": list(tracks)})
    counts = asyncio.run(_feed(database_url, tracks))
    if counts["stored"] != counts["sent"]:
        raise RuntimeError(f"发送 {counts['sent']} 条定位，仅入库 {counts['stored']} 条")
    return counts

"""The transport wing's settings (``data/rules/transport_network.toml``) and what a waybill carries.

* :class:`NetworkConfig` — which protection-target categories become restricted zones and with what
  margin (metres), and the concentration grid (cell side in metres, metric CRS, category filters);
* :func:`labels` — the classes and categories a trip carries (``"3"``, ``"2.3"``, ``"易燃"``,
  ``"剧毒"``), used by the zones' class filters and the concentration filters;
* :func:`tonnage_t` — a waybill's tonnage for tonnage × trips (mass units only: a row in litres or
  pieces has no tonnage here and the total is then a lower bound, said by ``complete=False``).

Pure: the directory is passed in; nothing is cached.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from pathlib import Path

from geo.rules_files import RulesError, read_toml
from geo.transport.checks import Goods
from geo.transport.route import TimeWindow

_MASS_T = {"t": 1.0, "吨": 1.0, "kg": 0.001, "千克": 0.001, "公斤": 0.001}


@dataclass(frozen=True)
class NetworkConfig:
    zone_categories: tuple[str, ...]
    zone_margin_m: float
    zone_classes: frozenset[str] | None  # None = every hazardous good
    zone_windows: tuple[TimeWindow, ...]
    zone_source: str
    cell_m: float
    grid_crs: str
    concentration_categories: tuple[str, ...]
    categories: Mapping[str, tuple[str, ...]]  # category label → UN classes
    version: str


def parse_window(text: str, where: str) -> TimeWindow:
    m = re.fullmatch(r"\s*(\d{1,2}):(\d{2})\s*-\s*(\d{1,2}):(\d{2})\s*", text)
    if not m:
        raise RulesError(f"{where}：时段“{text}”应为 HH:MM-HH:MM")
    h0, m0, h1, m1 = (int(x) for x in m.groups())
    if h0 > 24 or h1 > 24 or m0 > 59 or m1 > 59:
        raise RulesError(f"{where}：时段“{text}”无效")
    return TimeWindow(h0 * 3600 + m0 * 60, h1 * 3600 + m1 * 60)


def load_network_config(directory: Path) -> NetworkConfig:
    path = Path(directory) / "transport_network.toml"
    data = read_toml(path)
    z, c = data.get("zones_from_targets"), data.get("concentration")
    if not isinstance(z, dict) or not isinstance(c, dict):
        raise RulesError(f"{path.name} 缺少 [zones_from_targets] 或 [concentration]")
    for sec, key in (("zones_from_targets", "margin_m"), ("concentration", "cell_m")):
        v = data[sec].get(key)
        if isinstance(v, bool) or not isinstance(v, (int, float)) or not v > 0:
            raise RulesError(f"{path.name} [{sec}] 的 {key} 应为正数，实际 {v!r}")
    cats = {str(k): tuple(str(x) for x in v) for k, v in (data.get("categories") or {}).items()}
    classes = tuple(str(x) for x in z.get("classes", []))
    return NetworkConfig(
        zone_categories=tuple(z.get("categories", [])), zone_margin_m=float(z["margin_m"]),
        zone_classes=frozenset(classes) if classes else None,
        zone_windows=tuple(parse_window(w, f"{path.name} [zones_from_targets]") for w in z.get("windows", [])),
        zone_source=str(z.get("source", "")), cell_m=float(c["cell_m"]), grid_crs=str(c.get("crs", "EPSG:4547")),
        concentration_categories=tuple(c.get("categories", [])), categories=cats,
        version=str(data.get("version", "")))


def labels(goods: Iterable[Goods], *, highly_toxic: Iterable[str] = (), config: NetworkConfig) -> frozenset[str]:
    """UN classes of the goods rows, their categories (易燃 …) and 剧毒 for catalogue keys in ``highly_toxic``."""
    toxic = set(highly_toxic)
    out: set[str] = set()
    for g in goods:
        if g.hazard_class:
            out.add(g.hazard_class)
            for label, classes in config.categories.items():
                if g.hazard_class in classes or g.hazard_class.split(".")[0] in classes:
                    out.add(label)
        if g.chemical_key and g.chemical_key in toxic:
            out.add("剧毒")
    return frozenset(out)


def tonnage_t(goods: Iterable[Goods]) -> tuple[float, bool]:
    """(tonnes of the rows given by mass, whether every row was) — litres and pieces have no tonnage here."""
    total, complete = 0.0, True
    for g in goods:
        factor = _MASS_T.get((g.unit or "").lower())
        if g.quantity is None or factor is None:
            complete = False
        else:
            total += g.quantity * factor
    return total, complete

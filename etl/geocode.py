"""Offline geocoding of Chinese addresses against a gazetteer built from the loaded data.

Gazetteer: ``gazetteer_entry`` rows (门牌 address points, 道路 roads, 兴趣点 POIs — loaded from
the ``gazetteer`` kind) plus admin areas (village/town/district polygons, whose point on
surface is used with precision ``village``/``town``/``district`` — said so explicitly).

Addresses are normalised first: full-width → half-width, spaces removed, province/city/district
prefixes (山西省晋城市城区) stripped, 号院/弄 → 号, 幢/号楼 → 栋, and everything after the house
number (栋/单元/室) dropped.  Matching, best precision first (rapidfuzz ``ratio``):

1. address point: the same house number on the same road, exactly (score 100) or with the road
   name matched fuzzily — a different house number never matches a point;
2. POI: a POI name (≥ 3 characters) contained in the address (100), or the address fuzzily;
3. road: the address's road exactly (100) or fuzzily;
4. village / town: an admin-area name contained in the address (100, coarse precision);
5. district: the address names nothing but the district.

Every result records precision and score; the caller rejects scores below
``[etl] geocoder_min_score`` ("地址无法匹配").  Providers are pluggable (:class:`Geocoder`);
:class:`TiandituGeocoder` (online 天地图) is off by default and never used in tests.
"""

from __future__ import annotations

import json
import re
import urllib.parse
import urllib.request
from collections import defaultdict
from dataclasses import dataclass
from typing import Iterable, Protocol

from rapidfuzz import fuzz, process

from hazmap.config import AreaSettings

# the deployment's administrative prefixes: [area] address_prefixes (etl.validate.Context carries
# the configured ones); by default 晋城市城区's
DEFAULT_PREFIXES: tuple[str, ...] = AreaSettings.address_prefixes
_ROAD_RE = re.compile(r"^(.*?(?:大道|大街|街|路|巷|胡同|道))")
_NUMBER_RE = re.compile(r"(\d+)号")


def _halfwidth(s: str) -> str:
    out = []
    for ch in s:
        o = ord(ch)
        if 0xFF01 <= o <= 0xFF5E:
            ch = chr(o - 0xFEE0)
        out.append(ch)
    return "".join(out)


def normalise(address: str | None, prefixes: tuple[str, ...] = DEFAULT_PREFIXES) -> str:
    if not address:
        return ""
    s = re.sub(r"\s+", "", _halfwidth(str(address)))
    s = re.sub(r"[（(].*?[）)]", "", s)
    changed = True
    while changed:
        changed = False
        for p in prefixes:
            if s.startswith(p) and len(s) > len(p):
                s, changed = s[len(p):], True
            elif s == p:
                return ""
    s = s.replace("号院", "号").replace("弄", "号").replace("号楼", "栋").replace("幢", "栋")
    m = _NUMBER_RE.search(s)
    return s[:m.end()] if m else s


normalise_address = normalise


def split_address(norm: str) -> tuple[str | None, str | None]:
    """(road, house number) of a normalised address; either may be None."""
    m = _NUMBER_RE.search(norm)
    number = m.group(1) if m else None
    head = norm[:m.start()] if m else norm
    r = _ROAD_RE.match(head)
    road = r.group(1) if r else (head if number and head else None)
    return road, number


@dataclass(frozen=True)
class GeocodeResult:
    lon: float
    lat: float
    precision: str  # address_point | road | poi | village | town | district
    score: float
    matched: str


class Geocoder(Protocol):
    def geocode(self, address: str) -> GeocodeResult | None: ...


class OfflineGeocoder:
    """``entries``: (address, lon, lat, precision) gazetteer points; ``areas``: (name, level,
    lon, lat) admin-area representative points."""

    name = "offline"

    def __init__(self, entries: Iterable[tuple[str, float, float, str]],
                 areas: Iterable[tuple[str, str, float, float]] = (), *, min_score: float = 80.0,
                 prefixes: tuple[str, ...] = DEFAULT_PREFIXES):
        self.min_score = float(min_score)
        self.prefixes = tuple(prefixes)
        self._exact: dict[str, tuple] = {}
        self._by_number: dict[str, list[tuple[str, tuple]]] = defaultdict(list)
        self._roads: dict[str, tuple] = {}
        self._pois: dict[str, tuple] = {}
        for address, lon, lat, precision in entries:
            n = normalise(address, self.prefixes)
            if not n:
                continue
            e = (float(lon), float(lat), address)
            if precision == "address_point":
                self._exact.setdefault(n, e)
                road, number = split_address(n)
                if road and number:
                    self._by_number[number].append((road, e))
            elif precision == "road":
                self._roads.setdefault(n, e)
            else:
                self._pois.setdefault(n, e)
        self._road_names = list(self._roads)
        self._poi_names = sorted(self._pois, key=len, reverse=True)
        order = {"village": 0, "town": 1, "district": 2}
        self._areas = sorted(((n, lv, float(x), float(y)) for n, lv, x, y in areas if n),
                             key=lambda a: (order.get(a[1], 3), -len(a[0])))

    def _hit(self, e, precision, score) -> GeocodeResult:
        return GeocodeResult(e[0], e[1], precision, round(float(score), 1), e[2])

    def geocode(self, address: str) -> GeocodeResult | None:
        raw = re.sub(r"\s+", "", _halfwidth(str(address or "")))
        q = normalise(address, self.prefixes)
        if not q:
            for name, level, lon, lat in self._areas:
                if level == "district" and name in raw:
                    return GeocodeResult(lon, lat, "district", 100.0, name)
            return None
        if q in self._exact:
            return self._hit(self._exact[q], "address_point", 100)
        road, number = split_address(q)
        if road and number and self._by_number.get(number):
            cands = self._by_number[number]
            hit = process.extractOne(road, [c[0] for c in cands], scorer=fuzz.ratio,
                                     score_cutoff=self.min_score)
            if hit:
                return self._hit(cands[hit[2]][1], "address_point", hit[1])
        for name in self._poi_names:
            if len(name) >= 3 and name in q:
                return self._hit(self._pois[name], "poi", 100)
        if self._poi_names:
            hit = process.extractOne(q, self._poi_names, scorer=fuzz.ratio, score_cutoff=self.min_score)
            if hit:
                return self._hit(self._pois[hit[0]], "poi", hit[1])
        if road:
            if road in self._roads:
                return self._hit(self._roads[road], "road", 100)
            if self._road_names:
                hit = process.extractOne(road, self._road_names, scorer=fuzz.ratio,
                                         score_cutoff=self.min_score)
                if hit:
                    return self._hit(self._roads[hit[0]], "road", hit[1])
        for name, level, lon, lat in self._areas:
            if level in ("village", "town") and len(name) >= 2 and name in q:
                return GeocodeResult(lon, lat, level, 100.0, name)
        return None


class TiandituGeocoder:
    """天地图 online geocoder (CGCS2000 ≈ WGS-84).  Off by default; needs network and a key."""

    name = "tianditu"
    URL = "https://api.tianditu.gov.cn/geocoder"
    _LEVELS = {"门址": "address_point", "道路": "road", "兴趣点": "poi", "乡镇": "town",
               "区县": "district", "村庄": "village"}

    def __init__(self, key: str, timeout: float = 5.0):
        if not key:
            raise ValueError("天地图地理编码需要 [etl] tianditu_key")
        self.key, self.timeout = key, timeout

    def geocode(self, address: str) -> GeocodeResult | None:  # pragma: no cover - network
        ds = json.dumps({"keyWord": address}, ensure_ascii=False)
        url = f"{self.URL}?{urllib.parse.urlencode({'ds': ds, 'tk': self.key})}"
        with urllib.request.urlopen(url, timeout=self.timeout) as resp:
            data = json.loads(resp.read().decode("utf-8"))
        loc = data.get("location") if str(data.get("status")) == "0" else None
        if not loc:
            return None
        return GeocodeResult(float(loc["lon"]), float(loc["lat"]),
                             self._LEVELS.get(loc.get("level", ""), "poi"),
                             float(loc.get("score", 0)), loc.get("keyWord", address))

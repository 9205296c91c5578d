"""Settings: defaults, then the optional TOML file named by ``HAZMAP_CONFIG``, then environment.

Every setting has a documented default (README "Configuration").  A bad setting — an
unknown key, a wrong type, an out-of-range number — raises :class:`ConfigError` naming
it, and the CLI turns that into a one-line message and exit status 2 at start.
"""

from __future__ import annotations

import os
import tomllib
from dataclasses import dataclass, field, fields, replace
from pathlib import Path
from typing import Any

DEFAULT_DATABASE_URL = "postgresql+psycopg://postgres@127.0.0.1:5432/hazmap"


class ConfigError(ValueError):
    """A setting is missing, unknown or has a bad value; the message names it."""


@dataclass(frozen=True)
class Limits:
    """Named performance and safety limits (documented in README "Limits")."""

    max_features_per_response: int = 5000
    max_export_features: int = 500_000
    statement_timeout_ms: int = 30_000
    max_request_body_bytes: int = 1_000_000
    max_bbox_area_deg2: float = 25.0
    siting_checks_per_minute: int = 60
    # ETL input (a file over one of these aborts the run, naming the limit; nothing is changed)
    max_input_file_bytes: int = 500_000_000
    max_input_rows: int = 2_000_000
    max_input_columns: int = 200
    max_xlsx_uncompressed_bytes: int = 1_000_000_000
    max_geometry_vertices: int = 200_000  # per geometry; a bigger one is a row reject
    max_json_depth: int = 32
    audit_list_features: int = 1000


@dataclass(frozen=True)
class DatabaseSettings:
    """How every connection to PostgreSQL fails fast (README "Database connections").

    The ``connect_timeout`` / ``keepalives*`` / ``tcp_user_timeout`` values are libpq connection
    parameters (PostgreSQL 15 manual §34.1.2); ``client_connection_check_interval`` is a server
    setting (§20.3.2) given to ETL and refresh connections only.
    """

    connect_timeout_s: int = 5  # libpq connect_timeout: give up connecting after this many seconds
    keepalives_idle_s: int = 10  # TCP keepalive probes start after this much silence
    keepalives_interval_s: int = 5  # … and repeat this often
    keepalives_count: int = 3  # … this many unanswered probes → the connection is dead
    tcp_user_timeout_ms: int = 20_000  # sent data unacknowledged this long → the connection is dead
    pool_size: int = 5  # pooled connections per server process
    max_overflow: int = 5  # extra connections beyond pool_size under load
    pool_timeout_s: float = 5.0  # waiting longer than this for a pooled connection → 503
    job_connection_check_interval_ms: int = 5_000  # ETL/refresh: the server checks the client is alive


@dataclass(frozen=True)
class AuthSettings:
    """Sessions, login throttling and the password policy (README "Logins and sessions")."""

    session_lifetime_hours: float = 12.0  # a login lasts this long (server-side; logout ends it at once)
    login_backoff_after: int = 3  # failed logins (per account and per address) before each retry must wait
    login_backoff_max_s: int = 60  # the wait doubles from 1 s up to this
    login_lockout_account: int = 10  # failures on one account within login_lockout_minutes → locked
    login_lockout_address: int = 50  # failures from one address within login_lockout_minutes → locked
    login_lockout_minutes: int = 15  # how long a lock lasts, and the window failures are counted in
    max_concurrent_password_checks: int = 2  # password hashes computed at once, across all server processes
    min_password_length: int = 12  # hazmap user add --password: at least this many characters


@dataclass(frozen=True)
class EtlSettings:
    default_crs: str | None = None  # CRS for rows that declare none; None → such rows are rejected
    # Configured area: points farther than max_distance_km from this bbox are rejected.
    area_bbox: tuple[float, float, float, float] = (112.70, 35.38, 113.00, 35.66)
    max_distance_km: float = 30.0
    rejects_dir: str = "rejects"
    geocoder: str = "offline"  # offline | tianditu (online; off by default)
    geocoder_min_score: float = 80.0
    tianditu_key: str | None = None
    columns: dict[str, dict[str, str]] = field(default_factory=dict)  # per kind: header → field


@dataclass(frozen=True)
class MapSettings:
    """The basemap (README "Basemap").  With neither ``basemap_file`` nor ``tile_url`` the map
    draws a basemap from the data it holds (district and town boundaries, town labels, roads)."""

    tile_url: str | None = None  # e.g. an intranet tile proxy; None → no remote tiles
    tile_datum: str = "wgs84"  # wgs84 | cgcs2000 | gcj02: what the tiles are drawn in
    tile_attribution: str = ""
    basemap_file: str | None = None  # a raster MBTiles file served at /basemap/{z}/{x}/{y} (relative to the config file)
    review_number: str = ""  # 审图号 of the basemap, shown on the map and on every printed sheet
    max_markers: int = 500  # above this many enterprises in view the map draws grid clusters (server-side)
    max_summary_bbox_area_deg2: float = 400.0  # largest view the map summarises in grid cells (a province or two)


@dataclass(frozen=True)
class AreaSettings:
    """The deployment's area (README "Configuration"); the defaults are 晋城市城区's."""

    name: str = "晋城市城区"  # said in messages (e.g. a siting candidate outside it)
    centre: tuple[float, float] = (112.85, 35.505)  # WGS-84 lon, lat: where the maps open
    zoom: float = 12.0  # … at this zoom
    # stripped from the front of addresses before geocoding (longest first is not needed: repeated)
    address_prefixes: tuple[str, ...] = ("山西省", "山西", "晋城市", "晋城", "城区")
    # a siting candidate farther than this outside the district boundary (or, without one, the
    # [etl] area_bbox) is refused unless the request says allow_outside_area (local choice)
    siting_margin_m: float = 1000.0
    # CGCS2000 Gauss-Krüger zones the planner tools and the siting form offer (EPSG codes; the
    # district's own zone first): 晋城市城区 ≈ 112.85°E lies between the 3° zones of CM 111° and 114°
    gauss_kruger_epsg: tuple[int, ...] = (4547, 4546)


@dataclass(frozen=True)
class WebSettings:
    proxy_hops: int = 0  # reverse proxies in front whose X-Forwarded-* headers are trusted (0: none)


@dataclass(frozen=True)
class Settings:
    database_url: str = DEFAULT_DATABASE_URL
    database: DatabaseSettings = field(default_factory=DatabaseSettings)
    auth: AuthSettings = field(default_factory=AuthSettings)
    etl: EtlSettings = field(default_factory=EtlSettings)
    map: MapSettings = field(default_factory=MapSettings)
    area: AreaSettings = field(default_factory=AreaSettings)
    limits: Limits = field(default_factory=Limits)
    rules_overrides: tuple[dict[str, Any], ...] = ()
    anonymous_access: bool = False  # True: visitors without a login may view the map and read the API
    secret_key: str | None = None
    secure_cookies: bool = True  # session cookie only over HTTPS (hazmap serve on loopback turns it off)
    basic_password: bool = False  # HTTP Basic also accepts the account password (the API token always)
    web: WebSettings = field(default_factory=WebSettings)
    sources: dict[str, list[dict]] = field(default_factory=dict)  # KIND → [{path, crs?}] (ETL config)
    config_path: str | None = None


def _coerce(section: str, cls, data: dict[str, Any]):
    known = {f.name: f for f in fields(cls)}
    out = {}
    for key, value in data.items():
        if key not in known:
            raise ConfigError(f"未知配置项 [{section}] {key}")
        default = getattr(cls(), key)
        if isinstance(default, bool) and not isinstance(value, bool):
            raise ConfigError(f"配置项 [{section}] {key} 应为 true/false")
        if isinstance(default, (int, float)) and not isinstance(default, bool):
            if not isinstance(value, (int, float)) or isinstance(value, bool) or value <= 0:
                raise ConfigError(f"配置项 [{section}] {key} 应为正数，实际 {value!r}")
            value = type(default)(value)
        if isinstance(default, tuple) and default and isinstance(default[0], str):
            if not isinstance(value, list) or not all(isinstance(v, str) and v.strip() for v in value):
                raise ConfigError(f"配置项 [{section}] {key} 应为字符串列表")
            value = tuple(v.strip() for v in value)
        elif isinstance(default, tuple) and default and isinstance(default[0], int):  # a list of EPSG codes
            if not isinstance(value, list) or not value or \
                    not all(isinstance(v, int) and not isinstance(v, bool) for v in value):
                raise ConfigError(f"配置项 [{section}] {key} 应为整数列表（EPSG 代码）")
            from geo.crs import CRSError, gauss_kruger_label

            for v in value:
                try:
                    gauss_kruger_label(v)
                except CRSError as exc:
                    raise ConfigError(f"配置项 [{section}] {key}：{exc}") from None
            value = tuple(value)
        elif isinstance(default, tuple):
            if not isinstance(value, list) or len(value) != len(default):
                raise ConfigError(f"配置项 [{section}] {key} 应为含 {len(default)} 个数的列表")
            value = tuple(float(v) for v in value)
        out[key] = value
    return cls(**out)


RASTER_TILE_FORMATS = ("png", "jpg", "jpeg", "webp")


def _check_raster_mbtiles(path: str) -> None:
    """The basemap file is a raster MBTiles (the map draws image tiles): a vector one (pbf) or a file that
    is not MBTiles at all is refused at start, in Chinese, rather than served as blank images."""
    import sqlite3

    try:
        with sqlite3.connect(Path(path).resolve().as_uri() + "?mode=ro", uri=True) as db:
            row = db.execute("select value from metadata where name = 'format'").fetchone()
    except sqlite3.Error as exc:
        raise ConfigError(f"配置项 [map] basemap_file 不是可读的 MBTiles 文件：{path}（{exc}）") from None
    fmt = (row[0] if row else "png").strip().lower()
    if fmt not in RASTER_TILE_FORMATS:
        raise ConfigError(f"配置项 [map] basemap_file 的瓦片格式为 {fmt}：只支持栅格 MBTiles（png/jpg/webp），"
                          "矢量瓦片（pbf）请先渲染为栅格瓦片（见 README“底图”）")


def load_settings(path: str | os.PathLike | None = None, env: dict[str, str] | None = None,
                  overrides: dict[str, Any] | None = None) -> Settings:
    """Build the settings; ``path`` defaults to ``$HAZMAP_CONFIG``."""
    env = dict(os.environ if env is None else env)
    path = path or env.get("HAZMAP_CONFIG") or None
    raw: dict[str, Any] = {}
    if path:
        p = Path(path)
        if not p.is_file():
            raise ConfigError(f"HAZMAP_CONFIG 指向的配置文件不存在：{p}")
        try:
            raw = tomllib.loads(p.read_text(encoding="utf-8"))
        except (tomllib.TOMLDecodeError, UnicodeDecodeError) as exc:
            raise ConfigError(f"配置文件 {p} 不是有效的 TOML：{exc}") from exc
    s = Settings(config_path=str(path) if path else None)
    top_known = {"database", "etl", "map", "area", "limits", "rules", "auth", "sources", "web"}
    for key in raw:
        if key not in top_known:
            raise ConfigError(f"未知配置节 [{key}]（可用：{', '.join(sorted(top_known))}）")
    db = dict(raw.get("database", {}))
    if "url" in db:
        s = replace(s, database_url=str(db.pop("url")))
    s = replace(s, database=_coerce("database", DatabaseSettings, db))
    if "etl" in raw:
        s = replace(s, etl=_coerce("etl", EtlSettings, raw["etl"]))
    if "map" in raw:
        s = replace(s, map=_coerce("map", MapSettings, raw["map"]))
        if s.map.basemap_file and not Path(s.map.basemap_file).is_absolute():
            s = replace(s, map=replace(s.map, basemap_file=str(Path(path).parent / s.map.basemap_file)))
    if "area" in raw:
        s = replace(s, area=_coerce("area", AreaSettings, raw["area"]))
    if "limits" in raw:
        s = replace(s, limits=_coerce("limits", Limits, raw["limits"]))
    if "web" in raw:
        s = replace(s, web=_coerce("web", WebSettings, raw["web"]))
    rules = raw.get("rules", {})
    for key in rules:
        if key != "overrides":
            raise ConfigError(f"未知配置项 [rules] {key}")
    if rules.get("overrides") is not None:
        if not isinstance(rules["overrides"], list):
            raise ConfigError("配置项 [rules] overrides 应为表数组 [[rules.overrides]]")
        s = replace(s, rules_overrides=tuple(rules["overrides"]))
    auth = raw.get("auth", {})
    flat = ("anonymous_access", "secret_key", "secure_cookies", "basic_password")
    s = replace(s, auth=_coerce("auth", AuthSettings, {k: v for k, v in auth.items() if k not in flat}))
    if "anonymous_access" in auth:
        if not isinstance(auth["anonymous_access"], bool):
            raise ConfigError("配置项 [auth] anonymous_access 应为 true/false")
        s = replace(s, anonymous_access=auth["anonymous_access"])
    if "secure_cookies" in auth:
        if not isinstance(auth["secure_cookies"], bool):
            raise ConfigError("配置项 [auth] secure_cookies 应为 true/false")
        s = replace(s, secure_cookies=auth["secure_cookies"])
    if "basic_password" in auth:
        if not isinstance(auth["basic_password"], bool):
            raise ConfigError("配置项 [auth] basic_password 应为 true/false")
        s = replace(s, basic_password=auth["basic_password"])
    if "secret_key" in auth:
        s = replace(s, secret_key=str(auth["secret_key"]))
    if "sources" in raw:
        srcs = {}
        base = Path(path).parent if path else Path.cwd()
        for kind, entries in raw["sources"].items():
            if isinstance(entries, (str, dict)):
                entries = [entries]
            if not isinstance(entries, list):
                raise ConfigError(f"配置项 [sources] {kind} 应为路径、路径列表或 {{path, crs}} 表")
            out = []
            for e in entries:
                spec = {"path": e} if isinstance(e, str) else dict(e)
                if not isinstance(spec.get("path"), str) or set(spec) - {"path", "crs", "encoding"}:
                    raise ConfigError(f"配置项 [sources] {kind} 的条目应为路径或 {{path = …, crs = …, encoding = …}}")
                if not Path(spec["path"]).is_absolute():
                    spec["path"] = str(base / spec["path"])
                out.append(spec)
            srcs[kind] = out
        s = replace(s, sources=srcs)
    if env.get("DATABASE_URL"):
        s = replace(s, database_url=env["DATABASE_URL"])
    if env.get("HAZMAP_SECRET_KEY"):
        s = replace(s, secret_key=env["HAZMAP_SECRET_KEY"])
    for key, value in (overrides or {}).items():
        s = replace(s, **{key: value})
    if not s.database_url.startswith(("postgresql", "postgres")):
        raise ConfigError(f"DATABASE_URL 应为 PostgreSQL 连接串，实际 {s.database_url!r}")
    if s.map.tile_datum not in ("wgs84", "cgcs2000", "gcj02"):
        raise ConfigError(f"配置项 [map] tile_datum 应为 wgs84/cgcs2000/gcj02，实际 {s.map.tile_datum!r}")
    if s.map.basemap_file and not Path(s.map.basemap_file).is_file():
        raise ConfigError(f"配置项 [map] basemap_file 指向的底图文件不存在：{s.map.basemap_file}")
    if s.map.basemap_file:
        _check_raster_mbtiles(s.map.basemap_file)
    if s.etl.geocoder not in ("offline", "tianditu"):
        raise ConfigError(f"配置项 [etl] geocoder 应为 offline 或 tianditu，实际 {s.etl.geocoder!r}")
    if s.etl.default_crs is not None:
        from geo.crs import CRSError, parse_crs

        try:
            parse_crs(s.etl.default_crs)
        except CRSError as exc:
            raise ConfigError(f"配置项 [etl] default_crs：{exc}") from exc
    return s

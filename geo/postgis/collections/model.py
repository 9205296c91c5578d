"""What one collection declares: its properties with types, its filters, its SQL.

A :class:`Collection` is one frozen declaration; ``/api/v1``, ``/ogc``, both OpenAPI
documents, the vector tiles, the ``format=`` downloads and ``hazmap export`` are all
generated from it (:mod:`geo.postgis.collections.queries` turns it into SQL).

Types follow JSON Schema as OGC API – Features Part 3 (queryables) uses it, with two
string formats: ``integer``, ``number``, ``string``, ``boolean``, ``date``, ``datetime``,
``array``, ``object``.  Every geometry is WGS-84 lon/lat (EPSG:4326 / OGC CRS84).
"""

from __future__ import annotations

import datetime as dt
import math
from collections.abc import Callable
from dataclasses import dataclass

from geo import params
from geo.errors import InvalidInput
from geo.vocabulary import stage_code

TYPES = ("integer", "number", "string", "boolean", "date", "datetime", "array", "object")
GEOMETRY_TYPES = ("Point", "LineString", "Polygon", "MultiPoint", "MultiLineString", "MultiPolygon", "Geometry")
TRUE_WORDS = {"true": True, "1": True, "是": True, "false": False, "0": False, "否": False}

# JSON Schema of each property type (OGC API – Features Part 3, /req/queryables/...)
JSON_SCHEMA = {
    "integer": {"type": "integer"}, "number": {"type": "number"}, "string": {"type": "string"},
    "boolean": {"type": "boolean"}, "date": {"type": "string", "format": "date"},
    "datetime": {"type": "string", "format": "date-time"}, "array": {"type": "array"}, "object": {"type": "object"},
}
# PostgreSQL type of each property type (casts of bound values in keyset cursors and CQL2)
SQL_TYPE = {"integer": "bigint", "number": "double precision", "string": "text", "boolean": "boolean",
            "date": "date", "datetime": "timestamptz"}


@dataclass(frozen=True)
class Property:
    """One feature property: its name, type, Chinese title and SQL expression.

    ``queryable`` properties can be filtered (``name=value``, CQL2) and sorted (``sortby``);
    arrays and objects never are (their ``items`` type is documented only).
    """

    name: str
    type: str
    title: str  # Chinese column title (``labels=zh``) and queryables title
    sql: str  # expression over the collection's FROM clause
    queryable: bool = True
    items: str | None = None  # element type of an array
    description: str = ""

    def __post_init__(self):
        if self.type not in TYPES:
            raise ValueError(f"property {self.name}: unknown type {self.type}")

    @property
    def filterable(self) -> bool:
        return self.queryable and self.type not in ("object",) and (self.type != "array" or self.items is not None)

    def schema(self) -> dict:
        out = {"title": self.title, **JSON_SCHEMA[self.type]}
        if self.type == "array" and self.items:
            out["items"] = JSON_SCHEMA[self.items]
        if self.description:
            out["description"] = self.description
        return out

    def parse(self, raw: str, field: str | None = None) -> object:
        """A query-string value of this property's type (arrays: of their items' type)."""
        return parse_value(self.items if self.type == "array" else self.type, raw, field or self.name)


def parse_value(kind: str, raw: str, field: str) -> object:
    """Parse ``raw`` as ``kind``; bad input → :class:`InvalidInput` naming ``field``."""
    raw = params.text(raw, field, max_len=200)
    if raw is None:
        raise InvalidInput(field, f"{field} 不能为空")
    try:
        if kind == "integer":
            value = int(raw)
            if abs(value) >= 2**63:
                raise ValueError
            return value
        if kind == "number":
            value = float(raw)
            if not math.isfinite(value):
                raise ValueError
            return value
        if kind == "boolean":
            return TRUE_WORDS[raw.strip().lower()]
        if kind == "date":
            return dt.date.fromisoformat(raw)
        if kind == "datetime":
            value = dt.datetime.fromisoformat(raw.replace("Z", "+00:00"))
            return value if value.tzinfo else value.replace(tzinfo=dt.timezone.utc)
    except (ValueError, KeyError, OverflowError):
        label = {"integer": "整数", "number": "数字", "boolean": "true/false（是/否）", "date": "日期（YYYY-MM-DD）",
                 "datetime": "时间（RFC 3339）"}[kind]
        raise InvalidInput(field, f"{field} 应为{label}，实际“{raw[:40]}”") from None
    return raw


@dataclass(frozen=True)
class Filter:
    """A named filter of the ``/api/v1`` contract (``risk``, ``town``, ``stage`` …).

    ``predicate`` is SQL binding the parsed value as ``:<name>``; ``kind`` says how the
    query-string value is parsed: ``colours`` (comma list), ``text``, ``stage`` (Chinese or
    code), ``integer`` (``minimum``–``maximum``), ``choice`` (one of ``choices``).
    """

    name: str
    kind: str
    predicate: str
    description: str  # Chinese, shown in the OpenAPI documents and ``hazmap export --help``
    choices: tuple[str, ...] = ()
    minimum: int | None = None
    maximum: int | None = None
    default: str | None = None

    def parse(self, raw: str | None):
        raw = self.default if raw is None or raw == "" else raw
        if raw is None:
            return None
        if self.kind == "colours":
            return params.colours(raw)
        if self.kind == "integer":
            return params.integer(raw, self.name, default=0, minimum=self.minimum or 0, maximum=self.maximum)
        value = params.text(raw, self.name)
        if self.kind == "stage":
            code = stage_code(value)
            if code is None:
                raise InvalidInput(self.name, f"未知环节“{value}”")
            return code
        if self.kind == "choice" and value not in self.choices:
            raise InvalidInput(self.name, f"{self.name} 应为 {' 或 '.join(self.choices)}")
        return value

    def schema(self) -> dict:
        if self.kind == "integer":
            return {"type": "integer", **({"minimum": self.minimum} if self.minimum is not None else {}),
                    **({"maximum": self.maximum} if self.maximum is not None else {})}
        if self.kind == "choice":
            return {"type": "string", "enum": list(self.choices), **({"default": self.default} if self.default else {})}
        if self.kind == "colours":
            return {"type": "string", "pattern": r"^\s*(red|orange|yellow|blue)?(\s*,\s*(red|orange|yellow|blue)?)*\s*$"}
        return {"type": "string", "maxLength": 100}


@dataclass(frozen=True)
class Collection:
    """One collection, declared once.

    SQL pieces (all bound parameters, never pasted values): ``source`` is the FROM clause
    (it may bind ``:run``, the current run, and the vocabulary's ``:colour_hex``,
    ``:colour_label``, ``:stage_label``, ``:category_label`` JSON objects); ``where`` the
    base condition; ``key`` a unique, non-null key (keyset paging, item lookup);
    ``geometry`` the output geometry and ``spatial`` the indexed column a bbox uses.
    ``detail(conn, run_id, key, vocabulary)`` adds the single item's nested lists.
    """

    id: str
    title: str
    geometry_type: str
    source: str
    key: str
    key_type: str  # integer | string
    geometry: str
    properties: tuple[Property, ...]
    filters: tuple[Filter, ...] = ()
    where: str = "true"
    spatial: str | None = None
    default_sort: tuple[tuple[str, str], ...] = ()  # (property, asc|desc) before the key
    description: str = ""
    run_scoped: bool = True  # the data belong to a run (temporal = the run's time)
    temporal: str = ""  # the date/datetime property OGC ``datetime`` filters on (a record's own date), if any
    default_limit: int = 100
    api: bool = True  # served as /api/v1/{id}
    ogc: bool = True  # served by /ogc and exported as its own layer (one geometry type)
    parts: tuple[str, ...] = ()  # a mixed collection's homogeneous parts (GeoPackage layers)
    detail: Callable | None = None
    derived: str = ""  # lateral joins computing several properties in one pass (rows only, not counts)
    item_label: str = "要素"  # "企业 5 不存在"
    tile_min_zoom: int = 0

    def __post_init__(self):
        if self.geometry_type not in GEOMETRY_TYPES:
            raise ValueError(f"collection {self.id}: unknown geometry type {self.geometry_type}")
        if self.geometry_type == "Geometry" and self.ogc:
            raise ValueError(f"collection {self.id}: a mixed collection cannot be an OGC collection")
        names = [p.name for p in self.properties]
        if len(set(names)) != len(names):
            raise ValueError(f"collection {self.id}: duplicate property names")
        for prop, _ in self.default_sort:
            if prop not in names:
                raise ValueError(f"collection {self.id}: default sort on unknown property {prop}")
        if self.temporal and (self.prop(self.temporal) is None
                              or self.prop(self.temporal).type not in ("date", "datetime")):
            raise ValueError(f"collection {self.id}: temporal property {self.temporal} is not a date/datetime property")

    def prop(self, name: str) -> Property | None:
        return next((p for p in self.properties if p.name == name), None)

    def filter(self, name: str) -> Filter | None:
        return next((f for f in self.filters if f.name == name), None)

    @property
    def rows_source(self) -> str:
        """The FROM clause for building rows: the source and its derived lateral joins."""
        return f"{self.source} {self.derived}" if self.derived else self.source

    def filter_source(self, uses_properties: bool) -> str:
        """The FROM clause for counting and paging: derived joins only when a filter or sort may use them."""
        return self.rows_source if uses_properties else self.source

    @property
    def spatial_column(self) -> str:
        return self.spatial or self.geometry

    @property
    def queryables(self) -> tuple[Property, ...]:
        return tuple(p for p in self.properties if p.filterable)

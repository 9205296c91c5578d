"""Query parameters → a :class:`~geo.postgis.collections.queries.Selection` (framework-neutral).

Two dialects over one declaration:

* ``/api/v1`` (and ``hazmap export``): the named filters of the contract, and the OGC ones
  (``name=value``, ``filter``, ``sortby``, ``datetime``) so an ``/ogc`` page's download is the same
  selection; ``limit`` above ``max_features_per_response`` and a ``bbox`` over
  ``max_bbox_area_deg2`` are refused (400 naming the limit); other parameters are ignored, as
  they always were.
* ``/ogc`` (OGC API – Features Part 1 + 3): also ``name=value`` on every queryable,
  ``filter`` (CQL2-Text), ``sortby``, ``datetime``; an unknown parameter → 400
  (``/req/core/query-param-unknown``); ``limit`` is clamped to the maximum
  (``/req/core/fc-limit-response-1``); ``bbox`` may have 6 numbers (heights ignored) and an
  over-large bbox is intersected with the collection's extent instead of refused.
"""

from __future__ import annotations

import datetime as dt
import math
from collections.abc import Mapping
from dataclasses import dataclass

from geo import params
from geo.errors import InvalidInput
from geo.postgis.collections.model import Collection
from geo.postgis.collections.queries import Selection, sort_spec

MAX_OFFSET = 2**31 - 1  # PostgreSQL's OFFSET is a bigint; larger is bad input, never a database error
CRS84 = "http://www.opengis.net/def/crs/OGC/1.3/CRS84"
OGC_PARAMETERS = ("bbox", "bbox-crs", "limit", "offset", "after", "datetime", "filter", "filter-lang", "filter-crs",
                  "sortby", "f", "crs")


@dataclass(frozen=True)
class Paging:
    limit: int
    offset: int
    after: str | None


def _one(args: Mapping, name: str) -> str | None:
    value = args.get(name)
    if isinstance(value, (list, tuple)):
        value = value[-1] if value else None
    if value is not None and "\x00" in value:
        raise InvalidInput(name, f"参数 {name} 含非法字符（NUL）")
    return value


def named_filters(c: Collection, args: Mapping) -> dict:
    return {f.name: f.parse(_one(args, f.name)) for f in c.filters}


def _query(c: Collection, args: Mapping, bbox) -> Selection:
    """The selection both dialects share: named filters, ``name=value`` on the queryables, CQL2, time, order."""
    from geo.postgis.collections import cql

    filters = named_filters(c, args)
    equals = {p.name: p.parse(_one(args, p.name)) for p in c.queryables
              if p.name not in filters and _one(args, p.name) not in (None, "")}
    lang = _one(args, "filter-lang") or "cql2-text"
    if lang != "cql2-text":
        raise InvalidInput("filter-lang", "filter-lang 只支持 cql2-text")
    text = _one(args, "filter")
    sel = Selection(filters=filters, equals=equals, bbox=bbox, cql=cql.to_sql(text, c) if text else None,
                    interval=interval(_one(args, "datetime")), sort=sortby(_one(args, "sortby")))
    sort_spec(c, sel)  # an unknown sort property → 400 now, before any row is streamed
    return sel


def api_selection(c: Collection, args: Mapping, *, limits) -> tuple[Selection, Paging]:
    """``/api/v1`` and ``hazmap export``: the contract's filters (and the OGC ones), strict limits."""
    sel = _query(c, args, params.bbox(_one(args, "bbox"), max_area_deg2=limits.max_bbox_area_deg2))
    default = min(c.default_limit, limits.max_features_per_response)
    return sel, Paging(
        limit=params.integer(_one(args, "limit"), "limit", default=default, minimum=1,
                             maximum=limits.max_features_per_response, limit_name="max_features_per_response"),
        offset=params.integer(_one(args, "offset"), "offset", default=0, maximum=MAX_OFFSET),
        after=_one(args, "after") or None)


def ogc_plain(args: Mapping) -> None:
    """``/ogc`` resources other than items take ``f`` only: any other parameter → 400
    (``/req/core/query-param-unknown`` applies to every resource, not only to items)."""
    unknown = sorted(k for k in args if k != "f")
    if unknown:
        raise InvalidInput(unknown[0], f"未知参数 {unknown[0]}（此资源只接受 f=json）")
    f = _one(args, "f")
    if f and "json" not in f:
        raise InvalidInput("f", "f 只支持 json")


def ogc_selection(c: Collection, args: Mapping, *, limits, extent) -> tuple[Selection, Paging]:
    """``/ogc`` items: every OGC parameter, property filters on the queryables, lenient limits.

    ``extent`` is a callable giving the collection's bbox (read only for an over-large bbox).
    """
    known = set(OGC_PARAMETERS) | {f.name for f in c.filters} | {p.name for p in c.queryables}
    unknown = sorted(k for k in args if k not in known)
    if unknown:
        raise InvalidInput(unknown[0], f"未知参数 {unknown[0]}（可用：{', '.join(sorted(known))}）")
    for name in ("bbox-crs", "filter-crs", "crs"):
        value = _one(args, name)
        if value and value != CRS84:
            raise InvalidInput(name, f"{name} 只支持 {CRS84}（WGS-84 经纬度）")
    f = _one(args, "f")
    if f and f not in ("json", "geojson", "application/geo+json"):
        raise InvalidInput("f", "f 只支持 json（GeoJSON）")
    sel = _query(c, args, _ogc_bbox(_one(args, "bbox"), limits, extent))
    lim = _one(args, "limit")
    limit = params.integer(lim, "limit", default=min(c.default_limit, limits.max_features_per_response), minimum=1,
                           maximum=None) if lim else min(c.default_limit, limits.max_features_per_response)
    return sel, Paging(limit=min(limit, limits.max_features_per_response),
                       offset=params.integer(_one(args, "offset"), "offset", default=0, maximum=MAX_OFFSET),
                       after=_one(args, "after") or None)


def _ogc_bbox(value: str | None, limits, extent):
    if not value:
        return None
    parts = value.split(",")
    if len(parts) == 6:  # minx, miny, minz, maxx, maxy, maxz: heights do not restrict 2-D data
        parts = [parts[0], parts[1], parts[3], parts[4]]
    box = params.bbox(",".join(parts), max_area_deg2=math.inf)
    if (box[2] - box[0]) * (box[3] - box[1]) <= limits.max_bbox_area_deg2:
        return box
    data = extent()
    if data is None:
        return box
    clipped = (max(box[0], data[0]), max(box[1], data[1]), min(box[2], data[2]), min(box[3], data[3]))
    if clipped[0] > clipped[2] or clipped[1] > clipped[3]:
        return box  # no overlap: the (empty) answer is cheap
    return clipped


def sortby(value: str | None) -> tuple[tuple[str, str], ...] | None:
    """``+name,-risk_score`` → ((name, asc), (risk_score, desc)); checked against the collection later."""
    if not value:
        return None
    out = []
    for part in value.split(","):
        part = part.strip()
        if not part:
            continue
        direction = "desc" if part.startswith("-") else "asc"
        out.append((part.lstrip("+-").strip(), direction))
    return tuple(out) or None


def _instant(text: str, *, end: bool) -> dt.datetime | None:
    if text in ("", ".."):
        return None
    try:
        if len(text) == 10:  # a date: the whole day
            day = dt.date.fromisoformat(text)
            t = dt.datetime.combine(day, dt.time.max if end else dt.time.min)
            return t.replace(tzinfo=dt.timezone.utc)
        value = dt.datetime.fromisoformat(text.replace("Z", "+00:00"))
        return value if value.tzinfo else value.replace(tzinfo=dt.timezone.utc)
    except ValueError:
        raise InvalidInput("datetime", f"datetime 应为 RFC 3339 时间或区间（a/b、../b、a/..），实际“{text[:40]}”") from None


def interval(value: str | None):
    """OGC ``datetime``: an instant or an interval with open ends → (start, end)."""
    if not value:
        return None
    if "/" in value:
        a, _, b = value.partition("/")
        start, end = _instant(a, end=False), _instant(b, end=True)
        if start and end and start > end:
            raise InvalidInput("datetime", "datetime 区间的开始晚于结束")
        return start, end
    start = _instant(value, end=False)
    return start, _instant(value, end=True) if len(value) == 10 else start

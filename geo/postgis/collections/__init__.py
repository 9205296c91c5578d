"""The collections registry: every feature collection declared once, read the same way by all.

Each wing declares its collections in its own module as a tuple ``COLLECTIONS`` of
:class:`~geo.postgis.collections.model.Collection`, and its module name is listed once in
:data:`WINGS`.  ``/api/v1`` routes, ``/ogc``, both OpenAPI documents, vector tiles,
``format=`` downloads and ``hazmap export`` (command and options) are generated from
:func:`registry`.

Readers (framework-neutral; the web views and the CLI are thin adapters)::

    run = read_snapshot(conn)                     # one snapshot and one run per response
    base = base_params(run, domain.vocabulary)
    page(conn, get("enterprises"), Selection(filters={"risk": ["red"]}), base, limit=100)
"""

from __future__ import annotations

import importlib

from geo.errors import NotFound
from geo.postgis.collections.model import Collection, Filter, Property  # noqa: F401 - the declaration API
from geo.postgis.collections.queries import (Page, Selection, base_params, count, extent, item,  # noqa: F401
                                             page, stream, stream_sql, tile)
from geo.postgis.collections.snapshot import CRS_NOTE, RunInfo, read_snapshot, run_info  # noqa: F401
from geo.postgis.collections.summaries import freshness, runs, stats  # noqa: F401

# Modules holding a ``COLLECTIONS`` tuple; a new wing adds its module here (one line).
WINGS = ("geo.postgis.collections.core",
         "geo.postgis.collections.assessment",  # assessments, hidden dangers, inspections (issue 12)
         "geo.postgis.collections.consequence",  # threat zones and individual risk (issue 17)
         "geo.postgis.collections.waste",  # hazardous waste (issue 16)
         "geo.postgis.collections.transport")  # transport (issue 15)


def registry() -> dict[str, Collection]:
    """Every declared collection by id, in declaration order (ids are unique)."""
    out: dict[str, Collection] = {}
    for name in WINGS:
        for c in importlib.import_module(name).COLLECTIONS:
            if c.id in out:
                raise ValueError(f"collection id {c.id} declared twice ({name})")
            out[c.id] = c
    return out


def ogc_collections() -> dict[str, Collection]:
    """The collections /ogc serves and exports as their own layer: those of one geometry type."""
    return {cid: c for cid, c in registry().items() if c.ogc}


def get(cid: str) -> Collection:
    """The collection ``cid``; an unknown id → :class:`NotFound` naming it."""
    c = registry().get(cid)
    if c is None:
        raise NotFound(f"集合 {cid} 不存在")
    return c


def feature(conn, c: Collection, key, base: dict) -> dict | None:
    """The single item: the list's properties (same names and types) plus its detail lists."""
    f = item(conn, c, key, base)
    if f is not None and c.detail is not None:
        f["properties"].update(c.detail(conn, base, f["id"]))
    return f


def key_value(c: Collection, raw: str):
    """A path's item id in the collection's key type (a non-integer for an integer key → not found)."""
    if c.key_type == "integer":
        try:
            value = int(raw)
        except ValueError:
            raise NotFound(f"{c.item_label} {raw} 不存在") from None
        if abs(value) >= 2**63:
            raise NotFound(f"{c.item_label} {raw} 不存在")
        return value
    return raw

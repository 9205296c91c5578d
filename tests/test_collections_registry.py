"""The collections registry without a database: one declaration per collection, typed properties,
CQL2 → parameterised SQL, keyset cursors, and the OGC / API parameter dialects."""

from __future__ import annotations

import ast
import datetime as dt
import importlib
import re
from pathlib import Path

import pytest

from geo.errors import InvalidInput
from geo.postgis import collections as registry
from geo.postgis.collections import arguments, cql, queries
from hazmap.config import Limits

REPO = Path(__file__).resolve().parent.parent


def test_each_collection_id_is_declared_once_in_the_whole_project():
    ids = list(registry.registry())
    assert len(ids) == len(set(ids))
    assert {"enterprises", "hazard-units", "targets", "target-points", "target-areas", "conflicts", "areas",
            "grid-cells", "pipelines", "boundaries"} <= set(ids)
    for cid in ids:
        declarations = [p for root in ("geo", "webmap", "hazmap", "etl") for p in (REPO / root).rglob("*.py")
                        if re.search(rf'(\bid="|^\w+ = _\w+\(")({re.escape(cid)})"', p.read_text(encoding="utf-8"), re.M)]
        home = next(m for m in registry.WINGS
                    if cid in {c.id for c in importlib.import_module(m).COLLECTIONS}).replace(".", "/") + ".py"
        assert [p.relative_to(REPO).as_posix() for p in declarations] == [home], cid  # its wing's module only


def test_declarations_are_typed_and_titled():
    for c in registry.registry().values():
        titles = [p.title for p in c.properties]
        assert len(set(titles)) == len(titles), c.id  # labels=zh needs unique column titles
        assert all(re.search(r"[\u4e00-\u9fff]", t) or t in ("S（Σq/Q）", "R", "α") for t in titles), c.id
        assert c.geometry_type != "Geometry" or (not c.ogc and c.parts), c.id
        for part in c.parts:  # a mixed collection's parts are homogeneous collections with the same properties
            assert registry.get(part).ogc and [p.name for p in registry.get(part).properties] == [p.name for p in c.properties]


def test_the_points_columns_are_the_guide_items_of_the_model():
    """The flat export columns (pts_<item>) follow the colour model's items; the collections' static copy
    in geo.vocabulary must equal data/rules/risk_model.toml, and every scored reason names its item."""
    import datetime as dt

    from geo import risk_color
    from geo.vocabulary import GUIDE_ITEMS
    from tests.helpers import domain

    model = domain().colour_model
    assert GUIDE_ITEMS == {i.code: i.label for i in model.items}
    facts = risk_color.DerivedFacts(stages=("storage",), major_hazard_grades=(2,), external_distance_conflicts=1,
                                    in_chemical_park=False)
    result = risk_color.assess_enterprise(facts, (), model=model, as_of=dt.date(2026, 12, 1)).as_dict()
    scored = [r for r in result["reasons"] if r["points"]]
    assert scored and all(r["item"] in GUIDE_ITEMS for r in scored)
    names = {p.name for p in registry.get("enterprises").properties}
    assert {f"pts_{c.lower()}" for c in GUIDE_ITEMS} | {"pts_score_bound"} <= names


# ---- CQL2-Text -------------------------------------------------------------------------------------

ENT = registry.get("enterprises")


def test_cql2_literals_are_bound_never_pasted():
    sql, values = cql.to_sql("risk_color = 'red or 1=1 --' AND major_hazard_grade >= 3", ENT)
    assert "red" not in sql and "or 1=1" not in sql and "3" not in sql
    assert sorted(values.values(), key=str) == [3, "red or 1=1 --"]
    assert "cast(:_q0 as text)" in sql and "cast(:_q1 as bigint)" in sql and "(er.major_hazard_grade) >=" in sql


@pytest.mark.parametrize("text, fragment, value", [
    ("S_INTERSECTS(geometry, POLYGON((112 35, 113 35, 113 36, 112 36, 112 35)))",
     "ST_Intersects(e.geom, ST_SetSRID(ST_GeomFromGeoJSON(:_q0), 4326))", None),
    ("S_INTERSECTS(geometry, BBOX(112, 35, 113, 36))", "ST_MakeEnvelope(:_q0, :_q1, :_q2, :_q3, 4326)", 112.0),
    ("licence_expiry < DATE('2026-01-01')", "cast(:_q0 as date)", dt.date(2026, 1, 1)),
    ("stages = 'storage'", "(cast(:_q0 as text) = any((e.stages)))", "storage"),
    ("name LIKE '%化工%'", "like cast(:_q0 as text)", "%化工%"),
    ("major_hazard_grade IN (1, 2) OR town IS NULL", "in (cast(:_q0 as bigint), cast(:_q1 as bigint))", 1),
    ("NOT (licence_expired = true)", "not (((coalesce(e.licence_expiry < current_date, false)) = cast(:_q0 as boolean)))", True),
])
def test_cql2_translation(text, fragment, value):
    sql, values = cql.to_sql(text, ENT)
    assert fragment in sql, sql
    if value is not None:
        assert values["_q0"] == value


@pytest.mark.parametrize("text", [
    "nosuch = 1", "reasons = 'x'", "major_hazard_grade = 'three'", "risk_color > 5", "name LIKE 5",
    "1 = 1", "S_INTERSECTS(name, POINT(1 2))", "risk_color = ", "T_AFTER(data_as_of, TIMESTAMP('2026-01-01T00:00:00Z'))",
    "x" * 5000,
])
def test_bad_cql2_is_a_400_naming_filter(text):
    with pytest.raises(InvalidInput) as exc:
        cql.to_sql(text, ENT)
    assert exc.value.field == "filter" and "CQL2" in exc.value.message


# ---- cursors and parameters ------------------------------------------------------------------------

def test_keyset_cursor_round_trip_and_tampering():
    conflicts = registry.get("conflicts")
    spec = queries.sort_spec(conflicts, queries.Selection())
    token = queries.encode_cursor([358.7, 12])
    assert queries.decode_cursor(conflicts, token, spec) == [358.7, 12]
    for bad in ("!!", queries.encode_cursor([1]), queries.encode_cursor(["x", 1]), queries.encode_cursor([1.0, "k"])):
        with pytest.raises(InvalidInput) as exc:
            queries.decode_cursor(conflicts, bad, spec)
        assert exc.value.field == "after"
    params: dict = {}
    # rows after (358.7, 12) in "deficit desc nulls last, id": smaller deficit (or null), or a tie with a larger id
    assert queries._after(conflicts, spec, [358.7, 12], params) == (
        "((((round(c.deficit_m::numeric, 1)::float8) < cast(:_a0 as double precision) or "
        "(round(c.deficit_m::numeric, 1)::float8) is null)) or "
        "((round(c.deficit_m::numeric, 1)::float8) = cast(:_a0 as double precision) and c.id > cast(:_ak as bigint)))")
    assert params == {"_a0": 358.7, "_ak": 12}


LIMITS = Limits(max_features_per_response=50, max_bbox_area_deg2=1.0)


def test_ogc_parameters_to_the_letter():
    extent = lambda: (112.7, 35.4, 113.0, 35.7)  # noqa: E731
    sel, paging = arguments.ogc_selection(ENT, {"limit": "100000", "risk_color": "red", "town": "东街街道",
                                                "bbox": "112.8,35.4,0,112.9,35.6,100"}, limits=LIMITS, extent=extent)
    assert paging.limit == 50  # clamped, not refused
    assert sel.equals == {"risk_color": "red"} and sel.filters["town"] == "东街街道"
    assert sel.bbox == (112.8, 35.4, 112.9, 35.6)  # 6 numbers: heights dropped
    # a province-wide view (over max_bbox_area_deg2) is intersected with the data's extent: 0.3° × 0.3° = 0.09 deg²
    sel, _ = arguments.ogc_selection(ENT, {"bbox": "110,34,115,40"}, limits=LIMITS, extent=extent)
    assert sel.bbox == (112.7, 35.4, 113.0, 35.7)
    with pytest.raises(InvalidInput) as exc:
        arguments.ogc_selection(ENT, {"risk_colour": "red"}, limits=LIMITS, extent=extent)
    assert exc.value.field == "risk_colour"  # /req/core/query-param-unknown
    with pytest.raises(InvalidInput):
        arguments.ogc_selection(ENT, {"major_hazard_grade": "一级"}, limits=LIMITS, extent=extent)
    with pytest.raises(InvalidInput):
        arguments.ogc_selection(ENT, {"filter-lang": "cql2-json", "filter": "{}"}, limits=LIMITS, extent=extent)


def test_api_parameters_keep_their_strict_limits():
    with pytest.raises(InvalidInput) as exc:
        arguments.api_selection(ENT, {"limit": "51"}, limits=LIMITS)
    assert "max_features_per_response" in exc.value.message
    with pytest.raises(InvalidInput) as exc:
        arguments.api_selection(ENT, {"bbox": "110,34,115,40"}, limits=LIMITS)
    assert exc.value.field == "bbox" and "查询范围面积超过上限 1 平方度" in exc.value.message
    assert "max_bbox_area_deg2" not in exc.value.message  # a page user reads it: no setting's name
    sel, paging = arguments.api_selection(registry.get("areas"), {}, limits=LIMITS)
    assert sel.filters == {"level": "town"} and paging.limit == 50  # areas default to 1000, capped at 50 here


@pytest.mark.parametrize("value, expected", [
    ("2026-02-01T09:10:00Z", (dt.datetime(2026, 2, 1, 9, 10, tzinfo=dt.timezone.utc),) * 2),
    ("2026-02-01/..", (dt.datetime(2026, 2, 1, tzinfo=dt.timezone.utc), None)),
    ("../2026-02-01T00:00:00+08:00", (None, dt.datetime(2026, 2, 1, tzinfo=dt.timezone(dt.timedelta(hours=8))))),
])
def test_datetime_instants_and_intervals(value, expected):
    assert arguments.interval(value) == expected


def test_bad_datetime_and_sortby():
    with pytest.raises(InvalidInput):
        arguments.interval("yesterday")
    with pytest.raises(InvalidInput):
        arguments.interval("2026-03-01/2026-02-01")
    assert arguments.sortby("+name,-risk_score") == (("name", "asc"), ("risk_score", "desc"))
    with pytest.raises(InvalidInput) as exc:
        queries.sort_spec(ENT, queries.Selection(sort=(("reasons", "asc"),)))
    assert exc.value.field == "sortby"

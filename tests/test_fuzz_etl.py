"""Fuzzing the ETL readers: malformed files never crash the run and never load partially.

Every input either validates (rows rejected with reasons) or aborts cleanly (EtlAborted); any
other exception is a bug.  Dry runs write nothing; a real run on garbage leaves the data as it was.
"""

from __future__ import annotations

import io
import json
import zipfile

import pytest
import sqlalchemy as sa
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from etl.run import EtlAborted, Source, run_etl
from hazmap.config import load_settings
from hazmap.db.session import get_engine

HEAD = "统一社会信用代码,企业名称,环节,经度,纬度,坐标系,地址\n"
CELLS = st.one_of(st.text(max_size=30), st.sampled_from(["NaN", "inf", "-inf", "1e309", "", "　", "112.85",
                                                          "35.5", "wgs84", "bd09", "EPSG:99999", "生产、储存",
                                                          "91350100M000100Y43", "\x00", '"', "'; drop table x;--"]))
ROWS = st.lists(st.lists(CELLS, min_size=0, max_size=9), max_size=8)


def _csv_text(rows) -> str:
    buf = io.StringIO()
    import csv

    csv.writer(buf).writerows(rows)
    return HEAD + buf.getvalue()


@pytest.fixture(scope="module")
def fuzz_db(postgis_available):
    from hazmap.db.init import init_database
    from tests.helpers import scratch_url, drop_database

    url = scratch_url("hazmap_fuzz")
    init_database(url)
    yield url
    drop_database(url)


def _dry(url, path, kind="enterprises"):
    s = load_settings(env={}, overrides={"database_url": url})
    try:
        res = run_etl(s, [Source(kind, path)], dry_run=True, rejects_path=path.with_suffix(".rejects.csv"),
                      refresh=False)
    except EtlAborted as exc:
        assert str(exc)  # a clear message
        return None
    assert res.status in ("dry_run", "aborted")  # validated, or aborted with a reason
    if res.status == "aborted":
        assert res.message and res.exit_code == 2
    return res


FUZZ = settings(max_examples=25, deadline=None, suppress_health_check=list(HealthCheck), database=None)


@FUZZ
@given(rows=ROWS, encoding=st.sampled_from(["utf-8", "utf-8-sig", "gb18030", "utf-16"]))
def test_csv_any_content_any_encoding(fuzz_db, tmp_path_factory, rows, encoding):
    path = tmp_path_factory.mktemp("csv") / "fuzz.csv"
    try:
        path.write_bytes(_csv_text(rows).encode(encoding))
    except UnicodeEncodeError:
        path.write_bytes(_csv_text(rows).encode("utf-8", "replace"))
    _dry(fuzz_db, path)


@FUZZ
@given(data=st.binary(max_size=400))
def test_random_bytes_in_every_format(fuzz_db, tmp_path_factory, data):
    d = tmp_path_factory.mktemp("bin")
    for name in ("x.csv", "x.xlsx", "x.geojson", "x.gpkg", "x.shp"):
        (d / name).write_bytes(data)
        _dry(fuzz_db, d / name)


@FUZZ
@given(features=st.lists(st.fixed_dictionaries({
    "type": st.sampled_from(["Feature", "Nonsense"]),
    "geometry": st.one_of(st.none(), st.fixed_dictionaries({
        "type": st.sampled_from(["Point", "Polygon", "LineString"]),
        "coordinates": st.one_of(st.lists(st.floats(allow_nan=True, allow_infinity=True), max_size=3),
                                 st.just([[[112.8, 35.5], [112.81, 35.5], [112.81, 35.51], [112.8, 35.5]]]))})),
    "properties": st.dictionaries(st.sampled_from(["目标编号", "名称", "类别", "人口", "户数"]), CELLS, max_size=5)}),
    max_size=5))
def test_geojson_targets(fuzz_db, tmp_path_factory, features):
    path = tmp_path_factory.mktemp("gj") / "t.geojson"
    path.write_text(json.dumps({"type": "FeatureCollection", "features": features}, allow_nan=True), encoding="utf-8")
    _dry(fuzz_db, path, kind="targets")


def test_huge_field_truncated_xlsx_and_a_real_run_on_garbage_changes_nothing(fuzz_db, tmp_path):
    big = tmp_path / "big.csv"
    big.write_text(HEAD + "91350100M000100Y43," + "名" * 2_000_000 + ",生产,112.85,35.5,wgs84,\n", encoding="utf-8")
    _dry(fuzz_db, big)
    broken = tmp_path / "broken.xlsx"
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w") as z:
        z.writestr("[Content_Types].xml", "<Types")
    broken.write_bytes(buf.getvalue()[:-10])
    _dry(fuzz_db, broken)
    shp = tmp_path / "lonely.shp"  # a shapefile without its .shx/.dbf
    shp.write_bytes(b"\x00\x00\x27\x0a" + b"\x00" * 96)
    _dry(fuzz_db, shp, kind="targets")
    s = load_settings(env={}, overrides={"database_url": fuzz_db})
    with get_engine(fuzz_db).connect() as conn:
        before = conn.execute(sa.text("select count(*) from enterprise")).scalar()
    nan = tmp_path / "nan.csv"
    nan.write_text(HEAD + "91350100M000100Y43,某企业,生产,NaN,inf,wgs84,\n", encoding="utf-8")
    try:
        res = run_etl(s, [Source("enterprises", nan)], rejects_path=tmp_path / "r.csv", refresh=False)
        assert res.status == "aborted" and res.exit_code == 2  # its only row is rejected → the run aborts
    except EtlAborted:
        pass
    with get_engine(fuzz_db).connect() as conn:
        assert conn.execute(sa.text("select count(*) from enterprise")).scalar() == before

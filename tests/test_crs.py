"""Coordinate conversions (geo.crs) against published and computed vectors."""

from __future__ import annotations

import csv
from pathlib import Path

import pytest
from pyproj import Geod, Transformer

from geo import crs
from geo.crs import CRSError, parse_crs

VECTORS = Path(__file__).resolve().parent / "fixtures" / "coord_vectors"  # copied, see README there
GEOD = Geod(ellps="WGS84")


def _rows(name):
    with (VECTORS / name).open(encoding="utf-8", newline="") as f:
        return list(csv.DictReader(f))


def dist_m(a, b) -> float:
    return GEOD.inv(a[0], a[1], b[0], b[1])[2]


def jincheng():
    return _rows("jincheng_computed_vectors.csv") if VECTORS.is_dir() else []


@pytest.mark.parametrize("r", jincheng(), ids=lambda r: r["label"][:20])
def test_jincheng_forward_exact(r):
    w = (float(r["wgs84_lng"]), float(r["wgs84_lat"]))
    g = crs.wgs84_to_gcj02(*w)
    b = crs.wgs84_to_bd09(*w)
    assert g == pytest.approx((float(r["gcj02_lng"]), float(r["gcj02_lat"])), abs=1e-8)
    assert b == pytest.approx((float(r["bd09_lng"]), float(r["bd09_lat"])), abs=1e-8)
    assert crs.from_wgs84(*w, "gcj02") == g and crs.from_wgs84(*w, "百度") == b
    # the file's shift was measured on a sphere: a sanity check, not a vector
    assert dist_m(w, g) == pytest.approx(float(r["wgs_to_gcj_shift_m"]), abs=2.0)


@pytest.mark.parametrize("r", jincheng(), ids=lambda r: r["label"][:20])
def test_jincheng_inverse_within_half_metre(r):
    w = (float(r["wgs84_lng"]), float(r["wgs84_lat"]))
    g = (float(r["gcj02_lng"]), float(r["gcj02_lat"]))
    b = (float(r["bd09_lng"]), float(r["bd09_lat"]))
    assert dist_m(crs.gcj02_to_wgs84(*g), w) < 0.5
    assert dist_m(crs.bd09_to_wgs84(*b), w) < 0.5
    assert dist_m(crs.to_wgs84(*g, "gcj02"), w) < 0.5
    assert dist_m(crs.to_wgs84(*b, "bd09"), w) < 0.5
    # in practice the iteration is far better than the promise
    assert crs.gcj02_to_wgs84(*g) == pytest.approx(w, abs=1e-8)


def published():
    if not VECTORS.is_dir():
        return []
    return [r for r in _rows("published_vectors.csv") if "DOES NOT reproduce" not in r["note"]]


FUNCS = {("WGS84", "GCJ02"): crs.wgs84_to_gcj02, ("GCJ02", "BD09"): crs.gcj02_to_bd09,
         ("BD09", "GCJ02"): crs.bd09_to_gcj02, ("GCJ02", "WGS84"): crs.gcj02_to_wgs84,
         ("BD09", "WGS84"): crs.bd09_to_wgs84}
INVERSE = {("BD09", "GCJ02"): crs.gcj02_to_bd09, ("GCJ02", "WGS84"): crs.wgs84_to_gcj02}


def test_published_vectors_selection():
    rows = published()
    assert len(rows) == 7  # 9 rows less the two eviltransform TESTS_bd rows
    assert not [r for r in rows if r["from_crs"] == "BD09" and r["to_crs"] == "WGS84"]


@pytest.mark.parametrize("r", published(), ids=lambda r: f"{r['from_crs']}-{r['to_crs']}-{r['note'][:12]}")
def test_published_vectors(r):
    key = (r["from_crs"], r["to_crs"])
    x, y = float(r["in_lng"]), float(r["in_lat"])
    want = (float(r["out_lng"]), float(r["out_lat"]))
    got = FUNCS[key](x, y)
    if key in INVERSE:
        # the published inverses are single-step approximations; ours is exact:
        # it round-trips through the forward formula and lies close to theirs
        assert INVERSE[key](*got) == pytest.approx((x, y), abs=1e-9)
        limit = 1.5 if key == ("GCJ02", "WGS84") else 0.1
        assert dist_m(got, want) < limit
    else:
        assert got == pytest.approx(want, abs=1e-9)


def test_outside_china_unchanged():
    assert crs.wgs84_to_gcj02(2.35, 48.85) == (2.35, 48.85)
    assert crs.gcj02_to_wgs84(-74.0, 40.7) == (-74.0, 40.7)
    assert crs.out_of_china(2.35, 48.85) and not crs.out_of_china(112.85, 35.5)
    assert crs.in_china(112.85, 35.5) and not crs.in_china(float("nan"), 35.5)


def test_epsg_4547_near_jincheng():
    lon, lat = 112.853106, 35.496641
    e, n = Transformer.from_crs("EPSG:4326", "EPSG:4547", always_xy=True).transform(lon, lat)
    assert 390_000 < e < 400_000 and 3_925_000 < n < 3_935_000  # CM 114°E, no zone prefix
    got = crs.to_wgs84(e, n, "EPSG:4547")
    assert got == pytest.approx((lon, lat), abs=1e-8)
    got = crs.to_wgs84(395936.39, 3930297.62, parse_crs("4547"))
    assert dist_m(got, (lon, lat)) < 0.05
    assert crs.to_wgs84(500000, 3930000, "EPSG:4547")[0] == pytest.approx(114.0, abs=1e-9)


@pytest.mark.parametrize("text,name", [
    ("wgs84", "wgs84"), ("WGS-84", "wgs84"), (" EPSG:4326 ", "wgs84"), (4326, "wgs84"), ("gps", "wgs84"),
    ("cgcs2000", "cgcs2000"), ("EPSG:4490", "cgcs2000"), ("4490.0", "cgcs2000"), ("国家2000", "cgcs2000"),
    ("GCJ-02", "gcj02"), ("gcj02", "gcj02"), ("高德", "gcj02"), ("火星坐标", "gcj02"), ("腾讯", "gcj02"),
    ("BD-09", "bd09"), ("bd09ll", "bd09"), ("百度", "bd09"), ("Baidu", "bd09"),
    ("EPSG:4547", "epsg:4547"), ("4547", "epsg:4547"), ("epsg: 4547", "epsg:4547"), (4547, "epsg:4547"),
])
def test_parse_crs_aliases(text, name):
    assert parse_crs(text).name == name


def test_parse_crs_labels():
    assert parse_crs("高德").label == "GCJ-02"
    assert parse_crs("4547").label == "EPSG:4547"


@pytest.mark.parametrize("bad", [None, "", "mercator", "EPSG:999999", "epsg:abc", "4547x"])
def test_parse_crs_errors(bad):
    with pytest.raises(CRSError):
        parse_crs(bad)
    assert issubclass(CRSError, ValueError)


def test_geographic_identity_and_unsupported_output():
    assert crs.to_wgs84(112.85, 35.5, "cgcs2000") == (112.85, 35.5)
    assert crs.to_wgs84(112.85, 35.5, "EPSG:4326") == (112.85, 35.5)
    with pytest.raises(CRSError):
        crs.from_wgs84(112.85, 35.5, "EPSG:4547")


def test_gauss_kruger_labels_come_from_the_epsg_definition():
    assert crs.gauss_kruger_label(4547) == "CGCS2000 高斯-克吕格 3° 带 中央经线 114°（EPSG:4547）"
    assert crs.gauss_kruger_label(4546) == "CGCS2000 高斯-克吕格 3° 带 中央经线 111°（EPSG:4546）"
    assert crs.gauss_kruger_label(4491) == "CGCS2000 高斯-克吕格 6° 带 中央经线 75°（EPSG:4491）"
    for bad in (4326, 3857, 999999):
        with pytest.raises(crs.CRSError):
            crs.gauss_kruger_label(bad)


def test_the_gauss_kruger_zones_are_a_setting(tmp_path):
    from hazmap.config import ConfigError, load_settings

    assert load_settings(None, env={}).area.gauss_kruger_epsg == (4547, 4546)
    p = tmp_path / "h.toml"
    p.write_text("[area]\ngauss_kruger_epsg = [4548]\n", encoding="utf-8")
    assert load_settings(p, env={}).area.gauss_kruger_epsg == (4548,)
    p.write_text("[area]\ngauss_kruger_epsg = [3857]\n", encoding="utf-8")
    with pytest.raises(ConfigError, match="不是 CGCS2000 高斯-克吕格"):
        load_settings(p, env={})

"""Settings: defaults, TOML file, environment, and errors that name the setting."""

from __future__ import annotations

import pytest

from hazmap.config import DEFAULT_DATABASE_URL, ConfigError, load_settings


def test_defaults_without_file():
    s = load_settings(env={})
    assert s.database_url == DEFAULT_DATABASE_URL
    assert s.anonymous_access is False
    assert s.limits.max_features_per_response == 5000


def test_env_overrides_file(tmp_path):
    f = tmp_path / "h.toml"
    f.write_text('[database]\nurl = "postgresql://a@b/c"\n[limits]\nmax_features_per_response = 10\n',
                 encoding="utf-8")
    s = load_settings(env={"HAZMAP_CONFIG": str(f), "DATABASE_URL": "postgresql://x@y/z"})
    assert s.database_url == "postgresql://x@y/z"
    assert s.limits.max_features_per_response == 10


@pytest.mark.parametrize("text, names", [
    ("[etl]\nbogus = 1\n", "bogus"),
    ("[limits]\nmax_features_per_response = -5\n", "max_features_per_response"),
    ("[map]\ntile_datum = \"mars\"\n", "tile_datum"),
    ("[nonsense]\n", "nonsense"),
    ("[etl]\ndefault_crs = \"epsg:99999999\"\n", "default_crs"),
    ("not toml at all [", "TOML"),
])
def test_bad_setting_is_named(tmp_path, text, names):
    f = tmp_path / "bad.toml"
    f.write_text(text, encoding="utf-8")
    with pytest.raises(ConfigError) as err:
        load_settings(env={"HAZMAP_CONFIG": str(f)})
    assert names in str(err.value)


def test_missing_config_file_is_named(tmp_path):
    with pytest.raises(ConfigError, match="missing.toml"):
        load_settings(env={"HAZMAP_CONFIG": str(tmp_path / "missing.toml")})


def test_area_settings_reach_the_geocoder_and_the_pages(tmp_path):
    """Another district: its prefixes are stripped (the 城区 defaults are not), its centre opens the map."""
    from etl.geocode import OfflineGeocoder
    from etl.run import make_geocoder

    f = tmp_path / "yc.toml"
    f.write_text('[area]\nname = "阳城县"\ncentre = [112.42, 35.49]\nzoom = 11\n'
                 'address_prefixes = ["山西省", "晋城市", "阳城县"]\n', encoding="utf-8")
    s = load_settings(env={"HAZMAP_CONFIG": str(f)})
    assert s.area.name == "阳城县" and s.area.centre == (112.42, 35.49) and s.area.zoom == 11
    g = make_geocoder(s, [("凤城镇新阳东街12号", 112.42, 35.49, "address_point")], [])
    hit = g.geocode("山西省晋城市阳城县凤城镇新阳东街12号")
    assert hit is not None and hit.precision == "address_point" and hit.score == 100
    default = OfflineGeocoder([("凤城镇新阳东街12号", 112.42, 35.49, "address_point")])
    miss = default.geocode("山西省晋城市阳城县凤城镇新阳东街12号")  # 阳城县 is not a default prefix
    assert miss is None or miss.precision != "address_point" or miss.score < 100


@pytest.mark.parametrize("text", ['[area]\ncentre = [112.4]\n', '[area]\nsiting_margin_m = -1\n'])
def test_bad_area_setting_is_named(tmp_path, text):
    f = tmp_path / "bad.toml"
    f.write_text(text, encoding="utf-8")
    with pytest.raises(ConfigError) as err:
        load_settings(env={"HAZMAP_CONFIG": str(f)})
    assert ("centre" in str(err.value)) or ("siting_margin_m" in str(err.value))

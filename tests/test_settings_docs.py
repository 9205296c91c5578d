"""Every [database] and [auth] setting is documented in the README with its default, and is read
from the TOML file (a wrong value is named)."""

from __future__ import annotations

import dataclasses
import re
from pathlib import Path

import pytest

from hazmap.config import AuthSettings, ConfigError, DatabaseSettings, load_settings

README = (Path(__file__).resolve().parent.parent / "README.md").read_text(encoding="utf-8")


@pytest.mark.parametrize("cls, heading", [(DatabaseSettings, "### Database connections"),
                                          (AuthSettings, "### Logins and sessions")])
def test_every_setting_is_documented_with_its_default(cls, heading):
    table = README[README.index(heading):]
    table = table[:table.index("\n\n", table.index("| setting |"))]
    for f in dataclasses.fields(cls):
        row = re.search(rf"^\| `{f.name}` \| ([^|]+) \|", table, re.M)
        assert row, f"{f.name} missing from README {heading}"
        assert row.group(1).strip() == str(f.default).lower().replace("_", ""), f.name


def test_settings_are_read_and_checked(tmp_path):
    f = tmp_path / "h.toml"
    f.write_text("[database]\nconnect_timeout_s = 3\npool_size = 2\n[auth]\nsession_lifetime_hours = 8\n"
                 "login_lockout_account = 4\nanonymous_access = true\n", encoding="utf-8")
    s = load_settings(env={"HAZMAP_CONFIG": str(f)})
    assert (s.database.connect_timeout_s, s.database.pool_size, s.database.keepalives_idle_s) == (3, 2, 10)
    assert (s.auth.session_lifetime_hours, s.auth.login_lockout_account, s.anonymous_access) == (8.0, 4, True)
    f.write_text("[auth]\nlogin_lockout_minutes = -1\n", encoding="utf-8")
    with pytest.raises(ConfigError, match="login_lockout_minutes"):
        load_settings(env={"HAZMAP_CONFIG": str(f)})
    f.write_text("[database]\nbogus = 1\n", encoding="utf-8")
    with pytest.raises(ConfigError, match="bogus"):
        load_settings(env={"HAZMAP_CONFIG": str(f)})

"""The CLI's error boundary: every command, against an unreachable server, a missing database or a
dropped schema, prints one Chinese line and exits 2 — never a traceback (issue 19, item 7)."""

from __future__ import annotations

import json
import re

import pytest
import sqlalchemy as sa
from click.testing import CliRunner
from sqlalchemy.engine import make_url

from hazmap.db.session import get_engine
from tests.helpers import scratch_url

REPO_DEMO = "data/demo/enterprises_yingji.csv"
CJK = re.compile(r"[\u4e00-\u9fff]")


NAMES = ["user list", "user add", "user disable", "refresh", "export", "export csv", "siting check",
         "db downgrade", "etl run"]


def _commands(tmp_path) -> dict[str, list[str]]:
    inventory = tmp_path / "inventory.json"
    inventory.write_text(json.dumps([{"chemical": "甲醇", "quantity_t": 10}]), encoding="utf-8")
    return {
        "user list": ["user", "list"],
        "user add": ["user", "add", "边界测试", "--role", "analyst"],
        "user disable": ["user", "disable", "边界测试"],
        "refresh": ["refresh"],
        "export": ["export", "enterprises", "-o", str(tmp_path / "out.geojson")],
        "export csv": ["export", "conflicts", "--format", "csv", "-o", "-"],
        "siting check": ["siting", "check", "--lon", "112.85", "--lat", "35.5", "--facility-type", "危化品仓库",
                         "--stage", "储存", "--inventory", str(inventory)],
        "db downgrade": ["db", "downgrade", "base"],
        "etl run": ["etl", "run", "--source", f"enterprises={REPO_DEMO}"],
    }


def _one_chinese_line(result) -> str:
    out = result.output
    lines = [x for x in out.splitlines() if x.strip()]
    assert result.exit_code == 2, out
    assert "Traceback" not in out and len(lines) == 1, out
    assert CJK.search(lines[0]), out
    return lines[0]


def _run(monkeypatch, url, args):
    from hazmap.cli import cli

    monkeypatch.setenv("DATABASE_URL", url)
    monkeypatch.delenv("HAZMAP_CONFIG", raising=False)
    return CliRunner().invoke(cli, args)


@pytest.fixture
def missing_db_url(postgis_available):
    return scratch_url("hazmap_never_created")


@pytest.fixture
def dropped_schema_url(fresh_db_url):
    with get_engine(fresh_db_url).begin() as conn:
        conn.execute(sa.text("drop schema public cascade; create schema public"))
    return fresh_db_url


@pytest.mark.parametrize("name", NAMES)
def test_missing_database(monkeypatch, tmp_path, missing_db_url, name):
    line = _one_chinese_line(_run(monkeypatch, missing_db_url, _commands(tmp_path)[name]))
    assert make_url(missing_db_url).database in line and "不存在" in line


@pytest.mark.parametrize("name", NAMES + ["db init", "demo"])
def test_unreachable_server(monkeypatch, tmp_path, postgis_available, name):
    url = "postgresql+psycopg://postgres@127.0.0.1:1/hazmap"  # port 1: nothing listens, refused at once
    args = {"db init": ["db", "init"], "demo": ["demo", "--no-serve"]}.get(name) or _commands(tmp_path)[name]
    line = _one_chinese_line(_run(monkeypatch, url, args))
    assert "127.0.0.1:1" in line and "连接被拒绝" in line


CLI = "from hazmap.cli import cli; cli(prog_name='hazmap')"


@pytest.fixture
def silent_port():
    """A port that accepts TCP and never answers (a hung server, a black-holing proxy)."""
    import socket

    silent = socket.socket()
    silent.bind(("127.0.0.1", 0))
    silent.listen(16)  # the kernel completes the handshakes; nobody ever reads or writes
    yield silent.getsockname()[1]
    silent.close()


@pytest.mark.parametrize("name", ["db init", "demo", "db downgrade"])
def test_silent_server(tmp_path, postgis_available, silent_port, name):
    """Every connection these make (the admin one to ``postgres``, the migrations', the rest) gives
    up after ``[database] connect_timeout_s``: exit 2 with one Chinese line, never a hang."""
    import os
    import subprocess
    import sys
    import time
    from pathlib import Path

    config = tmp_path / "hazmap.toml"
    config.write_text("[database]\nconnect_timeout_s = 2\n", encoding="utf-8")
    args = {"db init": ["db", "init"], "demo": ["demo", "--no-serve"], "db downgrade": ["db", "downgrade", "base"]}
    env = {**os.environ, "DATABASE_URL": f"postgresql+psycopg://postgres@127.0.0.1:{silent_port}/hazmap",
           "HAZMAP_CONFIG": str(config)}
    started = time.monotonic()
    try:  # a bounded wait: without connect timeouts these hang for as long as TCP lets them
        r = subprocess.run([sys.executable, "-c", CLI, *args[name]], env=env, capture_output=True,
                           text=True, timeout=60, cwd=Path(__file__).resolve().parent.parent)
    except subprocess.TimeoutExpired:
        pytest.fail(f"hazmap {name} hung on a server that never answers")
    elapsed = time.monotonic() - started
    lines = [x for x in (r.stdout + r.stderr).splitlines() if x.strip()]
    assert r.returncode == 2 and len(lines) == 1 and "Traceback" not in r.stderr, (r.stdout, r.stderr)
    assert f"127.0.0.1:{silent_port}" in lines[0] and "超时" in lines[0] and "connect_timeout_s" in lines[0], lines
    assert elapsed < 30, f"{elapsed:.1f} s with connect_timeout_s = 2"


@pytest.mark.parametrize("name", NAMES)
def test_dropped_schema(monkeypatch, tmp_path, dropped_schema_url, name):
    line = _one_chinese_line(_run(monkeypatch, dropped_schema_url, _commands(tmp_path)[name]))
    assert "hazmap db init" in line


def test_bad_revision(monkeypatch, db_url):
    line = _one_chinese_line(_run(monkeypatch, db_url, ["db", "downgrade", "nonsense"]))
    assert "nonsense" in line and "未知的数据库版本" in line


def test_dropped_schema_is_repaired_by_db_init(monkeypatch, dropped_schema_url):
    res = _run(monkeypatch, dropped_schema_url, ["db", "init"])
    assert res.exit_code == 0, res.output
    assert _run(monkeypatch, dropped_schema_url, ["user", "list"]).exit_code == 0

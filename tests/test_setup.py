"""scripts/setup.sh on a real server (issue 19, item 10).

* A cluster that answers on 127.0.0.1 but asks for a password (what ``apt-get install
  postgresql`` starts on Debian) is opened for postgres@127.0.0.1 by ``scripts/pg_access.sh`` —
  tested on a throw-away cluster made with the server's own ``initdb``.
* Re-running the quick start's set-up once everything is installed touches no network: no
  apt-get, no pip (tested with apt-get and sudo replaced by failing stand-ins and pip pointed at
  a closed port).
"""

from __future__ import annotations

import glob
import os
import shutil
import socket
import subprocess
import tempfile
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parent.parent


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def _as_postgres(*cmd: str, **kw) -> subprocess.CompletedProcess:
    prefix = ["runuser", "-u", "postgres", "--"] if os.geteuid() == 0 else ["sudo", "-n", "-u", "postgres"]
    return subprocess.run([*prefix, *cmd], check=True, capture_output=True, text=True, **kw)


def _login_ok(port: int) -> bool:
    return subprocess.run(["psql", f"host=127.0.0.1 port={port} user=postgres dbname=postgres", "-w", "-Atqc",
                           "select 1"], capture_output=True, env={**os.environ, "PGCONNECT_TIMEOUT": "5"}).returncode == 0


@pytest.fixture
def password_only_cluster(postgis_available):
    """A fresh cluster on a free port: peer auth on its socket, scram-sha-256 over TCP (Debian's defaults)."""
    bindir = Path(sorted(glob.glob("/usr/lib/postgresql/*/bin/initdb"))[-1]).parent
    root = Path(tempfile.mkdtemp(prefix="hazmap-pg-"))
    shutil.chown(root, "postgres", "postgres")
    data, sock, port = root / "data", root / "sock", _free_port()
    _as_postgres("mkdir", str(sock))
    _as_postgres(str(bindir / "initdb"), "-D", str(data), "-U", "postgres", "--auth-local=peer",
                 "--auth-host=scram-sha-256")
    _as_postgres(str(bindir / "pg_ctl"), "-D", str(data), "-w", "-l", str(root / "log"), "-o",
                 f"-p {port} -k {sock} -c listen_addresses=127.0.0.1", "start")
    try:
        yield port, sock, data
    finally:
        _as_postgres(str(bindir / "pg_ctl"), "-D", str(data), "-m", "immediate", "stop")
        shutil.rmtree(root, ignore_errors=True)


def test_a_cluster_that_refuses_passwordless_logins_is_opened(password_only_cluster):
    port, sock, data = password_only_cluster
    assert not _login_ok(port)  # the server answers, and refuses the quick start's DATABASE_URL
    env = {**os.environ, "HAZMAP_PG_PORT": str(port), "HAZMAP_PG_SOCKET": str(sock)}
    res = subprocess.run(["bash", str(REPO / "scripts" / "pg_access.sh")], env=env, capture_output=True, text=True)
    assert res.returncode == 0, res.stdout + res.stderr
    assert "refuses user postgres" in res.stdout and str(data / "pg_hba.conf") in res.stdout
    assert _login_ok(port)
    first = (data / "pg_hba.conf").read_text().splitlines()[0]
    assert first == "host all postgres 127.0.0.1/32 trust # hazmap-dev"
    again = subprocess.run(["bash", str(REPO / "scripts" / "pg_access.sh")], env=env, capture_output=True, text=True)
    assert again.returncode == 0 and again.stdout == ""  # already open: nothing said, nothing changed
    assert (data / "pg_hba.conf").read_text().count("hazmap-dev") == 1


def test_rerunning_setup_once_installed_needs_no_network(tmp_path):
    fake = tmp_path / "bin"
    fake.mkdir()
    calls = tmp_path / "calls"
    for tool in ("apt-get", "sudo"):
        (fake / tool).write_text(f'#!/bin/sh\necho "{tool} $*" >> {calls}\nexit 1\n')
        (fake / tool).chmod(0o755)
    env = {**os.environ, "PATH": f"{fake}:{os.environ['PATH']}", "PIP_NO_INDEX": "1",
           "PIP_INDEX_URL": "http://127.0.0.1:9/simple", "http_proxy": "http://127.0.0.1:9",
           "https_proxy": "http://127.0.0.1:9"}
    res = subprocess.run(["bash", str(REPO / "scripts" / "setup.sh")], env=env, capture_output=True, text=True,
                         timeout=300)
    assert res.returncode == 0, res.stdout + res.stderr
    assert not calls.exists(), calls.read_text()
    assert "nothing to install" in res.stdout and "no pip run" in res.stdout
    assert ". .venv/bin/activate" in res.stdout

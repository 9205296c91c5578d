#!/usr/bin/env bash
# Set up everything hazmap needs on a Debian/Ubuntu machine (idempotent; offline once done):
#   system packages (PostGIS, Chromium for the browser tests, a CJK font for screenshots) —
#     only the missing ones, each named with the reason, before anything is installed;
#   a PostgreSQL server answering at 127.0.0.1:5432 that lets user postgres in (an existing one
#     is reused; one that apt-get started itself with password-only TCP logins is opened for
#     postgres@127.0.0.1 by scripts/pg_access.sh — development machines only);
#   the virtualenv .venv with hazmap and its test dependencies — pip runs only when
#     pyproject.toml changed since the last install (stamp .venv/.hazmap-pyproject.sha256).
set -euo pipefail
cd "$(dirname "$0")/.."

SUDO=""
if [ "$(id -u)" -ne 0 ]; then SUDO="sudo"; fi
PY="${PYTHON:-python3}"

need=()
why=()
want() { need+=("$1"); why+=("$2"); }
have_pkg() { dpkg-query -W -f='${Status}' "$1" 2>/dev/null | grep -q "install ok installed"; }
pg_answers() { pg_isready -h 127.0.0.1 -p 5432 -q 2>/dev/null; }

if ! command -v pg_isready >/dev/null || ! pg_answers; then
  have_pkg postgresql || want postgresql "the database server (nothing answers on 127.0.0.1:5432)"
fi
# PostGIS for the server's major version (15 on Debian 12); fall back to the generic name.
PGMAJOR=$(ls /usr/lib/postgresql 2>/dev/null | sort -n | tail -1 || true)
PGMAJOR=${PGMAJOR:-15}
have_pkg "postgresql-${PGMAJOR}-postgis-3" || want "postgresql-${PGMAJOR}-postgis-3" "PostGIS for PostgreSQL ${PGMAJOR}"
have_pkg chromium || want chromium "the browser tests (headless)"
have_pkg chromium-driver || want chromium-driver "the browser tests (selenium drives chromium)"
have_pkg fonts-wqy-zenhei || want fonts-wqy-zenhei "Chinese text in browser screenshots"
command -v node >/dev/null || want nodejs "a unit test runs the map page's JavaScript"
command -v pg_dump >/dev/null || want postgresql-client "backups (SECURITY.md), tested once"
command -v ogr2ogr >/dev/null || want gdal-bin "the real-client suite: ogrinfo/ogr2ogr read /ogc and the exports"
"$PY" -c "import venv, ensurepip" 2>/dev/null || want python3-venv "the virtualenv .venv"

if [ ${#need[@]} -gt 0 ]; then
  echo "==> installing ${#need[@]} missing system package(s) with apt-get (this needs the network and can take minutes):"
  for i in "${!need[@]}"; do echo "      ${need[$i]} — ${why[$i]}"; done
  $SUDO apt-get update -q
  DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y -q --no-install-recommends "${need[@]}"
else
  echo "==> system packages: all present, nothing to install"
fi

if ! pg_answers; then
  echo "==> starting PostgreSQL ${PGMAJOR}"
  $SUDO pg_ctlcluster --skip-systemctl-redirect "$PGMAJOR" main start || $SUDO pg_ctlcluster "$PGMAJOR" main start
  for _ in $(seq 30); do pg_answers && break; sleep 1; done
fi
bash scripts/pg_access.sh  # the server answers; make sure it lets postgres@127.0.0.1 in

if [ ! -x .venv/bin/python ]; then
  echo "==> creating .venv"
  "$PY" -m venv .venv
fi
STAMP=.venv/.hazmap-pyproject.sha256
WANT=$(sha256sum pyproject.toml | cut -d' ' -f1)
if [ -f "$STAMP" ] && [ "$(cat "$STAMP")" = "$WANT" ] && [ -x .venv/bin/hazmap ]; then
  echo "==> .venv up to date with pyproject.toml (no pip run)"
else
  echo "==> pip install -e .[test] (pyproject.toml is new or changed; needs the network)"
  .venv/bin/python -m pip install -q -e ".[test]"
  echo "$WANT" > "$STAMP"
fi
echo "==> ready: '. .venv/bin/activate' puts hazmap on PATH (or run .venv/bin/hazmap)"

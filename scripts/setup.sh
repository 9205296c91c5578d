#!/usr/bin/env bash
# Set up everything hazmap needs on a Debian/Ubuntu machine (idempotent):
#   system packages (PostGIS, Chromium for the browser tests, a CJK font for screenshots),
#   a PostgreSQL server answering at $DATABASE_URL (an existing one is reused),
#   the virtualenv .venv with hazmap and its test dependencies.
set -euo pipefail
cd "$(dirname "$0")/.."

SUDO=""
if [ "$(id -u)" -ne 0 ]; then SUDO="sudo"; fi
PY="${PYTHON:-python3}"

need=()
have_pkg() { dpkg-query -W -f='${Status}' "$1" 2>/dev/null | grep -q "install ok installed"; }
pg_answers() { pg_isready -h 127.0.0.1 -p 5432 -q 2>/dev/null; }

if ! command -v pg_isready >/dev/null || ! pg_answers; then
  need+=(postgresql)
fi
# PostGIS for the server's major version (15 on Debian 12); fall back to the generic name.
PGMAJOR=$(ls /usr/lib/postgresql 2>/dev/null | sort -n | tail -1 || true)
PGMAJOR=${PGMAJOR:-15}
have_pkg "postgresql-${PGMAJOR}-postgis-3" || need+=("postgresql-${PGMAJOR}-postgis-3")
have_pkg chromium || need+=(chromium)
have_pkg chromium-driver || need+=(chromium-driver)
have_pkg fonts-wqy-zenhei || need+=(fonts-wqy-zenhei)
command -v node >/dev/null || need+=(nodejs)  # runs the map page's JS in a unit test
command -v pg_dump >/dev/null || need+=(postgresql-client)  # backups (SECURITY.md), tested once
command -v ogr2ogr >/dev/null || need+=(gdal-bin)  # the real-client suite: ogrinfo/ogr2ogr read /ogc and the exports
"$PY" -c "import venv, ensurepip" 2>/dev/null || need+=(python3-venv)

if [ ${#need[@]} -gt 0 ]; then
  echo "==> apt-get install ${need[*]}"
  $SUDO apt-get update -qq
  DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y -qq "${need[@]}" >/dev/null
fi

if ! pg_answers; then
  echo "==> starting PostgreSQL"
  PGMAJOR=$(ls /usr/lib/postgresql | sort -n | tail -1)
  HBA="/etc/postgresql/${PGMAJOR}/main/pg_hba.conf"
  # A server we just installed: let the local postgres user in over 127.0.0.1 without a
  # password (development machines only; see SECURITY notes in README).
  if [ -f "$HBA" ] && ! grep -q "hazmap-dev" "$HBA"; then
    $SUDO sed -i '1i host all postgres 127.0.0.1/32 trust # hazmap-dev' "$HBA"
  fi
  $SUDO pg_ctlcluster --skip-systemctl-redirect "$PGMAJOR" main start || $SUDO pg_ctlcluster "$PGMAJOR" main start
  for _ in $(seq 30); do pg_answers && break; sleep 1; done
fi

if [ ! -x .venv/bin/python ]; then
  echo "==> creating .venv"
  "$PY" -m venv .venv
fi
echo "==> pip install -e .[test]"
.venv/bin/python -m pip install -q --upgrade pip >/dev/null
.venv/bin/python -m pip install -q -e ".[test]"

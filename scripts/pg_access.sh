#!/usr/bin/env bash
# Make a local PostgreSQL that answers on 127.0.0.1 accept the quick start's connection
# (user postgres, no password — the default DATABASE_URL).  Called by scripts/setup.sh.
#
# On Debian, `apt-get install postgresql` creates and starts the cluster itself, with pg_hba.conf
# asking for a password over TCP (scram-sha-256), so the server answers but refuses the app.
# When that is the case this script asks the server (as the postgres OS user, over its Unix
# socket: peer authentication) where its pg_hba.conf is, adds one line at the top
#     host all postgres 127.0.0.1/32 trust   # hazmap-dev
# and reloads the configuration.  For development and test machines only: in production give
# the database user a password and put it in DATABASE_URL (SECURITY.md).
#
# Environment: HAZMAP_PG_PORT (5432), HAZMAP_PG_SOCKET (/var/run/postgresql).
set -euo pipefail

PORT="${HAZMAP_PG_PORT:-5432}"
SOCKET="${HAZMAP_PG_SOCKET:-/var/run/postgresql}"

login_ok() {
  PGCONNECT_TIMEOUT=5 psql "host=127.0.0.1 port=$PORT user=postgres dbname=postgres" -w -Atqc "select 1" >/dev/null 2>&1
}

as_postgres() {
  if [ "$(id -un)" = postgres ]; then "$@"
  elif [ "$(id -u)" -eq 0 ]; then runuser -u postgres -- "$@"
  else sudo -u postgres "$@"
  fi
}

if login_ok; then
  exit 0
fi
if ! pg_isready -h 127.0.0.1 -p "$PORT" -q 2>/dev/null; then
  echo "PostgreSQL 没有在 127.0.0.1:$PORT 应答" >&2
  exit 1
fi
echo "==> PostgreSQL answers on 127.0.0.1:$PORT but refuses user postgres without a password:"
HBA=$(as_postgres psql -h "$SOCKET" -p "$PORT" -d postgres -Atqc "show hba_file")
echo "    adding 'host all postgres 127.0.0.1/32 trust' to $HBA (development only; see SECURITY.md) and reloading"
LINE="host all postgres 127.0.0.1/32 trust # hazmap-dev"
if ! as_postgres grep -q "hazmap-dev" "$HBA"; then
  as_postgres sed -i "1i $LINE" "$HBA"  # as the file's owner: its owner and mode stay
fi
as_postgres psql -h "$SOCKET" -p "$PORT" -d postgres -Atqc "select pg_reload_conf()" >/dev/null
for _ in $(seq 10); do login_ok && exit 0; sleep 0.5; done
echo "PostgreSQL 在 127.0.0.1:$PORT 仍拒绝用户 postgres 的连接：请检查 $HBA" >&2
exit 1

#!/usr/bin/env bash
# Quick start, command 2: set up and run the whole test suite against real PostGIS and Chromium.
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/setup.sh
export REQUIRE_POSTGIS="${REQUIRE_POSTGIS:-1}"
exec .venv/bin/python -m pytest "$@"

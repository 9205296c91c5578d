#!/usr/bin/env bash
# Quick start, command 1: set up, load the demo data through the real ETL, serve the map.
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/setup.sh
exec .venv/bin/hazmap demo "$@"

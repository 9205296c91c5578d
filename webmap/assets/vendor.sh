#!/usr/bin/env bash
# Refresh webmap/static/vendor/ from the npm registry, at the versions pinned in package.json and
# package-lock.json (npm ci: exact, integrity-checked).  The copied files are committed, so the app
# needs no build step and no internet at run time.
#
#   webmap/assets/vendor.sh           copy the packages' dist files into static/vendor/
#   webmap/assets/vendor.sh --check   only compare: exit 1 if static/vendor/ differs from the lock
#
# To upgrade: edit the versions in package.json, run `npm install --package-lock-only` here, then
# this script, then the web and browser tests.
set -euo pipefail
here="$(cd "$(dirname "$0")" && pwd)"
mode="${1:-copy}"
work="$(mktemp -d)"
trap 'rm -rf "$work"' EXIT
cp "$here/package.json" "$here/package-lock.json" "$work/"
(cd "$work" && npm ci --no-audit --no-fund --silent --ignore-scripts)
nm="$work/node_modules"
out="$work/vendor"
mkdir -p "$out/leaflet" "$out/markercluster" "$out/chartjs"
cp "$nm/leaflet/dist/leaflet.js" "$nm/leaflet/dist/leaflet.css" "$nm/leaflet/LICENSE" "$out/leaflet/"
cp -r "$nm/leaflet/dist/images" "$out/leaflet/"
cp "$nm/leaflet.markercluster/dist/leaflet.markercluster.js" "$nm/leaflet.markercluster/dist/MarkerCluster.css" \
   "$nm/leaflet.markercluster/dist/MarkerCluster.Default.css" "$nm/leaflet.markercluster/MIT-LICENCE.txt" \
   "$out/markercluster/"
cp "$nm/chart.js/dist/chart.umd.js" "$nm/chart.js/LICENSE.md" "$out/chartjs/"
v="$here/../static/vendor"
if [ "$mode" = "--check" ]; then
  if diff -r "$out" "$v" >/dev/null; then echo "static/vendor matches package-lock.json"; exit 0; fi
  diff -rq "$out" "$v" || true
  echo "static/vendor differs from package-lock.json: run webmap/assets/vendor.sh" >&2
  exit 1
fi
rm -rf "$v"
mkdir -p "$(dirname "$v")"
cp -r "$out" "$v"
echo "vendored into $v"

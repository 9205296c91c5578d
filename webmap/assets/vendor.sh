#!/usr/bin/env bash
# Refresh webmap/static/vendor/ from the npm registry (versions pinned in package.json).
# The copied files are committed, so the app needs no build step and no internet at run time.
set -euo pipefail
here="$(cd "$(dirname "$0")" && pwd)"
work="$(mktemp -d)"
cp "$here/package.json" "$work/"
(cd "$work" && npm install --no-audit --no-fund --silent)
v="$here/../static/vendor"
nm="$work/node_modules"
mkdir -p "$v/leaflet" "$v/markercluster" "$v/chartjs"
cp "$nm/leaflet/dist/leaflet.js" "$nm/leaflet/dist/leaflet.css" "$nm/leaflet/LICENSE" "$v/leaflet/"
cp -r "$nm/leaflet/dist/images" "$v/leaflet/"
cp "$nm/leaflet.markercluster/dist/leaflet.markercluster.js" "$nm/leaflet.markercluster/dist/MarkerCluster.css" \
   "$nm/leaflet.markercluster/dist/MarkerCluster.Default.css" "$nm/leaflet.markercluster/MIT-LICENCE.txt" "$v/markercluster/"
cp "$nm/chart.js/dist/chart.umd.js" "$nm/chart.js/LICENSE.md" "$v/chartjs/"
rm -rf "$work"
echo "vendored into $v"

#!/usr/bin/env bash
# Refresh the browser libraries vendored in datawork_kg/static/vendor/ from the npm registry.
#
# The versions are pinned in scripts/vendor/package.json and, with their sha512 integrity, in
# scripts/vendor/package-lock.json: `npm ci` installs exactly those (and fails if a tarball does not
# match its integrity). Only the built files the explorer loads and each package's LICENSE are
# copied; scripts/vendor/country-points.mjs derives one point per country from the world-atlas
# topology. To move to a newer release: change the version in package.json, run
# `npm install --package-lock-only --ignore-scripts` in scripts/vendor/, then this script, and
# commit the three together (and update datawork_kg/static/vendor/README.md).
set -euo pipefail
here="$(cd "$(dirname "$0")" && pwd)"
dest="$(cd "$here/.." && pwd)/datawork_kg/static/vendor"
tmp="$(mktemp -d)"
trap 'rm -rf "$tmp"' EXIT

cp "$here/vendor/package.json" "$here/vendor/package-lock.json" "$here/vendor/country-points.mjs" "$tmp/"
(cd "$tmp" && npm ci --ignore-scripts --no-audit --no-fund --loglevel=error)
nm="$tmp/node_modules"

rm -rf "$dest.new" && mkdir -p "$dest.new"
copy() {  # copy PACKAGE FILE... : the files and the package's licence into vendor/PACKAGE/
  local pkg="$1"; shift
  mkdir -p "$dest.new/$pkg"
  for f in "$@"; do cp "$nm/$pkg/$f" "$dest.new/$pkg/"; done
  cp "$nm/$pkg/LICENSE" "$dest.new/$pkg/LICENSE"
}
copy d3 dist/d3.min.js
copy d3-sankey dist/d3-sankey.min.js
copy topojson-client dist/topojson-client.min.js
copy world-atlas countries-110m.json
(cd "$tmp" && node country-points.mjs) > "$dest.new/world-atlas/country-points.json"
cp "$dest/README.md" "$dest.new/README.md" 2>/dev/null || true

# the versions actually installed, for the README and the tests
node -e '
const lock = require(process.argv[1]);
const out = {};
for (const name of Object.keys(lock.packages[""].dependencies)) {
  const p = lock.packages["node_modules/" + name];
  out[name] = { version: p.version, license: p.license, integrity: p.integrity };
}
process.stdout.write(JSON.stringify(out, null, 2) + "\n");
' "$tmp/package-lock.json" > "$dest.new/versions.json"

rm -rf "$dest" && mv "$dest.new" "$dest"
echo "vendored into $dest:"
(cd "$dest" && find . -type f | sort | xargs ls -l | awk '{print "  " $5 "\t" $9}')

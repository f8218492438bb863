#!/usr/bin/env bash
# Copy front-end assets from node_modules (npm registry) into the app's static folder,
# with their licences. The result is committed, so `make run` needs no npm.
set -euo pipefail
cd "$(dirname "$0")/.."
[ -d node_modules ] || npm ci --no-audit --no-fund
V=webapp/static/vendor
rm -rf "$V" && mkdir -p "$V"/{bootstrap,leaflet/images,swagger-ui}
cp node_modules/bootstrap/dist/css/bootstrap.min.css "$V/bootstrap/"
cp node_modules/bootstrap/dist/js/bootstrap.bundle.min.js "$V/bootstrap/"
cp node_modules/bootstrap/LICENSE "$V/bootstrap/LICENSE"
cp node_modules/leaflet/dist/leaflet.js node_modules/leaflet/dist/leaflet.css "$V/leaflet/"
cp node_modules/leaflet/dist/images/* "$V/leaflet/images/"
cp node_modules/leaflet/LICENSE "$V/leaflet/LICENSE"
mkdir -p "$V/markercluster" "$V/geoman"
cp node_modules/leaflet.markercluster/dist/leaflet.markercluster.js \
   node_modules/leaflet.markercluster/dist/MarkerCluster.css \
   node_modules/leaflet.markercluster/dist/MarkerCluster.Default.css "$V/markercluster/"
cp node_modules/leaflet.markercluster/MIT-LICENCE.txt "$V/markercluster/LICENSE"
cp node_modules/@geoman-io/leaflet-geoman-free/dist/leaflet-geoman.min.js \
   node_modules/@geoman-io/leaflet-geoman-free/dist/leaflet-geoman.css "$V/geoman/"
cp node_modules/@geoman-io/leaflet-geoman-free/LICENSE "$V/geoman/LICENSE"
for f in swagger-ui-bundle.js swagger-ui.css LICENSE; do cp "node_modules/swagger-ui-dist/$f" "$V/swagger-ui/"; done
mkdir -p tests/e2e/vendor
cp node_modules/axe-core/axe.min.js tests/e2e/vendor/
cp node_modules/axe-core/LICENSE tests/e2e/vendor/axe-core-LICENSE
{
  echo "Vendored from the npm registry by scripts/vendor-assets.sh:"
  for p in bootstrap leaflet leaflet.markercluster @geoman-io/leaflet-geoman-free swagger-ui-dist; do
    node -e "const p=require('./node_modules/$p/package.json');console.log('- '+p.name+' '+p.version+' ('+p.license+')')"
  done
} > "$V/README.txt"

#!/usr/bin/env bash
# Install the Debian packages Fabrique needs, only when they are missing.
#   ensure-system.sh run   -> what `make run` needs (SpatiaLite, venv)
#   ensure-system.sh test  -> plus PostGIS for the running PostgreSQL, GDAL and osmium (to read
#                             exports back in tests), Chromium
#   ensure-system.sh bench -> plus GNU time (peak memory of the export benchmark)
set -euo pipefail
want=(libsqlite3-mod-spatialite)
python3 -c 'import ensurepip, venv' 2>/dev/null || want+=(python3-venv)
mode="${1:-run}"
[ "$mode" = "bench" ] && want+=(time)
if [ "$mode" = "test" ] || [ "$mode" = "bench" ]; then
  want+=(gdal-bin osmium-tool chromium)
  if command -v pg_lsclusters >/dev/null 2>&1; then
    for v in $(pg_lsclusters -h | awk '{print $1}' | sort -u); do want+=("postgresql-$v-postgis-3"); done
  elif [ -d /etc/postgresql ]; then
    for v in $(ls /etc/postgresql); do want+=("postgresql-$v-postgis-3"); done
  fi
fi
missing=()
for p in "${want[@]}"; do
  dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" || missing+=("$p")
done
[ ${#missing[@]} -eq 0 ] && exit 0
echo "Installing system packages: ${missing[*]}"
SUDO=""; [ "$(id -u)" -eq 0 ] || SUDO="sudo"
$SUDO apt-get update -qq
DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null

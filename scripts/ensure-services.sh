#!/usr/bin/env bash
# Start PostgreSQL and Redis when they are installed but not running (tests need both).
set -uo pipefail
if command -v pg_lsclusters >/dev/null 2>&1; then
  pg_lsclusters -h | while read -r ver name _port status _rest; do
    if [ "$status" != "online" ]; then
      echo "Starting PostgreSQL $ver/$name"
      pg_ctlcluster --skip-systemctl-redirect "$ver" "$name" start || true
    fi
  done
fi
if command -v redis-server >/dev/null 2>&1 && ! redis-cli -h 127.0.0.1 ping >/dev/null 2>&1; then
  echo "Starting Redis"
  mkdir -p /var/lib/redis /var/log/redis 2>/dev/null || true
  redis-server --daemonize yes --bind 127.0.0.1 --port 6379 --save "" --appendonly no \
    --dir /var/lib/redis --logfile /var/log/redis/fabrique.log || true
fi
# Wait (bounded) until both answer.
for _ in $(seq 1 50); do
  pg_ok=0; redis_ok=0
  pg_isready -q -h /var/run/postgresql 2>/dev/null && pg_ok=1
  redis-cli -h 127.0.0.1 ping >/dev/null 2>&1 && redis_ok=1
  [ $pg_ok = 1 ] && [ $redis_ok = 1 ] && exit 0
  sleep 0.2
done
echo "warning: PostgreSQL ready=$pg_ok, Redis ready=$redis_ok" >&2

#!/usr/bin/env bash
# Starts what the integration and end-to-end tests (and `make serve`) need on
# this machine, when it is not already answering: PostgreSQL on 5432 (trust
# auth for local connections), Redis cache on 6379, Redis codes on 6380, and
# the nginx binary. Installs missing Debian packages (needs root). Idempotent.
# With a Docker engine you do not need this: the tests use testcontainers.
set -euo pipefail

log() { echo "services: $*"; }

need_packages=()
command -v pg_ctlcluster >/dev/null || need_packages+=(postgresql)
command -v redis-server >/dev/null || need_packages+=(redis-server)
command -v nginx >/dev/null || [ -x /usr/sbin/nginx ] || need_packages+=(nginx)
if [ ${#need_packages[@]} -gt 0 ]; then
  log "installing ${need_packages[*]}"
  export DEBIAN_FRONTEND=noninteractive
  apt-get update -qq
  apt-get install -y -qq "${need_packages[@]}" >/dev/null
  # Debian starts nginx on :80 after installing it; the tests run their own.
  command -v nginx >/dev/null && { nginx -s stop 2>/dev/null || true; }
fi

version=$(ls /etc/postgresql | sort -V | tail -1)
hba=/etc/postgresql/$version/main/pg_hba.conf
if ! psql -h 127.0.0.1 -U postgres -d postgres -Atc 'select 1' >/dev/null 2>&1 && ! grep -q '^host all all 127.0.0.1/32 trust' "$hba"; then
  log "allowing trust auth on loopback in $hba (a local test server only)"
  sed -i '1i host all all 127.0.0.1/32 trust\nhost all all ::1/128 trust\nlocal all all trust' "$hba"
  pg_ctlcluster --skip-systemctl-redirect "$version" main reload 2>/dev/null || true
fi
if ! pg_isready -q -h 127.0.0.1 -p 5432; then
  log "starting PostgreSQL $version"
  pg_ctlcluster --skip-systemctl-redirect "$version" main start
  for _ in $(seq 30); do pg_isready -q -h 127.0.0.1 -p 5432 && break; sleep 1; done
  pg_isready -h 127.0.0.1 -p 5432
fi

start_redis() {
  local port=$1 policy=$2
  if redis-cli -p "$port" ping >/dev/null 2>&1; then return; fi
  log "starting Redis on $port ($policy)"
  mkdir -p /var/lib/redis /var/log/redis
  redis-server --daemonize yes --bind 127.0.0.1 -::1 --port "$port" --save "" --appendonly no \
    --maxmemory-policy "$policy" --dir /var/lib/redis --logfile "/var/log/redis/shortlink-$port.log"
  for _ in $(seq 20); do redis-cli -p "$port" ping >/dev/null 2>&1 && return; sleep 0.25; done
  log "Redis on $port did not start"; exit 1
}
start_redis 6379 allkeys-lru
start_redis 6380 noeviction
log "ready: postgres 127.0.0.1:5432, redis 127.0.0.1:6379 and :6380, nginx $(nginx -v 2>&1 | cut -d/ -f2)"

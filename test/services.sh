#!/usr/bin/env bash
# Debian/Ubuntu packages and servers for shortlink's tests and `make serve`.
#
#   test/services.sh install   install the packages the tests run, when missing:
#                              postgresql, redis-server, nginx, chromium, zbar-tools,
#                              jq (the README's examples use it).
#                              The tests start private servers from them (make test);
#                              no service of this machine is started or changed.
#   test/services.sh bench     the same plus wrk and pgbench (make bench), then
#                              start the servers as below: the bench's databases
#                              live on this machine's PostgreSQL (BENCH_PG_URL).
#   test/services.sh           the same, then start this machine's PostgreSQL (5432)
#                              and Redis (6379 cache, 6380 codes) when they do not
#                              answer, for `make serve`. Its configuration is left
#                              as it is.
#
# Installing needs root; with everything installed, nothing does. Idempotent.
set -euo pipefail

log() { echo "services: $*" >&2; }

has_postgres_server() {
  compgen -G '/usr/lib/postgresql/*/bin/initdb' >/dev/null || command -v initdb >/dev/null
}
has() { command -v "$1" >/dev/null || [ -x "/usr/sbin/$1" ]; }

install_missing() {
  local need=()
  has_postgres_server || need+=(postgresql)
  has redis-server || need+=(redis-server)
  has nginx || need+=(nginx)
  has chromium || need+=(chromium)
  has zbarimg || need+=(zbar-tools)
  has jq || need+=(jq)
  if [ "${1:-}" = bench ]; then
    has wrk || need+=(wrk)
    has pgbench || need+=(postgresql-client)
  fi
  [ ${#need[@]} -eq 0 ] && return
  if [ "$(id -u)" -ne 0 ] || ! command -v apt-get >/dev/null; then
    log "missing ${need[*]}: install them (as root on Debian/Ubuntu: apt-get install ${need[*]}), then run again"
    exit 1
  fi
  log "installing ${need[*]}"
  # Packages start their services on install; the tests run their own, so
  # ask invoke-rc.d not to (policy-rc.d exit 101), unless a policy exists.
  if [ ! -e /usr/sbin/policy-rc.d ]; then
    printf '#!/bin/sh\nexit 101\n' >/usr/sbin/policy-rc.d
    chmod +x /usr/sbin/policy-rc.d
    trap 'rm -f /usr/sbin/policy-rc.d' EXIT
  fi
  export DEBIAN_FRONTEND=noninteractive
  apt-get update -qq
  apt-get install -y -qq "${need[@]}" >/dev/null
}

install_missing "${1:-}"
[ "${1:-}" = install ] && exit 0
if [ -n "${1:-}" ] && [ "${1:-}" != bench ]; then
  echo "usage: $0 [install|bench]" >&2
  exit 2
fi

version=$(ls /etc/postgresql | sort -V | tail -1)
if ! pg_isready -q -h 127.0.0.1 -p 5432; then
  log "starting PostgreSQL $version"
  detached pg_ctlcluster --skip-systemctl-redirect "$version" main start
  for _ in $(seq 30); do pg_isready -q -h 127.0.0.1 -p 5432 && break; sleep 1; done
  pg_isready -h 127.0.0.1 -p 5432
fi
if ! psql -h 127.0.0.1 -U postgres -d postgres -Atc 'select 1' >/dev/null 2>&1; then
  log "PostgreSQL on 127.0.0.1:5432 does not let user postgres in without a password; set DATABASE_URL"
  log "with a password (postgres://postgres:PASSWORD@127.0.0.1:5432/shortlink?sslmode=disable) for make serve"
fi

# detached runs a daemon without the descriptors this script inherited above
# stderr, so a lock its caller holds (flock make bench) ends with the caller
# rather than living on in the daemon.
detached() {
  (
    for fd in /proc/$BASHPID/fd/*; do
      fd=${fd##*/}
      if [ "$fd" -gt 2 ]; then eval "exec $fd>&-"; fi
    done
    exec "$@"
  )
}

start_redis() {
  local port=$1 policy=$2
  if redis-cli -p "$port" ping >/dev/null 2>&1; then return; fi
  log "starting Redis on $port ($policy)"
  mkdir -p /var/lib/redis /var/log/redis
  detached redis-server --daemonize yes --bind 127.0.0.1 -::1 --port "$port" --save "" --appendonly no \
    --maxmemory-policy "$policy" --dir /var/lib/redis --logfile "/var/log/redis/shortlink-$port.log"
  for _ in $(seq 20); do redis-cli -p "$port" ping >/dev/null 2>&1 && return; sleep 0.25; done
  log "Redis on $port did not start"; exit 1
}
start_redis 6379 allkeys-lru
start_redis 6380 noeviction
log "ready: postgres 127.0.0.1:5432, redis 127.0.0.1:6379 and :6380, nginx $(nginx -v 2>&1 | cut -d/ -f2)"

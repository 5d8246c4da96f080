#!/bin/sh
# Container entrypoint for the shortlink image.
#
#   (no args) | api [flags...]  -> migrate up, partitions --ahead 2, exec api
#   -flag ...                   -> same as `api -flag ...`
#   [api] -healthcheck          -> the probe alone, no migrations
#   anything else               -> exec'd as given (batch, migrate ..., sh, ...)
#
# MIGRATE_ON_START=0 skips the migrate/partitions step (for example when
# several api replicas start at once and migrations run as a separate job).
# PARTITIONS_AHEAD (default 2) is passed to `partitions --ahead`.
set -eu

if [ "$#" -eq 0 ]; then
    set -- api
elif [ "${1#-}" != "$1" ]; then
    set -- api "$@"
fi

if [ "$1" = "api" ]; then
    shift
    case "${1:-}" in
        -healthcheck|--healthcheck) exec api "$@" ;;
    esac
    case "${MIGRATE_ON_START:-1}" in
        0|false|no|off) echo "entrypoint: MIGRATE_ON_START=${MIGRATE_ON_START}, skipping migrations" >&2 ;;
        *)
            echo "entrypoint: migrate up" >&2
            migrate up
            echo "entrypoint: partitions --ahead ${PARTITIONS_AHEAD:-2}" >&2
            partitions --ahead "${PARTITIONS_AHEAD:-2}"
            ;;
    esac
    exec api "$@"
fi

exec "$@"

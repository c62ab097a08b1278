#!/usr/bin/env bash
# Graceful shutdown figure: SIGTERM while 32 clients keep sending requests.
# Prints when /readyz turned 503, how the requests in flight were answered,
# whether new connections were refused, and the exit code and time.
# Usage: tests/faults/shutdown.sh
set -euo pipefail
cd "$(dirname "$0")/../.."
. deploy/lib/pg.sh
opop_install
[ -x build/opop-api ] || { meson setup build >/dev/null; ninja -C build >/dev/null; }
work=$(mktemp -d /tmp/opop-stop.XXXXXX)
chmod 755 "$work"
cleanup() { opop_pg_stop "$work/pg" || true; rm -rf "$work"; }
trap cleanup EXIT
OPOP_PG_FSYNC=off opop_pg_start "$work/pg"
opop_pg_createdb opop
OPOP_BIN="$PWD/build/opop-api" OPOP_DB="opop" node tests/faults/shutdown.mjs

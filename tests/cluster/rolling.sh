#!/usr/bin/env bash
# Rolling restart under load: deploy/cluster.sh with N instances behind
# HAProxy on a private PostgreSQL in a temp folder, then tests/cluster/load.mjs
# (reads, writes with Idempotency-Key, reports through HAProxy) while each
# instance is restarted in turn. Prints the load's summary; fails when a
# request failed or an acknowledged write is not stored exactly once. First,
# an answer through HAProxy must be gzipped once (tests/deploy/gzip_once.py).
#
# usage: tests/cluster/rolling.sh
# env:   INSTANCES (3), WORKERS (8), SETTLE_MS (3000), PORT (a free one)
set -euo pipefail
root=$(cd "$(dirname "$0")/../.." && pwd)
cd "$root"
. deploy/lib/pg.sh

instances=${INSTANCES:-3}
dir=$(mktemp -d /tmp/opop-rolling.XXXXXX)
chmod 755 "$dir"
port=${PORT:-$(python3 -c 'import socket; s = socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])')}
key="rolling-$(head -c 12 /dev/urandom | od -An -tx1 | tr -d ' \n')"
cluster_pid=

cleanup() {
  opop_stop_child "$cluster_pid"
  rm -rf "$dir"
}
trap cleanup EXIT

OPOP_LOCAL_DIR=$dir OPOP_PORT=$port OPOP_BOOTSTRAP_API_KEY=$key OPOP_LOG_LEVEL=warning OPOP_PG_FSYNC=off \
  deploy/cluster.sh "$instances" >"$dir/cluster.out" 2>&1 &
cluster_pid=$!

for _ in $(seq 600); do
  up=0
  for i in $(seq "$instances"); do
    curl -fs "http://127.0.0.1:$((port + i))/readyz" >/dev/null 2>&1 && up=$((up + 1))
  done
  [ "$up" = "$instances" ] && curl -fs "http://127.0.0.1:$port/readyz" >/dev/null 2>&1 && break
  kill -0 "$cluster_pid" 2>/dev/null || { cat "$dir/cluster.out" >&2; exit 1; }
  sleep 0.2
done
sleep 3 # every instance seen up by HAProxy (two checks a second apart)

# Through HAProxy an answer is gzipped once, by the service (deploy/haproxy.cfg says why).
python3 tests/deploy/gzip_once.py "http://127.0.0.1:$port/v1/regions" "$key" >&2

BASE="http://127.0.0.1:$port" API_KEY=$key STATE="$dir/cluster" INSTANCES=$instances PORT=$port \
  DATABASE_URL="host=$dir/pg/run port=5432 dbname=opop user=postgres" node tests/cluster/load.mjs

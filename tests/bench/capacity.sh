#!/usr/bin/env bash
# CPU cost per request of each scenario (tests/bench/capacity.mjs), on a
# private PostgreSQL (fsync on) holding a data set of today's size: N_PESANTREN
# pesantren with a year of monthly measurements of the 7 standard indicators
# (gen_reports.sh), and one server. Prints a table; figures for docs/capacity.md.
#
# usage: tests/bench/capacity.sh
# env:   OPOP_BIN (build/opop-api), N_PESANTREN (1000), N_MEASUREMENTS (N_PESANTREN x 84),
#        COUNT (2000), CONCURRENCY (8)
set -euo pipefail
root=$(cd "$(dirname "$0")/../.." && pwd)
bin=${OPOP_BIN:-$root/build/opop-api}
np=${N_PESANTREN:-1000}
dir=$(mktemp -d /tmp/opop-capacity.XXXXXX)
db=opop_capacity
key="capacity-$(head -c 12 /dev/urandom | od -An -tx1 | tr -d ' \n')"
server_pid=

. "$root/deploy/lib/pg.sh"

cleanup() {
  opop_stop_child "$server_pid"
  opop_pg_stop "$dir/pg"
  rm -rf "$dir"
}
trap cleanup EXIT

[ -x "$bin" ] || { echo "no server binary at $bin (set OPOP_BIN)" >&2; exit 1; }
chmod 755 "$dir"
opop_pg_start "$dir/pg"
url="host=$PGHOST port=$PGPORT dbname=$db user=$PGUSER"
psql -d postgres -qc "CREATE DATABASE $db"
OPOP_DATABASE_URL=$url OPOP_LOG_LEVEL=warning "$bin" migrate >/dev/null
N_PESANTREN=$np N_MEASUREMENTS=${N_MEASUREMENTS:-$((np * 84))} "$root/tests/bench/gen_reports.sh" "$db" >/dev/null

port=$(python3 -c 'import socket; s = socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])')
OPOP_DATABASE_URL=$url OPOP_PORT=$port OPOP_BOOTSTRAP_API_KEY=$key OPOP_LOG_LEVEL=warning \
  OPOP_BOOTSTRAP_ADMIN_EMAIL=capacity@example.org OPOP_BOOTSTRAP_ADMIN_PASSWORD=Capacity-pass-1 \
  OPOP_LOGIN_MAX_FAILURES=1000 "$bin" serve >"$dir/server.log" 2>&1 &
server_pid=$!
for _ in $(seq 100); do
  curl -fs "http://127.0.0.1:$port/readyz" >/dev/null 2>&1 && break
  sleep 0.1
done

echo "$np pesantren, $(psql -d "$db" -Atc 'SELECT count(*) FROM measurements') measurements; $(nproc) cores, load average $(cut -d' ' -f1-3 /proc/loadavg)"
BASE="http://127.0.0.1:$port" API_KEY=$key API_PID=$server_pid PG_PID=$(head -1 "$dir/pg/data/postmaster.pid") \
  DATABASE_URL=$url PASSWORD_USER=capacity@example.org:Capacity-pass-1 node "$root/tests/bench/capacity.mjs"

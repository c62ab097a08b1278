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
key="capacity-$(head -c 12 /dev/urandom | od -An -tx1 | tr -d ' \n')"

. "$root/tests/bench/lib.sh"

bench_database opop_capacity
db=opop_capacity
N_PESANTREN=$np N_MEASUREMENTS=${N_MEASUREMENTS:-$((np * 84))} "$root/tests/bench/gen_reports.sh" "$db" >/dev/null
bench_serve "$bench_dir/server.log" "$key" OPOP_BOOTSTRAP_ADMIN_EMAIL=capacity@example.org \
  OPOP_BOOTSTRAP_ADMIN_PASSWORD=Capacity-pass-1 OPOP_LOGIN_MAX_FAILURES=1000

echo "$np pesantren, $(psql -d "$db" -Atc 'SELECT count(*) FROM measurements') measurements; $(nproc) cores, load average $(cut -d' ' -f1-3 /proc/loadavg)"
BASE="http://127.0.0.1:$port" API_KEY=$key API_PID=$server_pid PG_PID=$(head -1 "$bench_dir/pg/data/postmaster.pid") \
  DATABASE_URL=$url PASSWORD_USER=capacity@example.org:Capacity-pass-1 node "$root/tests/bench/capacity.mjs"

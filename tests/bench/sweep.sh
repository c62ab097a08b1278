#!/usr/bin/env bash
# Reads (GET /v1/pesantren/{id}) and writes (POST /v1/measurements) at a rising
# number of connections: 1 (latency), then 32, 256 and 1,024, DURATION seconds
# each, on one server and a private cluster with N_PESANTREN pesantren. One
# line per step: requests per second, p50, p99, errors.
#
# usage: tests/bench/sweep.sh
# env:   OPOP_BIN (build/opop-api), N_PESANTREN (1000), DURATION (8), STEPS ("1 32 256 1024")
set -euo pipefail
root=$(cd "$(dirname "$0")/../.." && pwd)
np=${N_PESANTREN:-1000}
duration=${DURATION:-8}

. "$root/tests/bench/lib.sh"

bench_need wrk
key=$(bench_key sweep)
ulimit -n 4096 2>/dev/null || true
bench_database opop_sweep
N_PESANTREN=$np N_MEASUREMENTS=0 "$root/tests/bench/gen_reports.sh" opop_sweep >/dev/null
psql -d opop_sweep -Atc "SELECT id FROM pesantren ORDER BY id" >"$bench_dir/ids"
bench_serve "$bench_dir/server.log" "$key"

run() {
  BENCH_DIR="$root/tests/bench" BENCH_IDS="$bench_dir/ids" BENCH_TOKEN=$key BENCH_SLICE=$3 BENCH_THREADS=$4 \
    wrk -t "$4" -c "$2" -d "${duration}s" --timeout 10s -s "$root/tests/bench/$1" "http://127.0.0.1:$port" |
    sed -n 's/^BENCH //p'
}

echo "$np pesantren, ${duration}s a step; $(nproc) cores, load $(cut -d' ' -f1-3 /proc/loadavg)"
slice=0
for c in ${STEPS:-1 32 256 1024}; do
  t=$((c < 2 ? 1 : 2))
  echo "read  $c connections: $(run get_by_id.lua "$c" 0 "$t")"
  echo "write $c connections: $(run post_measurement.lua "$c" "$slice" "$t")"
  slice=$((slice + 1))
done

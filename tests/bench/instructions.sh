#!/usr/bin/env bash
# Instructions per request of the server process (callgrind), a figure that
# does not move with the machine's load: S1 (GET /v1/pesantren/{id}) and S3
# (POST /v1/measurements, each a new key), COUNT requests each, one at a time
# on one keep-alive connection, after WARMUP untimed ones; the counters are
# zeroed between warm-up and count. Also the CPU time PostgreSQL spent per
# request (all its processes, from /proc), which does move a little with load.
#
# usage: tests/bench/instructions.sh
# env:   OPOP_BIN (build/opop-api), COUNT (1000), WARMUP (200)
set -euo pipefail
root=$(cd "$(dirname "$0")/../.." && pwd)
count=${COUNT:-1000}
warmup=${WARMUP:-200}

. "$root/tests/bench/lib.sh"

bench_need valgrind callgrind_control
key=$(bench_key instr)
bench_database opop_instructions
N_PESANTREN=200 N_MEASUREMENTS=0 "$root/tests/bench/gen_reports.sh" opop_instructions >/dev/null
psql -d opop_instructions -Atc "SELECT id FROM pesantren ORDER BY id" >"$bench_dir/ids"
out="$bench_dir/callgrind.out"
bench_wrap="valgrind --tool=callgrind --callgrind-out-file=$out"
bench_serve "$bench_dir/server.log" "$key" OPOP_LOG_LEVEL=warning OPOP_HTTP_THREADS=2
for _ in $(seq 300); do
  curl -fs "http://127.0.0.1:$port/readyz" >/dev/null 2>&1 && break
  sleep 0.2
done
pg_pid=$(head -1 "$bench_dir/pg/data/postmaster.pid")

# pg_cpu: clock ticks used by the cluster's processes so far.
pg_cpu() {
  local s=0 p f
  for p in $pg_pid $(pgrep -P "$pg_pid"); do
    read -r -a f <"/proc/$p/stat" 2>/dev/null || continue
    s=$((s + f[13] + f[14] + f[15] + f[16]))
  done
  echo $s
}

# measure NAME KIND: warm-up, zeroed counters, COUNT requests, instructions per request.
measure() {
  local name=$1 kind=$2 before after ir
  python3 "$root/tests/bench/requests.py" "$port" "$key" "$kind" "$warmup" 0 "$bench_dir/ids"
  callgrind_control -z "$server_pid" >/dev/null 2>&1
  before=$(pg_cpu)
  python3 "$root/tests/bench/requests.py" "$port" "$key" "$kind" "$count" "$warmup" "$bench_dir/ids"
  after=$(pg_cpu)
  callgrind_control -d "$name" "$server_pid" >/dev/null 2>&1
  ir=$(sed -n 's/^summary: *\([0-9]*\).*/\1/p' "$(ls -t "$out".* | head -1)")
  echo "$name: $((ir / count)) instructions per request in the server; PostgreSQL $(((after - before) * 1000000 / $(getconf CLK_TCK) / count)) us CPU per request"
}

echo "$count requests each, one connection; $(nproc) cores, load $(cut -d' ' -f1-3 /proc/loadavg)"
measure s1 get
measure s3 post

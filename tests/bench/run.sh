#!/usr/bin/env bash
# Load benchmark (a script, not a test). Builds the server and a bare ulfius
# JSON hello (the ceiling), starts a private PostgreSQL with fsync on, seeds
# pesantren through the API, then alternates rounds of
#   ceiling   GET /json on the hello
#   by_id     GET /v1/pesantren/{random seeded id}
#   list      GET /v1/pesantren?limit=20&region_code=<random>
# with wrk, and prints requests/s (median over rounds), p99 latency (median),
# non-2xx answers and socket errors (sums), and the ratio to the ceiling.
#
# Knobs (environment):
#   ROUNDS (3)  DURATION (10 s)  CONNECTIONS (32)  THREADS (2)  N_PESANTREN (5000)
#   OPOP_HTTP_THREADS, OPOP_DB_POOL_SIZE, OPOP_LOG_LEVEL: passed to the server
#     (unset: the server's defaults)
#   BUILDTYPE (release: what deploy/ builds; debugoptimized measured the same
#     within noise, 121 against 126 us of server CPU per GET by id)
#   BUILD_DIR (build-bench)  PORT (18301)  HELLO_PORT (18302)
#   BENCH_CONFIGS: several server configurations in one run, space-separated
#     "HTTP_THREADS/POOL_SIZE" pairs (e.g. "0/4 8/4 16/8"); each gets its own rows,
#     measured in the same rounds as the ceiling
#   KEEP_WORK (0): 1 keeps the temporary folder (server log, PostgreSQL log, ids)
set -euo pipefail
cd "$(dirname "$0")/../.."
root=$PWD
bench_dir=$root/tests/bench
. deploy/lib/pg.sh

ROUNDS=${ROUNDS:-3}
DURATION=${DURATION:-10}
CONNECTIONS=${CONNECTIONS:-32}
THREADS=${THREADS:-2}
N_PESANTREN=${N_PESANTREN:-5000}
BUILDTYPE=${BUILDTYPE:-release}
BUILD_DIR=${BUILD_DIR:-build-bench}
PORT=${PORT:-18301}
HELLO_PORT=${HELLO_PORT:-18302}
ADMIN_EMAIL=bench@example.org
ADMIN_PASSWORD=Bench-pass-123
if [ -n "${BENCH_CONFIGS:-}" ]; then
  configs=$BENCH_CONFIGS
else
  configs="${OPOP_HTTP_THREADS:-}/${OPOP_DB_POOL_SIZE:-}"
fi

log() { echo "bench: $*" >&2; }

command -v node >/dev/null 2>&1 || OPOP_PACKAGES="$OPOP_PACKAGES nodejs"
opop_install wrk

log "building ($BUILDTYPE in $BUILD_DIR)"
if [ -f "$BUILD_DIR/build.ninja" ]; then
  meson setup --reconfigure "$BUILD_DIR" --buildtype="$BUILDTYPE" >/dev/null
else
  meson setup "$BUILD_DIR" --buildtype="$BUILDTYPE" >/dev/null
fi
ninja -C "$BUILD_DIR" opop-api >/dev/null
bin=$root/$BUILD_DIR/opop-api

work=$(mktemp -d /tmp/opop-bench.XXXXXX)
chmod 755 "$work"
server_pid=
hello_pid=
stop_pid() { # stop_pid PID: TERM, then KILL after 10 s, only our own child
  local pid=$1
  [ -n "$pid" ] && kill -0 "$pid" 2>/dev/null || return 0
  kill -TERM "$pid" 2>/dev/null || true
  for _ in $(seq 1 100); do kill -0 "$pid" 2>/dev/null || break; sleep 0.1; done
  kill -0 "$pid" 2>/dev/null && kill -KILL "$pid" 2>/dev/null || true
  wait "$pid" 2>/dev/null || true
}
cleanup() {
  stop_pid "$server_pid"
  stop_pid "$hello_pid"
  opop_pg_stop "$work/pg" || true
  if [ "${KEEP_WORK:-0}" = 1 ]; then log "kept $work"; else rm -rf "$work"; fi
}
trap cleanup EXIT
trap 'exit 130' INT TERM

log "building the ceiling"
# shellcheck disable=SC2046
gcc -O2 -o "$work/hello" "$bench_dir/hello.c" \
  $(pkg-config --cflags --libs libulfius libmicrohttpd jansson liborcania) -lpthread
"$work/hello" "$HELLO_PORT" 2 &
hello_pid=$!

log "starting PostgreSQL (fsync on)"
OPOP_PG_FSYNC=on opop_pg_start "$work/pg"
# Planner settings of a small production box on SSD, as the comparison harness
# uses: with the default random_page_cost of 4 a filtered list walks the
# primary order and filters ~40 rows per row shown instead of using its index.
psql -d postgres -qc "ALTER SYSTEM SET random_page_cost = 1.1" \
  -c "ALTER SYSTEM SET effective_cache_size = '1GB'" -c "ALTER SYSTEM SET jit = off" -c "SELECT pg_reload_conf()" >/dev/null
opop_pg_createdb opop_bench

wait_up() { # wait_up URL PID
  for _ in $(seq 1 200); do
    curl -fsS -o /dev/null "$1" 2>/dev/null && return 0
    kill -0 "$2" 2>/dev/null || return 1
    sleep 0.05
  done
  return 1
}

start_server() { # start_server HTTP_THREADS POOL_SIZE (empty: the defaults)
  stop_pid "$server_pid"
  server_pid=
  local env_args=(OPOP_DATABASE_URL="host=$PGHOST port=$PGPORT dbname=opop_bench user=postgres"
    OPOP_PORT="$PORT" OPOP_BOOTSTRAP_ADMIN_EMAIL="$ADMIN_EMAIL" OPOP_BOOTSTRAP_ADMIN_PASSWORD="$ADMIN_PASSWORD")
  [ -n "$1" ] && env_args+=(OPOP_HTTP_THREADS="$1")
  [ -n "$2" ] && env_args+=(OPOP_DB_POOL_SIZE="$2")
  [ -n "${OPOP_LOG_LEVEL:-}" ] && env_args+=(OPOP_LOG_LEVEL="$OPOP_LOG_LEVEL")
  env -u OPOP_HTTP_THREADS -u OPOP_DB_POOL_SIZE "${env_args[@]}" "$bin" serve >>"$work/server.log" 2>&1 &
  server_pid=$!
  wait_up "http://127.0.0.1:$PORT/healthz" "$server_pid" || {
    tail -20 "$work/server.log" >&2
    return 1
  }
}

first=${configs%% *}
start_server "${first%/*}" "${first#*/}"
wait_up "http://127.0.0.1:$HELLO_PORT/json" "$hello_pid" || { log "the ceiling did not start"; exit 1; }

token=$(curl -fsS -H 'Content-Type: application/json' \
  -d "{\"email\":\"$ADMIN_EMAIL\",\"password\":\"$ADMIN_PASSWORD\"}" \
  "http://127.0.0.1:$PORT/v1/auth/login" | node -e \
  'let s="";process.stdin.on("data",d=>s+=d).on("end",()=>process.stdout.write(JSON.parse(s).token))')
[ -n "$token" ] || { log "login failed"; exit 1; }

log "seeding $N_PESANTREN pesantren through the API"
node "$bench_dir/seed_pesantren.mjs" "http://127.0.0.1:$PORT" "$token" "$N_PESANTREN" "$work/ids.txt" 8
psql -d opop_bench -qc 'VACUUM (ANALYZE)' >/dev/null
psql -d opop_bench -qc 'CHECKPOINT' >/dev/null

export BENCH_DIR=$bench_dir BENCH_IDS=$work/ids.txt BENCH_TOKEN=$token

run_wrk() { # run_wrk LABEL CONFIG URL SCRIPT ROUND: appends "LABEL CONFIG ROUND key=value..." to results
  local out
  out=$(wrk -t"$THREADS" -c"$CONNECTIONS" -d"${DURATION}s" --timeout 10s --latency -s "$bench_dir/$4" "$3") || {
    log "wrk failed on $1"
    return 1
  }
  local line
  line=$(grep '^BENCH ' <<<"$out" | head -1)
  echo "$1 $2 $5 ${line#BENCH }" >>"$work/results.txt"
  log "round $5 $1 [$2]: ${line#BENCH }"
}

: >"$work/results.txt"
current=$first
for round in $(seq 1 "$ROUNDS"); do
  run_wrk ceiling - "http://127.0.0.1:$HELLO_PORT/json" ceiling.lua "$round"
  for c in $configs; do
    if [ "$c" != "$current" ]; then
      start_server "${c%/*}" "${c#*/}"
      current=$c
    fi
    psql -d opop_bench -qc 'CHECKPOINT' >/dev/null
    run_wrk by_id "$c" "http://127.0.0.1:$PORT/v1/pesantren/x" get_by_id.lua "$round"
    run_wrk list "$c" "http://127.0.0.1:$PORT/v1/pesantren" list_region.lua "$round"
  done
done

# The table: medians over rounds, sums of failures, ratio of medians.
node - "$work/results.txt" <<'JS'
const fs = require('node:fs');
const rows = fs.readFileSync(process.argv[2], 'utf8').trim().split('\n').map((l) => {
  const [label, config, round, ...kv] = l.split(' ');
  const r = { label, config, round: Number(round) };
  for (const p of kv) { const [k, v] = p.split('='); r[k] = Number(v); }
  return r;
});
const median = (xs) => { const s = [...xs].sort((a, b) => a - b); const m = s.length >> 1; return s.length % 2 ? s[m] : (s[m - 1] + s[m]) / 2; };
const groups = new Map();
for (const r of rows) {
  const key = `${r.label} ${r.config}`;
  if (!groups.has(key)) groups.set(key, []);
  groups.get(key).push(r);
}
const ceiling = median(groups.get('ceiling -').map((r) => r.rps));
const name = (c) => {
  if (c === '-') return 'ulfius hello (epoll, 2 threads)';
  const [t, p] = c.split('/');
  const mode = t === '' ? 'default threads' : t === '0' ? 'thread/conn' : `epoll ${t}`;
  return `${mode}, pool ${p === '' ? 'default' : p}`;
};
const out = ['| scenario | server | req/s (median) | p99 ms | non-2xx | socket errors | ratio to ceiling |',
  '|---|---|---:|---:|---:|---:|---:|'];
for (const [key, rs] of groups) {
  const rps = median(rs.map((r) => r.rps));
  const p99 = median(rs.map((r) => r.p99_ms));
  const non2xx = rs.reduce((a, r) => a + r.non2xx, 0);
  const sock = rs.reduce((a, r) => a + r.socket_errors, 0);
  out.push(`| ${rs[0].label} | ${name(rs[0].config)} | ${rps.toFixed(0)} | ${p99.toFixed(2)} | ${non2xx} | ${sock} | ${(100 * rps / ceiling).toFixed(1)} % |`);
}
console.log(out.join('\n'));
JS

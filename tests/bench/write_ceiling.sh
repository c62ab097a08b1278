#!/usr/bin/env bash
# The write path against what PostgreSQL itself commits on this machine.
#
# One private cluster (fsync and synchronous_commit on), migrated, with
# N_PESANTREN pesantren. In alternating rounds of DURATION seconds at the same
# concurrency (CONNECTIONS):
#   ceiling  pgbench, one durable transaction per measurement doing the same
#            work as the service's write: the measurement row, its audit row
#            and its change-feed row (copies of the three tables with their
#            columns, defaults, generated columns and indexes, no triggers)
#   service  wrk POST /v1/measurements on one server, each request a new key
# and prints the rate of each, the service's share of the ceiling per round
# and the median. The service's rate needs at least half the ceiling.
#
# usage: tests/bench/write_ceiling.sh
# env:   OPOP_BIN (build/opop-api), N_PESANTREN (1000), ROUNDS (3), DURATION (8),
#        CONNECTIONS (32), THREADS (2), plus any OPOP_* setting for the server
set -euo pipefail
root=$(cd "$(dirname "$0")/../.." && pwd)
np=${N_PESANTREN:-1000}
rounds=${ROUNDS:-3}
duration=${DURATION:-8}
conns=${CONNECTIONS:-32}
threads=${THREADS:-2}
db=opop_ceiling

. "$root/tests/bench/lib.sh"

bench_need wrk pgbench
key=$(bench_key ceiling)
bench_database "$db"
dir=$bench_dir
N_PESANTREN=$np N_MEASUREMENTS=0 "$root/tests/bench/gen_reports.sh" "$db" >/dev/null
psql -d "$db" -Atc "SELECT id FROM pesantren ORDER BY id" >"$dir/ids"

# The ceiling's tables and its keys: every transaction a new (indicator,
# pesantren, period), as the service's requests.
psql -d "$db" -v ON_ERROR_STOP=1 -q <<'SQL'
CREATE TABLE ceiling_measurements (LIKE measurements INCLUDING ALL);
CREATE TABLE ceiling_audit (LIKE audit_events INCLUDING ALL);
CREATE TABLE ceiling_changes (LIKE changes INCLUDING ALL);
CREATE TABLE ceiling_keys AS
  SELECT row_number() OVER () AS k, i.id AS indicator_id, p.id AS pesantren_id, per AS period
    FROM indicators i, pesantren p,
         (SELECT y || '-' || lpad(m::text, 2, '0') AS per FROM generate_series(2019, 2022) y, generate_series(1, 12) m) s;
ALTER TABLE ceiling_keys ADD PRIMARY KEY (k);
CREATE SEQUENCE ceiling_next;
VACUUM ANALYZE;
SQL
cat >"$dir/ceiling.sql" <<'SQL'
WITH m AS (
  INSERT INTO ceiling_measurements (indicator_id, pesantren_id, period, value, note)
  SELECT indicator_id, pesantren_id, period, 5, 'bench' FROM ceiling_keys WHERE k = (SELECT nextval('ceiling_next'))
  RETURNING *),
a AS (
  INSERT INTO ceiling_audit (actor_kind, request_id, entity, entity_id, action, after)
  SELECT 'api_key', 'ceiling', 'measurement', m.id, 'create', to_jsonb(m) - 'seq' FROM m),
c AS (
  INSERT INTO ceiling_changes (entity, entity_id, version, action) SELECT 'measurement', m.id, m.version, 'created' FROM m)
SELECT m.id FROM m;
SQL

bench_serve "$dir/server.log" "$key"

ceiling() {
  pgbench -n -M prepared -c "$conns" -j "$threads" -T "$1" -f "$dir/ceiling.sql" "$db" 2>"$dir/pgbench.err" |
    sed -n 's/^tps = \([0-9.]*\).*/\1/p'
}
service() {
  BENCH_DIR="$root/tests/bench" BENCH_IDS="$dir/ids" BENCH_TOKEN=$key BENCH_SLICE=$2 BENCH_THREADS=$threads \
    wrk -t "$threads" -c "$conns" -d "${1}s" --timeout 10s -s "$root/tests/bench/post_measurement.lua" \
    "http://127.0.0.1:$port" | sed -n 's/^BENCH //p'
}

echo "$np pesantren, $conns connections, $rounds rounds of ${duration}s; $(nproc) cores, load $(cut -d' ' -f1-3 /proc/loadavg)"
ceiling 2 >/dev/null || true
service 2 0 >/dev/null
shares=()
for r in $(seq "$rounds"); do
  c=$(ceiling "$duration") || true
  [ -n "$c" ] || { cat "$dir/pgbench.err" >&2; exit 1; }
  s=$(service "$duration" "$r")
  rps=$(sed -n 's/.*rps=\([0-9.]*\).*/\1/p' <<<"$s")
  share=$(awk -v s="$rps" -v c="$c" 'BEGIN { printf "%.2f", s / c }')
  shares+=("$share")
  echo "round $r: ceiling $c tps; service $s; share $share"
done
median=$(printf '%s\n' "${shares[@]}" | sort -n | awk '{ a[NR] = $1 } END { print a[int((NR + 1) / 2)] }')
echo "median share of the ceiling: $median (range $(printf '%s\n' "${shares[@]}" | sort -n | head -1)-$(printf '%s\n' "${shares[@]}" | sort -n | tail -1))"

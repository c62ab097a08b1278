#!/usr/bin/env bash
# Report latency at scale: a private PostgreSQL cluster, N_PESANTREN pesantren
# and N_MEASUREMENTS measurements (gen_reports.sh), the server, then REQUESTS
# timed requests of each report after WARMUP untimed ones, one at a time, and
# a table of median, p95 and max in milliseconds. For contrast, the same
# achievement figures recomputed by plain SQL from the measurements (no
# rollups), which must give the same numbers.
#
# usage: tests/bench/reports.sh
# env:   OPOP_BIN (build/opop-api), N_PESANTREN (10000), N_MEASUREMENTS (2000000),
#        REQUESTS (20), WARMUP (30: every pooled connection then runs the generic plan), BENCH_DIR (a new temp dir; kept when KEEP=1,
#        and then reused: an existing data set is not generated again),
#        OPOP_PG_FSYNC (off: only the load writes)
set -euo pipefail

root=$(cd "$(dirname "$0")/../.." && pwd)
bin=${OPOP_BIN:-$root/build/opop-api}
requests=${REQUESTS:-20}
warmup=${WARMUP:-30}
dir=${BENCH_DIR:-$(mktemp -d /tmp/opop-reports-bench.XXXXXX)}
db=opop_reports_bench
key="bench-$(head -c 16 /dev/urandom | od -An -tx1 | tr -d ' \n')"
server_pid=

. "$root/tests/bench/lib.sh"

cleanup() {
  if [ -n "$server_pid" ] && kill -0 "$server_pid" 2>/dev/null; then
    kill "$server_pid"
    wait "$server_pid" 2>/dev/null || true
  fi
  if [ "${KEEP:-0}" != 1 ]; then
    opop_pg_stop "$dir/pg"
    rm -rf "$dir"
  else
    echo "kept $dir (cluster still running; stop it with: . deploy/lib/pg.sh; opop_pg_stop $dir/pg)" >&2
  fi
}
trap cleanup EXIT

[ -x "$bin" ] || { echo "no server binary at $bin (set OPOP_BIN)" >&2; exit 1; }
chmod 755 "$dir" # the cluster's owner (postgres, when we are root) must reach its folder
OPOP_PG_FSYNC=${OPOP_PG_FSYNC:-off} opop_pg_start "$dir/pg"
url="host=$PGHOST port=$PGPORT dbname=$db user=$PGUSER"

if [ "$(psql -d postgres -Atc "SELECT count(*) FROM pg_database WHERE datname = '$db'")" = 0 ]; then
  psql -d postgres -qc "CREATE DATABASE $db"
  OPOP_DATABASE_URL=$url OPOP_LOG_LEVEL=warning "$bin" migrate >/dev/null
  echo "generating ${N_PESANTREN:-10000} pesantren, ${N_MEASUREMENTS:-2000000} measurements ..." >&2
  start=$(date +%s)
  "$root/tests/bench/gen_reports.sh" "$db" >&2
  echo "generated in $(($(date +%s) - start)) s" >&2
else
  OPOP_DATABASE_URL=$url OPOP_LOG_LEVEL=warning "$bin" migrate >/dev/null
fi

bench_serve "$dir/server.log" "$key"

base="http://127.0.0.1:$port/v1/reports"
program=$(psql -d "$db" -Atc "SELECT program_id FROM enrolments e JOIN programs p ON p.id = e.program_id
                               WHERE p.year = 2023 GROUP BY 1 ORDER BY count(*) DESC LIMIT 1")
cases=(
  "achievement?year=2024"
  "achievement?year=2024&include_unverified=true"
  "achievement?year=2024&region_code=35.78"
  "achievement?year=2023&program_id=$program"
  "achievement?year=2024&pillar=santripreneur"
  "regions?indicator=OMZET&year=2024"
  "regions?indicator=ASET&year=2023"
  "cohorts?indicator=OMZET"
  "cohorts?indicator=KOPPONTREN_MEMBERS&year=2024"
  "pillars?year=2023"
  "pillars?year=2024"
)

# median, p95 and max of the times (seconds, one a line) on stdin, in ms
stats() {
  sort -n | awk '{ t[NR] = $1 * 1000 } END {
    p = int(NR * 0.95 + 0.999); if (p > NR) p = NR;
    m = (NR % 2) ? t[(NR + 1) / 2] : (t[NR / 2] + t[NR / 2 + 1]) / 2;
    printf "%8.1f %8.1f %8.1f", m, t[p], t[NR] }'
}

# warms the report up; fails the run unless it answers 200
warm() {
  local path=$1 accept=$2 i status
  for i in $(seq "$warmup"); do
    curl -s -o /dev/null -H "Authorization: Bearer $key" -H "Accept: $accept" "$base/$path"
  done
  status=$(curl -s -o /dev/null -w '%{http_code}' -H "Authorization: Bearer $key" -H "Accept: $accept" "$base/$path")
  [ "$status" = 200 ] || { echo "$path answered $status" >&2; exit 1; }
}

measure() {
  local path=$1 accept=$2 i
  for i in $(seq "$requests"); do
    curl -s -o /dev/null -w '%{time_total}\n' -H "Authorization: Bearer $key" -H "Accept: $accept" "$base/$path"
  done | stats
}

echo
psql -d "$db" -Atc "SELECT format('%s pesantren, %s measurements (%s verified); rollups: %s facts, %s totals, %s pillar members',
  (SELECT count(*) FROM pesantren), (SELECT count(*) FROM measurements),
  (SELECT count(*) FROM measurements WHERE status = 'verified'), (SELECT count(*) FROM report_facts),
  (SELECT count(*) FROM report_totals), (SELECT count(*) FROM report_members))"
echo "$requests requests of each report, one at a time, after $warmup untimed; milliseconds"
echo
printf '| %-58s | %-4s | %8s | %8s | %8s |\n' "report" "as" "median" "p95" "max"
printf '|%s|%s|%s|%s|%s|\n' "$(printf -- '-%.0s' {1..60})" "------" "----------" "----------" "----------"
for c in "${cases[@]}"; do
  shown=${c/$program/<id>}
  warm "$c" application/json
  read -r med p95 max <<<"$(measure "$c" application/json)"
  printf '| %-58s | %-4s | %8s | %8s | %8s |\n' "$shown" json "$med" "$p95" "$max"
done
for c in "achievement?year=2024" "regions?indicator=OMZET&year=2024"; do
  warm "$c" text/csv
  read -r med p95 max <<<"$(measure "$c" text/csv)"
  printf '| %-58s | %-4s | %8s | %8s | %8s |\n' "$c" csv "$med" "$p95" "$max"
done

# The same figures without rollups, straight from the measurements.
plain="
WITH m AS (SELECT * FROM measurements WHERE status = 'verified'
             AND period_start >= DATE '2024-01-01' AND period_start < DATE '2025-01-01'),
latest AS (SELECT DISTINCT ON (indicator_id, pesantren_id) indicator_id, value FROM m
            ORDER BY indicator_id, pesantren_id, period_end DESC, period_start DESC, seq DESC),
agg AS (SELECT indicator_id, sum(value) AS total, avg(value) AS mean, count(DISTINCT pesantren_id) AS n
          FROM m GROUP BY indicator_id)
SELECT json_object_agg(i.code, json_build_object('reporting', coalesce(a.n, 0), 'actual',
         (CASE i.aggregation WHEN 'sum' THEN coalesce(a.total, 0) WHEN 'avg' THEN a.mean
               ELSE (SELECT sum(value) FROM latest l WHERE l.indicator_id = i.id) END)::double precision))
  FROM indicators i LEFT JOIN agg a ON a.indicator_id = i.id"
start=$(date +%s%N)
want=$(psql -d "$db" -Atc "$plain")
plain_ms=$((($(date +%s%N) - start) / 1000000))
curl -s -H "Authorization: Bearer $key" "$base/achievement?year=2024" >"$dir/achievement.json"
same=$(python3 - "$dir/achievement.json" "$want" <<'PY'
import json, sys
got = {i["indicator_code"]: i for i in json.load(open(sys.argv[1]))["items"]}
want = json.loads(sys.argv[2])
fmt = lambda v: None if v is None else "%.15g" % v
print("yes" if all(fmt(got[c]["actual"]) == fmt(w["actual"]) and got[c]["pesantren_reporting"] == w["reporting"]
                   for c, w in want.items()) and set(got) == set(want) else "no")
PY
)
echo
echo "plain SQL recomputation of achievement?year=2024 (no rollups): $plain_ms ms"
if [ "$same" = yes ]; then
  echo "same figures from the rollups and from the plain recomputation"
else
  echo "DIFFERENT figures: rollups $(cat "$dir/achievement.json"), plain $want" >&2
  exit 1
fi

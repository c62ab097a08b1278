#!/usr/bin/env bash
# What gzip saves: bytes and time of a page of 100 pesantren, the 38-row
# regions report (JSON and CSV), the achievement report's CSV (under 1 KiB,
# so left plain) and the CSV export of the whole pesantren list, each plain
# and with Accept-Encoding: gzip. A private PostgreSQL cluster, 100 pesantren
# with every field filled (seeded through the API, so they are the first
# page), then a small report data set (gen_reports.sh), the server, and
# REQUESTS timed requests of each case after WARMUP untimed ones, one at a
# time over loopback. "1 Mbit/s" is the bytes' transfer time on such a link,
# for the phones on rural links the compression is for.
#
# usage: tests/bench/gzip.sh
# env:   OPOP_BIN (build/opop-api), REQUESTS (30), WARMUP (10),
#        N_PESANTREN (2000), N_MEASUREMENTS (100000): the report data set
set -euo pipefail
root=$(cd "$(dirname "$0")/../.." && pwd)
. "$root/deploy/lib/pg.sh"
bin=${OPOP_BIN:-$root/build/opop-api}
key="bench-$(head -c 16 /dev/urandom | od -An -tx1 | tr -d ' \n')"
dir=$(mktemp -d /tmp/opop-gzip-bench.XXXXXX)
db=opop_gzip_bench
server_pid=
trap 'opop_stop_child "$server_pid"; opop_pg_stop "$dir/pg"; rm -rf "$dir"' EXIT

[ -x "$bin" ] || { echo "no server binary at $bin (set OPOP_BIN)" >&2; exit 1; }
chmod 755 "$dir" # the cluster's owner (postgres, when we are root) must reach its folder
OPOP_PG_FSYNC=off opop_pg_start "$dir/pg"
url="host=$PGHOST port=$PGPORT dbname=$db user=$PGUSER"
psql -d postgres -qc "CREATE DATABASE $db"

port=$(python3 -c 'import socket; s = socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])')
OPOP_DATABASE_URL=$url OPOP_PORT=$port OPOP_BOOTSTRAP_API_KEY=$key OPOP_LOG_LEVEL=warning \
  "$bin" serve >"$dir/server.log" 2>&1 &
server_pid=$!
base="http://127.0.0.1:$port"
curl -fs --retry 60 --retry-connrefused --retry-delay 1 -o /dev/null "$base/healthz"

echo "seeding 100 pesantren through the API, then ${N_PESANTREN:-2000} pesantren and ${N_MEASUREMENTS:-100000} measurements ..." >&2
node "$root/tests/bench/seed_pesantren.mjs" "$base" "$key" 100 "$dir/ids.txt" >&2
N_PESANTREN=${N_PESANTREN:-2000} N_MEASUREMENTS=${N_MEASUREMENTS:-100000} "$root/tests/bench/gen_reports.sh" "$db" >&2

requests=${REQUESTS:-30}
warmup=${WARMUP:-10}
# name|path|Accept
cases=(
  "pesantren, page of 100|/v1/pesantren?limit=100|application/json"
  "regions report (38 rows)|/v1/reports/regions?indicator=OMZET&year=2024|application/json"
  "regions report (38 rows)|/v1/reports/regions?indicator=OMZET&year=2024|text/csv"
  "achievement report (<1 KiB)|/v1/reports/achievement?year=2024|text/csv"
  "pesantren export, all rows|/v1/pesantren?format=csv|text/csv"
)

# one request: "bytes seconds" (the bytes as sent: curl does not decompress without --compressed)
fetch() {
  curl -s -o /dev/null -w '%{size_download} %{time_total}\n' -H "Authorization: Bearer $key" \
    -H "Accept: $2" -H "Accept-Encoding: $3" "$base$1"
}

median_ms() {
  sort -n | awk '{ t[NR] = $1 * 1000 } END { printf "%.2f", (NR % 2) ? t[(NR + 1) / 2] : (t[NR / 2] + t[NR / 2 + 1]) / 2 }'
}

echo "$requests requests of each case and encoding, one at a time over loopback, after $warmup untimed;" \
  "$(nproc) cores, load average $(cut -d' ' -f1-3 /proc/loadavg)"
echo
printf '| %-26s | %-4s | %-8s | %9s | %14s | %13s |\n' case as encoding bytes "loopback, ms" "1 Mbit/s, ms"
printf '|%s|%s|%s|%s|%s|%s|\n' "$(printf -- '-%.0s' {1..28})" "------" "----------" "-----------" \
  "----------------" "---------------"
for c in "${cases[@]}"; do
  IFS='|' read -r name path accept <<<"$c"
  for enc in identity gzip; do
    status=$(curl -s -o /dev/null -w '%{http_code}' -H "Authorization: Bearer $key" -H "Accept: $accept" \
      -H "Accept-Encoding: $enc" "$base$path")
    if [ "$status" != 200 ]; then # a case this build does not serve (an older one)
      printf '| %-26s | %-4s | %-8s | %s |\n' "$name" "${accept#*/}" "$enc" "answered $status: skipped"
      continue
    fi
    for _ in $(seq "$warmup"); do fetch "$path" "$accept" "$enc" >/dev/null; done
    runs=$(for _ in $(seq "$requests"); do fetch "$path" "$accept" "$enc"; done)
    bytes=$(echo "$runs" | awk 'NR == 1 { print $1 }')
    ms=$(echo "$runs" | awk '{ print $2 }' | median_ms)
    link=$(awk -v b="$bytes" 'BEGIN { printf "%.0f", b * 8 / 1000 }')
    printf '| %-26s | %-4s | %-8s | %9s | %14s | %13s |\n' "$name" "${accept#*/}" "$enc" "$bytes" "$ms" "$link"
  done
done

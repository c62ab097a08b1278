#!/usr/bin/env bash
# Export memory (a script, not a test): 100,000 pesantren in a private
# PostgreSQL, then the whole list as CSV and as XLSX, with the server's RSS
# sampled every 50 ms while each file streams. Prints bytes, time and peak RSS.
#   BIN: the server binary (default: a release build in build-bench/)
set -euo pipefail
cd "$(dirname "$0")/../.."
if [ -z "${BIN:-}" ]; then
  [ -f build-bench/build.ninja ] || meson setup build-bench --buildtype=release >/dev/null
  ninja -C build-bench opop-api >/dev/null
  BIN=build-bench/opop-api
fi
. deploy/lib/pg.sh
work=$(mktemp -d "${TMPDIR:-/tmp}/opop-export.XXXXXX"); chmod 755 "$work"
trap 'kill $srv 2>/dev/null; opop_pg_stop "$work/pg" >/dev/null 2>&1 || true; rm -rf "$work"' EXIT
OPOP_PG_FSYNC=off opop_pg_start "$work/pg" >/dev/null
psql -q -d postgres -c "CREATE DATABASE exp" >/dev/null
export OPOP_DATABASE_URL="postgresql:///exp?host=$PGHOST&user=postgres" OPOP_PORT=18455 \
  OPOP_BOOTSTRAP_ADMIN_EMAIL=exp@example.org OPOP_BOOTSTRAP_ADMIN_PASSWORD=Export-pass-12345
"$BIN" serve >"$work/log" 2>&1 & srv=$!
for i in $(seq 50); do curl -sf http://127.0.0.1:18455/healthz >/dev/null && break; sleep 0.2; done
psql -q -d exp -c "INSERT INTO pesantren (nspp, name, region_code, santri_count) SELECT (510000000000 + g)::text, 'Pondok Uji ' || g, '35.78', g % 900 FROM generate_series(1, 100000) g" 
TOKEN=$(curl -s http://127.0.0.1:18455/v1/auth/login -H 'Content-Type: application/json' -d '{"email":"exp@example.org","password":"Export-pass-12345"}' | jq -r .token)
rss() { awk '/VmRSS/{print $2}' /proc/$srv/status; }
echo "rest RSS: $(rss) KiB"
for f in csv xlsx; do
  peak=0
  ( while kill -0 $srv 2>/dev/null; do r=$(rss); echo $r; sleep 0.05; done ) > "$work/samples.$f" & s=$!
  /usr/bin/time -f "%e s" curl -s -o "$work/out.$f" -H "Authorization: Bearer $TOKEN" "http://127.0.0.1:18455/v1/pesantren?format=$f" 2>"$work/t.$f" || true
  kill $s; wait $s 2>/dev/null || true
  echo "$f: $(stat -c %s "$work/out.$f") bytes, $(cat "$work/t.$f" | tail -1), peak RSS $(sort -n "$work/samples.$f" | tail -1) KiB, rows $( [ $f = csv ] && wc -l < "$work/out.$f" || echo n/a)"
done

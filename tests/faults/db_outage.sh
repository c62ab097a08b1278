#!/usr/bin/env bash
# Database outage figure: with PostgreSQL stopped under a running service,
# every answer is 503 with Retry-After, and how fast; after PostgreSQL is
# back, how long until requests succeed again (no restart of the service).
# Then the same with the database refusing writes (read-only).
# Usage: tests/faults/db_outage.sh (builds first; uses a private cluster).
set -euo pipefail
cd "$(dirname "$0")/../.."
. tests/faults/lib.sh
port=18765
OPOP_DATABASE_URL="host=$PGHOST dbname=opop user=postgres" OPOP_PORT=$port OPOP_LOG_LEVEL=error \
  OPOP_BOOTSTRAP_ADMIN_EMAIL=admin@example.org OPOP_BOOTSTRAP_ADMIN_PASSWORD=Admin-pass-123 \
  build/opop-api serve >"$work/server.log" 2>&1 &
pid=$!
api=http://127.0.0.1:$port
for _ in $(seq 100); do curl -fs "$api/healthz" >/dev/null && break; sleep 0.1; done
token=$(curl -s "$api/v1/auth/login" -H 'Content-Type: application/json' \
  -d '{"email":"admin@example.org","password":"Admin-pass-123"}' | sed 's/.*"token":"\([^"]*\)".*/\1/')
probe() { # prints: status seconds retry-after
  curl -s -o /dev/null -D "$work/h" -w '%{http_code} %{time_total}' -m 10 "$api/v1/pesantren?limit=1" \
    -H "Authorization: Bearer $token"
  printf ' %s\n' "$(tr -d '\r' <"$work/h" | sed -n 's/^[Rr]etry-[Aa]fter: //p')"
}
write() {
  curl -s -o /dev/null -w '%{http_code} %{time_total}\n' -m 10 "$api/v1/pesantren" -H "Authorization: Bearer $token" \
    -H 'Content-Type: application/json' -d "{\"nspp\":\"5100$(shuf -i 10000000-99999999 -n1)\",\"name\":\"Pondok Uji\",\"region_code\":\"35.78\"}"
}
echo "before: $(probe)"
opop_as_owner "$(opop_pg_bin)/pg_ctl" -D "$work/pg/data" -m fast -w stop >/dev/null
echo "PostgreSQL stopped"
worst=0
for i in $(seq 20); do
  line=$(probe)
  echo "  down #$i: $line"
  worst=$(awk -v a="$worst" -v b="$(echo "$line" | cut -d' ' -f2)" 'BEGIN{print (b>a)?b:a}')
done
echo "slowest answer while down: ${worst}s"
opop_as_owner "$(opop_pg_bin)/pg_ctl" -D "$work/pg/data" -l "$work/pg/postgres.log" -w start >/dev/null
back=$(date +%s.%N)
until [ "$(probe | cut -d' ' -f1)" = 200 ]; do sleep 0.05; done
echo "PostgreSQL back: first 200 after $(awk -v a="$back" -v b="$(date +%s.%N)" 'BEGIN{printf "%.2f", b-a}')s"
psql -d postgres -qc "ALTER DATABASE opop SET default_transaction_read_only = on" >/dev/null
psql -d opop -qc "SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE datname = 'opop' AND pid <> pg_backend_pid()" >/dev/null
echo "read-only database, a write: $(write)"
echo "read-only database, a write: $(write)"
psql -d postgres -qc "ALTER DATABASE opop SET default_transaction_read_only = off" >/dev/null
echo "unexpected-error (500) lines logged: $(grep -c 'reply_db: .* failed' "$work/server.log" || true)"

#!/usr/bin/env bash
# Rolling update check: builds the service as it was at the last commit before
# the newest migration (from git history), migrates one database with the old
# binary, loads the demo, applies the new migrations with the current binary,
# then runs both binaries side by side on that database: each signs in, writes,
# and reads what the other wrote (lists, the change feed, the audit trail).
# Ends with "upgrade: N passed, M failed"; skips (exit 0) when the history is
# too shallow to hold that commit.
#   tests/upgrade.sh            (about two minutes: one extra build)
set -euo pipefail
cd "$(dirname "$0")/.."
. deploy/lib/pg.sh
opop_install

newest=$(git ls-files 'db/migrations/*.sql' | sort | tail -1)
added=$(git log --diff-filter=A --format=%H -1 -- "$newest")
if [ -z "$added" ] || ! old=$(git rev-parse --verify -q "$added^"); then
  echo "upgrade: skipped: the commit before $newest is not in this clone (shallow history?)" >&2
  exit 0
fi
work=$(mktemp -d /tmp/opop-upgrade.XXXXXX)
chmod 755 "$work"
pids=()
cleanup() {
  for p in "${pids[@]}"; do kill -TERM "$p" 2>/dev/null || true; done
  wait 2>/dev/null || true
  opop_pg_stop "$work/pg" || true
  git worktree remove --force "$work/src" >/dev/null 2>&1 || true
  rm -rf "$work"
}
trap cleanup EXIT

echo "== building $(git log --format='%h %s' -1 "$old" | cut -c1-80)" >&2
git worktree add --detach "$work/src" "$old" >/dev/null 2>&1
(cd "$work/src" && meson setup "$work/old" --buildtype=release >/dev/null && ninja -C "$work/old" >/dev/null)
[ -f build/build.ninja ] || meson setup build >/dev/null
ninja -C build >/dev/null

OPOP_PG_FSYNC=off opop_pg_start "$work/pg"
opop_pg_createdb opop
export PGDATABASE=opop
export OPOP_DATABASE_URL="host=$PGHOST port=$PGPORT dbname=opop user=postgres" OPOP_LOG_LEVEL=warning
export OPOP_BOOTSTRAP_ADMIN_EMAIL=admin@example.org OPOP_BOOTSTRAP_ADMIN_PASSWORD=Admin-pass-123
"$work/old/opop-api" migrate >&2
psql -q -v ON_ERROR_STOP=1 -f deploy/demo.sql >/dev/null
build/opop-api migrate >&2

passed=0 failed=0
expect() { # expect WHAT STATUS ACTUAL
  if [ "$2" = "$3" ]; then passed=$((passed + 1)); else failed=$((failed + 1)); echo "FAIL: $1: want $2, got $3" >&2; fi
}
serve() { # serve BINARY PORT
  OPOP_PORT=$2 "$1" serve 2>>"$work/servers.log" &
  pids+=($!)
  for _ in $(seq 100); do curl -sf "http://127.0.0.1:$2/readyz" >/dev/null && return 0; sleep 0.1; done
  echo "server on port $2 did not become ready" >&2
  cat "$work/servers.log" >&2
  return 1
}
serve "$work/old/opop-api" 18401
serve "$PWD/build/opop-api" 18402
login() { curl -s "http://127.0.0.1:$1/v1/auth/login" -H 'Content-Type: application/json' \
  -d '{"email": "admin@example.org", "password": "Admin-pass-123"}' | python3 -c 'import json,sys; print(json.load(sys.stdin)["token"])'; }
status() { curl -s -o /dev/null -w '%{http_code}' "$@"; }

n=0
for port in 18401 18402; do
  other=$((port == 18401 ? 18402 : 18401))
  token=$(login "$port")
  n=$((n + 1))
  id=$(curl -s "http://127.0.0.1:$port/v1/pesantren" -H "Authorization: Bearer $token" \
    -H 'Content-Type: application/json' \
    -d "{\"nspp\": \"51003578990$n\", \"name\": \"Pondok Pesantren Rolling $n\", \"region_code\": \"35.78\"}" |
    python3 -c 'import json,sys; print(json.load(sys.stdin)["id"])')
  otoken=$(login "$other")
  expect "pesantren written on $port read on $other" 200 \
    "$(status "http://127.0.0.1:$other/v1/pesantren/$id" -H "Authorization: Bearer $otoken")"
  for path in /v1/pesantren /v1/changes?limit=100 /v1/audit-events /v1/reports/achievement?year=2024 /metrics; do
    expect "GET $path on $port" 200 "$(status "http://127.0.0.1:$port$path" -H "Authorization: Bearer $token")"
  done
  trail=$(curl -s "http://127.0.0.1:$other/v1/audit-events?entity_id=$id" -H "Authorization: Bearer $otoken")
  expect "the audit trail on $other holds the write on $port" 1 "$(grep -o '"action":"create"' <<<"$trail" | wc -l)"
  expect "the change feed holds the write on $port" 1 \
    "$(psql -Atc "SELECT count(*) FROM changes WHERE entity_id = '$id' AND action = 'created'")"
done
echo "upgrade: $passed passed, $failed failed"
[ "$failed" -eq 0 ]

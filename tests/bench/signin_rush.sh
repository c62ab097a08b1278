#!/usr/bin/env bash
# Sign-in rush benchmark (a script, not a test): builds the server (release),
# starts a private PostgreSQL, seeds a few pesantren, and runs
# signin_rush.mjs: reads of other clients, quiet and then during a rush of
# SIGNERS continuous sign-ins. Prints p50/p99/max of the reads in each phase.
#
# Knobs: RUSH_SECONDS (20) SIGNERS (32) READERS (4) PORT (18311)
#   BIN: another server binary to measure (e.g. one built from an older commit)
#   OPOP_HTTP_THREADS, OPOP_DB_POOL_SIZE: passed to the server (unset: defaults)
set -euo pipefail
cd "$(dirname "$0")/../.."
root=$PWD
. deploy/lib/pg.sh
command -v node >/dev/null 2>&1 || OPOP_PACKAGES="$OPOP_PACKAGES nodejs"
opop_install

SECONDS_=${RUSH_SECONDS:-20}
SIGNERS=${SIGNERS:-32}
READERS=${READERS:-4}
PORT=${PORT:-18311}
ADMIN_EMAIL=rush@example.org
ADMIN_PASSWORD=Rush-pass-12345
if [ -z "${BIN:-}" ]; then
  if [ -f build-bench/build.ninja ]; then meson setup --reconfigure build-bench --buildtype=release >/dev/null
  else meson setup build-bench --buildtype=release >/dev/null; fi
  ninja -C build-bench opop-api >/dev/null
  BIN=$root/build-bench/opop-api
fi

work=$(mktemp -d /tmp/opop-rush.XXXXXX)
chmod 755 "$work"
server_pid=
cleanup() {
  if [ -n "$server_pid" ] && kill -0 "$server_pid" 2>/dev/null; then
    kill -TERM "$server_pid"
    wait "$server_pid" 2>/dev/null || true
  fi
  opop_pg_stop "$work/pg" || true
  rm -rf "$work"
}
trap cleanup EXIT
trap 'exit 130' INT TERM

OPOP_PG_FSYNC=on opop_pg_start "$work/pg"
opop_pg_createdb opop_rush
env_args=(OPOP_DATABASE_URL="host=$PGHOST port=$PGPORT dbname=opop_rush user=postgres" OPOP_PORT="$PORT"
  OPOP_BOOTSTRAP_ADMIN_EMAIL="$ADMIN_EMAIL" OPOP_BOOTSTRAP_ADMIN_PASSWORD="$ADMIN_PASSWORD" OPOP_LOG_LEVEL=warning)
[ -n "${OPOP_HTTP_THREADS:-}" ] && env_args+=(OPOP_HTTP_THREADS="$OPOP_HTTP_THREADS")
[ -n "${OPOP_DB_POOL_SIZE:-}" ] && env_args+=(OPOP_DB_POOL_SIZE="$OPOP_DB_POOL_SIZE")
env -u OPOP_HTTP_THREADS -u OPOP_DB_POOL_SIZE "${env_args[@]}" "$BIN" serve >>"$work/server.log" 2>&1 &
server_pid=$!
for _ in $(seq 1 200); do
  curl -fsS -o /dev/null "http://127.0.0.1:$PORT/healthz" 2>/dev/null && break
  kill -0 "$server_pid" 2>/dev/null || { tail -20 "$work/server.log" >&2; exit 1; }
  sleep 0.05
done
token=$(curl -fsS -H 'Content-Type: application/json' -d "{\"email\":\"$ADMIN_EMAIL\",\"password\":\"$ADMIN_PASSWORD\"}" \
  "http://127.0.0.1:$PORT/v1/auth/login" | node -e 'let s="";process.stdin.on("data",d=>s+=d).on("end",()=>process.stdout.write(JSON.parse(s).token))')
node tests/bench/seed_pesantren.mjs "http://127.0.0.1:$PORT" "$token" 200 "$work/ids.txt" 4 >/dev/null
echo "cores: $(nproc); server: $BIN"
node tests/bench/signin_rush.mjs "http://127.0.0.1:$PORT" "$ADMIN_EMAIL" "$ADMIN_PASSWORD" "$SECONDS_" "$SIGNERS" "$READERS"

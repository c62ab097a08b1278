#!/usr/bin/env bash
# One command for a laptop or a fresh Debian machine (as root): installs what
# is missing, builds, starts a private PostgreSQL cluster under .local/ (or
# $OPOP_LOCAL_DIR) on a Unix socket, migrates, and serves in the foreground on
# 127.0.0.1:8080 ($OPOP_PORT). Ctrl-C or SIGTERM stops the server and the
# cluster. With OPOP_DATABASE_URL set, that database is used instead.
#   deploy/local.sh [--demo]     --demo loads deploy/demo.sql (sample data)
set -euo pipefail
cd "$(dirname "$0")/.."
. deploy/lib/pg.sh

demo=0
for arg in "$@"; do
  case "$arg" in
    --demo) demo=1 ;;
    -h|--help) sed -n '2,8p' "$0"; exit 0 ;;
    *) echo "unknown option: $arg" >&2; exit 2 ;;
  esac
done

command -v npm >/dev/null 2>&1 || OPOP_PACKAGES="$OPOP_PACKAGES npm" # the /docs renderer
opop_install
opop_build
# /docs finds its renderer beside the binary; without it the page says so.
deploy/lib/docs_assets.sh "$OPOP_BUILD_DIR/docs" || echo "the /docs renderer could not be installed" >&2
opop_local_db
started_cluster=$OPOP_LOCAL_PG

stop_cluster() { [ -n "$started_cluster" ] && opop_pg_stop "$started_cluster"; return 0; }
trap stop_cluster EXIT

$OPOP_BUILD_DIR/opop-api migrate >&2
if [ "$demo" = 1 ]; then
  psql "${OPOP_MIGRATE_DATABASE_URL:-$OPOP_DATABASE_URL}" -v ON_ERROR_STOP=1 -q -f deploy/demo.sql >&2
  echo "demo data loaded" >&2
fi

port=${OPOP_PORT:-8080}
bind=${OPOP_BIND:-127.0.0.1}
cat >&2 <<MSG

OPOP Jatim API: http://$bind:$port   (spec: /openapi.json, docs: /docs)
Sign in and list pesantren:
  TOKEN=\$(curl -s -X POST http://$bind:$port/v1/auth/login -H 'Content-Type: application/json' \\
    -d '{"email": "${OPOP_BOOTSTRAP_ADMIN_EMAIL:-admin@example.org}", "password": "..."}' | jq -r .token)
  curl -s http://$bind:$port/v1/pesantren -H "Authorization: Bearer \$TOKEN"
MSG
if [ -z "${OPOP_BOOTSTRAP_ADMIN_EMAIL:-}" ]; then
  cat >&2 <<MSG
No admin is bootstrapped: start with OPOP_BOOTSTRAP_ADMIN_EMAIL and OPOP_BOOTSTRAP_ADMIN_PASSWORD set, or run
  echo 'a-strong-password' | OPOP_DATABASE_URL='$OPOP_DATABASE_URL' $OPOP_BUILD_DIR/opop-api user create --email you@example.org --name 'Your Name' --role admin
MSG
fi
echo >&2

$OPOP_BUILD_DIR/opop-api serve &
server=$!
trap 'kill -TERM "$server" 2>/dev/null || true' INT TERM
status=0
wait "$server" || status=$?
# A signal interrupts the first wait; wait again for the server to finish.
kill -0 "$server" 2>/dev/null && { wait "$server" || status=$?; }
exit "$status"

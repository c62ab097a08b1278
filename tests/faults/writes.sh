#!/usr/bin/env bash
# Nothing lost, nothing doubled: WRITES (20000) measurement writes with
# Idempotency-Keys from CLIENTS (32) retrying clients while PostgreSQL is
# restarted twice and the service once; prints the counts (tests/faults/writes.mjs).
# Usage: [WRITES=n] [CLIENTS=n] tests/faults/writes.sh
set -euo pipefail
cd "$(dirname "$0")/../.."
. tests/faults/lib.sh
OPOP_BIN="$PWD/build/opop-api" OPOP_DB=opop PG_BIN="$(opop_pg_bin)" PG_DATA="$work/pg/data" \
  PG_LOG="$work/pg/postgres.log" node tests/faults/writes.mjs

#!/usr/bin/env bash
# Graceful shutdown figure: SIGTERM while 32 clients keep sending requests.
# Prints when /readyz turned 503, how the requests in flight were answered,
# whether new connections were refused, and the exit code and time.
# Usage: tests/faults/shutdown.sh
set -euo pipefail
cd "$(dirname "$0")/../.."
. tests/faults/lib.sh
OPOP_BIN="$PWD/build/opop-api" OPOP_DB="opop" node tests/faults/shutdown.mjs

#!/usr/bin/env bash
# Memory soak: DURATION (600 seconds) of mixed load (reads, lists, writes, reports,
# sign-ins) on one server while its RSS is sampled from /proc every
# SAMPLE_SECONDS (5); prints start, warm, every minute, peak and end RSS and
# whether it grew over 10 % (tests/faults/soak.mjs).
# Usage: [DURATION=seconds] [WORKERS=n] tests/faults/soak.sh
set -euo pipefail
cd "$(dirname "$0")/../.."
. tests/faults/lib.sh
OPOP_BIN="$PWD/build/opop-api" OPOP_DB=opop node tests/faults/soak.mjs

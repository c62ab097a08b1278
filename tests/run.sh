#!/usr/bin/env bash
# Installs what is missing, builds, starts a throwaway PostgreSQL cluster, and
# runs every test: unit (cmocka), integration (real server over HTTP), and the
# integration suite again under AddressSanitizer + UndefinedBehaviorSanitizer
# (OPOP_TEST_SANITIZE=0 skips that pass). Ends with "N passed, M failed".
set -euo pipefail
cd "$(dirname "$0")/.."
. deploy/lib/pg.sh

command -v node >/dev/null 2>&1 || OPOP_PACKAGES="$OPOP_PACKAGES nodejs"
command -v npm >/dev/null 2>&1 || OPOP_PACKAGES="$OPOP_PACKAGES npm"
command -v chromium >/dev/null 2>&1 || OPOP_PACKAGES="$OPOP_PACKAGES chromium" # the /docs check
command -v clang-format >/dev/null 2>&1 || OPOP_PACKAGES="$OPOP_PACKAGES clang-format" # the house style
command -v haproxy >/dev/null 2>&1 || OPOP_PACKAGES="$OPOP_PACKAGES haproxy" # the cluster step
command -v clang >/dev/null 2>&1 || OPOP_PACKAGES="$OPOP_PACKAGES clang libclang-rt-dev" # fuzz/ (libFuzzer)
python3 -c "import openpyxl" 2>/dev/null || OPOP_PACKAGES="$OPOP_PACKAGES python3-openpyxl" # reads exports
command -v jq >/dev/null 2>&1 || OPOP_PACKAGES="$OPOP_PACKAGES jq" # the README tour
opop_install

passed=0
failed=0
count() { passed=$((passed + $1)); failed=$((failed + $2)); }

build() { # build DIR [meson options...]
  local dir=$1
  shift
  # Reconfigure every time: sources and migrations are discovered at configure time.
  if [ -f "$dir/build.ninja" ]; then meson setup --reconfigure "$dir" "$@" >/dev/null; else meson setup "$dir" "$@" >/dev/null; fi
  ninja -C "$dir" >/dev/null
}

echo "== build" >&2
build build

# Every C file matches the committed .clang-format (one test: the list of files that do not).
echo "== format (clang-format)" >&2
unformatted=$(git ls-files '*.c' '*.h' | while read -r f; do
  clang-format --dry-run --Werror "$f" >/dev/null 2>&1 || echo "$f"
done)
if [ -z "$unformatted" ]; then count 1 0; else echo "not formatted (run clang-format -i): $unformatted" >&2; count 0 1; fi

# The container and Kubernetes files against the service (statically: no image is pulled here).
echo "== deploy files (tests/deploy/check.py)" >&2
if python3 tests/deploy/check.py >&2; then count 1 0; else count 0 1; fi

echo "== unit tests" >&2
if meson test -C build --suite unit --print-errorlogs >/tmp/opop-unit.$$ 2>&1; then :; fi
cat /tmp/opop-unit.$$ >&2
u_ok=$(sed -n 's/^Ok: *\([0-9]*\).*/\1/p' /tmp/opop-unit.$$)
u_fail=$(sed -n 's/^Fail: *\([0-9]*\).*/\1/p' /tmp/opop-unit.$$)
rm -f /tmp/opop-unit.$$
count "${u_ok:-0}" "${u_fail:-1}"

work=$(mktemp -d /tmp/opop-test.XXXXXX)
chmod 755 "$work"
cleanup() { opop_pg_stop "$work/pg" || true; rm -rf "$work"; }
trap cleanup EXIT
OPOP_PG_FSYNC=off opop_pg_start "$work/pg"

# Contract tools (pinned in tests/contract/package-lock.json). With them in
# place every answer of the integration suites is validated against the
# OpenAPI document; the violations are counted by the contract step below.
echo "== contract tools (npm ci)" >&2
contract_ok=0
if (cd tests/contract && npm ci --no-audit --no-fund --loglevel=error) >&2; then
  contract_ok=1
  export OPOP_CONTRACT_OUT="$work/contract"
  export REDOCLY_TELEMETRY=off REDOCLY_SUPPRESS_UPDATE_NOTICE=true
else
  count 0 1
fi

# run_integration LABEL BINARY: runs the node suites against BINARY.
run_integration() {
  local label=$1 bin=$2 out="$work/$1.tap"
  echo "== integration tests ($label)" >&2
  OPOP_BIN="$bin" node --test --test-reporter=tap --test-concurrency="${OPOP_TEST_JOBS:-2}" \
    tests/integration/*.test.mjs >"$out" 2>&1 || true
  grep -E '^(not ok|# (pass|fail|tests|duration))' "$out" >&2 || true
  grep -B2 -A25 '^not ok' "$out" | head -200 >&2 || true
  local p f
  p=$(sed -n 's/^# pass \([0-9]*\)/\1/p' "$out" | tail -1)
  f=$(sed -n 's/^# fail \([0-9]*\)/\1/p' "$out" | tail -1)
  [ -n "$p" ] || f=$((${f:-0} + 1)) # the runner itself failed
  count "${p:-0}" "${f:-0}"
}

run_integration plain "$PWD/build/opop-api"

# Several instances behind HAProxy: a rolling restart under load fails no
# request and stores every acknowledged write once.
echo "== cluster: rolling restart behind HAProxy (tests/cluster/rolling.sh)" >&2
if WORKERS=4 tests/cluster/rolling.sh >"$work/rolling.json" 2>"$work/rolling.err"; then
  count 1 0
else
  cat "$work/rolling.json" "$work/rolling.err" >&2
  count 0 1
fi

if [ "${OPOP_TEST_SANITIZE:-1}" = 1 ]; then
  echo "== build (address, undefined sanitizers)" >&2
  build build-asan -Db_sanitize=address,undefined -Db_lundef=false -Dbuildtype=debug
  ASAN_OPTIONS=detect_leaks=1:abort_on_error=0 LSAN_OPTIONS="suppressions=$PWD/tests/lsan.supp:print_suppressions=0" \
    UBSAN_OPTIONS=print_stacktrace=1 \
    run_integration sanitized "$PWD/build-asan/opop-api"
fi

# A rolling update: the binary before the newest migration beside the current
# one on one migrated database (OPOP_TEST_UPGRADE=0 skips it).
if [ "${OPOP_TEST_UPGRADE:-1}" = 1 ]; then
  echo "== upgrade (tests/upgrade.sh)" >&2
  if tests/upgrade.sh >&2; then count 1 0; else count 0 1; fi
fi

# Every parser of client bytes under libFuzzer with ASan+UBSan, briefly each.
if [ "${OPOP_TEST_FUZZ:-1}" = 1 ]; then
  echo "== fuzz (libFuzzer, ${FUZZ_SECONDS:-20} s a target)" >&2
  fuzz_out=$(FUZZ_SECONDS=${FUZZ_SECONDS:-20} fuzz/run.sh | tail -1) || true
  echo "$fuzz_out" >&2
  f_ok=$(echo "$fuzz_out" | sed -n 's/.* \([0-9]*\) passed.*/\1/p')
  f_fail=$(echo "$fuzz_out" | sed -n 's/.* \([0-9]*\) failed.*/\1/p')
  count "${f_ok:-0}" "${f_fail:-1}"
fi

# Contract: the OpenAPI linter, the route table against the document, the
# validator's own tests, the answers collected above, and /docs in a browser.
run_contract() {
  echo "== contract: lint openapi/openapi.yaml" >&2
  if (cd tests/contract && npx redocly lint --format=stylish --config redocly.yaml ../../openapi/openapi.yaml) >"$work/lint.txt" 2>&1; then
    count 1 0
  else
    count 0 1
  fi
  grep -vE '^\s*(║|╔|╚)' "$work/lint.txt" | tail -40 >&2
  echo "== contract tests" >&2
  local out="$work/contract.tap" p f
  node --test --test-reporter=tap tests/contract/*.test.mjs >"$out" 2>&1 || true
  grep -E '^(not ok|# (pass|fail|tests)|# [0-9]+ answers)' "$out" >&2 || true
  grep -B2 -A40 '^not ok' "$out" | head -200 >&2 || true
  p=$(sed -n 's/^# pass \([0-9]*\)/\1/p' "$out" | tail -1)
  f=$(sed -n 's/^# fail \([0-9]*\)/\1/p' "$out" | tail -1)
  [ -n "$p" ] || f=$((${f:-0} + 1))
  count "${p:-0}" "${f:-0}"
  echo "== contract: /docs in headless Chromium (screenshots build/docs.png, build/docs-operation.png)" >&2
  if OPOP_BIN="$PWD/build/opop-api" node tests/contract/docs_check.mjs "$PWD/build/docs.png" >&2; then count 1 0; else count 0 1; fi
}
if [ "$contract_ok" = 1 ]; then run_contract; fi

echo "$passed passed, $failed failed"
[ "$failed" -eq 0 ]

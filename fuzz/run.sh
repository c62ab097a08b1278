#!/usr/bin/env bash
# Builds every fuzz/fuzz_*.c target with clang's libFuzzer under ASan+UBSan
# into build-fuzz/ and runs each for FUZZ_SECONDS (default 20) on its corpus
# (the committed seeds in fuzz/corpus/<name>/; inputs it finds go to
# build-fuzz/corpus-<name>/). A new parser's
# target is one file: fuzz_<name>.c defining LLVMFuzzerTestOneInput over the
# project's sources below. Ends with "N passed, M failed" (a target that
# crashes fails; its crash input is left in build-fuzz/).
set -uo pipefail
cd "$(dirname "$0")/.."
out=build-fuzz
mkdir -p "$out"
flags="-g -O1 -std=c17 -D_GNU_SOURCE -fsanitize=fuzzer,address,undefined -fno-sanitize-recover=undefined -Iapi -Idb -Ifuzz"
libs="$(pkg-config --cflags --libs jansson libsodium libulfius liborcania libyder zlib libzip expat)"
# The request helpers with a fake request (fuzz/fake_req.c: no database).
srcs="api/cursor.c api/period.c api/validate.c api/accept.c api/language.c api/http.c api/reply.c api/req.c
  api/rules.c api/measurement.c api/pesantren.c api/gzip.c api/list_etag.c api/messages.c api/messages_id.c api/constraints.c
  api/problems.c api/netaddr.c api/etag.c api/csv_in.c api/xlsx_in.c fuzz/fake_req.c"
passed=0
failed=0
for target in fuzz/fuzz_*.c; do
  name=$(basename "$target" .c)
  name=${name#fuzz_}
  mkdir -p "fuzz/corpus/$name" "$out/corpus-$name"
  if ! clang $flags -o "$out/fuzz_$name" "$target" $srcs $libs; then
    failed=$((failed + 1))
    continue
  fi
  if "$out/fuzz_$name" -max_total_time="${FUZZ_SECONDS:-20}" -max_len=4096 -artifact_prefix="$out/$name-" \
    "$out/corpus-$name" "fuzz/corpus/$name" >"$out/$name.log" 2>&1; then
    passed=$((passed + 1))
  else
    tail -30 "$out/$name.log" >&2
    failed=$((failed + 1))
  fi
done
echo "fuzz: $passed passed, $failed failed"
[ "$failed" -eq 0 ]

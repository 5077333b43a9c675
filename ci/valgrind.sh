#!/usr/bin/env bash
# Memory safety of the task code: every test binary of spindle-core runs under valgrind's
# memcheck; any invalid read/write or definite leak fails the run.
set -euo pipefail
cd "$(dirname "$0")/.."
if ! command -v valgrind >/dev/null; then
    echo "valgrind not found; installing it" >&2
    (apt-get update -qq && apt-get install -y -qq valgrind) >&2
fi
# Valgrind is ~50x slower: keep the property tests short there.
export PROPTEST_CASES="${PROPTEST_CASES:-16}"
# Task cells go back to the allocator on every free, so memcheck sees a use after free.
export SPINDLE_CELL_CACHE=0
binaries=$(cargo test -p spindle-core --no-run --message-format=json 2>/dev/null |
    python3 -c 'import json,sys
for line in sys.stdin:
    m = json.loads(line)
    if m.get("reason") == "compiler-artifact" and m.get("executable") and m["target"]["kind"] != ["bin"]:
        print(m["executable"])')
[ -n "$binaries" ] || { echo "no test binaries found" >&2; exit 1; }
for bin in $binaries; do
    echo "-- valgrind $(basename "$bin")"
    valgrind --quiet --error-exitcode=99 --leak-check=full --errors-for-leak-kinds=definite \
        --show-leak-kinds=definite "$bin" --test-threads=1 -q
done

#!/usr/bin/env bash
# Every check CI runs, in one command: `ci/test.sh`. Budget: under 30 minutes on 2 cores.
#
#   1. rustfmt and clippy (-D warnings) over the whole workspace
#   2. rustdoc with warnings denied
#   3. the facade's feature flags, each on its own
#   4. loom models of the cross-thread paths (ci/loom.sh)
#   5. valgrind memcheck over the task core's tests (ci/valgrind.sh)
#   6. the tour prints exactly the lines of crates/spindle/examples/tour.expected
#   7. cargo test --workspace: unit, integration and doc tests (last, so its summary closes the log)
set -euo pipefail
cd "$(dirname "$0")/.."
export CARGO_TERM_COLOR=never

step() { printf '\n== %s\n' "$*"; }

step "rustfmt"
cargo fmt --all --check

step "clippy"
cargo clippy --workspace --all-targets -- -D warnings

step "rustdoc"
RUSTDOCFLAGS="-D warnings" cargo doc --workspace --no-deps --quiet

step "feature flags of the facade, one at a time"
for features in sync reactor scheduler; do
    echo "-- --no-default-features --features $features"
    cargo test -p spindle --no-default-features --features "$features" --quiet
done
cargo build -p spindle --no-default-features --quiet

step "loom models"
ci/loom.sh

step "valgrind memcheck of the task core"
ci/valgrind.sh

step "the tour prints asyncio's lines"
cargo run --quiet --example tour | diff -u crates/spindle/examples/tour.expected -

step "cargo test --workspace"
cargo test --workspace

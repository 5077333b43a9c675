#!/usr/bin/env bash
# Loom models of the cross-thread paths: the task state machine (spindle-core), the driver's
# park/notify (spindle-reactor), the loop's wake-ups, stop and cancel (spindle-scheduler), and the
# hand-offs of the synchronisation primitives (spindle-sync).
# The real code runs under loom through each crate's `loom.rs` shim.
#
# LOOM_MAX_PREEMPTIONS bounds the search; 3 finishes in a few minutes on 2 cores and has found
# every wake-up bug we planted. Raise it locally for a deeper search.
set -euo pipefail
cd "$(dirname "$0")/.."
export LOOM_MAX_PREEMPTIONS="${LOOM_MAX_PREEMPTIONS:-3}"
export RUSTFLAGS="--cfg loom"
# A target dir of its own: the loom cfg would otherwise invalidate the normal build.
export CARGO_TARGET_DIR="${CARGO_TARGET_DIR:-target}/loom"
cargo test --release --lib -p spindle-core -p spindle-reactor -p spindle-scheduler -p spindle-sync

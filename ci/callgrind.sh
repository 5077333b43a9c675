#!/usr/bin/env bash
# Instructions per operation, spindle against tokio, under callgrind: figures that do not move
# with the load of the machine, to judge a change by.
#
#   ci/callgrind.sh [--quick] [--mt] [WORKLOAD...]
#
#   --quick  n = 2 000 operations per workload instead of 10 000 (a smoke test, seconds)
#   --mt     the multi-thread flavours with 2 workers (spindle-mt, tokio-mt) instead of the
#            current-thread ones; their counts move from run to run by a few per cent
#   WORKLOAD only these rows (default: all of spawn_many_local yield_many ping_pong
#            chained_spawn call_soon gather timer_churn queue_mpsc lock_contended)
#
# Each workload runs once per runtime in benches/src/bin/callgrind.rs: a warm-up run, then the
# measured run inside `callgrind_measured_region`, the only code callgrind counts
# (--toggle-collect; with --mt, every thread's counts are zeroed on entry to it and dumped
# right after it, as the toggle is per thread). The table gives the total Ir of the measured
# run divided by its operations, and spindle/tokio: below 1, spindle executes fewer
# instructions. See benches/README.md, "Instruction counts (callgrind)".
set -euo pipefail
cd "$(dirname "$0")/.."
export CARGO_TERM_COLOR=never

n=10000
flavour=""
all_workloads=(spawn_many_local yield_many ping_pong chained_spawn call_soon gather timer_churn queue_mpsc
    lock_contended)
workloads=()
for arg in "$@"; do
    case "$arg" in
        --quick) n=2000 ;;
        --mt) flavour="-mt" ;;
        -h | --help)
            sed -n '2,18p' "$0" | sed 's/^# \{0,1\}//'
            exit 0
            ;;
        -*)
            echo "callgrind.sh: unknown argument '$arg' (usage: ci/callgrind.sh [--quick] [--mt] [WORKLOAD...])" >&2
            exit 2
            ;;
        *)
            if [[ " ${all_workloads[*]} " != *" $arg "* ]]; then
                echo "callgrind.sh: unknown workload '$arg' (one of: ${all_workloads[*]})" >&2
                exit 2
            fi
            workloads+=("$arg")
            ;;
    esac
done
[ ${#workloads[@]} -gt 0 ] || workloads=("${all_workloads[@]}")

if ! command -v valgrind >/dev/null; then
    echo "valgrind not found; installing it" >&2
    if ! (apt-get update -qq && apt-get install -y -qq valgrind) >&2 || ! command -v valgrind >/dev/null; then
        echo "callgrind.sh: valgrind could not be installed; skipping the instruction counts" >&2
        exit 0
    fi
fi

# The release profile keeps line tables (debug = 1): callgrind_annotate can attribute the
# counts of an out file kept with CALLGRIND_KEEP=DIR.
cargo build --release --quiet -p spindle-benches --bin callgrind
target_dir=$(cargo metadata --format-version 1 --no-deps |
    python3 -c 'import json,sys; print(json.load(sys.stdin)["target_directory"])')
bin="$target_dir/release/callgrind"
[ -x "$bin" ] || { echo "callgrind.sh: $bin was not built" >&2; exit 1; }

tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT

# count RUNTIME WORKLOAD: prints "IR OPS" of the measured run.
count() {
    local runtime=$1 workload=$2 out="$tmp/$1.$2.out" ops total file
    local -a how
    if [ -z "$flavour" ]; then
        how=(--collect-atstart=no --toggle-collect='*callgrind_measured_region*')
        file=$out
    else
        how=(--zero-before='*callgrind_measured_region*' --dump-before='*callgrind_measured_end*')
        file=$out.1 # the first dump: from the zeroing to the end of the measured run
    fi
    if ! ops=$(valgrind --tool=callgrind --quiet "${how[@]}" --callgrind-out-file="$out" \
        "$bin" "$runtime" "$workload" "$n" 2>"$tmp/stderr" | sed -n 's/^ops //p'); then
        cat "$tmp/stderr" >&2
        echo "callgrind.sh: $runtime $workload failed under valgrind" >&2
        return 1
    fi
    total=$(sed -n 's/^totals: *//p' "$file" 2>/dev/null | head -1)
    [ -n "$total" ] || total=$(sed -n 's/^summary: *//p' "$file" 2>/dev/null | head -1)
    if [ -z "$total" ] || [ -z "$ops" ] || [ "$ops" -eq 0 ]; then
        echo "callgrind.sh: no count for $runtime $workload (out file $file)" >&2
        return 1
    fi
    if [ -n "${CALLGRIND_KEEP:-}" ]; then
        mkdir -p "$CALLGRIND_KEEP"
        cp "$file" "$CALLGRIND_KEEP/"
    fi
    echo "$total $ops"
}

printf '%-18s %7s %14s %14s %15s\n' workload n "spindle${flavour} Ir/op" "tokio${flavour} Ir/op" spindle/tokio
for workload in "${workloads[@]}"; do
    spindle=$(count "spindle$flavour" "$workload")
    tokio=$(count "tokio$flavour" "$workload")
    read -r s_ir s_ops <<<"$spindle"
    read -r t_ir t_ops <<<"$tokio"
    awk -v w="$workload" -v n="$s_ops" -v s="$s_ir" -v so="$s_ops" -v t="$t_ir" -v to="$t_ops" \
        'BEGIN { printf "%-18s %7d %14.1f %14.1f %15.3f\n", w, n, s / so, t / to, (s / so) / (t / to) }'
done
echo "call_soon on tokio: n detached tasks (tokio has no callbacks); gather on tokio: spawn each, await each handle."
echo "command: ci/callgrind.sh${*:+ $*}"

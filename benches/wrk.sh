#!/usr/bin/env bash
# HTTP keep-alive throughput with a real client: `wrk` against spindle's
# `examples/http_hello.rs` (streams) and its tokio twin `src/bin/tokio_http_hello.rs`.
#
#   benches/wrk.sh [DURATION] [CONNECTIONS] [THREADS] [WORKERS]   (defaults: 5s 50 2 = cores)
#
# Prints requests/sec for each and the ratio spindle/tokio (above 1: spindle serves more).
# Runs the two servers one after the other, each alone on the machine with wrk. Skips (exit
# 0) when wrk is not installed (Debian: apt-get install wrk). Independent of CI scripts.
set -euo pipefail

DURATION=${1:-5s}
CONNECTIONS=${2:-50}
THREADS=${3:-2}
WORKERS=${4:-$(nproc)}
SPINDLE_PORT=${SPINDLE_PORT:-18080}
TOKIO_PORT=${TOKIO_PORT:-18081}

if ! command -v wrk >/dev/null 2>&1; then
    echo "wrk.sh: wrk is not installed; skipping (apt-get install wrk)"
    exit 0
fi

cd "$(dirname "$0")/.."
TARGET=${CARGO_TARGET_DIR:-target}
cargo build --release -q -p spindle --example http_hello
cargo build --release -q -p spindle-benches --bin tokio_http_hello

SERVER_PID=
stop_server() {
    if [[ -n "$SERVER_PID" ]]; then
        kill "$SERVER_PID" 2>/dev/null || true
        wait "$SERVER_PID" 2>/dev/null || true
        SERVER_PID=
    fi
}
trap stop_server EXIT

# run NAME PORT BINARY: starts the server, waits for its port, runs wrk, prints requests/sec.
run() {
    local name=$1 port=$2 binary=$3
    "$binary" "$port" "$WORKERS" >/dev/null &
    SERVER_PID=$!
    for _ in $(seq 100); do
        if (exec 3<>"/dev/tcp/127.0.0.1/$port") 2>/dev/null; then break; fi
        sleep 0.05
    done
    local out
    out=$(wrk -t"$THREADS" -c"$CONNECTIONS" -d"$DURATION" "http://127.0.0.1:$port/")
    stop_server
    echo "$out" | sed "s/^/  [$name] /" >&2
    if echo "$out" | grep -q "Non-2xx\|Socket errors"; then
        echo "wrk.sh: $name had errors (see above)" >&2
    fi
    echo "$out" | awk '/^Requests\/sec:/ {print $2}'
}

echo "wrk -t$THREADS -c$CONNECTIONS -d$DURATION, servers with $WORKERS worker(s), $(nproc) core(s)"
spindle_rps=$(run spindle "$SPINDLE_PORT" "$TARGET/release/examples/http_hello")
tokio_rps=$(run tokio "$TOKIO_PORT" "$TARGET/release/tokio_http_hello")
printf '%-22s %12s\n' server requests/sec
printf '%-22s %12s\n' "spindle (streams)" "$spindle_rps" "tokio (tokio::net)" "$tokio_rps"
awk -v s="$spindle_rps" -v t="$tokio_rps" 'BEGIN { printf "spindle/tokio          %12.2f  (above 1: spindle serves more)\n", s / t }'
echo "command: benches/wrk.sh $DURATION $CONNECTIONS $THREADS $WORKERS"

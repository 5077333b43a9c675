//! `tcp_echo`, at a tiny size, finishes on every runtime (with 1 and 2 workers), twice on the
//! same runtime (the server of the first iteration is gone before the second).

use spindle_benches::net::tcp_echo;
use spindle_benches::runtimes::{SmolRuntime, SpindleRuntime, TokioRuntime};

#[test]
fn tcp_echo_runs_on_every_runtime() {
    for workers in [1, 2] {
        let spindle = SpindleRuntime::new(workers);
        let tokio = TokioRuntime::new(workers);
        let smol = SmolRuntime::new(workers);
        for _ in 0..2 {
            tcp_echo::spindle(&spindle, 4, 20);
            tcp_echo::tokio(&tokio, 4, 20);
            tcp_echo::smol(&smol, 4, 20);
        }
    }
}

/// The no-sharing bound: loops with equal and unequal shares, and a loop with no connection
/// (3 loops, 2 connections) all finish; zero loops is refused.
#[test]
fn tcp_echo_bound_runs_with_any_split() {
    for (loops, connections) in [(1, 4), (2, 4), (3, 5), (3, 2)] {
        tcp_echo::spindle_split(loops, connections, 20);
    }
    let zero = std::panic::catch_unwind(|| tcp_echo::spindle_split(0, 4, 20));
    assert!(zero.is_err(), "zero loops must be refused");
}

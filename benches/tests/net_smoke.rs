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

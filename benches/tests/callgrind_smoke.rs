//! The `callgrind` binary, run natively (no valgrind): every workload on every runtime finishes
//! and reports the operations `ci/callgrind.sh` divides by; a bad argument is refused.

use std::process::Command;

const RUNTIMES: [&str; 4] = ["spindle", "tokio", "spindle-mt", "tokio-mt"];
/// Every workload `ci/callgrind.sh` counts, with the operations it reports for n = 1,000
/// (some workloads round n to their split).
const WORKLOADS: [(&str, usize); 9] = [
    ("spawn_many_local", 1000),
    ("yield_many", 1000),
    ("ping_pong", 1000),
    ("chained_spawn", 1000),
    ("call_soon", 1000),
    ("gather", 1000),
    ("timer_churn", 1000),
    ("queue_mpsc", 1000),
    ("lock_contended", 960),
];

fn callgrind(args: &[&str]) -> std::process::Output {
    Command::new(env!("CARGO_BIN_EXE_callgrind"))
        .args(args)
        .output()
        .expect("the callgrind binary runs")
}

#[test]
fn every_workload_runs_on_every_runtime_and_reports_its_operations() {
    for runtime in RUNTIMES {
        for (workload, ops) in WORKLOADS {
            let out = callgrind(&[runtime, workload, "1000"]);
            let stdout = String::from_utf8_lossy(&out.stdout);
            assert!(
                out.status.success(),
                "{runtime} {workload}: {}",
                String::from_utf8_lossy(&out.stderr)
            );
            assert_eq!(
                stdout.trim(),
                format!("ops {ops}"),
                "{runtime} {workload}: the operations the script divides by"
            );
        }
    }
}

#[test]
fn an_unknown_workload_is_refused_with_the_usage() {
    let out = callgrind(&["spindle", "no_such_workload", "10"]);
    assert_eq!(out.status.code(), Some(2));
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(
        stderr.contains("unknown workload `no_such_workload`"),
        "{stderr}"
    );
    assert!(
        stderr.contains("lock_contended"),
        "the usage lists the workloads: {stderr}"
    );
}

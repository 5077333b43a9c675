//! Every workload, at a tiny size, finishes on every runtime (with 1 and 2 workers).

use spindle_benches::runtimes::{SmolRuntime, SpindleRuntime, TokioRuntime};
use spindle_benches::{Runtime, Workload};

fn tiny() -> Vec<Workload> {
    vec![
        Workload::SpawnManyLocal { tasks: 100 },
        Workload::SpawnManyRemote { tasks: 100 },
        Workload::YieldMany {
            tasks: 10,
            yields: 10,
        },
        Workload::PingPong {
            pairs: 5,
            rounds: 10,
        },
        Workload::ChainedSpawn { depth: 100 },
    ]
}

fn all_finish<R: Runtime>(rt: &R) {
    for workload in tiny() {
        workload.run(rt, 3);
    }
}

#[test]
fn spindle_runs_every_workload() {
    all_finish(&SpindleRuntime::new(1));
    all_finish(&SpindleRuntime::new(2));
}

#[test]
fn tokio_runs_every_workload() {
    all_finish(&TokioRuntime::new(1));
    all_finish(&TokioRuntime::new(2));
}

#[test]
fn smol_runs_every_workload() {
    all_finish(&SmolRuntime::new(1));
    all_finish(&SmolRuntime::new(2));
}

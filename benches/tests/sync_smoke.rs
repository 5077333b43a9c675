//! Both `sync` workloads, at a tiny size, finish with the right result for every contender
//! (with 1 and 2 workers per runtime).

use spindle_benches::primitives::{Contender, SyncWorkload};
use spindle_benches::runtimes::Runtimes;

fn tiny() -> [SyncWorkload; 2] {
    [
        SyncWorkload::Queue4p1c {
            producers: 4,
            per_producer: 200,
            // Smaller than what one producer puts: the producers must wait for the consumer.
            capacity: 16,
        },
        SyncWorkload::LockContended {
            tasks: 8,
            per_task: 50,
        },
    ]
}

/// Every workload for `contender`; each iteration asserts its result (the consumer's sum,
/// the final count).
fn all_finish(contender: Contender) {
    for workers in [1, 2] {
        let runtimes = Runtimes::new(workers);
        for workload in tiny() {
            workload.run(contender, &runtimes, 3);
        }
    }
}

#[test]
fn spindle_primitives_on_spindle() {
    all_finish(Contender::ALL[0]);
}

#[test]
fn tokio_primitives_on_tokio() {
    all_finish(Contender::ALL[1]);
}

#[test]
fn smol_primitives_on_smol() {
    all_finish(Contender::ALL[2]);
}

#[test]
fn smol_primitives_on_spindle() {
    all_finish(Contender::ALL[3]);
}

#[test]
fn every_contender_is_tested_above() {
    // The four tests above index `Contender::ALL`; a fifth contender needs a fifth test.
    assert_eq!(Contender::ALL.len(), 4);
    let names: Vec<String> = Contender::ALL
        .iter()
        .map(|c| format!("{:?} on {}", c.family, c.on.name()))
        .collect();
    assert_eq!(
        names,
        [
            "Spindle on spindle",
            "Tokio on tokio",
            "Smol on smol",
            "Smol on spindle"
        ]
    );
}

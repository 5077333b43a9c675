//! `shield`: the work outlives whoever awaited it, and its outcome stays observable.

#![cfg(feature = "scheduler")]

mod combinators_common;

use combinators_common::{on_each_loop, Gate, EXPECTED};
use spindle::{shield, spawn, wait_for, Promise, Shield, TaskError, TimeoutError};
use std::time::Duration;

#[test]
fn dropping_a_shield_leaves_the_work_running_to_completion() {
    on_each_loop(|| async {
        let gate = Gate::new();
        let result = Promise::<u32>::new();
        let shielded = {
            let (gate, result) = (gate.clone(), result.clone());
            shield(async move {
                gate.wait().await;
                result.set_result(42).unwrap();
            })
        };
        drop(shielded);
        gate.open();
        assert_eq!(result.await.unwrap(), 42);
    });
}

#[test]
fn cancelling_the_awaiting_task_does_not_cancel_the_shielded_work() {
    on_each_loop(|| async {
        let (started, gate) = (Gate::new(), Gate::new());
        let result = Promise::<&str>::new();
        let outer = {
            let (started, gate, result) = (started.clone(), gate.clone(), result.clone());
            spawn(async move {
                shield(async move {
                    started.open();
                    gate.wait().await;
                    result.set_result("inner finished").unwrap();
                })
                .await
            })
        };
        started.wait().await;
        outer.cancel();
        assert!(matches!(outer.await, Err(TaskError::Cancelled)));
        gate.open();
        assert_eq!(result.await.unwrap(), "inner finished");
    });
}

#[test]
fn a_shield_timed_out_by_reference_still_yields_its_result() {
    on_each_loop(|| async {
        let gate = Gate::new();
        let mut shielded = {
            let gate = gate.clone();
            shield(async move {
                gate.wait().await;
                7
            })
        };
        assert!(matches!(
            wait_for(Duration::from_millis(5), &mut shielded).await,
            Err(TimeoutError)
        ));
        assert!(!shielded.is_done());
        gate.open();
        assert_eq!(shielded.await.unwrap(), 7);
    });
}

#[test]
fn a_shield_reports_the_inner_panic() {
    on_each_loop(|| async {
        let shielded = shield(async { panic!("{EXPECTED} shielded work") });
        match shielded.await {
            Err(error) => assert_eq!(
                error.panic_message(),
                Some(format!("{EXPECTED} shielded work").as_str())
            ),
            Ok(()) => panic!("expected the inner panic"),
        }
    });
}

#[test]
fn a_shield_hands_its_task_back() {
    on_each_loop(|| async {
        let gate = Gate::new();
        let shielded = Shield::from(spawn({
            let gate = gate.clone();
            async move {
                gate.wait().await;
                "back"
            }
        }));
        let task = shielded.into_task();
        gate.open();
        assert_eq!(task.await.unwrap(), "back");
    });
}

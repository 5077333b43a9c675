//! `join2`..`join4`: futures of different types awaited together in the calling task.

#![cfg(feature = "scheduler")]

mod combinators_common;

use combinators_common::{on_each_loop, pending_until_dropped, Gate};
use spindle::{current_task, join2, join3, join4, wait_for, yield_now, TimeoutError};
use std::time::Duration;

#[test]
fn join2_awaits_futures_of_different_types() {
    on_each_loop(|| async {
        let gate = Gate::new();
        let (n, s) = join2(
            {
                let gate = gate.clone();
                async move {
                    gate.wait().await; // needs the other future to run concurrently
                    1u8
                }
            },
            async {
                yield_now().await;
                gate.open();
                String::from("two")
            },
        )
        .await;
        assert_eq!((n, s.as_str()), (1, "two"));
    });
}

#[test]
fn join3_and_join4_return_outputs_in_argument_order() {
    on_each_loop(|| async {
        assert_eq!(
            join3(async { 1 }, async { 'b' }, async { "c" }).await,
            (1, 'b', "c")
        );
        assert_eq!(
            join4(async { 1 }, async { 2u64 }, async { 3i8 }, async { [4] }).await,
            (1, 2, 3, [4])
        );
    });
}

#[test]
fn join2_runs_in_the_calling_task() {
    on_each_loop(|| async {
        spindle::spawn(async {
            let here = current_task().map(|t| t.id());
            assert!(here.is_some());
            let (a, b) = join2(async { current_task().map(|t| t.id()) }, async {
                current_task().map(|t| t.id())
            })
            .await;
            assert_eq!((a, b), (here, here), "not spawned: the same task");
        })
        .await
        .unwrap();
    });
}

#[test]
fn dropping_a_join_drops_its_futures() {
    on_each_loop(|| async {
        let (dropped_a, a) = pending_until_dropped();
        let (dropped_b, b) = pending_until_dropped();
        assert!(matches!(
            wait_for(Duration::from_millis(1), join2(a, b)).await,
            Err(TimeoutError)
        ));
        assert!(dropped_a.is_open() && dropped_b.is_open());
    });
}

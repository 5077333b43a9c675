//! `as_completed`: outcomes in completion order, failures as values, and the tasks not yet
//! finished handed back.

#![cfg(feature = "scheduler")]

mod combinators_common;

use combinators_common::{next, on_each_loop, Gate, EXPECTED};
use futures_core::Stream;
use spindle::{as_completed, spawn, wait, ReturnWhen, Task, TaskError};

fn gated<T: Send + 'static>(gate: &Gate, value: T) -> Task<T> {
    let gate = gate.clone();
    spawn(async move {
        gate.wait().await;
        value
    })
}

#[test]
fn as_completed_yields_in_completion_order() {
    on_each_loop(|| async {
        let gates: Vec<Gate> = (0..3).map(|_| Gate::new()).collect();
        let tasks: Vec<_> = gates.iter().enumerate().map(|(i, g)| gated(g, i)).collect();
        let mut stream = as_completed(tasks);
        assert_eq!(stream.size_hint(), (3, Some(3)));
        let mut order = Vec::new();
        for i in [2, 0, 1] {
            // The next task finishes only after the previous outcome came out.
            gates[i].open();
            order.push(next(&mut stream).await.unwrap().unwrap());
        }
        assert_eq!(order, [2, 0, 1]);
        assert!(next(&mut stream).await.is_none());
    });
}

#[test]
fn as_completed_yields_panics_and_cancellations_as_errors() {
    on_each_loop(|| async {
        let never = Gate::new();
        let cancelled = gated(&never, 0);
        cancelled.cancel();
        let panicked = spawn(async { panic!("{EXPECTED} as_completed") });
        let mut stream = as_completed([cancelled, panicked]);
        let (mut cancellations, mut panics) = (0, 0);
        while let Some(outcome) = next(&mut stream).await {
            match outcome {
                Err(TaskError::Cancelled) => cancellations += 1,
                Err(TaskError::Panicked(_)) => panics += 1,
                other => panic!("unexpected outcome {other:?}"),
            }
        }
        assert_eq!((cancellations, panics), (1, 1));
    });
}

#[test]
fn as_completed_puts_tasks_already_done_first_in_input_order() {
    on_each_loop(|| async {
        let (done, _) = wait(
            vec![spawn(async { "a" }), spawn(async { "b" })],
            ReturnWhen::AllCompleted,
            None,
        )
        .await;
        let gate = Gate::new();
        let late = gated(&gate, "late");
        let mut stream = as_completed([late].into_iter().chain(done));
        assert_eq!(next(&mut stream).await.unwrap().unwrap(), "a");
        assert_eq!(next(&mut stream).await.unwrap().unwrap(), "b");
        gate.open();
        assert_eq!(next(&mut stream).await.unwrap().unwrap(), "late");
    });
}

#[test]
fn as_completed_hands_back_the_tasks_not_yet_yielded() {
    on_each_loop(|| async {
        let (ga, gb) = (Gate::new(), Gate::new());
        let mut stream = as_completed([gated(&ga, 1), gated(&gb, 2)]);
        gb.open();
        assert_eq!(next(&mut stream).await.unwrap().unwrap(), 2);
        assert_eq!(stream.remaining(), 1);
        let pending = stream.into_pending();
        assert_eq!(pending.len(), 1);
        ga.open();
        assert_eq!(pending.into_iter().next().unwrap().await.unwrap(), 1);
    });
}

#[test]
fn as_completed_of_nothing_ends_at_once() {
    on_each_loop(|| async {
        let mut stream = as_completed(Vec::<Task<()>>::new());
        assert!(next(&mut stream).await.is_none());
    });
}

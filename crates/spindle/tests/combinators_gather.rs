//! `gather` and `try_gather`: input order, cancellation on drop, panics and errors, on a
//! current-thread loop and on two workers.

#![cfg(feature = "scheduler")]

mod combinators_common;

use combinators_common::{on_each_loop, panic_text, pending_until_dropped, Gate, EXPECTED};
use spindle::{current_task, gather, spawn, try_gather, TaskError};
use std::future::Future;
use std::pin::Pin;
use std::sync::{Arc, Mutex};

type BoxFuture<T> = Pin<Box<dyn Future<Output = T> + Send>>;

#[test]
fn gather_returns_results_in_input_order_when_children_finish_in_reverse() {
    on_each_loop(|| async {
        const N: usize = 5;
        let gates: Vec<Gate> = (0..N).map(|_| Gate::new()).collect();
        let finished = Arc::new(Mutex::new(Vec::new()));
        let children = (0..N).map(|i| {
            let gates = gates.clone();
            let finished = finished.clone();
            async move {
                gates[i].wait().await;
                finished.lock().unwrap().push(i);
                // The next child may only finish after this one recorded itself.
                if i > 0 {
                    gates[i - 1].open();
                }
                i * 10
            }
        });
        let all = gather(children);
        gates[N - 1].open();
        assert_eq!(all.await, [0, 10, 20, 30, 40]);
        assert_eq!(*finished.lock().unwrap(), [4, 3, 2, 1, 0]);
    });
}

#[test]
fn gather_of_nothing_is_an_empty_vec() {
    on_each_loop(|| async {
        let none: Vec<BoxFuture<u8>> = Vec::new();
        assert!(gather(none).await.is_empty());
    });
}

#[test]
fn gather_runs_each_child_as_its_own_task() {
    on_each_loop(|| async {
        let ids = gather((0..4).map(|_| async { current_task().map(|t| t.id()) })).await;
        let mut ids: Vec<_> = ids
            .into_iter()
            .map(|id| id.expect("a child is a task"))
            .collect();
        ids.sort();
        ids.dedup();
        assert_eq!(ids.len(), 4, "four children, four distinct tasks");
    });
}

#[test]
fn gather_starts_the_children_before_it_is_awaited() {
    on_each_loop(|| async {
        let ran = Gate::new();
        let all = gather([{
            let ran = ran.clone();
            async move { ran.open() }
        }]);
        // Not awaiting `all` yet: the child is a task and runs anyway.
        ran.wait().await;
        all.await;
    });
}

#[test]
fn dropping_a_gather_cancels_the_unfinished_children() {
    on_each_loop(|| async {
        let finished = Gate::new();
        let (dropped_a, a) = pending_until_dropped();
        let (dropped_b, b) = pending_until_dropped();
        let done = {
            let finished = finished.clone();
            async move { finished.open() }
        };
        let children: Vec<BoxFuture<()>> = vec![Box::pin(a), Box::pin(done), Box::pin(b)];
        let all = gather(children);
        finished.wait().await;
        drop(all);
        // Each pending child's future is dropped by the cancellation (a hang fails the test).
        dropped_a.wait().await;
        dropped_b.wait().await;
    });
}

#[test]
fn a_child_panic_reaches_the_awaiter_and_cancels_the_others() {
    on_each_loop(|| async {
        let (dropped, sibling) = pending_until_dropped();
        let started = Gate::new();
        let panicking = {
            let started = started.clone();
            async move {
                started.wait().await;
                panic!("{EXPECTED} child 1 failed");
            }
        };
        let sibling = {
            let started = started.clone();
            async move {
                started.open();
                sibling.await
            }
        };
        let children: Vec<BoxFuture<()>> = vec![Box::pin(sibling), Box::pin(panicking)];
        let awaiter = spawn(async move {
            gather(children).await;
        });
        match awaiter.await {
            Err(TaskError::Panicked(payload)) => assert_eq!(
                panic_text(&*payload),
                Some(format!("{EXPECTED} child 1 failed").as_str()),
                "the child's own payload is resumed"
            ),
            other => panic!("expected the child's panic, got {other:?}"),
        }
        dropped.wait().await;
    });
}

#[test]
fn a_child_cancelled_from_outside_makes_the_gather_panic() {
    on_each_loop(|| async {
        let awaiter = spawn(async {
            gather([async {
                current_task().expect("a task").cancel();
                spindle::yield_now().await; // the cancellation lands here
            }])
            .await;
        });
        let error = awaiter.await.expect_err("the gather must fail");
        let message = error.panic_message().expect("a panic with a message");
        assert!(
            message.contains("child 0") && message.contains("cancelled"),
            "unexpected message: {message}"
        );
    });
}

#[test]
fn gather_of_result_children_keeps_every_error_in_place() {
    on_each_loop(|| async {
        let out = gather((0..4u32).map(|i| async move {
            if i % 2 == 1 {
                Err(format!("odd {i}"))
            } else {
                Ok(i)
            }
        }))
        .await;
        assert_eq!(
            out,
            [
                Ok(0),
                Err("odd 1".to_string()),
                Ok(2),
                Err("odd 3".to_string())
            ]
        );
    });
}

#[test]
fn try_gather_returns_the_values_in_input_order_when_none_fails() {
    on_each_loop(|| async {
        let gates: Vec<Gate> = (0..3).map(|_| Gate::new()).collect();
        let children = (0..3).map(|i| {
            let gates = gates.clone();
            async move {
                gates[i].wait().await;
                if i > 0 {
                    gates[i - 1].open();
                }
                Ok::<usize, String>(i)
            }
        });
        let all = try_gather(children);
        gates[2].open();
        assert_eq!(all.await, Ok(vec![0, 1, 2]));
    });
}

#[test]
fn try_gather_returns_the_first_err_to_happen_and_cancels_the_rest() {
    on_each_loop(|| async {
        let (dropped, stuck) = pending_until_dropped();
        // Earlier in input order, but it never gets to fail: the first error in completion
        // order wins and this child is cancelled.
        let later_error = async move {
            stuck.await;
            Err::<u32, &str>("never")
        };
        let children: Vec<BoxFuture<Result<u32, &str>>> = vec![
            Box::pin(later_error),
            Box::pin(async { Ok(1) }),
            Box::pin(async { Err("first") }),
        ];
        assert_eq!(try_gather(children).await, Err("first"));
        dropped.wait().await;
    });
}

#[test]
fn try_gather_resumes_a_child_panic() {
    on_each_loop(|| async {
        let (dropped, stuck) = pending_until_dropped();
        let children: Vec<BoxFuture<Result<(), ()>>> = vec![
            Box::pin(async move {
                stuck.await;
                Ok(())
            }),
            Box::pin(async { panic!("{EXPECTED} try_gather child") }),
        ];
        let awaiter = spawn(async move { try_gather(children).await });
        let error = awaiter.await.expect_err("the panic reaches the awaiter");
        assert_eq!(
            error.panic_message(),
            Some(format!("{EXPECTED} try_gather child").as_str())
        );
        dropped.wait().await;
    });
}

/// asyncio: `loop.run_until_complete(asyncio.gather(...))`. A gather made before the run
/// spawns its children at its first poll, inside the run.
#[test]
fn a_gather_made_before_the_run_spawns_inside_it() {
    for builder in [
        spindle::EventLoop::builder().current_thread(),
        spindle::EventLoop::builder().worker_threads(2),
    ] {
        let lp = builder.build().unwrap();
        let gathered = spindle::gather((0..3u32).map(|i| async move { i * 10 }));
        assert_eq!(lp.run_until_complete(gathered), vec![0, 10, 20]);
        let tried = spindle::try_gather((0..2u32).map(|i| async move { Ok::<_, ()>(i) }));
        assert_eq!(lp.run_until_complete(tried), Ok(vec![0, 1]));
        lp.close();
    }
}

/// Many children on two workers: most finish on the other worker, some a moment before their
/// task publishes its output, and the results still come back complete and in order.
#[test]
fn a_large_gather_keeps_input_order_on_every_loop() {
    on_each_loop(|| async {
        const N: usize = 10_000;
        for _ in 0..3 {
            let out = gather((0..N).map(|i| async move {
                if i % 7 == 0 {
                    spindle::yield_now().await;
                }
                i
            }))
            .await;
            assert!(out.iter().copied().eq(0..N), "outputs out of order");
            let tried = try_gather((0..N).map(|i| async move { Ok::<_, ()>(i) })).await;
            assert!(tried.is_ok_and(|v| v.into_iter().eq(0..N)));
        }
    });
}

/// An empty gather made outside a loop needs no loop to complete.
#[test]
fn an_empty_gather_made_before_the_run_completes() {
    let lp = spindle::EventLoop::builder()
        .current_thread()
        .build()
        .unwrap();
    let none: Vec<BoxFuture<u8>> = Vec::new();
    assert!(lp.run_until_complete(gather(none)).is_empty());
    let none: Vec<BoxFuture<Result<u8, ()>>> = Vec::new();
    assert_eq!(lp.run_until_complete(try_gather(none)), Ok(Vec::new()));
    lp.close();
}

/// A gather made outside a loop and dropped unpolled spawns nothing.
#[test]
fn a_gather_dropped_before_its_first_poll_spawns_nothing() {
    let ran = Arc::new(Mutex::new(false));
    let all = gather([{
        let ran = ran.clone();
        async move { *ran.lock().unwrap() = true }
    }]);
    assert_eq!(all.len(), 1);
    drop(all);
    let lp = spindle::EventLoop::builder()
        .current_thread()
        .build()
        .unwrap();
    lp.run_until_complete(spindle::yield_now());
    lp.close();
    assert!(!*ran.lock().unwrap());
}

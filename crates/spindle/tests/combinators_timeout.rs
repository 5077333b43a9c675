//! `wait_for`, `timeout` and `timeout_at`: the value when fast enough, the inner future dropped
//! before the timeout is reported. The timeouts here are real (time is the behaviour); the only
//! timed assertion is "it timed out", which never-early timers make exact.

#![cfg(feature = "scheduler")]

mod combinators_common;

use combinators_common::{on_each_loop, pending_until_dropped, Gate, OpenOnDrop};
use spindle::{spawn, timeout, timeout_at, wait_for, yield_now, TaskError, TimeoutError};
use std::future::{poll_fn, Future};
use std::pin::pin;
use std::time::{Duration, Instant};

#[test]
fn wait_for_returns_the_value_when_fast_enough() {
    on_each_loop(|| async {
        let out = wait_for(Duration::from_secs(10), async {
            yield_now().await;
            yield_now().await;
            "done"
        })
        .await;
        assert_eq!(out, Ok("done"));
    });
}

#[test]
fn wait_for_drops_the_inner_future_before_returning_the_timeout() {
    on_each_loop(|| async {
        let (dropped, inner) = pending_until_dropped();
        let timeout = Duration::from_millis(10);
        let start = Instant::now();
        // Keep the `Timeout` alive after it returned, so that only its own poll can have
        // dropped the inner future.
        let mut bounded = pin!(wait_for(timeout, inner));
        let out = poll_fn(|cx| bounded.as_mut().poll(cx)).await;
        assert_eq!(out, Err(TimeoutError));
        assert!(start.elapsed() >= timeout, "never early");
        assert!(
            dropped.is_open(),
            "the inner future was dropped before wait_for returned"
        );
    });
}

#[test]
fn wait_for_with_zero_duration_still_polls_the_future_once() {
    on_each_loop(|| async {
        assert_eq!(wait_for(Duration::ZERO, async { 3 }).await, Ok(3));
        let (dropped, inner) = pending_until_dropped();
        let mut bounded = pin!(wait_for(Duration::ZERO, inner));
        let out = poll_fn(|cx| bounded.as_mut().poll(cx)).await;
        assert_eq!(out, Err(TimeoutError));
        assert!(dropped.is_open());
    });
}

#[test]
fn timeout_at_times_out_at_the_deadline_and_drops_the_inner() {
    on_each_loop(|| async {
        let (dropped, inner) = pending_until_dropped();
        let deadline = Instant::now() + Duration::from_millis(10);
        let mut bounded = pin!(timeout_at(deadline, inner));
        assert_eq!(bounded.deadline(), Some(deadline));
        let out = poll_fn(|cx| bounded.as_mut().poll(cx)).await;
        assert_eq!(out, Err(TimeoutError));
        assert!(Instant::now() >= deadline, "never early");
        assert!(dropped.is_open());
    });
}

#[test]
fn timeout_at_with_a_past_deadline_returns_a_ready_value() {
    on_each_loop(|| async {
        let past = Instant::now();
        assert_eq!(timeout_at(past, async { 'x' }).await, Ok('x'));
    });
}

#[test]
fn timeout_is_wait_for_under_asyncio_3_11_s_name() {
    on_each_loop(|| async {
        assert_eq!(timeout(Duration::from_secs(10), async { 1 }).await, Ok(1));
        let (dropped, inner) = pending_until_dropped();
        assert_eq!(
            timeout(Duration::from_millis(5), inner).await,
            Err(TimeoutError)
        );
        assert!(dropped.is_open());
    });
}

#[test]
fn cancelling_the_task_in_wait_for_drops_the_inner_future() {
    on_each_loop(|| async {
        let (dropped, inner) = pending_until_dropped();
        let started = Gate::new();
        let outer = {
            let started = started.clone();
            spawn(async move {
                started.open();
                wait_for(Duration::from_secs(60), inner).await
            })
        };
        started.wait().await;
        outer.cancel();
        assert!(matches!(outer.await, Err(TaskError::Cancelled)));
        dropped.wait().await;
    });
}

#[test]
fn wait_for_on_a_task_reference_leaves_the_task_running() {
    on_each_loop(|| async {
        let gate = Gate::new();
        let mut task = {
            let gate = gate.clone();
            spawn(async move {
                gate.wait().await;
                9
            })
        };
        assert!(matches!(
            wait_for(Duration::from_millis(5), &mut task).await,
            Err(TimeoutError)
        ));
        gate.open();
        assert_eq!(task.await.unwrap(), 9);
    });
}

#[test]
fn wait_for_runs_a_future_that_is_not_send_in_place() {
    on_each_loop(|| async {
        let local = std::rc::Rc::new(5);
        let guard = OpenOnDrop(Gate::new());
        let out = wait_for(Duration::from_secs(10), async {
            let _guard = &guard;
            *local + 1
        })
        .await;
        assert_eq!(out, Ok(6));
    });
}

/// The first poll reads the clock once, before polling the future: a deadline that passes
/// while the future runs that poll is caught by the timer (never early, and not lost).
#[test]
fn a_deadline_that_passes_during_the_first_poll_still_times_out() {
    on_each_loop(|| async {
        let timeout = Duration::from_millis(2);
        let start = Instant::now();
        let mut polls = 0;
        let busy_then_pending = poll_fn(|_| {
            polls += 1;
            // Outlast the deadline inside the first poll, then never finish (no wake-up of
            // its own: only the timer can end this).
            while polls == 1 && start.elapsed() < 2 * timeout {
                std::hint::spin_loop();
            }
            std::task::Poll::<()>::Pending
        });
        assert_eq!(
            wait_for(timeout, busy_then_pending).await,
            Err(TimeoutError)
        );
        assert!(start.elapsed() >= timeout, "never early");
        let out = wait_for(Duration::from_nanos(1), std::future::pending::<()>()).await;
        assert_eq!(out, Err(TimeoutError));
    });
}

/// Many short `wait_for`s in a row on both loops, most finishing in time, some not: the
/// timers armed and cancelled in between leave nothing pending.
#[test]
fn many_wait_fors_arm_and_cancel_cleanly() {
    on_each_loop(|| async {
        let tasks: Vec<_> = (0..8)
            .map(|t| {
                spawn(async move {
                    let mut timed_out = 0;
                    for i in 0..500 {
                        let out = if (i + t) % 50 == 0 {
                            wait_for(Duration::from_micros(50), std::future::pending::<()>()).await
                        } else {
                            wait_for(Duration::from_secs(60), yield_now()).await
                        };
                        timed_out += usize::from(out.is_err());
                    }
                    timed_out
                })
            })
            .collect();
        for task in tasks {
            assert_eq!(task.await.expect("the task finished"), 10);
        }
    });
}

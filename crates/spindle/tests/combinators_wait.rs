//! `wait` and `wait_results`: the three `ReturnWhen` conditions, timeouts that leave tasks
//! running, and outputs that stay in the done tasks.

#![cfg(feature = "scheduler")]

mod combinators_common;

use combinators_common::{on_each_loop, Gate, EXPECTED};
use spindle::{spawn, wait, wait_results, yield_now, ReturnWhen, Task, TaskError};
use std::time::{Duration, Instant};

/// A task that returns `value` once `gate` opens.
fn gated<T: Send + 'static>(gate: &Gate, value: T) -> Task<T> {
    let gate = gate.clone();
    spawn(async move {
        gate.wait().await;
        value
    })
}

#[test]
fn wait_all_completed_returns_every_task_done_with_its_output() {
    on_each_loop(|| async {
        let (ga, gb) = (Gate::new(), Gate::new());
        let tasks = vec![gated(&ga, 1), gated(&gb, 2)];
        let opener = {
            let (ga, gb) = (ga.clone(), gb.clone());
            spawn(async move {
                gb.open();
                yield_now().await;
                ga.open();
            })
        };
        let (done, pending) = wait(tasks, ReturnWhen::AllCompleted, None).await;
        assert!(pending.is_empty());
        assert!(done.iter().all(Task::is_done));
        let mut outputs = Vec::new();
        for task in done {
            outputs.push(task.await.unwrap());
        }
        assert_eq!(outputs, [1, 2], "input order, outputs still in the tasks");
        opener.await.unwrap();
    });
}

#[test]
fn wait_first_completed_returns_at_the_first_and_the_others_keep_running() {
    on_each_loop(|| async {
        let (ga, gb) = (Gate::new(), Gate::new());
        let tasks = vec![gated(&ga, "a"), gated(&gb, "b")];
        gb.open();
        let (done, pending) = wait(tasks, ReturnWhen::FirstCompleted, None).await;
        assert_eq!(done.len(), 1);
        assert_eq!(pending.len(), 1);
        assert!(!pending[0].is_done() && !ga.is_open());
        // The pending task was not cancelled: it finishes once its gate opens.
        ga.open();
        let mut pending = pending;
        assert_eq!(pending.pop().unwrap().await.unwrap(), "a");
        assert_eq!(done.into_iter().next().unwrap().await.unwrap(), "b");
    });
}

#[test]
fn wait_first_completed_with_a_task_already_done_returns_it() {
    on_each_loop(|| async {
        let finished = spawn(async { 5 });
        let never = Gate::new();
        let stuck = gated(&never, 0);
        // Wait for the first task to be done before calling `wait`.
        let (done, _) = wait(vec![finished], ReturnWhen::AllCompleted, None).await;
        let (done, pending) = wait(
            done.into_iter().chain([stuck]),
            ReturnWhen::FirstCompleted,
            None,
        )
        .await;
        assert_eq!(done.len(), 1);
        assert_eq!(pending.len(), 1);
        pending[0].cancel();
        assert_eq!(done.into_iter().next().unwrap().await.unwrap(), 5);
    });
}

#[test]
fn wait_with_a_timeout_leaves_the_tasks_pending_and_running() {
    on_each_loop(|| async {
        let gate = Gate::new();
        let tasks = vec![gated(&gate, 1), gated(&gate, 2)];
        let (done, pending) = wait(
            tasks,
            ReturnWhen::AllCompleted,
            Some(Duration::from_millis(20)),
        )
        .await;
        assert!(done.is_empty());
        assert_eq!(pending.len(), 2);
        gate.open();
        let mut outputs = Vec::new();
        for task in pending {
            outputs.push(task.await.expect("still running, not cancelled"));
        }
        assert_eq!(outputs, [1, 2]);
    });
}

#[test]
fn wait_first_exception_returns_at_the_first_panic() {
    on_each_loop(|| async {
        let (go, never) = (Gate::new(), Gate::new());
        let boom = {
            let go = go.clone();
            spawn(async move {
                go.wait().await;
                panic!("{EXPECTED} boom");
            })
        };
        let stuck = gated(&never, 2);
        go.open();
        let (done, pending) = wait(vec![stuck, boom], ReturnWhen::FirstException, None).await;
        assert_eq!(pending.len(), 1, "the stuck task is still pending");
        assert!(!pending[0].is_done());
        assert_eq!(done.len(), 1);
        let outcome = done.into_iter().next().unwrap().await;
        assert!(matches!(outcome, Err(TaskError::Panicked(_))));
        never.open();
        for task in pending {
            assert_eq!(task.await.unwrap(), 2);
        }
    });
}

#[test]
fn wait_first_exception_without_failures_waits_for_all() {
    on_each_loop(|| async {
        let (ga, gb) = (Gate::new(), Gate::new());
        let tasks = vec![gated(&ga, 1), gated(&gb, 2)];
        ga.open();
        let opener = {
            let gb = gb.clone();
            spawn(async move {
                yield_now().await;
                gb.open();
            })
        };
        let (done, pending) = wait(tasks, ReturnWhen::FirstException, None).await;
        assert_eq!(done.len(), 2);
        assert!(pending.is_empty());
        opener.await.unwrap();
    });
}

#[test]
fn wait_first_exception_does_not_count_a_cancelled_task_as_failed() {
    on_each_loop(|| async {
        let never = Gate::new();
        let cancelled = gated(&never, 0);
        cancelled.cancel();
        let stuck = gated(&never, 1);
        let timeout = Duration::from_millis(30);
        let start = Instant::now();
        let (done, pending) = wait(
            vec![cancelled, stuck],
            ReturnWhen::FirstException,
            Some(timeout),
        )
        .await;
        // Had the cancellation counted, `wait` would have returned before its timeout.
        assert!(start.elapsed() >= timeout, "returned before the timeout");
        assert_eq!(done.len(), 1);
        assert!(done[0].is_cancelled());
        assert_eq!(pending.len(), 1);
        pending[0].cancel();
    });
}

#[test]
fn wait_results_first_exception_counts_an_err_output_as_a_failure() {
    on_each_loop(|| async {
        let never = Gate::new();
        let bad = spawn(async { Err::<u32, String>("bad".into()) });
        let stuck = {
            let never = never.clone();
            spawn(async move {
                never.wait().await;
                Ok::<u32, String>(1)
            })
        };
        let (done, pending) =
            wait_results(vec![stuck, bad], ReturnWhen::FirstException, None).await;
        assert_eq!(pending.len(), 1);
        assert_eq!(done.len(), 1);
        let failed = done.into_iter().next().unwrap();
        assert_eq!(failed.await.unwrap(), Err("bad".to_string()));
        never.open();
        assert_eq!(pending.into_iter().next().unwrap().await.unwrap(), Ok(1));
    });
}

#[test]
fn wait_of_no_tasks_returns_two_empty_lists() {
    on_each_loop(|| async {
        let (done, pending) = wait(Vec::<Task<()>>::new(), ReturnWhen::FirstCompleted, None).await;
        assert!(done.is_empty() && pending.is_empty());
    });
}

#[test]
fn dropping_a_wait_leaves_the_tasks_running() {
    on_each_loop(|| async {
        let (gate, finished) = (Gate::new(), Gate::new());
        let task = {
            let (gate, finished) = (gate.clone(), finished.clone());
            spawn(async move {
                gate.wait().await;
                finished.open();
            })
        };
        let waiting = wait(vec![task], ReturnWhen::AllCompleted, None);
        // Poll it once (registering its callbacks), then drop it.
        let timed_out = spindle::wait_for(Duration::from_millis(1), waiting)
            .await
            .is_err();
        assert!(timed_out);
        gate.open();
        finished.wait().await; // the task ran on: a hang fails the test
    });
}

//! `TaskGroup`: all children done → `Ok`; the first failure cancels the siblings; every failure
//! is reported; dropping the group cancels its children.

#![cfg(feature = "scheduler")]

mod combinators_common;

use combinators_common::{on_each_loop, on_two_workers, pending_until_dropped, Gate, EXPECTED};
use spindle::{spawn, TaskError, TaskGroup};
use std::sync::{Arc, Barrier};

#[test]
fn a_task_group_whose_children_all_complete_is_ok() {
    on_each_loop(|| async {
        let group = TaskGroup::new();
        let (go, gate) = (Gate::new(), Gate::new());
        let a = {
            let (go, gate) = (go.clone(), gate.clone());
            group.spawn(async move {
                go.wait().await;
                gate.wait().await;
                1
            })
        };
        let b = {
            let (go, gate) = (go.clone(), gate.clone());
            group.spawn(async move {
                go.wait().await;
                gate.open();
                "two"
            })
        };
        assert_eq!(group.running(), 2);
        go.open();
        group.join().await.unwrap();
        assert!(a.is_done() && b.is_done(), "join waits for every child");
        assert_eq!(a.await.unwrap(), 1);
        assert_eq!(b.await.unwrap(), "two");
    });
}

#[test]
fn an_empty_task_group_joins_at_once() {
    on_each_loop(|| async {
        TaskGroup::new().join().await.unwrap();
    });
}

#[test]
fn a_failing_child_cancels_its_siblings_and_is_reported() {
    on_each_loop(|| async {
        let group = TaskGroup::new();
        let (dropped, pending) = pending_until_dropped();
        let started = Gate::new();
        let sibling = {
            let started = started.clone();
            group.spawn(async move {
                started.open();
                pending.await
            })
        };
        let failing = {
            let started = started.clone();
            group.spawn(async move {
                started.wait().await;
                panic!("{EXPECTED} child failed");
            })
        };
        let failing_id = failing.id();
        let error = group.join().await.expect_err("a child failed");
        assert!(
            dropped.is_open(),
            "the sibling was cancelled before join returned"
        );
        assert_eq!(error.failures().len(), 1);
        let failure = &error.failures()[0];
        assert!(failure.is_panic());
        assert_eq!(failure.task_id(), failing_id);
        assert_eq!(failure.message(), format!("{EXPECTED} child failed"));
        assert!(error.to_string().contains("child failed"));
        assert!(matches!(sibling.await, Err(TaskError::Cancelled)));
        // The failing child's panic payload is still in its handle.
        assert!(failing.await.unwrap_err().is_panic());
    });
}

#[test]
fn a_child_returning_err_fails_the_group_when_spawned_fallible() {
    on_each_loop(|| async {
        let group = TaskGroup::new();
        let (dropped, pending) = pending_until_dropped();
        let _sibling = group.spawn(pending);
        let bad = group.spawn_fallible(async { Err::<(), _>("disk full") });
        let error = group.join().await.expect_err("the Err is a failure");
        assert_eq!(error.failures().len(), 1);
        assert!(!error.failures()[0].is_panic());
        assert_eq!(error.failures()[0].message(), "disk full");
        assert!(dropped.is_open());
        assert_eq!(
            bad.await.unwrap(),
            Err("disk full"),
            "the error stays in the handle"
        );
    });
}

#[test]
fn a_child_returning_err_is_not_a_failure_when_spawned_plainly() {
    on_each_loop(|| async {
        let group = TaskGroup::new();
        let child = group.spawn(async { Err::<(), _>("just a value") });
        group.join().await.unwrap();
        assert_eq!(child.await.unwrap(), Err("just a value"));
    });
}

#[test]
fn a_cancelled_child_is_not_a_failure() {
    on_each_loop(|| async {
        let group = TaskGroup::new();
        let (dropped, pending) = pending_until_dropped();
        let child = group.spawn(pending);
        child.cancel();
        let other = group.spawn(async { 3 });
        group.join().await.unwrap();
        assert!(dropped.is_open());
        assert_eq!(other.await.unwrap(), 3);
    });
}

/// Two children fail at the same instant (each is inside its poll when the other's failure
/// cancels it, so the cancellation cannot stop it): both failures are reported. This needs two
/// children running at once, so two workers: on one thread the first failure would cancel the
/// second child before it ever runs.
#[test]
fn two_failing_children_are_both_reported() {
    on_two_workers(|| async {
        let group = TaskGroup::new();
        let both_running = Arc::new(Barrier::new(2));
        for name in ["first", "second"] {
            let both_running = both_running.clone();
            group.spawn(async move {
                both_running.wait();
                panic!("{EXPECTED} {name}");
            });
        }
        let error = group.join().await.expect_err("both failed");
        let mut messages: Vec<&str> = error.failures().iter().map(|f| f.message()).collect();
        messages.sort();
        assert_eq!(
            messages,
            [format!("{EXPECTED} first"), format!("{EXPECTED} second")]
        );
    });
}

#[test]
fn a_child_spawned_after_a_failure_is_cancelled() {
    on_each_loop(|| async {
        let group = TaskGroup::new();
        let failed = group.spawn(async { panic!("{EXPECTED} early failure") });
        // Wait for the failure without joining.
        let _ = failed.await;
        assert!(group.is_aborted());
        let (dropped, pending) = pending_until_dropped();
        let late = group.spawn(pending);
        assert!(matches!(late.await, Err(TaskError::Cancelled)));
        assert!(dropped.is_open());
        assert_eq!(group.join().await.unwrap_err().failures().len(), 1);
    });
}

#[test]
fn dropping_a_task_group_cancels_its_children() {
    on_each_loop(|| async {
        let group = TaskGroup::new();
        let (dropped, pending) = pending_until_dropped();
        let child = group.spawn(pending);
        drop(group);
        assert!(matches!(child.await, Err(TaskError::Cancelled)));
        assert!(dropped.is_open());
    });
}

#[test]
fn cancelling_the_task_in_join_cancels_the_children() {
    on_each_loop(|| async {
        let (dropped, pending) = pending_until_dropped();
        let started = Gate::new();
        let parent = {
            let started = started.clone();
            spawn(async move {
                let group = TaskGroup::new();
                group.spawn(pending);
                started.open();
                group.join().await
            })
        };
        started.wait().await;
        parent.cancel();
        assert!(matches!(parent.await, Err(TaskError::Cancelled)));
        dropped.wait().await;
    });
}

//! A task's life from spawn to free: outputs, wakes, requeues, and exactly-once drops.

mod common;

use common::{poll_noop, poll_with, tracked, CountingWaker, Exec, Gate, Tracked, YieldNow};
use std::future::Future;
use std::pin::Pin;
use std::sync::atomic::{AtomicUsize, Ordering::SeqCst};
use std::sync::Arc;
use std::task::{Context, Poll};

#[test]
fn spawned_task_runs_to_completion_and_yields_its_output() {
    let exec = Exec::new();
    let mut task = exec.spawn(async { 6 * 7 });
    assert!(!task.is_done());
    assert_eq!(exec.list.len(), 1);

    assert_eq!(exec.run_all(), 1);
    assert!(task.is_done());
    assert!(!task.is_cancelled());
    assert_eq!(exec.list.len(), 0, "a completed task leaves its owner list");
    match poll_noop(&mut task) {
        Poll::Ready(Ok(value)) => assert_eq!(value, 42),
        other => panic!("expected Ready(Ok(42)), got {other:?}"),
    }
}

#[test]
fn join_waker_is_woken_on_completion() {
    let exec = Exec::new();
    let gate = Gate::new();
    let wait = gate.wait();
    let mut task = exec.spawn(async move {
        wait.await;
        "done"
    });
    exec.run_all();
    assert!(!task.is_done());

    let (counter, waker) = CountingWaker::new();
    assert!(poll_with(&mut task, &waker).is_pending());
    // Polling again with the same waker keeps it registered, and does not wake it.
    assert!(poll_with(&mut task, &waker).is_pending());
    assert_eq!(counter.count(), 0);

    gate.open();
    assert_eq!(
        counter.count(),
        0,
        "woken only on completion, not when the task is scheduled"
    );
    assert_eq!(exec.run_all(), 1);
    assert_eq!(counter.count(), 1);
    assert!(matches!(
        poll_with(&mut task, &waker),
        Poll::Ready(Ok("done"))
    ));
}

#[test]
fn replaced_join_waker_is_the_one_woken() {
    let exec = Exec::new();
    let gate = Gate::new();
    let wait = gate.wait();
    let mut task = exec.spawn(wait);
    exec.run_all();

    let (first, first_waker) = CountingWaker::new();
    let (second, second_waker) = CountingWaker::new();
    assert!(poll_with(&mut task, &first_waker).is_pending());
    assert!(poll_with(&mut task, &second_waker).is_pending());
    gate.open();
    exec.run_all();
    assert_eq!((first.count(), second.count()), (0, 1));
    assert!(matches!(poll_noop(&mut task), Poll::Ready(Ok(()))));
}

#[test]
fn woken_three_times_before_it_runs_is_queued_once() {
    let exec = Exec::new();
    let gate = Gate::new();
    let wait = gate.wait();
    let polls = Arc::new(AtomicUsize::new(0));
    let polls2 = Arc::clone(&polls);
    let mut task = exec.spawn(async move {
        polls2.fetch_add(1, SeqCst);
        wait.await;
    });
    assert_eq!(exec.run_all(), 1);
    assert_eq!(exec.queued(), 0);

    let waker = gate.waker().expect("the task registered its waker");
    waker.wake_by_ref();
    waker.wake_by_ref();
    let by_value = waker.clone();
    by_value.wake();
    assert_eq!(exec.queued(), 1, "one runnable however many wakes");
    assert_eq!(exec.schedules(), 1);

    // Woken but the gate is still shut: it parks again.
    assert_eq!(exec.run_all(), 1);
    assert_eq!(exec.queued(), 0);
    assert!(!task.is_done());

    gate.open();
    assert_eq!(exec.run_all(), 1);
    assert!(matches!(poll_noop(&mut task), Poll::Ready(Ok(()))));
    drop(waker);
}

#[test]
fn waking_itself_while_running_requeues_it_as_yielded() {
    let exec = Exec::new();
    let mut task = exec.spawn(async {
        YieldNow::default().await;
        YieldNow::default().await;
        1
    });
    assert_eq!(
        exec.run_one(),
        Some(false),
        "the first runnable is not a yield"
    );
    assert_eq!(exec.queued(), 1);
    assert_eq!(
        exec.run_one(),
        Some(true),
        "woken while running: queued behind ready work"
    );
    assert_eq!(exec.queued(), 1);
    assert_eq!(exec.run_one(), Some(true));
    assert_eq!(exec.queued(), 0);
    assert!(matches!(poll_noop(&mut task), Poll::Ready(Ok(1))));
}

#[test]
fn woken_from_outside_while_idle_is_not_a_yield() {
    let exec = Exec::new();
    let gate = Gate::new();
    let _task = exec.spawn(gate.wait());
    exec.run_all();
    gate.open();
    assert_eq!(exec.run_one(), Some(false));
}

#[test]
fn output_is_dropped_once_when_the_handle_takes_it() {
    let exec = Exec::new();
    let (drops, value) = tracked();
    let mut task = exec.spawn(async move { value });
    exec.run_all();
    assert_eq!(drops.load(SeqCst), 0, "the output waits in the cell");
    let Poll::Ready(Ok(output)) = poll_noop(&mut task) else {
        panic!("not ready")
    };
    assert_eq!(drops.load(SeqCst), 0);
    drop(output);
    assert_eq!(drops.load(SeqCst), 1);
    drop(task);
    assert_eq!(
        drops.load(SeqCst),
        1,
        "the taken output is not dropped again with the cell"
    );
    assert_eq!(exec.freed(), 1);
}

#[test]
fn output_is_dropped_once_when_the_handle_is_dropped_before_completion() {
    let exec = Exec::new();
    let (drops, value) = tracked();
    let task = exec.spawn(async move { value });
    drop(task);
    assert_eq!(exec.freed(), 0, "a detached task still runs");
    exec.run_all();
    assert_eq!(drops.load(SeqCst), 1);
    assert_eq!(exec.freed(), 1);
}

#[test]
fn output_is_dropped_once_when_the_handle_is_dropped_after_completion() {
    let exec = Exec::new();
    let (drops, value) = tracked();
    let task = exec.spawn(async move { value });
    exec.run_all();
    assert_eq!(drops.load(SeqCst), 0);
    assert_eq!(exec.freed(), 0, "the handle keeps the cell");
    drop(task);
    assert_eq!(drops.load(SeqCst), 1);
    assert_eq!(exec.freed(), 1);
}

/// A future that is ready at once and counts its own drops (not its output's).
struct ReadyTracked {
    _guard: Tracked,
}

impl Future for ReadyTracked {
    type Output = u8;

    fn poll(self: Pin<&mut Self>, _cx: &mut Context<'_>) -> Poll<u8> {
        Poll::Ready(9)
    }
}

#[test]
fn future_is_dropped_once_on_completion() {
    let exec = Exec::new();
    let (drops, guard) = tracked();
    let mut task = exec.spawn(ReadyTracked { _guard: guard });
    exec.run_all();
    assert_eq!(
        drops.load(SeqCst),
        1,
        "the future is dropped when it completes, before the handle reads"
    );
    assert!(matches!(poll_noop(&mut task), Poll::Ready(Ok(9))));
    drop(task);
    assert_eq!(drops.load(SeqCst), 1);
    assert_eq!(exec.freed(), 1);
}

#[test]
fn unfinished_future_is_dropped_once_when_the_last_reference_goes() {
    let exec = Exec::new();
    let (drops, guard) = tracked();
    let gate = Gate::new();
    let wait = gate.wait();
    let task = exec.spawn(async move {
        let _guard = guard;
        wait.await;
    });
    exec.run_all();
    drop(task);
    gate.forget_waker();
    assert_eq!(drops.load(SeqCst), 0, "the owner list still holds the task");
    assert_eq!(exec.freed(), 0);
    // Close the list and let its references go without shutting the tasks down.
    let members = exec.list.close();
    assert_eq!(members.len(), 1);
    drop(members);
    assert_eq!(drops.load(SeqCst), 1);
    assert_eq!(exec.freed(), 1);
}

#[test]
fn allocation_is_freed_once_after_the_last_waker_goes() {
    let exec = Exec::new();
    let gate = Gate::new();
    let wait = gate.wait();
    let task = exec.spawn(wait);
    exec.run_all();
    let spare = gate.waker().expect("registered");
    gate.open();
    exec.run_all();
    assert!(task.is_done());
    drop(task);
    assert_eq!(exec.freed(), 0, "a waker clone keeps the allocation");
    spare.wake_by_ref();
    assert_eq!(
        exec.queued(),
        0,
        "waking a completed task schedules nothing"
    );
    drop(spare);
    assert_eq!(exec.freed(), 1);
}

#[test]
fn waking_a_completed_task_by_value_frees_it_when_last() {
    let exec = Exec::new();
    let gate = Gate::new();
    let wait = gate.wait();
    let task = exec.spawn(wait);
    exec.run_all();
    let spare = gate.waker().expect("registered");
    gate.open();
    exec.run_all();
    drop(task);
    assert_eq!(exec.freed(), 0);
    spare.wake();
    assert_eq!(exec.queued(), 0);
    assert_eq!(exec.freed(), 1);
}

#[test]
fn current_task_is_the_polled_task() {
    let exec = Exec::new();
    let seen = Arc::new(std::sync::Mutex::new(None));
    let seen2 = Arc::clone(&seen);
    let task = exec.spawn(async move {
        *seen2.lock().unwrap() = spindle_core::current_task().map(|t| t.id());
    });
    assert!(spindle_core::current_task().is_none());
    exec.run_all();
    assert_eq!(*seen.lock().unwrap(), Some(task.id()));
    assert!(
        spindle_core::current_task().is_none(),
        "unset after the poll"
    );
}

#[test]
fn default_name_is_task_dash_id() {
    let exec = Exec::new();
    let task = exec.spawn(async {});
    assert_eq!(task.name(), format!("Task-{}", task.id()));
    let (runnable, named, list_ref) =
        spindle_core::task::create(async {}, exec.sched(), Some("worker".into()));
    assert_eq!(named.name(), "worker");
    assert_eq!(list_ref.name(), "worker");
    drop(runnable);
    drop(list_ref);
}

#[test]
fn a_pending_task_nobody_can_wake_is_freed_after_its_poll() {
    let exec = Exec::new();
    let (drops, guard) = tracked();
    // Not in the owner list, handle detached, and the future keeps no waker: the runnable's
    // reference is the last one when the poll returns Pending.
    let (runnable, handle, list_ref) = spindle_core::task::create(
        async move {
            let _guard = guard;
            std::future::pending::<()>().await;
        },
        exec.sched(),
        None,
    );
    drop(list_ref);
    drop(handle);
    runnable.run();
    assert_eq!(drops.load(SeqCst), 1);
    assert_eq!(exec.freed(), 1);
}

#[test]
fn a_task_awaiting_another_task_is_woken_by_its_completion() {
    let exec = Exec::new();
    let gate = Gate::new();
    let wait = gate.wait();
    let inner = exec.spawn(async move {
        wait.await;
        20
    });
    let mut outer = exec.spawn(async move { inner.await.unwrap() + 1 });
    assert_eq!(exec.run_all(), 2);
    assert!(!outer.is_done());
    gate.open();
    assert_eq!(exec.run_all(), 2, "inner completes, then wakes outer");
    assert!(matches!(poll_noop(&mut outer), Poll::Ready(Ok(21))));
    drop(outer);
    assert_eq!(exec.freed(), 2);
}

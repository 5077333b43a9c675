//! Done callbacks: order, timing relative to the awaiter, and callbacks added late.

mod common;

use common::{poll_noop, poll_with, CountingWaker, Exec, Gate};
use spindle_core::TaskError;
use std::sync::{Arc, Mutex};
use std::task::{Poll, Wake, Waker};

/// A waker that appends "woken" to a shared log.
struct LogWaker(Arc<Mutex<Vec<String>>>);

impl Wake for LogWaker {
    fn wake(self: Arc<Self>) {
        self.0.lock().unwrap().push("woken".into());
    }
}

#[test]
fn callbacks_registered_before_completion_run_in_order_before_the_awaiter_is_woken() {
    let exec = Exec::new();
    let gate = Gate::new();
    let wait = gate.wait();
    let mut task = exec.spawn(async move {
        wait.await;
        11
    });
    exec.run_all();
    let log = Arc::new(Mutex::new(Vec::<String>::new()));
    for name in ["a", "b", "c"] {
        let log = Arc::clone(&log);
        task.add_done_callback(move |outcome| match outcome {
            Ok(v) => log.lock().unwrap().push(format!("{name}={v}")),
            Err(e) => panic!("unexpected {e:?}"),
        });
    }
    let waker = Waker::from(Arc::new(LogWaker(Arc::clone(&log))));
    assert!(poll_with(&mut task, &waker).is_pending());
    assert!(
        log.lock().unwrap().is_empty(),
        "nothing runs before completion"
    );

    gate.open();
    exec.run_all();
    assert_eq!(*log.lock().unwrap(), ["a=11", "b=11", "c=11", "woken"]);
    assert_eq!(
        exec.late_len(),
        0,
        "registered in time: run by the completer, not via call_soon"
    );
    assert!(matches!(poll_noop(&mut task), Poll::Ready(Ok(11))));
}

#[test]
fn a_callback_added_after_completion_runs_via_call_soon_and_holds_back_the_awaiter() {
    let exec = Exec::new();
    let mut task = exec.spawn(async { 8 });
    exec.run_all();
    assert!(task.is_done());

    let seen = Arc::new(Mutex::new(None));
    let seen2 = Arc::clone(&seen);
    task.add_done_callback(move |outcome| {
        *seen2.lock().unwrap() = Some(*outcome.as_ref().unwrap())
    });
    assert_eq!(
        *seen.lock().unwrap(),
        None,
        "never run inside add_done_callback"
    );
    assert_eq!(exec.late_len(), 1, "scheduled with call_soon");

    let (counter, waker) = CountingWaker::new();
    assert!(
        poll_with(&mut task, &waker).is_pending(),
        "the output waits for the late callback"
    );
    assert!(poll_with(&mut task, &waker).is_pending());
    assert_eq!(counter.count(), 0);

    assert_eq!(exec.run_late(), 1);
    assert_eq!(*seen.lock().unwrap(), Some(8));
    assert_eq!(
        counter.count(),
        1,
        "the awaiter is woken once the late callbacks ran"
    );
    assert!(matches!(poll_with(&mut task, &waker), Poll::Ready(Ok(8))));
    drop(task);
    assert_eq!(exec.freed(), 1);
}

#[test]
fn a_late_callback_dropped_unrun_still_releases_the_awaiter() {
    let exec = Exec::new();
    let mut task = exec.spawn(async { 2 });
    exec.run_all();
    task.add_done_callback(|_| panic!("must not run"));
    let (counter, waker) = CountingWaker::new();
    assert!(poll_with(&mut task, &waker).is_pending());
    drop(std::mem::take(&mut *exec.shared.late.lock().unwrap()));
    assert_eq!(counter.count(), 1);
    assert!(matches!(poll_noop(&mut task), Poll::Ready(Ok(2))));
    assert!(exec.panics().is_empty());
}

#[test]
fn callbacks_see_a_cancellation() {
    let exec = Exec::new();
    let task = exec.spawn(std::future::pending::<()>());
    let seen = Arc::new(Mutex::new(false));
    let seen2 = Arc::clone(&seen);
    task.add_done_callback(move |outcome| {
        *seen2.lock().unwrap() = matches!(outcome, Err(TaskError::Cancelled))
    });
    assert!(task.cancel());
    exec.run_all();
    assert!(*seen.lock().unwrap());
}

#[test]
#[should_panic(expected = "`Task::add_done_callback` after awaiting the task took its output")]
fn adding_a_callback_after_the_output_was_taken_panics() {
    let exec = Exec::new();
    let mut task = exec.spawn(async { 1 });
    exec.run_all();
    assert!(matches!(poll_noop(&mut task), Poll::Ready(Ok(1))));
    task.add_done_callback(|_| {});
}

#[test]
#[should_panic(expected = "`Task` polled again after it returned its output")]
fn polling_after_the_output_was_taken_panics() {
    let exec = Exec::new();
    let mut task = exec.spawn(async { 1 });
    exec.run_all();
    assert!(matches!(poll_noop(&mut task), Poll::Ready(Ok(1))));
    let _ = poll_noop(&mut task);
}

/// asyncio: a done callback sees its future `done()`. Here: `is_done()` through a `TaskRef`
/// taken before completion is already true inside the callback.
#[test]
fn a_callback_sees_the_task_done() {
    let exec = Exec::new();
    let gate = Gate::new();
    let wait = gate.wait();
    let task = exec.spawn(async move {
        wait.await;
        3
    });
    exec.run_all();
    let seen = Arc::new(Mutex::new(None));
    let (seen_cb, task_ref) = (Arc::clone(&seen), task.to_ref());
    task.add_done_callback(move |_| *seen_cb.lock().unwrap() = Some(task_ref.is_done()));
    gate.open();
    exec.run_all();
    assert_eq!(*seen.lock().unwrap(), Some(true));
}

/// A named task has its out-of-line box (name, callbacks) from creation on: callbacks added
/// before and after completion share it with the name, which stays readable throughout, and
/// the late one still holds the awaiter back.
#[test]
fn a_named_task_keeps_its_name_and_runs_its_callbacks() {
    let exec = Exec::new();
    let (runnable, mut task, list_ref) =
        spindle_core::task::create(async { 4 }, exec.sched(), Some("named".into()));
    let log = Arc::new(Mutex::new(Vec::<String>::new()));
    let early = Arc::clone(&log);
    task.add_done_callback(move |outcome| {
        early
            .lock()
            .unwrap()
            .push(format!("early={}", outcome.as_ref().unwrap()));
    });
    runnable.run();
    assert_eq!(task.name(), "named");
    let late = Arc::clone(&log);
    task.add_done_callback(move |outcome| {
        late.lock()
            .unwrap()
            .push(format!("late={}", outcome.as_ref().unwrap()));
    });
    assert!(
        poll_noop(&mut task).is_pending(),
        "held back by the late callback"
    );
    assert_eq!(exec.run_late(), 1);
    assert!(matches!(poll_noop(&mut task), Poll::Ready(Ok(4))));
    assert_eq!(*log.lock().unwrap(), ["early=4", "late=4"]);
    assert_eq!(list_ref.name(), "named");
    drop(task);
    drop(list_ref);
    assert_eq!(exec.freed(), 1);
}

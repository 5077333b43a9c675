//! `Handle` / `TimerHandle`: a callback can be stopped only before it starts.

mod common;

use common::Exec;
use spindle_core::{task, Handle, TimerHandle};
use std::sync::atomic::{AtomicUsize, Ordering::SeqCst};
use std::sync::Arc;
use std::time::Instant;

/// A `call_soon`-style callback: a task that runs `f` once; returns its handle and run counter.
fn call_soon(exec: &Exec) -> (Handle, Arc<AtomicUsize>) {
    let runs = Arc::new(AtomicUsize::new(0));
    let runs2 = Arc::clone(&runs);
    let f = move || {
        runs2.fetch_add(1, SeqCst);
    };
    let (runnable, task, list_ref) = task::create(async move { f() }, exec.sched(), None);
    exec.list.insert(list_ref).unwrap();
    exec.shared
        .queue
        .lock()
        .unwrap()
        .push_back((runnable, false));
    (Handle::new(task), runs)
}

#[test]
fn cancel_before_it_runs_stops_the_callback() {
    let exec = Exec::new();
    let (handle, runs) = call_soon(&exec);
    assert!(!handle.is_cancelled());
    assert!(handle.cancel());
    assert!(handle.is_cancelled());
    assert!(
        handle.cancel(),
        "a second cancel before the run also says it will never run"
    );
    assert_eq!(
        exec.queued(),
        1,
        "still one runnable: it drops the callback"
    );
    exec.run_all();
    assert_eq!(runs.load(SeqCst), 0);
    assert!(handle.is_done());
    assert!(handle.is_cancelled());
    drop(handle);
    assert_eq!(exec.freed(), 1);
}

#[test]
fn cancel_after_the_dropped_callback_finished_still_says_true() {
    let exec = Exec::new();
    let (handle, runs) = call_soon(&exec);
    assert!(handle.cancel());
    exec.run_all();
    assert!(
        handle.cancel(),
        "true means it will never run, also on a later call"
    );
    assert_eq!(runs.load(SeqCst), 0);
}

#[test]
fn cancel_after_it_ran_returns_false() {
    let exec = Exec::new();
    let (handle, runs) = call_soon(&exec);
    exec.run_all();
    assert_eq!(runs.load(SeqCst), 1);
    assert!(handle.is_done());
    assert!(!handle.cancel());
    assert!(!handle.is_cancelled());
    assert_eq!(exec.queued(), 0);
    assert_eq!(runs.load(SeqCst), 1);
}

#[test]
fn a_handle_cancelled_from_inside_its_own_callback_is_not_cancelled() {
    let exec = Exec::new();
    let slot: Arc<std::sync::Mutex<Option<Handle>>> = Arc::default();
    let answer = Arc::new(std::sync::Mutex::new(None));
    let (slot2, answer2) = (Arc::clone(&slot), Arc::clone(&answer));
    let f = move || {
        let cancelled = slot2.lock().unwrap().as_ref().map(Handle::cancel);
        *answer2.lock().unwrap() = cancelled;
    };
    let (runnable, task, list_ref) = task::create(async move { f() }, exec.sched(), None);
    exec.list.insert(list_ref).unwrap();
    *slot.lock().unwrap() = Some(Handle::new(task));
    runnable.run();
    assert_eq!(
        *answer.lock().unwrap(),
        Some(false),
        "a running callback cannot be stopped"
    );
    let handle = slot.lock().unwrap().take().unwrap();
    assert!(handle.is_done());
    assert!(!handle.is_cancelled());
}

#[test]
fn dropping_a_handle_does_not_cancel() {
    let exec = Exec::new();
    let (handle, runs) = call_soon(&exec);
    drop(handle);
    exec.run_all();
    assert_eq!(runs.load(SeqCst), 1);
    assert_eq!(exec.freed(), 1);
}

/// A `call_later`-style callback: idle until its waker (held by a "timer") is woken.
fn call_later(exec: &Exec) -> (TimerHandle, std::task::Waker, Arc<AtomicUsize>) {
    let runs = Arc::new(AtomicUsize::new(0));
    let runs2 = Arc::clone(&runs);
    let f = move || {
        runs2.fetch_add(1, SeqCst);
    };
    let (runnable, task, list_ref) = task::create(async move { f() }, exec.sched(), None);
    exec.list.insert(list_ref).unwrap();
    (
        TimerHandle::new(task, Instant::now()),
        runnable.into_waker(),
        runs,
    )
}

#[test]
fn timer_callback_runs_when_its_waker_fires() {
    let exec = Exec::new();
    let (handle, timer, runs) = call_later(&exec);
    assert_eq!(exec.queued(), 0);
    timer.wake();
    exec.run_all();
    assert_eq!(runs.load(SeqCst), 1);
    assert!(handle.is_done());
    assert!(!handle.cancel());
}

#[test]
fn cancelling_a_waiting_timer_drops_the_callback_and_the_timer_fires_nothing() {
    let exec = Exec::new();
    let (handle, timer, runs) = call_later(&exec);
    assert!(handle.cancel());
    assert!(handle.is_cancelled());
    assert_eq!(
        exec.queued(),
        1,
        "an idle callback is scheduled so the loop drops it"
    );
    exec.run_all();
    assert!(handle.is_done());
    timer.wake();
    assert_eq!(exec.queued(), 0);
    assert_eq!(runs.load(SeqCst), 0);
    drop(handle);
    assert_eq!(exec.freed(), 1);
}

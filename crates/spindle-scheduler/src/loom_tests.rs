//! Loom models of the loop's cross-thread paths. The real scheduler runs here: the run queues
//! are the loom-visible model (`queue/model.rs`), the driver parks on the reactor's loom
//! backend, and every atomic and lock comes from the `loom` shim.
//!
//! Run with `RUSTFLAGS="--cfg loom" LOOM_MAX_PREEMPTIONS=2 cargo test -p spindle-scheduler
//! --lib --release` (`ci/loom.sh` does). A lost wake-up shows up as a loom deadlock: every
//! thread blocked, the loop parked with work queued.

use crate::{Builder, EventLoop};
use loom::sync::atomic::{AtomicBool, AtomicUsize, Ordering::SeqCst};
use loom::sync::Arc;
use loom::thread;

fn current_thread() -> EventLoop {
    Builder::new()
        .current_thread()
        .build()
        .expect("a loop under loom")
}

fn two_workers() -> EventLoop {
    Builder::new()
        .worker_threads(2)
        .build()
        .expect("a loop under loom")
}

/// Two threads `call_soon_threadsafe` while the loop thread runs out of work and parks: each
/// callback runs exactly once and the loop never stays parked with a callback queued (the
/// second callback to run stops the loop, so a lost wake-up is a deadlock).
#[test]
fn call_soon_threadsafe_races_park() {
    loom::model(|| {
        let lp = current_thread();
        let runs = Arc::new([AtomicUsize::new(0), AtomicUsize::new(0)]);
        let total = Arc::new(AtomicUsize::new(0));
        let producers: Vec<_> = (0..2)
            .map(|i| {
                let (lp, runs, total) = (lp.clone(), runs.clone(), total.clone());
                thread::spawn(move || {
                    let stopper = lp.clone();
                    lp.call_soon_threadsafe(move || {
                        runs[i].fetch_add(1, SeqCst);
                        if total.fetch_add(1, SeqCst) == 1 {
                            stopper.stop();
                        }
                    });
                })
            })
            .collect();
        lp.run_forever();
        for producer in producers {
            producer.join().unwrap();
        }
        assert_eq!(runs[0].load(SeqCst), 1);
        assert_eq!(runs[1].load(SeqCst), 1);
        lp.close();
    });
}

/// The same race on a multi-thread loop with one worker: the producer's callback wakes the
/// worker parked on the driver (or on its condvar).
#[test]
fn call_soon_threadsafe_wakes_a_parked_worker() {
    loom::model(|| {
        let lp = Builder::new()
            .worker_threads(1)
            .build()
            .expect("a loop under loom");
        let ran = Arc::new(AtomicUsize::new(0));
        let producer = {
            let (lp, ran) = (lp.clone(), ran.clone());
            thread::spawn(move || {
                let stopper = lp.clone();
                lp.call_soon_threadsafe(move || {
                    ran.fetch_add(1, SeqCst);
                    stopper.stop();
                });
            })
        };
        lp.run_forever();
        producer.join().unwrap();
        assert_eq!(ran.load(SeqCst), 1);
        lp.close();
    });
}

/// `stop()` from another thread always ends `run_forever` on the loop `build` makes, whether
/// it lands before the loop parks, while it is parked, or before the run even started.
fn stop_from_another_thread_ends_run_forever_of(build: fn() -> EventLoop) {
    loom::model(move || {
        let lp = build();
        let stopper = {
            let lp = lp.clone();
            thread::spawn(move || lp.stop())
        };
        lp.run_forever();
        stopper.join().unwrap();
        assert!(!lp.is_running());
        lp.close();
    });
}

#[test]
fn stop_from_another_thread_ends_run_forever() {
    stop_from_another_thread_ends_run_forever_of(current_thread);
}

/// The same on a two-worker loop, where the run thread is worker 0: `stop()` reaches it
/// whether it is running, searching, or parked (on the driver or its condvar) beside worker 1.
#[test]
fn stop_reaches_the_run_thread_as_worker_zero() {
    stop_from_another_thread_ends_run_forever_of(two_workers);
}

/// `Handle::cancel` racing the loop: the callback runs at most once, and never after `cancel`
/// reported success (`true` means "will never run"), and one of the two always happens.
#[test]
fn handle_cancel_races_the_loop() {
    loom::model(|| {
        let lp = current_thread();
        let ran = Arc::new(AtomicBool::new(false));
        let handle = {
            let ran = ran.clone();
            lp.call_soon(move || assert!(!ran.swap(true, SeqCst), "the callback ran twice"))
        };
        let stopper = lp.clone();
        lp.call_soon(move || stopper.stop());
        let canceller = thread::spawn(move || handle.cancel());
        lp.run_forever();
        let cancelled = canceller.join().unwrap();
        assert!(
            cancelled != ran.load(SeqCst),
            "cancelled={cancelled}, ran={}",
            ran.load(SeqCst)
        );
        lp.close();
    });
}

/// A task that either worker may take (it was queued before the run) completes the main
/// future: when worker 1 runs it, its wake-up must reach the run thread wherever it is (never
/// a lost wake-up, which loom reports as a deadlock).
#[test]
fn a_task_on_either_worker_completes_the_main_future() {
    loom::model(|| {
        let lp = two_workers();
        let task = lp.spawn(async { 7 });
        assert_eq!(lp.run_until_complete(task).ok(), Some(7));
        lp.close();
    });
}

//! Loom models of the park protocol (`driver.rs`, `timer/shards.rs`), and of
//! a sleep's timer cancelled while another thread fires it.
//!
//! Run with `RUSTFLAGS="--cfg loom" cargo test -p spindle-reactor --lib
//! --release` (the CI sets `LOOM_MAX_PREEMPTIONS=3`). A lost wake-up shows up
//! as a `park(None)` blocked forever, which loom reports as a deadlock.

use std::task::{Wake, Waker};
use std::time::{Duration, Instant};

use loom::sync::atomic::{AtomicUsize, Ordering};
use loom::sync::Arc;
use loom::thread;

use crate::Driver;

/// A waker that does nothing: these models check that the parker returns,
/// not what the timer wakes.
struct Noop;

impl Wake for Noop {
    fn wake(self: std::sync::Arc<Self>) {}
}

#[test]
fn notify_racing_park_none_is_never_lost() {
    loom::model(|| {
        let driver = Driver::new().unwrap();
        let notifier = driver.clone();
        let other = thread::spawn(move || notifier.notify());
        let mut guard = driver.try_lock().unwrap();
        guard.park(None).unwrap();
        drop(guard);
        other.join().unwrap();
    });
}

#[test]
fn notify_before_park_makes_it_return() {
    loom::model(|| {
        let driver = Driver::new().unwrap();
        driver.notify();
        driver.try_lock().unwrap().park(None).unwrap();
    });
}

#[test]
fn wake_at_racing_park_none_notifies_the_parker() {
    loom::model(|| {
        let driver = Driver::new().unwrap();
        let timers = driver.clone();
        let other = thread::spawn(move || {
            // Far in the future: the only way park(None) returns is the
            // notify that registering an earlier-than-parked timer sends.
            let deadline = Instant::now() + Duration::from_secs(3600);
            timers.wake_at(deadline, Waker::from(std::sync::Arc::new(Noop)));
        });
        let mut guard = driver.try_lock().unwrap();
        // If the timer was registered first, park sees it and takes a
        // (non-blocking, under loom) timeout; otherwise it must be notified.
        guard.park(None).unwrap();
        drop(guard);
        other.join().unwrap();
        assert_eq!(driver.pending_timers(), 1);
    });
}

#[test]
fn try_lock_is_exclusive() {
    loom::model(|| {
        let driver = Driver::new().unwrap();
        let holders = Arc::new(AtomicUsize::new(0));
        let threads: Vec<_> = (0..2)
            .map(|_| {
                let driver = driver.clone();
                let holders = holders.clone();
                thread::spawn(move || {
                    if let Some(_guard) = driver.try_lock() {
                        let before = holders.fetch_add(1, Ordering::SeqCst);
                        assert_eq!(before, 0, "two threads hold the driver");
                        holders.fetch_sub(1, Ordering::SeqCst);
                    }
                })
            })
            .collect();
        for t in threads {
            t.join().unwrap();
        }
    });
}

/// A waker that counts its wakes.
struct Count(AtomicUsize);

impl Wake for Count {
    fn wake(self: std::sync::Arc<Self>) {
        self.0.fetch_add(1, Ordering::SeqCst);
    }
}

#[test]
fn dropping_a_sleep_racing_fire_due_wakes_at_most_once_and_leaves_nothing() {
    use std::future::Future;
    use std::pin::Pin;
    use std::task::Context;

    loom::model(|| {
        let driver = Driver::new().unwrap();
        let count = std::sync::Arc::new(Count(AtomicUsize::new(0)));
        let waker = Waker::from(count.clone());
        // Already due: `poll_timer` registers it without a clock read, so the
        // driver is the one to fire it.
        let mut sleep = crate::Sleep::new(&driver, Instant::now());
        let _ = sleep.poll_timer(&mut Context::from_waker(&waker));
        assert_eq!(driver.pending_timers(), 1);
        let firer = driver.clone();
        let other = thread::spawn(move || {
            firer.fire_due();
        });
        // Polled once more, then dropped, while the other thread fires.
        let _ = Pin::new(&mut sleep).poll(&mut Context::from_waker(&waker));
        drop(sleep);
        other.join().unwrap();
        assert!(count.0.load(Ordering::SeqCst) <= 1);
        assert_eq!(driver.pending_timers(), 0);
        assert_eq!(driver.timer_storage_len(), 0, "no slot left behind");
    });
}

#[test]
fn timers_armed_in_two_shards_racing_park_none_are_never_missed() {
    loom::model(|| {
        let driver = Driver::new().unwrap();
        let arm = |driver: Driver| {
            thread::spawn(move || {
                let deadline = Instant::now() + Duration::from_secs(3600);
                driver.wake_at(deadline, Waker::from(std::sync::Arc::new(Noop)));
            })
        };
        // Each thread arms in a shard of its own.
        let first = arm(driver.clone());
        let second = arm(driver.clone());
        let mut guard = driver.try_lock().unwrap();
        // Returns only if it saw a timer (a finite, under loom non-blocking,
        // wait) or was notified.
        guard.park(None).unwrap();
        drop(guard);
        first.join().unwrap();
        second.join().unwrap();
        assert_eq!(driver.pending_timers(), 2);
    });
}

#[test]
fn a_timer_armed_in_a_used_shard_racing_park_none_is_never_missed() {
    use std::task::Context;

    loom::model(|| {
        let driver = Driver::new().unwrap();
        let timers = driver.clone();
        let other = thread::spawn(move || {
            let far = Instant::now() + Duration::from_secs(3600);
            let waker = Waker::from(std::sync::Arc::new(Noop));
            // The shard's first timer (the fenced path), cancelled at once...
            let mut first = crate::Sleep::new(&timers, far);
            let _ = first.poll_timer(&mut Context::from_waker(&waker));
            drop(first);
            // ...then a timer in the now used, empty shard (the unfenced path).
            timers.wake_at(far, waker);
        });
        let mut guard = driver.try_lock().unwrap();
        guard.park(None).unwrap();
        drop(guard);
        other.join().unwrap();
        assert_eq!(driver.pending_timers(), 1);
    });
}

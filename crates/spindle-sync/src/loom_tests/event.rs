//! `Event::set` racing `wait`: a waiter is never left parked after `set`, and a waiter queued
//! before a `set` returns even if `clear` follows at once.

use super::{block_on, poll_once, BoxFuture};
use crate::Event;
use loom::sync::Arc;
use loom::thread;

/// `wait` on the main thread races `set` on another: it must return (a lost wake-up is a loom
/// deadlock).
#[test]
fn set_racing_wait_never_leaves_the_waiter_parked() {
    loom::model(|| {
        let event = Arc::new(Event::new());
        let setter = {
            let event = event.clone();
            thread::spawn(move || event.set())
        };
        block_on(event.wait());
        setter.join().unwrap();
        assert!(event.is_set());
    });
}

/// A waiter queued before `set(); clear()` on another thread returns, whether `set` comes
/// before or after it re-registers its waker.
#[test]
fn set_then_clear_still_releases_a_queued_waiter() {
    loom::model(|| {
        let event = Arc::new(Event::new());
        let mut waiter: BoxFuture = {
            let event = event.clone();
            Box::pin(async move { event.wait().await })
        };
        assert!(poll_once(&mut waiter).is_pending());
        let setter = {
            let event = event.clone();
            thread::spawn(move || {
                event.set();
                event.clear();
            })
        };
        block_on(waiter);
        setter.join().unwrap();
        assert!(!event.is_set());
    });
}

/// Two waiters on two threads, `set` on the main thread: both return.
#[test]
fn set_wakes_waiters_on_every_thread() {
    loom::model(|| {
        let event = Arc::new(Event::new());
        let waiters: Vec<_> = (0..2)
            .map(|_| {
                let event = event.clone();
                thread::spawn(move || block_on(event.wait()))
            })
            .collect();
        event.set();
        for waiter in waiters {
            waiter.join().unwrap();
        }
    });
}

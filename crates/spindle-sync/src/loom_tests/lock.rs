//! The lock's hand-off when a waiter is dropped around the moment it is granted the lock.
//!
//! Setup on the model's main thread: A holds the lock (suspended while holding it), B and C
//! queue behind it, in that order. Then, concurrently: A releases (granting B), B's future is
//! dropped (before, during or after the grant), and C waits for the lock on the main thread.
//! C must get the lock (a stranded lock is a loom deadlock), and no two holders may overlap.

use super::{block_on, poll_once, BoxFuture, YieldOnce};
use crate::Lock;
use loom::sync::atomic::{AtomicUsize, Ordering::SeqCst};
use loom::sync::Arc;
use loom::thread;

/// Takes the lock, checks it is alone, optionally stays suspended while holding it.
fn holder(lock: &Arc<Lock<()>>, holders: &Arc<AtomicUsize>, suspend: bool) -> BoxFuture {
    let (lock, holders) = (lock.clone(), holders.clone());
    Box::pin(async move {
        let _guard = lock.lock().await;
        assert_eq!(holders.fetch_add(1, SeqCst), 0, "two holders of the lock");
        if suspend {
            YieldOnce(false).await;
        }
        holders.fetch_sub(1, SeqCst);
    })
}

fn model(b_polls_once_more: bool) {
    loom::model(move || {
        let lock = Arc::new(Lock::new(()));
        let holders = Arc::new(AtomicUsize::new(0));
        let mut a = holder(&lock, &holders, true);
        assert!(
            poll_once(&mut a).is_pending(),
            "A holds the lock, suspended"
        );
        let mut b = holder(&lock, &holders, false);
        assert!(poll_once(&mut b).is_pending(), "B queues");
        let mut c = holder(&lock, &holders, false);
        assert!(poll_once(&mut c).is_pending(), "C queues behind B");

        let releaser = thread::spawn(move || assert!(poll_once(&mut a).is_ready()));
        let canceller = thread::spawn(move || {
            if b_polls_once_more {
                // B may or may not have been granted the lock yet.
                let _ = poll_once(&mut b);
            }
            drop(b);
        });
        block_on(c);
        releaser.join().unwrap();
        canceller.join().unwrap();
        assert_eq!(holders.load(SeqCst), 0);
        assert!(!lock.locked(), "the lock is free once everybody is done");
    });
}

/// B is dropped without being polled again: if it was granted the lock, its drop passes the
/// lock to C.
#[test]
fn dropped_waiter_passes_the_lock_on() {
    model(false);
}

/// B is polled once more (it may take the lock and release it) and then dropped.
#[test]
fn waiter_polled_then_dropped_never_strands_the_lock() {
    model(true);
}

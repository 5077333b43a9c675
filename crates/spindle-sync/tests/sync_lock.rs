//! `Lock`: asyncio's `test_locks.py::LockTests`, in our words, on every executor.

mod common;

use common::{child, join_all, on_every_executor, on_two_workers, yield_times, Probe};
use spindle_sync::{Lock, LockFuture, LockGuard};
use std::pin::pin;
use std::sync::atomic::{AtomicBool, Ordering::SeqCst};
use std::sync::Arc;
use std::task::Poll;

#[test]
fn lock_types_are_send_and_sync() {
    common::assert_send_sync::<Lock<Vec<u8>>>();
    common::assert_send_sync::<LockFuture<'static, Vec<u8>>>();
    common::assert_send_sync::<LockGuard<'static, Vec<u8>>>();
}

#[test]
fn lock_then_guard_drop_releases() {
    on_every_executor(|| async {
        let lock = Lock::new(());
        assert!(!lock.locked());
        let guard = lock.lock().await;
        assert!(lock.locked());
        drop(guard);
        assert!(!lock.locked());
    });
}

#[test]
fn guard_gives_access_to_the_value() {
    on_every_executor(|| async {
        let mut lock = Lock::new(vec![1]);
        lock.lock().await.push(2);
        lock.get_mut().push(3);
        assert_eq!(*lock.lock().await, [1, 2, 3]);
        assert_eq!(lock.into_inner(), [1, 2, 3]);
    });
}

#[test]
fn try_lock_fails_while_held() {
    on_every_executor(|| async {
        let lock = Lock::new(());
        let guard = lock.try_lock().expect("a free lock");
        assert!(lock.try_lock().is_none());
        drop(guard);
        assert!(lock.try_lock().is_some());
    });
}

#[test]
fn waiters_get_the_lock_in_arrival_order() {
    on_every_executor(|| async {
        let lock = Lock::new(Vec::new());
        let held = lock.lock().await;
        // join_all polls the children 1, 2, 3 in that order every round; the staggered yields
        // make them queue 3, 2, 1. A FIFO lock serves them in queueing order.
        let waiter = |id: usize| {
            let lock = &lock;
            child(async move {
                yield_times(3 - id).await;
                lock.lock().await.push(id);
            })
        };
        let release = child(async move {
            yield_times(4).await;
            drop(held);
        });
        join_all(vec![waiter(1), waiter(2), waiter(3), release]).await;
        assert_eq!(*lock.lock().await, [3, 2, 1]);
    });
}

#[test]
fn new_lock_call_never_overtakes_a_waiter() {
    on_every_executor(|| async {
        let lock = Lock::new(());
        let probe = Probe::new();
        let held = lock.lock().await;
        let mut waiter = lock.lock();
        assert!(probe.poll(&mut waiter).is_pending());
        drop(held);
        assert!(probe.woken(), "the release woke the waiter");
        assert!(
            lock.locked(),
            "the lock was handed to the waiter, not freed"
        );
        assert!(lock.try_lock().is_none(), "try_lock does not barge in");
        let mut latecomer = lock.lock();
        assert!(Probe::new().poll(&mut latecomer).is_pending());
        assert!(probe.poll(&mut waiter).is_ready());
    });
}

#[test]
fn cancelled_waiter_is_skipped() {
    on_every_executor(|| async {
        let lock = Lock::new(());
        let held = lock.lock().await;
        let (probe_b, probe_c) = (Probe::new(), Probe::new());
        let mut b = lock.lock();
        let mut c = lock.lock();
        assert!(probe_b.poll(&mut b).is_pending());
        assert!(probe_c.poll(&mut c).is_pending());
        drop(b); // cancelled while waiting
        drop(held);
        assert!(!probe_b.woken());
        assert!(
            probe_c.woken(),
            "the release went past the cancelled waiter"
        );
        let Poll::Ready(guard) = probe_c.poll(&mut c) else {
            panic!("C should hold the lock");
        };
        drop(guard);
        assert!(!lock.locked());
    });
}

#[test]
fn waiter_dropped_right_after_being_granted_passes_the_lock_on() {
    on_every_executor(|| async {
        let lock = Lock::new(());
        let held = lock.lock().await;
        let (probe_b, probe_c) = (Probe::new(), Probe::new());
        let mut b = lock.lock();
        let mut c = lock.lock();
        assert!(probe_b.poll(&mut b).is_pending());
        assert!(probe_c.poll(&mut c).is_pending());
        drop(held);
        assert!(probe_b.woken(), "B was granted the lock");
        drop(b); // ... and cancelled before it ran
        assert!(probe_c.woken(), "B's drop handed the lock to C");
        assert!(probe_c.poll(&mut c).is_ready());
    });
}

#[test]
fn cancelled_waiters_leave_the_lock_free() {
    on_every_executor(|| async {
        let lock = Lock::new(());
        let held = lock.lock().await;
        {
            let mut waiter = pin!(lock.lock());
            assert!(Probe::new().poll(&mut waiter).is_pending());
        }
        drop(held);
        assert!(!lock.locked(), "nobody waits: the lock is free");
        assert!(lock.try_lock().is_some());
    });
}

#[test]
fn lock_excludes_tasks_on_two_workers() {
    const TASKS: usize = 8;
    const ROUNDS: usize = 100;
    let total = on_two_workers(|lp| async move {
        let lock = Arc::new(Lock::new(0_usize));
        let inside = Arc::new(AtomicBool::new(false));
        let tasks: Vec<_> = (0..TASKS)
            .map(|_| {
                let (lock, inside) = (lock.clone(), inside.clone());
                lp.spawn(async move {
                    for _ in 0..ROUNDS {
                        let mut guard = lock.lock().await;
                        assert!(!inside.swap(true, SeqCst), "two holders at once");
                        let before = *guard;
                        spindle_scheduler::yield_now().await; // hold it across a suspension
                        *guard = before + 1;
                        inside.store(false, SeqCst);
                    }
                })
            })
            .collect();
        for task in tasks {
            task.await.unwrap();
        }
        let total = *lock.lock().await;
        total
    });
    assert_eq!(total, TASKS * ROUNDS);
}

//! `Condition`: asyncio's `test_locks.py::ConditionTests`, in our words, on every executor.

mod common;

use common::{child, join_all, on_every_executor, on_two_workers, yield_now, Probe};
use spindle_sync::{CondGuard, CondLock, CondWait, Condition};
use std::pin::pin;
use std::sync::Arc;
use std::task::Poll;

#[test]
fn condition_types_are_send_and_sync() {
    common::assert_send_sync::<Condition<Vec<u8>>>();
    common::assert_send_sync::<CondLock<'static, Vec<u8>>>();
    common::assert_send_sync::<CondGuard<'static, Vec<u8>>>();
    common::assert_send_sync::<CondWait<'static, Vec<u8>>>();
}

/// Queues a `wait` and checks it released the lock; returns the waiting future.
fn start_waiting<'a>(
    cond: &'a Condition,
    guard: CondGuard<'a, ()>,
    probe: &Probe,
) -> CondWait<'a, ()> {
    let mut wait = guard.wait();
    assert!(probe.poll(&mut wait).is_pending());
    assert!(!cond.locked(), "a waiting task does not hold the lock");
    wait
}

#[test]
fn wait_releases_the_lock_while_waiting() {
    on_every_executor(|| async {
        let cond = Condition::new();
        let probe = Probe::new();
        let guard = cond.lock().await;
        let _wait = start_waiting(&cond, guard, &probe);
        assert!(!cond.locked());
        assert_eq!(cond.waiters(), 1);
        assert!(cond.try_lock().is_some());
    });
}

#[test]
fn notified_waiter_returns_holding_the_lock() {
    on_every_executor(|| async {
        let cond = Condition::new();
        let probe = Probe::new();
        let mut wait = start_waiting(&cond, cond.lock().await, &probe);
        let notifier = cond.lock().await;
        assert_eq!(notifier.notify(1), 1);
        assert!(probe.woken());
        assert!(
            probe.poll(&mut wait).is_pending(),
            "notified, but the notifier still holds the lock"
        );
        drop(notifier);
        assert!(probe.woken(), "the release hands the lock to the waiter");
        let Poll::Ready(guard) = probe.poll(&mut wait) else {
            panic!("the waiter returns once it has the lock");
        };
        assert!(cond.locked());
        drop(guard);
        assert!(!cond.locked());
    });
}

#[test]
fn notify_one_wakes_one_waiter_in_arrival_order() {
    on_every_executor(|| async {
        let cond = Condition::new();
        let probes = [Probe::new(), Probe::new(), Probe::new()];
        let mut waits = Vec::new();
        for probe in &probes {
            waits.push(start_waiting(&cond, cond.lock().await, probe));
        }
        for i in 0..3 {
            assert_eq!(cond.lock().await.notify(1), 1);
            assert!(probes[i].woken(), "waiter {i} is the oldest");
            assert!(probes[i + 1..].iter().all(|p| !p.woken()), "only one woken");
            assert!(probes[i].poll(&mut waits[i]).is_ready());
        }
        assert_eq!(cond.lock().await.notify(1), 0, "nobody left to notify");
    });
}

#[test]
fn notify_n_wakes_n_waiters() {
    on_every_executor(|| async {
        let cond = Condition::new();
        let probes = [Probe::new(), Probe::new(), Probe::new()];
        let mut waits = Vec::new();
        for probe in &probes {
            waits.push(start_waiting(&cond, cond.lock().await, probe));
        }
        assert_eq!(cond.lock().await.notify(2), 2);
        assert_eq!(cond.waiters(), 1);
        assert!(probes[0].woken() && probes[1].woken() && !probes[2].woken());
        // The two woken ones take the lock one after the other.
        let first = match probes[0].poll(&mut waits[0]) {
            Poll::Ready(guard) => guard,
            Poll::Pending => panic!("the first woken waiter takes the free lock"),
        };
        assert!(probes[1].poll(&mut waits[1]).is_pending());
        drop(first);
        assert!(probes[1].poll(&mut waits[1]).is_ready());
    });
}

#[test]
fn notify_all_wakes_every_waiter() {
    on_every_executor(|| async {
        let cond = Condition::new();
        let woken = std::sync::Mutex::new(Vec::new());
        let waiter = |id: usize| {
            let (cond, woken) = (&cond, &woken);
            child(async move {
                let guard = cond.lock().await;
                let _guard = guard.wait().await;
                woken.lock().unwrap().push(id);
            })
        };
        let notifier = child(async {
            yield_now().await;
            assert_eq!(cond.waiters(), 3);
            assert_eq!(cond.lock().await.notify_all(), 3);
        });
        join_all(vec![waiter(1), waiter(2), waiter(3), notifier]).await;
        assert_eq!(*woken.lock().unwrap(), [1, 2, 3]);
    });
}

#[test]
fn wait_for_returns_once_the_predicate_holds() {
    on_every_executor(|| async {
        let cond = Condition::with_value(0);
        let checks = std::sync::atomic::AtomicUsize::new(0);
        join_all(vec![
            child(async {
                let guard = cond.lock().await;
                let guard = guard
                    .wait_for(|n| {
                        checks.fetch_add(1, std::sync::atomic::Ordering::SeqCst);
                        *n >= 2
                    })
                    .await;
                assert_eq!(*guard, 2);
            }),
            child(async {
                for _ in 0..2 {
                    yield_now().await;
                    let mut guard = cond.lock().await;
                    *guard += 1;
                    guard.notify_all();
                }
            }),
        ])
        .await;
        // Checked first, then after each of the two notifications.
        assert_eq!(checks.into_inner(), 3);
    });
}

#[test]
fn wait_for_with_a_true_predicate_returns_at_once() {
    on_every_executor(|| async {
        let cond = Condition::with_value(7);
        let guard = cond.lock().await;
        let mut wait_for = pin!(guard.wait_for(|n| *n == 7));
        let Poll::Ready(guard) = Probe::new().poll(&mut wait_for) else {
            panic!("the predicate already holds");
        };
        assert_eq!(*guard, 7);
        assert_eq!(cond.waiters(), 0);
    });
}

#[test]
fn cancelled_waiter_leaves_the_queue_and_the_lock_free() {
    on_every_executor(|| async {
        let cond = Condition::new();
        let wait = start_waiting(&cond, cond.lock().await, &Probe::new());
        drop(wait);
        assert_eq!(cond.waiters(), 0);
        assert!(!cond.locked(), "a cancelled wait does not hold the lock");
        assert_eq!(cond.lock().await.notify_all(), 0);
    });
}

#[test]
fn notified_then_dropped_waiter_passes_the_notification_on() {
    on_every_executor(|| async {
        let cond = Condition::new();
        let (probe_a, probe_b) = (Probe::new(), Probe::new());
        let a = start_waiting(&cond, cond.lock().await, &probe_a);
        let mut b = start_waiting(&cond, cond.lock().await, &probe_b);
        assert_eq!(cond.lock().await.notify(1), 1);
        assert!(probe_a.woken() && !probe_b.woken());
        drop(a); // cancelled after being notified, before it ran
        assert!(probe_b.woken(), "A's notification went on to B");
        assert!(probe_b.poll(&mut b).is_ready());
    });
}

#[test]
fn waiter_dropped_while_relocking_passes_the_notification_on() {
    on_every_executor(|| async {
        let cond = Condition::new();
        let (probe_a, probe_b) = (Probe::new(), Probe::new());
        let mut a = start_waiting(&cond, cond.lock().await, &probe_a);
        let mut b = start_waiting(&cond, cond.lock().await, &probe_b);
        let notifier = cond.lock().await;
        notifier.notify(1);
        assert!(
            probe_a.poll(&mut a).is_pending(),
            "A was notified and now queues for the lock"
        );
        drop(a);
        assert!(probe_b.woken(), "A's notification went on to B");
        drop(notifier);
        assert!(probe_b.poll(&mut b).is_ready());
        assert_eq!(cond.waiters(), 0);
    });
}

#[test]
fn condition_hands_work_between_tasks_on_two_workers() {
    const ITEMS: usize = 200;
    let received = on_two_workers(|lp| async move {
        let cond = Arc::new(Condition::with_value(Vec::<usize>::new()));
        let consumers: Vec<_> = (0..4)
            .map(|_| {
                let cond = cond.clone();
                lp.spawn(async move {
                    let mut got = 0;
                    loop {
                        let guard = cond.lock().await;
                        let mut guard = guard.wait_for(|queue| !queue.is_empty()).await;
                        match guard.pop() {
                            Some(usize::MAX) => {
                                guard.push(usize::MAX); // leave the sentinel for the others
                                guard.notify_all();
                                return got;
                            }
                            Some(_) => got += 1,
                            None => unreachable!(),
                        }
                    }
                })
            })
            .collect();
        for item in 0..ITEMS {
            let mut guard = cond.lock().await;
            guard.insert(0, item);
            guard.notify(1);
            drop(guard);
            if item % 16 == 0 {
                spindle_scheduler::yield_now().await;
            }
        }
        let mut guard = cond.lock().await;
        guard.insert(0, usize::MAX);
        guard.notify_all();
        drop(guard);
        let mut total = 0;
        for consumer in consumers {
            total += consumer.await.unwrap();
        }
        total
    });
    assert_eq!(received, ITEMS);
}

//! `Semaphore` and `BoundedSemaphore`: asyncio's `test_locks.py::SemaphoreTests` and
//! `BoundedSemaphoreTests`, in our words, on every executor, plus a property test over random
//! interleavings.

mod common;

use common::{on_every_executor, on_two_workers, Probe};
use proptest::prelude::*;
use spindle_sync::{Acquire, BoundedSemaphore, Semaphore, SemaphorePermit, TooManyReleases};
use std::sync::atomic::{AtomicUsize, Ordering::SeqCst};
use std::sync::Arc;
use std::task::Poll;

#[test]
fn semaphore_types_are_send_and_sync() {
    common::assert_send_sync::<Semaphore>();
    common::assert_send_sync::<BoundedSemaphore>();
    common::assert_send_sync::<Acquire<'static>>();
    common::assert_send_sync::<SemaphorePermit<'static>>();
}

#[test]
fn acquire_takes_permits_until_locked() {
    on_every_executor(|| async {
        let sem = Semaphore::new(2);
        let a = sem.acquire().await;
        assert!(!sem.locked());
        let b = sem.acquire().await;
        assert!(sem.locked());
        assert_eq!(sem.available_permits(), 0);
        drop((a, b));
        assert_eq!(sem.available_permits(), 2);
    });
}

#[test]
fn released_permits_go_to_waiters_in_arrival_order() {
    on_every_executor(|| async {
        let sem = Semaphore::new(1);
        let held = sem.acquire().await;
        let probes = [Probe::new(), Probe::new(), Probe::new()];
        let mut waits: Vec<_> = probes.iter().map(|_| sem.acquire()).collect();
        for (probe, wait) in probes.iter().zip(&mut waits) {
            assert!(probe.poll(wait).is_pending());
        }
        assert_eq!(sem.waiters(), 3);
        drop(held);
        for (i, (probe, wait)) in probes.iter().zip(&mut waits).enumerate() {
            assert!(probe.woken(), "waiter {i} is next");
            let Poll::Ready(permit) = probe.poll(wait) else {
                panic!("waiter {i} was handed the permit");
            };
            for later in &probes[i + 1..] {
                assert!(!later.woken(), "only one permit at a time");
            }
            drop(permit);
        }
    });
}

#[test]
fn try_acquire_never_overtakes_a_waiter() {
    on_every_executor(|| async {
        let sem = Semaphore::new(1);
        let held = sem.acquire().await;
        let mut waiter = sem.acquire();
        assert!(Probe::new().poll(&mut waiter).is_pending());
        drop(held);
        assert!(sem.try_acquire().is_none());
        assert!(sem.locked());
    });
}

#[test]
fn cancelled_acquire_is_skipped() {
    on_every_executor(|| async {
        let sem = Semaphore::new(1);
        let held = sem.acquire().await;
        let (probe_b, probe_c) = (Probe::new(), Probe::new());
        let mut b = sem.acquire();
        let mut c = sem.acquire();
        assert!(probe_b.poll(&mut b).is_pending());
        assert!(probe_c.poll(&mut c).is_pending());
        drop(b);
        assert_eq!(sem.waiters(), 1);
        drop(held);
        assert!(probe_c.woken());
        assert!(probe_c.poll(&mut c).is_ready());
    });
}

#[test]
fn acquire_dropped_after_being_granted_passes_the_permit_on() {
    on_every_executor(|| async {
        let sem = Semaphore::new(1);
        let held = sem.acquire().await;
        let (probe_b, probe_c) = (Probe::new(), Probe::new());
        let mut b = sem.acquire();
        let mut c = sem.acquire();
        assert!(probe_b.poll(&mut b).is_pending());
        assert!(probe_c.poll(&mut c).is_pending());
        drop(held);
        assert!(probe_b.woken());
        drop(b);
        assert!(probe_c.woken());
        let Poll::Ready(permit) = probe_c.poll(&mut c) else {
            panic!("C got B's permit");
        };
        drop(permit);
        assert_eq!(sem.available_permits(), 1, "no permit lost or made up");
    });
}

#[test]
fn forgotten_permit_comes_back_with_release() {
    on_every_executor(|| async {
        let sem = Semaphore::new(1);
        sem.acquire().await.forget();
        assert!(sem.locked());
        sem.release();
        assert!(!sem.locked());
        assert_eq!(sem.available_permits(), 1);
    });
}

#[test]
fn bounded_semaphore_over_release_is_an_error() {
    on_every_executor(|| async {
        let sem = BoundedSemaphore::new(1);
        assert_eq!(sem.release(), Err(TooManyReleases));
        sem.acquire().await.forget();
        assert_eq!(sem.release(), Ok(()));
        assert_eq!(sem.release(), Err(TooManyReleases));
        assert_eq!(sem.available_permits(), 1);
    });
}

#[test]
fn bounded_semaphore_release_hands_the_permit_to_a_waiter() {
    on_every_executor(|| async {
        let sem = BoundedSemaphore::new(1);
        sem.acquire().await.forget();
        let probe = Probe::new();
        let mut waiter = sem.acquire();
        assert!(probe.poll(&mut waiter).is_pending());
        assert_eq!(sem.release(), Ok(()));
        assert!(probe.woken());
        let Poll::Ready(permit) = probe.poll(&mut waiter) else {
            panic!("the waiter got the released permit");
        };
        drop(permit);
        assert_eq!(sem.release(), Err(TooManyReleases));
    });
}

#[test]
fn semaphore_bounds_tasks_on_two_workers() {
    const PERMITS: usize = 3;
    let peak = on_two_workers(|lp| async move {
        let sem = Arc::new(Semaphore::new(PERMITS));
        let (inside, peak) = (Arc::new(AtomicUsize::new(0)), Arc::new(AtomicUsize::new(0)));
        let tasks: Vec<_> = (0..16)
            .map(|_| {
                let (sem, inside, peak) = (sem.clone(), inside.clone(), peak.clone());
                lp.spawn(async move {
                    for _ in 0..20 {
                        let _permit = sem.acquire().await;
                        let now = inside.fetch_add(1, SeqCst) + 1;
                        peak.fetch_max(now, SeqCst);
                        spindle_scheduler::yield_now().await;
                        inside.fetch_sub(1, SeqCst);
                    }
                })
            })
            .collect();
        for task in tasks {
            task.await.unwrap();
        }
        assert_eq!(sem.available_permits(), PERMITS);
        peak.load(SeqCst)
    });
    assert!((1..=PERMITS).contains(&peak), "peak {peak}");
}

/// What one simulated task does next.
#[derive(Debug, Clone, Copy)]
enum Op {
    /// Idle: start `acquire()` and poll it once.
    Acquire,
    /// Idle: `try_acquire()`.
    TryAcquire,
    /// Waiting: poll the `acquire()` again.
    Poll,
    /// Holding: drop the permit.
    Release,
    /// Holding: `forget()` the permit, then `Semaphore::release()`.
    ForgetAndRelease,
    /// Waiting: drop the `acquire()` (cancel it), granted or not.
    Cancel,
}

enum Task<'a> {
    Idle,
    Waiting(Acquire<'a>, Probe),
    Holding(SemaphorePermit<'a>),
}

fn op() -> impl Strategy<Value = Op> {
    prop_oneof![
        Just(Op::Acquire),
        Just(Op::TryAcquire),
        Just(Op::Poll),
        Just(Op::Release),
        Just(Op::ForgetAndRelease),
        Just(Op::Cancel),
    ]
}

proptest! {
    /// Random interleavings of N tasks polled by hand: never more holders than permits, a
    /// free permit never sits beside a waiter (no stranding), and every permit is back at
    /// the end.
    #[test]
    fn semaphore_never_has_more_holders_than_permits(
        permits in 1_usize..4,
        tasks in 1_usize..7,
        ops in proptest::collection::vec((0_usize..7, op()), 0..80),
    ) {
        let sem = Semaphore::new(permits);
        let mut state: Vec<Task<'_>> = (0..tasks).map(|_| Task::Idle).collect();
        for (who, op) in ops {
            let task = &mut state[who % tasks];
            *task = match (std::mem::replace(task, Task::Idle), op) {
                (Task::Idle, Op::Acquire) => {
                    let (mut acquire, probe) = (sem.acquire(), Probe::new());
                    match probe.poll(&mut acquire) {
                        Poll::Ready(permit) => Task::Holding(permit),
                        Poll::Pending => Task::Waiting(acquire, probe),
                    }
                }
                (Task::Idle, Op::TryAcquire) => match sem.try_acquire() {
                    Some(permit) => Task::Holding(permit),
                    None => Task::Idle,
                },
                (Task::Waiting(mut acquire, probe), Op::Poll) => {
                    let woken = probe.woken();
                    match probe.poll(&mut acquire) {
                        Poll::Ready(permit) => {
                            prop_assert!(woken, "ready without having been woken");
                            Task::Holding(permit)
                        }
                        Poll::Pending => Task::Waiting(acquire, probe),
                    }
                }
                (Task::Holding(permit), Op::Release) => {
                    drop(permit);
                    Task::Idle
                }
                (Task::Holding(permit), Op::ForgetAndRelease) => {
                    permit.forget();
                    sem.release();
                    Task::Idle
                }
                (Task::Waiting(acquire, _), Op::Cancel) => {
                    drop(acquire);
                    Task::Idle
                }
                (unchanged, _) => unchanged,
            };
            let holders = state.iter().filter(|t| matches!(t, Task::Holding(_))).count();
            prop_assert!(holders <= permits, "{holders} holders of {permits} permits");
            prop_assert!(holders + sem.available_permits() <= permits);
            prop_assert!(
                sem.available_permits() == 0 || sem.waiters() == 0,
                "a free permit while a task waits"
            );
        }
        drop(state);
        prop_assert_eq!(sem.available_permits(), permits);
    }
}

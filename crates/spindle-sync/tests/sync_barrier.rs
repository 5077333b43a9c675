//! `Barrier`: asyncio's `test_locks.py::BarrierTests`, in our words, on every executor.

mod common;

use common::{child, join_all, on_every_executor, on_two_workers, yield_times, Probe};
use spindle_sync::{Barrier, BarrierWait, BrokenBarrierError};
use std::sync::atomic::{AtomicUsize, Ordering::SeqCst};
use std::sync::Arc;
use std::task::Poll;

#[test]
fn barrier_types_are_send_and_sync() {
    common::assert_send_sync::<Barrier>();
    common::assert_send_sync::<BarrierWait<'static>>();
    common::assert_send_sync::<BrokenBarrierError>();
}

/// `n` children arrive one round apart; returns each child's result.
async fn arrive_staggered(barrier: &Barrier, n: usize) -> Vec<Result<usize, BrokenBarrierError>> {
    let children = (0..n)
        .map(|i| {
            child(async move {
                yield_times(i).await;
                barrier.wait().await
            })
        })
        .collect();
    join_all(children).await
}

#[test]
fn barrier_releases_all_parties_together_with_distinct_indices() {
    on_every_executor(|| async {
        let barrier = Barrier::new(3);
        let probes = [Probe::new(), Probe::new()];
        let mut first_two: Vec<_> = probes.iter().map(|_| barrier.wait()).collect();
        for (probe, wait) in probes.iter().zip(&mut first_two) {
            assert!(probe.poll(wait).is_pending());
        }
        assert_eq!(barrier.n_waiting(), 2);
        assert_eq!(barrier.wait().await, Ok(2), "the last to arrive trips it");
        assert_eq!(barrier.n_waiting(), 0);
        for (i, (probe, wait)) in probes.iter().zip(&mut first_two).enumerate() {
            assert!(probe.woken());
            assert_eq!(probe.poll(wait), Poll::Ready(Ok(i)), "arrival index {i}");
        }
    });
}

#[test]
fn barrier_is_reusable_for_a_second_round() {
    on_every_executor(|| async {
        let barrier = Barrier::new(4);
        for _round in 0..2 {
            let indices: Vec<_> = arrive_staggered(&barrier, 4)
                .await
                .into_iter()
                .map(Result::unwrap)
                .collect();
            assert_eq!(indices, [0, 1, 2, 3], "arrival order");
            assert_eq!(barrier.n_waiting(), 0);
            assert!(!barrier.broken());
        }
    });
}

#[test]
fn more_arrivals_than_parties_fill_successive_rounds() {
    on_every_executor(|| async {
        let barrier = Barrier::new(2);
        let results: Vec<_> = arrive_staggered(&barrier, 6)
            .await
            .into_iter()
            .map(Result::unwrap)
            .collect();
        assert_eq!(results, [0, 1, 0, 1, 0, 1]);
    });
}

#[test]
fn abort_breaks_current_and_later_waiters() {
    on_every_executor(|| async {
        let barrier = Barrier::new(3);
        let probe = Probe::new();
        let mut waiting = barrier.wait();
        assert!(probe.poll(&mut waiting).is_pending());
        barrier.abort();
        assert!(barrier.broken());
        assert!(probe.woken());
        assert_eq!(
            probe.poll(&mut waiting),
            Poll::Ready(Err(BrokenBarrierError))
        );
        assert_eq!(barrier.wait().await, Err(BrokenBarrierError));
        assert_eq!(barrier.n_waiting(), 0);
    });
}

#[test]
fn reset_breaks_current_waiters_and_restores_the_barrier() {
    on_every_executor(|| async {
        let barrier = Barrier::new(2);
        let probe = Probe::new();
        let mut waiting = barrier.wait();
        assert!(probe.poll(&mut waiting).is_pending());
        barrier.reset();
        assert_eq!(
            probe.poll(&mut waiting),
            Poll::Ready(Err(BrokenBarrierError))
        );
        assert!(!barrier.broken());
        barrier.abort();
        barrier.reset();
        let results = arrive_staggered(&barrier, 2).await;
        assert_eq!(results, [Ok(0), Ok(1)], "usable again after a reset");
    });
}

#[test]
fn waiter_dropped_before_the_barrier_fills_withdraws_its_arrival() {
    on_every_executor(|| async {
        let barrier = Barrier::new(3);
        let probe = Probe::new();
        let mut stays = barrier.wait();
        assert!(probe.poll(&mut stays).is_pending());
        {
            let mut leaves = barrier.wait();
            assert!(Probe::new().poll(&mut leaves).is_pending());
            assert_eq!(barrier.n_waiting(), 2);
        }
        assert_eq!(
            barrier.n_waiting(),
            1,
            "the departed arrival no longer counts"
        );
        let mut second = barrier.wait();
        let probe2 = Probe::new();
        assert!(
            probe2.poll(&mut second).is_pending(),
            "two present of three: the barrier does not trip"
        );
        assert_eq!(barrier.wait().await, Ok(2));
        assert_eq!(probe.poll(&mut stays), Poll::Ready(Ok(0)));
        assert_eq!(probe2.poll(&mut second), Poll::Ready(Ok(1)));
    });
}

#[test]
fn waiter_dropped_after_the_barrier_tripped_changes_nothing() {
    on_every_executor(|| async {
        let barrier = Barrier::new(2);
        let mut released = barrier.wait();
        assert!(Probe::new().poll(&mut released).is_pending());
        assert_eq!(barrier.wait().await, Ok(1));
        drop(released); // released but never polled again
        assert_eq!(barrier.n_waiting(), 0);
        assert_eq!(arrive_staggered(&barrier, 2).await, [Ok(0), Ok(1)]);
    });
}

#[test]
fn barrier_of_one_never_waits() {
    on_every_executor(|| async {
        for parties in [0, 1] {
            let barrier = Barrier::new(parties);
            assert_eq!(barrier.parties(), 1);
            assert_eq!(barrier.wait().await, Ok(0));
            assert_eq!(barrier.wait().await, Ok(0));
        }
    });
}

#[test]
fn barrier_synchronises_tasks_on_two_workers() {
    const PARTIES: usize = 6;
    const ROUNDS: usize = 20;
    on_two_workers(|lp| async move {
        let barrier = Arc::new(Barrier::new(PARTIES));
        let arrived = Arc::new(AtomicUsize::new(0));
        let tasks: Vec<_> = (0..PARTIES)
            .map(|_| {
                let (barrier, arrived) = (barrier.clone(), arrived.clone());
                lp.spawn(async move {
                    let mut indices = Vec::new();
                    for round in 0..ROUNDS {
                        arrived.fetch_add(1, SeqCst);
                        indices.push(barrier.wait().await.unwrap());
                        // Nobody passes round `round` before all arrived at it.
                        assert!(arrived.load(SeqCst) >= (round + 1) * PARTIES);
                    }
                    indices
                })
            })
            .collect();
        let mut per_round = vec![Vec::new(); ROUNDS];
        for task in tasks {
            for (round, index) in task.await.unwrap().into_iter().enumerate() {
                per_round[round].push(index);
            }
        }
        for mut indices in per_round {
            indices.sort_unstable();
            assert_eq!(
                indices,
                (0..PARTIES).collect::<Vec<_>>(),
                "distinct indices"
            );
        }
    });
}

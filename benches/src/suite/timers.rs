//! `timers` and `timer_churn`: each runtime's own timers (spindle's, tokio's wheel,
//! `async-io`'s `Timer`).

use super::{nanos_per, Peer};
use crate::{Runtime, Spawner};
use std::time::{Duration, Instant};

/// The tasks that share the `wait_for`s of `timer_churn` (so a multi-thread runtime has work
/// for every worker).
pub const CHURN_TASKS: usize = 100;

/// The seed of the sleep durations of `timers`: every runtime sleeps the same durations.
pub const SEED: u64 = 0x9E37_79B9_7F4A_7C15;

/// `count` durations spread over `0..max`, the same ones every time (xorshift64 from [`SEED`]).
pub fn durations(count: usize, max: Duration) -> Vec<Duration> {
    let max = max.as_nanos().max(1) as u64;
    let mut state = SEED;
    (0..count)
        .map(|_| {
            state ^= state << 13;
            state ^= state >> 7;
            state ^= state << 17;
            Duration::from_nanos(state % max)
        })
        .collect()
}

/// Spawns `sleeps` tasks that each sleep one of [`durations`] (`0..max_sleep`, a fixed seed)
/// with the runtime's own sleep, and awaits them all; milliseconds per iteration (at least
/// the longest sleep: the rest is the timers' overhead and lateness).
pub fn timers<R: Runtime>(rt: &R, sleeps: usize, max_sleep: Duration) -> f64
where
    R::Spawner: Peer,
{
    let spawner = rt.spawner();
    let inner = spawner.clone();
    let durations = durations(sleeps, max_sleep);
    let elapsed = rt.block_on(spawner.spawn(async move {
        let start = Instant::now();
        let handles: Vec<_> = durations
            .into_iter()
            .map(|d| inner.spawn(<R::Spawner as Peer>::sleep(d)))
            .collect();
        for handle in handles {
            handle.await;
        }
        start.elapsed()
    }));
    elapsed.as_secs_f64() * 1e3
}

/// [`CHURN_TASKS`] tasks share `count` `wait_for`s (the runtime's own timeout) with a 60 s
/// deadline around a `yield_now`: pending at the first poll, so the timer is armed, and done
/// at the second, so it is cancelled without firing; ns per `wait_for` (the yield included).
///
/// # Panics
/// If a timeout fires.
pub fn timer_churn<R: Runtime>(rt: &R, count: usize) -> f64
where
    R::Spawner: Peer,
{
    let spawner = rt.spawner();
    let (elapsed, ops) = rt.block_on(async move {
        let start = Instant::now();
        let ops = churn(spawner, count).await;
        (start.elapsed(), ops)
    });
    nanos_per(elapsed, ops)
}

/// The body of [`timer_churn`] (and of the `timer_churn` workload of the `callgrind` binary):
/// [`CHURN_TASKS`] tasks, `count / CHURN_TASKS` (rounded up) `wait_for`s each; returns the
/// number of `wait_for`s.
///
/// # Panics
/// If a timeout fires.
pub async fn churn<S: Peer>(spawner: S, count: usize) -> usize {
    let per_task = count.div_ceil(CHURN_TASKS);
    let handles: Vec<_> = (0..CHURN_TASKS)
        .map(|_| {
            spawner.spawn(async move {
                for _ in 0..per_task {
                    let done =
                        S::wait_for(Duration::from_secs(60), <S as Spawner>::yield_now()).await;
                    assert!(done.is_some(), "timer_churn: a 60 s timeout fired");
                }
            })
        })
        .collect();
    for handle in handles {
        handle.await;
    }
    per_task * CHURN_TASKS
}

#[cfg(test)]
mod tests {
    use super::durations;
    use std::time::Duration;

    #[test]
    fn durations_are_fixed_and_in_range() {
        let max = Duration::from_millis(10);
        let a = durations(1_000, max);
        assert_eq!(a, durations(1_000, max));
        assert!(a.iter().all(|d| *d < max));
        assert!(a.iter().any(|d| *d > max / 2));
    }
}

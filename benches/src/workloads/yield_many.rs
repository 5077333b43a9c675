//! `yield_many`: many tasks each yield many times.
//!
//! Measures the cost of one trip through the run queue: a task woken by itself goes to the
//! back of the queue (`yield_now`), so every yield is a reschedule and a poll.

use crate::Spawner;

/// Spawns `tasks` tasks that each yield `yields` times, and awaits them.
pub async fn run<S: Spawner>(spawner: S, tasks: usize, yields: usize) {
    let handles: Vec<_> = (0..tasks)
        .map(|_| {
            spawner.spawn(async move {
                for _ in 0..yields {
                    S::yield_now().await;
                }
            })
        })
        .collect();
    for handle in handles {
        handle.await;
    }
}

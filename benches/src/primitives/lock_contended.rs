//! `lock_contended`: many tasks take turns at one lock around a shared counter.
//!
//! Measures an async mutex under contention: more tasks than workers, each locking, adding one
//! to the counter and unlocking in a loop, so that at almost every release some task waits.
//! A fair (FIFO, hand-over) lock passes the lock through the run queue at each release; a lock
//! that lets the releasing task take it again at once does not. The final count proves that
//! the lock excluded: every increment is there.

use crate::Spawner;
use std::future::Future;
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::Arc;

/// An async mutex around a `u64` counter, as [`run`] uses it.
pub trait Counter: Send + Sync + 'static {
    /// The implementation's name in the results.
    const NAME: &'static str;

    /// A counter at zero.
    fn zero() -> Self;

    /// Locks, adds one, unlocks.
    fn increment(&self) -> impl Future<Output = ()> + Send;

    /// Locks and reads the count.
    fn count(&self) -> impl Future<Output = u64> + Send;
}

impl Counter for spindle::sync::Lock<u64> {
    const NAME: &'static str = "spindle::sync::Lock";

    fn zero() -> Self {
        spindle::sync::Lock::new(0)
    }

    async fn increment(&self) {
        *self.lock().await += 1
    }

    async fn count(&self) -> u64 {
        *self.lock().await
    }
}

impl Counter for tokio::sync::Mutex<u64> {
    const NAME: &'static str = "tokio::sync::Mutex";

    fn zero() -> Self {
        tokio::sync::Mutex::new(0)
    }

    async fn increment(&self) {
        *self.lock().await += 1
    }

    async fn count(&self) -> u64 {
        *self.lock().await
    }
}

impl Counter for async_lock::Mutex<u64> {
    const NAME: &'static str = "async_lock::Mutex";

    fn zero() -> Self {
        async_lock::Mutex::new(0)
    }

    async fn increment(&self) {
        *self.lock().await += 1
    }

    async fn count(&self) -> u64 {
        *self.lock().await
    }
}

/// Spawns `tasks` tasks that each lock the counter `per_task` times, adding one each time,
/// and awaits them. The tasks start together: each yields (the runtime's own `yield_now`)
/// until the last one is spawned.
///
/// # Panics
/// If the final count is not `tasks x per_task` (the lock let two holders in at once).
pub async fn run<S: Spawner, L: Counter>(spawner: S, tasks: usize, per_task: usize) {
    let counter = Arc::new(L::zero());
    let go = Arc::new(AtomicBool::new(false));
    let handles: Vec<_> = (0..tasks)
        .map(|_| {
            let counter = counter.clone();
            let go = go.clone();
            spawner.spawn(async move {
                // The start gate: no task begins before all are spawned, or the first ones
                // would be done before the last exist, and nothing would be contended.
                while !go.load(Ordering::Acquire) {
                    S::yield_now().await;
                }
                for _ in 0..per_task {
                    counter.increment().await;
                }
            })
        })
        .collect();
    go.store(true, Ordering::Release);
    for handle in handles {
        handle.await;
    }
    let count = counter.count().await;
    assert_eq!(
        count,
        (tasks * per_task) as u64,
        "lock_contended: {} lost an increment",
        L::NAME
    );
}

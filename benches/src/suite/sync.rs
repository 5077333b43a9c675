//! `queue_mpsc` and `lock_contended`: each runtime with its own bounded queue and async mutex,
//! on the workloads of [`crate::primitives`] (spindle: `spindle::sync::{Queue, Lock}`; tokio:
//! `tokio::sync::{mpsc, Mutex}`; smol: `async_channel::bounded`, `async_lock::Mutex`).

use super::{nanos_per, Peer};
use crate::primitives::{lock_contended as lock, queue_4p1c};
use crate::Runtime;
use std::time::Instant;

/// `producers` tasks put `per_producer` numbers each into the runtime's own queue bounded at
/// `capacity`; one task takes them all ([`queue_4p1c::run`]); ns per item.
///
/// # Panics
/// If an item is lost or duplicated.
pub fn queue_mpsc<R: Runtime>(rt: &R, producers: usize, per_producer: usize, capacity: usize) -> f64
where
    R::Spawner: Peer,
{
    let spawner = rt.spawner();
    let elapsed = rt.block_on(async move {
        let start = Instant::now();
        queue_4p1c::run::<_, <R::Spawner as Peer>::Queue>(
            spawner,
            producers,
            per_producer,
            capacity,
        )
        .await;
        start.elapsed()
    });
    nanos_per(elapsed, producers * per_producer)
}

/// `tasks` tasks each lock the runtime's own mutex around a counter `per_task` times
/// ([`lock::run`]); ns per lock.
///
/// # Panics
/// If an increment is lost.
pub fn lock_contended<R: Runtime>(rt: &R, tasks: usize, per_task: usize) -> f64
where
    R::Spawner: Peer,
{
    let spawner = rt.spawner();
    let elapsed = rt.block_on(async move {
        let start = Instant::now();
        lock::run::<_, <R::Spawner as Peer>::Lock>(spawner, tasks, per_task).await;
        start.elapsed()
    });
    nanos_per(elapsed, tasks * per_task)
}

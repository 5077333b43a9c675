//! `spawn_many_remote`: a thread outside the runtime spawns many small tasks and awaits them.
//!
//! Measures the remote path: the injection queue (or whatever the runtime uses for spawns
//! from a foreign thread), waking idle workers, and waking the outside thread on join.

use crate::Spawner;

/// From the calling thread (the runtime's `block_on` thread, not a worker), spawns `tasks`
/// empty tasks and awaits each.
pub async fn run<S: Spawner>(spawner: S, tasks: usize) {
    let mut handles = Vec::with_capacity(tasks);
    for i in 0..tasks {
        handles.push(spawner.spawn(async move { std::hint::black_box(i) }));
    }
    for handle in handles {
        std::hint::black_box(handle.await);
    }
}

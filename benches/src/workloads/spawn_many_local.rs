//! `spawn_many_local`: one task spawns many small tasks and awaits them all.
//!
//! Measures spawning from a worker (onto its own queue where the runtime has one), the
//! stealing that spreads the tasks over the workers, and joining: most handles are awaited
//! after their task finished, some before.

use crate::Spawner;

/// Spawns one task that spawns `tasks` empty tasks and awaits each.
pub async fn run<S: Spawner>(spawner: S, tasks: usize) {
    let inner = spawner.clone();
    let root = spawner.spawn(async move {
        let mut handles = Vec::with_capacity(tasks);
        for i in 0..tasks {
            handles.push(inner.spawn(async move { std::hint::black_box(i) }));
        }
        for handle in handles {
            std::hint::black_box(handle.await);
        }
    });
    root.await;
}

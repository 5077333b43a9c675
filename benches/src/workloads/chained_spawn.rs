//! `chained_spawn`: each task spawns the next and ends; the last one reports.
//!
//! Measures the spawn-run-finish latency of one task at a time: at any moment at most two
//! tasks exist, so a runtime that is slow to run a freshly spawned task (or that moves it to
//! another worker) pays it once per link.

use crate::mailbox::{self, Sender};
use crate::Spawner;

/// Spawns a chain of `depth` detached tasks, each spawning the next, and waits for the last.
pub async fn run<S: Spawner>(spawner: S, depth: usize) {
    let (done, mut finished) = mailbox::channel();
    link(spawner, depth, done);
    finished
        .recv()
        .await
        .expect("chained_spawn: the chain broke");
}

fn link<S: Spawner>(spawner: S, left: usize, done: Sender<()>) {
    if left == 0 {
        done.send(());
        return;
    }
    let next = spawner.clone();
    spawner.spawn_detached(async move { link(next, left - 1, done) });
}

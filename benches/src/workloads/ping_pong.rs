//! `ping_pong`: pairs of tasks pass a message back and forth.
//!
//! Measures waking another task: every message wakes the task that waits for it, which may
//! sit on the other worker (a cross-thread wake) or on the same one. The channel is
//! [`crate::mailbox`], the same code on every runtime.

use crate::mailbox::{self, Receiver, Sender};
use crate::Spawner;

/// From one root task, spawns `pairs` ping tasks and their pong tasks; each ping sends a
/// message, its pong sends it back, `rounds` times. Awaits every task.
pub async fn run<S: Spawner>(spawner: S, pairs: usize, rounds: usize) {
    let inner = spawner.clone();
    let root = spawner.spawn(async move {
        let mut handles = Vec::with_capacity(2 * pairs);
        for _ in 0..pairs {
            let (to_pong, at_pong) = mailbox::channel();
            let (to_ping, at_ping) = mailbox::channel();
            handles.push(inner.spawn(pong(at_pong, to_ping, rounds)));
            handles.push(inner.spawn(ping(to_pong, at_ping, rounds)));
        }
        for handle in handles {
            handle.await;
        }
    });
    root.await;
}

async fn ping(out: Sender<usize>, mut back: Receiver<usize>, rounds: usize) {
    for round in 0..rounds {
        out.send(round);
        let answer = back.recv().await.expect("ping_pong: the pong task is gone");
        assert_eq!(answer, round + 1);
    }
}

async fn pong(mut at: Receiver<usize>, back: Sender<usize>, rounds: usize) {
    for _ in 0..rounds {
        let message = at.recv().await.expect("ping_pong: the ping task is gone");
        back.send(message + 1);
    }
}

//! `spawn_many_local`, `spawn_many_remote`, `yield_many`, `ping_pong`, `chained_spawn`: the
//! scheduler alone, on the workloads of [`crate::workloads`] (the same code on every runtime).

use super::{nanos_per, Peer};
use crate::mailbox;
use crate::{Runtime, Spawner, Workload};
use std::time::Instant;

/// A task spawns `tasks` empty tasks and awaits them all ([`crate::workloads::spawn_many_local`]);
/// ns per task.
pub fn spawn_many_local<R: Runtime>(rt: &R, tasks: usize) -> f64
where
    R::Spawner: Peer,
{
    nanos_per(Workload::SpawnManyLocal { tasks }.run(rt, 1), tasks)
}

/// A thread outside the runtime (a fresh `std::thread`, on every runtime: on the
/// current-thread ones the thread inside `block_on` is the loop's own) spawns `tasks` empty
/// tasks and hands their handles to the main future, which awaits them all; ns per task,
/// timed from the first spawn.
///
/// The main future waits for the handles without blocking, so a current-thread runtime runs
/// the tasks while the foreign thread is still spawning: the remote path, with its wake-ups.
pub fn spawn_many_remote<R: Runtime>(rt: &R, tasks: usize) -> f64
where
    R::Spawner: Peer,
{
    let spawner = rt.spawner();
    let elapsed = rt.block_on(async move {
        let (send, mut handles) = mailbox::channel();
        let thread = std::thread::spawn(move || {
            let start = Instant::now();
            let handles: Vec<_> = (0..tasks)
                .map(|i| spawner.spawn(async move { std::hint::black_box(i) }))
                .collect();
            send.send((start, handles));
        });
        let (start, handles) = handles
            .recv()
            .await
            .expect("spawn_many_remote: the spawning thread panicked");
        for handle in handles {
            std::hint::black_box(handle.await);
        }
        let elapsed = start.elapsed();
        thread
            .join()
            .expect("spawn_many_remote: the spawning thread panicked");
        elapsed
    });
    nanos_per(elapsed, tasks)
}

/// `tasks` tasks each yield `yields` times ([`crate::workloads::yield_many`]); ns per yield.
pub fn yield_many<R: Runtime>(rt: &R, tasks: usize, yields: usize) -> f64
where
    R::Spawner: Peer,
{
    nanos_per(
        Workload::YieldMany { tasks, yields }.run(rt, 1),
        tasks * yields,
    )
}

/// A task spawns `pairs` pairs of tasks that pass one message there and back over two
/// single-use channels (oneshots: [`crate::workloads::ping_pong`] with one round trip),
/// `reps` times per sample; ns per pair.
pub fn ping_pong<R: Runtime>(rt: &R, pairs: usize, reps: usize) -> f64
where
    R::Spawner: Peer,
{
    nanos_per(Workload::PingPong { pairs, rounds: 1 }.run(rt, reps), pairs)
}

/// Each task spawns the next, a chain of `depth` ([`crate::workloads::chained_spawn`]),
/// `reps` chains per sample; ns per spawn.
pub fn chained_spawn<R: Runtime>(rt: &R, depth: usize, reps: usize) -> f64
where
    R::Spawner: Peer,
{
    nanos_per(Workload::ChainedSpawn { depth }.run(rt, reps), depth)
}

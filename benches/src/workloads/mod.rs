//! The workloads, one module each, and [`Workload`]: which ones the binary runs, at what size.
//!
//! Every workload is an `async fn` generic over [`Spawner`], so the three runtimes run the
//! same code. The sizes of one iteration follow tokio's own benchmarks (10 000 spawns, 200
//! tasks x 1 000 yields, ...); one sample runs a [`Case`]'s `reps` iterations back to back in
//! one entry into the runtime, timed inside the main future ([`Workload::run`]): entering and
//! leaving the runtime is not measured.

pub mod chained_spawn;
pub mod ping_pong;
pub mod spawn_many_local;
pub mod spawn_many_remote;
pub mod yield_many;

use crate::{Runtime, Spawner};
use std::time::{Duration, Instant};

/// One workload at one size.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Workload {
    /// [`spawn_many_local`]: a task spawns `tasks` tasks and awaits them all.
    SpawnManyLocal {
        /// How many tasks are spawned.
        tasks: usize,
    },
    /// [`spawn_many_remote`]: the thread outside the runtime spawns `tasks` tasks and
    /// awaits them all.
    SpawnManyRemote {
        /// How many tasks are spawned.
        tasks: usize,
    },
    /// [`yield_many`]: `tasks` tasks each yield `yields` times.
    YieldMany {
        /// How many tasks run at once.
        tasks: usize,
        /// How many times each yields.
        yields: usize,
    },
    /// [`ping_pong`]: `pairs` pairs of tasks pass a message back and forth `rounds` times.
    PingPong {
        /// How many pairs run at once.
        pairs: usize,
        /// How many round trips each pair makes.
        rounds: usize,
    },
    /// [`chained_spawn`]: each task spawns the next, `depth` tasks in all.
    ChainedSpawn {
        /// The length of the chain.
        depth: usize,
    },
}

/// A workload and how many iterations of it make one sample.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Case {
    /// What one iteration does.
    pub workload: Workload,
    /// Iterations per sample.
    pub reps: usize,
}

impl Workload {
    /// Every workload with its iterations per sample (`quick`: a fifth of them).
    ///
    /// The counts make one sample take some tens of milliseconds on a 2-core machine: long
    /// enough that the clock and the wake-up of the main thread are noise, short enough that
    /// 15 rounds of three runtimes stay within a minute.
    pub fn all(quick: bool) -> Vec<Case> {
        let scale = if quick { 5 } else { 1 };
        let case = |workload, reps: usize| Case {
            workload,
            reps: reps / scale,
        };
        vec![
            case(Workload::SpawnManyLocal { tasks: 10_000 }, 25),
            case(Workload::SpawnManyRemote { tasks: 10_000 }, 25),
            case(
                Workload::YieldMany {
                    tasks: 200,
                    yields: 1_000,
                },
                5,
            ),
            case(
                Workload::PingPong {
                    pairs: 100,
                    rounds: 1_000,
                },
                5,
            ),
            case(Workload::ChainedSpawn { depth: 10_000 }, 25),
        ]
    }

    /// The workload's name, as `--filter` matches it.
    pub fn name(&self) -> &'static str {
        match self {
            Workload::SpawnManyLocal { .. } => "spawn_many_local",
            Workload::SpawnManyRemote { .. } => "spawn_many_remote",
            Workload::YieldMany { .. } => "yield_many",
            Workload::PingPong { .. } => "ping_pong",
            Workload::ChainedSpawn { .. } => "chained_spawn",
        }
    }

    /// The sizes, in words.
    pub fn sizes(&self) -> String {
        match *self {
            Workload::SpawnManyLocal { tasks } | Workload::SpawnManyRemote { tasks } => {
                format!("{tasks} tasks")
            }
            Workload::YieldMany { tasks, yields } => format!("{tasks} tasks x {yields} yields"),
            Workload::PingPong { pairs, rounds } => format!("{pairs} pairs x {rounds} round trips"),
            Workload::ChainedSpawn { depth } => format!("chain of {depth} tasks"),
        }
    }

    /// Runs `reps` iterations of the workload on `rt` (in one `block_on`) and returns the
    /// mean time of one.
    pub fn run<R: Runtime>(&self, rt: &R, reps: usize) -> Duration {
        let spawner = rt.spawner();
        let workload = *self;
        let reps = reps.max(1);
        rt.block_on(async move {
            let start = Instant::now();
            for _ in 0..reps {
                workload.body(spawner.clone()).await;
            }
            start.elapsed() / reps as u32
        })
    }

    async fn body<S: Spawner>(self, spawner: S) {
        match self {
            Workload::SpawnManyLocal { tasks } => spawn_many_local::run(spawner, tasks).await,
            Workload::SpawnManyRemote { tasks } => spawn_many_remote::run(spawner, tasks).await,
            Workload::YieldMany { tasks, yields } => yield_many::run(spawner, tasks, yields).await,
            Workload::PingPong { pairs, rounds } => ping_pong::run(spawner, pairs, rounds).await,
            Workload::ChainedSpawn { depth } => chained_spawn::run(spawner, depth).await,
        }
    }
}

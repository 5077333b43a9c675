//! The workloads of the `sync` binary: one synchronisation primitive against another.
//!
//! Where the `runtimes` binary holds the code fixed and changes the runtime, these workloads
//! change the *primitive*: spindle's own (`spindle::sync`), tokio's (`tokio::sync`) and smol's
//! (`async-channel`, `async-lock`). Each runs on its own runtime, and smol's also on spindle's
//! loop, so that one comparison differs in the primitive alone ([`Contender::ALL`]).
//!
//! - [`queue_4p1c`]: producers and one consumer through a bounded queue ([`Channel`]).
//! - [`lock_contended`]: many tasks incrementing one counter behind a lock ([`Counter`]).
//!
//! A workload is written once, generic over the [`Spawner`] and the primitive, so the same
//! code runs for every contender:
//!
//! ```
//! use spindle_benches::primitives::{Contender, SyncWorkload};
//! use spindle_benches::runtimes::Runtimes;
//!
//! let runtimes = Runtimes::new(2);
//! let tiny = SyncWorkload::LockContended { tasks: 4, per_task: 10 };
//! for contender in Contender::ALL {
//!     tiny.run(contender, &runtimes, 1); // panics if the count is wrong
//! }
//! ```

pub mod lock_contended;
pub mod queue_4p1c;

pub use lock_contended::Counter;
pub use queue_4p1c::{AsyncChannel, Channel, SpindleQueue, TokioMpsc};

use crate::runtimes::{Runtimes, SmolRuntime, SpindleRuntime, TokioRuntime};
use crate::{Runtime, Spawner};
use std::time::{Duration, Instant};

/// Whose primitives a contender uses.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Family {
    /// `spindle::sync`: `Queue`, `Lock`.
    Spindle,
    /// `tokio::sync`: `mpsc::channel`, `Mutex`.
    Tokio,
    /// smol's: `async_channel::bounded`, `async_lock::Mutex`.
    Smol,
}

/// Which runtime a contender runs on (the adapters of [`crate::runtimes`]).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum On {
    /// spindle's loop.
    Spindle,
    /// tokio's multi-thread runtime.
    Tokio,
    /// smol's executor.
    Smol,
}

impl On {
    /// The runtime's name in the results.
    pub fn name(self) -> &'static str {
        match self {
            On::Spindle => SpindleRuntime::NAME,
            On::Tokio => TokioRuntime::NAME,
            On::Smol => SmolRuntime::NAME,
        }
    }
}

/// A family of primitives on a runtime: one line of the results.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Contender {
    /// Whose primitive.
    pub family: Family,
    /// On which runtime.
    pub on: On,
}

impl Contender {
    /// Every contender, in the order the binary runs them; the first is the baseline.
    ///
    /// Each family on its own runtime, and smol's primitives also on spindle's loop: against
    /// the first line, the last differs in the primitive only.
    pub const ALL: [Contender; 4] = [
        Contender {
            family: Family::Spindle,
            on: On::Spindle,
        },
        Contender {
            family: Family::Tokio,
            on: On::Tokio,
        },
        Contender {
            family: Family::Smol,
            on: On::Smol,
        },
        Contender {
            family: Family::Smol,
            on: On::Spindle,
        },
    ];
}

/// One workload of the `sync` binary at one size.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum SyncWorkload {
    /// [`queue_4p1c`]: `producers` producers each put `per_producer` items into a queue of
    /// `capacity`; one consumer takes them all.
    Queue4p1c {
        /// How many producer tasks.
        producers: usize,
        /// How many items each puts.
        per_producer: usize,
        /// The queue's bound.
        capacity: usize,
    },
    /// [`lock_contended`]: `tasks` tasks each lock a shared counter `per_task` times.
    LockContended {
        /// How many tasks.
        tasks: usize,
        /// How many lock/increment/unlock each does.
        per_task: usize,
    },
}

/// A workload and how many iterations of it make one sample.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct SyncCase {
    /// What one iteration does.
    pub workload: SyncWorkload,
    /// Iterations per sample.
    pub reps: usize,
}

impl SyncWorkload {
    /// Both workloads with their iterations per sample (`quick`: a fifth of them).
    ///
    /// One sample takes some tens of milliseconds on 2 cores, so that the 4 contenders x 2
    /// workloads x 15 rounds of a full run stay within a minute.
    pub fn all(quick: bool) -> Vec<SyncCase> {
        let scale = if quick { 5 } else { 1 };
        let case = |workload, reps: usize| SyncCase {
            workload,
            reps: (reps / scale).max(1),
        };
        vec![
            case(
                SyncWorkload::Queue4p1c {
                    producers: 4,
                    per_producer: 50_000,
                    capacity: 1_024,
                },
                5,
            ),
            case(
                SyncWorkload::LockContended {
                    tasks: 64,
                    per_task: 2_000,
                },
                10,
            ),
        ]
    }

    /// The workload's name, as `--filter` matches it.
    pub fn name(&self) -> &'static str {
        match self {
            SyncWorkload::Queue4p1c { .. } => "queue_4p1c",
            SyncWorkload::LockContended { .. } => "lock_contended",
        }
    }

    /// The sizes, in words.
    pub fn sizes(&self) -> String {
        match *self {
            SyncWorkload::Queue4p1c {
                producers,
                per_producer,
                capacity,
            } => format!(
                "{producers} producers x {per_producer} items, 1 consumer, capacity {capacity}"
            ),
            SyncWorkload::LockContended { tasks, per_task } => {
                format!("{tasks} tasks x {per_task} lock/unlock")
            }
        }
    }

    /// The primitive `family` brings to this workload, e.g. `tokio::sync::mpsc`.
    pub fn primitive(&self, family: Family) -> &'static str {
        match (self, family) {
            (SyncWorkload::Queue4p1c { .. }, Family::Spindle) => SpindleQueue::NAME,
            (SyncWorkload::Queue4p1c { .. }, Family::Tokio) => TokioMpsc::NAME,
            (SyncWorkload::Queue4p1c { .. }, Family::Smol) => AsyncChannel::NAME,
            (SyncWorkload::LockContended { .. }, Family::Spindle) => {
                <spindle::sync::Lock<u64> as Counter>::NAME
            }
            (SyncWorkload::LockContended { .. }, Family::Tokio) => {
                <tokio::sync::Mutex<u64> as Counter>::NAME
            }
            (SyncWorkload::LockContended { .. }, Family::Smol) => {
                <async_lock::Mutex<u64> as Counter>::NAME
            }
        }
    }

    /// Runs `reps` iterations for `contender` (in one `block_on` of its runtime) and returns
    /// the mean time of one.
    ///
    /// # Panics
    /// If an iteration finds a wrong result (see [`queue_4p1c::run`], [`lock_contended::run`]).
    pub fn run(&self, contender: Contender, runtimes: &Runtimes, reps: usize) -> Duration {
        match contender.on {
            On::Spindle => self.run_on(contender.family, &runtimes.spindle, reps),
            On::Tokio => self.run_on(contender.family, &runtimes.tokio, reps),
            On::Smol => self.run_on(contender.family, &runtimes.smol, reps),
        }
    }

    fn run_on<R: Runtime>(&self, family: Family, rt: &R, reps: usize) -> Duration {
        match family {
            Family::Spindle => self.time::<R, SpindleQueue, spindle::sync::Lock<u64>>(rt, reps),
            Family::Tokio => self.time::<R, TokioMpsc, tokio::sync::Mutex<u64>>(rt, reps),
            Family::Smol => self.time::<R, AsyncChannel, async_lock::Mutex<u64>>(rt, reps),
        }
    }

    /// Timed inside the main future, as in [`crate::Workload::run`]: entering and leaving the
    /// runtime is not measured.
    fn time<R: Runtime, C: Channel, L: Counter>(&self, rt: &R, reps: usize) -> Duration {
        let spawner = rt.spawner();
        let workload = *self;
        let reps = reps.max(1);
        rt.block_on(async move {
            let start = Instant::now();
            for _ in 0..reps {
                workload.body::<_, C, L>(spawner.clone()).await;
            }
            start.elapsed() / reps as u32
        })
    }

    async fn body<S: Spawner, C: Channel, L: Counter>(self, spawner: S) {
        match self {
            SyncWorkload::Queue4p1c {
                producers,
                per_producer,
                capacity,
            } => queue_4p1c::run::<S, C>(spawner, producers, per_producer, capacity).await,
            SyncWorkload::LockContended { tasks, per_task } => {
                lock_contended::run::<S, L>(spawner, tasks, per_task).await
            }
        }
    }
}

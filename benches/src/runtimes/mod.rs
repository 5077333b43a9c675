//! [`Runtime`] and [`Spawner`]: what a workload may ask of a runtime, and one adapter each.
//!
//! A workload sees only a [`Spawner`]: spawn a task, spawn a detached one, yield. The binary
//! owns the [`Runtime`]s and enters each with [`Runtime::block_on`], which runs the workload's
//! main future on the calling thread, a thread that is *not* one of the runtime's workers (so a
//! spawn from there is a remote spawn on every runtime).
//!
//! The adapters add nothing to the runtime's own calls but the unwrapping of join results
//! ([`Expect`]), which costs the same on the two runtimes that need it.

mod smol_rt;
mod spindle_rt;
mod tokio_rt;

pub use smol_rt::SmolRuntime;
pub use spindle_rt::SpindleRuntime;
pub use tokio_rt::TokioRuntime;

use std::fmt::Debug;
use std::future::Future;
use std::pin::Pin;
use std::task::{Context, Poll};

/// The three runtimes, each with the same number of workers, alive together for a whole run
/// (an idle one parks its threads).
#[derive(Debug)]
pub struct Runtimes {
    /// spindle's loop.
    pub spindle: SpindleRuntime,
    /// tokio's runtime.
    pub tokio: TokioRuntime,
    /// smol's executor and its threads.
    pub smol: SmolRuntime,
}

impl Runtimes {
    /// The names of the three, in the order of the fields.
    pub const NAMES: [&'static str; 3] =
        [SpindleRuntime::NAME, TokioRuntime::NAME, SmolRuntime::NAME];

    /// The three runtimes with `workers` workers each.
    pub fn new(workers: usize) -> Runtimes {
        Runtimes {
            spindle: SpindleRuntime::new(workers),
            tokio: TokioRuntime::new(workers),
            smol: SmolRuntime::new(workers),
        }
    }
}

/// A runtime under test, as the binary drives it.
pub trait Runtime {
    /// The handle its tasks spawn with.
    type Spawner: Spawner;

    /// The name in the results table.
    const NAME: &'static str;

    /// A handle to spawn tasks on this runtime, from any thread.
    fn spawner(&self) -> Self::Spawner;

    /// Runs `future` on the calling thread until it completes, the runtime's workers running
    /// the tasks it spawns.
    fn block_on<F: Future>(&self, future: F) -> F::Output;
}

/// What a workload may do on a runtime: a cheap, cloneable handle.
pub trait Spawner: Clone + Send + Sync + 'static {
    /// A spawned task's join handle: awaiting it gives the task's output.
    type Join<T: Send + 'static>: Future<Output = T> + Send + Unpin + 'static;

    /// Spawns `future`; on a worker of this runtime, onto that worker if the runtime can.
    fn spawn<F>(&self, future: F) -> Self::Join<F::Output>
    where
        F: Future + Send + 'static,
        F::Output: Send + 'static;

    /// Spawns `future` and lets it run on without a join handle.
    fn spawn_detached<F>(&self, future: F)
    where
        F: Future<Output = ()> + Send + 'static;

    /// The runtime's own `yield_now`: back of the queue, other tasks first.
    fn yield_now() -> impl Future<Output = ()> + Send;
}

/// A join handle whose `Result` output is unwrapped: a failed task fails the benchmark.
#[derive(Debug)]
#[must_use = "futures do nothing unless awaited"]
pub struct Expect<H>(pub H);

impl<H, T, E> Future for Expect<H>
where
    H: Future<Output = Result<T, E>> + Unpin,
    E: Debug,
{
    type Output = T;

    fn poll(mut self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<T> {
        Pin::new(&mut self.0)
            .poll(cx)
            .map(|result| result.expect("a benchmark task failed"))
    }
}

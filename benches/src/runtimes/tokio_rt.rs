//! tokio: a `multi_thread` runtime, entered with `Runtime::block_on`.

use super::{Expect, Runtime, Spawner};
use std::future::Future;
use tokio::runtime::Handle;

/// A multi-thread tokio runtime with a fixed number of workers and its drivers enabled (as
/// spindle's loop always has its driver).
#[derive(Debug)]
pub struct TokioRuntime {
    rt: tokio::runtime::Runtime,
}

impl TokioRuntime {
    /// A runtime with `workers` worker threads.
    ///
    /// # Panics
    /// If the runtime cannot be built.
    pub fn new(workers: usize) -> TokioRuntime {
        let rt = tokio::runtime::Builder::new_multi_thread()
            .worker_threads(workers)
            .thread_name("bench-tokio")
            .enable_all()
            .build()
            .expect("tokio: could not build the runtime");
        TokioRuntime { rt }
    }
}

impl Runtime for TokioRuntime {
    type Spawner = Handle;
    const NAME: &'static str = "tokio";

    fn spawner(&self) -> Handle {
        self.rt.handle().clone()
    }

    fn block_on<F: Future>(&self, future: F) -> F::Output {
        self.rt.block_on(future)
    }
}

impl Spawner for Handle {
    type Join<T: Send + 'static> = Expect<tokio::task::JoinHandle<T>>;

    fn spawn<F>(&self, future: F) -> Self::Join<F::Output>
    where
        F: Future + Send + 'static,
        F::Output: Send + 'static,
    {
        Expect(Handle::spawn(self, future))
    }

    fn spawn_detached<F>(&self, future: F)
    where
        F: Future<Output = ()> + Send + 'static,
    {
        // Dropping a tokio `JoinHandle` detaches the task.
        drop(Handle::spawn(self, future));
    }

    fn yield_now() -> impl Future<Output = ()> + Send {
        tokio::task::yield_now()
    }
}

//! spindle: a multi-thread [`EventLoop`], entered with `run_until_complete`.

use super::{Expect, Runtime, Spawner};
use spindle::EventLoop;
use std::future::Future;

/// A multi-thread spindle loop with a fixed number of workers; closed when dropped.
#[derive(Debug)]
pub struct SpindleRuntime {
    lp: EventLoop,
}

impl SpindleRuntime {
    /// A loop with `workers` worker threads.
    ///
    /// # Panics
    /// If the loop cannot be built (no poller or no threads).
    pub fn new(workers: usize) -> SpindleRuntime {
        let lp = EventLoop::builder()
            .worker_threads(workers)
            .thread_name("bench-spindle")
            .build()
            .expect("spindle: could not build the event loop");
        SpindleRuntime { lp }
    }
}

impl Drop for SpindleRuntime {
    fn drop(&mut self) {
        self.lp.close();
    }
}

impl Runtime for SpindleRuntime {
    type Spawner = EventLoop;
    const NAME: &'static str = "spindle";

    fn spawner(&self) -> EventLoop {
        self.lp.clone()
    }

    fn block_on<F: Future>(&self, future: F) -> F::Output {
        self.lp.run_until_complete(future)
    }
}

impl Spawner for EventLoop {
    type Join<T: Send + 'static> = Expect<spindle::Task<T>>;

    fn spawn<F>(&self, future: F) -> Self::Join<F::Output>
    where
        F: Future + Send + 'static,
        F::Output: Send + 'static,
    {
        Expect(EventLoop::spawn(self, future))
    }

    fn spawn_detached<F>(&self, future: F)
    where
        F: Future<Output = ()> + Send + 'static,
    {
        // Dropping a spindle `Task` detaches it.
        drop(EventLoop::spawn(self, future));
    }

    fn yield_now() -> impl Future<Output = ()> + Send {
        spindle::yield_now()
    }
}

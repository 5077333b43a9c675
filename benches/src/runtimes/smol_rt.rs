//! smol: one `smol::Executor` run by N threads, entered with `smol::block_on`.
//!
//! smol has no multi-thread runtime object; its documented recipe is this one: N threads each
//! `block_on(executor.run(shutdown))`, the shutdown future completing when the owner drops the
//! channel's sender.

use super::{Runtime, Spawner};
use smol::channel::{self, Sender};
use smol::Executor;
use std::future::Future;
use std::sync::Arc;
use std::thread::JoinHandle;

/// An executor and the threads that run it; stopped and joined when dropped.
#[derive(Debug)]
pub struct SmolRuntime {
    executor: Arc<Executor<'static>>,
    shutdown: Option<Sender<()>>,
    threads: Vec<JoinHandle<()>>,
}

impl SmolRuntime {
    /// An executor run by `workers` threads.
    ///
    /// # Panics
    /// If a thread cannot be started.
    pub fn new(workers: usize) -> SmolRuntime {
        let executor = Arc::new(Executor::new());
        let (shutdown, signal) = channel::unbounded::<()>();
        let threads = (0..workers.max(1))
            .map(|index| {
                let executor = executor.clone();
                let signal = signal.clone();
                std::thread::Builder::new()
                    .name(format!("bench-smol-{index}"))
                    .spawn(move || {
                        // `recv` fails once the sender is dropped: that is the signal.
                        let _ = smol::block_on(executor.run(signal.recv()));
                    })
                    .expect("smol: could not start an executor thread")
            })
            .collect();
        SmolRuntime {
            executor,
            shutdown: Some(shutdown),
            threads,
        }
    }
}

impl Drop for SmolRuntime {
    fn drop(&mut self) {
        drop(self.shutdown.take());
        for thread in self.threads.drain(..) {
            let _ = thread.join();
        }
    }
}

impl Runtime for SmolRuntime {
    type Spawner = Arc<Executor<'static>>;
    const NAME: &'static str = "smol";

    fn spawner(&self) -> Arc<Executor<'static>> {
        self.executor.clone()
    }

    fn block_on<F: Future>(&self, future: F) -> F::Output {
        smol::block_on(future)
    }
}

impl Spawner for Arc<Executor<'static>> {
    type Join<T: Send + 'static> = smol::Task<T>;

    fn spawn<F>(&self, future: F) -> smol::Task<F::Output>
    where
        F: Future + Send + 'static,
        F::Output: Send + 'static,
    {
        Executor::spawn(self, future)
    }

    fn spawn_detached<F>(&self, future: F)
    where
        F: Future<Output = ()> + Send + 'static,
    {
        // Dropping a smol `Task` would cancel it.
        Executor::spawn(self, future).detach();
    }

    fn yield_now() -> impl Future<Output = ()> + Send {
        smol::future::yield_now()
    }
}

//! The loop's shared FIFO: the core's intrusive [`Inject`] queue, plus moving a batch of it into
//! a worker's local queue.

use super::Local;
use spindle_core::task::Inject;
use spindle_core::Runnable;

/// At most this many runnables move from the injector to a local queue at once: enough to
/// amortise the lock, few enough to leave work for the other workers.
const BATCH: usize = 32;

pub(crate) struct Injector(Inject);

impl Injector {
    pub(crate) fn new() -> Injector {
        Injector(Inject::new())
    }
    pub(crate) fn push(&self, task: Runnable) {
        self.0.push(task)
    }
    pub(crate) fn pop(&self) -> Option<Runnable> {
        self.0.pop()
    }
    /// Takes the oldest runnable for the caller and moves up to half of the rest (at most
    /// `BATCH`) to `dest`, keeping their order.
    /// One lock for all of it.
    pub(crate) fn steal_batch_and_pop(&self, dest: &Local<Runnable>) -> Option<Runnable> {
        let rest = self.0.len().checked_sub(1)?;
        let mut first = None;
        self.0
            .pop_batch(1 + (rest / 2).min(BATCH), |task| match first {
                None => first = Some(task),
                Some(_) => dest.push(task),
            });
        first
    }
    /// Appends `tasks` in order under one lock.
    pub(crate) fn push_batch(&self, tasks: impl IntoIterator<Item = Runnable>) {
        self.0.push_batch(tasks);
    }
    pub(crate) fn is_empty(&self) -> bool {
        self.0.is_empty()
    }
    pub(crate) fn len(&self) -> usize {
        self.0.len()
    }
}

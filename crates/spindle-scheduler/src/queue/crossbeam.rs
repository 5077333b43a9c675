//! Production run queues: thin wrappers over `crossbeam-deque`.

use crossbeam_deque::{Steal, Stealer as CbStealer, Worker};

/// A worker's FIFO queue (owner pushes at the back and pops at the front).
pub(crate) struct Local<T>(Worker<T>);

/// Another worker's handle on a [`Local`].
pub(crate) struct Stealer<T>(CbStealer<T>);

/// Retries a steal that lost a race with another stealer: the queue had work, so giving up
/// could send a worker to sleep beside runnable tasks.
fn settle<T>(mut attempt: impl FnMut() -> Steal<T>) -> Option<T> {
    loop {
        match attempt() {
            Steal::Success(t) => return Some(t),
            Steal::Empty => return None,
            Steal::Retry => std::hint::spin_loop(),
        }
    }
}

impl<T> Local<T> {
    pub(crate) fn new() -> Local<T> {
        Local(Worker::new_fifo())
    }
    pub(crate) fn stealer(&self) -> Stealer<T> {
        Stealer(self.0.stealer())
    }
    pub(crate) fn push(&self, task: T) {
        self.0.push(task)
    }
    pub(crate) fn pop(&self) -> Option<T> {
        self.0.pop()
    }
    pub(crate) fn len(&self) -> usize {
        self.0.len()
    }
}

impl<T> Stealer<T> {
    pub(crate) fn steal_batch_and_pop(&self, dest: &Local<T>) -> Option<T> {
        settle(|| self.0.steal_batch_and_pop(&dest.0))
    }
    pub(crate) fn is_empty(&self) -> bool {
        self.0.is_empty()
    }
}

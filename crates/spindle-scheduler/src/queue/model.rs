//! Run queues under loom: a locked `VecDeque` that loom can see, with the same interface as
//! the crossbeam wrappers.

use crate::loom::{lock, Arc, Mutex};
use std::collections::VecDeque;

pub(crate) struct Local<T>(Arc<Mutex<VecDeque<T>>>);
pub(crate) struct Stealer<T>(Arc<Mutex<VecDeque<T>>>);

/// Moves half of `src` (at least one) into `dest` and returns one more for the caller.
fn steal_half<T>(src: &mut VecDeque<T>, dest: &Local<T>) -> Option<T> {
    let first = src.pop_front()?;
    let extra = src.len() / 2;
    let mut dest = lock(&dest.0);
    for _ in 0..extra {
        dest.extend(src.pop_front());
    }
    Some(first)
}

impl<T> Local<T> {
    pub(crate) fn new() -> Local<T> {
        Local(Arc::new(Mutex::new(VecDeque::new())))
    }
    pub(crate) fn stealer(&self) -> Stealer<T> {
        Stealer(self.0.clone())
    }
    pub(crate) fn push(&self, task: T) {
        lock(&self.0).push_back(task)
    }
    pub(crate) fn pop(&self) -> Option<T> {
        lock(&self.0).pop_front()
    }
    pub(crate) fn len(&self) -> usize {
        lock(&self.0).len()
    }
}

impl<T> Stealer<T> {
    pub(crate) fn steal_batch_and_pop(&self, dest: &Local<T>) -> Option<T> {
        let mut src = lock(&self.0);
        steal_half(&mut src, dest)
    }
    pub(crate) fn is_empty(&self) -> bool {
        lock(&self.0).is_empty()
    }
}

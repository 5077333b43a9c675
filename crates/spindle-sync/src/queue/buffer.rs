//! `Buffer<T>`: where a queue keeps its items, and the only thing that differs between
//! [`Queue`](crate::Queue), [`LifoQueue`](crate::LifoQueue) and
//! [`PriorityQueue`](crate::PriorityQueue) (asyncio's `_init` / `_put` / `_get` overrides).
//!
//! A buffer is only ever touched under the queue's lock and knows nothing of waiters.

/// The storage behind a [`GenericQueue`](crate::GenericQueue): which item a get returns.
///
/// Implemented for `VecDeque<T>` (FIFO), `Vec<T>` (LIFO) and `BinaryHeap<Reverse<T>>`
/// (smallest first). Implement it to build another discipline, as asyncio users subclass
/// `Queue` and override `_put` / `_get`; [`GenericQueue::with_buffer`](crate::GenericQueue::with_buffer)
/// builds a queue on it.
///
/// The methods run under the queue's lock: they must not touch the queue (that would
/// deadlock). A `len` that does not count what `put` added breaks `maxsize`, nothing worse.
pub trait Buffer<T>: Default {
    /// Stores `item`.
    fn put(&mut self, item: T);

    /// Removes the next item to hand out, `None` when empty.
    fn get(&mut self) -> Option<T>;

    /// How many items are stored.
    fn len(&self) -> usize;

    /// `true` when nothing is stored.
    fn is_empty(&self) -> bool {
        self.len() == 0
    }
}

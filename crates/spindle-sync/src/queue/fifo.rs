//! `Queue<T>`: asyncio's `Queue`, first in first out, on a `VecDeque`.

use super::{Buffer, GenericQueue};
use std::collections::VecDeque;

/// asyncio's `Queue`: items come out in the order they were put (first in, first out).
///
/// All methods live on [`GenericQueue`]; this alias picks the `VecDeque` buffer.
///
/// ```
/// use futures_lite::future::block_on;
/// use spindle_sync::Queue;
///
/// let queue = Queue::new(0); // 0: unbounded
/// block_on(async {
///     queue.put("a").await.unwrap();
///     queue.put("b").await.unwrap();
///     assert_eq!(queue.get().await, Ok("a"));
///     assert_eq!(queue.get().await, Ok("b"));
/// });
/// ```
pub type Queue<T> = GenericQueue<T, VecDeque<T>>;

impl<T> Queue<T> {
    /// A FIFO queue holding at most `maxsize` items; `0` means unbounded.
    pub fn new(maxsize: usize) -> Queue<T> {
        GenericQueue::with_buffer(maxsize, VecDeque::new())
    }
}

impl<T> Buffer<T> for VecDeque<T> {
    fn put(&mut self, item: T) {
        self.push_back(item);
    }

    fn get(&mut self) -> Option<T> {
        self.pop_front()
    }

    fn len(&self) -> usize {
        VecDeque::len(self)
    }
}

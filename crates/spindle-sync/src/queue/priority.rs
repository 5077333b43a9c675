//! `PriorityQueue<T>`: asyncio's `PriorityQueue`, smallest item first, on a `BinaryHeap`.
//!
//! `BinaryHeap` is a max-heap; wrapping items in `Reverse` makes it heapq's min-heap.

use super::{Buffer, GenericQueue};
use std::cmp::Reverse;
use std::collections::BinaryHeap;

/// asyncio's `PriorityQueue`: the smallest item comes out first (like `heapq`). Items are
/// typically `(priority, data)` tuples; equal items come out in no particular order.
///
/// All methods live on [`GenericQueue`]; this alias picks the heap buffer.
///
/// ```
/// use spindle_sync::PriorityQueue;
///
/// let jobs = PriorityQueue::new(0);
/// jobs.put_nowait((2, "later")).unwrap();
/// jobs.put_nowait((1, "first")).unwrap();
/// jobs.put_nowait((3, "last")).unwrap();
/// assert_eq!(jobs.get_nowait(), Ok((1, "first")));
/// assert_eq!(jobs.get_nowait(), Ok((2, "later")));
/// ```
pub type PriorityQueue<T> = GenericQueue<T, BinaryHeap<Reverse<T>>>;

impl<T: Ord> PriorityQueue<T> {
    /// A priority queue holding at most `maxsize` items; `0` means unbounded.
    pub fn new(maxsize: usize) -> PriorityQueue<T> {
        GenericQueue::with_buffer(maxsize, BinaryHeap::new())
    }
}

impl<T: Ord> Buffer<T> for BinaryHeap<Reverse<T>> {
    fn put(&mut self, item: T) {
        self.push(Reverse(item));
    }

    fn get(&mut self) -> Option<T> {
        self.pop().map(|Reverse(item)| item)
    }

    fn len(&self) -> usize {
        BinaryHeap::len(self)
    }
}

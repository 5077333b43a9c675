//! `LifoQueue<T>`: asyncio's `LifoQueue`, last in first out, on a `Vec`.

use super::{Buffer, GenericQueue};

/// asyncio's `LifoQueue`: the most recently put item comes out first (a stack).
///
/// All methods live on [`GenericQueue`]; this alias picks the `Vec` buffer.
///
/// ```
/// use spindle_sync::LifoQueue;
///
/// let stack = LifoQueue::new(0);
/// for item in 1..=3 {
///     stack.put_nowait(item).unwrap();
/// }
/// assert_eq!(stack.get_nowait(), Ok(3));
/// assert_eq!(stack.get_nowait(), Ok(2));
/// ```
pub type LifoQueue<T> = GenericQueue<T, Vec<T>>;

impl<T> LifoQueue<T> {
    /// A LIFO queue holding at most `maxsize` items; `0` means unbounded.
    pub fn new(maxsize: usize) -> LifoQueue<T> {
        GenericQueue::with_buffer(maxsize, Vec::new())
    }
}

impl<T> Buffer<T> for Vec<T> {
    fn put(&mut self, item: T) {
        self.push(item);
    }

    fn get(&mut self) -> Option<T> {
        self.pop()
    }

    fn len(&self) -> usize {
        Vec::len(self)
    }
}

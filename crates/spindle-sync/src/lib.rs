//! asyncio's synchronisation primitives, built on `Waker`s alone: they work under any executor
//! (spindle's loop, tokio, a hand-written `block_on`).
//!
//! - [`Semaphore`], [`BoundedSemaphore`] (`semaphore.rs`)
//!
//! Every waiter list is a [`wait_list::WaitList`](crate::wait_list): FIFO, no allocation per
//! waiter once warmed up, and a future dropped at any moment (even right after it was handed a
//! permit or an item) passes what it was handed on to the next waiter.

pub(crate) mod loom;
mod semaphore;
pub(crate) mod wait_list;

pub use semaphore::{Acquire, BoundedSemaphore, Semaphore, SemaphorePermit, TooManyReleases};

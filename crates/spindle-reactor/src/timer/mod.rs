//! Timers: what the driver fires, and in which order.
//!
//! - [`heap`]: `TimerHeap`, the pure data structure: timers in reusable slots
//!   named by keys, a (deadline, insertion)-ordered min-heap over the armed
//!   ones, cancellation in place in O(log n).
//! - [`queue`]: `TimerQueue`, one shard's timers (the heap, and what a timer
//!   wakes: a plain waker, or a `Sleep`'s), kept under that shard's lock.
//! - [`shards`]: `Timers`, the shards (one per thread that arms timers, up to
//!   a fixed number) and the park protocol: the instant the parked thread
//!   sleeps until, and when a new timer must notify it.
//! - [`sleep`]: the public [`Sleep`] future.
//!
//! The guarantee is *never early*: a timer fires only once a clock read taken
//! after it was registered shows its deadline has passed. Lateness is
//! bounded by how often someone parks on, or calls `fire_due` on, the driver.

pub(crate) mod heap;
pub(crate) mod queue;
pub(crate) mod shards;
pub(crate) mod sleep;

#[cfg(all(test, not(loom)))]
mod heap_tests;

pub use sleep::Sleep;

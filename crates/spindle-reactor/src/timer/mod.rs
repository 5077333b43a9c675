//! Timers: what the driver fires, and in which order.
//!
//! - [`heap`]: `TimerHeap`, the pure data structure: timers in reusable slots
//!   named by keys, a (deadline, insertion)-ordered min-heap over the armed
//!   ones, cancellation in place in O(log n).
//! - [`queue`]: `TimerQueue`, the heap plus the parked thread's wake-up
//!   instant: everything the driver keeps under its timers lock, and what a
//!   timer wakes (a plain waker, or a `Sleep`'s).
//! - [`sleep`]: the public [`Sleep`] future.
//!
//! The guarantee is *never early*: a timer fires only once a clock read taken
//! after it was registered shows its deadline has passed. Lateness is
//! bounded by how often someone parks on, or calls `fire_due` on, the driver.

pub(crate) mod heap;
pub(crate) mod queue;
pub(crate) mod sleep;

#[cfg(all(test, not(loom)))]
mod heap_tests;

pub use sleep::Sleep;

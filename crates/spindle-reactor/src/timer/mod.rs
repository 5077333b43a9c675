//! Timers: what the driver fires, and in which order.
//!
//! - [`heap`]: `TimerHeap`, the pure (deadline, insertion)-ordered heap with
//!   lazy O(1) cancellation and compaction.
//! - [`entry`]: `SleepEntry`, the one allocation behind a pending `Sleep`.
//! - [`queue`]: `TimerQueue`, the heap plus the parked thread's wake-up
//!   instant: everything the driver keeps under its timers lock.
//! - [`sleep`]: the public [`Sleep`] future.
//!
//! The guarantee is *never early*: a timer fires only once a clock read taken
//! after it was registered shows its deadline has passed. Lateness is
//! bounded by how often someone parks on, or calls `fire_due` on, the driver.

pub(crate) mod entry;
pub(crate) mod heap;
pub(crate) mod queue;
pub(crate) mod sleep;

#[cfg(all(test, not(loom)))]
mod heap_tests;

pub use sleep::Sleep;

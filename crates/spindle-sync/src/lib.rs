//! asyncio's synchronisation primitives, built on `Waker`s alone: they work under any executor
//! (spindle's loop, tokio, a hand-written `block_on`).
//!
//! - [`Semaphore`], [`BoundedSemaphore`] (`semaphore.rs`)
//! - [`Lock`] (`lock.rs`)
//! - [`Event`] (`event.rs`)
//! - [`Condition`] (`condition.rs`)
//! - [`Barrier`] (`barrier.rs`)
//! - [`Queue`], [`LifoQueue`], [`PriorityQueue`] (`queue/`)
//!
//! Every waiter list is a `wait_list::WaitList` (private): FIFO, no allocation per
//! waiter once warmed up, and a future dropped at any moment (even right after it was handed a
//! permit or an item) passes what it was handed on to the next waiter.

mod barrier;
mod condition;
mod event;
mod lock;
pub(crate) mod loom;
mod queue;
mod semaphore;
pub(crate) mod wait_list;

#[cfg(all(test, loom))]
mod loom_tests;
#[cfg(all(test, loom))]
mod loom_tests_queue;

pub use barrier::{Barrier, BarrierWait, BrokenBarrierError};
pub use condition::{CondGuard, CondLock, CondWait, Condition};
pub use event::{Event, EventWait};
pub use lock::{Lock, LockFuture, LockGuard};
pub use queue::{
    Buffer, GenericQueue, GetNowaitError, LifoQueue, PriorityQueue, PutNowaitError, Queue,
    QueueEmpty, QueueFull, QueueGet, QueueJoin, QueuePut, QueueShutDown, QueueStream,
    TaskDoneError,
};
pub use semaphore::{Acquire, BoundedSemaphore, Semaphore, SemaphorePermit, TooManyReleases};

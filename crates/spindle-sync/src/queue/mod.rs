//! asyncio's queues: [`Queue`] (FIFO), [`LifoQueue`] and [`PriorityQueue`], one
//! [`GenericQueue`] over three [`Buffer`]s.
//!
//! Files: `core.rs` (the state, the non-blocking operations, `task_done`, `shutdown`),
//! `get.rs` / `put.rs` / `join.rs` (the futures), `stream.rs`, `error.rs`, `buffer.rs` (the
//! storage trait) and one file per flavour (`fifo.rs`, `lifo.rs`, `priority.rs`).
//!
//! # Design
//!
//! One mutex guards the buffer, the three waiter lists (getters, putters, joiners), the
//! unfinished-task count and the shutdown flag; every operation is a single locked step, and
//! wakers are woken only after unlocking.
//!
//! **The lock never sleeps** (`spindle_core::spin_lock`, as for every primitive here).
//! Producers and a consumer on two worker threads take it several times per item, each time for
//! a few dozen instructions. With std's mutex, once one thread had parked on it both kept sleeping on each
//! other (`futex` waits and wakes on most unlocks); spinning, then yielding (crossbeam's
//! `Backoff`), keeps them awake, and unlocking with a plain store instead of std's swap saves an
//! atomic read-modify-write per unlock. `queue_mpsc` (4 producers, 1 consumer, capacity 1,024,
//! two workers) went from ~125 ns per item with std's mutex to ~80 spinning before parking, and
//! to ~50 with the spin lock, on a 2-core machine. Spinning without the yields was slower, and
//! padding the lock to its own cache lines changed nothing measurable.
//!
//! **Tokens, not items, are handed to waiters.** A put wakes the oldest getter with a `()`
//! token meaning "look again"; the woken getter pops under the lock when it runs. Items thus
//! leave the buffer only into the future that returns them, so a `QueueGet` dropped at any moment
//! cannot lose one. Symmetrically a get wakes the oldest putter when it frees a slot.
//!
//! **A dropped token is passed on.** A future dropped after it was woken but before it ran
//! would strand the next waiter; its `Drop` sees that it held a token (`WaitList::remove`
//! gives it back) and, if there is still an item (a free slot), wakes the next waiter.
//!
//! **Wake-ups are O(1) per operation**: a put wakes at most one getter, a get at most one
//! putter, a dropped woken future at most one successor. Only `shutdown` (every getter and
//! putter) and the `task_done` that reaches zero (every joiner) wake everyone.
//!
//! **Fairness** is asyncio's: waiters are woken oldest first, and a woken waiter re-checks.
//! A `get_nowait` (or a new `get`) that runs before the woken getter may take the item, as in
//! asyncio; the woken getter then waits again, at the back. In return `qsize`, `full`,
//! `empty` and the `_nowait` methods always agree with each other.
//!
//! **Shutdown** (asyncio 3.13) sets a flag that makes every put fail and every get fail once
//! the buffer is empty, then wakes every getter and putter so they see it; no getter waits
//! on a shut-down queue afterwards (it would find it empty and fail). `immediate` also drops
//! the items (outside the lock) and subtracts them from the unfinished count.

mod buffer;
mod core;
mod error;
mod fifo;
mod get;
mod join;
mod lifo;
mod priority;
mod put;
mod stream;

pub use self::core::GenericQueue;
pub use buffer::Buffer;
pub use error::{
    GetNowaitError, PutNowaitError, QueueEmpty, QueueFull, QueueShutDown, TaskDoneError,
};
pub use fifo::Queue;
pub use get::QueueGet;
pub use join::QueueJoin;
pub use lifo::LifoQueue;
pub use priority::PriorityQueue;
pub use put::QueuePut;
pub use stream::QueueStream;

//! asyncio's combinators: running several awaitables together and bounding them in time.
//!
//! | file | what | spawns tasks? |
//! |---|---|---|
//! | `gather.rs` | [`gather`], [`try_gather`] | yes, one per child |
//! | `wait.rs` | [`wait`], [`wait_results`], [`ReturnWhen`] | no, takes [`Task`](crate::Task)s |
//! | `as_completed.rs` | [`as_completed`]: a `Stream` in completion order | no, takes tasks |
//! | `timeout.rs` | [`wait_for`], [`timeout`], [`timeout_at`] | no, runs in the caller |
//! | `shield.rs` | [`shield`] | yes, the shielded work |
//! | `task_group.rs` | [`TaskGroup`] | yes, each `spawn` |
//! | `join.rs` | [`join2`], [`join3`], [`join4`] | no, runs in the caller |
//! | `task_set.rs` | the private set of tasks that reports them in completion order (for `as_completed`) | |
//!
//! Two rules decide what dropping a combinator does:
//!
//! - a combinator that was given **futures** owns the work: dropping it cancels what has not
//!   finished (a dropped future is a cancelled future), as [`gather`], [`try_gather`],
//!   [`wait_for`] and the `join*` functions do;
//! - a combinator that was given **[`Task`](crate::Task) handles** drops them, and dropping a
//!   handle detaches its task, as everywhere in spindle: [`wait`] and [`as_completed`] never
//!   cancel (neither does asyncio's `wait`), and [`shield`] exists to detach.
//!
//! [`TaskGroup`] is structured concurrency: dropping it before `join` completes cancels its
//! children.
//!
//! Nothing here holds a lock while it calls into a task: done callbacks run under the task's
//! own lock, so the callbacks only push to our state and wake. `gather` registers no done
//! callback at all: each child's future is wrapped, and the wrapper counts the child down
//! when its future returns or is dropped (see `gather.rs`).

mod as_completed;
mod gather;
mod join;
mod shield;
mod task_group;
mod task_set;
mod timeout;
mod wait;

pub use as_completed::{as_completed, AsCompleted};
pub use gather::{gather, try_gather, Gather, TryGather};
pub use join::{join2, join3, join4, Join2, Join3, Join4};
pub use shield::{shield, Shield};
pub use task_group::{TaskFailure, TaskGroup, TaskGroupError, TaskGroupJoin};
pub use timeout::{timeout, timeout_at, wait_for, Timeout};
pub use wait::{wait, wait_results, ReturnWhen, Wait};

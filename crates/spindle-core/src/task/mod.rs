//! Tasks: one allocation per spawned future (a second, small one only for a name or done
//! callbacks), driven by a 64-bit state word.
//!
//! A task is a `Cell` (see `cell.rs`): a header (state word, vtable, awaiter slot, owner-list
//! links, id, and the word of an out-of-line box for the rarely used name and done
//! callbacks), the scheduler hook, and the future or its output. The
//! pointer to the header is shared by four kinds of holders, each counted in the state word:
//! [`Runnable`] (the scheduler's, at most one at a time), [`Task`] (the spawner's join handle),
//! `Waker`s, and [`TaskRef`]s (the owner [`TaskList`], `all_tasks()`).
//!
//! # States
//!
//! | state                    | bits in the word            | who acts next |
//! |--------------------------|-----------------------------|---------------|
//! | idle                     | none of the low three       | a wake or a cancel schedules it |
//! | scheduled                | `SCHEDULED`                 | a worker runs the `Runnable` |
//! | running                  | `RUNNING`                   | the worker polling it |
//! | notified-while-running   | `RUNNING \| SCHEDULED`      | the poller requeues it behind ready work |
//! | complete                 | `COMPLETE`                  | nobody: the output waits for the handle |
//! | cancelled                | `CANCELLED` (+ any)         | the next run drops the future; with `COMPLETE`: finished by cancellation |
//! | join-interest            | `JOIN_INTEREST`             | a `Task` handle may read the output |
//! | join-waker               | `JOIN_WAKER`                | the completer wakes the awaiter slot |
//!
//! # Transitions (each one atomic read-modify-write of the word, see `state.rs`)
//!
//! | event                 | from                  | to                                  | side effect |
//! |-----------------------|-----------------------|-------------------------------------|-------------|
//! | spawn                 | —                     | scheduled + join-interest, 3 refs   | runnable, handle, list ref |
//! | wake (idle)           | idle                  | scheduled, +1 ref                   | submit a runnable |
//! | wake (running)        | running               | notified-while-running              | none |
//! | wake (other)          | scheduled / complete  | unchanged                           | none |
//! | start                 | scheduled             | running                             | poll, or drop the future if cancelled |
//! | poll → Pending        | running               | idle, −1 ref                        | none |
//! | poll → Pending        | notified-while-running| scheduled                           | requeue (yield) |
//! | poll → Ready / panic  | running               | complete                            | callbacks, wake awaiter, −refs |
//! | cancel                | idle                  | scheduled + cancelled, +1 ref       | submit: a worker drops the future |
//! | cancel                | scheduled / running   | + cancelled                         | the next start/idle drops it |
//! | cancel                | complete              | unchanged, returns `false`          | none |
//! | handle dropped        | any                   | − join-interest (− join-waker if not complete) | drop the waker it owned |
//!
//! The awaiter slot follows `JOIN_WAKER`: while it is clear the handle may write the slot;
//! while it is set only reads happen (the handle comparing wakers, the completer waking).
//! The output is dropped exactly once: taken by the handle, or dropped with the allocation.

mod alloc;
mod cell;
mod context;
mod harness;
mod header;
mod inject;
mod join;
mod list;
mod raw;
mod runnable;
mod schedule;
mod state;
mod waker;

#[cfg(all(test, loom))]
mod loom_tests;

pub use context::current_task;
pub use inject::Inject;
pub use join::Task;
pub use list::TaskList;
pub use raw::{TaskId, TaskRef};
pub use runnable::Runnable;
pub use schedule::{Schedule, TaskPanic};

pub(crate) use header::Header;
pub(crate) use raw::cancel;
pub(crate) use state::{Cancelling, CANCELLED as CANCELLED_BIT};

use cell::Cell;
use std::future::Future;
use std::sync::atomic::{AtomicU64, Ordering};

/// Process-wide id source. Not part of any loom model: ids only need to be unique.
static NEXT_ID: AtomicU64 = AtomicU64::new(1);

/// Allocates a task for `future`, owned by the executor behind `scheduler`.
///
/// Returns the first [`Runnable`] (queue it to start the task), the [`Task`] handle, and a
/// [`TaskRef`] for the executor's [`TaskList`]: three references in one allocation. `name`
/// is asyncio's task name (`None` gives `Task-<id>`).
pub fn create<F, S>(
    future: F,
    scheduler: S,
    name: Option<Box<str>>,
) -> (Runnable, Task<F::Output>, TaskRef)
where
    F: Future + Send + 'static,
    F::Output: Send + 'static,
    S: Schedule,
{
    allocate(future, scheduler, name, harness::vtable::<F, S>())
}

/// Like [`create`], for a `call_soon` callback wrapped in a future: the same task machinery,
/// but `current_task()` reports no task while it runs, as in asyncio.
pub fn create_callback<F, S>(future: F, scheduler: S) -> (Runnable, Task<F::Output>, TaskRef)
where
    F: Future + Send + 'static,
    F::Output: Send + 'static,
    S: Schedule,
{
    allocate(future, scheduler, None, harness::callback_vtable::<F, S>())
}

fn allocate<F, S>(
    future: F,
    scheduler: S,
    name: Option<Box<str>>,
    vtable: &'static header::Vtable,
) -> (Runnable, Task<F::Output>, TaskRef)
where
    F: Future + Send + 'static,
    F::Output: Send + 'static,
    S: Schedule,
{
    let id = NEXT_ID.fetch_add(1, Ordering::Relaxed);
    let ptr = Cell::allocate(future, scheduler, vtable, id, name, 3);
    // SAFETY: the cell was created with three references, SCHEDULED and JOIN_INTEREST, one
    // for each of these handles.
    unsafe {
        (
            Runnable::from_raw(ptr),
            Task::from_raw(ptr),
            TaskRef::from_raw(ptr),
        )
    }
}

//! The type-erased front of every task allocation.
//!
//! A `NonNull<Header>` is what wakers, runnables, handles and the owner list hold. The header
//! is the first field of a `#[repr(C)]` cell, so the pointer is also the cell's; the vtable
//! recovers the concrete future and scheduler types.

use super::state::State;
use crate::loom::UnsafeCell;
use std::ptr::NonNull;
use std::task::Waker;

/// Operations that need the concrete future and scheduler types (see `harness.rs`).
pub(crate) struct Vtable {
    /// Runs the task once; consumes one runnable reference.
    pub(crate) run: unsafe fn(NonNull<Header>),
    /// Hands a runnable (whose reference the caller already took) to the scheduler.
    pub(crate) schedule: unsafe fn(NonNull<Header>, bool),
    /// Frees the allocation; called once, by whoever released the last reference.
    pub(crate) dealloc: unsafe fn(NonNull<Header>),
    /// Like `run`, but completes the task with `TaskError::LoopClosed` without polling it.
    pub(crate) reject: unsafe fn(NonNull<Header>),
    /// Drops the future of a task claimed by `State::claim_for_shutdown` and completes it.
    pub(crate) shutdown: unsafe fn(NonNull<Header>),
    /// `Task::poll`: writes `Poll<Result<T, TaskError>>` to the pointer.
    pub(crate) read_output: unsafe fn(NonNull<Header>, *mut (), &Waker),
    /// `Task::add_done_callback`: takes an `Option<DoneCallback<T>>` out of the pointer.
    pub(crate) add_done_callback: unsafe fn(NonNull<Header>, *mut ()),
}

/// Intrusive links of the owner list (`list.rs`); only touched under that list's shard lock.
pub(crate) struct Links {
    pub(crate) prev: Option<NonNull<Header>>,
    pub(crate) next: Option<NonNull<Header>>,
    pub(crate) linked: bool,
}

/// The first field of every task cell.
#[repr(C)]
pub(crate) struct Header {
    pub(crate) state: State,
    pub(crate) vtable: &'static Vtable,
    /// The awaiter's waker; ownership follows the `JOIN_WAKER` bit (see `state.rs`).
    pub(crate) awaiter: UnsafeCell<Option<Waker>>,
    pub(crate) links: UnsafeCell<Links>,
    /// The next runnable of the `Inject` queue this task's runnable is in; guarded by that
    /// queue's lock.
    pub(crate) queue_next: UnsafeCell<Option<NonNull<Header>>>,
    /// A `call_soon` callback rather than a task: `current_task()` does not report it.
    pub(crate) callback: bool,
    pub(crate) id: u64,
    pub(crate) name: Option<Box<str>>,
}

//! The one allocation of a task: header, scheduler hook, future-or-output, done callbacks
//! (allocated through the cell cache of `alloc.rs`).
//!
//! ```text
//! Cell<F, S> (#[repr(C)], one Box)
//! +-----------+-----------+---------------------------------+---------------------------+
//! | Header    | S         | Stage<F>: Running(F)            | Mutex<Done<F::Output>>:   |
//! | state,    | scheduler |         | Finished(Result<..>)  |   callbacks, dispatched,  |
//! | vtable .. | hook      |         | Consumed              |   taken, late count       |
//! +-----------+-----------+---------------------------------+---------------------------+
//! ```
//!
//! Who may touch what: the stage belongs to the holder of `RUNNING` until `COMPLETE` is
//! published; after that, only under the `done` lock. The `done` lock never wraps a call that
//! can block, and user callbacks under it run inside `catch_unwind`.

use super::header::{Header, Links, Vtable};
use super::state::State;
use crate::error::TaskError;
use crate::loom::{Mutex, UnsafeCell};
use std::future::Future;
use std::ptr::NonNull;
use std::task::Waker;

/// A done callback of a task whose output is `T`.
pub(crate) type DoneCallback<T> = Box<dyn FnOnce(&Result<T, TaskError>) + Send + 'static>;

pub(crate) enum Stage<F: Future> {
    Running(F),
    Finished(Result<F::Output, TaskError>),
    Consumed,
}

pub(crate) struct Done<T> {
    /// Callbacks registered before completion, in registration order.
    pub(crate) callbacks: Vec<DoneCallback<T>>,
    /// The completer has run (or is running) the registered callbacks.
    pub(crate) dispatched: bool,
    /// The `Task` handle took the output.
    pub(crate) taken: bool,
    /// A callback saw the output: a panic in it counts as retrieved.
    pub(crate) seen: bool,
    /// Callbacks claimed but not run yet (by the completer, or queued with `call_soon` when
    /// added after completion): the awaiter waits for them so every callback sees the output.
    pub(crate) late: usize,
    /// The awaiter parked behind `late`.
    pub(crate) late_waiter: Option<Waker>,
}

#[repr(C)]
pub(crate) struct Cell<F: Future, S> {
    pub(crate) header: Header,
    pub(crate) scheduler: S,
    pub(crate) stage: UnsafeCell<Stage<F>>,
    pub(crate) done: Mutex<Done<F::Output>>,
}

impl<F: Future, S> Cell<F, S> {
    /// Allocates a task with `refs` references, scheduled, with join interest.
    pub(crate) fn allocate(
        future: F,
        scheduler: S,
        vtable: &'static Vtable,
        id: u64,
        name: Option<Box<str>>,
        callback: bool,
        refs: usize,
    ) -> NonNull<Header> {
        super::alloc::boxed(Cell {
            header: Header {
                state: State::new(refs),
                vtable,
                awaiter: UnsafeCell::new(None),
                links: UnsafeCell::new(Links {
                    prev: None,
                    next: None,
                    linked: false,
                }),
                queue_next: UnsafeCell::new(None),
                callback,
                id,
                name,
            },
            scheduler,
            stage: UnsafeCell::new(Stage::Running(future)),
            done: Mutex::new(Done {
                callbacks: Vec::new(),
                dispatched: false,
                taken: false,
                seen: false,
                late: 0,
                late_waiter: None,
            }),
        })
        .cast()
    }
}

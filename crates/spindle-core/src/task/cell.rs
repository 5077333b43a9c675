//! The allocation of a task: header, scheduler hook, future-or-output (allocated through the
//! cell cache of `alloc.rs`); and, out of line and only when needed, the name and done
//! callbacks.
//!
//! ```text
//! Cell<F, S> (#[repr(C)], one allocation from alloc.rs; 104 bytes for a 16-byte future and an Arc hook)
//! +---------------------------------------+-----------+-------------------------------+
//! | Header (72 B)                         | S         | Stage<F>: Running(F)          |
//! | state, vtable, awaiter, links (prev,  | scheduler |         | Finished(Result<..>)|
//! | next), queue_next, id, extra ---------+--+ hook   |         | Consumed            |
//! +---------------------------------------+--|--------+-------------------------------+
//!                                            | address | DISPATCHED | TAKEN (one word)
//!                                            v  (null until a name or a done callback)
//!                  Extra<F::Output> (#[repr(C)], one Box, freed with the cell)
//!                  +--------------------+----------------------------------------------+
//!                  | name               | Mutex<Done>: callbacks, seen, late count,    |
//!                  | (first: read type- |              late_waiter                     |
//!                  |  erased by Header) |                                              |
//!                  +--------------------+----------------------------------------------+
//! ```
//!
//! Most tasks are never named and never get a done callback: they pay for the header, the hook
//! and the stage only. The word `extra` holds the box's address and the two flags of the
//! output's hand-over (`DISPATCHED`, `TAKEN`); `header.rs` says how they are set without a
//! lock, and why installing the box cannot miss them.
//!
//! Who may touch what: the stage belongs to the holder of `RUNNING` until `COMPLETE` is
//! published. After that it is read by done callbacks, which run under the `done` lock while
//! counted in `done.late`, and taken once by whoever sets `TAKEN`: under the `done` lock when a
//! box exists (and only once `late` is zero), or by a compare-exchange of a word without a box
//! (no callback can exist then, and any added later sees `TAKEN`). The `done` lock never wraps
//! a call that can block, and user callbacks under it run inside `catch_unwind`.

use super::header::{ExtraWord, Header, Links, Vtable, EXTRA_ALIGN};
use super::state::State;
use crate::error::TaskError;
use crate::loom::{Mutex, UnsafeCell};
use std::future::Future;
use std::ptr::{self, NonNull};
use std::task::Waker;

/// A done callback of a task whose output is `T`.
pub(crate) type DoneCallback<T> = Box<dyn FnOnce(&Result<T, TaskError>) + Send + 'static>;

pub(crate) enum Stage<F: Future> {
    Running(F),
    Finished(Result<F::Output, TaskError>),
    Consumed,
}

/// The rarely used part of a task, allocated on demand (see the module documentation).
#[repr(C)]
pub(crate) struct Extra<T> {
    /// The name given at spawn. First field: `Header::name` reads it without knowing `T`.
    /// Written only before the box is published.
    pub(crate) name: Option<Box<str>>,
    pub(crate) done: Mutex<Done<T>>,
}

impl<T> Extra<T> {
    /// The flags share the box's address word: its low bits must be clear.
    const ALIGNED: () = assert!(std::mem::align_of::<Extra<T>>() >= EXTRA_ALIGN);

    /// A new box, as a raw address for `ExtraWord`.
    fn allocate(name: Option<Box<str>>) -> *mut Extra<T> {
        #[allow(clippy::let_unit_value)]
        let () = Self::ALIGNED;
        Box::into_raw(Box::new(Extra {
            name,
            done: Mutex::new(Done {
                callbacks: Vec::new(),
                seen: false,
                late: 0,
                late_waiter: None,
            }),
        }))
    }
}

/// The done callbacks and what the awaiter needs to wait for them. Whether they were
/// dispatched and whether the output was taken are the flags of the `extra` word.
pub(crate) struct Done<T> {
    /// Callbacks registered before completion, in registration order.
    pub(crate) callbacks: Vec<DoneCallback<T>>,
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
}

impl<F: Future, S> Cell<F, S> {
    /// Allocates a task with `refs` references, scheduled, with join interest. A named task
    /// gets its `Extra` box now; others when a done callback first needs one.
    pub(crate) fn allocate(
        future: F,
        scheduler: S,
        vtable: &'static Vtable,
        id: u64,
        name: Option<Box<str>>,
        refs: usize,
    ) -> NonNull<Header> {
        let extra = match name {
            Some(name) => Extra::<F::Output>::allocate(Some(name)).cast::<()>(),
            None => ptr::null_mut(),
        };
        super::alloc::boxed(Cell {
            header: Header {
                state: State::new(refs),
                vtable,
                awaiter: UnsafeCell::new(None),
                links: UnsafeCell::new(Links {
                    prev: None,
                    next: None,
                }),
                queue_next: UnsafeCell::new(None),
                id,
                extra: ExtraWord::new(extra),
            },
            scheduler,
            stage: UnsafeCell::new(Stage::Running(future)),
        })
        .cast()
    }

    /// The `Extra` box of `word`, a value of this cell's `extra` word.
    ///
    /// # Safety
    /// `word` was read from `self.header.extra`.
    pub(crate) unsafe fn extra_at(&self, word: usize) -> Option<&Extra<F::Output>> {
        let extra = ExtraWord::addr(word).cast::<Extra<F::Output>>();
        // SAFETY: a non-null address in this cell's word is its `Extra<F::Output>` box (made by
        // `Extra::allocate` for this very cell type), published with Release and read with
        // Acquire, and freed only when the cell is dropped, which `&self` rules out.
        unsafe { extra.as_ref() }
    }

    /// The `Extra` box, if one was installed.
    pub(crate) fn extra(&self) -> Option<&Extra<F::Output>> {
        // SAFETY: the word was just read from this cell.
        unsafe { self.extra_at(self.header.extra.load()) }
    }

    /// The `Extra` box, installed now if there is none.
    ///
    /// Race-free by one compare-exchange of the `extra` word from a null address (keeping the
    /// flags, which may change meanwhile: then it retries): exactly one box is ever
    /// published. A thread that finds a box, or loses the race, frees its own and uses the
    /// published one.
    pub(crate) fn extra_or_install(&self) -> &Extra<F::Output> {
        let mut word = self.header.extra.load();
        let mut mine: *mut Extra<F::Output> = ptr::null_mut();
        loop {
            // SAFETY: `word` was read from this cell (by `load` or the failed exchange).
            if let Some(extra) = unsafe { self.extra_at(word) } {
                if !mine.is_null() {
                    // SAFETY: ours, never published.
                    drop(unsafe { Box::from_raw(mine) });
                }
                return extra;
            }
            if mine.is_null() {
                mine = Extra::allocate(None);
            }
            let new = mine as usize | ExtraWord::flags(word);
            match self.header.extra.compare_exchange(word, new) {
                // SAFETY: just published; lives as long as the cell (see `extra_at`).
                Ok(()) => return unsafe { &*mine },
                Err(actual) => word = actual,
            }
        }
    }
}

impl<F: Future, S> Drop for Cell<F, S> {
    fn drop(&mut self) {
        let extra = ExtraWord::addr(self.header.extra.load()).cast::<Extra<F::Output>>();
        if !extra.is_null() {
            // SAFETY: the box was made by `Box::into_raw` in `Extra::allocate`, published once
            // in this word, and is freed only here, when nobody refers to the cell any more.
            drop(unsafe { Box::from_raw(extra) });
        }
    }
}

#[cfg(all(test, not(loom)))]
mod tests {
    use super::*;
    use std::mem::{size_of, size_of_val};
    use std::sync::Arc;

    /// The cell's type for `future` with an `Arc` as the scheduler hook (as the loop's is).
    fn cell_size<F: Future>(_: &F) -> usize {
        size_of::<Cell<F, Arc<()>>>()
    }

    fn stage_size<F: Future>(_: &F) -> usize {
        size_of::<Stage<F>>()
    }

    /// What an idle task costs: pinned so that a field added to the header shows up here. An
    /// allocation of `n` bytes takes `n + 8` rounded up to 16 from glibc's malloc: 104 bytes
    /// are a 112-byte chunk (the previous layout's 192 took 208).
    #[test]
    fn idle_task_cell_size() {
        let counter = Arc::new(0usize);
        let future = async move {
            let _counter = &counter;
            std::future::pending::<()>().await;
        };
        let size = cell_size(&future);
        eprintln!(
            "future {} B, Stage {} B, Header {} B, Cell {size} B",
            size_of_val(&future),
            stage_size(&future),
            size_of::<Header>()
        );
        assert_eq!(size_of::<Header>(), 72);
        assert_eq!(size_of_val(&future), 16);
        assert!(size <= 104, "an idle task's cell grew to {size} bytes");
    }
}

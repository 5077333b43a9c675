//! The type-erased front of every task allocation.
//!
//! A `NonNull<Header>` is what wakers, runnables, handles and the owner list hold. The header
//! is the first field of a `#[repr(C)]` cell, so the pointer is also the cell's; the vtable
//! recovers the concrete future and scheduler types.
//!
//! The header keeps only what every task uses. The rarely used part (the name, done
//! callbacks, their bookkeeping) lives out of line in a box that `extra` points to, allocated
//! when a task is named or gets its first done callback (see `cell.rs`).

use super::state::State;
use crate::loom::{AtomicUsize, UnsafeCell};
use std::ptr::NonNull;
use std::sync::atomic::Ordering::{AcqRel, Acquire};
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
    /// A `call_soon` callback rather than a task: `current_task()` does not report it. Each
    /// (future, scheduler) pair has two vtables, one per value, so the flag costs no header
    /// space.
    pub(crate) callback: bool,
}

/// Intrusive links of the owner list (`list.rs`); only touched under that list's shard lock.
///
/// A task is a member of its shard when it has a predecessor or is the shard's head: no
/// separate flag is kept (see `TaskList::unlink`).
pub(crate) struct Links {
    pub(crate) prev: Option<NonNull<Header>>,
    pub(crate) next: Option<NonNull<Header>>,
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
    pub(crate) id: u64,
    /// The out-of-line part of the task and two flags of the output's hand-over.
    pub(crate) extra: ExtraWord,
}

impl Header {
    /// The name given at spawn, if any.
    pub(crate) fn name(&self) -> Option<&str> {
        let extra = ExtraWord::addr(self.extra.load());
        if extra.is_null() {
            return None;
        }
        // SAFETY: a non-null address is that of this task's `Extra<T>` box, `#[repr(C)]` with
        // the name as its first field (see `cell.rs`); the box lives until the cell is
        // dropped, which cannot happen while `self` is borrowed, and the name is only written
        // before the box is published (at creation). The Acquire load above made that write
        // visible.
        unsafe { (*extra.cast::<Option<Box<str>>>()).as_deref() }
    }
}

/// The completer has claimed the done callbacks registered so far (it sets this just before
/// publishing `COMPLETE`); a callback added afterwards is a late one, queued with `call_soon`.
pub(crate) const DISPATCHED: usize = 1 << 0;
/// The `Task` handle took the output out of the stage.
pub(crate) const TAKEN: usize = 1 << 1;
const FLAGS: usize = DISPATCHED | TAKEN;
/// The least alignment of an `Extra` box, so that its address leaves the flag bits clear.
pub(crate) const EXTRA_ALIGN: usize = FLAGS + 1;

/// The address of the task's `Extra<T>` box (null until one is needed) with the flags
/// `DISPATCHED` and `TAKEN` in its low bits, in one atomic word.
///
/// One word, so that installing the box and setting a flag can never miss each other:
///
/// - The box is installed once, by a compare-exchange from a null address that keeps the
///   flags (`Harness::extra_or_install`); a thread that loses the race frees its own box and
///   uses the winner's. It is freed only with the cell, so a `&Extra` lives as long as the
///   reference to the task it came from.
/// - The completer sets `DISPATCHED` with one `fetch_or`, which also tells it whether a box
///   (and so, maybe, callbacks) exists. A box installed after that carries `DISPATCHED` over,
///   so its first user sees the task as dispatched.
/// - `TAKEN` is set by a compare-exchange while no box exists, or under the box's `done` lock
///   once one does; `add_done_callback` reads it under that lock.
pub(crate) struct ExtraWord(AtomicUsize);

impl ExtraWord {
    /// A word pointing at `extra` (null: no box yet), no flag set.
    pub(crate) fn new(extra: *mut ()) -> ExtraWord {
        debug_assert_eq!(extra as usize & FLAGS, 0);
        ExtraWord(AtomicUsize::new(extra as usize))
    }

    /// The word now. Acquire: a box seen here is seen initialised.
    pub(crate) fn load(&self) -> usize {
        self.0.load(Acquire)
    }

    /// The box address of a word (null: none).
    pub(crate) fn addr(word: usize) -> *mut () {
        (word & !FLAGS) as *mut ()
    }

    /// Sets `DISPATCHED`; returns the word before.
    pub(crate) fn dispatch(&self) -> usize {
        self.0.fetch_or(DISPATCHED, AcqRel)
    }

    /// Sets `TAKEN`. The caller holds the box's `done` lock.
    pub(crate) fn set_taken(&self) {
        self.0.fetch_or(TAKEN, AcqRel);
    }

    /// Replaces `current` with `new`; on failure returns the word found instead.
    pub(crate) fn compare_exchange(&self, current: usize, new: usize) -> Result<(), usize> {
        self.0
            .compare_exchange(current, new, AcqRel, Acquire)
            .map(drop)
    }

    /// The flag bits of `word`, to carry over into a new word.
    pub(crate) fn flags(word: usize) -> usize {
        word & FLAGS
    }
}

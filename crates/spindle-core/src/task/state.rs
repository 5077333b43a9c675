//! The task state word: six flag bits and a reference count in one `AtomicUsize`.
//!
//! Every transition of the table in [`crate::task`] is one atomic read-modify-write on this word
//! (a `fetch_*` or a compare-exchange loop that retries only when another thread changed the word
//! in between). The functions here only compute; the harness acts on what they return.
//!
//! | bit | name            | set by                          | cleared by                 | protects                                  |
//! |-----|-----------------|---------------------------------|----------------------------|-------------------------------------------|
//! | 0   | `SCHEDULED`     | a wake (or cancel) of an idle task, a wake while running | the runner taking it | exactly one `Runnable` exists |
//! | 1   | `RUNNING`       | the runner                      | the runner (idle/complete) | exclusive access to the future and stage  |
//! | 2   | `COMPLETE`      | the runner, once                | never                      | the stage holds the output; no more polls |
//! | 3   | `CANCELLED`     | `cancel`, shutdown              | completion with a value    | the next run drops the future             |
//! | 4   | `JOIN_INTEREST` | creation (the `Task` handle)    | dropping the `Task` handle | someone may still read the output         |
//! | 5   | `JOIN_WAKER`    | the `Task` handle               | the `Task` handle, before completion | the awaiter slot: unset, the handle owns it; set, the completer may read it |
//! | 6.. | reference count | clones of wakers, handles, runnables, the owner list | their drops | the allocation |

use crate::loom::AtomicUsize;
use std::sync::atomic::Ordering::{AcqRel, Acquire};

pub(crate) const SCHEDULED: usize = 1 << 0;
pub(crate) const RUNNING: usize = 1 << 1;
pub(crate) const COMPLETE: usize = 1 << 2;
pub(crate) const CANCELLED: usize = 1 << 3;
pub(crate) const JOIN_INTEREST: usize = 1 << 4;
pub(crate) const JOIN_WAKER: usize = 1 << 5;
const REF_SHIFT: usize = 6;
pub(crate) const REF_ONE: usize = 1 << REF_SHIFT;

/// A count past this is a leak of wakers in a loop; aborting beats wrapping into a use-after-free.
const REF_MAX: usize = (isize::MAX as usize) >> 1;

/// A copy of the state word, read with the helpers below.
#[derive(Clone, Copy, PartialEq, Eq)]
pub(crate) struct Snapshot(pub(crate) usize);

impl Snapshot {
    pub(crate) fn has(self, bit: usize) -> bool {
        self.0 & bit != 0
    }
    pub(crate) fn is_idle(self) -> bool {
        self.0 & (SCHEDULED | RUNNING | COMPLETE) == 0
    }
    pub(crate) fn refs(self) -> usize {
        self.0 >> REF_SHIFT
    }
}

impl std::fmt::Debug for Snapshot {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Snapshot")
            .field("scheduled", &self.has(SCHEDULED))
            .field("running", &self.has(RUNNING))
            .field("complete", &self.has(COMPLETE))
            .field("cancelled", &self.has(CANCELLED))
            .field("join_interest", &self.has(JOIN_INTEREST))
            .field("join_waker", &self.has(JOIN_WAKER))
            .field("refs", &self.refs())
            .finish()
    }
}

/// What the runner must do after taking the task.
#[derive(Debug, PartialEq, Eq)]
pub(crate) enum Start {
    /// Poll the future.
    Poll,
    /// Cancellation was requested: drop the future instead.
    Cancel,
}

/// What the runner must do after a `Pending` poll.
#[derive(Debug, PartialEq, Eq)]
pub(crate) enum Idle {
    /// The task is idle; the runnable's reference was released. `true`: it was the last one.
    Parked { last_ref: bool },
    /// A wake arrived while running: schedule again (the runnable's reference carries over).
    Notified,
    /// `cancel` arrived while running: still `RUNNING`; drop the future now.
    Cancel,
}

/// What a wake by value must do.
#[derive(Debug, PartialEq, Eq)]
pub(crate) enum WakeByVal {
    /// Submit a runnable; the waker's reference becomes the runnable's.
    Submit,
    /// Nothing to run; the waker's reference was released. `true`: it was the last one.
    Done { last_ref: bool },
}

/// Who calls `State::cancel`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Cancelling {
    /// `Task::cancel` / `TaskRef::cancel`.
    Task,
    /// `Handle::cancel` / `TimerHandle::cancel`.
    Callback,
}

/// What `cancel` found.
#[derive(Debug, PartialEq, Eq)]
pub(crate) enum Cancel {
    /// The task had completed: nothing changed.
    AlreadyComplete,
    /// Flagged; the running or queued runner will drop the future.
    Flagged,
    /// Flagged an idle task and took a reference for a runnable: submit it so a worker drops the future.
    Submit,
}

pub(crate) struct State(AtomicUsize);

impl State {
    /// A new task: scheduled (its first runnable), with a `Task` handle, and `refs` references.
    pub(crate) fn new(refs: usize) -> State {
        State(AtomicUsize::new(
            SCHEDULED | JOIN_INTEREST | (refs * REF_ONE),
        ))
    }

    pub(crate) fn load(&self) -> Snapshot {
        Snapshot(self.0.load(Acquire))
    }

    /// Applies `f` atomically; `f` returns the new word, or `None` to leave the word alone.
    fn update<R>(&self, mut f: impl FnMut(Snapshot) -> (Option<usize>, R)) -> R {
        let mut current = self.0.load(Acquire);
        loop {
            let (next, result) = f(Snapshot(current));
            let Some(next) = next else { return result };
            match self.0.compare_exchange_weak(current, next, AcqRel, Acquire) {
                Ok(_) => return result,
                Err(actual) => current = actual,
            }
        }
    }

    /// `SCHEDULED` -> `RUNNING`. The caller owns the runnable, so `SCHEDULED` is set and
    /// `RUNNING`/`COMPLETE` are not.
    pub(crate) fn start(&self) -> Start {
        self.update(|s| {
            debug_assert!(
                s.has(SCHEDULED) && !s.has(RUNNING) && !s.has(COMPLETE),
                "{s:?}"
            );
            let next = (s.0 & !SCHEDULED) | RUNNING;
            let start = if s.has(CANCELLED) {
                Start::Cancel
            } else {
                Start::Poll
            };
            (Some(next), start)
        })
    }

    /// `RUNNING` -> idle, or -> `SCHEDULED` again when notified while running.
    pub(crate) fn idle(&self) -> Idle {
        self.update(|s| {
            debug_assert!(s.has(RUNNING) && !s.has(COMPLETE), "{s:?}");
            if s.has(CANCELLED) {
                (None, Idle::Cancel)
            } else if s.has(SCHEDULED) {
                (Some(s.0 & !RUNNING), Idle::Notified)
            } else {
                debug_assert!(s.refs() >= 1);
                let next = (s.0 & !RUNNING) - REF_ONE;
                (
                    Some(next),
                    Idle::Parked {
                        last_ref: Snapshot(next).refs() == 0,
                    },
                )
            }
        })
    }

    /// `RUNNING` -> `COMPLETE`, recording whether the outcome is a cancellation. Returns the
    /// word as it was just before, so the completer knows whether an awaiter waits.
    pub(crate) fn complete(&self, cancelled: bool) -> Snapshot {
        self.update(|s| {
            debug_assert!(s.has(RUNNING) && !s.has(COMPLETE), "{s:?}");
            let mut next = (s.0 & !(RUNNING | SCHEDULED)) | COMPLETE;
            if cancelled {
                next |= CANCELLED;
            } else {
                next &= !CANCELLED;
            }
            (Some(next), s)
        })
    }

    /// A wake through `&Waker`: only an idle task needs a runnable (and a new reference for it).
    pub(crate) fn wake_by_ref(&self) -> bool {
        self.update(|s| {
            if s.has(COMPLETE) || s.has(SCHEDULED) {
                (None, false)
            } else if s.has(RUNNING) {
                (Some(s.0 | SCHEDULED), false)
            } else {
                Self::check_overflow(s);
                (Some((s.0 | SCHEDULED) + REF_ONE), true)
            }
        })
    }

    /// A wake consuming a `Waker` (and its reference).
    pub(crate) fn wake_by_val(&self) -> WakeByVal {
        self.update(|s| {
            debug_assert!(s.refs() >= 1);
            if s.is_idle() {
                (Some(s.0 | SCHEDULED), WakeByVal::Submit)
            } else {
                let mut next = s.0 - REF_ONE;
                if s.has(RUNNING) {
                    next |= SCHEDULED;
                }
                (
                    Some(next),
                    WakeByVal::Done {
                        last_ref: Snapshot(next).refs() == 0,
                    },
                )
            }
        })
    }

    /// Requests cancellation. A task (`Task::cancel`) is cancelled unless complete, even while
    /// running (its future is dropped at the next suspension point). A callback
    /// (`Handle::cancel`) is only cancelled if it has not started; one already dropped by a
    /// cancel keeps answering `Flagged` (it never ran and never will).
    pub(crate) fn cancel(&self, who: Cancelling) -> Cancel {
        let callback = who == Cancelling::Callback;
        self.update(|s| {
            if callback && s.has(COMPLETE) && s.has(CANCELLED) {
                (None, Cancel::Flagged)
            } else if s.has(COMPLETE) || (callback && s.has(RUNNING)) {
                (None, Cancel::AlreadyComplete)
            } else if s.is_idle() {
                Self::check_overflow(s);
                (
                    Some((s.0 | CANCELLED | SCHEDULED) + REF_ONE),
                    Cancel::Submit,
                )
            } else {
                (Some(s.0 | CANCELLED), Cancel::Flagged)
            }
        })
    }

    /// Shutdown of a task the owner list still holds (loop close): an idle task is claimed for
    /// the caller to drop its future (`true`); a queued or running one is only flagged.
    pub(crate) fn claim_for_shutdown(&self) -> bool {
        self.update(|s| {
            if s.has(COMPLETE) {
                (None, false)
            } else if s.is_idle() {
                (Some(s.0 | CANCELLED | RUNNING), true)
            } else {
                (Some(s.0 | CANCELLED), false)
            }
        })
    }

    /// Makes a just-created task idle (its runnable becomes a waker, see `Runnable::into_waker`).
    pub(crate) fn clear_scheduled(&self) {
        self.0.fetch_and(!SCHEDULED, AcqRel);
    }

    /// Flags cancellation on a task whose runnable the caller owns (a dropped `Runnable`).
    pub(crate) fn flag_cancelled(&self) {
        self.0.fetch_or(CANCELLED, AcqRel);
    }

    /// The `Task` handle publishes its waker: `Err` if the task completed meanwhile.
    pub(crate) fn set_join_waker(&self) -> Result<(), Snapshot> {
        self.update(|s| {
            debug_assert!(s.has(JOIN_INTEREST) && !s.has(JOIN_WAKER));
            if s.has(COMPLETE) {
                (None, Err(s))
            } else {
                (Some(s.0 | JOIN_WAKER), Ok(()))
            }
        })
    }

    /// The `Task` handle takes its waker slot back to change it: `Err` if the task completed.
    pub(crate) fn unset_join_waker(&self) -> Result<(), Snapshot> {
        self.update(|s| {
            debug_assert!(s.has(JOIN_INTEREST) && s.has(JOIN_WAKER));
            if s.has(COMPLETE) {
                (None, Err(s))
            } else {
                (Some(s.0 & !JOIN_WAKER), Ok(()))
            }
        })
    }

    /// The `Task` handle goes away. Returns the word before; when it was not complete, the
    /// handle now owns the awaiter slot (its `JOIN_WAKER` was cleared in the same step).
    pub(crate) fn drop_join_interest(&self) -> Snapshot {
        self.update(|s| {
            debug_assert!(s.has(JOIN_INTEREST));
            let next = if s.has(COMPLETE) {
                s.0 & !JOIN_INTEREST
            } else {
                s.0 & !(JOIN_INTEREST | JOIN_WAKER)
            };
            (Some(next), s)
        })
    }

    pub(crate) fn ref_inc(&self) {
        let prev = Snapshot(
            self.0
                .fetch_add(REF_ONE, std::sync::atomic::Ordering::Relaxed),
        );
        Self::check_overflow(prev);
    }

    /// Releases `n` references; `true` when they were the last.
    pub(crate) fn ref_dec(&self, n: usize) -> bool {
        let prev = Snapshot(self.0.fetch_sub(n * REF_ONE, AcqRel));
        debug_assert!(prev.refs() >= n, "{prev:?} - {n}");
        prev.refs() == n
    }

    fn check_overflow(s: Snapshot) {
        if s.refs() > REF_MAX {
            std::process::abort();
        }
    }
}

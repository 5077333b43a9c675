//! `TimerQueue`: the timers of one shard (see `shards.rs`), kept under that
//! shard's lock, and what a timer wakes.
//!
//! Nothing here wakes, drops a waker, or touches the poller: methods return
//! what must be woken or dropped, and the driver does it after unlocking
//! (a waker may re-enter the driver, and dropping one may drop a task that
//! owns a `Sleep`).

use std::task::Waker;
use std::time::Instant;

use crate::timer::heap::{Lookup, TimerHeap, TimerKey};

/// What a timer wakes.
pub(crate) enum Target {
    /// A plain waker from `Driver::wake_at`: never cancelled, its slot is
    /// released as it fires.
    Waker(Waker),
    /// The waker of a `Sleep`: cancellable, and its slot stays `Fired` until
    /// the `Sleep` sees it.
    Sleep(Waker),
}

/// What a poll of a sleep's timer found.
pub(crate) enum Polled {
    /// The timer fired (its slot is now released): the sleep is over.
    Fired,
    /// Still armed; the given waker is now the one that will be woken.
    Pending,
    /// The timer is gone (`clear_timers`): register a new one.
    Dropped,
}

/// One shard's timers; see the module docs.
pub(crate) struct TimerQueue {
    heap: TimerHeap<Target>,
}

impl TimerQueue {
    /// No timers.
    pub(crate) fn new() -> TimerQueue {
        TimerQueue {
            heap: TimerHeap::new(),
        }
    }

    /// Arms a timer (`at`: `deadline` encoded, see `heap::encode`); returns
    /// its key.
    pub(crate) fn insert(&mut self, deadline: Instant, at: u64, target: Target) -> TimerKey {
        self.heap.insert(deadline, at, target)
    }

    /// Cancels a sleep's timer: returns its waker if it was still armed (to
    /// drop, or reuse, after unlocking); releases its slot if it had fired.
    pub(crate) fn cancel(&mut self, key: TimerKey) -> Option<Waker> {
        self.heap.cancel(key).map(Target::into_waker)
    }

    /// A poll of a sleep's timer: whether it fired (then its slot is
    /// released), and if still armed, makes `waker` the one to wake. Returns
    /// the waker it replaced, to drop after unlocking. Clones `waker` under
    /// the lock, only when it changed (a waker clone does not call back into
    /// the driver).
    pub(crate) fn poll_sleep(&mut self, key: TimerKey, waker: &Waker) -> (Polled, Option<Waker>) {
        match self.heap.lookup(key) {
            Lookup::Armed(Target::Sleep(current) | Target::Waker(current)) => {
                if current.will_wake(waker) {
                    (Polled::Pending, None)
                } else {
                    (
                        Polled::Pending,
                        Some(std::mem::replace(current, waker.clone())),
                    )
                }
            }
            Lookup::Fired => {
                self.heap.cancel(key);
                (Polled::Fired, None)
            }
            Lookup::Gone => (Polled::Dropped, None),
        }
    }

    /// Pops every timer due at `now`, in (deadline, insertion) order, pushing
    /// the wakers to wake into `due`; returns how many timers fired.
    pub(crate) fn collect_due(&mut self, now: Instant, due: &mut Vec<Waker>) -> usize {
        let mut fired = 0;
        while let Some((key, target)) = self.heap.pop_due(now) {
            fired += 1;
            match target {
                Target::Waker(waker) => {
                    // Nobody holds this key: release the slot at once.
                    self.heap.cancel(key);
                    due.push(waker);
                }
                Target::Sleep(waker) => due.push(waker),
            }
        }
        fired
    }

    /// Earliest armed deadline.
    pub(crate) fn next_deadline(&self) -> Option<Instant> {
        self.heap.next_deadline()
    }

    /// Earliest armed deadline, encoded.
    pub(crate) fn next_at(&self) -> Option<u64> {
        self.heap.next_at()
    }

    /// Number of armed timers.
    pub(crate) fn len(&self) -> usize {
        self.heap.len()
    }

    /// Number of occupied timer slots: armed timers, and fired sleeps that
    /// have not seen it yet.
    pub(crate) fn storage_len(&self) -> usize {
        self.heap.occupied()
    }

    /// Removes every timer. A `Sleep` whose timer is removed finds it gone at
    /// its next poll and registers a new one. Returns the wakers to drop after
    /// unlocking.
    pub(crate) fn clear(&mut self) -> Vec<Target> {
        self.heap.take_all()
    }
}

impl Target {
    fn into_waker(self) -> Waker {
        match self {
            Target::Waker(waker) | Target::Sleep(waker) => waker,
        }
    }
}

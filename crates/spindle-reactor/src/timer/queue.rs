//! `TimerQueue`: everything the driver keeps under its timers lock.
//!
//! The heap of timers, plus the instant until which the parked thread (if
//! any) intends to sleep. Keeping both under one lock closes the race between
//! "the parked thread computes its timeout" and "another thread adds an
//! earlier timer": whoever takes the lock second sees the other's write, so
//! either the parker sees the new timer or the inserter sees the parker and
//! asks for a notify.
//!
//! Nothing here wakes, drops a waker, or touches the poller: methods return
//! what must be woken or dropped, and the driver does it after unlocking
//! (a waker may re-enter the driver, and dropping one may drop a task that
//! owns a `Sleep`).

use std::task::Waker;
use std::time::{Duration, Instant};

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

/// What the thread holding the driver guard is doing.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum Parked {
    /// Not parked, or already notified: new timers need no notify.
    Awake,
    /// Parked with no timeout.
    Forever,
    /// Parked until this instant.
    Until(Instant),
}

/// The timers lock's contents; see the module docs.
pub(crate) struct TimerQueue {
    heap: TimerHeap<Target>,
    parked: Parked,
}

impl TimerQueue {
    /// No timers, nobody parked.
    pub(crate) fn new() -> TimerQueue {
        TimerQueue {
            heap: TimerHeap::new(),
            parked: Parked::Awake,
        }
    }

    /// Arms a timer. Returns its key, and `true` if the parked thread would
    /// sleep past `deadline` and must be notified (after unlocking) to
    /// recompute its timeout; only the first such insert per park asks for it.
    pub(crate) fn insert(&mut self, deadline: Instant, target: Target) -> (TimerKey, bool) {
        let key = self.heap.insert(deadline, target);
        let must_notify = match self.parked {
            Parked::Awake => false,
            Parked::Forever => true,
            Parked::Until(wake) => deadline < wake,
        };
        if must_notify {
            self.parked = Parked::Awake;
        }
        (key, must_notify)
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

    /// Called by the parking thread before it waits: returns how long to wait
    /// (`None`: no limit), the minimum of `timeout` and the time to the next
    /// timer, and records the instant it will sleep until.
    pub(crate) fn begin_park(
        &mut self,
        now: Instant,
        timeout: Option<Duration>,
    ) -> Option<Duration> {
        let until_timer = self
            .heap
            .next_deadline()
            .map(|deadline| deadline.saturating_duration_since(now));
        let wait = match (timeout, until_timer) {
            (Some(a), Some(b)) => Some(a.min(b)),
            (a, b) => a.or(b),
        };
        self.parked = match wait {
            Some(Duration::ZERO) => Parked::Awake,
            Some(wait) => now.checked_add(wait).map_or(Parked::Forever, Parked::Until),
            None => Parked::Forever,
        };
        wait
    }

    /// Called by the parking thread once its wait is over.
    pub(crate) fn end_park(&mut self) {
        self.parked = Parked::Awake;
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

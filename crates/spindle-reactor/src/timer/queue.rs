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

use crate::loom::Arc;
use crate::timer::entry::{NotPending, SleepEntry};
use crate::timer::heap::{Cancellable, TimerHeap};

/// What a timer fires.
pub(crate) enum Target {
    /// A plain waker from `Driver::wake_at`; never cancelled.
    Waker(Waker),
    /// The shared half of a `Sleep`; cancellable.
    Sleep(Arc<SleepEntry>),
}

impl Cancellable for Target {
    fn is_cancelled(&self) -> bool {
        match self {
            Target::Waker(_) => false,
            Target::Sleep(entry) => entry.is_cancelled(),
        }
    }
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

    /// Adds a timer. Returns `true` if the parked thread would sleep past
    /// `deadline` and must be notified (after unlocking) to recompute its
    /// timeout; only the first such insert per park asks for it.
    pub(crate) fn insert(&mut self, deadline: Instant, target: Target) -> bool {
        self.heap.insert(deadline, target);
        let must_notify = match self.parked {
            Parked::Awake => false,
            Parked::Forever => true,
            Parked::Until(wake) => deadline < wake,
        };
        if must_notify {
            self.parked = Parked::Awake;
        }
        must_notify
    }

    /// Cancels a sleep entry if it is still pending; returns its waker to
    /// drop (or reuse) after unlocking.
    pub(crate) fn cancel(&mut self, entry: &SleepEntry) -> Option<Waker> {
        match entry.cancel() {
            Ok(waker) => {
                self.heap.note_cancelled();
                waker
            }
            Err(NotPending) => None,
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
        while let Some(entry) = self.heap.pop_due(now) {
            fired += 1;
            match entry.target {
                Target::Waker(waker) => due.push(waker),
                Target::Sleep(sleep) => due.extend(sleep.fire()),
            }
        }
        fired
    }

    /// Earliest live deadline.
    pub(crate) fn next_deadline(&mut self) -> Option<Instant> {
        self.heap.next_deadline()
    }

    /// Number of live timers.
    pub(crate) fn len(&self) -> usize {
        self.heap.len()
    }

    /// Number of stored heap entries, cancelled ones included.
    pub(crate) fn storage_len(&self) -> usize {
        self.heap.storage_len()
    }

    /// Removes every timer. Pending sleep entries become `CANCELLED` (so their
    /// `Sleep` neither double-counts a cancellation nor waits forever: it
    /// re-registers on its next poll). Returns everything to drop after
    /// unlocking, wakers included.
    pub(crate) fn clear(&mut self) -> Vec<Target> {
        let mut dropped = Vec::new();
        for entry in self.heap.take_all() {
            if let Target::Sleep(sleep) = &entry.target {
                if let Ok(Some(waker)) = sleep.cancel() {
                    dropped.push(Target::Waker(waker));
                }
            }
            dropped.push(entry.target);
        }
        dropped
    }
}

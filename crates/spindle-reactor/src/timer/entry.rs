//! `SleepEntry`: the shared half of a [`Sleep`](crate::Sleep), one allocation
//! per pending sleep.
//!
//! The heap holds one `Arc<SleepEntry>`, the `Sleep` the other. The entry
//! carries a state word and a waker slot.
//!
//! # The state word
//!
//! | state       | meaning                                   | set by, under the timers lock         |
//! |-------------|-------------------------------------------|---------------------------------------|
//! | `PENDING`   | in the heap, will fire                    | creation                              |
//! | `FIRED`     | deadline passed, waker taken to be woken  | the driver, when popping it           |
//! | `CANCELLED` | dead weight in the heap, or removed       | `Sleep` drop/reset, or `clear_timers` |
//!
//! Every transition leaves `PENDING` and happens with the driver's timers
//! lock held, so the heap's count of cancelled entries always matches the
//! entries whose state says so. `Sleep::poll` reads the state without that
//! lock: `FIRED` is stored with `Release` before the waker slot is emptied, so
//! a poll that sees `FIRED` (`Acquire`) knows the deadline has passed.
//!
//! # The waker slot
//!
//! `Mutex<Option<Waker>>`. The driver fires by storing `FIRED` and *then*
//! taking the waker; a poll stores its waker and checks the state inside the
//! slot's lock. Either the poll's store comes first (the driver takes and
//! wakes that waker) or the driver's take comes first (the poll then sees
//! `FIRED` and returns `Ready`): no wake-up is lost.

use std::task::Waker;

use crate::loom::{lock, AtomicU8, Mutex, Ordering};
use crate::timer::heap::Cancellable;

/// In the heap, will fire.
const PENDING: u8 = 0;
/// Fired: the deadline has passed.
const FIRED: u8 = 1;
/// Cancelled by its `Sleep`, or dropped by `clear_timers`.
const CANCELLED: u8 = 2;

/// What a poll of the entry found.
pub(crate) enum Polled {
    /// The timer fired; the sleep is over.
    Fired,
    /// Still pending; the given waker is now the one that will be woken.
    Pending,
    /// The driver dropped the entry (`clear_timers`); register a new one.
    Dropped,
}

/// Shared state of one pending sleep; see the module docs.
pub(crate) struct SleepEntry {
    state: AtomicU8,
    waker: Mutex<Option<Waker>>,
}

impl SleepEntry {
    /// A pending entry that will wake `waker`.
    pub(crate) fn new(waker: Waker) -> SleepEntry {
        SleepEntry {
            state: AtomicU8::new(PENDING),
            waker: Mutex::new(Some(waker)),
        }
    }

    /// Called from `Sleep::poll`: reports the state and, while pending,
    /// makes `waker` the one to wake (cloning only if it changed).
    pub(crate) fn poll(&self, waker: &Waker) -> Polled {
        let mut slot = lock(&self.waker);
        match self.state.load(Ordering::Acquire) {
            FIRED => Polled::Fired,
            CANCELLED => Polled::Dropped,
            _ => {
                match slot.as_mut() {
                    Some(current) if current.will_wake(waker) => {}
                    _ => *slot = Some(waker.clone()),
                }
                Polled::Pending
            }
        }
    }

    /// Whether the entry is still pending. A hint without the timers lock.
    pub(crate) fn is_pending(&self) -> bool {
        self.state.load(Ordering::Acquire) == PENDING
    }

    /// PENDING -> FIRED; returns the waker to wake. Timers lock held.
    pub(crate) fn fire(&self) -> Option<Waker> {
        self.state.store(FIRED, Ordering::Release);
        lock(&self.waker).take()
    }

    /// PENDING -> CANCELLED; returns the waker (to be dropped or reused
    /// outside the lock), or `Err(NotPending)` if it had already fired or been cancelled.
    /// Timers lock held.
    pub(crate) fn cancel(&self) -> Result<Option<Waker>, NotPending> {
        self.state
            .compare_exchange(PENDING, CANCELLED, Ordering::AcqRel, Ordering::Acquire)
            .map_err(|_| NotPending)?;
        Ok(lock(&self.waker).take())
    }
}

/// The entry had already fired or been cancelled.
#[derive(Debug)]
pub(crate) struct NotPending;

impl Cancellable for SleepEntry {
    fn is_cancelled(&self) -> bool {
        self.state.load(Ordering::Acquire) == CANCELLED
    }
}

//! [`Sleep`]: a future that completes at a deadline, never earlier.
//!
//! A `Sleep` allocates nothing until its first poll; then it registers one
//! cancellable [`SleepEntry`] with the driver. Dropping or resetting a
//! pending `Sleep` cancels that entry in O(1) (see `timer::heap` for how the
//! heap reclaims it).

use std::fmt;
use std::future::Future;
use std::pin::Pin;
use std::task::{Context, Poll};
use std::time::Instant;

use crate::driver::Driver;
use crate::loom::Arc;
use crate::timer::entry::{Polled, SleepEntry};

/// A future that completes at `deadline`, never earlier.
///
/// Registers a cancellable timer with the [`Driver`] on first poll (one
/// allocation per pending sleep). Re-polling with a different waker updates
/// the waker. Dropping a pending `Sleep` cancels its timer in O(1).
///
/// The sleep completes only when someone drives the driver
/// ([`DriverGuard::park`](crate::DriverGuard::park) or
/// [`Driver::fire_due`]) after the deadline, or when it is polled and the
/// clock already shows the deadline has passed.
///
/// Like asyncio's `sleep`, it always suspends at least once: a first poll
/// that finds the deadline already past wakes the task and returns `Pending`
/// (registering nothing), so `sleep(Duration::ZERO)` lets other tasks run,
/// as `await asyncio.sleep(0)` does.
///
/// If [`Driver::clear_timers`] drops the timer of a pending `Sleep`, the
/// `Sleep` registers a fresh timer on its next poll.
pub struct Sleep {
    /// `None` for [`Sleep::until`] until its first poll finds the current driver.
    driver: Option<Driver>,
    deadline: Instant,
    /// `None` until the first poll, after completion via the clock, and after
    /// a reset of an unpolled sleep.
    entry: Option<Arc<SleepEntry>>,
    /// The sleep has suspended once (see the type's docs).
    suspended: bool,
}

impl Sleep {
    /// A sleep until `deadline` on `driver`. Registers nothing until polled.
    pub fn new(driver: &Driver, deadline: Instant) -> Sleep {
        Sleep {
            driver: Some(driver.clone()),
            deadline,
            entry: None,
            suspended: false,
        }
    }

    /// A sleep until `deadline` on the driver of the loop that first polls it (see
    /// [`context`](crate::context)): what `spindle::sleep` returns, so it can be created before
    /// the loop runs, as an asyncio `sleep()` coroutine can.
    ///
    /// # Panics
    /// When first polled on a thread where no loop runs, if the deadline is still ahead.
    pub fn until(deadline: Instant) -> Sleep {
        Sleep {
            driver: None,
            deadline,
            entry: None,
            suspended: false,
        }
    }

    /// The instant this sleep completes at (or after).
    pub fn deadline(&self) -> Instant {
        self.deadline
    }

    /// Moves the deadline, earlier or later. A pending timer is cancelled; if
    /// it had a waker, a new timer is registered at once with that waker, so
    /// the task waiting on this sleep is woken at the new deadline even
    /// without another poll. A sleep that had completed becomes pending again.
    pub fn reset(&mut self, deadline: Instant) {
        self.deadline = deadline;
        // An entry exists only once the driver is known.
        let (Some(driver), Some(entry)) = (&self.driver, self.entry.take()) else {
            return;
        };
        if let Some(waker) = driver.cancel_sleep(&entry) {
            self.entry = Some(driver.register_sleep(deadline, waker));
        }
    }
}

impl Sleep {
    /// Polls the timer alone, without reading the clock: registers it (with `cx`'s waker) if it
    /// is not registered yet, updates the waker if it is, and is `Ready` only once the driver
    /// has fired it. For callers that have just read the clock themselves (`wait_for` checks
    /// its deadline on every poll): the read [`poll`](Future::poll) makes before registering
    /// would be a second one. A deadline already past is fired by the driver's next
    /// [`park`](crate::DriverGuard::park) or [`fire_due`](Driver::fire_due), never earlier.
    ///
    /// # Panics
    /// When the sleep has no driver yet ([`Sleep::until`]) and no loop runs on this thread.
    pub fn poll_timer(&mut self, cx: &mut Context<'_>) -> Poll<()> {
        if let Some(entry) = &self.entry {
            match entry.poll(cx.waker()) {
                Polled::Fired => return Poll::Ready(()),
                Polled::Pending => return Poll::Pending,
                Polled::Dropped => self.entry = None,
            }
        }
        self.suspended = true;
        let driver = self.driver.get_or_insert_with(|| {
            crate::context::current().expect("spindle: a sleep was polled outside an event loop")
        });
        self.entry = Some(driver.register_sleep(self.deadline, cx.waker().clone()));
        Poll::Pending
    }
}

impl Future for Sleep {
    type Output = ();

    fn poll(self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<()> {
        let this = self.get_mut();
        if let Some(entry) = &this.entry {
            match entry.poll(cx.waker()) {
                Polled::Fired => return Poll::Ready(()),
                Polled::Pending => return Poll::Pending,
                Polled::Dropped => this.entry = None,
            }
        }
        if Instant::now() >= this.deadline {
            if this.suspended {
                return Poll::Ready(());
            }
            this.suspended = true;
            cx.waker().wake_by_ref();
            return Poll::Pending;
        }
        this.suspended = true;
        let driver = this.driver.get_or_insert_with(|| {
            crate::context::current().expect("spindle: a sleep was polled outside an event loop")
        });
        this.entry = Some(driver.register_sleep(this.deadline, cx.waker().clone()));
        Poll::Pending
    }
}

impl Drop for Sleep {
    fn drop(&mut self) {
        if let (Some(driver), Some(entry)) = (&self.driver, self.entry.take()) {
            // The returned waker (if any) is dropped here, outside the lock.
            drop(driver.cancel_sleep(&entry));
        }
    }
}

impl fmt::Debug for Sleep {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Sleep")
            .field("deadline", &self.deadline)
            .field("registered", &self.entry.is_some())
            .finish()
    }
}

//! [`Sleep`]: a future that completes at a deadline, never earlier.
//!
//! A `Sleep` registers nothing until its first poll; then it arms one timer
//! in the driver's shard for this thread and keeps its id (see
//! `timer::shards` and `timer::heap`): a slot reused from that shard's free
//! list, so arming allocates nothing in steady state. Dropping or resetting a
//! pending `Sleep` cancels that timer in O(log n) under its shard's lock;
//! once the timer fires, the `Sleep`'s next poll (or its drop) releases the
//! slot.

use std::fmt;
use std::future::Future;
use std::pin::Pin;
use std::task::{Context, Poll};
use std::time::Instant;

use crate::driver::Driver;
use crate::timer::queue::Polled;
use crate::timer::shards::TimerId;

/// A future that completes at `deadline`, never earlier.
///
/// Registers a cancellable timer with the [`Driver`] on first poll (a slot of
/// the driver's, reused: no allocation in steady state). Re-polling with a
/// different waker updates the waker. Dropping a pending `Sleep` cancels its
/// timer in O(log n).
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
    /// The armed (or fired, not yet seen) timer. `None` until the first poll,
    /// after completion, and after a reset of an unpolled sleep.
    key: Option<TimerId>,
    /// The sleep has suspended once (see the type's docs).
    suspended: bool,
    /// The driver fired the timer and a poll saw it: complete until a reset.
    fired: bool,
}

impl Sleep {
    /// A sleep until `deadline` on `driver`. Registers nothing until polled.
    pub fn new(driver: &Driver, deadline: Instant) -> Sleep {
        Sleep {
            driver: Some(driver.clone()),
            deadline,
            key: None,
            suspended: false,
            fired: false,
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
            key: None,
            suspended: false,
            fired: false,
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
        self.fired = false;
        // A key exists only once the driver is known.
        if let (Some(driver), Some(key)) = (&self.driver, self.key.take()) {
            self.key = driver.reset_sleep(key, deadline);
        }
    }

    /// The registered timer's news: `Some(Ready)` if it fired (now seen),
    /// `Some(Pending)` if still armed (with `cx`'s waker), `None` if there is
    /// no timer (never registered, or dropped by `clear_timers`).
    fn poll_registered(&mut self, cx: &mut Context<'_>) -> Option<Poll<()>> {
        if self.fired {
            return Some(Poll::Ready(()));
        }
        let key = self.key?;
        let driver = self.driver.as_ref()?;
        match driver.poll_sleep(key, cx.waker()) {
            Polled::Fired => {
                self.key = None;
                self.fired = true;
                Some(Poll::Ready(()))
            }
            Polled::Pending => Some(Poll::Pending),
            Polled::Dropped => {
                self.key = None;
                None
            }
        }
    }

    /// Arms the timer with `cx`'s waker, on the driver of this thread's loop
    /// if the sleep has none yet.
    fn register(&mut self, cx: &mut Context<'_>) {
        self.suspended = true;
        let driver = self.driver.get_or_insert_with(|| {
            crate::context::current().expect("spindle: a sleep was polled outside an event loop")
        });
        self.key = Some(driver.register_sleep(self.deadline, cx.waker().clone()));
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
        if let Some(polled) = self.poll_registered(cx) {
            return polled;
        }
        self.register(cx);
        Poll::Pending
    }
}

impl Future for Sleep {
    type Output = ();

    fn poll(self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<()> {
        let this = self.get_mut();
        if let Some(polled) = this.poll_registered(cx) {
            return polled;
        }
        if Instant::now() >= this.deadline {
            if this.suspended {
                return Poll::Ready(());
            }
            this.suspended = true;
            cx.waker().wake_by_ref();
            return Poll::Pending;
        }
        this.register(cx);
        Poll::Pending
    }
}

impl Drop for Sleep {
    fn drop(&mut self) {
        if let (Some(driver), Some(key)) = (&self.driver, self.key.take()) {
            // The returned waker (if any) is dropped here, outside the lock.
            drop(driver.cancel_sleep(key));
        }
    }
}

impl fmt::Debug for Sleep {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Sleep")
            .field("deadline", &self.deadline)
            .field("registered", &self.key.is_some())
            .finish()
    }
}

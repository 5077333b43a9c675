//! `wait_for`, `timeout` and `timeout_at`: run a future in the caller's task, bounded in time.
//!
//! The future is polled in place (no task is spawned), so it need not be `Send` or
//! `'static`. On the deadline it is dropped, inside the poll that notices the deadline, before
//! `Err(TimeoutError)` is returned: whatever its `Drop` cleans up is cleaned up by then.

use crate::{sleep_until, TimeoutError};
use spindle_reactor::Sleep;
use std::fmt;
use std::future::Future;
use std::pin::Pin;
use std::task::{Context, Poll};
use std::time::{Duration, Instant};

/// Runs `future` for at most `duration`: asyncio's `wait_for(aw, timeout)`.
///
/// `Ok` with the output if it finishes in time; otherwise the future is **dropped** (which is
/// how a Rust future is cancelled) and then `Err(TimeoutError)` is returned. The clock starts at
/// the first poll. The future is polled before the clock is read, so a future that is ready
/// wins even over an expired deadline (as in asyncio). With `Duration::ZERO` the future is
/// polled once.
///
/// To keep the work going past the deadline, time out a reference to a [`shield`](crate::shield)
/// or a [`Task`](crate::Task): `wait_for(d, &mut task)` drops only the reference.
///
/// ```
/// # #[cfg(feature = "scheduler")] {
/// use std::time::Duration;
///
/// spindle::run(async {
///     let fast = spindle::wait_for(Duration::from_secs(10), async { 7 }).await;
///     assert_eq!(fast, Ok(7));
///     let slow = spindle::wait_for(Duration::from_millis(5), std::future::pending::<()>()).await;
///     assert_eq!(slow, Err(spindle::TimeoutError));
/// });
/// # }
/// ```
///
/// # Panics
/// When polled outside an event loop and the future is not ready at once (the timer needs the
/// loop's driver).
pub fn wait_for<F: Future>(duration: Duration, future: F) -> Timeout<F> {
    Timeout::new(Deadline::After(duration), future)
}

/// Runs `future` for at most `duration`: asyncio 3.11's `async with asyncio.timeout(delay):`
/// around one awaitable. The same as [`wait_for`] (since Python 3.12 `wait_for` is built on
/// `timeout` too); both names are kept for porting.
///
/// ```
/// # #[cfg(feature = "scheduler")] {
/// use std::time::Duration;
///
/// let out = spindle::run(spindle::timeout(Duration::from_millis(5), std::future::pending::<()>()));
/// assert!(out.is_err());
/// # }
/// ```
///
/// # Panics
/// As [`wait_for`].
pub fn timeout<F: Future>(duration: Duration, future: F) -> Timeout<F> {
    Timeout::new(Deadline::After(duration), future)
}

/// Runs `future` until `deadline` at most: asyncio's `asyncio.timeout_at(when)`.
///
/// As [`wait_for`], with an absolute deadline (an [`Instant`], as returned by
/// `EventLoop::time()`). A deadline already past still polls the future once.
///
/// ```
/// # #[cfg(feature = "scheduler")] {
/// use std::time::{Duration, Instant};
///
/// spindle::run(async {
///     let deadline = Instant::now() + Duration::from_millis(5);
///     let out = spindle::timeout_at(deadline, spindle::sleep(Duration::from_secs(60))).await;
///     assert_eq!(out, Err(spindle::TimeoutError));
/// });
/// # }
/// ```
///
/// # Panics
/// As [`wait_for`].
pub fn timeout_at<F: Future>(deadline: Instant, future: F) -> Timeout<F> {
    Timeout::new(Deadline::At(deadline), future)
}

#[derive(Clone, Copy, Debug)]
enum Deadline {
    /// Relative to the first poll.
    After(Duration),
    At(Instant),
}

/// The future of [`wait_for`], [`timeout`] and [`timeout_at`].
#[must_use = "futures do nothing unless awaited"]
pub struct Timeout<F> {
    /// Structurally pinned; `None` once it finished or was dropped on the deadline.
    future: Option<F>,
    deadline: Deadline,
    /// Registered on the first poll that finds the future pending.
    sleep: Option<Sleep>,
}

impl<F> Timeout<F> {
    fn new(deadline: Deadline, future: F) -> Timeout<F> {
        Timeout {
            future: Some(future),
            deadline,
            sleep: None,
        }
    }

    /// The deadline, once known: given to `timeout_at`, or fixed by the first poll.
    pub fn deadline(&self) -> Option<Instant> {
        match self.deadline {
            Deadline::At(at) => Some(at),
            Deadline::After(_) => None,
        }
    }

    fn project(self: Pin<&mut Self>) -> (Pin<&mut Option<F>>, &mut Deadline, &mut Option<Sleep>) {
        // SAFETY: `future` is structurally pinned: it is never moved out of `self` (only
        // dropped in place through `Pin::set`), `Timeout` has no `Drop` impl, and it is `Unpin`
        // only when `F` is (auto trait). `deadline` and `sleep` are not pinned (`Sleep` is
        // `Unpin`) and are handed out as plain references.
        unsafe {
            let this = self.get_unchecked_mut();
            (
                Pin::new_unchecked(&mut this.future),
                &mut this.deadline,
                &mut this.sleep,
            )
        }
    }
}

impl<F: Future> Future for Timeout<F> {
    type Output = Result<F::Output, TimeoutError>;

    fn poll(self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<Self::Output> {
        let (mut future, deadline, sleep) = self.project();
        // One clock read per poll. The first poll of `wait_for` reads it before polling the
        // future (the clock starts at the first poll) and checks the deadline against that
        // same reading: a deadline that passes while the future runs is caught by the timer
        // (or by the next poll), never early.
        let (at, now) = match *deadline {
            Deadline::At(at) => (at, None),
            Deadline::After(d) => {
                let now = Instant::now();
                let at = now.checked_add(d).unwrap_or_else(|| {
                    now + Duration::from_secs(30 * 365 * 24 * 3600) // no program waits that long
                });
                *deadline = Deadline::At(at);
                (at, Some(now))
            }
        };
        let inner = future
            .as_mut()
            .as_pin_mut()
            .expect("`Timeout` polled after completion");
        if let Poll::Ready(output) = inner.poll(cx) {
            future.set(None);
            *sleep = None;
            return Poll::Ready(Ok(output));
        }
        let now = now.unwrap_or_else(Instant::now);
        // The timer is polled without a clock read of its own (`Sleep::poll_timer`): `now`
        // was just compared with the deadline.
        let expired = now >= at
            || sleep
                .get_or_insert_with(|| sleep_until(at))
                .poll_timer(cx)
                .is_ready();
        if expired {
            // Cancel: drop the future before reporting the timeout.
            future.set(None);
            *sleep = None;
            return Poll::Ready(Err(TimeoutError));
        }
        Poll::Pending
    }
}

impl<F> fmt::Debug for Timeout<F> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Timeout")
            .field("deadline", &self.deadline)
            .field("finished", &self.future.is_none())
            .finish()
    }
}

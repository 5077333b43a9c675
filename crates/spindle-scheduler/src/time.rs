//! `sleep`, `sleep_until` and `yield_now`: waiting without blocking a worker.

use spindle_reactor::Sleep;
use std::future::Future;
use std::pin::Pin;
use std::task::{Context, Poll};
use std::time::{Duration, Instant};

/// Waits `duration` (never less), asyncio's `sleep(d)`. Like an asyncio `sleep()` coroutine
/// it may be created before the loop runs (`lp.run_until_complete(sleep(d))`): the timer is
/// registered with the loop that first polls it.
///
/// # Panics
/// When first polled outside an event loop.
pub fn sleep(duration: Duration) -> Sleep {
    let now = Instant::now();
    sleep_until(
        now.checked_add(duration)
            .unwrap_or_else(|| now + Duration::from_secs(30 * 365 * 24 * 3600)),
    )
}

/// Waits until `deadline` (never earlier); see [`sleep`].
///
/// # Panics
/// When first polled outside an event loop.
pub fn sleep_until(deadline: Instant) -> Sleep {
    Sleep::until(deadline)
}

/// Lets other tasks run before this one continues, asyncio's `sleep(0)`: the task goes to the
/// back of the queue.
pub fn yield_now() -> YieldNow {
    YieldNow { yielded: false }
}

/// The future of [`yield_now`].
#[derive(Debug)]
#[must_use = "futures do nothing unless awaited"]
pub struct YieldNow {
    yielded: bool,
}

impl Future for YieldNow {
    type Output = ();

    fn poll(mut self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<()> {
        if self.yielded {
            return Poll::Ready(());
        }
        self.yielded = true;
        cx.waker().wake_by_ref();
        Poll::Pending
    }
}

//! `shield`: work that outlives whoever awaits it.
//!
//! In spindle cancelling a task drops its future, and dropping a [`Task`] handle detaches the
//! task. So a spawned task awaited through its handle is already shielded from the awaiter's
//! cancellation; `Shield` spells that out and removes `cancel` from the handle it exposes.

use crate::{spawn, Task, TaskError};
use std::fmt;
use std::future::Future;
use std::pin::Pin;
use std::task::{Context, Poll};

/// Runs `future` as a task that the awaiter's cancellation does not reach: asyncio's
/// `shield(aw)`.
///
/// Awaiting the [`Shield`] gives the task's outcome. Dropping the `Shield` (the awaiting task
/// was cancelled, a [`wait_for`](crate::wait_for) around it timed out, ...) detaches the task:
/// it runs on to completion. To observe the outcome after giving up waiting, keep the `Shield`
/// and time out a *reference* to it (`wait_for(d, &mut shielded)`), or take the task back with
/// [`Shield::into_task`].
///
/// ```
/// # #[cfg(feature = "scheduler")] {
/// use std::time::Duration;
///
/// spindle::run(async {
///     let mut work = spindle::shield(async {
///         spindle::sleep(Duration::from_millis(20)).await;
///         "finished anyway"
///     });
///     // Give up waiting after 1 ms; the work is not cancelled ...
///     assert!(spindle::wait_for(Duration::from_millis(1), &mut work).await.is_err());
///     // ... and its result is still there.
///     assert_eq!(work.await.unwrap(), "finished anyway");
/// });
/// # }
/// ```
///
/// # Panics
/// Outside an event loop.
pub fn shield<F>(future: F) -> Shield<F::Output>
where
    F: Future + Send + 'static,
    F::Output: Send + 'static,
{
    Shield {
        task: spawn(future),
    }
}

/// The future of [`shield`]: the shielded task's outcome.
///
/// Awaiting it yields `Err(TaskError::Panicked)` if the work panicked, and
/// `Err(TaskError::Cancelled)` only if the *inner* task was cancelled (through its
/// [`TaskRef`](crate::TaskRef) or by the loop closing), as asyncio's `shield` raises
/// `CancelledError` when the inner future is cancelled.
#[must_use = "the shielded work runs anyway; await the Shield to get its outcome"]
pub struct Shield<T> {
    task: Task<T>,
}

impl<T> Shield<T> {
    /// The inner task's handle, to await or inspect later (it can be cancelled through it).
    pub fn into_task(self) -> Task<T> {
        self.task
    }

    /// `true` once the inner work finished.
    pub fn is_done(&self) -> bool {
        self.task.is_done()
    }
}

impl<T> From<Task<T>> for Shield<T> {
    /// Shields an already spawned task: dropping the `Shield` detaches it.
    fn from(task: Task<T>) -> Shield<T> {
        Shield { task }
    }
}

impl<T> Future for Shield<T> {
    type Output = Result<T, TaskError>;

    fn poll(mut self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<Self::Output> {
        Pin::new(&mut self.task).poll(cx)
    }
}

impl<T> fmt::Debug for Shield<T> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Shield").field("task", &self.task).finish()
    }
}

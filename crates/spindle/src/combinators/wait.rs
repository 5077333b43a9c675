//! `wait` and `wait_results`: wait for tasks until a condition, then split them into done and
//! pending, without taking any output.
//!
//! The outputs must stay in the tasks (the caller awaits each done task afterwards), so the
//! tasks are never polled here. Each one gets a done callback instead, which records whether it
//! failed and wakes the waiter. Done callbacks run once a task reports `is_done()`, which is the
//! truth for the split.

use crate::{sleep_until, Task, TaskError};
use spindle_reactor::Sleep;
use std::fmt;
use std::future::Future;
use std::pin::Pin;
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Arc, Mutex, PoisonError};
use std::task::{Context, Poll, Waker};
use std::time::{Duration, Instant};

/// When [`wait`] returns: asyncio's `FIRST_COMPLETED`, `FIRST_EXCEPTION`, `ALL_COMPLETED`.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Default)]
pub enum ReturnWhen {
    /// As soon as any task is done (with a value, a panic or a cancellation).
    FirstCompleted,
    /// As soon as any task *fails*, or when all are done if none fails. For [`wait`] a task
    /// fails when it panics ([`TaskError::Panicked`]); for [`wait_results`] also when it
    /// returns `Err`. A cancelled task is not a failure (as in asyncio, where a cancelled
    /// future has no exception).
    FirstException,
    /// When every task is done (the default, as in asyncio).
    #[default]
    AllCompleted,
}

/// Waits until `return_when` holds for `tasks`, or until `timeout` elapses: asyncio's
/// `wait(aws, timeout=.., return_when=..)`.
///
/// The output is `(done, pending)`: the tasks that are done when it returns and those that are
/// not, each in input order (asyncio returns two sets). Nothing is awaited and nothing is
/// cancelled: every done task still holds its output (`.await` it), and on a timeout the
/// pending tasks keep running. The timeout is measured from the first poll.
///
/// Dropping the `Wait` future drops the handles, which detaches the tasks (asyncio's `wait`
/// never cancels either). With no tasks it completes at once with two empty `Vec`s (asyncio
/// raises `ValueError`).
///
/// ```
/// # #[cfg(feature = "scheduler")] {
/// use spindle::{Promise, ReturnWhen};
///
/// spindle::run(async {
///     let gate = Promise::<()>::new();
///     let slow = spindle::spawn({
///         let gate = gate.clone();
///         async move { gate.await.unwrap(); "slow" }
///     });
///     let fast = spindle::spawn(async { "fast" });
///     let (done, pending) = spindle::wait([slow, fast], ReturnWhen::FirstCompleted, None).await;
///     assert_eq!(done.len(), 1);
///     assert_eq!(pending.len(), 1);
///     for task in done {
///         assert_eq!(task.await.unwrap(), "fast"); // the output is still there
///     }
///     gate.set_result(()).unwrap();
///     for task in pending {
///         assert_eq!(task.await.unwrap(), "slow"); // still running, not cancelled
///     }
/// });
/// # }
/// ```
///
/// # Panics
/// When polled outside an event loop with a timeout, and with [`ReturnWhen::FirstException`]
/// when a task given was already awaited to completion (its output is gone).
pub fn wait<T, I>(tasks: I, return_when: ReturnWhen, timeout: Option<Duration>) -> Wait<T>
where
    I: IntoIterator<Item = Task<T>>,
    T: Send + 'static,
{
    Wait::new(tasks, return_when, timeout, is_panic::<T>)
}

/// [`wait`] for tasks whose output is a `Result`: with [`ReturnWhen::FirstException`] a task
/// that returns `Err(_)` counts as failed too, as an exception would in asyncio.
///
/// ```
/// # #[cfg(feature = "scheduler")] {
/// use spindle::ReturnWhen;
///
/// spindle::run(async {
///     let never = spindle::Promise::<()>::new();
///     let bad = spindle::spawn(async { Err::<u32, &str>("bad input") });
///     let stuck = spindle::spawn({
///         let never = never.clone();
///         async move { never.await.unwrap(); Ok(1) }
///     });
///     let (done, pending) =
///         spindle::wait_results([bad, stuck], ReturnWhen::FirstException, None).await;
///     assert_eq!(done.len(), 1);
///     assert_eq!(pending.len(), 1);
///     pending[0].cancel();
/// });
/// # }
/// ```
///
/// # Panics
/// As [`wait`].
pub fn wait_results<T, E, I>(
    tasks: I,
    return_when: ReturnWhen,
    timeout: Option<Duration>,
) -> Wait<Result<T, E>>
where
    I: IntoIterator<Item = Task<Result<T, E>>>,
    T: Send + 'static,
    E: Send + 'static,
{
    Wait::new(tasks, return_when, timeout, is_panic_or_err::<T, E>)
}

fn is_panic<T>(output: &Result<T, TaskError>) -> bool {
    matches!(output, Err(TaskError::Panicked(_)))
}

fn is_panic_or_err<T, E>(output: &Result<Result<T, E>, TaskError>) -> bool {
    matches!(output, Err(TaskError::Panicked(_)) | Ok(Err(_)))
}

/// What the done callbacks share with the waiter.
struct Shared {
    waker: Mutex<Option<Waker>>,
    /// Per task, by input index: it finished and failed (see [`ReturnWhen::FirstException`]).
    failed: Box<[AtomicBool]>,
}

impl Shared {
    fn notify(&self, index: usize, failed: bool) {
        if failed {
            self.failed[index].store(true, Ordering::Release);
        }
        let waker = self
            .waker
            .lock()
            .unwrap_or_else(PoisonError::into_inner)
            .clone();
        if let Some(waker) = waker {
            waker.wake();
        }
    }
}

/// The future of [`wait`] and [`wait_results`]: `(done, pending)`.
#[must_use = "futures do nothing unless awaited"]
pub struct Wait<T> {
    tasks: Vec<Task<T>>,
    return_when: ReturnWhen,
    timeout: Option<Duration>,
    is_failure: fn(&Result<T, TaskError>) -> bool,
    /// Created on the first poll, with the callbacks.
    shared: Option<Arc<Shared>>,
    deadline: Option<Instant>,
    sleep: Option<Sleep>,
    finished: bool,
}

impl<T> Unpin for Wait<T> {}

impl<T: Send + 'static> Wait<T> {
    fn new(
        tasks: impl IntoIterator<Item = Task<T>>,
        return_when: ReturnWhen,
        timeout: Option<Duration>,
        is_failure: fn(&Result<T, TaskError>) -> bool,
    ) -> Wait<T> {
        Wait {
            tasks: tasks.into_iter().collect(),
            return_when,
            timeout,
            is_failure,
            shared: None,
            deadline: None,
            sleep: None,
            finished: false,
        }
    }

    /// First poll: publish the waker, then register the callbacks (so none can fire before
    /// there is a waker to wake), and start the clock.
    fn start(&mut self, waker: &Waker) {
        let shared = Arc::new(Shared {
            waker: Mutex::new(Some(waker.clone())),
            failed: self.tasks.iter().map(|_| AtomicBool::new(false)).collect(),
        });
        let needs_outcome = self.return_when == ReturnWhen::FirstException;
        for (index, task) in self.tasks.iter().enumerate() {
            // For the other conditions `is_done()` says all we need; a callback on a finished
            // task would only be queued on the loop for nothing.
            if needs_outcome || !task.is_done() {
                let shared = shared.clone();
                let is_failure = self.is_failure;
                task.add_done_callback(move |output| shared.notify(index, is_failure(output)));
            }
        }
        self.shared = Some(shared);
        if let Some(timeout) = self.timeout {
            self.deadline = Some(
                Instant::now()
                    .checked_add(timeout)
                    .unwrap_or_else(far_future),
            );
        }
    }

    fn timed_out(&mut self, cx: &mut Context<'_>) -> bool {
        let Some(deadline) = self.deadline else {
            return false;
        };
        if Instant::now() >= deadline {
            return true;
        }
        let sleep = self.sleep.get_or_insert_with(|| sleep_until(deadline));
        Pin::new(sleep).poll(cx).is_ready()
    }
}

/// A deadline no program waits for (30 years), for timeouts too large for `Instant`.
fn far_future() -> Instant {
    Instant::now() + Duration::from_secs(30 * 365 * 24 * 3600)
}

impl<T: Send + 'static> Future for Wait<T> {
    type Output = (Vec<Task<T>>, Vec<Task<T>>);

    fn poll(self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<Self::Output> {
        let this = self.get_mut();
        assert!(!this.finished, "`Wait` polled after completion");
        match &this.shared {
            None => this.start(cx.waker()),
            Some(shared) => {
                let mut slot = shared.waker.lock().unwrap_or_else(PoisonError::into_inner);
                if !slot.as_ref().is_some_and(|w| w.will_wake(cx.waker())) {
                    *slot = Some(cx.waker().clone());
                }
            }
        }
        let shared = this.shared.as_ref().expect("started above");

        let (mut all_done, mut any_done, mut failed) = (true, false, false);
        for (task, task_failed) in this.tasks.iter().zip(shared.failed.iter()) {
            if task.is_done() {
                any_done = true;
                failed |= task_failed.load(Ordering::Acquire);
            } else {
                all_done = false;
            }
        }
        // Nothing to wait for: every condition holds (`all_done` is vacuously true).
        let ready = match this.return_when {
            ReturnWhen::AllCompleted => all_done,
            ReturnWhen::FirstCompleted => any_done || all_done,
            ReturnWhen::FirstException => failed || all_done,
        };
        if ready || this.timed_out(cx) {
            this.finished = true;
            this.sleep = None;
            let (done, pending) = std::mem::take(&mut this.tasks)
                .into_iter()
                .partition(|task| task.is_done());
            return Poll::Ready((done, pending));
        }
        Poll::Pending
    }
}

impl<T> fmt::Debug for Wait<T> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Wait")
            .field("tasks", &self.tasks.len())
            .field("return_when", &self.return_when)
            .field("timeout", &self.timeout)
            .field("finished", &self.finished)
            .finish()
    }
}

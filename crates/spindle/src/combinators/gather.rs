//! `gather` and `try_gather`: run futures as tasks and collect their outputs in input order.
//!
//! Each child is spawned on the current loop at the call (as asyncio's `gather` schedules its
//! children at once), so the children run in parallel across the workers; the `Gather` future
//! only collects. The children belong to the gather: no handle escapes, so dropping it
//! cancels every child not yet finished.

use super::task_set::TaskSet;
use crate::{spawn, TaskError};
use std::fmt;
use std::future::Future;
use std::panic::resume_unwind;
use std::pin::Pin;
use std::task::{Context, Poll};

/// Runs every future of `futures` as a task on the current loop and awaits all of them:
/// asyncio's `gather(*aws)`.
///
/// The output is the children's outputs **in input order**, whatever order they finish in.
///
/// - **A child panics:** the other children are cancelled and the panic is resumed in the
///   awaiter with [`std::panic::resume_unwind`], with the child's own payload: as if the
///   children had run inside the awaiting task, as with `futures::future::join_all`. A panic
///   is a bug, not an outcome to collect.
/// - **A child is cancelled from outside** (only possible through a [`TaskRef`](crate::TaskRef)
///   from `EventLoop::all_tasks()`, or by the loop closing): the others are cancelled and the
///   awaiter panics with a message naming the child. asyncio raises `CancelledError` here; the
///   children of a gather are private to it, so this only happens when someone reached in on
///   purpose or the loop is being torn down.
/// - **Errors as values** (asyncio's `return_exceptions=True`): let the children return
///   `Result`s; the output is then a `Vec<Result<T, E>>` with every error in its place. To
///   stop at the first error instead, use [`try_gather`].
/// - **Dropping** the `Gather` cancels every child not yet finished (their futures are
///   dropped at their next suspension point, at once if idle).
///
/// ```
/// # #[cfg(feature = "scheduler")] {
/// use std::time::Duration;
///
/// let out = spindle::run(async {
///     spindle::gather((1..=3u64).map(|i| async move {
///         // The first child finishes last: the output is still in input order.
///         spindle::sleep(Duration::from_millis(10 * (4 - i))).await;
///         i * 10
///     }))
///     .await
/// });
/// assert_eq!(out, [10, 20, 30]);
/// # }
/// ```
///
/// The children start at once when a loop runs on this thread; a gather created outside a
/// loop spawns them at its first poll, so `lp.run_until_complete(gather(..))` works as in
/// asyncio.
///
/// # Panics
/// When first polled outside an event loop (with at least one future to spawn).
pub fn gather<I>(futures: I) -> Gather<<I::Item as Future>::Output>
where
    I: IntoIterator,
    I::Item: Future + Send + 'static,
    <I::Item as Future>::Output: Send + 'static,
{
    let (set, deferred, len) = spawn_children(futures);
    Gather {
        set,
        deferred,
        results: (0..len).map(|_| None).collect(),
        finished: false,
    }
}

/// Spawning the children later: at the first poll of a gather created outside a loop.
type Deferred<T> = Box<dyn FnOnce() -> TaskSet<T> + Send>;

/// The spawned children (or their deferred spawn) and how many there are.
type Children<T> = (TaskSet<T>, Option<Deferred<T>>, usize);

/// Spawns every future as a task now if a loop runs on this thread (asyncio starts the
/// children at once), or else at the first poll: `lp.run_until_complete(gather(..))` polls it
/// inside the run. Returns the tasks (or the deferred spawn) and the number of children.
fn spawn_children<I>(futures: I) -> Children<<I::Item as Future>::Output>
where
    I: IntoIterator,
    I::Item: Future + Send + 'static,
    <I::Item as Future>::Output: Send + 'static,
{
    let futures: Vec<I::Item> = futures.into_iter().collect();
    let len = futures.len();
    let spawn_all = move || {
        let mut set = TaskSet::with_capacity(futures.len());
        for future in futures {
            set.push(spawn(future));
        }
        set
    };
    if len == 0 || crate::EventLoop::try_current().is_some() {
        (spawn_all(), None, len)
    } else {
        (TaskSet::new(), Some(Box::new(spawn_all)), len)
    }
}

/// Runs every future of `futures` as a task and awaits all of them, stopping at the first
/// error: asyncio's `gather(*aws)` with the default `return_exceptions=False`.
///
/// `Ok` holds the values in input order. The first child to finish with `Err(e)` (first in
/// *completion* order) makes the output `Err(e)`, and every child not yet finished is
/// cancelled. asyncio returns the first exception too but leaves the other children running;
/// here they are cancelled, since nothing could await them any more (their handles are
/// private to the gather), so leaving them running would only leak work.
///
/// Panics and outside cancellations of a child behave as in [`gather`].
///
/// ```
/// # #[cfg(feature = "scheduler")] {
/// let out = spindle::run(async {
///     spindle::try_gather((0..4u32).map(|i| async move {
///         if i == 2 { Err(format!("child {i} failed")) } else { Ok(i) }
///     }))
///     .await
/// });
/// assert_eq!(out, Err("child 2 failed".to_string()));
/// # }
/// ```
///
/// Like [`gather`], the children start at once inside a loop, or at the first poll.
///
/// # Panics
/// When first polled outside an event loop (with at least one future to spawn).
pub fn try_gather<I, T, E>(futures: I) -> TryGather<T, E>
where
    I: IntoIterator,
    I::Item: Future<Output = Result<T, E>> + Send + 'static,
    T: Send + 'static,
    E: Send + 'static,
{
    let (set, deferred, len) = spawn_children(futures);
    TryGather {
        set,
        deferred,
        results: (0..len).map(|_| None).collect(),
        finished: false,
    }
}

/// The future of [`gather`]: the children's outputs in input order.
#[must_use = "futures do nothing unless awaited; dropping a Gather cancels its children"]
pub struct Gather<T> {
    set: TaskSet<T>,
    deferred: Option<Deferred<T>>,
    results: Vec<Option<T>>,
    finished: bool,
}

/// The future of [`try_gather`]: the values in input order, or the first error.
#[must_use = "futures do nothing unless awaited; dropping a TryGather cancels its children"]
pub struct TryGather<T, E> {
    set: TaskSet<Result<T, E>>,
    deferred: Option<Deferred<Result<T, E>>>,
    results: Vec<Option<T>>,
    finished: bool,
}

// Neither type pins anything: the children live in their tasks, the outputs are moved out.
impl<T> Unpin for Gather<T> {}
impl<T, E> Unpin for TryGather<T, E> {}

impl<T> Gather<T> {
    /// The number of children.
    pub fn len(&self) -> usize {
        self.results.len()
    }

    /// `true` when there are no children (the gather completes at once with an empty `Vec`).
    pub fn is_empty(&self) -> bool {
        self.results.is_empty()
    }
}

impl<T, E> TryGather<T, E> {
    /// The number of children.
    pub fn len(&self) -> usize {
        self.results.len()
    }

    /// `true` when there are no children (the gather completes at once with `Ok` of an empty
    /// `Vec`).
    pub fn is_empty(&self) -> bool {
        self.results.is_empty()
    }
}

/// A child that finished without a value: cancel the siblings, then panic in the awaiter.
fn fail<T>(set: &TaskSet<T>, what: &str, index: usize, error: TaskError) -> ! {
    set.cancel_all();
    match error.try_into_panic() {
        Ok(payload) => resume_unwind(payload),
        Err(error) => panic!("spindle::{what}: child {index} produced no value: {error}"),
    }
}

impl<T: Send + 'static> Future for Gather<T> {
    type Output = Vec<T>;

    fn poll(self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<Vec<T>> {
        let this = self.get_mut();
        assert!(!this.finished, "`Gather` polled after completion");
        if let Some(spawn_all) = this.deferred.take() {
            this.set = spawn_all();
        }
        loop {
            match std::task::ready!(this.set.poll_next(cx)) {
                Some((index, Ok(value))) => this.results[index] = Some(value),
                Some((index, Err(error))) => {
                    this.finished = true;
                    fail(&this.set, "gather", index, error)
                }
                None => {
                    this.finished = true;
                    let results = std::mem::take(&mut this.results);
                    return Poll::Ready(
                        results
                            .into_iter()
                            .map(|v| v.expect("every child produced a value"))
                            .collect(),
                    );
                }
            }
        }
    }
}

impl<T: Send + 'static, E: Send + 'static> Future for TryGather<T, E> {
    type Output = Result<Vec<T>, E>;

    fn poll(self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<Result<Vec<T>, E>> {
        let this = self.get_mut();
        assert!(!this.finished, "`TryGather` polled after completion");
        if let Some(spawn_all) = this.deferred.take() {
            this.set = spawn_all();
        }
        loop {
            match std::task::ready!(this.set.poll_next(cx)) {
                Some((index, Ok(Ok(value)))) => this.results[index] = Some(value),
                Some((_, Ok(Err(error)))) => {
                    this.finished = true;
                    this.set.cancel_all();
                    return Poll::Ready(Err(error));
                }
                Some((index, Err(error))) => {
                    this.finished = true;
                    fail(&this.set, "try_gather", index, error)
                }
                None => {
                    this.finished = true;
                    let results = std::mem::take(&mut this.results);
                    return Poll::Ready(Ok(results
                        .into_iter()
                        .map(|v| v.expect("every child produced a value"))
                        .collect()));
                }
            }
        }
    }
}

impl<T> Drop for Gather<T> {
    fn drop(&mut self) {
        self.set.cancel_all();
    }
}

impl<T, E> Drop for TryGather<T, E> {
    fn drop(&mut self) {
        self.set.cancel_all();
    }
}

impl<T> fmt::Debug for Gather<T> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Gather")
            .field("children", &self.results.len())
            .field("finished", &self.finished)
            .finish()
    }
}

impl<T, E> fmt::Debug for TryGather<T, E> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("TryGather")
            .field("children", &self.results.len())
            .field("finished", &self.finished)
            .finish()
    }
}

//! `gather` and `try_gather`: run futures as tasks and collect their outputs in input order.
//!
//! Each child is spawned on the current loop at the call (as asyncio's `gather` schedules its
//! children at once), so the children run in parallel across the workers; the `Gather` future
//! only collects. The children belong to the gather: no handle escapes, so dropping it
//! cancels every child not yet finished.
//!
//! # How a gather learns that its children finished
//!
//! Each child's future runs inside a [`Child`] wrapper that shares one [`Shared`] block with the
//! gather (one allocation per gather): the number of children still running, the index of the
//! first child to fail, and the gather's waker.
//!
//! - A child whose future returns counts itself down; under `try_gather`, one that returned
//!   `Err` first records itself as the failure.
//! - A child dropped before its future returned (it panicked, it was cancelled, a closed loop
//!   refused it) records itself as the failure and counts itself down.
//! - Whoever brings the count to zero, or records the first failure, wakes the gather.
//!
//! So a gather whose children all succeed is woken once, not once per child, and a child costs
//! its task and nothing more: no done callback, no queue, no lock. The outputs are then read
//! straight from the [`Task`] handles, in input order, each handle dropped as it is read.
//!
//! The wrapper signals from inside the child's task, a moment before the task publishes its
//! outcome, so an output may not be readable yet when the gather looks: polling that task's
//! handle then registers the gather as its awaiter, and the task wakes the gather when it
//! publishes.

use crate::{EventLoop, Task, TaskError};
use std::fmt;
use std::future::Future;
use std::marker::PhantomData;
use std::panic::resume_unwind;
use std::pin::Pin;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::{Arc, Mutex, MutexGuard, PoisonError};
use std::task::{Context, Poll, Waker};

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
    Gather {
        children: Children::spawn::<_, EveryValue>(futures),
        results: Vec::new(),
        finished: false,
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
    TryGather {
        children: Children::spawn::<_, FirstErr>(futures),
        results: Vec::new(),
        first_err: None,
        finished: false,
    }
}

/// The future of [`gather`]: the children's outputs in input order.
#[must_use = "futures do nothing unless awaited; dropping a Gather cancels its children"]
pub struct Gather<T> {
    children: Children<T>,
    /// The outputs read so far, in input order.
    results: Vec<T>,
    finished: bool,
}

/// The future of [`try_gather`]: the values in input order, or the first error.
#[must_use = "futures do nothing unless awaited; dropping a TryGather cancels its children"]
pub struct TryGather<T, E> {
    children: Children<Result<T, E>>,
    /// The values read so far, in input order.
    results: Vec<T>,
    /// An `Err` met while reading the outputs in order. Cannot happen: a child that returns
    /// `Err` records itself as the failure before it counts down, and the outputs are read only
    /// once every child counted down with no failure recorded. Kept rather than asserted.
    first_err: Option<E>,
    finished: bool,
}

// Neither type pins anything: the children live in their tasks, the outputs are moved out.
impl<T> Unpin for Gather<T> {}
impl<T, E> Unpin for TryGather<T, E> {}

impl<T> Gather<T> {
    /// The number of children.
    pub fn len(&self) -> usize {
        self.children.len
    }

    /// `true` when there are no children (the gather completes at once with an empty `Vec`).
    pub fn is_empty(&self) -> bool {
        self.children.len == 0
    }
}

impl<T, E> TryGather<T, E> {
    /// The number of children.
    pub fn len(&self) -> usize {
        self.children.len
    }

    /// `true` when there are no children (the gather completes at once with `Ok` of an empty
    /// `Vec`).
    pub fn is_empty(&self) -> bool {
        self.children.len == 0
    }
}

/// A child that finished without a value: cancel the siblings, then panic in the awaiter.
fn fail<T>(children: &mut Children<T>, what: &str, index: usize, error: TaskError) -> ! {
    children.close();
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
        if this.results.capacity() == 0 {
            this.results.reserve_exact(this.children.len);
        }
        let results = &mut this.results;
        let failure = std::task::ready!(this.children.poll_outputs(cx, |value| {
            results.push(value);
        }));
        this.finished = true;
        match failure {
            // Dropping the gather forgets its waker (`Children::drop`).
            None => Poll::Ready(std::mem::take(&mut this.results)),
            Some((index, Err(error))) => fail(&mut this.children, "gather", index, error),
            Some((index, Ok(_))) => {
                unreachable!("spindle::gather: child {index} returned, yet counted as failed")
            }
        }
    }
}

impl<T: Send + 'static, E: Send + 'static> Future for TryGather<T, E> {
    type Output = Result<Vec<T>, E>;

    fn poll(self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<Result<Vec<T>, E>> {
        let this = self.get_mut();
        assert!(!this.finished, "`TryGather` polled after completion");
        if this.results.capacity() == 0 {
            this.results.reserve_exact(this.children.len);
        }
        let (results, first_err) = (&mut this.results, &mut this.first_err);
        let failure = std::task::ready!(this.children.poll_outputs(cx, |output| match output {
            Ok(value) => results.push(value),
            Err(error) => {
                first_err.get_or_insert(error);
            }
        }));
        this.finished = true;
        match failure {
            None => Poll::Ready(match this.first_err.take() {
                None => Ok(std::mem::take(&mut this.results)),
                Some(error) => Err(error),
            }),
            Some((_, Ok(Err(error)))) => {
                this.children.close();
                Poll::Ready(Err(error))
            }
            Some((index, Err(error))) => fail(&mut this.children, "try_gather", index, error),
            Some((index, Ok(Ok(_)))) => {
                unreachable!(
                    "spindle::try_gather: child {index} returned Ok, yet counted as failed"
                )
            }
        }
    }
}

impl<T> fmt::Debug for Gather<T> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Gather")
            .field("children", &self.children.len)
            .field("finished", &self.finished)
            .finish()
    }
}

impl<T, E> fmt::Debug for TryGather<T, E> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("TryGather")
            .field("children", &self.children.len)
            .field("finished", &self.finished)
            .finish()
    }
}

/// `Shared::failed` while no child has failed.
const NO_FAILURE: usize = usize::MAX;

/// Added to `Shared::running` while the children are being spawned (their number is not known
/// before the iterator is exhausted), and taken off once they all are: no child can bring the
/// count to zero before the last one is spawned.
const SPAWNING: usize = usize::MAX / 2;

/// What a gather and its children share; see the module docs.
struct Shared {
    /// Children whose future has neither returned nor been dropped (plus [`SPAWNING`] while
    /// spawning).
    running: AtomicUsize,
    /// The index of the first child to fail, or [`NO_FAILURE`].
    failed: AtomicUsize,
    /// The gather's waker, taken by whoever wakes it.
    waker: Mutex<Option<Waker>>,
}

/// Where the children are, as the gather sees it.
enum Progress {
    /// Some are running, none failed.
    Running,
    /// Every child returned and none failed: the outputs can be read in order.
    AllReturned,
    /// This child failed first.
    Failed(usize),
}

impl Shared {
    fn lock(&self) -> MutexGuard<'_, Option<Waker>> {
        // Nothing panics while holding the lock; recover rather than cascade if it ever did.
        self.waker.lock().unwrap_or_else(PoisonError::into_inner)
    }

    /// Child `index` is over (`failed`: without a value, or with an `Err` under `try_gather`).
    /// Wakes the gather if this is the first failure or the last child.
    fn child_over(&self, index: usize, failed: bool) {
        // The failure is recorded before the count goes down: a gather that sees the count at
        // zero (Acquire) then sees every failure.
        let first_failure = failed
            && self
                .failed
                .compare_exchange(NO_FAILURE, index, Ordering::AcqRel, Ordering::Acquire)
                .is_ok();
        let last = self.running.fetch_sub(1, Ordering::AcqRel) == 1;
        if first_failure || last {
            let waker = self.lock().take();
            if let Some(waker) = waker {
                waker.wake();
            }
        }
    }

    fn progress(&self) -> Progress {
        // The count first: once it reads zero, every failure has been recorded (see
        // `child_over`), so the second load cannot miss one.
        let running = self.running.load(Ordering::Acquire);
        match self.failed.load(Ordering::Acquire) {
            NO_FAILURE if running == 0 => Progress::AllReturned,
            NO_FAILURE => Progress::Running,
            index => Progress::Failed(index),
        }
    }

    /// Makes `waker` the one the next `child_over` that matters wakes.
    fn register(&self, waker: &Waker) {
        let mut slot = self.lock();
        match slot.as_ref() {
            Some(current) if current.will_wake(waker) => {}
            _ => *slot = Some(waker.clone()),
        }
    }
}

/// Decides which outputs count as a child's failure.
trait Failure<T> {
    /// Whether `output` fails the gather.
    fn is_failure(output: &T) -> bool;
}

/// `gather`: every value is kept, whatever it is.
struct EveryValue;

impl<T> Failure<T> for EveryValue {
    fn is_failure(_: &T) -> bool {
        false
    }
}

/// `try_gather`: the first `Err` ends the gather.
struct FirstErr;

impl<T, E> Failure<Result<T, E>> for FirstErr {
    fn is_failure(output: &Result<T, E>) -> bool {
        output.is_err()
    }
}

/// A child's future, as spawned: reports to [`Shared`] when it returns or is dropped.
struct Child<F, C> {
    /// Structurally pinned.
    future: F,
    index: usize,
    shared: Arc<Shared>,
    /// The future returned (and the child reported it).
    returned: bool,
    _failure: PhantomData<fn() -> C>,
}

impl<F: Future, C: Failure<F::Output>> Future for Child<F, C> {
    type Output = F::Output;

    fn poll(self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<F::Output> {
        // SAFETY: `future` is structurally pinned: it is never moved out of the child, which
        // `Drop` leaves in place (it reads only the other fields); the other fields are not
        // pinned and are only read or assigned.
        let this = unsafe { self.get_unchecked_mut() };
        // SAFETY: as above; `this` is not moved while the pin lives.
        let future = unsafe { Pin::new_unchecked(&mut this.future) };
        let output = std::task::ready!(future.poll(cx));
        this.returned = true;
        this.shared.child_over(this.index, C::is_failure(&output));
        Poll::Ready(output)
    }
}

impl<F, C> Drop for Child<F, C> {
    fn drop(&mut self) {
        if !self.returned {
            // Dropped before returning: it panicked, was cancelled, or was never run.
            self.shared.child_over(self.index, true);
        }
    }
}

/// The children of one gather, and the reading of their outputs.
struct Children<T> {
    shared: Arc<Shared>,
    /// The handles whose output was not read yet, in input order.
    tasks: std::vec::IntoIter<Task<T>>,
    /// Spawns the children, at the first poll of a gather created outside a loop.
    deferred: Option<Box<dyn FnOnce() -> Vec<Task<T>> + Send>>,
    /// The number of children.
    len: usize,
    /// Every child returned without a failure: reading the outputs.
    reading: bool,
}

impl<T: Send + 'static> Children<T> {
    /// Spawns every future now if a loop runs on this thread (asyncio starts the children at
    /// once), or else at the first poll: `lp.run_until_complete(gather(..))` polls it inside the
    /// run. `C` decides which outputs fail the gather.
    fn spawn<I, C>(futures: I) -> Children<T>
    where
        I: IntoIterator,
        I::Item: Future<Output = T> + Send + 'static,
        C: Failure<T> + 'static,
    {
        let shared = Arc::new(Shared {
            running: AtomicUsize::new(SPAWNING),
            failed: AtomicUsize::new(NO_FAILURE),
            waker: Mutex::new(None),
        });
        let futures = futures.into_iter();
        if let Some(lp) = EventLoop::try_current() {
            let tasks = spawn_all::<_, C>(&lp, futures, &shared);
            return Children::new(shared, tasks, None);
        }
        let futures: Vec<I::Item> = futures.collect();
        if futures.is_empty() {
            // Nothing to spawn, so no loop needed: done at the first poll.
            shared.running.store(0, Ordering::Release);
            return Children::new(shared, Vec::new(), None);
        }
        let len = futures.len();
        let spawner = shared.clone();
        let deferred =
            move || spawn_all::<_, C>(&EventLoop::current(), futures.into_iter(), &spawner);
        let mut children = Children::new(shared, Vec::new(), Some(Box::new(deferred)));
        children.len = len;
        children
    }
}

impl<T> Children<T> {
    fn new(
        shared: Arc<Shared>,
        tasks: Vec<Task<T>>,
        deferred: Option<Box<dyn FnOnce() -> Vec<Task<T>> + Send>>,
    ) -> Children<T> {
        Children {
            shared,
            len: tasks.len(),
            tasks: tasks.into_iter(),
            deferred,
            reading: false,
        }
    }

    /// Hands each output to `sink` in input order once every child returned, then gives
    /// `Ready(None)`; or `Ready(Some((index, outcome)))` for the first child to fail, with its
    /// task's outcome (the other outputs are not read).
    fn poll_outputs(
        &mut self,
        cx: &mut Context<'_>,
        mut sink: impl FnMut(T),
    ) -> Poll<Option<(usize, Result<T, TaskError>)>> {
        if let Some(spawn) = self.deferred.take() {
            self.tasks = spawn().into_iter();
        }
        if !self.reading {
            let mut progress = self.shared.progress();
            if let Progress::Running = progress {
                self.shared.register(cx.waker());
                // A child may have been over between the check and the registration.
                progress = self.shared.progress();
            }
            match progress {
                Progress::Running => return Poll::Pending,
                Progress::Failed(index) => {
                    // Nothing was read yet: the handles still start at index 0.
                    let task = &mut self.tasks.as_mut_slice()[index];
                    let outcome = std::task::ready!(Pin::new(task).poll(cx));
                    return Poll::Ready(Some((index, outcome)));
                }
                Progress::AllReturned => self.reading = true,
            }
        }
        while let Some(task) = self.tasks.as_mut_slice().first_mut() {
            let outcome = std::task::ready!(Pin::new(task).poll(cx));
            let index = self.len - self.tasks.len();
            drop(self.tasks.next());
            match outcome {
                Ok(output) => sink(output),
                // A child without a value counts as failed before it counts down, so this is
                // not reached; kept as a failure rather than asserted.
                Err(error) => return Poll::Ready(Some((index, Err(error)))),
            }
        }
        Poll::Ready(None)
    }

    /// Cancels every child whose output was not read, and forgets the gather's waker (a child
    /// that is over from now on has nobody to wake).
    fn close(&mut self) {
        for task in self.tasks.as_slice() {
            task.cancel();
        }
        let waker = self.shared.lock().take();
        drop(waker);
    }
}

impl<T> Drop for Children<T> {
    fn drop(&mut self) {
        self.close();
    }
}

/// Spawns each future as child `index` on `lp`, and takes [`SPAWNING`] off the count once
/// they all are.
fn spawn_all<I, C>(
    lp: &EventLoop,
    futures: I,
    shared: &Arc<Shared>,
) -> Vec<Task<<I::Item as Future>::Output>>
where
    I: Iterator,
    I::Item: Future + Send + 'static,
    <I::Item as Future>::Output: Send + 'static,
    C: Failure<<I::Item as Future>::Output> + 'static,
{
    let mut tasks = Vec::with_capacity(futures.size_hint().0);
    for (index, future) in futures.enumerate() {
        tasks.push(lp.spawn(Child::<_, C> {
            future,
            index,
            shared: shared.clone(),
            returned: false,
            _failure: PhantomData,
        }));
    }
    // The children spawned so far may all be over: the count is then exactly zero.
    shared
        .running
        .fetch_sub(SPAWNING - tasks.len(), Ordering::AcqRel);
    tasks
}
